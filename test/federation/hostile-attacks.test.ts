import { randomUUID } from "node:crypto";
import { generateCryptoKeyPair } from "@fedify/fedify";
import { CryptographicKey, Multikey, Organization } from "@fedify/vocab";
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
import { verifyIndependently } from "./independent-verifier";
import { makePayload, rehash } from "./synthesis-fixtures";

// Attacks on the federation trust rules (docs/protocol.md §4–§8) by a hostile peer on loopback.
// The first ones serve, on the attacker's origin, a document that carries the *victim's* key id
// with the attacker's key material, at a URL Fedify accepts in place of the key (an actor document
// with a single key, at a key id without a fragment): they hold, and stay as regression tests.
// The others (duplicate keys in the payload text, category counts, relayed ids, normalised proofs,
// JSON-LD spellings, a busy origin) each failed before the fix committed with it.

describe("a hostile peer against a real victim node and a real receiver", () => {
  let victim: Peer;
  let receiver: Peer;
  let hostile: HostilePeer;
  let genuine: Record<string, any>;
  let genuinePayload: SynthesisPayload;
  let gentInbox: string;
  let sharedInbox: string;
  /** Signs as `{hostile}/lookalike-rsa`; that URL serves the victim's RSA key id, our material. */
  let lookalikeRsa: KeyPairWithId;
  /** Proves as `{hostile}/lookalike-ed`; that URL serves the victim's Multikey id, our material. */
  let lookalikeEd: KeyPairWithId;

  beforeAll(async () => {
    ({ victim, receiver, hostile, gentInbox, sharedInbox } = await startHostileScene());
    ({ activity: genuine, payload: genuinePayload } = await genuineSynthesis(victim, receiver));

    lookalikeRsa = {
      keyId: new URL(`${hostile.url}/lookalike-rsa`),
      pair: await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"),
    };
    lookalikeEd = {
      keyId: new URL(`${hostile.url}/lookalike-ed`),
      pair: await generateCryptoKeyPair("Ed25519"),
    };
    // Actor documents of the attacker's origin (so "served by its origin"), each with exactly
    // one key: Fedify takes that key for a key id without a fragment whatever the key's own id.
    hostile.serve(
      "/lookalike-rsa",
      await new Organization({
        id: lookalikeRsa.keyId,
        inbox: new URL(`${hostile.url}/inbox`),
        publicKey: new CryptographicKey({
          id: new URL(`${victim.actorUrl}#main-key`),
          owner: new URL(victim.actorUrl),
          publicKey: lookalikeRsa.pair.publicKey,
        }),
      }).toJsonLd(),
    );
    hostile.serve(
      "/lookalike-ed",
      await new Organization({
        id: lookalikeEd.keyId,
        inbox: new URL(`${hostile.url}/inbox`),
        assertionMethods: [
          new Multikey({
            id: new URL(`${victim.actorUrl}#multikey-2`),
            controller: new URL(victim.actorUrl),
            publicKey: lookalikeEd.pair.publicKey,
          }),
        ],
      }).toJsonLd(),
    );
  }, 60_000);
  afterAll(() => closePeers(victim, receiver, hostile));

  const victimId = (path: string) => `${victim.url}/${path}/forged-${randomUUID()}`;
  const held = () => receivedBy(receiver).map((r) => [r.objectId, r.version, r.withdrawnAt]);

  function forgedCreate(year: number) {
    const { proof: _p, signature: _s, ...activity } = structuredClone(genuine);
    activity.id = victimId("activities");
    activity.object.id = victimId("syntheses");
    activity.object.url = activity.object.id;
    const payload = rehash({
      ...genuinePayload,
      period: { start: `${year}-01-01`, end: `${year}-12-31` },
    });
    activity.object.source.content = JSON.stringify(payload);
    return activity;
  }

  /** A genuine activity of the victim that gent never received: its Follow of the hostile peer. */
  let victimFollow: string | undefined;
  async function victimFollowOfHostile(): Promise<string> {
    if (victimFollow) return victimFollow;
    const followed = await victim.api("POST", "/territories/mulhouse/following", {
      target: hostile.actorUrl,
    });
    expect(followed.status).toBe(202);
    victimFollow = await waitFor(
      () =>
        victim.node.services.follows
          .following("mulhouse")
          .find((f) => f.target === hostile.actorUrl)?.followActivityId,
      "the victim's Follow",
    );
    const served = await fetch(victimFollow, { headers: { accept: "application/activity+json" } });
    expect(served.status).toBe(200);
    return victimFollow;
  }
  /** A Delete of the victim's synthesis under the id of the victim's genuine Follow. */
  const deleteUnderGenuineId = (id: string) => ({
    "@context": AS,
    id,
    type: "Delete",
    actor: victim.actorUrl,
    object: { type: "Tombstone", id: genuine.object.id },
    to: PUBLIC,
    published: new Date(Date.now() + 60_000).toISOString(),
  });

  it("HTTP signature: refused on first use and again once the key is cached", async () => {
    const before = held();
    for (const attempt of [1, 2, 3]) {
      const response = await hostile.post(
        `${receiver.url}/actors/gent/inbox`,
        {
          "@context": AS,
          id: victimId("activities"),
          type: "Delete",
          actor: victim.actorUrl,
          object: { type: "Tombstone", id: genuine.object.id },
          to: PUBLIC,
        },
        lookalikeRsa,
      );
      expect(response.status, `attempt ${attempt}: ${response.text}`).toBe(401);
    }
    expect(held()).toEqual(before);
  });

  it("integrity proof delivered directly: refused on first use and again from the cache", async () => {
    const before = held();
    for (const attempt of [1, 2, 3]) {
      const proven = await hostile.prove(forgedCreate(1990 + attempt), lookalikeEd);
      const response = await hostile.post(gentInbox, proven, null);
      expect(response.status, `attempt ${attempt}: ${response.text}`).toBe(401);
    }
    expect(held()).toEqual(before);
  });

  it("integrity proof relayed in an Announce: the inner Create is refused", async () => {
    const before = held();
    const inner = await hostile.prove(forgedCreate(1980), lookalikeEd);
    const response = await hostile.post(sharedInbox, hostile.announce(inner), hostile.ownRsa);
    expect(response.status, response.text).toBe(202);
    await waitFor(
      () => receiver.logs.some((l) => l.includes(`refused Create ${inner.id}`)),
      "gent to refuse the relayed forgery",
    );
    expect(held()).toEqual(before);
  });

  it("relayed: a Delete reusing the id of a genuine activity of the victim withdraws nothing", async () => {
    const before = held();
    const followId = await victimFollowOfHostile();
    // No valid proof: Fedify fetches the activity at its id from the victim's origin, finds the
    // genuine Follow there, and must not then route the relay's Delete under that id.
    const inner = deleteUnderGenuineId(followId);
    const response = await hostile.post(gentInbox, hostile.announce(inner), hostile.ownRsa);
    expect(response.status, response.text).toBe(202);
    await waitFor(
      () =>
        receiver.logs.some((l) => l.includes(`Delete ${followId}`)) ||
        receivedBy(receiver).some((r) => r.withdrawnAt !== null),
      "gent to handle the relayed Delete",
    );
    expect(held()).toEqual(before);
  });

  it("pulled: a malicious peer's collection serving a Delete under a genuine activity's id routes nothing", async () => {
    const before = held();
    await hostile.setKnownSyntheses([deleteUnderGenuineId(await victimFollowOfHostile())]);
    const pulled = await pullOnce(receiver, hostile.actorUrl);
    expect(pulled).toEqual({ routed: 0, skipped: 0 });
    expect(held()).toEqual(before);
  });

  it("what a receiver stores and serves verifies independently, even when the origin's proof covers Fedify's normalised form (attachment array)", async () => {
    // The hostile peer speaks for itself here: its own actor, keys and origin.
    const id = `${hostile.url}/activities/${randomUUID()}`;
    const article = `${hostile.url}/syntheses/${randomUUID()}`;
    const payload = makePayload({
      origin: hostile.actorUrl,
      name: "Evil",
      period: { start: "2001-01-01", end: "2001-12-31" },
    });
    const { proof: _p, signature: _s, ...template } = structuredClone(genuine);
    const activity = {
      ...template,
      id,
      actor: hostile.actorUrl,
      cc: [],
      object: {
        ...template.object,
        id: article,
        url: article,
        attributedTo: hostile.actorUrl,
        cc: [],
        source: { ...template.object.source, content: JSON.stringify(payload) },
        // One attachment: Fedify signs it as an array (its outgoing normalisation) but its
        // compact JSON-LD writes a single value as a scalar.
        attachment: [{ type: "Document", mediaType: "image/png", url: `${hostile.url}/a.png` }],
      },
    };
    const proven = await hostile.prove(activity, hostile.ownEd);
    const response = await hostile.post(gentInbox, proven, hostile.ownRsa);
    expect(response.status, response.text).toBe(202);
    const stored = await waitFor(
      () => receivedBy(receiver).find((r) => r.objectId === article),
      "gent to store the Create",
    );
    // Kept in the form its proof covers: anyone can check the copy gent serves.
    await expect(verifyIndependently(stored.activity as never)).resolves.toContain(
      hostile.actorUrl,
    );
    const served = await fetch(`${receiver.actorUrl}/known-syntheses?cursor=0`, {
      headers: { accept: "application/activity+json" },
    });
    const items = ((await served.json()).orderedItems ?? []) as Array<Record<string, any>>;
    const mine = items.filter((i) => i.id === id);
    expect(mine).toHaveLength(1);
    for (const item of mine) {
      await expect(verifyIndependently(item as never)).resolves.toContain(hostile.actorUrl);
    }
  });

  describe("an origin's own signature over a payload that reads two ways", () => {
    let victimRsa: KeyPairWithId;
    let victimEd: KeyPairWithId;
    beforeAll(async () => {
      ({ rsa: victimRsa, ed: victimEd } = await victimKeys(victim));
    });
    /** `source.content` with `"participants":3` first: JSON.parse keeps the later, real value. */
    async function twoReadings(year: number) {
      const activity = forgedCreate(year);
      const content: string = activity.object.source.content;
      activity.object.source.content = `{"participants":3,${content.slice(1)}`;
      return hostile.prove(activity, victimEd);
    }

    it("duplicate keys inside source.content, delivered directly: 400, nothing stored", async () => {
      const before = held();
      const response = await hostile.post(gentInbox, await twoReadings(1970), victimRsa);
      expect(response.status, response.text).toBe(400);
      expect(JSON.parse(response.text).message).toMatch(/duplicate key "participants"/);
      expect(held()).toEqual(before);
    });

    it("other JSON-LD spellings of the same Create do not slip past the inbox guard: 400", async () => {
      const before = held();
      const proven = await twoReadings(1973);
      const { type: _type, ...untyped } = proven;
      const object = proven.object as Record<string, any>;
      const variants: Array<[string, Record<string, unknown>]> = [
        ["type as an array", { ...proven, type: ["Create"] }],
        ["@type", { ...untyped, "@type": "Create" }],
        ["object as an array", { ...proven, object: [object] }],
        [
          "source as an array, content as a value object",
          {
            ...proven,
            object: {
              ...object,
              source: [{ ...object.source, content: { "@value": object.source.content } }],
            },
          },
        ],
      ];
      for (const [name, body] of variants) {
        const response = await hostile.post(gentInbox, body, victimRsa);
        expect(response.status, `${name}: ${response.text}`).toBe(400);
        expect(JSON.parse(response.text).message).toMatch(/duplicate key "participants"/);
      }
      expect(held()).toEqual(before);
    });

    it("a category breakdown whose counts do not add up to the totals: 400, nothing stored", async () => {
      const before = held();
      const activity = forgedCreate(1972);
      const payload: SynthesisPayload = JSON.parse(activity.object.source.content);
      // The totals stay plausible; the one category claims ten times each count (what a
      // network figure filtered by category adds up).
      const inflated = Object.fromEntries(
        Object.entries(payload.counts).map(([q, cells]) => [
          q,
          Object.fromEntries(Object.entries(cells ?? {}).map(([c, n]) => [c, n * 10])),
        ]),
      );
      const edited = rehash({
        ...payload,
        categories: [
          {
            category: "young-people",
            groups: payload.groups,
            participants: payload.participants,
            counts: inflated,
          },
        ],
      } as SynthesisPayload);
      activity.object.source.content = JSON.stringify(edited);
      const response = await hostile.post(
        gentInbox,
        await hostile.prove(activity, victimEd),
        victimRsa,
      );
      expect(response.status, response.text).toBe(400);
      expect(JSON.parse(response.text).message).toMatch(/categories/);
      expect(held()).toEqual(before);
    });

    it("duplicate keys inside source.content, relayed: refused by the handler", async () => {
      const before = held();
      const inner = await twoReadings(1971);
      const response = await hostile.post(sharedInbox, hostile.announce(inner), hostile.ownRsa);
      expect(response.status, response.text).toBe(202);
      await waitFor(
        () =>
          receiver.logs.some(
            (l) => l.includes(`refused Create ${inner.id}`) && l.includes("duplicate key"),
          ),
        "gent to refuse the ambiguous relayed payload",
      );
      expect(held()).toEqual(before);
    });
  });
});

