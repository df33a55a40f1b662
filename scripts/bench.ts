/**
 * `npm run bench`: the node's own figures, each printed beside its baseline measured in the same
 * run, n ≥ 20 for every figure, and whether its goal is met (docs/benchmarks.md):
 *
 * - CSV import of 100 000 generated criteria through the import service, against bare
 *   better-sqlite3 writing the same rows into the same schema (csv-parse, one prepared INSERT in
 *   one transaction, no checks); goal ≤ 1.3× bare. The synthesis of the period, against the
 *   plain GROUP BY; goal ≤ 2× bare. Each case in a child process of its own (its peak RSS is its
 *   own), ours and bare in turn.
 * - A light node: the compiled node (scripts/build.ts, started as scripts/start.sh starts it)
 *   against a hello-world Node HTTP server, in turn: cold start (process start → first answer
 *   to a visitor's page, `/`; goal ≤ 2 s and ≤ 15×) and idle RSS (30 s after it; goal ≤ 100 MB
 *   and ≤ 2.5×); beside them the same node started up to its first answer to a peer's NodeInfo
 *   request (which loads Fedify) and its idle RSS after it; then RSS during a minute of writes
 *   through the API and after it (bounded: no growth in the second half of the minute, back
 *   near the start once idle).
 *
 * `npm run bench -- csv` or `-- light` runs one part. BENCH_RUNS (default 20) and BENCH_ROWS
 * (default 100 000) change the sizes; fewer than 20 runs are printed as such.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
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
  percentile,
  progress,
  required,
  runCase,
  sleep,
  tableLine,
  timeLoop,
} from "./lib/harness";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const GROUPS = 40;
const SYNTHESIS_SAMPLES = 21;
const PERIOD = { start: "2026-01-01", end: "2026-12-31" };
const silent = { info() {}, warn() {}, error() {} };
const goal = (ok: boolean) => (ok ? "goal met" : "goal NOT MET");

// ---------------------------------------------------------------------------------------------
// CSV import and synthesis

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
  importCpuMs: number;
  synthesisMs: number[];
  peakRssMiB: number;
  rows: number;
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

/** Wall and CPU milliseconds of `fn` (CPU: this process, all threads). */
function timed<T>(fn: () => T): { value: T; ms: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = fn();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { value, ms, cpuMs: (used.user + used.system) / 1000 };
}

/** The node's path: CSV import service (validation, code parsing, insert) and synthesis preview. */
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
  const run = timed(() =>
    node.services.imports.import(slug, csv, { dryRun: false, codes: "validated" }, "bench"),
  );
  const synthesisMs = timeLoop(SYNTHESIS_SAMPLES, Number.POSITIVE_INFINITY, () => {
    const preview = node.services.syntheses.preview(slug, PERIOD);
    if (!preview.payload || preview.payload.totals.criteria !== ROWS)
      throw new Error("synthesis mismatch");
  });
  node.close();
  return {
    importMs: run.ms,
    importCpuMs: run.cpuMs,
    synthesisMs,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    rows: run.value.imported,
  };
}

/**
 * Bare better-sqlite3 on the same schema (the node's migrations): csv-parse, one prepared
 * INSERT of the same columns and values the node writes, in one transaction; no checks.
 */
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
  const at = new Date().toISOString();
  const run = timed(() => {
    const records = parse(csv, { from_line: 2 }) as string[][];
    const insert = sqlite.prepare(
      "insert into criteria (group_id, question, text, language, code, component, dimension, status, classified_by, classified_at) values (?, ?, ?, null, ?, ?, ?, 'validated', 'bench', ?)",
    );
    sqlite.transaction(() => {
      for (const [group = "", question, text, code = ""] of records) {
        insert.run(
          groupIds.get(group),
          question,
          text,
          code,
          code.slice(0, 3),
          code.slice(0, 1),
          at,
        );
      }
    })();
    return records.length;
  });
  const groupBy = sqlite.prepare(
    "select group_id, question, component, count(*) as n from criteria where status = 'validated' and group_id in (select id from groups where territory_id = 1 and first_session between '2026-01-01' and '2026-12-31') group by group_id, question, component",
  );
  const synthesisMs = timeLoop(SYNTHESIS_SAMPLES, Number.POSITIVE_INFINITY, () => groupBy.all());
  sqlite.close();
  return {
    importMs: run.ms,
    importCpuMs: run.cpuMs,
    synthesisMs,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    rows: run.value,
  };
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

