import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait";
import { follow, type Peer, publishSynthesis, startPeer } from "./harness";

// Network figures (docs/protocol.md §10): five real nodes, each publishing its own synthesis. Porto follows everyone; the others
// follow Porto, and Namur and Praia follow Mulhouse too. Lima follows only Porto, never Mulhouse,
// yet ends up holding Mulhouse's synthesis (pulled from Porto on Accept) and showing the same
// figure and fingerprint as every other node. A later version from Mulhouse is pushed to its
// followers and reaches Lima through Porto's Announce or its next anti-entropy round: all five fingerprints change and
// agree again.

interface Figure {
  fingerprint: string;
  territories: number;
  participants: number;
  coverage: { included: Array<{ origin: string; version: number; hash: string }> };
}

describe("network aggregates across five real nodes", () => {
  let mulhouse: Peer;
  let porto: Peer;
  let namur: Peer;
  let praia: Peer;
  let lima: Peer;
  let all: Peer[];
  const published = new Map<Peer, { hash: string; version: number }>();

  const figure = async (peer: Peer, query = ""): Promise<Figure> => {
    const response = await peer.api("GET", `/aggregates${query}`);
    expect(response.status).toBe(200);
    return response.body;
  };
  const figures = () => Promise.all(all.map((peer) => figure(peer)));
  /** The single fingerprint every node shows, or null while they differ. */
  const agreed = async (territories: number) => {
    const answers = await figures();
    const prints = new Set(answers.map((a) => a.fingerprint));
    return prints.size === 1 && answers.every((a) => a.territories === territories)
      ? answers
      : null;
  };

  beforeAll(async () => {
    [mulhouse, porto, namur, praia, lima] = await Promise.all([
      startPeer({ slug: "mulhouse", name: "Mulhouse", country: "FR", region: "FR-GES" }),
      startPeer({ slug: "porto", name: "Porto", country: "PT", region: "PT-13" }),
      startPeer({ slug: "namur", name: "Namur", country: "BE" }),
      startPeer({ slug: "praia", name: "Praia", country: "CV" }),
      startPeer({ slug: "lima", name: "Lima", country: "PE" }),
    ]);
    all = [mulhouse, porto, namur, praia, lima];
  });
  afterAll(async () => {
    await Promise.all((all ?? []).map((p) => p?.close()));
  });

  it("every node ends with the same fingerprint, including the one that never follows the origin", async () => {
    // Every territory publishes first (so each follow's pull on Accept finds it).
    await Promise.all(
      all.map(async (peer, i) => {
        const body = await publishSynthesis(peer, 6 + i);
        published.set(peer, { hash: body.hash, version: body.version });
      }),
    );
    // Porto follows everyone and pulls each territory's synthesis on Accept…
    await Promise.all([mulhouse, namur, praia, lima].map((target) => follow(porto, target)));
    await waitFor(
      () => porto.node.services.received.list().length === 4,
      "Porto to hold the four other syntheses",
    );
    // …the others follow Porto (and Namur and Praia follow Mulhouse too); Lima follows only Porto.
    await Promise.all([
      follow(mulhouse, porto),
      follow(namur, porto),
      follow(namur, mulhouse),
      follow(praia, porto),
      follow(praia, mulhouse),
      follow(lima, porto),
    ]);

    const answers = await waitFor(() => agreed(5), "all five nodes to show one fingerprint");
    expect(lima.node.services.follows.following("lima").map((f) => f.target)).toEqual([
      porto.actorUrl,
    ]);
    const fromMulhouse = lima.node.services.received
      .list()
      .find((r) => r.origin === mulhouse.actorUrl);
    expect(fromMulhouse).toMatchObject({
      version: 1,
      hash: published.get(mulhouse)?.hash,
      via: porto.actorUrl,
    });

    // Five entries on every node: its own (local) and the four others, the same versions.
    const expectedIncluded = all
      .map((peer) => ({ origin: peer.actorUrl, version: 1, hash: published.get(peer)?.hash }))
      .sort((a, b) => (a.origin < b.origin ? -1 : 1));
    for (const [i, answer] of answers.entries()) {
      const peer = all[i] as Peer;
      expect(
        answer.coverage.included.map(({ origin, version, hash }) => ({ origin, version, hash })),
      ).toEqual(expectedIncluded);
      expect(answer.participants).toBe(6 + 7 + 8 + 9 + 10);
      const entries = peer.node.services.aggregates.entries();
      expect(entries).toHaveLength(5);
      expect(entries.filter((e) => e.local).map((e) => e.origin)).toEqual([peer.actorUrl]);
    }
    // Filtered figures agree too (and differ from the global one).
    const portugal = await Promise.all(all.map((peer) => figure(peer, "?country=PT")));
    expect(new Set(portugal.map((f) => f.fingerprint)).size).toBe(1);
    expect(portugal[0]?.territories).toBe(1);
    expect(portugal[0]?.fingerprint).not.toBe(answers[0]?.fingerprint);
    // Lima endorses what Porto relayed to it: its endorsed figure is the whole picture.
    const endorsed = await figure(lima, "?scope=endorsed");
    expect(endorsed.fingerprint).toBe(answers[0]?.fingerprint);
  });

  it("a new version propagates: every fingerprint changes, and they agree again", async () => {
    const before = (await figures())[0]?.fingerprint;
    const v2 = await publishSynthesis(mulhouse, 5);
    expect(v2.version).toBe(2);

    // Pushed to Mulhouse's followers. Lima does not follow Mulhouse: it gets version 2 either from
    // Porto's Announce (Porto follows Mulhouse and passes a version it verified on to its
    // followers, docs/protocol.md §8) or from its next anti-entropy round, whichever comes first.
    await waitFor(
      () =>
        [porto, namur, praia].every(
          (peer) =>
            peer.node.services.received.list().find((r) => r.origin === mulhouse.actorUrl)
              ?.version === 2,
        ),
      "Mulhouse's followers to receive version 2",
    );
    const lagging = await figures();
    expect(new Set(lagging.slice(0, 4).map((f) => f.fingerprint)).size).toBe(1);
    expect(lagging[0]?.fingerprint).not.toBe(before);

    // Lima's next anti-entropy round (pulling the peers it follows) brings it in line, if the
    // Announce has not already.
    await (await lima.node.federation.get()).antiEntropy.pullAll();
    const answers = await waitFor(() => agreed(5), "all five nodes to agree again");
    expect(answers[0]?.fingerprint).not.toBe(before);
    for (const answer of answers) {
      expect(answer.coverage.included.find((v) => v.origin === mulhouse.actorUrl)).toMatchObject({
        version: 2,
        hash: v2.hash,
      });
      expect(answer.participants).toBe(6 + 7 + 8 + 9 + 10 + 5);
    }
  });
});
