import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { seedDemoTerritory } from "@spiral-network/node/demo/seed";
import { createNode } from "@spiral-network/node/node";
import { backupDatabase, restoreDatabase } from "@spiral-network/node/ops/backup";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const logger = { info() {}, warn() {}, error() {} };
const open = (file: string) =>
  createNode({ databaseFile: file, publicUrl: "http://node.test", logger });

describe("backup and restore", () => {
  let dir: string;
  let database: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "spiral-backup-"));
    database = path.join(dir, "spiral.db");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("backs up a live database and restores it after later changes", async () => {
    const node = open(database);
    seedDemoTerritory(node.services);
    const groupsBefore = node.services.groups.list("mulhouse");
    const backup = path.join(dir, "backup.db");
    // The node stays open during the backup, as in production.
    const { pages } = await backupDatabase(database, backup);
    expect(pages).toBeGreaterThan(0);

    const removed = groupsBefore[0];
    if (!removed) throw new Error("demo has groups");
    node.services.groups.delete("mulhouse", removed.id, "test");
    expect(node.services.groups.list("mulhouse")).toHaveLength(groupsBefore.length - 1);
    node.close();

    const { keptPrevious } = restoreDatabase(backup, database);
    expect(keptPrevious).toBe(`${database}.before-restore`);
    const restored = open(database);
    expect(restored.services.groups.list("mulhouse")).toEqual(groupsBefore);
    expect(restored.services.syntheses.list("mulhouse")).toHaveLength(1);
    restored.close();

    // The pre-restore database is complete on its own (its WAL was folded in).
    const previous = open(`${database}.before-restore`);
    expect(previous.services.groups.list("mulhouse")).toHaveLength(groupsBefore.length - 1);
    previous.close();
  });

  it("refuses a file that is not a database and leaves the current one untouched", () => {
    const node = open(database);
    seedDemoTerritory(node.services);
    node.close();
    const bogus = path.join(dir, "bogus.db");
    writeFileSync(bogus, "this is not SQLite");
    expect(() => restoreDatabase(bogus, database)).toThrow(/the backup cannot be used/);
    const again = open(database);
    expect(again.services.territories.list().map((t) => t.slug)).toEqual(["mulhouse"]);
    again.close();
  });

  it("will not overwrite an existing backup file", async () => {
    open(database).close();
    const backup = path.join(dir, "exists.db");
    writeFileSync(backup, "");
    await expect(backupDatabase(database, backup)).rejects.toThrow(/already exists/);
  });

  it("refuses an empty or truncated file, or a database that is not a node's, changing nothing", () => {
    const node = open(database);
    seedDemoTerritory(node.services);
    node.close();
    const empty = path.join(dir, "empty.db");
    writeFileSync(empty, "");
    const other = path.join(dir, "other.db");
    const foreign = new Database(other);
    foreign.exec("CREATE TABLE notes (text TEXT)");
    foreign.close();
    for (const backup of [empty, other]) {
      expect(() => restoreDatabase(backup, database), backup).toThrow(
        /the backup cannot be used: .*not a Spiral node database/,
      );
    }
    // Untouched: no staging files left, nothing kept "before restore", the data still there.
    expect(readdirSync(dir).sort()).toEqual(["empty.db", "other.db", "spiral.db"]);
    const again = open(database);
    expect(again.services.territories.list().map((t) => t.slug)).toEqual(["mulhouse"]);
    again.close();
  });

  it("writes the backup (it holds the node's private keys) readable by its owner only", async () => {
    open(database).close();
    const backup = path.join(dir, "private.db");
    await backupDatabase(database, backup);
    expect(statSync(backup).mode & 0o077).toBe(0);
    expect(existsSync(backup)).toBe(true);
  });
});
