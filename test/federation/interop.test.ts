import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inDays, meetingInput } from "../support/meeting";
import { waitFor } from "../support/wait";
import { follow, type Peer, publishTo, startPeer } from "./harness";
import { verifyIndependently } from "./independent-verifier";

// What servers that are not Fedify (Mastodon, Mobilizon, Lemmy, NodeInfo crawlers) and verifiers
// that are not Fedify need: answers addressed and delivered where they are read, Events with a
// status, links that lead somewhere, a NodeInfo document its schema accepts, and integrity proofs
// that verify over the very JSON that is served and delivered.

const AS = { accept: "application/activity+json" };
const PUBLIC = "https://www.w3.org/ns/activitystreams#Public";
const FIRST_HALF = { start: "2026-01-01", end: "2026-06-30" };

interface Delivery {
  path: string;
  body: any;
  /** Whether the POST carried an HTTP signature (draft-cavage or RFC 9421). */
  signed: boolean;
}

/** A server that is not a SPIRAL node: records every activity POSTed to any of its inboxes. */
async function startRecordingInbox() {
  const deliveries: Delivery[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      if (req.method === "POST") {
        const signed = Boolean(req.headers.signature ?? req.headers["signature-input"]);
        deliveries.push({ path: req.url ?? "", body: JSON.parse(body), signed });
      }
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    deliveries,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const getJson = async (url: string) => {
  const response = await fetch(url, { headers: AS });
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status}`);
  return response.json();
};

const ids = (value: unknown): string[] =>
  ([] as unknown[])
    .concat(value ?? [])
    .map((v) => (typeof v === "string" ? v : ((v as { id?: string }).id ?? "")));

/** Items of the first page of a collection. */
const firstPage = async (url: string) =>
  ((await getJson(`${url}?cursor=0`)).orderedItems ?? []) as any[];

describe("interoperability with servers and verifiers that are not Fedify", () => {
  let mulhouse: Peer;
  let porto: Peer;
  let hub: Peer;
  let remote: Awaited<ReturnType<typeof startRecordingInbox>>;
  let youth: string;

  beforeAll(async () => {
    [mulhouse, porto, hub] = await Promise.all([
      startPeer({ slug: "mulhouse", name: "Mulhouse", country: "FR" }),
      startPeer({ slug: "porto", name: "Porto", country: "PT" }),
      startPeer({ slug: "hub", name: "Hub", country: "BE" }),
    ]);
    remote = await startRecordingInbox();
    const created = await hub.api("POST", "/subnetworks", {
      slug: "youth",
      name: "Youth",
      theme: { categories: ["young-people"] },
      admission: "open",
    });
    youth = created.body.actorId;
    await follow(porto, mulhouse);
    for (const peer of [mulhouse, porto]) {
      await peer.api("POST", `/territories/${peer.slug}/subnetworks`, { target: youth });
      await waitFor(
        () =>
          peer.node.services.follows.following(peer.slug).find((f) => f.target === youth)?.state ===
          "accepted",
        `${peer.slug} to join the sub-network`,
      );
    }
    // The recording server follows Mulhouse (a Mastodon-like account with a shared inbox) and
    // is a member of the group that receives activities inside Announces.
    mulhouse.node.services.follows.addFollower({
      actor: "mulhouse",
      follower: `${remote.url}/users/alice`,
      inbox: `${remote.url}/users/alice/inbox`,
      sharedInbox: `${remote.url}/inbox`,
      followActivityId: `${remote.url}/follows/alice`,
      state: "accepted",
      spiral: false,
    });
    hub.node.services.follows.addFollower({
      actor: "youth",
      follower: `${remote.url}/users/carol`,
      inbox: `${remote.url}/users/carol/inbox`,
      sharedInbox: null,
      followActivityId: `${remote.url}/follows/carol`,
      state: "accepted",
      spiral: true,
    });
  }, 30_000);
  afterAll(async () => {
    await Promise.all([mulhouse, porto, hub].map((p) => p?.close()));
    await remote?.close();
  });

  it("an Accept or a Reject names the follower and goes to the follower's own inbox, not the shared one", async () => {
    const bob = `${remote.url}/users/bob`;
    const followId = `${remote.url}/follows/bob`;
    const row = mulhouse.node.services.follows.addFollower({
      actor: "mulhouse",
      follower: bob,
      inbox: `${bob}/inbox`,
      sharedInbox: `${remote.url}/inbox`,
      followActivityId: followId,
      state: "pending",
      spiral: false,
    });
    const approved = await mulhouse.api(
      "POST",
      `/territories/mulhouse/followers/${row.id}/approval`,
    );
    expect(approved.status).toBeLessThan(300);
    const accept = await waitFor(
      () =>
        remote.deliveries.find((d) => d.body.type === "Accept" && d.body.object?.id === followId),
      "the Accept",
    );
    expect(accept.path).toBe("/users/bob/inbox");
    expect(ids(accept.body.to)).toEqual([bob]);
    expect(accept.body.actor).toBe(mulhouse.actorUrl);
    await verifyIndependently(accept.body);

    const removed = await mulhouse.api("DELETE", `/territories/mulhouse/followers/${row.id}`);
    expect(removed.status).toBeLessThan(300);
    const reject = await waitFor(
      () =>
        remote.deliveries.find((d) => d.body.type === "Reject" && d.body.object?.id === followId),
      "the Reject",
    );
    expect(reject.path).toBe("/users/bob/inbox");
    expect(ids(reject.body.to)).toEqual([bob]);

    // An Accept sent at once on a Follow (the sub-network's, when the territories joined) names
    // its member too: it is stored as delivered.
    const accepts = hub.node.storage.sqlite
      .prepare("SELECT json FROM outbox_activities WHERE type = 'Accept'")
      .all() as Array<{ json: string }>;
    expect(accepts.map((a) => ids(JSON.parse(a.json).to)).sort()).toEqual(
      [[mulhouse.actorUrl], [porto.actorUrl]].sort(),
    );
  });

  it("every proof the node makes verifies, independently of Fedify, over the JSON served and delivered", async () => {
    const published = await publishTo(mulhouse, [youth], FIRST_HALF);
    expect(published.status).toBe(201);
    const meeting = await mulhouse.api(
      "POST",
      "/territories/mulhouse/meetings",
      meetingInput(inDays(10), { title: "Rencontre jeunesse", subnetworks: [youth] }),
    );
    expect(meeting.status).toBe(201);
    // Delivered: to the Mastodon-like follower (Create) and, through the group, to its member
    // (Announce with the original activity inside).
    const creates = await waitFor(() => {
      const found = remote.deliveries.filter(
        (d) => d.path === "/inbox" && d.body.type === "Create",
      );
      return found.length === 2 ? found : null;
    }, "both Creates at the follower");
    const announces = await waitFor(() => {
      const found = remote.deliveries.filter(
        (d) => d.path === "/users/carol/inbox" && d.body.type === "Announce",
      );
      return found.length >= 2 ? found : null;
    }, "the group's Announces at its member");
    await waitFor(
      () => porto.node.services.received.list().some((r) => r.origin === mulhouse.actorUrl),
      "Porto to hold Mulhouse's synthesis",
    );

    const checked: Array<[string, any]> = [];
    for (const d of [...creates, ...announces]) checked.push([`delivered ${d.body.type}`, d.body]);
    for (const a of announces) checked.push(["delivered Announce's inner activity", a.body.object]);
    for (const item of await firstPage(`${mulhouse.actorUrl}/outbox`)) {
      checked.push(["outbox item", item]);
    }
    // Every activity the two nodes sent, as served at its id: publications, Follow, Accept,
    // Reject, Announce — each with a proof.
    const types = new Set<string>();
    for (const peer of [mulhouse, hub]) {
      const rows = peer.node.storage.sqlite
        .prepare("SELECT uuid, type FROM outbox_activities WHERE json IS NOT NULL")
        .all() as Array<{ uuid: string; type: string }>;
      for (const row of rows) {
        types.add(row.type);
        const activity = await fetch(`${peer.url}/activities/${row.uuid}`).then((r) => r.json());
        checked.push([`/activities/ (${row.type})`, activity]);
      }
    }
    expect([...types].sort()).toEqual(["Accept", "Announce", "Create", "Follow", "Reject"]);
    for (const url of [
      `${mulhouse.actorUrl}/known-syntheses`,
      `${porto.actorUrl}/known-syntheses`,
    ]) {
      for (const item of await firstPage(url)) checked.push([`${url} item`, item]);
    }
    for (const item of await firstPage(`${youth}/known-syntheses`)) {
      checked.push(["the group's known-syntheses item", item]);
    }
    for (const item of await firstPage(`${youth}/outbox`)) {
      checked.push(["the group's outbox item", item]);
      if (typeof item.object === "object")
        checked.push(["the group's relayed inner activity", item.object]);
    }
    const kinds = new Set(
      checked.map(([kind]) => kind.replace(/\/activities\/.*/, "/activities/")),
    );
    expect(kinds.size).toBeGreaterThanOrEqual(9);
    for (const [kind, json] of checked) {
      await expect(verifyIndependently(json), kind).resolves.toBeTruthy();
    }
    // The relayed inner activity is verifiable on its own: it carries its own @context.
    for (const a of announces) expect(a.body.object["@context"]).toBeDefined();
    // Every delivery is HTTP-signed. The follower that is not a SPIRAL node (Mastodon) still
    // gets a Linked Data signature; a SPIRAL member (carol) gets none: the HTTP signature and
    // the integrity proof authenticate it, and no JSON-LD canonicalisation is needed.
    for (const d of [...creates, ...announces]) expect(d.signed, d.body.id).toBe(true);
    for (const c of creates) expect(c.body.signature?.type).toBe("RsaSignature2017");
    for (const a of announces) expect(a.body).not.toHaveProperty("signature");

    // The verifier is not a rubber stamp: one changed character and it refuses.
    const [, sample] = checked[0] as [string, any];
    const tampered = structuredClone(sample);
    tampered.published = "2020-01-01T00:00:00Z";
    await expect(verifyIndependently(tampered)).rejects.toThrow(/does not verify/);
  });

  it("Events carry when they were published and a status Mobilizon reads; objects addressed to a group name it as audience", async () => {
    const creates = remote.deliveries.filter((d) => d.body.type === "Create").map((d) => d.body);
    const event = creates.find((c) => c.object.type === "Event")?.object;
    const article = creates.find((c) => c.object.type === "Article")?.object;
    expect(event.published).toMatch(/^\d{4}-\d\d-\d\dT/);
    // FEP-1b12: Lemmy-style readers look for the group on the object, not only the activity.
    expect(ids(event.audience)).toEqual([youth]);
    expect(ids(article.audience)).toEqual([youth]);

    // Public addressing written in full, served as delivered (Lemmy compares plain strings).
    const servedArticle = await getJson(article.id);
    for (const object of [event, article, servedArticle]) expect(ids(object.to)).toEqual([PUBLIC]);
    expect(ids(servedArticle.audience)).toEqual([youth]);

    const served = await getJson(event.id);
    expect(ids(served.to)).toEqual([PUBLIC]);
    expect(served["ical:status"]).toBe("CONFIRMED");
    expect(served["@context"]).toContainEqual({ ical: "http://www.w3.org/2002/12/cal/ical#" });
    expect(served.published).toBe(event.published);
    expect(ids(served.audience)).toEqual([youth]);
    // A browser still gets the HTML page.
    const page = await fetch(event.id, { headers: { accept: "text/html" } });
    expect(page.headers.get("content-type")).toMatch(/text\/html/);

    const meetingId = event.id.split("/").pop();
    const cancelled = await mulhouse.api("PATCH", `/territories/mulhouse/meetings/${meetingId}`, {
      status: "cancelled",
    });
    expect(cancelled.status).toBe(200);
    expect((await getJson(event.id))["ical:status"]).toBe("CANCELLED");
    // The Update goes out like the Create: signed over what is delivered, relayed by the group.
    const update = await waitFor(
      () => remote.deliveries.find((d) => d.path === "/inbox" && d.body.type === "Update"),
      "the Update at the follower",
    );
    await verifyIndependently(update.body);
    const relayed = await waitFor(
      () =>
        remote.deliveries.find(
          (d) => d.path === "/users/carol/inbox" && d.body.object?.type === "Update",
        ),
      "the group to relay the Update",
    );
    await verifyIndependently(relayed.body.object);
    await waitFor(async () => {
      const meetings = (await porto.api("GET", "/meetings")).body as Array<{ status: string }>;
      return meetings.some((m) => m.status === "cancelled");
    }, "Porto to see the meeting cancelled");
  });

  it("every hashtag link of an Article leads to a page that exists", async () => {
    const article = remote.deliveries.find(
      (d) => d.body.type === "Create" && d.body.object.type === "Article",
    )?.body.object;
    const served = await getJson(article.id);
    const hrefs = [...article.tag, ...served.tag].map((t: { href: string }) => t.href);
    expect(hrefs.length).toBeGreaterThanOrEqual(4);
    for (const href of hrefs) {
      const response = await fetch(href, { headers: { accept: "text/html" } });
      expect(response.status, href).toBe(200);
      expect(response.headers.get("content-type"), href).toMatch(/text\/html/);
    }
  });

  it("NodeInfo validates against the NodeInfo 2.1 JSON schema", async () => {
    const schema = JSON.parse(
      readFileSync(path.join(import.meta.dirname, "../fixtures/nodeinfo-2.1.schema.json"), "utf8"),
    );
    for (const peer of [mulhouse, hub]) {
      const wellKnown = await fetch(`${peer.url}/.well-known/nodeinfo`).then((r) => r.json());
      const link = wellKnown.links.find((l: { rel: string }) =>
        l.rel.endsWith("/ns/schema/2.1"),
      )?.href;
      expect(link).toBe(`${peer.url}/nodeinfo/2.1`);
      const response = await fetch(link);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      const document = await response.json();
      expect(schemaViolations(schema, document)).toEqual([]);
      expect(document.software.name).toBe("spiral-network");
    }
    // The validator does catch what the schema forbids.
    expect(schemaViolations(schema, { $schema: "x" })).toContain("$: $schema is not allowed");
  });
});

/**
 * The JSON Schema draft-04 keywords the NodeInfo 2.1 schema uses, checked as that draft defines
 * them; any other keyword in the schema fails the test rather than being ignored.
 */
function schemaViolations(schema: any, value: any, at = "$"): string[] {
  const known = new Set([
    "$schema",
    "id",
    "description",
    "type",
    "enum",
    "required",
    "properties",
    "additionalProperties",
    "minItems",
    "items",
    "pattern",
    "minimum",
    "minProperties",
  ]);
  const unknown = Object.keys(schema).filter((k) => !known.has(k));
  if (unknown.length > 0) return [`${at}: unsupported keywords ${unknown.join(", ")}`];
  const errors: string[] = [];
  const typeOf = (v: unknown) =>
    Array.isArray(v) ? "array" : v === null ? "null" : Number.isInteger(v) ? "integer" : typeof v;
  if (schema.type) {
    const actual = typeOf(value);
    const ok = actual === schema.type || (schema.type === "number" && actual === "integer");
    if (!ok) return [`${at}: ${actual} is not ${schema.type}`];
  }
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${at}: ${value} not in enum`);
  if (schema.pattern && !new RegExp(schema.pattern).test(value)) {
    errors.push(`${at}: ${value} does not match ${schema.pattern}`);
  }
  if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: below minimum`);
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      errors.push(`${at}: fewer than ${schema.minItems} items`);
    }
    if (schema.items) {
      value.forEach((item, i) => {
        errors.push(...schemaViolations(schema.items, item, `${at}[${i}]`));
      });
    }
  } else if (value && typeof value === "object") {
    const keys = Object.keys(value);
    for (const key of schema.required ?? []) {
      if (!(key in value)) errors.push(`${at}: ${key} is required`);
    }
    if (schema.minProperties !== undefined && keys.length < schema.minProperties) {
      errors.push(`${at}: fewer than ${schema.minProperties} properties`);
    }
    for (const key of keys) {
      const sub = schema.properties?.[key];
      if (sub) errors.push(...schemaViolations(sub, value[key], `${at}.${key}`));
      else if (schema.additionalProperties === false) errors.push(`${at}: ${key} is not allowed`);
    }
  }
  return errors;
}
