import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { openStorage, StorageError } from "../db/open";
import { acquireDataDirLock, DataDirLockedError } from "./data-dir-lock";

/** The database file inside DATA_DIR. */
export const DATABASE_FILE = "spiral.db";
/** The generated admin token's file inside DATA_DIR (written at first start). */
export const ADMIN_TOKEN_FILE = "admin-token";
/** Beside a backup `x.db`, the copy of the admin token file: `x.db.admin-token`. */
export const tokenCopyOf = (backupFile: string) => `${backupFile}.${ADMIN_TOKEN_FILE}`;

/**
 * Online backup: copies a live database (WAL included) with SQLite's backup API, while the node
 * keeps serving. The copy is a single self-contained file. All pages go in one step, from one
 * read snapshot: copied in steps, the backup starts over whenever the node writes between two
 * of them, and a busy node's backup would never end. (In WAL mode the node's writes do not wait
 * for that read.)
 */
export async function backupDatabase(
  databaseFile: string,
  backupFile: string,
  onProgress?: (done: number, total: number) => void,
): Promise<{ pages: number }> {
  if (!existsSync(databaseFile)) throw new StorageError(`no database at ${databaseFile}`);
  // Created empty first, exclusively and for its owner only: it will hold the node's private keys.
  try {
    writeFileSync(backupFile, "", { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    throw new StorageError(`${backupFile} already exists; choose a new name`);
  }
  const source = new Database(databaseFile, { readonly: true, fileMustExist: true });
  let done = false;
  try {
    let pages = 0;
    await source.backup(backupFile, {
      progress: ({ totalPages, remainingPages }) => {
        pages = totalPages;
        onProgress?.(totalPages - remainingPages, totalPages);
        return ALL_PAGES;
      },
    });
    done = true;
    return { pages };
  } finally {
    source.close();
    if (!done) rmSync(backupFile, { force: true });
  }
}

/** The largest step better-sqlite3 accepts: every remaining page at once. */
const ALL_PAGES = 0x7fffffff;

const SQLITE_HEADER = "SQLite format 3\0";

/**
 * Throws unless `file` is a node's database: an SQLite file with the node's migrations table.
 * SQLite takes an empty file for a new database, which migrations would turn into an empty node.
 */
function assertNodeDatabase(file: string): void {
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(file, "r");
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString("latin1") !== SQLITE_HEADER) {
    throw new StorageError("not a Spiral node database (no SQLite header: empty or truncated?)");
  }
  const db = new Database(file, { fileMustExist: true });
  try {
    const migrations = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'")
      .get();
    if (!migrations) throw new StorageError("not a Spiral node database (no migrations table)");
  } finally {
    db.close();
  }
}

/**
 * Restores a backup in place of the node's database (the node must be stopped). The backup is
 * checked and migrated on a copy first; the current database is kept beside it as `.before-restore`.
 */
export function restoreDatabase(
  backupFile: string,
  databaseFile: string,
): { keptPrevious?: string } {
  if (!existsSync(backupFile)) throw new StorageError(`no backup at ${backupFile}`);
  mkdirSync(path.dirname(databaseFile), { recursive: true });
  const staging = `${databaseFile}.restoring`;
  // A WAL left by an interrupted restore would be replayed onto this copy: remove it too.
  const removeStaging = () => {
    for (const file of [staging, `${staging}-wal`, `${staging}-shm`]) rmSync(file, { force: true });
  };
  removeStaging();
  copyFileSync(backupFile, staging);
  try {
    assertNodeDatabase(staging);
    // Opening runs the integrity check and brings an older backup up to the current schema.
    openStorage(staging).close();
  } catch (error) {
    removeStaging();
    throw new StorageError(`the backup cannot be used: ${(error as Error).message}`);
  }
  let keptPrevious: string | undefined;
  if (existsSync(databaseFile)) {
    keptPrevious = `${databaseFile}.before-restore`;
    rmSync(keptPrevious, { force: true });
    // Fold the current WAL into the file so the kept copy is complete on its own.
    const current = new Database(databaseFile);
    current.pragma("wal_checkpoint(TRUNCATE)");
    current.close();
    renameSync(databaseFile, keptPrevious);
  }
  rmSync(`${databaseFile}-wal`, { force: true });
  rmSync(`${databaseFile}-shm`, { force: true });
  renameSync(staging, databaseFile);
  return keptPrevious ? { keptPrevious } : {};
}

/**
 * Backs up a data directory: the database (online, see backupDatabase) and, beside it, the
 * generated admin token file when there is one — everything else a node needs (keys, accounts,
 * the token's hash, the delivery queue) is in the database.
 */
export async function backupDataDir(
  dataDir: string,
  backupFile: string,
  onProgress?: (done: number, total: number) => void,
): Promise<{ pages: number; tokenCopy?: string }> {
  const { pages } = await backupDatabase(path.join(dataDir, DATABASE_FILE), backupFile, onProgress);
  const token = path.join(dataDir, ADMIN_TOKEN_FILE);
  if (!existsSync(token)) return { pages };
  const tokenCopy = tokenCopyOf(backupFile);
  copyFileSync(token, tokenCopy);
  chmodSync(tokenCopy, 0o600);
  return { pages, tokenCopy };
}

/** What a restore put in place, for the operator to check. */
export interface RestoreReport {
  database: string;
  keptPrevious?: string;
  /** The admin token file restored from beside the backup. */
  tokenFile?: string;
  territories: string[];
  criteria: number;
  syntheses: number;
  meetings: number;
  following: number;
  followers: number;
  accounts: number;
  queuedDeliveries: number;
}

/**
 * Restores a backup into a data directory (created when missing). Refuses while a node holds
 * the directory's lock — a running node would keep writing to the WAL file the restore replaces
 * — and holds that lock itself meanwhile, so no node starts halfway through.
 */
export function restoreDataDir(backupFile: string, dataDir: string): RestoreReport {
  if (!existsSync(backupFile)) throw new StorageError(`no backup at ${backupFile}`);
  mkdirSync(dataDir, { recursive: true });
  let lock: ReturnType<typeof acquireDataDirLock>;
  try {
    lock = acquireDataDirLock(dataDir);
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    throw new StorageError(
      `a node (pid ${error.pid}) is running on ${dataDir}; stop it first — nothing was restored`,
    );
  }
  try {
    const database = path.join(dataDir, DATABASE_FILE);
    const { keptPrevious } = restoreDatabase(backupFile, database);
    let tokenFile: string | undefined;
    if (existsSync(tokenCopyOf(backupFile))) {
      tokenFile = path.join(dataDir, ADMIN_TOKEN_FILE);
      copyFileSync(tokenCopyOf(backupFile), tokenFile);
      chmodSync(tokenFile, 0o600);
    }
    return {
      database,
      ...(keptPrevious ? { keptPrevious } : {}),
      ...(tokenFile ? { tokenFile } : {}),
      ...contents(database),
    };
  } finally {
    lock.release();
  }
}

/** Counts in a restored database, for the restore's report. */
function contents(database: string) {
  const db = new Database(database, { readonly: true, fileMustExist: true });
  try {
    const count = (table: string, where = "") =>
      (db.prepare(`SELECT count(*) AS n FROM ${table} ${where}`).get() as { n: number }).n;
    const slugs = db.prepare("SELECT slug FROM territories ORDER BY slug").pluck().all();
    return {
      territories: slugs as string[],
      criteria: count("criteria"),
      syntheses: count("syntheses", "WHERE withdrawn_at IS NULL"),
      meetings: count("meetings", "WHERE deleted_at IS NULL"),
      following: count("following"),
      followers: count("followers"),
      accounts: count("users"),
      queuedDeliveries: count("fedify_queue"),
    };
  } finally {
    db.close();
  }
}
