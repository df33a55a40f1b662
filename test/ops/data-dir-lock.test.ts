import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { seedDemoTerritory } from "@spiral-network/node/demo/seed";
import { createNode, type SpiralNode } from "@spiral-network/node/node";
import { backupDataDir, restoreDataDir } from "@spiral-network/node/ops/backup";
import { acquireDataDirLock, lockHolder } from "@spiral-network/node/ops/data-dir-lock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { crashedProcess } from "../federation/file-peer";

// One process per DATA_DIR (docs/running-a-node.md, "Operations"): a lock file with the holder's pid. A second
// node, or a restore, refuses while a live process holds it; a lock left by a crash does not
// block the restart.

const logger = { info() {}, warn() {}, error() {} };
const ROOT = path.join(import.meta.dirname, "../..");

let dir: string;
const nodes: SpiralNode[] = [];
const open = (dataDir = dir) => {
  const node = createNode({
    databaseFile: path.join(dataDir, "spiral.db"),
    dataDir,
    publicUrl: "http://node.test",
    logger,
  });
  nodes.push(node);
  return node;
};
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "spiral-lock-"));
});
afterEach(async () => {
  for (const node of nodes.splice(0)) await node.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

describe("the DATA_DIR lock", () => {
  it("a second node on the same DATA_DIR refuses to start, naming the pid that holds it", async () => {
    const first = open();
    expect(readFileSync(path.join(dir, "node.lock"), "utf8").trim()).toBe(String(process.pid));
    expect(() => open()).toThrow(`another node (pid ${process.pid}) is running on DATA_DIR ${dir}`);
    // The refused node changed nothing: the first one still works and still holds the lock.
    expect(first.services.territories.list()).toEqual([]);
    await first.close();
    nodes.splice(0);
    expect(existsSync(path.join(dir, "node.lock"))).toBe(false);
    open(); // free again
  });

  it("`npm start` on a DATA_DIR a node holds exits with a message naming that pid", () => {
    open();
    const result = spawnSync(process.execPath, ["--import", "tsx", "node/src/main.ts"], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dir, PORT: "18099", DEMO_DATA: "false" },
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `the node could not start: another node (pid ${process.pid}) is running on DATA_DIR ${dir}`,
    );
  });

  it("a lock left by a killed process does not block the restart", async () => {
    open().close();
    nodes.splice(0);
    const dead = await crashedProcess(dir, false);
    expect(readFileSync(path.join(dir, "node.lock"), "utf8").trim()).toBe(String(dead));
    expect(lockHolder(dir)).toBeUndefined();
    open();
    expect(lockHolder(dir)).toBe(process.pid);
  });

  it("a lock older than the process now bearing its pid (a reboot) does not block", () => {
    const file = path.join(dir, "node.lock");
    writeFileSync(file, `${process.pid}\n`);
    expect(lockHolder(dir)).toBe(process.pid);
    // Written before this process started: some earlier process that had the same pid.
    const longAgo = new Date(Date.now() - 30 * 86_400_000);
    utimesSync(file, longAgo, longAgo);
    expect(lockHolder(dir)).toBeUndefined();
    acquireDataDirLock(dir).release();
  });

  it("an acquired lock is released only by its owner", () => {
    const lock = acquireDataDirLock(dir);
    expect(() => acquireDataDirLock(dir)).toThrow(/another node \(pid \d+\)/);
    lock.release();
    acquireDataDirLock(dir).release();
    expect(existsSync(path.join(dir, "node.lock"))).toBe(false);
  });
});

describe("the DATA_DIR lock across pid namespaces", () => {
  it("a holder whose pid means nothing here (another container on the same volume) still holds it", async () => {
    // A process holds the lock; its pid, as written, is not one this process can see (two
    // containers both run their node as pid 1, or the file names a pid of another namespace).
    const script = `
      import { writeFileSync } from "node:fs";
      import { acquireDataDirLock } from ${JSON.stringify(path.join(ROOT, "node/src/ops/data-dir-lock.ts"))};
      // Kept referenced: a lock no one holds may be collected, and its guard database closed
      // with it (the node keeps its lock for as long as it runs).
      globalThis.heldLock = acquireDataDirLock(${JSON.stringify(dir)});
      writeFileSync(${JSON.stringify(path.join(dir, "node.lock"))}, "4194303\\n");
      process.stdout.write("ready\\n");
      setInterval(() => {}, 1000);
    `;
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          if (chunk.toString().includes("ready")) resolve();
        });
        child.on("exit", (code) => reject(new Error(`the holder exited early (${code})`)));
      });
      expect(() => acquireDataDirLock(dir)).toThrow(/another node \(pid \d+\) is running/);
    } finally {
      child.removeAllListeners("exit");
      const exited = new Promise((resolve) => child.on("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    }
    // Its process is gone: the lock is free again.
    acquireDataDirLock(dir).release();
  }, 30_000);
});