async function benchCsv(): Promise<void> {
  const csvMiB = generateCsv(ROWS).length / 1024 / 1024;
  console.log(
    `CSV import and synthesis — ${ROWS.toLocaleString("en")} criteria (${csvMiB.toFixed(1)} MiB CSV), ${GROUPS} groups, ${RUNS} runs of each (ours and bare in turn, each in its own process), database on disk (WAL, synchronous=FULL)\n`,
  );
  let done = 0;
  const { ours, bare } = await pairedRuns(RUNS, ["ours", "bare"] as const, async (which) => {
    const result = await measure(which);
    if (which === "bare") progress(`CSV run ${++done}/${RUNS}`);
    return result;
  });
  for (const r of [...ours, ...bare]) {
    if (r.rows !== ROWS) throw new Error(`a case imported ${r.rows} rows, not ${ROWS}`);
  }
  const m = medianOf<CaseResult>;
  // The ratio of each pair (ours and the bare run right after it), then their median: a pair
  // shares the machine's load of the moment.
  const pairRatio = (key: "importMs" | "importCpuMs") =>
    median(ours.map((o, i) => o[key] / (bare[i] as CaseResult)[key]));
  const importRatio = pairRatio("importMs");
  const oursSynth = ours.flatMap((r) => r.synthesisMs);
  const bareSynth = bare.flatMap((r) => r.synthesisMs);
  const synthRatio = median(oursSynth) / median(bareSynth);
  const rate = (ms: number) => Math.round((ROWS / ms) * 1000).toLocaleString("en");
  const line = tableLine([44, 12, 13, 8, 8]);
  console.log(line(["", "node", "bare sqlite", "ratio", "n"]));
  const rows: string[][] = [
    [
      "CSV import, wall p50 (parse, check, insert)",
      `${m(ours, "importMs").toFixed(0)} ms`,
      `${m(bare, "importMs").toFixed(0)} ms`,
      importRatio.toFixed(2),
      String(ours.length),
    ],
    [
      "  p99",
      `${percentile(
        ours.map((r) => r.importMs),
        0.99,
      ).toFixed(0)} ms`,
      `${percentile(
        bare.map((r) => r.importMs),
        0.99,
      ).toFixed(0)} ms`,
      "",
      "",
    ],
    ["  rows/s at p50", rate(m(ours, "importMs")), rate(m(bare, "importMs")), "", ""],
    [
      "  CPU time p50",
      `${m(ours, "importCpuMs").toFixed(0)} ms`,
      `${m(bare, "importCpuMs").toFixed(0)} ms`,
      pairRatio("importCpuMs").toFixed(2),
      String(ours.length),
    ],
    [
      "  peak RSS of the process p50",
      `${m(ours, "peakRssMiB").toFixed(0)} MiB`,
      `${m(bare, "peakRssMiB").toFixed(0)} MiB`,
      "",
      String(ours.length),
    ],
    [
      "Synthesis of the period p50",
      `${median(oursSynth).toFixed(1)} ms`,
      `${median(bareSynth).toFixed(1)} ms`,
      synthRatio.toFixed(2),
      String(oursSynth.length),
    ],
    [
      "  p99",
      `${percentile(oursSynth, 0.99).toFixed(1)} ms`,
      `${percentile(bareSynth, 0.99).toFixed(1)} ms`,
      "",
      "",
    ],
  ];
  for (const r of rows) console.log(line(r));
  console.log(
    `\nCSV import: ${importRatio.toFixed(2)}× bare better-sqlite3 (median of the ${ours.length} paired ratios; goal ≤ 1.3): ${goal(importRatio <= 1.3)}`,
  );
  console.log(
    `synthesis:  ${synthRatio.toFixed(2)}× the bare GROUP BY (goal ≤ 2): ${goal(synthRatio <= 2)}`,
  );
  if (ours.length < 20) console.log(`(only ${ours.length} runs: BENCH_RUNS is below 20)`);
}

// ---------------------------------------------------------------------------------------------
// A light node: cold start, idle RSS, RSS under a minute of writes

