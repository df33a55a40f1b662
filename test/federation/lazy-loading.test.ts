import { createFederationRouting } from "@spiral-network/node/federation/routes";
import { SqliteKvStore } from "@spiral-network/node/federation/sqlite-kv-store";
import { federationWorkAtStart } from "@spiral-network/node/federation/work-waiting";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestvilleNode, TESTVILLE, type TestNode } from "../node/helpers";

// Fedify is loaded on first need (docs/architecture.md, "How federation is loaded"): what a node
// answers must not depend on whether it was loaded yet.

const SLUG = TESTVILLE.slug;
const UUID = "123e4567-e89b-12d3-a456-426614174000";
const PATHS = [
  "/",
  `/actors/${SLUG}`,
  `/actors/${SLUG}/`,
  "/actors/nobody",
  "/actors/a+b",
  "/actors/%40x",
  `/actors/${SLUG}/inbox`,
  `/actors/${SLUG}/followers`,
  `/actors/${SLUG}/following`,
  `/actors/${SLUG}/outbox`,
  `/actors/${SLUG}/known-syntheses`,
  `/actors/${SLUG}/meetings.ics`,
  `/actors/${SLUG}/syntheses.atom`,
  `/actors/${SLUG}/elsewhere`,
  "/inbox",
  "/inbox/",
  `/syntheses/${UUID}`,
  `/syntheses/${UUID}/x`,
  `/meetings/${UUID}`,
  `/meetings/${UUID}.ics`,
  "/meetings.ics",
  "/nodeinfo/2.1",
  "/.well-known/nodeinfo",
  "/.well-known/webfinger",
  "/.well-known/host-meta",
  "/activities/x",
  "/figures",
];
/** What browsers and plain clients send: none of them can get ActivityStreams. */
const BROWSER_ACCEPTS = [
  undefined,
  "text/html",
  "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
  "*/*",
];

/** Two Testville nodes for a describe: one that has not loaded Fedify, one that has. */
function lazyAndLoaded() {
  const t = {} as { lazy: TestNode; loaded: TestNode };
  beforeAll(async () => {
    t.lazy = createTestvilleNode();
    t.loaded = createTestvilleNode();
    await t.loaded.node.federation.get();
  });
  afterAll(async () => {
    await t.lazy.close();
    await t.loaded.close();
  });
  return t;
}

describe("federation loaded on first need", () => {
  const t = lazyAndLoaded();

  it("tells Fedify's routes apart as Fedify's own router does", async () => {
    const { federation } = await t.loaded.node.federation.get();
    const { router } = federation as unknown as {
      router: { route(path: string): { name: string } | null };
    };
    const routing = createFederationRouting();
    for (const path of PATHS) {
      const ours = routing(new Request(`http://node.test${path}`, { method: "POST" }));
      expect([path, ours !== "elsewhere"]).toEqual([path, router.route(path) !== null]);
    }
  });

  it("answers browsers and plain clients as a loaded node does, without loading Fedify", async () => {
    for (const path of PATHS.filter((p) => !/nodeinfo|webfinger/.test(p))) {
      for (const accept of BROWSER_ACCEPTS) {
        const headers: Record<string, string> = accept ? { accept } : {};
        const [a, b] = [
          await t.lazy.anonymous.get(path, { headers }),
          await t.loaded.anonymous.get(path, { headers }),
        ];
        const seen = (r: typeof a) => [path, accept, r.status, r.headers.get("content-type")];
        expect(seen(a)).toEqual(seen(b));
      }
    }
    expect(t.lazy.node.federation.loaded).toBe(false);
  });

  it("loads Fedify for a peer's request and answers it as a loaded node does", async () => {
    const headers = { accept: "application/activity+json" };
    const a = await t.lazy.anonymous.get(`/actors/${SLUG}`, { headers });
    expect(t.lazy.node.federation.loaded).toBe(true);
    const b = await t.loaded.anonymous.get(`/actors/${SLUG}`, { headers });
    expect(a.status).toBe(200);
    expect(a.body.type).toBe(b.body.type);
  });
});

describe("an inbox takes activities by POST only", () => {
  // Fedify's shared inbox handles any method as a delivery: a body sent otherwise than by POST
  // would reach it past the inbox guard (no size limit, no depth limit), loaded or not.
  const deep = `{"type":"Create","actor":"https://peer.example/actors/x","extra":${"[".repeat(5000)}${"]".repeat(5000)}}`;
  const nodes = lazyAndLoaded();

  it("answers another method with a body 405 before Fedify reads it", async () => {
    for (const t of [nodes.lazy, nodes.loaded]) {
      for (const path of ["/inbox", `/actors/${SLUG}/inbox`]) {
        for (const method of ["PUT", "PATCH", "DELETE", "OPTIONS"]) {
          const response = await t.node.app.request(path, {
            method,
            headers: {
              accept: "application/activity+json",
              "content-type": "application/activity+json",
            },
            body: deep,
          });
          const seen = [t === nodes.lazy ? "lazy" : "loaded", method, path, response.status];
          expect(seen).toEqual([seen[0], method, path, 405]);
          expect(response.headers.get("allow")).toBe("GET, HEAD, POST");
        }
      }
    }
    expect(nodes.lazy.loggedErrors).toEqual([]);
    expect(nodes.loaded.loggedErrors).toEqual([]);
  });
});

describe("federation work waiting at start", () => {
  let t: TestNode;
  beforeEach(() => {
    t = createTestvilleNode();
  });
  afterEach(() => t.close());
  const work = () =>
    federationWorkAtStart(t.services, new SqliteKvStore(t.node.storage.sqlite), t.node.queue);

  it("is none on a node that has not federated", async () => {
    expect(await work()).toBeUndefined();
    expect(t.node.federation.loaded).toBe(false);
  });

  it("is a queued task, a followed peer, or a follower to look at once", async () => {
    await t.node.queue.enqueue({ type: "outbox", inbox: "https://peer.example/inbox" });
    expect(await work()).toBe("1 queued federation task(s)");
    t.node.storage.sqlite.prepare("DELETE FROM fedify_queue").run();

    const row = t.services.follows.requestFollow({
      actor: SLUG,
      target: "https://peer.example/actors/x",
      targetInbox: "https://peer.example/actors/x/inbox",
      followActivityId: "https://node.test/follows/1",
    });
    expect(await work()).toBeUndefined();
    t.services.follows.setFollowingState(row.id, "accepted");
    expect(await work()).toBe("1 followed peer(s) to pull");
    t.services.follows.removeFollowing(row.id);

    const follower = "https://peer.example/actors/y";
    t.services.follows.addFollower({
      actor: SLUG,
      follower,
      inbox: `${follower}/inbox`,
      sharedInbox: null,
      followActivityId: "https://peer.example/follows/2",
      state: "accepted",
    });
    expect(await work()).toBe("followers to recognise as SPIRAL nodes or not");
    await new SqliteKvStore(t.node.storage.sqlite).set(["spiral", "followerKind", follower], true);
    expect(await work()).toBeUndefined();
  });
});
