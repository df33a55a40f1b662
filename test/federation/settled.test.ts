import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Peer, settled, startPeer } from "./harness";

// settled() is what tests await before checking that something did NOT happen: it must return
// only once every task the nodes' queues hold, or will hold because of another node, has run.

describe("settled(): the nodes have nothing left to do", () => {
  let mulhouse: Peer;
  let porto: Peer;

  beforeAll(async () => {
    [mulhouse, porto] = await Promise.all([
      startPeer({ slug: "mulhouse", name: "Mulhouse", country: "FR" }),
      startPeer({ slug: "porto", name: "Porto", country: "PT" }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([mulhouse, porto].map((p) => p?.close()));
  });

  it("returns after a Follow and its Accept went through both nodes' queues, not before", async () => {
    const queued = porto.node.queue.processed + mulhouse.node.queue.processed;
    const response = await porto.api("POST", "/territories/porto/following", {
      target: mulhouse.actorUrl,
    });
    expect(response.status).toBe(202);
    // Follow: Porto's queue → Mulhouse's inbox queue; Accept: Mulhouse's queue → Porto's inbox
    // queue. Nothing is awaited but settled().
    await settled(porto, mulhouse);
    expect(
      porto.node.services.follows.following("porto").find((f) => f.target === mulhouse.actorUrl)
        ?.state,
    ).toBe("accepted");
    expect(mulhouse.node.services.follows.acceptedFollowers("mulhouse")).toEqual([
      expect.objectContaining({ follower: porto.actorUrl }),
    ]);
    expect(porto.node.queue.processed + mulhouse.node.queue.processed).toBeGreaterThanOrEqual(
      queued + 2,
    );
  });

  it("returns at once when there is nothing to do", async () => {
    const started = Date.now();
    await settled(porto, mulhouse);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
