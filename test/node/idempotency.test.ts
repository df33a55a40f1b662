import { ensureAdminToken } from "@spiral-network/node/api/auth";
import { createNode, type SpiralNode } from "@spiral-network/node/node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { meetingInput } from "../support/meeting";
import { ADMIN_TOKEN, groupInput, PUBLIC_URL, T, TESTVILLE } from "./helpers";

// Idempotency-Key on the write API (docs/running-a-node.md, "The JSON API"): a client that retries after a crash
// or a lost answer gets the first answer back, and nothing is written twice.

let now: number;
let node: SpiralNode;
beforeEach(() => {
  now = Date.parse("2026-06-15T12:00:00.000Z");
  node = createNode({
    databaseFile: ":memory:",
    publicUrl: PUBLIC_URL,
    logger: { info() {}, warn() {}, error() {} },
    adminToken: ADMIN_TOKEN,
    now: () => new Date(now),
  });
  node.services.territories.create(TESTVILLE, "test");
});
afterEach(() => node.close());

async function send(
  method: string,
  path: string,
  body: unknown,
  key?: string,
  contentType = "application/json",
) {
  const response = await node.app.request(path, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      "content-type": contentType,
      ...(key === undefined ? {} : { "idempotency-key": key }),
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, replayed: response.headers.get("idempotent-replayed") };
}

