import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait";
import {
  closePeers,
  follow,
  networkFigure,
  type Peer,
  publishSynthesis,
  settled,
  startPeers,
} from "./harness";

// A receiver that learns of a withdrawal BEFORE the synthesis itself (out-of-order delivery, or
// pulls from peers that are not equally up to date) keeps the origin's Delete as a tombstone: the
// older Create/Update arriving afterwards is stored as withdrawn and never counted. A later
// republication (a new version, published after the Delete) is public again.
//
// Mulhouse publishes then withdraws; Namur got both; Porto, no longer a follower, missed the
// Delete (it still serves the Create). Lima pulls Namur first (the tombstone alone), then Porto (the stale Create).

interface Figure {
  fingerprint: string;
  territories: number;
  coverage: { included: Array<{ origin: string; version: number }> };
}

describe("a withdrawal that arrives before its synthesis", () => {
  let mulhouse: Peer;
  let porto: Peer;
  let namur: Peer;
  let lima: Peer;

  const figure = (peer: Peer) => networkFigure<Figure>(peer);
  const fromMulhouse = (peer: Peer) =>
    peer.node.services.received.list().find((r) => r.origin === mulhouse.actorUrl);
  const followRow = (peer: Peer, target: Peer) =>
    peer.node.services.follows.acceptedFollowing().find((f) => f.target === target.actorUrl);

  beforeAll(async () => {
    [mulhouse, porto, namur, lima] = await startPeers("mulhouse", "porto", "namur", "lima");
  });
  afterAll(() => closePeers(mulhouse, porto, namur, lima));

  it("keeps the tombstone: the stale Create pulled afterwards does not bring it back", async () => {
    const v1 = await publishSynthesis(mulhouse, 7);
    await Promise.all([follow(porto, mulhouse), follow(namur, mulhouse)]);
    await waitFor(() => fromMulhouse(porto) && fromMulhouse(namur), "the followers to hold v1");

    // Porto misses the Delete for good: Mulhouse forgets it as a follower (as after a pruned
    // inbox), so nothing — no retry, no probe, no circuit-breaker reset — ever sends it there.
    expect(mulhouse.node.services.follows.removeFollower("mulhouse", porto.actorUrl)).toBe(true);
    const withdrawn = await mulhouse.api(
      "POST",
      `/territories/mulhouse/syntheses/${v1.id}/withdrawal`,
    );
    expect(withdrawn.status).toBe(204);
    await waitFor(() => fromMulhouse(namur)?.withdrawal, "Namur to keep the Delete");
    await settled(mulhouse, porto);
    expect(fromMulhouse(porto)?.withdrawnAt).toBeNull(); // Porto is stale: it serves the Create

    // Lima pulls Namur: only the tombstone, for a synthesis Lima never saw. It is kept.
    // (Accepting the follow also starts a pull of its own: whichever pull routes the tombstone,
    // what is checked is that Lima keeps it.)
    await follow(lima, namur);
    const fromNamur = followRow(lima, namur);
    await (await lima.node.federation.get()).antiEntropy.pull(fromNamur as never);
    await waitFor(
      () =>
        lima.node.services.received.withdrawalSettled(
          mulhouse.actorUrl,
          String(fromMulhouse(namur)?.objectId),
          String(fromMulhouse(namur)?.withdrawal?.published),
        ),
      "Lima to keep the tombstone",
    );
    expect(fromMulhouse(lima)).toBeUndefined();
    // Pulled again: settled, nothing routed.
    expect(
      await (await lima.node.federation.get()).antiEntropy.pull(fromNamur as never),
    ).toMatchObject({ routed: 0 });

    // Lima then pulls Porto, which still serves the Create of version 1.
    await follow(lima, porto);
    await (await lima.node.federation.get()).antiEntropy.pull(followRow(lima, porto) as never);
    await waitFor(() => fromMulhouse(lima), "Lima to process the stale Create");
    expect(fromMulhouse(lima)?.withdrawnAt).not.toBeNull();
    expect(fromMulhouse(lima)?.withdrawal).toMatchObject({ type: "Delete" });
    const limaFigure = await figure(lima);
    expect(limaFigure.coverage.included.map((v) => v.origin)).not.toContain(mulhouse.actorUrl);
    // Lima now serves the tombstone too (never the Create).
    const collection = await fetch(`${lima.actorUrl}/known-syntheses?cursor=0`, {
      headers: { accept: "application/activity+json" },
    }).then((r) => r.text());
    expect(collection).toContain(String(fromMulhouse(namur)?.withdrawal?.id));
  });

  it("a republication after the withdrawal is public again", async () => {
    const v2 = await publishSynthesis(mulhouse, 9);
    expect(v2.version).toBe(2);
    await waitFor(() => fromMulhouse(namur)?.version === 2, "Namur to receive version 2");
    await (await lima.node.federation.get()).antiEntropy.pull(followRow(lima, namur) as never);
    await waitFor(() => fromMulhouse(lima)?.version === 2, "Lima to pull version 2");
    expect(fromMulhouse(lima)).toMatchObject({ withdrawnAt: null, withdrawal: null });
    const [origin, receiver] = await Promise.all([figure(mulhouse), figure(lima)]);
    expect(receiver.fingerprint).toBe(origin.fingerprint);
    expect(receiver.coverage.included).toEqual([
      expect.objectContaining({ origin: mulhouse.actorUrl, version: 2 }),
    ]);
  });
});
