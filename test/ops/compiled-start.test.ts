import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait";

// The start command runs the compiled node (scripts/build.ts → node/dist/, docs/running-a-node.md,
// "Install and first start"), not the TypeScript sources the rest of the suite runs: this builds
// it into a folder of its own and starts it as `./scripts/start.sh` would.

const ROOT = path.join(import.meta.dirname, "../..");
const OUT = path.join(ROOT, "node/dist", `test-${process.pid}`);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let dataDir: string;
let child: ChildProcess | undefined;
let stdout = "";
let base: string;

beforeAll(async () => {
  const built = spawnSync(
    process.execPath,
    ["--import", "tsx", "scripts/build.ts", "--outdir", OUT],
    {
      cwd: ROOT,
      encoding: "utf8",
    },
  );
  expect(built.stderr).toBe("");
  expect(built.status).toBe(0);
  dataDir = mkdtempSync(path.join(tmpdir(), "spiral-compiled-"));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, [path.join(OUT, "main.js")], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_URL: base,
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  await waitFor(
    () => stdout.includes("Spiral Network node running at"),
    "the compiled node's banner",
    {
      timeout: 60_000,
    },
  );
}, 90_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  rmSync(OUT, { recursive: true, force: true });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("the compiled node", () => {
  it("starts on a fresh data directory with the demo territory and answers every surface", async () => {
    expect(stdout).toContain("demo account");
    const nodeinfo = await fetch(`${base}/nodeinfo/2.1`);
    expect(nodeinfo.status).toBe(200);
    expect(((await nodeinfo.json()) as { software: { name: string } }).software.name).toBe(
      "spiral-network",
    );
    const finger = await fetch(
      `${base}/.well-known/webfinger?resource=${encodeURIComponent(`acct:mulhouse@127.0.0.1:${base.split(":")[2]}`)}`,
    );
    expect(finger.status).toBe(200);
    const api = await fetch(`${base}/api/v1/territories/mulhouse`);
    expect(api.status).toBe(200);
    expect(((await api.json()) as { slug: string }).slug).toBe("mulhouse");
    const openapi = await fetch(`${base}/api/v1/openapi.json`);
    expect(((await openapi.json()) as { openapi: string }).openapi).toMatch(/^3\./);
    const feed = await fetch(`${base}/actors/mulhouse/meetings.ics`);
    expect(await feed.text()).toContain("BEGIN:VCALENDAR");
    const signIn = await fetch(`${base}/admin/login`);
    expect(signIn.status).toBe(200);
    expect(await signIn.text()).toContain("<form");
  });

  it("bundles drizzle-orm (no per-module reading of its package.json) and keeps no TypeScript", () => {
    const files = readdirSync(OUT).filter((f) => f.endsWith(".js"));
    const code = files.map((f) => readFileSync(path.join(OUT, f), "utf8")).join("\n");
    expect(code).not.toMatch(/from\s*"drizzle-orm/);
    expect(code).not.toMatch(/from\s*"@spiral-network\//);
    expect(code).toMatch(/from\s*"better-sqlite3"/);
  });

  it("leaves the JSON API, the workspace and the calendar writer out of what a start loads", () => {
    // What main.js imports statically, transitively, is what every start reads.
    const loaded = new Set<string>();
    const visit = (file: string) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      const code = readFileSync(path.join(OUT, file), "utf8");
      for (const [, dep] of code.matchAll(/^import[^;]*?from\s*"\.\/([^"]+)"/gm))
        visit(dep as string);
    };
    visit("main.js");
    const atStart = [...loaded].map((f) => readFileSync(path.join(OUT, f), "utf8")).join("\n");
    expect(atStart).toMatch(/from\s*"@fedify\/fedify"/);
    for (const lazy of ["@hono/zod-openapi", "ical-generator", "@touch4it/ical-timezones"]) {
      expect(atStart).not.toContain(`from "${lazy}"`);
    }
    expect(atStart).toMatch(/import\("\.\/api-[^"]+\.js"\)/);
    expect(atStart).toMatch(/import\("\.\/admin-[^"]+\.js"\)/);
  });
});
