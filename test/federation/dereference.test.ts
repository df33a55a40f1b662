import { verifyObject } from "@fedify/fedify";
import { Activity, Create } from "@fedify/vocab";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait";
import { follow, type Peer, publishSynthesis, receivedBy, startPeer } from "./harness";

// Every object and activity has a real URL that answers: ActivityStreams JSON to federation
// clients, HTML to browsers (same URL), and the discovery documents (WebFinger, NodeInfo).

const AS = { accept: "application/activity+json" };
const LD = { accept: 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"' };
const HTML = { accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8" };

const getJson = async (url: string, headers: Record<string, string> = AS) => {
  const response = await fetch(url, { headers });
  expect(response.status, url).toBe(200);
  return (await response.json()) as any;
};
const getHtml = async (url: string) => {
  const response = await fetch(url, { headers: HTML });
  expect(response.status, url).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/html/);
  return response.text();
};
const alternateLink = (href: string) =>
  `<link rel="alternate" type="application/activity+json" href="${href}"/>`;
const alternateHref = (html: string) =>
  html.match(/<link rel="alternate" type="application\/activity\+json" href="([^"]+)"\s*\/?>/)?.[1];

describe("dereferenceable objects and activities", () => {
  let origin: Peer;
  let follower: Peer;
  let published: any;
  let articleUrl: string;

  beforeAll(async () => {
    [origin, follower] = await Promise.all([
      startPeer({ slug: "mulhouse", name: "Mulhouse", country: "FR", region: "FR-GES" }),
      startPeer({ slug: "porto", name: "Porto", country: "PT" }),
    ]);
    await follow(follower, origin);
    published = await publishSynthesis(origin, 8);
    const stored = await waitFor(() => receivedBy(follower)[0], "the follower to receive it");
    articleUrl = stored.objectId;
  });
  afterAll(async () => {
    await Promise.all([origin, follower].map((p) => p?.close()));
  });

  /** A verifier that may fetch keys from loopback peers (the default loader refuses them). */
  const verify = async (json: unknown) => {
    const fed = await follower.node.federation.get();
    const ctx = fed.federation.createContext(new URL(follower.url), fed.deps);
    return verifyObject(Activity, json, {
      documentLoader: ctx.documentLoader,
      contextLoader: ctx.contextLoader,
    });
  };

  it("the Article URL answers ActivityStreams JSON with the payload in source", async () => {
    expect(articleUrl).toMatch(
      new RegExp(
        `^${origin.url}/syntheses/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`,
      ),
    );
    for (const headers of [AS, LD]) {
      const response = await fetch(articleUrl, { headers });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^application\/(activity|ld)\+json/);
      const article = (await response.json()) as any;
      expect(article).toMatchObject({
        id: articleUrl,
        type: "Article",
        attributedTo: origin.actorUrl,
        name: "Well-being synthesis — Mulhouse — 2026",
        url: articleUrl,
        source: { mediaType: "application/vnd.spiral.synthesis+json" },
      });
      expect(JSON.parse(article.source.content)).toEqual(published.payload);
    }
  });

  it("the same URL answers a browser with the HTML page, which points back at the Article", async () => {
    const html = await getHtml(articleUrl);
    expect(html).toContain("Well-being synthesis — Mulhouse — 2026");
    expect(html).toContain(alternateLink(articleUrl));
    // Dimensions as bars; components as tables, each in its own scroll region (phones, print).
    expect(html).toContain('class="figure-list"');
    const tables = html.match(/<table/g)?.length ?? 0;
    expect(tables).toBeGreaterThan(0);
    expect(html.match(/class="table-wrap"/g)?.length).toBe(tables);
  });

  it("the outbox lists the Create, and its id answers the signed activity with its proof", async () => {
    const outbox = await getJson(`${origin.actorUrl}/outbox`);
    expect(outbox).toMatchObject({ type: "OrderedCollection", totalItems: 1 });
    const page = await getJson(outbox.first);
    expect(page.type).toBe("OrderedCollectionPage");
    expect(page.orderedItems).toHaveLength(1);
    const [item] = page.orderedItems;
    expect(item).toMatchObject({ type: "Create", actor: origin.actorUrl });
    expect(item.id).toMatch(new RegExp(`^${origin.url}/activities/[0-9a-f-]{36}$`));
    expect(item.object.id ?? item.object).toBe(articleUrl);

    const response = await fetch(item.id, { headers: AS });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/(ld|activity)\+json/);
    const activity = (await response.json()) as any;
    expect(activity).toMatchObject({
      id: item.id,
      type: "Create",
      actor: origin.actorUrl,
      object: { id: articleUrl, type: "Article" },
      proof: {
        type: "DataIntegrityProof",
        cryptosuite: "eddsa-jcs-2022",
        verificationMethod: `${origin.actorUrl}#multikey-2`,
        proofValue: expect.any(String),
      },
    });
    expect(activity).not.toHaveProperty("signature");
    // What it serves is exactly what the follower received and stored, and its proof verifies.
    expect(activity).toEqual(receivedBy(follower)[0]?.activity);
    expect(await verify(activity)).toBeInstanceOf(Create);
    // A browser gets the same JSON (there is no HTML face for activities).
    expect((await fetch(item.id, { headers: HTML })).status).toBe(200);
  });

  it("follow activities are dereferenceable too (Follow on one side, Accept on the other)", async () => {
    const [row] = follower.node.services.follows.following(follower.slug);
    const followActivity = await getJson(row?.followActivityId as string);
    expect(followActivity).toMatchObject({
      id: row?.followActivityId,
      type: "Follow",
      actor: follower.actorUrl,
      object: origin.actorUrl,
    });
    const accept = origin.node.storage.sqlite
      .prepare("select uuid from outbox_activities where type = 'Accept'")
      .get() as { uuid: string };
    const acceptActivity = await getJson(`${origin.url}/activities/${accept.uuid}`);
    expect(acceptActivity).toMatchObject({ type: "Accept", actor: origin.actorUrl });
    expect(JSON.stringify(acceptActivity.object)).toContain(row?.followActivityId);
    expect(
      (await fetch(`${origin.url}/activities/00000000-0000-4000-8000-000000000000`)).status,
    ).toBe(404);
  });

  it("the actor URL: an Organization to federation clients, the territory page to browsers", async () => {
    const actor = await getJson(origin.actorUrl);
    expect(actor).toMatchObject({
      id: origin.actorUrl,
      type: "Organization",
      preferredUsername: "mulhouse",
      name: "Mulhouse",
      inbox: `${origin.actorUrl}/inbox`,
      outbox: `${origin.actorUrl}/outbox`,
      followers: `${origin.actorUrl}/followers`,
      following: `${origin.actorUrl}/following`,
      endpoints: { sharedInbox: `${origin.url}/inbox` },
      url: origin.actorUrl,
      publicKey: { id: `${origin.actorUrl}#main-key`, owner: origin.actorUrl },
    });
    // Both keys as Multikeys; the Ed25519 one (z6Mk…) is what integrity proofs name.
    expect(actor.assertionMethod).toEqual([
      expect.objectContaining({ id: `${origin.actorUrl}#multikey-1`, type: "Multikey" }),
      expect.objectContaining({
        id: `${origin.actorUrl}#multikey-2`,
        type: "Multikey",
        controller: origin.actorUrl,
        publicKeyMultibase: expect.stringMatching(/^z6Mk/),
      }),
    ]);
    const fields = Object.fromEntries(
      actor.attachment.map((f: { name: string; value: string }) => [f.name, f.value]),
    );
    expect(fields).toMatchObject({ Country: "France", Region: "FR-GES", Languages: "English" });

    const html = await getHtml(origin.actorUrl);
    expect(html).toContain("<h1>Mulhouse</h1>");
    expect(alternateHref(html)).toBe(origin.actorUrl);
    // The territory page links its syntheses' pages.
    expect(html).toContain(`href="${articleUrl}"`);
  });

  it("the home page of a single-territory node carries the same alternate link", async () => {
    const html = await getHtml(`${origin.url}/`);
    expect(html).toContain(alternateLink(origin.actorUrl));
    expect(alternateHref(html)).toBe(origin.actorUrl);
  });

  it("WebFinger resolves the handle to the actor", async () => {
    const host = new URL(origin.url).host;
    const response = await fetch(
      `${origin.url}/.well-known/webfinger?resource=${encodeURIComponent(`acct:mulhouse@${host}`)}`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/jrd\+json/);
    const jrd = (await response.json()) as any;
    expect(jrd.subject).toBe(`acct:mulhouse@${host}`);
    expect(jrd.links).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          rel: "self",
          type: "application/activity+json",
          href: origin.actorUrl,
        }),
      ]),
    );
    // By actor URL too, and unknown accounts are 404.
    const byUrl = await fetch(
      `${origin.url}/.well-known/webfinger?resource=${encodeURIComponent(origin.actorUrl)}`,
    );
    expect(byUrl.status).toBe(200);
    const unknown = await fetch(
      `${origin.url}/.well-known/webfinger?resource=${encodeURIComponent(`acct:nobody@${host}`)}`,
    );
    expect(unknown.status).toBe(404);
  });

  it("NodeInfo 2.1 names the software, the protocol version and the grid", async () => {
    const links = await getJson(`${origin.url}/.well-known/nodeinfo`, {});
    const href = links.links.find((l: { rel: string }) => l.rel.endsWith("/ns/schema/2.1"))?.href;
    expect(href).toBe(`${origin.url}/nodeinfo/2.1`);
    const info = await getJson(href, {});
    expect(info).toMatchObject({
      version: "2.1",
      software: { name: "spiral-network", version: expect.stringMatching(/^\d+\.\d+\.\d+/) },
      protocols: ["activitypub"],
      openRegistrations: false,
      usage: { users: { total: 1 }, localPosts: 1 },
      metadata: {
        protocolVersion: "spiral/1",
        grid: { id: "spiral-9d", version: published.payload.grid.version },
        territories: 1,
      },
    });
  });

  it("followers, following and outbox collections count what they hold", async () => {
    const followers = await getJson(`${origin.actorUrl}/followers`);
    expect(followers).toMatchObject({ totalItems: 1 });
    expect(JSON.stringify(followers)).toContain(follower.actorUrl);
    expect(await getJson(`${origin.actorUrl}/following`)).toMatchObject({ totalItems: 0 });
    const following = await getJson(`${follower.actorUrl}/following`);
    expect(following).toMatchObject({ totalItems: 1 });
    expect(JSON.stringify(following)).toContain(origin.actorUrl);
    expect(await getJson(`${follower.actorUrl}/followers`)).toMatchObject({ totalItems: 0 });
    // Follow/Accept are not publications: the follower's outbox is empty.
    expect(await getJson(`${follower.actorUrl}/outbox`)).toMatchObject({ totalItems: 0 });
    const known = await getJson(`${origin.actorUrl}/known-syntheses`);
    expect(known).toMatchObject({ type: "OrderedCollection", totalItems: 1 });
  });

  it("a new version: Update in the outbox, same Article URL, updated content", async () => {
    const v2 = await publishSynthesis(origin, 6);
    expect(v2.payload.version).toBe(2);
    await waitFor(() => receivedBy(follower)[0]?.version === 2, "version 2 to arrive");
    const outbox = await getJson(`${origin.actorUrl}/outbox`);
    expect(outbox.totalItems).toBe(2);
    const page = await getJson(outbox.first);
    expect(page.orderedItems.map((a: { type: string }) => a.type)).toEqual(["Update", "Create"]);
    const update = await getJson(page.orderedItems[0].id);
    expect(update.object.id).toBe(articleUrl);
    expect(await verify(update)).not.toBeNull();
    const article = await getJson(articleUrl);
    expect(JSON.parse(article.source.content)).toEqual(v2.payload);
    expect(article.updated).toEqual(expect.any(String));
    // The anti-entropy collection holds the latest activity only.
    expect(await getJson(`${origin.actorUrl}/known-syntheses`)).toMatchObject({ totalItems: 1 });
  });

  it("once withdrawn: the Article URL answers 410 to both, the Delete stays dereferenceable", async () => {
    const versions = await origin.api("GET", "/territories/mulhouse/syntheses");
    const withdrawal = await origin.api(
      "POST",
      `/territories/mulhouse/syntheses/${versions.body[0].id}/withdrawal`,
    );
    expect(withdrawal.status).toBe(204);
    await waitFor(() => receivedBy(follower)[0]?.withdrawnAt, "the follower to withdraw it");
    expect((await fetch(articleUrl, { headers: AS })).status).toBe(410);
    expect((await fetch(articleUrl, { headers: HTML })).status).toBe(410);
    const page = await getJson((await getJson(`${origin.actorUrl}/outbox`)).first);
    const del = await getJson(page.orderedItems[0].id);
    expect(del).toMatchObject({ type: "Delete", actor: origin.actorUrl });
    expect(del.object.id ?? del.object).toBe(articleUrl);
    expect(await verify(del)).not.toBeNull();
    // Anti-entropy passes the withdrawal on: the origin offers its Delete, and the follower no
    // longer offers the withdrawn synthesis (which would bring it back wherever it is pulled)
    // but the origin's Delete as received, proof intact (a tombstone others can verify).
    const known = await getJson(`${origin.actorUrl}/known-syntheses?cursor=0`);
    expect(known.orderedItems.map((a: { type: string }) => a.type)).toEqual(["Delete"]);
    expect(await getJson(`${follower.actorUrl}/known-syntheses`)).toMatchObject({ totalItems: 1 });
    const relayed = await getJson(`${follower.actorUrl}/known-syntheses?cursor=0`);
    const tombstone = relayed.orderedItems[0];
    expect(tombstone).toMatchObject({ type: "Delete", id: del.id, actor: origin.actorUrl });
    expect(tombstone.signature).toBeUndefined();
    expect(await verify(tombstone)).not.toBeNull();
  });
});
