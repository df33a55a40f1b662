import { randomUUID } from "node:crypto";
import { generateCryptoKeyPair } from "@fedify/fedify";
import { CryptographicKey, Organization } from "@fedify/vocab";
import type { SynthesisPayload } from "@spiral-network/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait";
import { closePeers, type Peer, pullOnce, receivedBy } from "./harness";
import { AS, type HostilePeer, type KeyPairWithId, PUBLIC } from "./hostile-peer";
import {
  genuineSynthesis,
  startClockedReceiver,
  startHostileScene,
  victimKeys,
} from "./hostile-scene";
import { rehash } from "./synthesis-fixtures";

// Who may speak for an actor (docs/protocol.md §5): a signature or proof counts for actor X
// only when its key id is on X's origin and X's own actor document lists it. The hostile peer
// serves stand-alone key documents that merely *claim* the victim as owner/controller, and tries
// every route by which something is accepted as the victim's.

describe("forged keys: a key document's owner/controller claim proves nothing", () => {
  let victim: Peer;
  let receiver: Peer;
  let hostile: HostilePeer;
  /** The victim's genuine Create of its synthesis, as sent. */
  let genuine: Record<string, any>;
  let genuinePayload: SynthesisPayload;
  let victimArticle: string;
  let gentInbox: string;
  let sharedInbox: string;
  /** brugge's follow request to the victim, still pending. */
  let pendingFollowId: string;
  /** gent's accepted follow of the victim. */
  let acceptedFollowId: string;
  /** The victim's accepted follow of gent. */
  let victimFollowId: string;

  beforeAll(async () => {
    // gent → mulhouse, accepted
    ({ victim, receiver, hostile, gentInbox, sharedInbox } = await startHostileScene());
    receiver.node.services.territories.create(
      { slug: "brugge", name: "Brugge", country: "BE", languages: ["en"] } as never,
      "test",
    );
    acceptedFollowId = receiver.node.services.follows.following("gent")[0]?.followActivityId ?? "";
    // The victim follows gent.
    expect(
      (await victim.api("POST", "/territories/mulhouse/following", { target: receiver.actorUrl }))
        .status,
    ).toBe(202);
    await waitFor(
      () => receiver.node.services.follows.acceptedFollowers("gent").length === 1,
      "gent to accept the victim",
    );
    victimFollowId =
      receiver.node.services.follows.acceptedFollowers("gent")[0]?.followActivityId ?? "";
    // From now on the victim approves follows by hand: brugge's request stays pending.
    victim.node.services.territories.update("mulhouse", { manualApproval: true }, "test");
    expect(
      (await receiver.api("POST", "/territories/brugge/following", { target: victim.actorUrl }))
        .status,
    ).toBe(202);
    await waitFor(
      () => victim.node.services.follows.followers("mulhouse").some((f) => f.state === "pending"),
      "the victim to hold brugge's request",
    );
    pendingFollowId = receiver.node.services.follows.following("brugge")[0]?.followActivityId ?? "";

    ({ activity: genuine, payload: genuinePayload } = await genuineSynthesis(victim, receiver));
    victimArticle = genuine.object.id;
    before = receiverState();
    expect(before).toEqual([
      { objectId: victimArticle, version: 1, withdrawnAt: null, conflictedAt: null },
    ]);
  }, 60_000);
  afterAll(() => closePeers(victim, receiver, hostile));

  /** What gent holds of the victim: rows, versions and withdrawals. */
  const receiverState = () =>
    receivedBy(receiver).map((r) => ({
      objectId: r.objectId,
      version: r.version,
      withdrawnAt: r.withdrawnAt,
      conflictedAt: r.conflictedAt,
    }));
  let before: ReturnType<typeof receiverState>;

  const victimId = (path: string) => `${victim.url}/${path}/forged-${randomUUID()}`;

  /** A Create (new period) or Update (the victim's Article, a pinning version) in the victim's name. */
  function forgedSynthesis(type: "Create" | "Update", period?: { start: string; end: string }) {
    const { proof: _p, signature: _s, ...activity } = structuredClone(genuine);
    activity.type = type;
    activity.id = victimId("activities");
    let payload: SynthesisPayload;
    if (type === "Create") {
      activity.object.id = victimId("syntheses");
      activity.object.url = activity.object.id;
      payload = rehash({ ...genuinePayload, period: period ?? genuinePayload.period });
    } else {
      payload = rehash({
        ...genuinePayload,
        version: 999_999,
        previous: genuinePayload.hash,
        correction: true,
      });
    }
    activity.object.source.content = JSON.stringify(payload);
    return activity;
  }

  const forgedDelete = () => ({
    "@context": AS,
    id: victimId("activities"),
    type: "Delete",
    actor: victim.actorUrl,
    object: { type: "Tombstone", id: victimArticle },
    to: PUBLIC,
    published: new Date().toISOString(),
  });

  /** Proves with the forged Multikey, then POSTs HTTP-signed with the forged RSA key. */
  async function forgedPost(activity: Record<string, unknown>, inbox = gentInbox) {
    const proven = await hostile.prove(activity, hostile.forgedEd);
    return hostile.post(inbox, proven, hostile.forgedRsa);
  }

  it("direct Create of a synthesis in the victim's name: 401, nothing stored", async () => {
    const activity = forgedSynthesis("Create", { start: "2025-01-01", end: "2025-12-31" });
    for (const inbox of [gentInbox, sharedInbox]) {
      const response = await forgedPost({ ...activity, id: victimId("activities") }, inbox);
      expect(response.status, response.text).toBe(401);
    }
    expect(receiverState()).toEqual(before);
  });

  it("direct Update with a very high version (would pin the victim's period): 401", async () => {
    const response = await forgedPost(forgedSynthesis("Update"));
    expect(response.status, response.text).toBe(401);
    expect(receiverState()).toEqual(before);
  });

  it("a Linked Data Signature by the forged key (no HTTP signature, no proof): 401", async () => {
    const signed = await hostile.ldSign(forgedSynthesis("Update"), hostile.forgedRsa);
    const response = await hostile.post(gentInbox, signed, null);
    expect(response.status, response.text).toBe(401);
    expect(receiverState()).toEqual(before);
  });

  it("Delete withdrawing the victim's synthesis: 401, still held", async () => {
    const response = await forgedPost(forgedDelete());
    expect(response.status, response.text).toBe(401);
    expect(receiverState()).toEqual(before);
  });

  it("Undo of the victim's follow: 401, the victim still follows", async () => {
    const response = await forgedPost({
      "@context": AS,
      id: victimId("activities"),
      type: "Undo",
      actor: victim.actorUrl,
      object: {
        id: victimFollowId,
        type: "Follow",
        actor: victim.actorUrl,
        object: receiver.actorUrl,
      },
    });
    expect(response.status, response.text).toBe(401);
    expect(receiver.node.services.follows.acceptedFollowers("gent").map((f) => f.follower)).toEqual(
      [victim.actorUrl],
    );
  });

  it("Follow in the victim's name: 401, no follower recorded", async () => {
    const response = await forgedPost({
      "@context": AS,
      id: victimId("activities"),
      type: "Follow",
      actor: victim.actorUrl,
      object: `${receiver.url}/actors/brugge`,
    });
    expect(response.status, response.text).toBe(401);
    expect(receiver.node.services.follows.followers("brugge")).toEqual([]);
  });

  it("Accept and Reject in the victim's name: 401, the follows keep their state", async () => {
    for (const [type, followId] of [
      ["Accept", pendingFollowId],
      ["Reject", acceptedFollowId],
    ] as const) {
      const response = await forgedPost({
        "@context": AS,
        id: victimId("activities"),
        type,
        actor: victim.actorUrl,
        object: followId,
      });
      expect(response.status, `${type}: ${response.text}`).toBe(401);
    }
    expect(receiver.node.services.follows.following("brugge")[0]?.state).toBe("pending");
    expect(receiver.node.services.follows.following("gent")[0]?.state).toBe("accepted");
  });

  it("an actor document listing the attacker's key for the victim: 401 (wrong origin, or another owner)", async () => {
    const pem = hostile.forgedRsa.pair;
    // 1. Served by the attacker, with the victim's id; 2. the attacker's own actor, whose
    // embedded key claims the victim as owner.
    const impostor = `${hostile.url}/actors/impostor`;
    const lying = `${hostile.url}/actors/liar`;
    hostile.serve(
      "/actors/impostor",
      await new Organization({
        id: new URL(victim.actorUrl),
        inbox: new URL(`${victim.actorUrl}/inbox`),
        publicKey: new CryptographicKey({
          id: new URL(`${impostor}#key`),
          owner: new URL(victim.actorUrl),
          publicKey: pem.publicKey,
        }),
      }).toJsonLd(),
    );
    hostile.serve(
      "/actors/liar",
      await new Organization({
        id: new URL(lying),
        inbox: new URL(`${lying}/inbox`),
        publicKey: new CryptographicKey({
          id: new URL(`${lying}#key`),
          owner: new URL(victim.actorUrl),
          publicKey: pem.publicKey,
        }),
      }).toJsonLd(),
    );
    for (const keyId of [`${impostor}#key`, `${lying}#key`]) {
      const response = await hostile.post(
        gentInbox,
        {
          "@context": AS,
          id: victimId("activities"),
          type: "Follow",
          actor: victim.actorUrl,
          object: `${receiver.url}/actors/brugge`,
        },
        { keyId: new URL(keyId), pair: pem },
      );
      expect(response.status, `${keyId}: ${response.text}`).toBe(401);
    }
    expect(receiver.node.services.follows.followers("brugge")).toEqual([]);
  });

  it("relayed: an Announce wrapping a forged Create is refused by the handler, nothing stored", async () => {
    const inner = await hostile.prove(
      forgedSynthesis("Create", { start: "2024-01-01", end: "2024-12-31" }),
      hostile.forgedEd,
    );
    const announce = hostile.announce(inner);
    // The Announce itself is the hostile peer's own, signed with its own key: accepted.
    const response = await hostile.post(sharedInbox, announce, hostile.ownRsa);
    expect(response.status, response.text).toBe(202);
    await waitFor(
      () =>
        receiver.logs.some((l) => l.includes(`refused Create ${inner.id}`) && l.includes("relay")),
      "gent to refuse the relayed forgery",
    );
    expect(receiverState()).toEqual(before);
  });

  it("pulled: a known-syntheses collection serving forgeries (Create, pinning Update, Delete) routes nothing", async () => {
    const items = [
      await hostile.prove(
        forgedSynthesis("Create", { start: "2023-01-01", end: "2023-12-31" }),
        hostile.forgedEd,
      ),
      await hostile.prove(forgedSynthesis("Update"), hostile.forgedEd),
      await hostile.prove(forgedDelete(), hostile.forgedEd),
    ];
    await hostile.setKnownSyntheses(items);
    const pulled = await pullOnce(receiver, hostile.actorUrl);
    expect(pulled).toEqual({ routed: 0, skipped: 0 });
    expect(receiverState()).toEqual(before);
  });

  it("the hostile peer's own key still counts for the hostile peer itself", async () => {
    const response = await hostile.post(
      gentInbox.replace("/gent/", "/brugge/"),
      {
        "@context": AS,
        id: `${hostile.url}/activities/${randomUUID()}`,
        type: "Follow",
        actor: hostile.actorUrl,
        object: `${receiver.url}/actors/brugge`,
      },
      hostile.ownRsa,
    );
    expect(response.status, response.text).toBe(202);
    await waitFor(
      () =>
        receiver.node.services.follows
          .followers("brugge")
          .some((f) => f.follower === hostile.actorUrl),
      "brugge to record the hostile peer as follower",
    );
  });

  describe("a payload signed by its real origin must still obey the disclosure rules", () => {
    let victimRsa: KeyPairWithId;
    let victimEd: KeyPairWithId;
    beforeAll(async () => {
      ({ rsa: victimRsa, ed: victimEd } = await victimKeys(victim));
    });

    let year = 2010;
    /** A genuine Create (new period) carrying `edit(payload)`, proven by the victim's own key. */
    async function signedCreate(edit: (p: SynthesisPayload) => SynthesisPayload) {
      year++;
      const activity = forgedSynthesis("Create", { start: `${year}-01-01`, end: `${year}-12-31` });
      const payload = JSON.parse(activity.object.source.content);
      activity.object.source.content = JSON.stringify(rehash(edit(payload)));
      return hostile.prove(activity, victimEd);
    }
    const twoCategories = (p: SynthesisPayload, small: number): SynthesisPayload => {
      const big = p.participants;
      return {
        ...p,
        groups: 2,
        participants: big + small,
        categories: [
          { category: "young-people", groups: 1, participants: big, counts: p.counts },
          { category: "farmers", groups: 1, participants: small, counts: {} },
        ],
      } as SynthesisPayload;
    };
    const cases: Array<[string, (p: SynthesisPayload) => SynthesisPayload, RegExp]> = [
      ["a category of 3 participants", (p) => twoCategories(p, 3), /category farmers/],
      [
        "a total under k",
        (p) =>
          ({
            ...p,
            participants: 3,
            groups: 1,
            categories: [{ category: "other", groups: 1, participants: 3, counts: p.counts }],
          }) as SynthesisPayload,
        /3 participant/,
      ],
      [
        "a margin cell of 4",
        (p) => ({ ...p, margins: { gender: { female: 4, male: 4 } } }) as SynthesisPayload,
        /gender margin/,
      ],
      [
        "a margin whose unrecorded rest is 1",
        (p) => {
          const wide = twoCategories(p, 13); // 21 participants
          return { ...wide, margins: { age: { "18-29": 10, "30-44": 10 } } } as SynthesisPayload;
        },
        /age margin/,
      ],
    ];
    for (const [name, edit, reason] of cases) {
      it(`delivered directly: ${name} is refused with 400`, async () => {
        const activity = await signedCreate(edit);
        const response = await hostile.post(gentInbox, activity, victimRsa);
        expect(response.status, response.text).toBe(400);
        expect(JSON.parse(response.text).message).toMatch(reason);
        expect(receiverState()).toEqual(before);
      });
    }

    it("relayed: a k-unsafe payload inside an Announce is refused by the handler", async () => {
      const inner = await signedCreate((p) => twoCategories(p, 2));
      const response = await hostile.post(sharedInbox, hostile.announce(inner), hostile.ownRsa);
      expect(response.status).toBe(202);
      await waitFor(
        () =>
          receiver.logs.some(
            (l) => l.includes(`refused Create ${inner.id}`) && l.includes("disclosure"),
          ),
        "gent to refuse the k-unsafe relayed payload",
      );
      expect(receiverState()).toEqual(before);
    });

    it("duplicate keys in the body are refused with 400", async () => {
      const activity = await signedCreate((p) => p);
      const text = JSON.stringify(activity);
      // A second "type" first: JSON.parse keeps the last one, other parsers may keep the first.
      const duplicated = `{"type":"Note",${text.slice(1)}`;
      const response = await hostile.post(gentInbox, duplicated, victimRsa);
      expect(response.status, response.text).toBe(400);
      expect(JSON.parse(response.text).message).toMatch(/duplicate key "type"/);
      const nested = text.replace('"mediaType":', '"mediaType":"text/plain","mediaType":');
      const second = await hostile.post(gentInbox, nested, victimRsa);
      expect(second.status, second.text).toBe(400);
      expect(receiverState()).toEqual(before);
    });

    it("a signed activity with another content type than ActivityStreams/JSON-LD gets 415", async () => {
      const activity = await signedCreate((p) => p);
      for (const type of ["application/json", "text/plain", "application/x-www-form-urlencoded"]) {
        const response = await hostile.post(gentInbox, activity, victimRsa, type);
        expect(response.status, `${type}: ${response.text}`).toBe(415);
      }
      const missing = await fetch(gentInbox, { method: "POST", body: JSON.stringify(activity) });
      expect(missing.status).toBe(415);
      expect(receiverState()).toEqual(before);
      // The same activity as JSON-LD with the ActivityStreams profile is accepted.
      const accepted = await hostile.post(
        gentInbox,
        activity,
        victimRsa,
        'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
      );
      expect(accepted.status, accepted.text).toBe(202);
      await waitFor(
        () =>
          receivedBy(receiver).some((r) => r.objectId === (activity.object as { id: string }).id),
        "gent to store the genuine activity",
      );
    });
  });
});

