import { copyFileSync, existsSync, renameSync, rmSync } from "node:fs";
import Database from "better-sqlite3";
import { openStorage, StorageError } from "../db/open";

/**
 * Online backup: copies a live database (WAL included) page by page with SQLite's backup API,
 * while the node keeps serving. The copy is a single self-contained file.
 */
export async function backupDatabase(
  databaseFile: string,
  backupFile: string,
  onProgress?: (done: number, total: number) => void,
): Promise<{ pages: number }> {
  if (!existsSync(databaseFile)) throw new StorageError(`no database at ${databaseFile}`);
  if (existsSync(backupFile))
    throw new StorageError(`${backupFile} already exists; choose a new name`);
  const source = new Database(databaseFile, { readonly: true, fileMustExist: true });
  try {
    let pages = 0;
    await source.backup(backupFile, {
      progress: ({ totalPages, remainingPages }) => {
        pages = totalPages;
        onProgress?.(totalPages - remainingPages, totalPages);
        return 200;
      },
    });
    return { pages };
  } finally {
    source.close();
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
  const staging = `${databaseFile}.restoring`;
  rmSync(staging, { force: true });
  copyFileSync(backupFile, staging);
  try {
    // Opening runs the integrity check and brings an older backup up to the current schema.
    openStorage(staging).close();
  } catch (error) {
    rmSync(staging, { force: true });
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
