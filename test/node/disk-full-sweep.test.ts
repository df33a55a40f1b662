import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { meetingInput } from "../support/meeting";
import {
  ADMIN_TOKEN,
  addValidatedCriteria,
  createGroup,
  createTestvilleNode,
  T,
  type TestNode,
} from "./helpers";

// A full disk at every point of a write (README "Operations"): the database is capped at its
// size plus k pages, for k = 0, 1, 2… until the write fits. Every attempt that answers 507 must
// have saved nothing at all — no criteria of half a file, no synthesis version without its
// outbox activity (or the reverse), no meeting without its announcement.

let t: TestNode;
let dir: string;
beforeEach(() => {
  // A database file with small pages (512 bytes), so that every write needs new pages.
  dir = mkdtempSync(path.join(tmpdir(), "spiral-full-"));
  const databaseFile = path.join(dir, "spiral.db");
  const small = new Database(databaseFile);
  small.exec("PRAGMA page_size = 512; VACUUM");
  small.close();
  t = createTestvilleNode({ databaseFile });
});
afterEach(() => {
  t.close();
  rmSync(dir, { recursive: true, force: true });
});

const pragma = (statement: string) => t.node.storage.sqlite.pragma(statement, { simple: true });
const counts = (tables: string[]) =>
  tables.map(
    (table) =>
      (t.node.storage.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number })
        .n,
  );

async function send(path: string, body: string, contentType: string): Promise<Response> {
  return t.node.app.request(path, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": contentType },
    body,
  });
}

/** Retries the write with one more free page each time; checks nothing changed on each 507. */
async function sweep(write: () => Promise<Response>, tables: string[]): Promise<number> {
  const before = counts(tables);
  // No free pages left inside the file.
  t.node.storage.sqlite.exec("VACUUM");
  for (let extra = 0; extra < 400; extra++) {
    pragma(`max_page_count = ${Number(pragma("page_count")) + extra}`);
    const response = await write();
    if (response.status !== 507) {
      pragma("max_page_count = 1073741823");
      expect(response.status, await response.text()).toBeLessThan(300);
      return extra;
    }
    expect(counts(tables), `with ${extra} free page(s)`).toEqual(before);
  }
  throw new Error("the write never fit");
}

describe("a full disk at every point of a write", () => {
  it("a CSV import saves all its rows or none", async () => {
    await createGroup(t.admin);
    const rows = Array.from(
      { length: 300 },
      (_, i) => `Jeunes du centre,Q${(i % 3) + 1},Critère ${i} ${"x".repeat(200)}`,
    );
    const csv = `group,question,text\n${rows.join("\n")}\n`;
    const needed = await sweep(
      () => send(`${T}/imports/criteria`, csv, "text/csv"),
      ["criteria", "audit_log"],
    );
    expect(needed).toBeGreaterThan(5);
    expect(counts(["criteria"])).toEqual([300]);
  });

  it("a publication saves its version and its outbox activity together, or neither", async () => {
    const group = await createGroup(t.admin);
    await addValidatedCriteria(t.admin, group, [
      { question: "Q1", text: "Having a job I like", code: "A05" },
      { question: "Q2", text: "Noise at night", code: "B01" },
    ]);
    const publication = JSON.stringify({
      period: { start: "2026-01-01", end: "2026-06-30" },
      correction: false,
    });
    const needed = await sweep(
      () => send(`${T}/syntheses`, publication, "application/json"),
      ["syntheses", "synthesis_versions", "outbox_activities"],
    );
    expect(needed).toBeGreaterThan(1);
    expect(counts(["synthesis_versions", "outbox_activities"])).toEqual([1, 1]);
  });

  it("a meeting is saved with its announcement, or not at all", async () => {
    const meeting = JSON.stringify(meetingInput("2026-07-01"));
    const needed = await sweep(
      () => send(`${T}/meetings`, meeting, "application/json"),
      ["meetings", "outbox_activities"],
    );
    expect(needed).toBeGreaterThan(1);
    expect(counts(["meetings", "outbox_activities"])).toEqual([1, 1]);
  });
});

describe("a full disk while the outbox is sent", () => {
  it("a failed write in the dispatcher neither rejects its drain (that would end the process) nor loses the row", async () => {
    const group = await createGroup(t.admin);
    await addValidatedCriteria(t.admin, group, [
      { question: "Q1", text: "Having a job I like", code: "A05" },
      { question: "Q2", text: "Noise at night", code: "B01" },
    ]);
    const publication = { period: { start: "2026-01-01", end: "2026-06-30" }, correction: false };
    expect((await t.admin.post(`${T}/syntheses`, publication)).status).toBe(201);
    // The row is saved; every later write to it fails, the note of the failure included.
    t.node.storage.sqlite.exec(
      `CREATE TRIGGER full BEFORE UPDATE ON outbox_activities
       BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`,
    );
    await expect((await t.node.federation.get()).outbox.drain()).resolves.toBeUndefined();
    t.node.storage.sqlite.exec("DROP TRIGGER full");
    // Room again: the next pass sends it.
    await (await t.node.federation.get()).outbox.drain();
    const row = t.node.storage.sqlite
      .prepare(
        "SELECT json IS NOT NULL AS signed, sent_at IS NOT NULL AS sent FROM outbox_activities",
      )
      .get();
    expect(row).toEqual({ signed: 1, sent: 1 });
  });
});
