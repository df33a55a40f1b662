import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait";
import {
  closePeers,
  follow,
  type Peer,
  publishSynthesis,
  receivedBy,
  settled,
  startPeer,
  TERRITORIES,
} from "./harness";
import { AS, PUBLIC } from "./hostile-peer";
import { genuineSynthesis, type HostileScene, startHostileScene } from "./hostile-scene";

// Propagation to followers (docs/protocol.md §8, "Propagation"): a node that verifies a version
// it did not hold, from a territory it follows, passes it on to its own SPIRAL followers in an
// Announce carrying the origin's activity — once per version, never what it could not verify.

/** Announces a node's outbox holds about `objectId` (each one is a passing-on, sent once). */
const announcesOf = (peer: Peer, objectId: string) =>
  (
    peer.node.storage.sqlite
      .prepare(
        "SELECT count(*) AS n FROM outbox_activities WHERE type = 'Announce' AND object_id = ?",
      )
      .get(objectId) as { n: number }
  ).n;

const heldFrom = (peer: Peer, origin: Peer) =>
  receivedBy(peer).find((r) => r.origin === origin.actorUrl);

describe("a chain of followers with default settings (no periodic pull in reach)", () => {
  // mulhouse ← porto ← namur ← lima ← gent: each follows the previous one only.
  let chain: Peer[];

  beforeAll(async () => {
    chain = await Promise.all(
      (["mulhouse", "porto", "namur", "lima", "gent"] as const).map((slug) =>
        // The node's own defaults: a pull every 6 hours, the queue's default polling.
        startPeer(TERRITORIES[slug], {
          node: { antiEntropyIntervalMs: undefined, queuePollIntervalMs: undefined },
        }),
      ),
    );
    for (let i = 1; i < chain.length; i++) {
      await follow(chain[i] as Peer, chain[i - 1] as Peer);
    }
    await settled(...chain);
  }, 60_000);
  afterAll(() => closePeers(...(chain ?? [])));

  it("a synthesis reaches the end of the chain, verbatim, each hop saying who passed it on", async () => {
    const [origin, ...rest] = chain as [Peer, ...Peer[]];
    await publishSynthesis(origin, 8);
    const last = rest.at(-1) as Peer;
    const held = await waitFor(() => heldFrom(last, origin), "the end of the chain to hold it");
    const first = heldFrom(rest[0] as Peer, origin);
    // The origin's activity as it signed it, not a copy rebuilt on the way.
    expect(held.activity).toEqual(first?.activity);
    expect(first?.via).toBeNull();
    for (let i = 1; i < rest.length; i++) {
      expect(heldFrom(rest[i] as Peer, origin)?.via).toBe((rest[i - 1] as Peer).actorUrl);
    }
  });

  it("each node passes a version on once, even when it comes back along a cycle", async () => {
    const [origin, porto, namur, lima, gent] = chain as [Peer, Peer, Peer, Peer, Peer];
    // namur also follows gent: gent passes the next version on to namur, which already holds it.
    await follow(namur, gent);
    await publishSynthesis(origin, 9);
    await waitFor(
      () => heldFrom(gent, origin)?.payload.version === 2,
      "the second version at the end of the chain",
    );
    await settled(...chain);
    const objectId = heldFrom(gent, origin)?.objectId as string;
    expect(announcesOf(origin, objectId)).toBe(0);
    // One Announce per version at porto, namur and lima (two versions); gent only the second.
    for (const peer of [porto, namur, lima]) expect(announcesOf(peer, objectId)).toBe(2);
    expect(announcesOf(gent, objectId)).toBe(1);
    // gent's one Announce went to its one follower, namur (settled: handled there), which held
    // that version already and passed nothing on again.
    expect(gent.node.services.follows.acceptedFollowers(gent.slug).map((f) => f.follower)).toEqual([
      namur.actorUrl,
    ]);
  });

  it("a withdrawal follows the same way", async () => {
    const [origin, ...rest] = chain as [Peer, ...Peer[]];
    const versions = await origin.api("GET", `/territories/${origin.slug}/syntheses`);
    const withdrawal = await origin.api(
      "POST",
      `/territories/${origin.slug}/syntheses/${versions.body[0].id}/withdrawal`,
    );
    expect(withdrawal.status).toBe(204);
    for (const peer of rest) {
      await waitFor(() => heldFrom(peer, origin)?.withdrawnAt, `${peer.slug} to mark it withdrawn`);
    }
  });
});

