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

// What propagation passes on, seen with the sender it is given (docs/protocol.md §8): the inbox
// hands it only first arrivals that verified; here, the rules it applies itself.
describe("propagation as a hostile peer would probe it", () => {
  const VIA = "https://relay.example/actors/r";
  interface Territory {
    follows: { target: string; state?: string; targetType?: string }[];
    followers: ReturnType<typeof follower>[];
  }
  function nodeWith(territories: Record<string, Territory>) {
    const logger = { info: () => {}, warn: () => {}, error: () => {}, child: () => logger };
    return {
      data: {
        logger,
        services: {
          territories: { list: () => Object.keys(territories).map((slug) => ({ slug })) },
          follows: {
            following: (slug: string) =>
              (territories[slug]?.follows ?? []).map((f) => ({
                state: f.state ?? "accepted",
                targetType: f.targetType ?? "Organization",
                target: f.target,
              })),
            acceptedFollowers: (slug: string) => territories[slug]?.followers ?? [],
          },
        },
      },
    } as never;
  }
  const asFollower = (actor: string, slug: string) => ({
    ...follower(0, slug, "x.example", false),
    follower: actor,
    inbox: `${actor}/inbox`,
  });
  const inboxes = () => sent.flatMap((s) => s.inboxes).sort();

  beforeEach(() => {
    sent.length = 0;
  });

  it("a non-public activity (followers only, or addressed to one actor) is never passed on", async () => {
    const ctx = nodeWith({
      a: { follows: [{ target: ORIGIN }], followers: [follower(1, "a", "far.example", false)] },
    });
    const followersOnly = { toIds: [new URL(`${ORIGIN}/followers`)], ccIds: [] } as never;
    const direct = { toIds: [new URL("https://far.example/actors/a-fan")], ccIds: [] } as never;
    await propagateToFollowers(ctx, followersOnly, item, send);
    await propagateToFollowers(ctx, direct, item, send);
    expect(sent).toEqual([]);
    // The same, public in `cc`, goes.
    const publicCc = { toIds: [], ccIds: [PUBLIC_COLLECTION] } as never;
    await propagateToFollowers(ctx, publicCc, item, send);
    expect(inboxes()).toEqual(["https://far.example/actors/a-fan/inbox"]);
  });

  it("never back to its origin nor to the territory it came through, even when they follow here", async () => {
    const ctx = nodeWith({
      a: {
        follows: [{ target: VIA }],
        followers: [
          asFollower(ORIGIN, "a"),
          asFollower(VIA, "a"),
          follower(1, "a", "far.example", false),
        ],
      },
      b: {
        follows: [{ target: ORIGIN }],
        followers: [asFollower(ORIGIN, "b"), asFollower(VIA, "b")],
      },
    });
    await propagateToFollowers(ctx, activity, { ...item, via: VIA }, send);
    expect(inboxes()).toEqual(["https://far.example/actors/a-fan/inbox"]);
    expect(sent.map((s) => s.slug)).toEqual(["a"]); // b had nobody left to reach
  });

  it("speaks only for territories following the source: not for a pending follow, a group, or another actor", async () => {
    const fans = (slug: string) => [follower(1, slug, `${slug}.example`, false)];
    const ctx = nodeWith({
      pending: { follows: [{ target: ORIGIN, state: "pending" }], followers: fans("pending") },
      group: { follows: [{ target: ORIGIN, targetType: "Group" }], followers: fans("group") },
      other: { follows: [{ target: "https://other.example/actors/o" }], followers: fans("other") },
      none: { follows: [], followers: fans("none") },
    });
    await propagateToFollowers(ctx, activity, item, send);
    await propagateToFollowers(ctx, activity, { ...item, via: VIA }, send);
    expect(sent).toEqual([]);
  });

  it("only SPIRAL followers are reached, each once however many territories here they follow", async () => {
    const plain = { ...follower(1, "a", "plain.example", false), spiral: false };
    const shared = follower(2, "a", "far.example", false);
    const ctx = nodeWith({
      a: { follows: [{ target: ORIGIN }], followers: [plain, shared] },
      b: { follows: [{ target: ORIGIN }], followers: [{ ...shared, actor: "b" }] },
    });
    await propagateToFollowers(ctx, activity, item, send);
    expect(inboxes()).toEqual(["https://far.example/actors/a-fan/inbox"]);
  });

  it("a territory whose send fails does not stop the others", async () => {
    const ctx = nodeWith({
      a: { follows: [{ target: ORIGIN }], followers: [follower(1, "a", "a.example", false)] },
      b: { follows: [{ target: ORIGIN }], followers: [follower(2, "b", "b.example", false)] },
    });
    const failingForA = (async (ctx: unknown, slug: string, ...rest: unknown[]) => {
      if (slug === "a") throw new Error("queue full");
      return (send as (...a: unknown[]) => Promise<unknown>)(ctx, slug, ...rest);
    }) as never;
    await propagateToFollowers(ctx, activity, item, failingForA);
    expect(sent.map((s) => s.slug)).toEqual(["b"]);
  });
});
