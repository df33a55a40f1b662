import { linkSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

/** The lock file of a data directory: one node (or restore) per DATA_DIR (docs/running-a-node.md, "Operations"). */
export const LOCK_FILE = "node.lock";
/**
 * Beside it, a file the holder keeps locked (an SQLite exclusive lock, i.e. a POSIX record lock)
 * while it lives: the kernel drops it when the process dies, and it holds across pid namespaces
 * (two containers on one volume both run their node as pid 1), where a pid says nothing.
 */
export const GUARD_FILE = "node.lock.guard";

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

/**
 * When a process started (epoch ms), from Linux's /proc; undefined elsewhere. Field 22 of
 * /proc/<pid>/stat is its start in clock ticks after boot (100 per second on Linux).
 */
function startedAt(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const ticks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
    const boot = Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1]);
    return Number.isFinite(ticks) && boot > 0 ? boot * 1000 + ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The live process that wrote this lock file, if any. A pid can be reused (after a reboot,
 * notably): a process that started after the lock was written is not its holder.
 */
function holderOf(file: string): number | undefined {
  const pid = readPid(file);
  if (pid === undefined || !isAlive(pid)) return undefined;
  const started = startedAt(pid);
  if (started === undefined) return pid;
  try {
    return started > statSync(file).mtimeMs + 2_000 ? undefined : pid;
  } catch {
    return undefined;
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
  return holderOf(path.join(dataDir, LOCK_FILE));
}

/**
 * Takes the data directory's lock: creates `node.lock` exclusively with this process's id. A lock whose process is gone is stale and replaced; one held by a live process (this one
 * included: a second node in the same process) throws DataDirLockedError naming it.
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  const guard = takeGuard(dataDir);
  try {
    return lockOf(acquirePidFile(dataDir), guard);
  } catch (error) {
    guard.close();
    throw error;
  }
}

/** Locks the guard file, or throws DataDirLockedError when a live process holds it. */
function takeGuard(dataDir: string): Database.Database {
  const guard = new Database(path.join(dataDir, GUARD_FILE), { timeout: 0 });
  try {
    guard.pragma("locking_mode = EXCLUSIVE");
    guard.exec("BEGIN EXCLUSIVE");
    return guard;
  } catch (error) {
    guard.close();
    if ((error as { code?: string }).code !== "SQLITE_BUSY") throw error;
    throw new DataDirLockedError(dataDir, readPid(path.join(dataDir, LOCK_FILE)) ?? 0);
  }
}

/** Writes this process's id into the lock file (see acquireDataDirLock). */
function acquirePidFile(dataDir: string): string {
  const file = path.join(dataDir, LOCK_FILE);
  // The pid is written to a file of our own first, then linked into place: link() fails if the
  // lock exists (like O_EXCL), and a lock file is never seen half-written.
  // Created exclusively ("wx"): a symlink planted under that name is removed, never followed.
  const mine = `${file}.${process.pid}`;
  rmSync(mine, { force: true });
  writeFileSync(mine, `${process.pid}\n`, { mode: 0o600, flag: "wx" });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(mine, file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const holder = holderOf(file);
        if (holder !== undefined) throw new DataDirLockedError(dataDir, holder);
        // Stale (its process died): remove it and try again. Two starters racing here both
        // retry the link; one wins, the other then sees a live holder.
        rmSync(file, { force: true });
        continue;
      }
      return file;
    }
  } finally {
    rmSync(mine, { force: true });
  }
  const holder = lockHolder(dataDir);
  throw holder !== undefined
    ? new DataDirLockedError(dataDir, holder)
    : new Error(`could not take the lock ${file}`);
}

function lockOf(file: string, guard: Database.Database): DataDirLock {
  return {
    file,
    release() {
      if (!guard.open) return;
      if (readPid(file) === process.pid) rmSync(file, { force: true });
      guard.close();
    },
  };
}
