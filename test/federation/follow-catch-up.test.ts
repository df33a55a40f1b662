import { type Activity, Follow } from "@fedify/vocab";
import { following } from "@spiral-network/node/db/schema";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { meetingInput } from "../support/meeting";
import { waitFor } from "../support/wait";
import { follow, type Peer, startPeer } from "./harness";

// A repeated Follow from an accepted follower is answered (one Accept each) but does not make
// the territory re-send its upcoming meetings more than once a day to that follower.

const DAY = 86_400_000;
let clock = Date.now();
let origin: Peer;
let follower: Peer;

beforeAll(async () => {
  [origin, follower] = await Promise.all([
    startPeer(
      { slug: "mulhouse", name: "Mulhouse", country: "FR" },
      { node: { now: () => new Date(clock) } },
    ),
    startPeer({ slug: "porto", name: "Porto", country: "PT" }),
  ]);
  // Counted where the origin hands deliveries over (the follower's inbox drops an activity id it
  // already had): to Fedify's sendActivity (the Accepts), or queued directly for a SPIRAL
  // follower, without a Linked Data signature (the catch-up; see spiral-deliveries.ts).
  const federation = (await origin.node.federation.get()).federation as unknown as {
    sendActivity: (keys: unknown, inboxes: unknown, activity: Activity, o: unknown) => unknown;
  };
  const send = federation.sendActivity.bind(federation);
  federation.sendActivity = (keys, inboxes, activity, options) => {
    sent.push({ type: activity.constructor.name, object: activity.objectId?.href });
    return send(keys, inboxes, activity, options);
  };
  const queue = origin.node.queue;
  const enqueue = queue.enqueue.bind(queue);
  queue.enqueue = (message, options) => {
    const m = message as { type?: string; attempt?: number; activity?: Record<string, any> };
    if (m.type === "outbox" && m.attempt === 0 && m.activity && !("signature" in m.activity)) {
      const object = m.activity.object;
      sent.push({
        type: String(m.activity.type),
        object: typeof object === "string" ? object : object?.id,
      });
    }
    return enqueue(message, options);
  };
});
afterAll(async () => {
  await Promise.all([origin, follower].map((p) => p?.close()));
});

const TITLE = "Formation des facilitateurs";
const inDays = (days: number) => new Date(clock + days * DAY).toISOString().slice(0, 10);
/** What the origin hands to Fedify for delivery: activity type and object id. */
const sent: Array<{ type: string; object: string | undefined }> = [];
let meetingUrl = "";
const catchUps = () => sent.filter((s) => s.type === "Create" && s.object === meetingUrl).length;
const accepts = () => sent.filter((s) => s.type === "Accept").length;
const queued = (peer: Peer) =>
  (
    peer.node.storage.sqlite.prepare("SELECT count(*) AS n FROM fedify_queue").get() as {
      n: number;
    }
  ).n;

/** The follower sends Follow again (a new activity id, as Mastodon does) and gets its Accept. */
async function followAgain(n: number): Promise<void> {
  const before = accepts();
  const row = follower.node.services.follows.following("porto")[0];
  if (!row) throw new Error("not following");
  const id = `${follower.actorUrl}#follow-again-${n}-${Math.random().toString(36).slice(2)}`;
  // The follower's row names the latest Follow, so it takes the Accept as an answer.
  follower.node.storage.db
    .update(following)
    .set({ followActivityId: id })
    .where(eq(following.id, row.id))
    .run();
  const ctx = (await follower.node.federation.get()).context();
  await ctx.sendActivity(
    { identifier: "porto" },
    { id: new URL(origin.actorUrl), inboxId: new URL(`${origin.actorUrl}/inbox`) },
    new Follow({
      id: new URL(id),
      actor: new URL(follower.actorUrl),
      object: new URL(origin.actorUrl),
    }),
    { immediate: true },
  );
  await waitFor(() => accepts() === before + 1, `the Accept of Follow #${n}`);
}

/** Everything either node queued has been handled. */
const settled = () =>
  waitFor(() => queued(origin) === 0 && queued(follower) === 0, "both queues to drain");

it("N repeated Follows: one Accept each, one catch-up a day", { timeout: 60_000 }, async () => {
  const created = await origin.api(
    "POST",
    "/territories/mulhouse/meetings",
    meetingInput(inDays(30), { title: TITLE, kind: "training" }),
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  meetingUrl = created.body.url;
  await follow(follower, origin);
  await waitFor(() => catchUps() === 1, "the first catch-up");
  const firstAccepts = accepts();

  for (let n = 1; n <= 4; n++) await followAgain(n);
  await settled();
  expect(accepts()).toBe(firstAccepts + 4);
  expect(catchUps()).toBe(1);

  clock += DAY + 60_000;
  await followAgain(5);
  await waitFor(() => catchUps() === 2, "a catch-up a day later");
  await followAgain(6);
  await settled();
  expect(catchUps()).toBe(2);
});

it("a meeting the follower has not been sent yet still goes out on its next Follow, once", async () => {
  // Following again within the day, after an Undo while a meeting was announced: that meeting
  // reached nobody behind this follow, so the catch-up sends it (and only it).
  origin.node.services.follows.removeFollower("mulhouse", follower.actorUrl);
  const second = await origin.api(
    "POST",
    "/territories/mulhouse/meetings",
    meetingInput(inDays(40), { title: "Séance de restitution", kind: "training" }),
  );
  expect(second.status).toBe(201);
  await settled();
  const sentOf = (url: string) =>
    sent.filter((s) => s.type === "Create" && s.object === url).length;
  expect(sentOf(second.body.url)).toBe(0);
  const before = catchUps();
  await followAgain(7);
  await waitFor(() => sentOf(second.body.url) === 1, "the new meeting in the catch-up");
  await followAgain(8);
  await settled();
  expect(sentOf(second.body.url)).toBe(1);
  expect(catchUps()).toBe(before);
});
