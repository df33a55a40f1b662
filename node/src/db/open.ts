import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "./schema";

export type Db = BetterSQLite3Database<typeof schema>;
export interface Storage {
  /** The raw connection, for pragmas, backups and the hottest bulk paths. */
  sqlite: Database.Database;
  db: Db;
  close(): void;
}

export class StorageError extends Error {
  override name = "StorageError";
}

/**
 * Whether an error (or one of its causes: Drizzle wraps SQLite's) is SQLite's SQLITE_FULL — the
 * disk (or the database's page limit) is full. The write was rolled back; reads still work, and
 * writes work again once there is space (docs/running-a-node.md, "Operations").
 */
export function isStorageFull(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    if ((e as { code?: unknown }).code === "SQLITE_FULL") return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

const MIGRATIONS = fileURLToPath(new URL("../../drizzle", import.meta.url));

/**
 * Opens (or creates) the node's database, checks it and applies pending migrations.
 * `file` is a path, or ":memory:" for tests.
 */
export function openStorage(file: string): Storage {
  const sqlite = new Database(file);
  try {
    if (file !== ":memory:") {
      sqlite.pragma("journal_mode = WAL");
    }
    sqlite.pragma("synchronous = FULL");
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma("busy_timeout = 5000");
    // What is deleted (a criterion past its undo, a purged session) is overwritten with zeros in
    // the file, not left readable in free pages (docs/running-a-node.md, "Operations").
    sqlite.pragma("secure_delete = ON");
    const check = sqlite.pragma("quick_check", { simple: true });
    if (check !== "ok") {
      throw new StorageError(`database ${file} failed its integrity check: ${String(check)}`);
    }
    const db = drizzle(sqlite, { schema });
    migrate(db, { migrationsFolder: MIGRATIONS });
    return { sqlite, db, close: () => sqlite.close() };
  } catch (error) {
    sqlite.close();
    throw error;
  }
}