describe("what an Announce carries is passed on only once verified", () => {
  let scene: HostileScene;
  /** The hostile peer's inbox for its follower of gent (a SPIRAL node's actor, as recorded). */
  const watcherInbox = "/users/watcher/inbox";
  const postsToWatcher = () => scene.hostile.requests.filter((r) => r === `POST ${watcherInbox}`);

  beforeAll(async () => {
    scene = await startHostileScene();
    const { receiver, hostile } = scene;
    // Gent follows the hostile peer (accepted) and the hostile peer's watcher follows Gent.
    const { follows } = receiver.node.services;
    const row = follows.requestFollow({
      actor: receiver.slug,
      target: hostile.actorUrl,
      targetInbox: `${hostile.actorUrl}/inbox`,
      targetSharedInbox: null,
      targetHandle: null,
      targetName: null,
      targetType: "Organization",
      followActivityId: `${receiver.url}/activities/${randomUUID()}`,
    });
    follows.setFollowingState(row.id, "accepted");
    follows.addFollower({
      actor: receiver.slug,
      follower: `${hostile.url}/users/watcher`,
      inbox: `${hostile.url}${watcherInbox}`,
      sharedInbox: null,
      followActivityId: `${hostile.url}/follows/${randomUUID()}`,
      state: "accepted",
      spiral: true,
    });
  }, 60_000);
  afterAll(async () => {
    await closePeers(scene?.victim, scene?.receiver);
    await scene?.hostile.close();
  });

  it("a genuine version from a followed territory is passed on to the followers", async () => {
    const { activity } = await genuineSynthesis(scene.victim, scene.receiver);
    await waitFor(() => postsToWatcher().length === 1, "gent to pass it on to its follower");
    expect(announcesOf(scene.receiver, activity.object.id)).toBe(1);
  });

  it("a forged Announce (bad proof, not served by its origin) is neither routed nor passed on", async () => {
    const { victim, receiver, hostile } = scene;
    const held = receivedBy(receiver).map((r) => [r.objectId, r.payload.version]);
    const genuine = receivedBy(receiver)[0]?.activity as Record<string, any>;
    // The victim's Create, its payload raised to a new version: the proof no longer verifies,
    // and the victim serves no such activity at that id.
    const tampered = structuredClone(genuine);
    tampered.id = `${victim.url}/activities/${randomUUID()}`;
    const payload = JSON.parse(tampered.object.source.content);
    tampered.object.source.content = JSON.stringify({ ...payload, version: payload.version + 1 });
    // An unproven Update in the victim's name, for an object the victim never published.
    const invented = {
      "@context": AS,
      id: `${victim.url}/activities/${randomUUID()}`,
      type: "Update",
      actor: victim.actorUrl,
      to: PUBLIC,
      object: { ...tampered.object, id: `${victim.url}/syntheses/${randomUUID()}` },
    };
    for (const inner of [tampered, invented]) {
      const response = await hostile.post(
        `${receiver.url}/inbox`,
        hostile.announce(inner),
        hostile.ownRsa,
      );
      expect(response.status, response.text).toBe(202);
      await waitFor(
        () =>
          receiver.logs.some(
            (l) => l.includes(`refused ${inner.type} ${inner.id}`) && l.includes("relay"),
          ),
        `gent to refuse the relayed ${inner.type}`,
      );
    }
    await settled(receiver);
    expect(receivedBy(receiver).map((r) => [r.objectId, r.payload.version])).toEqual(held);
    expect(announcesOf(receiver, genuine.object.id)).toBe(1);
    expect(postsToWatcher()).toHaveLength(1);
  });
});

describe("followers recorded before SPIRAL nodes were told apart", () => {
  let origin: Peer;
  let follower: Peer;

  beforeAll(async () => {
    [origin, follower] = await Promise.all([
      startPeer(TERRITORIES.mulhouse),
      startPeer(TERRITORIES.porto),
    ]);
    await follow(follower, origin);
  }, 60_000);
  afterAll(() => closePeers(origin, follower));

  it("are looked up once and marked when their actor is a SPIRAL territory; others stay as they are", async () => {
    const { follows } = origin.node.services;
    const row = follows.acceptedFollowers(origin.slug)[0];
    // A follow recorded now says so at once.
    expect(row?.spiral).toBe(true);
    // As an older node recorded it; and a follower whose server does not answer.
    follows.setFollowerSpiral(row?.id as number, false);
    follows.addFollower({
      actor: origin.slug,
      follower: "http://127.0.0.1:9/users/gone",
      inbox: "http://127.0.0.1:9/users/gone/inbox",
      sharedInbox: null,
      followActivityId: `http://127.0.0.1:9/follows/${randomUUID()}`,
      state: "accepted",
    });
    const { recheckFollowerKinds } = await import("@spiral-network/node/federation/follower-kinds");
    const fed = await origin.node.federation.get();
    const recheck = () => recheckFollowerKinds(fed.federation, fed.deps, origin.url);
    expect(await recheck()).toBe(1);
    const spiralOf = (url: string) =>
      follows.acceptedFollowers(origin.slug).find((f) => f.follower === url)?.spiral;
    expect(spiralOf(follower.actorUrl)).toBe(true);
    expect(spiralOf("http://127.0.0.1:9/users/gone")).toBe(false);
    // Looked at once: marked false again by hand, it is not looked up again.
    follows.setFollowerSpiral(row?.id as number, false);
    expect(await recheck()).toBe(0);
    expect(spiralOf(follower.actorUrl)).toBe(false);
  });
});
