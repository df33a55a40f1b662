/**
 * `npm run bench:grid-versions` (node --import tsx scripts/bench-grid-versions.ts): what counting
 * syntheses of several grid versions together costs (docs/benchmarks.md). Nothing is asserted.
 *
 * ORIGINS syntheses (default 2,000, ~50 non-zero cells each, one period each) are held in one
 * aggregation state twice: all coded with 2026.2-partial (the baseline: one version, counts
 * added as they are), and half of them with a made-up grid 3 that splits A01 and C00 (its
 * mapping from 2026.2), the node knowing both (each synthesis's counts re-keyed at the shared
 * level before they are added). For each, `aggregate()` (the protocol's full recomputation) is
 * timed, the two interleaved run after run (REPS, default 30), plus the shared-level plan alone.
 *
 * Then the node itself: two nodes on temp-file databases hold the same syntheses through
 * `services.received.accept` (one all 2026.2, one mixed with grid 3 accepted as known), and each
 * sample applies one new version of a random synthesis and times the first
 * `services.aggregates.query` after it (the incremental totals, summed over one version's rows
 * or over both and re-keyed), interleaved, n = REPS each. HTTP is measured by bench-aggregates.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createNode, type SpiralNode } from "@spiral-network/node/node";
import {
  aggregate,
  bundledGrids,
  contentHash,
  emptyState,
  type Grid,
  gridCatalog,
  loadGrid,
  mappingOf,
  mergeRecords,
  type SynthesisPayload,
  sharedLevel,
  synthesisRecord,
} from "@spiral-network/protocol";
import { median, pairedRuns, percentile, progress, time, watchdog } from "./lib/harness";
import { seededRandom } from "./lib/seeded-random";

const ORIGINS = Number(process.env.BENCH_ORIGINS ?? 2000);
const REPS = Math.max(20, Number(process.env.BENCH_REPS ?? 30));
const stop = watchdog("bench-grid-versions", Number(process.env.BENCH_TIMEOUT_MS ?? 120_000));

const [v1, v2] = bundledGrids as [Grid, Grid];
const v2held = loadGrid({ ...v2.file, mapping: mappingOf(v1, v2) });
const v3 = loadGrid(
  JSON.parse(
    readFileSync(new URL("../test/fixtures/grid-spiral-9d-3-test.json", import.meta.url), "utf8"),
  ),
);
const catalog = gridCatalog([v1, v2held, v3]);
const random = seededRandom(42);

function payload(i: number, version: string, revision = 1): SynthesisPayload {
  const grid = version === v3.version ? v3 : v2;
  const codes = grid.components.map((c) => c.code);
  const counts: Record<string, Record<string, number>> = {};
  for (const question of ["Q1", "Q2", "Q3"]) {
    const cells: Record<string, number> = {};
    for (let k = 0; k < 17; k++) {
      const code = codes[Math.floor(random() * codes.length)] as string;
      cells[code] = (cells[code] ?? 0) + 1 + Math.floor(random() * 4);
    }
    counts[question] = cells;
  }
  const criteria = Object.values(counts)
    .flatMap((c) => Object.values(c))
    .reduce((a, b) => a + b, 0);
  return {
    territory: { id: `https://n${i}.example/actors/t${i}`, name: `T${i}`, country: "FR" },
    period: { start: "2026-01-01", end: "2026-12-31" },
    version: revision,
    hash: `sha256:${(i * 1000 + revision).toString(16).padStart(64, "0")}`,
    grid: { id: v2.id, version },
    participants: 20,
    groups: 2,
    counts,
    dimensions: {},
    totals: { criteria },
  } as unknown as SynthesisPayload;
}

progress(`building ${ORIGINS} syntheses twice…`);
const single = mergeRecords(
  emptyState(),
  Array.from({ length: ORIGINS }, (_, i) => synthesisRecord(payload(i, v2.version))),
);
const mixed = mergeRecords(
  emptyState(),
  Array.from({ length: ORIGINS }, (_, i) =>
    synthesisRecord(payload(i, i % 2 === 0 ? v2.version : v3.version)),
  ),
);
const grid = { id: v2.id, version: v2.version };

const runs = await pairedRuns(
  REPS,
  ["one version", "two versions", "plan alone"] as const,
  (name) => {
    if (name === "one version") return time(() => aggregate(single, {}, { grid }));
    if (name === "two versions") return time(() => aggregate(mixed, {}, { grid, grids: catalog }));
    return time(() => sharedLevel(catalog, grid.id, [v2.version, v3.version]));
  },
);
const check = aggregate(mixed, {}, { grid, grids: catalog });

// ---------------------------------------------------------------------------------------------
// The node: the first read after a change, from the incremental totals

const dir = mkdtempSync(path.join(tmpdir(), "spiral-bench-grid-versions-"));
const silent = { info() {}, warn() {}, error() {} };
const open = (name: string): SpiralNode =>
  createNode({
    databaseFile: path.join(dir, `${name}.db`),
    publicUrl: "http://bench.test",
    logger: silent,
  });
const versionOf = (kind: "one" | "two", i: number) =>
  kind === "two" && i % 2 === 1 ? v3.version : v2.version;
const nodes = { one: open("one"), two: open("two") };
const grid3File = v3.file;
nodes.two.services.grids.offer(grid3File, contentHash(grid3File), "https://bench.test/grid3");
nodes.two.services.grids.accept(v3.id, v3.version, "bench");
const revisions = { one: new Map<number, number>(), two: new Map<number, number>() };
const deliver = (kind: "one" | "two", i: number) => {
  const revision = (revisions[kind].get(i) ?? 0) + 1;
  revisions[kind].set(i, revision);
  const p = payload(i, versionOf(kind, i), revision);
  return nodes[kind].services.received.accept({
    origin: p.territory.id,
    objectId: `${new URL(p.territory.id).origin}/syntheses/2026-v${revision}`,
    payload: p,
    activity: { type: "Create" },
    via: null,
  });
};
for (const kind of ["one", "two"] as const) {
  progress(`loading ${ORIGINS} syntheses into the node on ${kind} version(s)…`);
  for (let i = 0; i < ORIGINS; i++) deliver(kind, i);
}
const query = { scope: "verified" as const, robust: false };
for (const kind of ["one", "two"] as const)
  nodes[kind].services.aggregates.query(query, () => true);
const pick = seededRandom(7);
const reads = await pairedRuns(REPS, ["one", "two"] as const, (kind) => {
  deliver(kind, Math.floor(pick() * ORIGINS));
  return time(() => nodes[kind].services.aggregates.query(query, () => true));
});
const served = nodes.two.services.aggregates.query(query, () => true);
for (const node of Object.values(nodes)) node.close();
rmSync(dir, { recursive: true, force: true });
stop();

const ms = (v: number) => (v >= 10 ? v.toFixed(1) : v.toFixed(3));
console.log(
  `Figures over several grid versions — ${ORIGINS.toLocaleString("en")} syntheses, aggregate() over the whole state, n = ${REPS} each, interleaved`,
);
console.log(`${"case".padEnd(44)}${"p50 ms".padStart(10)}${"p90 ms".padStart(10)}`);
const row = (label: string, values: number[]) =>
  console.log(
    `${label.padEnd(44)}${ms(median(values)).padStart(10)}${ms(percentile(values, 0.9)).padStart(10)}`,
  );
row("one version, counts as they are (baseline)", runs["one version"]);
row("2026.2 + grid 3, re-keyed (grouped level)", runs["two versions"]);
row("  the shared-level plan alone", runs["plan alone"]);
console.log(
  `cost of the re-keying: ${(median(runs["two versions"]) / median(runs["one version"])).toFixed(2)}× the baseline; level ${check.gridLevels?.level}, ${check.coverage.included.length} included`,
);
console.log(
  `\nThe node's first read after a change (services.aggregates.query after one new version, incremental totals), n = ${REPS} each, interleaved`,
);
row("one version (baseline)", reads.one);
row("2026.2 + grid 3 (rows of both, re-keyed)", reads.two);
console.log(
  `cost of the second version: ${(median(reads.two) / median(reads.one)).toFixed(2)}× the baseline; against the full recomputation of the same two-version state: ${(median(runs["two versions"]) / median(reads.two)).toFixed(0)}× faster; level ${served.gridLevels?.level}, ${served.coverageCounts.included} included`,
);