describe("an origin that answers 'too many requests' keeps its key list", () => {
  let receiver: Peer;
  let server: HostilePeer;
  let clock = Date.parse("2026-06-01T10:00:00Z");
  let busyUrl: string;
  let key: KeyPairWithId;

  beforeAll(async () => {
    ({ receiver, server } = await startClockedReceiver(() => new Date(clock)));
    busyUrl = `${server.url}/actors/busy`;
    key = {
      keyId: new URL(`${busyUrl}#key`),
      pair: await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"),
    };
    server.serve(
      "/actors/busy",
      await new Organization({
        id: new URL(busyUrl),
        inbox: new URL(`${busyUrl}/inbox`),
        publicKey: new CryptographicKey({
          id: key.keyId,
          owner: new URL(busyUrl),
          publicKey: key.pair.publicKey,
        }),
      }).toJsonLd(),
    );
  }, 60_000);
  afterAll(() => closePeers(receiver, server));

  const isFollower = () =>
    receiver.node.services.follows.acceptedFollowers("tartu").some((f) => f.follower === busyUrl);

  it("a 429 or 408 when the list is read again is silence, not 'no such actor'", async () => {
    const inbox = `${receiver.actorUrl}/inbox`;
    const followId = `${server.url}/activities/${randomUUID()}`;
    const follow = { "@context": AS, id: followId, type: "Follow", actor: busyUrl };
    const body = { ...follow, object: receiver.actorUrl };
    expect((await server.post(inbox, body, key)).status).toBe(202);
    await waitFor(isFollower, "the follow");
    for (const status of [429, 408]) {
      server.answer("/actors/busy", status);
      clock += 2 * 3_600_000; // the list is stale: it is read again, and the origin is busy
      const undo = {
        "@context": AS,
        id: `${server.url}/activities/${randomUUID()}`,
        type: "Undo",
        actor: busyUrl,
        object: body,
      };
      const response = await server.post(inbox, undo, key);
      expect(response.status, `${status}: ${response.text}`).toBe(202);
      await waitFor(() => !isFollower(), "the Undo");
      server.answer("/actors/busy", null);
      expect((await server.post(inbox, { ...body, id: `${followId}-${status}` }, key)).status).toBe(
        202,
      );
      await waitFor(isFollower, "the follow again");
    }
  });
});