const count = (table: string) =>
  (node.storage.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

async function groupId(): Promise<number> {
  const created = await send("POST", `${T}/groups`, groupInput(), "group-1");
  expect(created.status).toBe(201);
  return JSON.parse(created.text).id;
}
const CRITERIA = { items: [{ question: "Q1", text: "Having a job I like", code: "A05" }] };

describe("Idempotency-Key", () => {
  it("a retried criteria request returns the first answer and adds the criteria once", async () => {
    const id = await groupId();
    const first = await send("POST", `${T}/groups/${id}/criteria`, CRITERIA, "crit-1");
    const again = await send("POST", `${T}/groups/${id}/criteria`, CRITERIA, "crit-1");
    expect(first.status).toBe(201);
    expect(again).toEqual({ status: 201, text: first.text, replayed: "true" });
    expect(count("criteria")).toBe(1);
    // Without a key, a retry is a new request (what clients did before): it adds again.
    await send("POST", `${T}/groups/${id}/criteria`, CRITERIA);
    expect(count("criteria")).toBe(2);
  });

  it("a retried CSV import imports once", async () => {
    await groupId();
    const csv =
      "group,question,text\nJeunes du centre,Q1,Un travail\nJeunes du centre,Q2,Du bruit\n";
    const path = `${T}/imports/criteria`;
    const first = await send("POST", path, csv, "import-1", "text/csv");
    const again = await send("POST", path, csv, "import-1", "text/csv");
    expect(first.status).toBe(200);
    expect(JSON.parse(first.text)).toMatchObject({ imported: 2 });
    expect(again).toMatchObject({ status: 200, text: first.text, replayed: "true" });
    expect(count("criteria")).toBe(2);
  });

  it("a retried publication publishes one version, a retried meeting announces one meeting", async () => {
    const id = await groupId();
    const added = await send("POST", `${T}/groups/${id}/criteria`, {
      items: [
        { question: "Q1", text: "Having a job I like", code: "A05" },
        { question: "Q2", text: "Noise", code: "B01" },
      ],
    });
    const ids = JSON.parse(added.text).items.map((c: { id: number }) => c.id);
    await send("POST", `${T}/criteria/validation`, { ids });
    const publication = { period: { start: "2026-01-01", end: "2026-06-30" }, correction: false };
    const first = await send("POST", `${T}/syntheses`, publication, "publish-1");
    const again = await send("POST", `${T}/syntheses`, publication, "publish-1");
    expect(first.status).toBe(201);
    expect(again).toMatchObject({ status: 201, text: first.text, replayed: "true" });
    expect(count("synthesis_versions")).toBe(1);
    expect(count("outbox_activities")).toBe(1);

    const meeting = meetingInput("2026-07-01");
    const announced = await send("POST", `${T}/meetings`, meeting, "meeting-1");
    const retried = await send("POST", `${T}/meetings`, meeting, "meeting-1");
    expect(announced.status).toBe(201);
    expect(retried).toMatchObject({ status: 201, text: announced.text, replayed: "true" });
    expect(count("meetings")).toBe(1);
  });

  it("the same key with a different request is refused (422) and writes nothing", async () => {
    const id = await groupId();
    await send("POST", `${T}/groups/${id}/criteria`, CRITERIA, "crit-2");
    const other = { items: [{ question: "Q2", text: "Noise at night" }] };
    const reused = await send("POST", `${T}/groups/${id}/criteria`, other, "crit-2");
    expect(reused.status).toBe(422);
    expect(JSON.parse(reused.text)).toMatchObject({ error: "idempotency_key_reused" });
    expect(count("criteria")).toBe(1);
  });

  it("keys expire after 24 hours and must be well-formed", async () => {
    const id = await groupId();
    await send("POST", `${T}/groups/${id}/criteria`, CRITERIA, "crit-3");
    now += 24 * 60 * 60 * 1000 + 1;
    const later = await send("POST", `${T}/groups/${id}/criteria`, CRITERIA, "crit-3");
    expect(later.replayed).toBeNull();
    expect(count("criteria")).toBe(2);
    for (const bad of ["", "a".repeat(256), "with space", "é"]) {
      const refused = await send("POST", `${T}/groups/${id}/criteria`, CRITERIA, bad);
      expect(refused.status, bad).toBe(400);
    }
    expect(count("criteria")).toBe(2);
  });

  it("a request cut short by a crash is not run again: 409, outcome unknown", async () => {
    const id = await groupId();
    // The reservation a dead process left (no answer stored), for this very request.
    const path = `${T}/groups/${id}/criteria`;
    const first = await send("POST", path, CRITERIA, "crit-4");
    node.storage.sqlite
      .prepare(
        "UPDATE idempotency_keys SET status = NULL, body = NULL, owner = 'dead' WHERE key = ?",
      )
      .run("crit-4");
    const retried = await send("POST", path, CRITERIA, "crit-4");
    expect(first.status).toBe(201);
    expect(retried.status).toBe(409);
    expect(JSON.parse(retried.text).message).toContain("cut short by a restart");
    expect(count("criteria")).toBe(1);
  });

  it("a request refused for a full disk keeps no answer: its retry runs once there is room", async () => {
    const id = await groupId();
    const pragma = (s: string) => node.storage.sqlite.pragma(s, { simple: true });
    pragma(`max_page_count = ${Number(pragma("page_count"))}`);
    const big = {
      items: Array.from({ length: 200 }, (_, i) => ({
        question: "Q1",
        text: `${i} ${"x".repeat(400)}`,
      })),
    };
    const full = await send("POST", `${T}/groups/${id}/criteria`, big, "crit-5");
    expect(full.status).toBe(507);
    pragma("max_page_count = 1073741823");
    const retried = await send("POST", `${T}/groups/${id}/criteria`, big, "crit-5");
    expect(retried).toMatchObject({ status: 201, replayed: null });
    expect(count("criteria")).toBe(200);
  });
});

describe("Idempotency-Key under attack and failure", () => {
  it("a write that succeeded but whose answer could not be stored is never run twice", async () => {
    const id = await groupId();
    const path = `${T}/groups/${id}/criteria`;
    // Storing the answer fails after the criteria were saved (the last free page went to them).
    node.storage.sqlite.exec(
      `CREATE TRIGGER answer_fails BEFORE UPDATE ON idempotency_keys
       BEGIN SELECT RAISE(ABORT, 'disk I/O'); END`,
    );
    const first = await send("POST", path, CRITERIA, "crit-6");
    node.storage.sqlite.exec("DROP TRIGGER answer_fails");
    // The criteria were saved: the client is told so, not that the request failed.
    expect(first.status).toBe(201);
    expect(count("criteria")).toBe(1);
    const retried = await send("POST", path, CRITERIA, "crit-6");
    expect(retried.status).toBe(409);
    expect(count("criteria")).toBe(1);
  });

  it("two identical requests at once write once; the other is told to wait (409)", async () => {
    const id = await groupId();
    const path = `${T}/groups/${id}/criteria`;
    const answers = await Promise.all([1, 2, 3].map(() => send("POST", path, CRITERIA, "crit-7")));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409]);
    expect(count("criteria")).toBe(1);
    const after = await send("POST", path, CRITERIA, "crit-7");
    expect(after).toMatchObject({ status: 201, replayed: "true" });
  });

  it("an unauthenticated request cannot reserve or read a key the admin then uses", async () => {
    const id = await groupId();
    const path = `${T}/groups/${id}/criteria`;
    const anonymous = await node.app.request(path, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": "crit-8" },
      body: JSON.stringify({ items: [{ question: "Q9", text: "planted" }] }),
    });
    expect(anonymous.status).toBe(401);
    expect(count("idempotency_keys")).toBe(1); // only "group-1"
    const admin = await send("POST", path, CRITERIA, "crit-8");
    expect(admin).toMatchObject({ status: 201, replayed: null });
    // A later anonymous retry with the admin's key gets 401, not the admin's stored answer.
    const peek = await node.app.request(path, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": "crit-8" },
      body: JSON.stringify(CRITERIA),
    });
    expect(peek.status).toBe(401);
    expect(await peek.text()).not.toContain("Having a job");
  });

  it("a 4xx answer is replayed as is; the same key on another route is refused", async () => {
    const missing = await send("POST", `${T}/groups/9999/criteria`, CRITERIA, "crit-9");
    expect(missing.status).toBe(404);
    const again = await send("POST", `${T}/groups/9999/criteria`, CRITERIA, "crit-9");
    expect(again).toEqual({ status: 404, text: missing.text, replayed: "true" });
    const elsewhere = await send("POST", `${T}/groups`, groupInput(), "crit-9");
    expect(elsewhere.status).toBe(422);
    expect(count("groups")).toBe(0);
  });
});

describe("Idempotency-Key across admin tokens", () => {
  it("a replaced admin token does not replay what the old token was answered (criteria since deleted)", async () => {
    const id = await groupId();
    const path = `${T}/groups/${id}/criteria`;
    const first = await send("POST", path, CRITERIA, "crit-10");
    expect(first.status).toBe(201);
    const [criterion] = JSON.parse(first.text).items;
    await send("DELETE", `${T}/criteria/${criterion.id}`, undefined);
    expect(count("criteria")).toBe(0);
    // The operator replaces a leaked token (ADMIN_TOKEN changed, node restarted).
    ensureAdminToken(node.services.ctx.db, "a-brand-new-admin-token-0123456789");
    const replayed = await node.app.request(path, {
      method: "POST",
      headers: {
        authorization: "Bearer a-brand-new-admin-token-0123456789",
        "content-type": "application/json",
        "idempotency-key": "crit-10",
      },
      body: JSON.stringify(CRITERIA),
    });
    expect(replayed.headers.get("idempotent-replayed")).toBeNull();
    expect(replayed.status).toBe(201);
  });
});
