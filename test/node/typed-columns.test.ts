import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type {
  aggregateEntries,
  meetings,
  outboxActivities,
  receivedMeetings,
  receivedSyntheses,
} from "@spiral-network/node/db/schema";
import type { MeetingPayload, SynthesisPayload } from "@spiral-network/protocol";
import { expect, expectTypeOf, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Every .ts/.tsx file under a directory (node_modules left out). */
const sourcesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((file) => !file.includes(`${path.sep}node_modules${path.sep}`));

// The payload columns carry the protocol's types. These are compile-time checks: `tsc` (part of
// the test command) includes this file and fails on a mismatch; at run time they do nothing.
expectTypeOf<
  (typeof receivedSyntheses.$inferSelect)["payload"]
>().toEqualTypeOf<SynthesisPayload>();
expectTypeOf<(typeof aggregateEntries.$inferSelect)["payload"]>().toEqualTypeOf<SynthesisPayload>();
expectTypeOf<(typeof meetings.$inferSelect)["payload"]>().toEqualTypeOf<MeetingPayload>();
expectTypeOf<(typeof receivedMeetings.$inferSelect)["payload"]>().toEqualTypeOf<MeetingPayload>();
expectTypeOf<
  (typeof outboxActivities.$inferSelect)["meetingPayload"]
>().toEqualTypeOf<MeetingPayload | null>();
// A typed column is also checked on the way in: a bare record no longer fits.
expectTypeOf<Record<string, unknown>>().not.toMatchTypeOf<
  (typeof meetings.$inferInsert)["payload"]
>();

it("no payload is cast through `unknown` to or from a JSON column any more", () => {
  const casts = ["node", "admin-ui", "protocol"]
    .flatMap((dir) => sourcesUnder(path.join(root, dir)))
    .flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .map((line, i) => ({ where: `${path.relative(root, file)}:${i + 1}`, line }))
        .filter(({ line }) =>
          /as unknown as (SynthesisPayload|MeetingPayload|Record<string, unknown>)/.test(line),
        ),
    )
    .map(({ where }) => where);
  expect(casts).toEqual([]);
});
