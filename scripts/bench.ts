/**
 * `npm run bench`: import and synthesis figures for 100 000 generated criteria, each measured
 * for the node's own code path and for bare better-sqlite3 doing the same storage work
 * (batched insert, plain GROUP BY), with the ratio. Each case runs in its own child process so
 * that peak RSS is its own. Budgets (read, not asserted): import ≥ 100 000 rows/s and ≤ 2× bare;
 * synthesis ≤ 50 ms and ≤ 2× bare.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openStorage } from "@spiral-network/node/db/open";
import { createNode } from "@spiral-network/node/node";
import { defaultGrid } from "@spiral-network/protocol";
import { parse } from "csv-parse/sync";
import {
  median,
  medianOf,
  pairedRuns,
  required,
  runCase,
  tableLine,
  timeLoop,
} from "./lib/harness";

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const GROUPS = 40;
const RUNS = 3;
const PERIOD = { start: "2026-01-01", end: "2026-12-31" };
const silent = { info() {}, warn() {}, error() {} };

/** A deterministic pseudo-random CSV of criteria, realistic in shape (quoted texts, suffixes). */
function generateCsv(rows: number): Buffer {
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const words =
    "logement travail santé famille amis quartier transport école sécurité respect temps nature argent solitude écoute culture sport".split(
      " ",
    );
  const components = defaultGrid.components.map((c) => c.code);
  const suffixes = ["", "", "", "/P15", "/Q", "/O/k", "-11/P12"];
  const lines = ["group,question,text,code"];
  for (let i = 0; i < rows; i++) {
    const text = Array.from({ length: 4 + Math.floor(random() * 8) }, () => pick(words)).join(" ");
    lines.push(
      `Groupe ${1 + (i % GROUPS)},Q${1 + Math.floor(random() * 3)},"${text}, n°${i}",${pick(components)}${pick(suffixes)}`,
    );
  }
  return Buffer.from(`${lines.join("\n")}\n`, "utf8");
}

interface CaseResult {
  importMs: number;
  synthesisMs: number;
  peakRssMiB: number;
  rows: number;
}

/** A case's figures: the median synthesis time, and the peak RSS of its own process so far. */
function caseResult(importMs: number, synthesisTimes: number[], rows: number): CaseResult {
  return {
    importMs,
    synthesisMs: median(synthesisTimes),
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    rows,
  };
}

function groupInputs() {
  return Array.from({ length: GROUPS }, (_, i) => ({
    label: `Groupe ${i + 1}`,
    category: i % 2 === 0 ? "young-people" : "elderly-people",
    sessionDates: ["2026-03-01"],
    participants: 10,
    cycle: 1,
  }));
}

/** The node's path: CSV import service (validation, code parsing, Drizzle) and synthesis preview. */
function runOurs(dir: string, csv: Buffer): CaseResult {
  const node = createNode({
    databaseFile: path.join(dir, "ours.db"),
    publicUrl: "http://bench.test",
    logger: silent,
  });
  const slug = "bench";
  node.services.territories.create(
    { slug, name: "Bench", country: "FR", languages: ["fr"] },
    "bench",
  );
  for (const g of groupInputs()) node.services.groups.create(slug, g, "bench");
  const t0 = performance.now();
  const result = node.services.imports.import(
    slug,
    csv,
    { dryRun: false, codes: "validated" },
    "bench",
  );
  const importMs = performance.now() - t0;
  const times = timeLoop(7, Number.POSITIVE_INFINITY, () => {
    const preview = node.services.syntheses.preview(slug, PERIOD);
    if (!preview.payload || preview.payload.totals.criteria !== ROWS)
      throw new Error("synthesis mismatch");
  });
  node.close();
  return caseResult(importMs, times, result.imported);
}

