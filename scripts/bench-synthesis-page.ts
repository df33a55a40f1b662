/**
 * `npm run bench:synthesis-page` (node --import tsx scripts/bench-synthesis-page.ts): the
 * workspace's synthesis page against the service call it is built on (docs/benchmarks.md,
 * printed, never asserted). Goal: the page ≤ 2× the service.
 *
 * 1. A node on a temp-file database with one territory, 40 groups and BENCH_ROWS (100 000)
 *    validated criteria imported from a generated CSV, an admin account and a session.
 * 2. Paired runs (BENCH_RUNS, default 25, at least 20), in turn in the same process:
 *    - page: GET /admin/synthesis?start=…&end=… over HTTP (a real listener on 127.0.0.1, the
 *      session cookie), the whole answer read: the application layer's query, chart rows, the
 *      HTML, the transport;
 *    - service: `services.syntheses.figures`, the per-group SQL tallies the page is built from.
 * 3. Prints both medians and p90s and the ratio of the medians against the goal.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { createAdaptorServer } from "@hono/node-server";
import { SESSION_COOKIE } from "@spiral-network/node/admin";
import { createNode } from "@spiral-network/node/node";
import { defaultGrid } from "@spiral-network/protocol";
import {
  closeServer,
  envNumber,
  envSamples,
  listen,
  median,
  pairedRuns,
  percentile,
  progress,
  silentLogger,
  tableLine,
  watchdog,
} from "./lib/harness";
import { seededRandom } from "./lib/seeded-random";

const ROWS = envNumber("BENCH_ROWS", 100_000);
const RUNS = envSamples("BENCH_RUNS", 25);
const TIMEOUT_MS = envNumber("BENCH_TIMEOUT_MS", 300_000);
const GROUPS = 40;
const GOAL_RATIO = 2;
const PERIOD = { start: "2026-01-01", end: "2026-12-31" };
const SLUG = "bench";

/** 100 000 criteria over the 40 groups, Q1–Q3, every component of the grid, validated. */
function generateCsv(rows: number): Buffer {
  const random = seededRandom(42);
  const components = defaultGrid.components.map((c) => c.code);
  const lines = ["group,question,text,code"];
  for (let i = 0; i < rows; i++) {
    const component = components[Math.floor(random() * components.length)] as string;
    lines.push(
      `Groupe ${1 + (i % GROUPS)},Q${1 + Math.floor(random() * 3)},critère n°${i},${component}`,
    );
  }
  return Buffer.from(`${lines.join("\n")}\n`, "utf8");
}

async function main() {
  const stop = watchdog("bench-synthesis-page", TIMEOUT_MS);
  const dir = mkdtempSync(path.join(tmpdir(), "spiral-bench-page-"));
  const node = createNode({
    databaseFile: path.join(dir, "bench.db"),
    publicUrl: "http://bench.test",
    logger: silentLogger,
  });
  let server: http.Server | undefined;
  try {
    const { services } = node;
    progress(`loading ${ROWS} criteria into ${GROUPS} groups`);
    services.territories.create(
      { slug: SLUG, name: "Bench", country: "FR", languages: ["fr"] },
      "bench",
    );
    for (let i = 0; i < GROUPS; i++) {
      services.groups.create(
        SLUG,
        {
          label: `Groupe ${i + 1}`,
          category: i % 2 === 0 ? "young-people" : "elderly-people",
          sessionDates: ["2026-03-01"],
          participants: 10,
          cycle: 1,
        },
        "bench",
      );
    }
    const imported = services.imports.import(
      SLUG,
      generateCsv(ROWS),
      { dryRun: false, codes: "validated" },
      "bench",
    );
    if (imported.imported !== ROWS) throw new Error(`imported ${imported.imported} of ${ROWS}`);
    const user = await services.users.create(
      { name: "Bench", email: "bench@example.org", password: "bench-password-1", role: "admin" },
      "bench",
    );
    const { cookie } = services.sessions.create(user.id);
    server = createAdaptorServer({ fetch: node.app.fetch }) as http.Server;
    const base = await listen(server);
    const url = `${base}/admin/synthesis?start=${PERIOD.start}&end=${PERIOD.end}`;
    const headers = { cookie: `${SESSION_COOKIE}=${cookie}` };

    const page = async () => {
      const start = performance.now();
      const response = await fetch(url, { headers });
      const html = await response.text();
      const ms = performance.now() - start;
      if (response.status !== 200) throw new Error(`GET /admin/synthesis: ${response.status}`);
      if (!html.includes(`${ROWS} validated criteria`))
        throw new Error("the page does not count them all");
      return ms;
    };
    const service = () => {
      const start = performance.now();
      const figures = services.syntheses.figures(SLUG, PERIOD);
      const ms = performance.now() - start;
      const counted = figures.groups.reduce(
        (sum, g) => sum + g.counts.reduce((n, x) => n + x.count, 0),
        0,
      );
      if (counted !== ROWS) throw new Error(`the service counted ${counted} of ${ROWS}`);
      return ms;
    };
    // One of each first: compiled statements, the page's modules, the connection.
    await page();
    service();
    progress(`${RUNS} paired runs`);
    const results = await pairedRuns(RUNS, ["page", "service"] as const, (name) =>
      name === "page" ? page() : service(),
    );
    const line = tableLine([34, 12, 12]);
    const pageMs = median(results.page);
    const serviceMs = median(results.service);
    const ratio = pageMs / serviceMs;
    console.log(`Synthesis page, ${ROWS} criteria in ${GROUPS} groups, ${RUNS} paired runs`);
    console.log(line(["", "median ms", "p90 ms"]));
    console.log(
      line([
        "GET /admin/synthesis (HTTP)",
        pageMs.toFixed(1),
        percentile(results.page, 0.9).toFixed(1),
      ]),
    );
    console.log(
      line([
        "services.syntheses.figures",
        serviceMs.toFixed(1),
        percentile(results.service, 0.9).toFixed(1),
      ]),
    );
    console.log(
      `page / service: ${ratio.toFixed(2)}× (goal ≤ ${GOAL_RATIO}×): ${ratio <= GOAL_RATIO ? "met" : "NOT met"}`,
    );
  } finally {
    if (server) await closeServer(server);
    node.close();
    rmSync(dir, { recursive: true, force: true });
    stop();
  }
}

await main();
