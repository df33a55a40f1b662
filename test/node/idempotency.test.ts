import { createNode, type SpiralNode } from "@spiral-network/node/node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
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

    const meeting = {
      title: "Groupe homogène",
      kind: "homogeneous-group-session",
      start: "2026-07-01T18:00",
      end: "2026-07-01T20:00",
      timeZone: "Europe/Paris",
      place: { name: "Centre social", locality: "Mulhouse", country: "FR" },
      languages: ["fr"],
    };
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