/** The node flags scripts/start.sh starts the node with (its NODE_RUN_FLAGS line). */
function startFlags(): string[] {
  const script = readFileSync(path.join(ROOT, "scripts/start.sh"), "utf8");
  const flags = /^NODE_RUN_FLAGS=\(([^)]*)\)$/m.exec(script);
  if (!flags) throw new Error("scripts/start.sh has no NODE_RUN_FLAGS=(…) line");
  return (flags[1] ?? "").split(/\s+/).filter(Boolean);
}

const HELLO = `require("node:http").createServer((req, res) => res.end("hello")).listen(Number(process.env.PORT), "127.0.0.1")`;

interface Started {
  pid: number;
  port: number;
  startMs: number;
  startCpuMs: number;
  startedAt: number;
  stop(): Promise<void>;
}

let nextPort = 18_400 + Math.floor(Math.random() * 1000);

/** The resident set of a process now, MiB (VmRSS). */
function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
}

/** CPU time a process has used so far, ms (utime + stime; clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Spawns `args` and waits for its first HTTP answer on `probe`; the time it took. */
async function startServer(
  args: string[],
  env: NodeJS.ProcessEnv,
  probe: string,
): Promise<Started> {
  const port = nextPort++;
  const startedAt = performance.now();
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  proc.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const deadline = startedAt + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`the server exited: ${stderr.slice(0, 500)}`);
    if (performance.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error("the server did not answer within 60 s");
    }
    try {
      const response = await fetch(`http://127.0.0.1:${port}${probe}`);
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    await sleep(5);
  }
  const startMs = performance.now() - startedAt;
  return {
    pid: proc.pid as number,
    port,
    startMs,
    startCpuMs: cpuMs(proc.pid as number),
    startedAt: performance.now(),
    async stop() {
      proc.kill("SIGTERM");
      await exited;
    },
  };
}

const IDLE_MS = 30_000;
/** Servers kept idle at once while the next ones start (idle servers use no CPU). */
const WINDOW = 5;

interface LightSample {
  startMs: number;
  startCpuMs: number;
  firstAnswerRssMiB: number;
  idleRssMiB: number;
}

/** What each start of the light-node bench is, and the request whose answer ends its start. */
const KINDS = {
  // A visitor's first request: the territory's public page (Fedify is not loaded for it).
  node: "/",
  // A peer's first request: NodeInfo, which loads Fedify (docs/architecture.md, "How
  // federation is loaded"); its idle RSS is the node's after federation work.
  federating: "/nodeinfo/2.1",
  hello: "/",
} as const;
type Kind = keyof typeof KINDS;

/**
 * Starts the node (answering a page), the node (answering NodeInfo) and the hello-world server in
 * turn, `RUNS` times each: cold start to the first answer, RSS then, and RSS after IDLE_MS
 * without a request. Up to WINDOW servers wait out their idle time together so that the whole
 * takes minutes, not RUNS × 30 s.
 */
async function coldStarts(seeded: string, flags: string[]) {
  const results: Record<Kind, LightSample[]> = { node: [], federating: [], hello: [] };
  const waiting: Array<{ kind: Kind; server: Started; sample: LightSample; dir?: string }> = [];
  const settle = async (all: boolean) => {
    while (waiting.length > (all ? 0 : WINDOW - 1)) {
      const oldest = waiting.shift();
      if (!oldest) break;
      const left = oldest.server.startedAt + IDLE_MS - performance.now();
      if (left > 0) await sleep(left);
      oldest.sample.idleRssMiB = rssMiB(oldest.server.pid);
      await oldest.server.stop();
      if (oldest.dir) rmSync(oldest.dir, { recursive: true, force: true });
      results[oldest.kind].push(oldest.sample);
    }
  };
  for (let run = 0; run < RUNS; run++) {
    for (const kind of Object.keys(KINDS) as Kind[]) {
      await settle(false);
      let dir: string | undefined;
      let server: Started;
      if (kind !== "hello") {
        dir = mkdtempSync(path.join(tmpdir(), "spiral-bench-node-"));
        cpSync(seeded, dir, { recursive: true });
        server = await startServer(
          [...flags, "node/dist/js/main.js"],
          { ...process.env, DATA_DIR: dir, LOG_LEVEL: "warn" },
          KINDS[kind],
        );
      } else {
        server = await startServer(["-e", HELLO], process.env, KINDS.hello);
      }
      const sample = {
        startMs: server.startMs,
        startCpuMs: server.startCpuMs,
        firstAnswerRssMiB: rssMiB(server.pid),
        idleRssMiB: Number.NaN,
      };
      waiting.push({ kind, server, sample, ...(dir ? { dir } : {}) });
    }
    progress(`cold start ${run + 1}/${RUNS}`);
  }
  await settle(true);
  return results;
}

