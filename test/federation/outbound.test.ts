import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startSignedIn } from "../admin/browser";
import { waitFor } from "../support/wait";
import { follow, type Peer, publishSynthesis, startPeer } from "./harness";

// Hostile peers: every outbound fetch has a timeout and a size limit, pulls of one peer never
// wait for another, nothing is sent to a private address unless allowed, and no remote JSON-LD
// context is fetched for an activity nobody has verified.

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((close) => close()));
});

/** A TCP server that accepts connections and never answers (a stalled peer). */
async function stalledServer(): Promise<{ url: string; open: () => number }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanup.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, open: () => sockets.size };
}

/** An HTTP server that counts the requests it gets and answers with `answer`. */
async function countingServer(
  answer: (req: http.IncomingMessage, res: http.ServerResponse, url: string) => void = (_, res) =>
    res.writeHead(202).end(),
): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    answer(req, res, base);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  cleanup.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: base, requests };
}

async function peer(...args: Parameters<typeof startPeer>): Promise<Peer> {
  const started = await startPeer(...args);
  cleanup.push(() => started.close());
  return started;
}

const actorJson = (base: string, slug: string, summary = "") => ({
  "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
  id: `${base}/actors/${slug}`,
  type: "Organization",
  preferredUsername: slug,
  name: slug,
  summary,
  inbox: `${base}/actors/${slug}/inbox`,
  outbox: `${base}/actors/${slug}/outbox`,
});