/** Bare better-sqlite3: same schema, csv-parse, one prepared INSERT in a transaction, GROUP BY. */
function runBare(dir: string, csv: Buffer): CaseResult {
  const { sqlite } = openStorage(path.join(dir, "bare.db"));
  sqlite
    .prepare(
      "insert into territories (slug, name, country, languages, grid_id, grid_version) values ('bench','Bench','FR','[\"fr\"]','g','1')",
    )
    .run();
  sqlite
    .prepare(
      "insert into group_categories (code, label_en, label_fr) values ('young-people','a','b'), ('elderly-people','c','d')",
    )
    .run();
  const addGroup = sqlite.prepare(
    "insert into groups (territory_id, label, category, session_dates, first_session, participants, cycle) values (1, ?, ?, '[\"2026-03-01\"]', '2026-03-01', 10, 1)",
  );
  for (const g of groupInputs()) addGroup.run(g.label, g.category);
  const groupIds = new Map(
    sqlite
      .prepare("select id, label from groups")
      .all()
      .map((r) => {
        const row = r as { id: number; label: string };
        return [row.label, row.id];
      }),
  );
  const t0 = performance.now();
  const records = parse(csv, { from_line: 2 }) as string[][];
  const insert = sqlite.prepare(
    "insert into criteria (group_id, question, text, code, component, dimension, status) values (?, ?, ?, ?, ?, ?, 'validated')",
  );
  sqlite.transaction(() => {
    for (const [group = "", question, text, code = ""] of records) {
      insert.run(groupIds.get(group), question, text, code, code.slice(0, 3), code.slice(0, 1));
    }
  })();
  const importMs = performance.now() - t0;
  const groupBy = sqlite.prepare(
    "select group_id, question, component, count(*) as n from criteria where status = 'validated' and group_id in (select id from groups where territory_id = 1 and first_session between '2026-01-01' and '2026-12-31') group by group_id, question, component",
  );
  const times = timeLoop(7, Number.POSITIVE_INFINITY, () => groupBy.all());
  sqlite.close();
  return caseResult(importMs, times, records.length);
}

function child(which: "ours" | "bare"): void {
  const dir = mkdtempSync(path.join(tmpdir(), "spiral-bench-"));
  try {
    const csv = generateCsv(ROWS);
    const result = which === "ours" ? runOurs(dir, csv) : runBare(dir, csv);
    process.stdout.write(JSON.stringify(result));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs one case in a child process of its own (its peak RSS is its own). */
async function measure(which: "ours" | "bare"): Promise<CaseResult> {
  const env = { ...process.env, BENCH_ROWS: String(ROWS) };
  return required(which, await runCase<CaseResult>(fileURLToPath(import.meta.url), which, { env }));
}

async function main(): Promise<void> {
  // The bench re-runs itself as a child process per case (see measure).

  const which = process.argv[2];
  if (which === "ours" || which === "bare") {
    child(which);
    return;
  }

  const csvMiB = generateCsv(ROWS).length / 1024 / 1024;
  console.log(
    `Spiral Network benchmark — ${ROWS.toLocaleString("en")} criteria (${csvMiB.toFixed(1)} MiB CSV), ${GROUPS} groups, median of ${RUNS} runs, database on disk (WAL, synchronous=FULL)`,
  );
  console.log(`Node ${process.version}, ${process.platform}/${process.arch}\n`);
  const { ours, bare } = await pairedRuns(RUNS, ["ours", "bare"] as const, measure);
  const m = medianOf<CaseResult>;
  const oursImport = m(ours, "importMs");
  const bareImport = m(bare, "importMs");
  const oursSynth = m(ours, "synthesisMs");
  const bareSynth = m(bare, "synthesisMs");
  const rate = (ms: number) => Math.round((ROWS / ms) * 1000);
  const verdict = (ok: boolean) => (ok ? "within budget" : "OVER BUDGET");
  const rows = [
    [
      "CSV import (parse, validate, insert)",
      `${oursImport.toFixed(0)} ms`,
      `${bareImport.toFixed(0)} ms`,
      (oursImport / bareImport).toFixed(2),
    ],
    ["  rows/s", rate(oursImport).toLocaleString("en"), rate(bareImport).toLocaleString("en"), ""],
    [
      "  peak RSS of the process",
      `${m(ours, "peakRssMiB").toFixed(0)} MiB`,
      `${m(bare, "peakRssMiB").toFixed(0)} MiB`,
      "",
    ],
    [
      "Synthesis of the period",
      `${oursSynth.toFixed(1)} ms`,
      `${bareSynth.toFixed(1)} ms`,
      (oursSynth / bareSynth).toFixed(2),
    ],
  ];
  const line = tableLine([40, 14, 14, 8]);
  console.log(line(["", "node", "bare sqlite", "ratio"]));
  for (const r of rows) console.log(line(r as string[]));
  console.log("");
  console.log(
    `import:    ${rate(oursImport).toLocaleString("en")} rows/s (budget ≥ 100,000) and ${(oursImport / bareImport).toFixed(2)}× bare (budget ≤ 2): ${verdict(rate(oursImport) >= 100_000 && oursImport / bareImport <= 2)}`,
  );
  console.log(
    `synthesis: ${oursSynth.toFixed(1)} ms (budget ≤ 50) and ${(oursSynth / bareSynth).toFixed(2)}× bare (budget ≤ 2): ${verdict(oursSynth <= 50 && oursSynth / bareSynth <= 2)}`,
  );
}

await main();
