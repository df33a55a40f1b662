import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openStorage } from "@spiral-network/node/db/open";
import { afterEach, describe, expect, it } from "vitest";

describe("storage: deleted rows do not stay readable in the file", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("overwrites a deleted row's text (secure_delete), so the file no longer holds it", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "spiral-secure-delete-"));
    dirs.push(dir);
    const file = path.join(dir, "test.db");
    const storage = openStorage(file);
    const secret = "a criterion nobody may read once deleted 7f3c9a";
    storage.sqlite.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    storage.sqlite.prepare("INSERT INTO notes (body) VALUES (?)").run(secret);
    storage.sqlite.pragma("wal_checkpoint(TRUNCATE)");
    expect(readFileSync(file).includes(secret)).toBe(true);
    storage.sqlite.prepare("DELETE FROM notes").run();
    storage.sqlite.pragma("wal_checkpoint(TRUNCATE)");
    const onDisk = [file, `${file}-wal`].map((f) => {
      try {
        return readFileSync(f);
      } catch {
        return Buffer.alloc(0);
      }
    });
    storage.sqlite.close();
    expect(onDisk.some((bytes) => bytes.includes(secret))).toBe(false);
  });
});
