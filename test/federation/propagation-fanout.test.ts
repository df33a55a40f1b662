import { PUBLIC_COLLECTION } from "@fedify/vocab";
import { propagateToFollowers } from "@spiral-network/node/federation/propagation";
import { beforeEach, describe, expect, it } from "vitest";

// Propagation (docs/protocol.md §8) sends one Announce per node, not per local territory: a
// node's shared inbox hands an activity to the node once, whichever of its territories follow.

const sent: Array<{ slug: string; inboxes: string[] }> = [];
/** Records each Announce propagation would send, in place of sending it. */
const send = (async (
  _ctx: unknown,
  slug: string,
  _json: unknown,
  _id: string,
  recipients: Array<{ inboxId: URL; endpoints?: { sharedInbox: URL | null } | null }>,
) => {
  sent.push({
    slug,
    inboxes: recipients.map((r) => (r.endpoints?.sharedInbox ?? r.inboxId).href),
  });
  return {};
}) as never;

const ORIGIN = "https://origin.example/actors/o";
const follower = (id: number, slug: string, host: string, shared: boolean) => ({
  id,
  actor: slug,
  follower: `https://${host}/actors/${slug}-fan`,
  inbox: `https://${host}/actors/${slug}-fan/inbox`,
  sharedInbox: shared ? `https://${host}/inbox` : null,
  state: "accepted",
  spiral: true,
});

/** A node whose territories all follow the origin, each followed by a territory of each host. */
function contextWith(followersBySlug: Record<string, ReturnType<typeof follower>[]>) {
  const logger = { info: () => {}, warn: () => {}, error: () => {}, child: () => logger };
  return {
    data: {
      logger,
      services: {
        territories: { list: () => Object.keys(followersBySlug).map((slug) => ({ slug })) },
        follows: {
          following: () => [{ state: "accepted", targetType: "Organization", target: ORIGIN }],
          acceptedFollowers: (slug: string) => followersBySlug[slug] ?? [],
        },
      },
    },
  } as never;
}

const activity = { toIds: [PUBLIC_COLLECTION], ccIds: [] } as never;
const item = {
  json: { id: "https://origin.example/activities/1", type: "Create" },
  origin: ORIGIN,
  objectId: "https://origin.example/syntheses/1",
  via: null,
};

describe("propagation fan-out", () => {
  beforeEach(() => {
    sent.length = 0;
  });

  it("reaches each shared inbox once, however many local territories a node's territories follow", async () => {
    const slugs = ["a", "b", "c", "d"];
    const ctx = contextWith(
      Object.fromEntries(
        slugs.map((slug, i) => [
          slug,
          [
            follower(i * 2, slug, "far.example", true),
            follower(i * 2 + 1, slug, "solo.example", false),
          ],
        ]),
      ),
    );
    await propagateToFollowers(ctx, activity, item, send);
    const inboxes = sent.flatMap((s) => s.inboxes);
    // One delivery to far.example's shared inbox; solo.example's followers have no shared inbox,
    // so each of their own inboxes gets one.
    expect(inboxes.filter((i) => i === "https://far.example/inbox")).toHaveLength(1);
    expect(inboxes.filter((i) => i.startsWith("https://solo.example/")).sort()).toEqual(
      slugs.map((slug) => `https://solo.example/actors/${slug}-fan/inbox`),
    );
  });
});