describe("key rotation: a key counts while the actor lists it", () => {
  let receiver: Peer;
  let server: HostilePeer;
  let clock = Date.parse("2026-06-01T10:00:00Z");
  const HOUR = 3_600_000;
  let rotatingUrl: string;
  let oldKey: KeyPairWithId;
  let newKey: KeyPairWithId;

  /** Serves the rotating actor listing `key` as its only key. */
  const list = async (key: KeyPairWithId) =>
    server.serve(
      "/actors/rot",
      await new Organization({
        id: new URL(rotatingUrl),
        preferredUsername: "rot",
        inbox: new URL(`${rotatingUrl}/inbox`),
        publicKey: new CryptographicKey({
          id: key.keyId,
          owner: new URL(rotatingUrl),
          publicKey: key.pair.publicKey,
        }),
      }).toJsonLd(),
    );

  beforeAll(async () => {
    ({ receiver, server } = await startClockedReceiver(() => new Date(clock)));
    rotatingUrl = `${server.url}/actors/rot`;
    oldKey = {
      keyId: new URL(`${rotatingUrl}#key-1`),
      pair: await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"),
    };
    newKey = {
      keyId: new URL(`${rotatingUrl}#key-2`),
      pair: await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"),
    };
    await list(oldKey);
  }, 60_000);
  afterAll(() => closePeers(receiver, server));

  const inbox = () => `${receiver.actorUrl}/inbox`;
  const isFollower = () =>
    receiver.node.services.follows
      .acceptedFollowers("tartu")
      .some((f) => f.follower === rotatingUrl);
  const followId = () => `${server.url}/activities/follow-${randomUUID()}`;
  const followBody = (id: string) => ({
    "@context": AS,
    id,
    type: "Follow",
    actor: rotatingUrl,
    object: receiver.actorUrl,
  });
  const undoBody = (id: string) => ({
    "@context": AS,
    id: `${server.url}/activities/undo-${randomUUID()}`,
    type: "Undo",
    actor: rotatingUrl,
    object: { id, type: "Follow", actor: rotatingUrl, object: receiver.actorUrl },
  });

  it("the listed key counts, and still counts until the freshness bound after rotation", async () => {
    const first = followId();
    expect((await server.post(inbox(), followBody(first), oldKey)).status).toBe(202);
    await waitFor(isFollower, "the follow signed with the listed key");
    await list(newKey);
    clock += 10 * 60_000; // within the bound: the key list seen 10 minutes ago still holds
    expect((await server.post(inbox(), undoBody(first), oldKey)).status).toBe(202);
    await waitFor(() => !isFollower(), "the Undo signed with the last-seen key");
  });

  it("past the freshness bound, the key the actor no longer lists stops counting", async () => {
    clock += 2 * HOUR;
    const refused = await server.post(inbox(), followBody(followId()), oldKey);
    expect(refused.status, refused.text).toBe(401);
    expect(isFollower()).toBe(false);
  });

  it("the new key the actor lists counts", async () => {
    const second = followId();
    expect((await server.post(inbox(), followBody(second), newKey)).status).toBe(202);
    await waitFor(isFollower, "the follow signed with the new key");
    // And the old one is still refused, on both inboxes.
    for (const target of [inbox(), `${receiver.url}/inbox`]) {
      expect((await server.post(target, undoBody(second), oldKey)).status).toBe(401);
    }
    expect(isFollower()).toBe(true);
  });
});