describe("the DATA_DIR lock against planted files", () => {
  let outside: string;
  beforeEach(() => {
    outside = mkdtempSync(path.join(tmpdir(), "spiral-victim-"));
  });
  afterEach(() => rmSync(outside, { recursive: true, force: true }));

  it("a symlink planted where the pid is first written is not followed", () => {
    const victim = path.join(outside, "victim");
    writeFileSync(victim, "precious\n");
    symlinkSync(victim, path.join(dir, `node.lock.${process.pid}`));
    const lock = acquireDataDirLock(dir);
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expect(readFileSync(lock.file, "utf8").trim()).toBe(String(process.pid));
    lock.release();
  });

  it("a symlink planted as node.lock is replaced, not written through, and its target kept", () => {
    const victim = path.join(outside, "victim");
    writeFileSync(victim, "precious\n");
    const file = path.join(dir, "node.lock");
    symlinkSync(victim, file);
    const lock = acquireDataDirLock(dir);
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    lock.release();
    expect(existsSync(victim)).toBe(true);
  });
});

describe("restore", () => {
  let backup: string;
  beforeEach(async () => {
    const node = open();
    seedDemoTerritory(node.services);
    writeFileSync(path.join(dir, "admin-token"), "the-token\n", { mode: 0o600 });
    backup = path.join(mkdtempSync(path.join(tmpdir(), "spiral-backups-")), "b.db");
    const { tokenCopy } = await backupDataDir(dir, backup);
    expect(tokenCopy).toBe(`${backup}.admin-token`);
  });

  it("refuses while a node runs on the DATA_DIR, and changes nothing", () => {
    const node = nodes[0];
    if (!node) throw new Error("node");
    node.services.groups.delete("mulhouse", node.services.groups.list("mulhouse")[0]?.id ?? 0, "t");
    const groups = node.services.groups.list("mulhouse").length;
    expect(() => restoreDataDir(backup, dir)).toThrow(
      `a node (pid ${process.pid}) is running on ${dir}; stop it first — nothing was restored`,
    );
    // The running node keeps its data (and its lock).
    expect(node.services.groups.list("mulhouse")).toHaveLength(groups);
    expect(lockHolder(dir)).toBe(process.pid);
  });

  it("`npm run restore` exits non-zero while the node runs", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/restore.ts", backup], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dir },
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`restore failed: a node (pid ${process.pid}) is running`);
  });

  it("restores into a missing DATA_DIR, with the admin token file, and says what it restored", async () => {
    for (const node of nodes.splice(0)) await node.close();
    const fresh = path.join(dir, "new", "data");
    const report = restoreDataDir(backup, fresh);
    expect(report).toMatchObject({
      database: path.join(fresh, "spiral.db"),
      tokenFile: path.join(fresh, "admin-token"),
      territories: ["mulhouse"],
      syntheses: 1,
    });
    expect(report.criteria).toBeGreaterThan(0);
    expect(readFileSync(path.join(fresh, "admin-token"), "utf8")).toBe("the-token\n");
    // The restore released the lock it held: the node starts.
    const restored = open(fresh);
    expect(restored.services.syntheses.list("mulhouse")).toHaveLength(1);
  });

  it("`npm run restore` into a missing DATA_DIR prints what it restored", async () => {
    for (const node of nodes.splice(0)) await node.close();
    const fresh = path.join(dir, "missing");
    const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/restore.ts", backup], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: fresh },
      encoding: "utf8",
    });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("territories: mulhouse");
    expect(result.stdout).toContain("1 published syntheses");
    expect(result.stdout).toContain(
      `admin token file restored: ${path.join(fresh, "admin-token")}`,
    );
  });
});
