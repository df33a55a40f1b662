import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createNode, type SpiralNode } from "@spiral-network/node/node";
import { backupDatabase } from "@spiral-network/node/ops/backup";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

// `npm run backup` while the node keeps writing (README "Operations"): the backup finishes (it
// is not restarted forever by each write) and is a consistent, complete database.

const logger = { info() {}, warn() {}, error() {} };
let dir: string;
let node: SpiralNode;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "spiral-busy-"));
  node = createNode({
    databaseFile: path.join(dir, "spiral.db"),
    publicUrl: "http://node.test",
    logger,
  });
  node.services.territories.create(
    { slug: "testville", name: "Testville", country: "FR", languages: ["fr"] },
    "test",
  );
});
afterEach(async () => {
  await node.close();
  rmSync(dir, { recursive: true, force: true });
});

const group = (n: number) => ({
  label: `Group ${n}`,
  category: "young-people" as const,
  sessionDates: ["2026-05-12"],
  participants: 12,
  cycle: 0,
});

describe("a backup of a busy node", () => {
  it("finishes while writes keep coming, and holds a consistent database", async () => {
    // Well over one backup step (200 pages of 4 KiB).
    node.storage.sqlite.exec(`CREATE TABLE filler (bytes BLOB);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
      INSERT INTO filler SELECT randomblob(3000) FROM n;`);
    for (let n = 0; n < 50; n++) node.services.groups.create("testville", group(n), "test");
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        node.services.groups.create("testville", group(10_000 + written++), "test");
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const backup = path.join(dir, "busy.db");
    try {
      await backupDatabase(path.join(dir, "spiral.db"), backup);
    } finally {
      writing = false;
      await writer;
    }
    expect(written).toBeGreaterThan(0);
    const copy = new Database(backup, { readonly: true });
    expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
    const groups = copy.prepare("SELECT count(*) AS n FROM groups").get() as { n: number };
    expect(groups.n).toBeGreaterThanOrEqual(50);
    const filler = copy.prepare("SELECT count(*) AS n FROM filler").get() as { n: number };
    expect(filler.n).toBe(2000);
    copy.close();
  }, 30_000);
});