describe("a look-up of an actor that never answers", () => {
  it("API: 504 with a clear JSON problem, within the timeout", async () => {
    const stalled = await stalledServer();
    const node = await peer(
      { slug: "porto", name: "Porto", country: "PT" },
      { node: { outbound: { timeoutMs: 400 } } },
    );
    const started = Date.now();
    const response = await node.api("POST", "/territories/porto/following", {
      target: `${stalled.url}/actors/silent`,
    });
    const elapsed = Date.now() - started;
    expect(response.status).toBe(504);
    expect(response.body).toMatchObject({ error: "upstream_timeout" });
    expect(response.body.message).toMatch(/did not answer within 0\.4 s/);
    expect(elapsed).toBeLessThan(4_000);
    expect(node.node.services.follows.following("porto")).toEqual([]);
  });

  it("the timeout bounds the whole look-up, not each of its requests", async () => {
    // A web page naming its actor as alternate: two requests of 250 ms each, 400 ms allowed.
    const slow = await countingServer((req, res, base) => {
      setTimeout(() => {
        if (req.url === "/page") {
          const link = `<link rel="alternate" type="application/activity+json" href="${base}/actors/slow">`;
          res
            .writeHead(200, { "content-type": "text/html" })
            .end(`<html><head>${link}</head></html>`);
        } else {
          res
            .writeHead(200, { "content-type": "application/activity+json" })
            .end(JSON.stringify(actorJson(base, "slow")));
        }
      }, 250);
    });
    const node = await peer(
      { slug: "porto", name: "Porto", country: "PT" },
      { node: { outbound: { timeoutMs: 400 } } },
    );
    const response = await node.api("POST", "/territories/porto/following", {
      target: `${slow.url}/page`,
    });
    expect(response.status).toBe(504);
    expect(slow.requests).toEqual(["GET /page", "GET /actors/slow"]);
  });

  it("workspace: the preview answers 504 with a message, not a 500 or a hang", async () => {
    const stalled = await stalledServer();
    const started = await startSignedIn({
      node: { allowPrivateAddress: true, outbound: { timeoutMs: 400 } },
    });
    cleanup.push(() => started.t.close());
    const target = `${stalled.url}/actors/silent`;
    // Straight to the app: the test browser treats any 5xx as a failure.
    const cookie = [...started.admin.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const page = await started.t.node.app.request(
      `/admin/network/preview?target=${encodeURIComponent(target)}`,
      { headers: { cookie } },
    );
    expect(page.status).toBe(504);
    expect(await page.text()).toContain("did not answer in time (0.4 s)");
  });
});

describe("a peer that answers too much", () => {
  it("an actor document over the size limit is refused (502), nothing is followed", async () => {
    const big = await countingServer((req, res, base) => {
      if (req.url === "/actors/big") {
        const body = JSON.stringify(actorJson(base, "big", "x".repeat(2 * 1024 * 1024)));
        res.writeHead(200, { "content-type": "application/activity+json" }).end(body);
      } else res.writeHead(202).end();
    });
    const node = await peer({ slug: "porto", name: "Porto", country: "PT" });
    const response = await node.api("POST", "/territories/porto/following", {
      target: `${big.url}/actors/big`,
    });
    expect(response.status).toBe(502);
    expect(response.body).toMatchObject({ error: "upstream_too_large" });
    expect(response.body.message).toMatch(/more than 1 MiB/);
    expect(big.requests.filter((r) => r.startsWith("POST"))).toEqual([]);
    expect(node.node.services.follows.following("porto")).toEqual([]);
  });
});

describe("anti-entropy with a stalled peer", () => {
  it("the other peers are pulled meanwhile; the stalled one times out on its own", async () => {
    const stalled = await stalledServer();
    const porto = await peer(
      { slug: "porto", name: "Porto", country: "PT" },
      // Fetches may take long; a pull as a whole does not.
      { node: { outbound: { timeoutMs: 60_000, pullTimeoutMs: 2_000 } } },
    );
    const namur = await peer({ slug: "namur", name: "Namur", country: "BE" });
    const follows = porto.node.services.follows;
    // The stalled peer is followed first, so a pull of everyone meets it first.
    const stuck = follows.requestFollow({
      actor: "porto",
      target: `${stalled.url}/actors/stuck`,
      targetInbox: `${stalled.url}/actors/stuck/inbox`,
      targetSharedInbox: null,
      targetHandle: null,
      targetName: "Stuck",
      targetType: "Organization",
      followActivityId: `${porto.actorUrl}#follow-stuck`,
    });
    follows.setFollowingState(stuck.id, "accepted");
    await follow(porto, namur);
    const namurRow = () => follows.following("porto").find((f) => f.target === namur.actorUrl);
    const firstPull = await waitFor(() => namurRow()?.lastPulledAt, "the pull after Accept");

    const all = (await porto.node.federation.get()).antiEntropy.pullAll();
    await waitFor(
      () => namurRow()?.lastPulledAt !== firstPull,
      "namur to be pulled while the stalled peer hangs",
      { timeout: 1_500 },
    );
    expect(stalled.open()).toBeGreaterThan(0);
    await all;
    const stuckRow = follows.following("porto").find((f) => f.id === stuck.id);
    expect(stuckRow?.lastError).toMatch(/pull: .*(timed out|did not answer)/);
  });
});

describe("deliveries to private addresses (ALLOW_PRIVATE_ADDRESSES=false)", () => {
  it("a follower recorded with a loopback inbox gets nothing; the refusal is recorded", async () => {
    const inbox = await countingServer();
    const porto = await peer(
      { slug: "porto", name: "Porto", country: "PT" },
      { node: { allowPrivateAddress: false } },
    );
    porto.node.services.follows.addFollower({
      actor: "porto",
      follower: `${inbox.url}/actors/f`,
      inbox: `${inbox.url}/actors/f/inbox`,
      sharedInbox: null,
      handle: null,
      name: null,
      followActivityId: `${inbox.url}/follows/1`,
      state: "accepted",
    });
    await publishSynthesis(porto);
    const row = await waitFor(
      () =>
        inbox.requests.length > 0 ||
        porto.node.services.follows.followers("porto").find((f) => f.lastError),
      "a delivery attempt",
    );
    expect(inbox.requests).toEqual([]);
    expect(row).toMatchObject({ lastError: expect.stringMatching(/private/) });
    expect(porto.logs.join("\n")).toMatch(/refused delivery .* private/);
  });
});

describe("a follower whose inbox never answers", () => {
  it("its delivery gives up in time (the queue slot is freed); the failure is recorded", async () => {
    const stalled = await stalledServer();
    const porto = await peer(
      { slug: "porto", name: "Porto", country: "PT" },
      { node: { outbound: { deliveryTimeoutMs: 500 } } },
    );
    porto.node.services.follows.addFollower({
      actor: "porto",
      follower: `${stalled.url}/actors/f`,
      inbox: `${stalled.url}/actors/f/inbox`,
      sharedInbox: null,
      handle: null,
      name: null,
      followActivityId: `${stalled.url}/follows/1`,
      state: "accepted",
    });
    await publishSynthesis(porto);
    const row = await waitFor(
      () => porto.node.services.follows.followers("porto").find((f) => f.lastError),
      "the delivery to give up",
      { timeout: 5_000 },
    );
    expect(row.lastError).toMatch(/no answer within 0\.5 s/);
    expect(porto.logs.join("\n")).toMatch(/gave up delivery .* no answer within 0\.5 s/);
    expect(stalled.open()).toBeGreaterThan(0);
  });
});

describe("remote JSON-LD contexts of unverified activities", () => {
  it("a hostile @context is never fetched, whatever signature the activity claims", async () => {
    const contexts = await countingServer((_, res) =>
      res.writeHead(200, { "content-type": "application/ld+json" }).end('{"@context":{}}'),
    );
    const porto = await peer({ slug: "porto", name: "Porto", country: "PT" });
    const evil = "http://127.0.0.1:1/actors/evil";
    const base = {
      "@context": ["https://www.w3.org/ns/activitystreams", `${contexts.url}/context.jsonld`],
      id: `${evil}#create-${Math.random()}`,
      type: "Create",
      actor: evil,
      object: { id: `${evil}#note`, type: "Note", content: "hi", attributedTo: evil },
    };
    const variants = [
      base,
      {
        ...base,
        id: `${evil}#ld`,
        signature: {
          type: "RsaSignature2017",
          creator: `${evil}#main-key`,
          created: "2026-01-01T00:00:00Z",
          signatureValue: "AAAA",
        },
      },
      {
        ...base,
        id: `${evil}#proof`,
        proof: {
          type: "DataIntegrityProof",
          cryptosuite: "eddsa-jcs-2022",
          verificationMethod: `${evil}#ed25519-key`,
          proofPurpose: "assertionMethod",
          proofValue: "z1111",
          created: "2026-01-01T00:00:00Z",
        },
      },
    ];
    for (const activity of variants) {
      for (const path of ["/inbox", "/actors/porto/inbox"]) {
        const response = await fetch(`${porto.url}${path}`, {
          method: "POST",
          headers: { "content-type": "application/activity+json" },
          body: JSON.stringify(activity),
        });
        expect(response.status, `${path} ${activity.id}`).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
      }
    }
    expect(contexts.requests).toEqual([]);
  });
});
