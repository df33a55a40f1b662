import { contentHash, synthesisPayloadSchema } from "@spiral-network/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait";
import { follow, type Peer, publishSynthesis, receivedBy, startPeer } from "./harness";

const SECOND_HALF = { start: "2026-07-01", end: "2026-12-31" };

describe("federation between real nodes", () => {
  let mulhouse: Peer;
  let porto: Peer;
  let relay: Peer;
  let latecomer: Peer;

  beforeAll(async () => {
    [mulhouse, porto, relay, latecomer] = await Promise.all([
      startPeer({ slug: "mulhouse", name: "Mulhouse", country: "FR", region: "FR-GES" }),
      startPeer({ slug: "porto", name: "Porto", country: "PT" }),
      startPeer({ slug: "namur", name: "Namur", country: "BE" }),
      startPeer({ slug: "cabo", name: "Praia", country: "CV" }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([mulhouse, porto, relay, latecomer].map((p) => p?.close()));
  });

  it("follow → Accept: both sides record it", async () => {
    await follow(porto, mulhouse);
    const followers = await mulhouse.api("GET", "/territories/mulhouse/followers");
    expect(followers.body).toEqual([
      expect.objectContaining({
        follower: porto.actorUrl,
        state: "accepted",
        handle: `@porto@${new URL(porto.url).host}`,
      }),
    ]);
    const following = await porto.api("GET", "/territories/porto/following");
    expect(following.body).toEqual([
      expect.objectContaining({
        target: mulhouse.actorUrl,
        state: "accepted",
        type: "Organization",
      }),
    ]);
  });

  it("publish → the follower receives, verifies and stores it verbatim", async () => {
    const published = await publishSynthesis(mulhouse, 8);
    const stored = await waitFor(() => receivedBy(porto)[0], "porto to receive the synthesis");
    expect(stored).toMatchObject({
      origin: mulhouse.actorUrl,
      version: 1,
      hash: published.hash,
      via: null,
    });
    expect(stored.payload).toEqual(published.payload);
    expect(synthesisPayloadSchema.safeParse(stored.payload).success).toBe(true);
    // The activity is kept with its integrity proof and without the LD signature.
    expect(stored.activity).toHaveProperty("proof");
    expect(stored.activity).not.toHaveProperty("signature");
    expect((stored.activity as { type: string }).type).toBe("Create");
  });

  it("the Article is what a Mastodon user would see: name, one-line summary, link, plain list", async () => {
    const [stored] = receivedBy(porto);
    if (!stored) throw new Error("porto holds the synthesis");
    // Mastodon dereferences the object id with an ActivityStreams Accept header.
    const article = await fetch(stored.objectId, {
      headers: { accept: 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"' },
    }).then((r) => r.json());
    expect(article.type).toBe("Article");
    expect(article.name).toBe("Well-being synthesis — Mulhouse — 2026");
    expect(article.summary).toMatch(/^3 criteria from 8 participants in 1 group \(FR, version 1\)/);
    expect(article.summary).not.toContain("\n");
    expect(article.url).toBe(stored.objectId);
    expect(article.attributedTo).toBe(mulhouse.actorUrl);
    expect(article.content).toContain("<ul>");
    expect(article.content).not.toMatch(/<table|<img/i);
    expect(article.tag).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: "Hashtag", name: "#SPIRAL" })]),
    );
    expect(article.source.mediaType).toBe("application/vnd.spiral.synthesis+json");
    // The link a Mastodon user clicks opens a readable page.
    const page = await fetch(article.url, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Well-being synthesis — Mulhouse — 2026");
  });

  it("update → the new version replaces the old one", async () => {
    const v2 = await publishSynthesis(mulhouse, 6);
    expect(v2.payload.version).toBe(2);
    const stored = await waitFor(
      () => receivedBy(porto).find((r) => r.version === 2),
      "porto to receive version 2",
    );
    expect(stored.hash).toBe(v2.hash);
    expect(stored.payload).toMatchObject({
      previous: expect.stringMatching(/^sha256:/),
      participants: 14,
    });
    expect(receivedBy(porto)).toHaveLength(1);
    expect((stored.activity as { type: string }).type).toBe("Update");
  });

  it("a node that follows only a relay gets the origin's synthesis from it, verified", async () => {
    await follow(relay, mulhouse);
    const atRelay = await waitFor(() => receivedBy(relay)[0], "the relay to pull the synthesis");
    await follow(latecomer, relay);
    // The latecomer pulled the relay's known syntheses on Accept: it already holds Mulhouse's.
    const pulled = await waitFor(() => receivedBy(latecomer)[0], "anti-entropy through the relay");
    expect(pulled).toMatchObject({ origin: mulhouse.actorUrl, version: 2, via: relay.actorUrl });
    expect(pulled.hash).toBe(atRelay.hash);
  });

  it("serves the known-syntheses collection that anti-entropy pulls", async () => {
    const following = latecomer.node.services.follows.following("cabo").map((f) => f.target);
    expect(following).toEqual([relay.actorUrl]);
    const collection = await fetch(`${relay.url}/actors/namur/known-syntheses?cursor=0`, {
      headers: { accept: "application/activity+json" },
    }).then((r) => r.json());
    expect(collection.orderedItems.length).toBeGreaterThanOrEqual(1);
    expect(receivedBy(latecomer).map((r) => r.origin)).toContain(mulhouse.actorUrl);
  });

  it("delete → the synthesis is marked withdrawn at the follower, and its page answers 410", async () => {
    const versions = await mulhouse.api("GET", "/territories/mulhouse/syntheses");
    const withdrawal = await mulhouse.api(
      "POST",
      `/territories/mulhouse/syntheses/${versions.body[0].id}/withdrawal`,
    );
    expect(withdrawal.status).toBe(204);
    await waitFor(() => receivedBy(porto)[0]?.withdrawnAt, "porto to mark it withdrawn");
    const page = await fetch(`${mulhouse.url}/syntheses/${versions.body[0].synthesisId}`);
    expect(page.status).toBe(410);
    // A withdrawn synthesis is not relayed any further.
    const [held] = receivedBy(porto);
    const relayed = await porto.api("POST", "/territories/porto/relays", { receivedId: held?.id });
    expect(relayed.status).toBe(409);
    expect(relayed.body.message).toMatch(/withdrew/);
  });
});

