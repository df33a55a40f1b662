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
const FEDIFY_IMPORTS = path.join(import.meta.dirname, "fixtures/report-fedify-imports.mjs");
const files = () => readdirSync(OUT).filter((f) => f.endsWith(".js"));

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
  await startNode([]);
}, 90_000);

/** Starts the compiled node on `dataDir` (node flags first) and waits for its banner. */
async function startNode(flags: string[]) {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  let output = "";
  const started = spawn(process.execPath, [...flags, path.join(OUT, "main.js")], {
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
  child = started;
  started.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  started.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  await waitFor(
    () => output.includes("Spiral Network node running at"),
    "the compiled node's banner",
    {
      timeout: 60_000,
    },
  );
  stdout = output;
  return { output: () => output };
}

async function stop() {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
}

afterAll(async () => {
  await stop();
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
    const code = files()
      .map((f) => readFileSync(path.join(OUT, f), "utf8"))
      .join("\n");
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
    for (const lazy of [
      "@hono/zod-openapi",
      "ical-generator",
      "@touch4it/ical-timezones",
      "feed",
      "@fedify/fedify",
      "@fedify/vocab",
      "@fedify/vocab-runtime",
    ]) {
      expect(atStart).not.toContain(`from "${lazy}"`);
    }
    expect(atStart).toMatch(/import\("\.\/api-[^"]+\.js"\)/);
    expect(atStart).toMatch(/import\("\.\/admin-[^"]+\.js"\)/);
    // Fedify comes with federation/runtime.ts (docs/architecture.md, "How federation is loaded").
    const runtime = files().find((f) => /^runtime-[^.]+\.js$/.test(f)) ?? "";
    expect(atStart).toContain(`import("./${runtime}")`);
    expect(readFileSync(path.join(OUT, runtime), "utf8")).toMatch(/from\s*"@fedify\/fedify"/);
  });

  it("a restart serves its pages without loading Fedify, and loads it for the first federation request", async () => {
    // The first start made the keys and seeded the demo (Fedify loaded for the keys): restarted
    // on that data directory with nothing waiting, the node has no federation work to do.
    await stop();
    const restarted = await startNode(["--import", FEDIFY_IMPORTS]);
    // Fedify and its vocabulary (the costly part: jsonld, OpenTelemetry), by the hook's report.
    const fedify = () =>
      restarted.output().match(/\[import\] @fedify\/(fedify|vocab)\n/g)?.length ?? 0;
    const home = await fetch(`${base}/`);
    expect(home.status).toBe(200);
    const page = await fetch(`${base}/actors/mulhouse`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<html");
    const workspace = await fetch(`${base}/admin/login`);
    expect(workspace.status).toBe(200);
    const api = await fetch(`${base}/api/v1/territories/mulhouse`);
    expect(api.status).toBe(200);
    expect(fedify()).toBe(0);
    const nodeinfo = await fetch(`${base}/.well-known/nodeinfo`);
    expect(nodeinfo.status).toBe(200);
    expect(fedify()).toBeGreaterThan(0);
    const actor = await fetch(`${base}/actors/mulhouse`, {
      headers: { accept: "application/activity+json" },
    });
    expect(((await actor.json()) as { type: string }).type).toBe("Organization");
  });
});