/** A minute of writes through the API (4 clients adding criteria), RSS sampled every 3 s. */
async function writeLoad(seeded: string, flags: string[]) {
  const dir = mkdtempSync(path.join(tmpdir(), "spiral-bench-load-"));
  cpSync(seeded, dir, { recursive: true });
  const server = await startServer(
    [...flags, "node/dist/js/main.js"],
    { ...process.env, DATA_DIR: dir, LOG_LEVEL: "warn" },
    "/",
  );
  try {
    const base = `http://127.0.0.1:${server.port}/api/v1/territories/mulhouse`;
    const token = readFileSync(path.join(dir, "admin-token"), "utf8").trim();
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    await sleep(IDLE_MS - (performance.now() - server.startedAt));
    const before = rssMiB(server.pid);
    const groupsResponse = await fetch(`${base}/groups`, { headers });
    const groupList = (await groupsResponse.json()) as
      | Array<{ id: number }>
      | { items: Array<{ id: number }> };
    const ids = (Array.isArray(groupList) ? groupList : groupList.items).map((g) => g.id);
    const latencies: number[] = [];
    const failures: string[] = [];
    const samples: number[] = [];
    const end = performance.now() + 60_000;
    let n = 0;
    const client = async () => {
      while (performance.now() < end) {
        const i = n++;
        const t0 = performance.now();
        const response = await fetch(`${base}/groups/${ids[i % ids.length]}/criteria`, {
          method: "POST",
          headers,
          body: JSON.stringify({
            question: `Q${1 + (i % 3)}`,
            text: `critère de charge n°${i} ${"texte ".repeat(i % 20)}`,
          }),
        });
        await response.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (response.status !== 201 && response.status !== 200)
          failures.push(String(response.status));
      }
    };
    const sampler = (async () => {
      while (performance.now() < end) {
        await sleep(3_000);
        samples.push(rssMiB(server.pid));
      }
    })();
    await Promise.all([client(), client(), client(), client(), sampler]);
    await sleep(IDLE_MS);
    const after = rssMiB(server.pid);
    return { before, samples, after, latencies, failures };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchLight(): Promise<void> {
  const flags = startFlags();
  // The start command's build, timed (it runs only when a source changed).
  const build = timed(() =>
    spawnSync(process.execPath, ["--import", "tsx", "scripts/build.ts"], {
      cwd: ROOT,
      stdio: "inherit",
    }),
  );
  if (build.value.status !== 0) throw new Error("scripts/build.ts failed");
  // A data directory the node has started on once (demo territory seeded), copied for each start.
  const seeded = mkdtempSync(path.join(tmpdir(), "spiral-bench-seeded-"));
  try {
    const first = await startServer(
      [...flags, "node/dist/js/main.js"],
      { ...process.env, DATA_DIR: seeded, LOG_LEVEL: "warn" },
      "/nodeinfo/2.1",
    );
    await first.stop();
    rmSync(path.join(seeded, "node.lock"), { force: true });
    console.log(
      `A light node — the compiled node (node ${flags.join(" ")} node/dist/js/main.js, as scripts/start.sh runs it, on a copy of a data directory with the demo territory) and a hello-world node:http server, started in turn ${RUNS} times each; build ${build.ms.toFixed(0)} ms (not counted: the start script builds only after a change); first start with demo seeding ${first.startMs.toFixed(0)} ms\n`,
    );
    const { node, federating, hello } = await coldStarts(seeded, flags);
    const p = (xs: LightSample[], key: keyof LightSample, q = 0.5) =>
      percentile(
        xs.map((x) => x[key]),
        q,
        "upper",
      );
    const ratio = (xs: LightSample[], key: keyof LightSample) =>
      median(xs.map((x, i) => x[key] / (hello[i] as LightSample)[key]));
    console.log(
      `Columns: "page" = the node up to its first answer to a visitor's page (/), Fedify not loaded; "federation" = the node up to its first answer to a peer's NodeInfo request (/nodeinfo/2.1), which loads Fedify; ratios against hello-world, run by run.\n`,
    );
    const line = tableLine([40, 10, 12, 13, 8, 8, 5]);
    console.log(line(["", "page", "federation", "hello-world", "ratio p", "ratio f", "n"]));
    const row = (label: string, key: keyof LightSample, unit: string, digits: number, q = 0.5) =>
      console.log(
        line([
          label,
          `${p(node, key, q).toFixed(digits)} ${unit}`,
          `${p(federating, key, q).toFixed(digits)} ${unit}`,
          `${p(hello, key, q).toFixed(digits)} ${unit}`,
          q === 0.5 ? ratio(node, key).toFixed(2) : "",
          q === 0.5 ? ratio(federating, key).toFixed(2) : "",
          String(node.length),
        ]),
      );
    row("cold start p50 (spawn → first answer)", "startMs", "ms", 0);
    row("  p99", "startMs", "ms", 0, 0.99);
    row("  CPU time to the first answer p50", "startCpuMs", "ms", 0);
    row("RSS at the first answer p50", "firstAnswerRssMiB", "MiB", 0);
    row(`idle RSS p50 (${IDLE_MS / 1000} s after that answer)`, "idleRssMiB", "MiB", 0);
    row("  max", "idleRssMiB", "MiB", 0, 1);
    const startP50 = p(node, "startMs");
    const idleP50 = p(node, "idleRssMiB");
    console.log(
      `\ncold start (to a visitor's page): ${(startP50 / 1000).toFixed(2)} s and ${ratio(node, "startMs").toFixed(1)}× hello-world (goal ≤ 2 s and ≤ 15×): ${goal(startP50 <= 2000 && ratio(node, "startMs") <= 15)}`,
    );
    console.log(
      `idle RSS (pages served, no federation yet): ${idleP50.toFixed(0)} MiB and ${ratio(node, "idleRssMiB").toFixed(2)}× hello-world (goal ≤ 100 MB and ≤ 2.5×): ${goal(idleP50 <= 100 && ratio(node, "idleRssMiB") <= 2.5)}`,
    );
    console.log(
      `with federation (first answer to NodeInfo, Fedify loaded): cold start ${(p(federating, "startMs") / 1000).toFixed(2)} s and ${ratio(federating, "startMs").toFixed(1)}× hello-world; idle RSS ${p(federating, "idleRssMiB").toFixed(0)} MiB and ${ratio(federating, "idleRssMiB").toFixed(2)}× (the goals are the page's; shown so that the cost of Fedify stays in sight)`,
    );

    const load = await writeLoad(seeded, flags);
    const half = Math.floor(load.samples.length / 2);
    const firstHalf = Math.max(...load.samples.slice(0, half));
    const secondHalf = Math.max(...load.samples.slice(half));
    const bounded = secondHalf <= firstHalf * 1.1 && load.after <= load.before * 1.5;
    console.log(
      `\nA minute of writes (4 API clients adding criteria one by one, ${load.latencies.length} requests, ${load.failures.length} failed):`,
    );
    console.log(
      `  request p50 ${percentile(load.latencies, 0.5).toFixed(1)} ms, p99 ${percentile(load.latencies, 0.99).toFixed(1)} ms (n = ${load.latencies.length})`,
    );
    console.log(
      `  RSS idle before ${load.before.toFixed(0)} MiB; every 3 s under load (n = ${load.samples.length}): ${load.samples.map((x) => x.toFixed(0)).join(" ")} MiB; ${IDLE_MS / 1000} s after ${load.after.toFixed(0)} MiB`,
    );
    console.log(
      `memory under load: max ${firstHalf.toFixed(0)} MiB in the first half-minute, ${secondHalf.toFixed(0)} MiB in the second (bounded: ≤ +10 %, and back within 1.5× of idle after): ${goal(bounded)}`,
    );
  } finally {
    rmSync(seeded, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  // The bench re-runs itself as a child process per CSV case (see measure).
  const which = process.argv[2];
  if (which === "ours" || which === "bare") {
    child(which);
    return;
  }
  const parts = which === "csv" || which === "light" ? [which] : ["csv", "light"];
  console.log(
    `Spiral Network benchmark — Node ${process.version}, ${process.platform}/${process.arch}, load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")} at the start\n`,
  );
  if (parts.includes("light")) await benchLight();
  if (parts.includes("csv")) {
    if (parts.length > 1) console.log("");
    await benchCsv();
  }
}

await main();