describe("relays cannot alter, and verification survives the origin going offline", () => {
  let origin: Peer;
  let relay: Peer;
  let reader: Peer;
  let genuine: Record<string, unknown>;
  let secondHalfId: number;

  beforeAll(async () => {
    [origin, relay, reader] = await Promise.all([
      startPeer({ slug: "lyon", name: "Lyon", country: "FR" }),
      startPeer({ slug: "liege", name: "Liège", country: "BE" }),
      startPeer({ slug: "braga", name: "Braga", country: "PT" }),
    ]);
    // The reader learns the origin's keys from a first synthesis, then stops following it.
    await follow(reader, origin);
    await publishSynthesis(origin, 9);
    await waitFor(() => receivedBy(reader)[0], "the reader to receive the first synthesis");
    const [row] = reader.node.services.follows.following("braga");
    expect((await reader.api("DELETE", `/territories/braga/following/${row?.id}`)).status).toBe(
      204,
    );
    await waitFor(
      async () => (await origin.api("GET", "/territories/lyon/followers")).body.length === 0,
      "the origin to drop the reader",
    );
    // A second synthesis reaches only the relay; then the origin goes offline for good.
    await follow(relay, origin);
    await publishSynthesis(origin, 7, SECOND_HALF);
    const held = await waitFor(
      () => receivedBy(relay).find((r) => r.periodKey.startsWith(SECOND_HALF.start)),
      "the relay to hold the second synthesis",
    );
    genuine = held.activity;
    secondHalfId = held.id;
    await origin.goOffline();
  });
  afterAll(async () => {
    await Promise.all([origin, relay, reader].map((p) => p?.close()));
  });

  const setRelayCopy = (activity: Record<string, unknown>) =>
    relay.node.storage.sqlite
      .prepare("update received_syntheses set activity = ? where id = ?")
      .run(JSON.stringify(activity), secondHalfId);

  it("a relay that alters the payload is refused and nothing is stored", async () => {
    // The relay doctors a count and recomputes the hash, so the payload alone looks valid.
    const activity = structuredClone(genuine) as any;
    const payload = JSON.parse(activity.object.source.content);
    payload.counts.Q1.A05 += 100;
    payload.dimensions.Q1.A += 100;
    payload.totals.byQuestion.Q1 += 100;
    payload.totals.criteria += 100;
    for (const category of payload.categories ?? []) {
      category.counts.Q1.A05 += 100;
    }
    const { hash: _previous, ...body } = payload;
    payload.hash = contentHash(body);
    expect(synthesisPayloadSchema.safeParse(payload).success).toBe(true);
    activity.object.source.content = JSON.stringify(payload);
    setRelayCopy(activity);

    // Following the relay pulls its known syntheses: the doctored one must not get in.
    await follow(reader, relay);
    await waitFor(
      () => reader.logs.some((l) => l.includes("did not verify")),
      "the reader to refuse the altered copy",
    );
    expect(receivedBy(reader).some((r) => r.periodKey.startsWith(SECOND_HALF.start))).toBe(false);
  });

  it("the origin offline, an unaltered relay (Announce) still verifies with the cached key", async () => {
    setRelayCopy(genuine);
    const relayed = await relay.api("POST", "/territories/liege/relays", {
      receivedId: secondHalfId,
    });
    expect(relayed.status).toBe(202);
    const stored = await waitFor(
      () => receivedBy(reader).find((r) => r.periodKey.startsWith(SECOND_HALF.start)),
      "the reader to accept the genuine relay",
    );
    expect(stored).toMatchObject({
      origin: origin.actorUrl,
      via: relay.actorUrl,
      conflictedAt: null,
    });
    expect(stored.activity).toEqual(genuine);
  });
});
