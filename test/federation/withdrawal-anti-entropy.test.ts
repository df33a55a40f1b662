import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait";
import {
  closePeers,
  follow,
  loseDeliveries,
  networkFigure,
  type Peer,
  publishSynthesis,
  settled,
  startPeers,
} from "./harness";

// Withdrawals travel through anti-entropy too: the known-syntheses collection serves, for a
// withdrawn synthesis, the origin's signed Delete (a tombstone), and a pull routes it to the
// inbox's Delete handler. Four real nodes: Mulhouse publishes and withdraws; Porto and Namur
// follow Mulhouse; Lima follows only Namur (it learns of Mulhouse through Namur's collection).

interface Figure {
  fingerprint: string;
  territories: number;
  coverage: { included: Array<{ origin: string; version: number; hash: string }> };
}

describe("withdrawals through anti-entropy", () => {
  let mulhouse: Peer;
  let porto: Peer;
  let namur: Peer;
  let lima: Peer;
  let v1: { id: string; hash: string };

  const figure = (peer: Peer) => networkFigure<Figure>(peer);
  const fromMulhouse = (peer: Peer) =>
    peer.node.services.received.list().find((r) => r.origin === mulhouse.actorUrl);

  /** Rewrites Namur's stored tombstone of Mulhouse's synthesis (what its collection serves). */
  function setNamurTombstone(json: Record<string, unknown>) {
    namur.node.storage.sqlite
      .prepare("update received_syntheses set withdrawal = ? where origin = ?")
      .run(JSON.stringify(json), mulhouse.actorUrl);
  }

  beforeAll(async () => {
    [mulhouse, porto, namur, lima] = await startPeers("mulhouse", "porto", "namur", "lima");
  });
  afterAll(() => closePeers(mulhouse, porto, namur, lima));

  it("a node offline when the origin withdrew converges at its next pull", async () => {
    v1 = await publishSynthesis(mulhouse, 7);
    await Promise.all([follow(porto, mulhouse), follow(namur, mulhouse)]);
    await waitFor(() => fromMulhouse(porto) && fromMulhouse(namur), "the followers to pull v1");
    // Lima follows Namur only: Mulhouse's synthesis reaches it through Namur's collection. Namur
    // then forgets Lima as a follower, so it passes nothing on to Lima (docs/protocol.md §8,
    // "Propagation to followers"): Lima learns of Mulhouse through pulls alone.
    await follow(lima, namur);
    expect(namur.node.services.follows.removeFollower("namur", lima.actorUrl)).toBe(true);
    await waitFor(() => fromMulhouse(lima), "Lima to pull v1 from Namur");
    const before = await figure(mulhouse);
    expect(before.territories).toBe(1);
    expect((await figure(porto)).fingerprint).toBe(before.fingerprint);

    await porto.goOffline();
    const withdrawn = await mulhouse.api(
      "POST",
      `/territories/mulhouse/syntheses/${v1.id}/withdrawal`,
    );
    expect(withdrawn.status).toBe(204);
    // Namur gets the Delete and keeps it, proof included, as the synthesis's tombstone.
    await waitFor(() => fromMulhouse(namur)?.withdrawnAt, "Namur to receive the Delete");
    const tombstone = fromMulhouse(namur)?.withdrawal;
    expect(tombstone).toMatchObject({ type: "Delete", actor: mulhouse.actorUrl });
    expect(tombstone?.proof).toBeDefined();
    expect(tombstone?.signature).toBeUndefined();
    // Porto's copy of the Delete is lost.
    await loseDeliveries(mulhouse);
    await porto.goOnline();
    await settled(mulhouse, porto); // nothing left that could still bring the Delete to Porto
    expect(fromMulhouse(porto)?.withdrawnAt).toBeNull();
    const after = await figure(mulhouse);
    expect(after.territories).toBe(0);
    expect((await figure(porto)).fingerprint).toBe(before.fingerprint);

    // Mulhouse's collection serves its own signed Delete: Porto's pull withdraws the synthesis.
    const pulled = porto.node.services.follows
      .acceptedFollowing()
      .find((f) => f.target === mulhouse.actorUrl);
    expect(
      await (await porto.node.federation.get()).antiEntropy.pull(pulled as never),
    ).toMatchObject({ routed: 1 });
    // Routed through the inbox queue: the Delete handler runs shortly after.
    await waitFor(() => fromMulhouse(porto)?.withdrawnAt, "Porto to apply the withdrawal");
    expect(fromMulhouse(porto)?.version).toBe(1);
    expect(fromMulhouse(porto)?.withdrawal).toMatchObject({ type: "Delete" });
    const converged = await figure(porto);
    expect(converged.territories).toBe(0);
    expect(converged.fingerprint).toBe(after.fingerprint);
    // A second pull has nothing left to do (the tombstone is not verified again).
    expect(
      await (await porto.node.federation.get()).antiEntropy.pull(pulled as never),
    ).toMatchObject({ routed: 0 });
  });

  it("a relay's tampered or unsigned tombstone is refused; its genuine one is applied", async () => {
    // The origin is offline: Fedify cannot fetch the Delete again, only the proof can vouch for it.
    await mulhouse.goOffline();
    const genuine = fromMulhouse(namur)?.withdrawal as Record<string, unknown>;
    const proof = genuine.proof as Record<string, unknown>;
    const forgeries = [
      { ...genuine, published: "2030-01-01T00:00:00Z" }, // altered after signing
      {
        ...genuine,
        proof: { ...proof, proofValue: `${String(proof.proofValue).slice(0, -4)}AAAA` },
      },
      Object.fromEntries(Object.entries(genuine).filter(([key]) => key !== "proof")), // unsigned
    ];
    const fromNamur = lima.node.services.follows
      .acceptedFollowing()
      .find((f) => f.target === namur.actorUrl);
    const refusal = `${String(genuine.id)} from ${namur.actorUrl} did not verify`;
    for (const [i, forged] of forgeries.entries()) {
      setNamurTombstone(forged);
      // Refused before anything is queued: nothing routed, the refusal logged.
      expect(await (await lima.node.federation.get()).antiEntropy.pull(fromNamur as never)).toEqual(
        {
          routed: 0,
          skipped: 0,
        },
      );
      expect(lima.logs.filter((line) => line.includes(refusal))).toHaveLength(i + 1);
    }
    await settled(lima, namur);
    expect(fromMulhouse(lima)?.withdrawnAt).toBeNull();
    expect((await figure(lima)).territories).toBe(1);

    setNamurTombstone(genuine);
    expect(await (await lima.node.federation.get()).antiEntropy.pull(fromNamur as never)).toEqual({
      routed: 1,
      skipped: 0,
    });
    await waitFor(() => fromMulhouse(lima)?.withdrawnAt, "Lima to apply the genuine tombstone");
    expect(fromMulhouse(lima)?.withdrawal).toEqual(genuine);
    expect((await figure(lima)).fingerprint).toBe((await figure(mulhouse)).fingerprint);
    await mulhouse.goOnline();
  });

  it("a Delete of version 1 does not withdraw version 2", async () => {
    const oldDelete = fromMulhouse(lima)?.withdrawal as Record<string, unknown>;
    // Mulhouse publishes the period again: version 2 (an Update) brings the synthesis back.
    const v2 = await publishSynthesis(mulhouse, 9);
    expect(v2.version).toBe(2);
    await waitFor(
      () => fromMulhouse(porto)?.version === 2 && fromMulhouse(namur)?.version === 2,
      "the followers to receive version 2",
    );
    expect(fromMulhouse(porto)).toMatchObject({ withdrawnAt: null, withdrawal: null });

    // Lima still holds (and serves) the Delete of version 1. Porto pulls it from Lima:
    // version 2 stays.
    expect(fromMulhouse(lima)?.version).toBe(1);
    await follow(porto, lima);
    const fromLima = porto.node.services.follows
      .acceptedFollowing()
      .find((f) => f.target === lima.actorUrl);
    // Lima's collection holds that Delete only: skipped (it would change nothing here)…
    expect(await (await porto.node.federation.get()).antiEntropy.pull(fromLima as never)).toEqual({
      routed: 0,
      skipped: 1,
    });
    // …and version 2 stays, whatever the queues do next.
    await settled(porto, lima, namur, mulhouse);
    expect(fromMulhouse(porto)).toMatchObject({ version: 2, hash: v2.hash, withdrawnAt: null });
    // The handler applies the same rule when the old Delete arrives any other way.
    expect(
      porto.node.services.received.applyWithdrawal(
        mulhouse.actorUrl,
        String(fromMulhouse(porto)?.objectId),
        { published: String(oldDelete.published), activity: oldDelete },
      ),
    ).toBe("older");
    expect(fromMulhouse(porto)?.withdrawnAt).toBeNull();

    // Lima catches up from Namur (which holds version 2): everyone agrees on version 2.
    await (await lima.node.federation.get()).antiEntropy.pullAll();
    await waitFor(() => fromMulhouse(lima)?.version === 2, "Lima to pull version 2");
    expect(fromMulhouse(lima)).toMatchObject({ withdrawnAt: null, withdrawal: null });
    const figures = await Promise.all([mulhouse, porto, namur, lima].map(figure));
    expect(new Set(figures.map((f) => f.fingerprint)).size).toBe(1);
    expect(figures[0]?.coverage.included).toEqual([
      expect.objectContaining({ origin: mulhouse.actorUrl, version: 2, hash: v2.hash }),
    ]);
  });
});
