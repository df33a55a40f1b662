import { linkSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/** The lock file of a data directory: one node (or restore) per DATA_DIR (README "Operations"). */
export const LOCK_FILE = "node.lock";

export class DataDirLockedError extends Error {
  override name = "DataDirLockedError";
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `another node (pid ${pid}) is running on DATA_DIR ${dataDir}; stop it first, or give this one another DATA_DIR`,
    );
  }
}

export interface DataDirLock {
  /** The lock file. */
  file: string;
  /** Removes the lock file (only if it is still ours). */
  release(): void;
}

/** Whether a process with this id is alive (EPERM: alive, but someone else's). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, "utf8").trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The live process holding the data directory's lock, if any. A lock left by a process that
 * died (kill -9, power cut) holds nothing.
 */
export function lockHolder(dataDir: string): number | undefined {
  const pid = readPid(path.join(dataDir, LOCK_FILE));
  return pid !== undefined && isAlive(pid) ? pid : undefined;
}

/**
 * Takes the data directory's lock: creates `node.lock` exclusively with this process's id. A lock whose process is gone is stale and replaced; one held by a live process (this one
 * included: a second node in the same process) throws DataDirLockedError naming it.
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  const file = path.join(dataDir, LOCK_FILE);
  // The pid is written to a file of our own first, then linked into place: link() fails if the
  // lock exists (like O_EXCL), and a lock file is never seen half-written.
  const mine = `${file}.${process.pid}`;
  writeFileSync(mine, `${process.pid}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(mine, file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const holder = readPid(file);
        if (holder !== undefined && isAlive(holder)) throw new DataDirLockedError(dataDir, holder);
        // Stale (its process died): remove it and try again. Two starters racing here both
        // retry the link; one wins, the other then sees a live holder.
        rmSync(file, { force: true });
        continue;
      }
      return lockOf(file);
    }
  } finally {
    rmSync(mine, { force: true });
  }
  const holder = lockHolder(dataDir);
  throw holder !== undefined
    ? new DataDirLockedError(dataDir, holder)
    : new Error(`could not take the lock ${file}`);
}

function lockOf(file: string): DataDirLock {
  return {
    file,
    release() {
      if (readPid(file) === process.pid) rmSync(file, { force: true });
    },
  };
}
