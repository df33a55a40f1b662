/**
 * `npm run bench:aggregates` (node --import tsx scripts/bench-aggregates.ts): network aggregate
 * figures (docs/benchmarks.md, printed). Nothing is asserted; the goals (read p50 ≤ 5 ms and
 * ≥ 50× faster than full recomputation) are only read, and the verdict says which reads meet them.
 *
 * 1. Generates ORIGINS valid synthesis payloads (draftSynthesis, then checked with the payload
 *    schema), one per distinct origin https://nX.example/actors/tX, spread over 30 countries ×
 *    10 regions and 3 periods; Q1–Q3 over the grid's components with a breakdown of 3–5 group
 *    categories, about 150 non-zero cells per payload (territory + category cells); 1 % of the
 *    origins report ten times too many criteria, so that the plausibility rule has work to do.
 * 2. Loads them into a node on a temp-file database (WAL, synchronous=FULL, as in production)
 *    through `services.received.accept`, one transaction each, so that the incremental totals
 *    are built the real way.
 * 3. Reads six figures through `services.aggregates.query`: (a) no filter, (b) a country, (c) a
 *    region, (d) a category + a period range, (e) robust=true, (f) the endorsed scope (a
 *    predicate trusting 9 origins out of 10). Each is read
 *      - warm: the same query again, state unchanged (coverage and fingerprint cached);
 *      - cold: a cache miss with the in-memory state already built, so coverage, plausibility and
 *        the fingerprint are recomputed — what a read pays after a state change once the state
 *        has been rebuilt. Forced with a distinct no-op period bound per read (earlier than every
 *        period start, or later than every period end), which changes the cache key and nothing
 *        else; the other reads that follow a real state change (next item) are counted here too;
 *      - first read after a state change: a higher version of an existing origin is accepted,
 *        then one figure is read; it also rebuilds the in-memory state from `aggregate_entries`
 *        (what the first request after any delivery pays). Few samples: it is slow at this size.
 * 4. The cost of applying one new version: `services.received.accept` of a higher version of an
 *    existing origin (one transaction: received row + aggregate entry + incremental cells).
 * 5. Recomputes the six figures with the protocol's `aggregate()` over the in-memory state (built
 *    once with `mergeRecords`; only `aggregate()` is timed), prints the speed-up and checks that
 *    both answers agree (counts, dimensions, totals, participants, groups, territories, coverage,
 *    flagged origins and fingerprint). Then times the pieces of a cold read separately.
 *
 * Knobs: BENCH_ORIGINS (10000), BENCH_WARM_REPS (200), BENCH_COLD_REPS (30), BENCH_FIRST_READS
 * (1, besides the first read after the load), BENCH_APPLY_REPS (100), BENCH_RECOMPUTE_REPS (20).
 * Every loop is bounded by a count and a time cap, and a watchdog (BENCH_TIMEOUT_MS, default
 * 300 s) ends the run in any case. Progress goes to stderr, the report to stdout. At 10 000
 * origins most of the run (about 2 of 3 minutes) is the load: every accept upserts ~450 rows of
 * incremental totals.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { aggregateEntries } from "@spiral-network/node/db/schema";
import { endorsement } from "@spiral-network/node/figures";
import { createNode } from "@spiral-network/node/node";
import type { AggregateQuery, AggregateResult } from "@spiral-network/node/services/aggregates";
import {
  type Aggregate,
  type AggregateOptions,
  type AggregateState,
  aggregate,
  BUILTIN_GROUP_CATEGORIES,
  coverage,
  DEFAULT_POLICY,
  defaultGrid,
  draftSynthesis,
  emptyState,
  fingerprint,
  type GroupTally,
  mergeRecord,
  mergeRecords,
  type Period,
  payloadCells,
  type Question,
  type SynthesisPayload,
  synthesisPayloadSchema,
  synthesisRecord,
} from "@spiral-network/protocol";
import { and, eq } from "drizzle-orm";
import { mean, percentile, progress, tableLine, timeLoop, watchdog } from "./lib/harness";
import { seededRandom } from "./lib/seeded-random";

const ORIGINS = Number(process.env.BENCH_ORIGINS ?? 10_000);
const WARM_REPS = Number(process.env.BENCH_WARM_REPS ?? 200);
const COLD_REPS = Number(process.env.BENCH_COLD_REPS ?? 30);
const FIRST_READS = Number(process.env.BENCH_FIRST_READS ?? 1);
const APPLY_REPS = Number(process.env.BENCH_APPLY_REPS ?? 100);
const RECOMPUTE_REPS = Number(process.env.BENCH_RECOMPUTE_REPS ?? 20);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 300_000);
/** Time caps (a loop stops at its count or its cap, whichever comes first; at least one run). */
const WARM_CAP_MS = 1_200;
const COLD_CAP_MS = 1_200;
const FIRST_READS_CAP_MS = 40_000;
const APPLY_CAP_MS = 4_000;
const RECOMPUTE_CAP_MS = 1_000;
const PIECE_CAP_MS = 1_000;
const GOAL_P50_MS = 5;
const GOAL_SPEEDUP = 50;

const COUNTRIES =
  "FR PT ES IT DE BE NL LU CH AT PL CZ SK HU RO BG GR HR SI IE GB DK SE NO FI EE LV LT MT CY".split(
    " ",
  );
const REGIONS_PER_COUNTRY = 10;
const PERIODS: Period[] = [
  { start: "2024-01-01", end: "2024-12-31" },
  { start: "2025-01-01", end: "2025-12-31" },
  { start: "2026-01-01", end: "2026-06-30" },
];
const QUESTIONS_USED: Question[] = ["Q1", "Q2", "Q3"];
const CATEGORIES = BUILTIN_GROUP_CATEGORIES.map((c) => c.code);
const COMPONENTS = defaultGrid.components.map((c) => c.code);
/** Cells a category's groups fill, out of Q1–Q3 × the grid's components. */
const CELLS_PER_CATEGORY = 24;
/** One origin in OUTLIER_EVERY reports ten times too many criteria (flagged as implausible). */
const OUTLIER_EVERY = 100;
/** The endorsed scope of the bench trusts every origin but one in UNTRUSTED_EVERY. */
const UNTRUSTED_EVERY = 10;
const GRID = { id: defaultGrid.id, version: defaultGrid.version };
const silent = { info() {}, warn() {}, error() {} };

// ---------------------------------------------------------------------------------------------
// Deterministic payloads

const originOf = (i: number) => `https://n${i}.example/actors/t${i}`;

interface OriginPlan {
  index: number;
  origin: string;
  country: string;
  region: string;
  period: Period;
  groups: GroupTally[];
}

/** Where an origin is, which period it reports on, and its groups' tallies. */
function planOrigin(index: number): OriginPlan {
  const random = seededRandom(index * 7919 + 17);
  const int = (n: number) => Math.floor(random() * n);
  const country = COUNTRIES[int(COUNTRIES.length)] as string;
  const region = `${country}-R${int(REGIONS_PER_COUNTRY) + 1}`;
  const period = PERIODS[int(PERIODS.length)] as Period;
  const categories = [...CATEGORIES].sort(() => random() - 0.5).slice(0, 3 + int(3));
  const cells = QUESTIONS_USED.flatMap((question) =>
    COMPONENTS.map((component) => ({ question, component })),
  );
  const factor = index % OUTLIER_EVERY === OUTLIER_EVERY - 1 ? 10 : 1;
  const groups: GroupTally[] = [];
  for (const category of categories) {
    const picked = [...cells].sort(() => random() - 0.5).slice(0, CELLS_PER_CATEGORY);
    const groupCount = 1 + int(2);
    for (let g = 0; g < groupCount; g++) {
      // Each group of the category tallies its share of the category's cells.
      const share = picked.filter((_, c) => c % groupCount === g);
      groups.push({
        category,
        participants: 5 + int(8),
        counts: share.map((cell) => ({ ...cell, count: (1 + int(4)) * factor })),
      });
    }
  }
  return { index, origin: originOf(index), country, region, period, groups };
}

/** The payload of version `version` (each version adds one group of 5 to the first category). */
function buildPayload(plan: OriginPlan, version: number, previous: SynthesisPayload | null) {
  const extra: GroupTally[] = [];
  for (let v = 2; v <= version; v++) {
    extra.push({
      category: plan.groups[0]?.category ?? "residents",
      participants: 5,
      counts: [
        { question: "Q1", component: COMPONENTS[v % COMPONENTS.length] as string, count: 2 },
      ],
    });
  }
  const { payload, blockers } = draftSynthesis({
    territory: {
      id: plan.origin,
      name: `Territory ${plan.index}`,
      country: plan.country,
      region: plan.region,
    },
    period: plan.period,
    grid: GRID,
    groups: [...plan.groups, ...extra],
    previous: previous
      ? { version: previous.version, hash: previous.hash, participants: previous.participants }
      : null,
    correction: false,
    policy: DEFAULT_POLICY,
  });
  if (!payload || payload.version !== version) {
    throw new Error(`origin ${plan.index} v${version} not publishable: ${blockers.join("; ")}`);
  }
  const parsed = synthesisPayloadSchema.safeParse(payload);
  if (!parsed.success) throw new Error(`origin ${plan.index}: invalid payload ${parsed.error}`);
  return parsed.data;
}

/** Non-zero cells of a payload: its territory counts plus every category's counts. */
const nonZeroCells = (payload: SynthesisPayload) =>
  payloadCells(payload).length +
  (payload.categories ?? []).reduce(
    (sum, c) => sum + payloadCells(payload, { category: c.category }).length,
    0,
  );

/** What `accept` receives: the payload and a stand-in for the verified Create (stored as is). */
function delivery(payload: SynthesisPayload) {
  const origin = payload.territory.id;
  const host = new URL(origin).origin;
  const objectId = `${host}/syntheses/${payload.period.start}-v${payload.version}`;
  return {
    origin,
    objectId,
    payload,
    activity: {
      "@context": [
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/data-integrity/v1",
      ],
      type: payload.version === 1 ? "Create" : "Update",
      id: `${objectId}#activity`,
      actor: origin,
      object: {
        type: "Article",
        id: objectId,
        attributedTo: origin,
        source: {
          content: JSON.stringify(payload),
          mediaType: "application/vnd.spiral.synthesis+json",
        },
      },
      proof: {
        type: "DataIntegrityProof",
        cryptosuite: "eddsa-jcs-2022",
        verificationMethod: `${origin}#ed25519-key`,
        proofPurpose: "assertionMethod",
        proofValue: `z${"x".repeat(86)}`,
        created: "2026-06-30T12:00:00Z",
      },
    },
    via: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Measuring

const p50 = (values: readonly number[]) => percentile(values, 0.5);
const p99 = (values: readonly number[]) => percentile(values, 0.99);

const ms = (value: number) =>
  Number.isNaN(value)
    ? "—"
    : value < 1
      ? value.toFixed(3)
      : value < 100
        ? value.toFixed(2)
        : value.toFixed(0);
const ratio = (value: number) =>
  Number.isFinite(value) ? `${value >= 100 ? value.toFixed(0) : value.toFixed(1)}×` : "—";
const seconds = (value: number) => `${(value / 1000).toFixed(1)} s`;

interface Case {
  label: string;
  query: AggregateQuery;
  warm: number[];
  cold: number[];
  recompute: number[];
  /** The warm answer, to check the cold one against. */
  warmAnswer: AggregateResult | null;
  coldSame: boolean;
  check: string;
  included: number;
  excluded: number;
}

/** The same query with a period bound that excludes nothing but makes a new cache key. */
function noOpBound(query: AggregateQuery, n: number): AggregateQuery {
  if (query.periodFrom === undefined) {
    return { ...query, periodFrom: `${String(1000 + (n % 1000)).padStart(4, "0")}-01-01` };
  }
  return { ...query, periodTo: `${2100 + (n % 7000)}-12-31` };
}

/** The differences between the node's answer and the recomputed one (empty: the same answer). */
function differences(ours: AggregateResult, reference: Aggregate): string[] {
  const diffs: string[] = [];
  const compare = (what: string, a: unknown, b: unknown) => {
    if (!isDeepStrictEqual(a, b)) diffs.push(what);
  };
  compare("counts", ours.counts, reference.counts);
  compare("dimensions", ours.dimensions, reference.dimensions);
  compare("totals", ours.totals, reference.totals);
  compare("participants", ours.participants, reference.participants);
  compare("groups", ours.groups, reference.groups);
  compare("territories", ours.territories, reference.territories);
  compare("included", ours.coverage.included, reference.coverage.included);
  compare("excluded", ours.coverage.excluded, reference.coverage.excluded);
  compare("flagged", ours.flagged, reference.flagged);
  compare("fingerprint", ours.fingerprint, reference.fingerprint);
  return diffs;
}

const sameFigure = (a: AggregateResult, b: AggregateResult) =>
  a.fingerprint === b.fingerprint &&
  isDeepStrictEqual(a.counts, b.counts) &&
  a.participants === b.participants &&
  a.groups === b.groups;

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const disarm = watchdog("bench-aggregates", TIMEOUT_MS);
  const started = performance.now();
  const loadBefore = loadavg()[0] ?? 0;

  // 1. Payloads.
  progress(`generating ${ORIGINS.toLocaleString("en")} synthesis payloads…`);
  const plans: OriginPlan[] = [];
  const latest: SynthesisPayload[] = [];
  let t = performance.now();
  for (let i = 0; i < ORIGINS; i++) {
    const plan = planOrigin(i);
    plans.push(plan);
    latest.push(buildPayload(plan, 1, null));
    if ((i + 1) % 2_000 === 0) progress(`  ${(i + 1).toLocaleString("en")} built`);
  }
  const generateMs = performance.now() - t;
  const cells = latest.map(nonZeroCells);
  const territoryCells = latest.map((p) => payloadCells(p).length);
  const categoriesPerPayload = latest.map((p) => p.categories?.length ?? 0);
  const payloadBytes = mean(latest.map((p) => JSON.stringify(p).length));

  // The new versions applied during the run (each of a distinct existing origin), built up front.
  const updateCount = FIRST_READS + APPLY_REPS;
  const pickUpdate = seededRandom(4242);
  const updated = new Set<number>();
  const updates: SynthesisPayload[] = [];
  while (updates.length < Math.min(updateCount, ORIGINS)) {
    const index = Math.floor(pickUpdate() * ORIGINS);
    if (updated.has(index)) continue;
    updated.add(index);
    const previous = latest[index] as SynthesisPayload;
    updates.push(buildPayload(plans[index] as OriginPlan, previous.version + 1, previous));
  }
  const indexOf = (origin: string) => Number(origin.slice(origin.lastIndexOf("/t") + 2));

  // 2. Load.
  const dir = mkdtempSync(path.join(tmpdir(), "spiral-bench-aggregates-"));
  const node = createNode({
    databaseFile: path.join(dir, "node.db"),
    publicUrl: "http://bench.test",
    logger: silent,
  });
  const { services } = node;
  try {
    progress("loading them through services.received.accept (one transaction each)…");
    t = performance.now();
    for (let i = 0; i < ORIGINS; i++) {
      const outcome = services.received.accept(delivery(latest[i] as SynthesisPayload));
      if (outcome !== "stored") throw new Error(`origin ${i}: ${outcome}`);
      if ((i + 1) % 1_000 === 0) {
        const rate = ((i + 1) / (performance.now() - t)) * 1000;
        progress(`  ${(i + 1).toLocaleString("en")} accepted (${rate.toFixed(0)}/s so far)`);
      }
    }
    const loadMs = performance.now() - t;
    const rowCount = (table: string) =>
      (node.storage.sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    const cellRows = rowCount("aggregate_cells");
    const peopleRows = rowCount("aggregate_people");

    const trusted = (origin: string) => indexOf(origin) % UNTRUSTED_EVERY !== 0;
    const sample = plans[Math.floor(ORIGINS / 3)] as OriginPlan;
    const verified = { scope: "verified", robust: false } as const;
    const cases: Case[] = (
      [
        ["(a) no filter", { ...verified }],
        [`(b) country ${sample.country}`, { ...verified, countries: [sample.country] }],
        [`(c) region ${sample.region}`, { ...verified, regions: [sample.region] }],
        [
          "(d) category + period",
          {
            ...verified,
            categories: ["young-people"],
            periodFrom: "2026-01-01",
            periodTo: "2026-12-31",
          },
        ],
        ["(e) robust=true", { ...verified, robust: true }],
        ["(f) endorsed scope", { scope: "endorsed", robust: false }],
      ] as Array<[string, AggregateQuery]>
    ).map(([label, query]) => ({
      label,
      query,
      warm: [],
      cold: [],
      recompute: [],
      warmAnswer: null,
      coldSame: true,
      check: "",
      included: 0,
      excluded: 0,
    }));
    const read = (query: AggregateQuery) => services.aggregates.query(query, trusted);

    // 3a. Warm: the same query again, state unchanged. The first read of all rebuilds the
    // in-memory state (timed apart: the state as the node finds it after the load).
    progress("warm reads (cache hit)…");
    t = performance.now();
    read((cases[0] as Case).query);
    const afterLoadMs = performance.now() - t;
    for (const c of cases) {
      c.warmAnswer = read(c.query); // fills the cache for this filter
      c.warm = timeLoop(WARM_REPS, WARM_CAP_MS, () => read(c.query));
    }

    // 3b. Cold: a cache miss for this filter, the in-memory state already built.
    progress("cold reads (cache miss, state built)…");
    let bound = 0;
    for (const c of cases) {
      c.cold = timeLoop(COLD_REPS, COLD_CAP_MS, () => {
        const answer = read(noOpBound(c.query, bound++));
        if (c.warmAnswer && !sameFigure(answer, c.warmAnswer)) c.coldSame = false;
      });
    }

    // 3c. First read after a real state change; the other filters are then read cold.
    progress(`first reads after a state change (${FIRST_READS} more)…`);
    const applyTimes: number[] = [];
    // The read after the load was the first read after a (big) state change too.
    const firstReads = [{ label: "(a)", ms: afterLoadMs }];
    let next = 0;
    const applyOne = () => {
      const payload = updates[next++] as SynthesisPayload;
      const s = performance.now();
      const outcome = services.received.accept(delivery(payload));
      applyTimes.push(performance.now() - s);
      if (outcome !== "replaced") throw new Error(`update ${next}: ${outcome}`);
      latest[indexOf(payload.territory.id)] = payload;
    };
    const firstUntil = performance.now() + FIRST_READS_CAP_MS;
    for (let round = 0; round < FIRST_READS && next < updates.length; round++) {
      if (round > 0 && performance.now() > firstUntil) break;
      applyOne();
      for (let j = 0; j < cases.length; j++) {
        const c = cases[(round + 1 + j) % cases.length] as Case;
        const s = performance.now();
        read(c.query);
        const elapsed = performance.now() - s;
        if (j === 0) firstReads.push({ label: c.label.slice(0, 3), ms: elapsed });
        else c.cold.push(elapsed);
      }
    }

    // 4. Applying a new version, back to back (no reads in between).
    progress("applying new versions back to back…");
    const applyUntil = performance.now() + APPLY_CAP_MS;
    while (next < updates.length && performance.now() < applyUntil) applyOne();
    // What the API route computes before every query() (even for scope=verified).
    const endorsementTimes = timeLoop(1, 0, () => endorsement(services));

    // 5. Full recomputation over the in-memory state, and the check of every answer.
    progress("recomputing with aggregate() and checking the answers…");
    t = performance.now();
    const state: AggregateState = mergeRecords(emptyState(), latest.map(synthesisRecord));
    const stateMs = performance.now() - t;
    for (const c of cases) {
      const { scope, robust, ...filter } = c.query;
      const options: AggregateOptions = {
        grid: GRID,
        robust,
        ...(scope === "endorsed" ? { trusted } : {}),
      };
      let reference = aggregate(state, filter, options);
      c.recompute = timeLoop(RECOMPUTE_REPS, RECOMPUTE_CAP_MS, () => {
        reference = aggregate(state, filter, options);
      });
      const diffs = differences(read(c.query), reference);
      c.check = diffs.length === 0 ? "same" : `DIFFERS: ${diffs.join(", ")}`;
      c.included = reference.coverage.included.length;
      c.excluded = reference.coverage.excluded.length;
    }

    // Where the time of a read goes (no filter), piece by piece.
    progress("timing the pieces of a read…");
    const loadRows = () =>
      services.ctx.db
        .select()
        .from(aggregateEntries)
        .where(eq(aggregateEntries.withdrawn, false))
        .all();
    let entryRows = loadRows();
    const loadRowsTimes = timeLoop(2, PIECE_CAP_MS, () => {
      entryRows = loadRows();
    });
    const lightRecords = entryRows.map((row) => ({
      origin: row.origin,
      periodKey: row.periodKey,
      version: row.version,
      hash: row.hash,
      payload: { ...(row.payload as unknown as SynthesisPayload), counts: {}, dimensions: {} },
    }));
    // The service rebuilds its state with mergeRecord one row at a time (a copy of the map each
    // time: quadratic). Timed on a quarter of the rows; the full size is about 16× that.
    const quarter = lightRecords.slice(0, Math.ceil(lightRecords.length / 4));
    const oneByOneTimes = timeLoop(1, 0, () => {
      let s = emptyState();
      for (const record of quarter) s = mergeRecord(s, record);
    });
    const batchTimes = timeLoop(3, PIECE_CAP_MS, () => mergeRecords(emptyState(), lightRecords));
    const noFilter = { grid: GRID, robust: false };
    let included = coverage(state, {}, noFilter).included;
    const coverageTimes = timeLoop(5, PIECE_CAP_MS, () => {
      included = coverage(state, {}, noFilter).included;
    });
    const fingerprintTimes = timeLoop(5, PIECE_CAP_MS, () => fingerprint(included));
    const untrustedRows = lightRecords.filter((r) => !trusted(r.origin)).slice(0, 200);
    const subtractTimes = timeLoop(1, 0, () => {
      for (const r of untrustedRows) {
        services.ctx.db
          .select()
          .from(aggregateEntries)
          .where(
            and(eq(aggregateEntries.origin, r.origin), eq(aggregateEntries.periodKey, r.periodKey)),
          )
          .get();
      }
    });
    const perExclusion = (p50(subtractTimes) / Math.max(1, untrustedRows.length)) * 1000;
    const trustKeyTimes = timeLoop(5, PIECE_CAP_MS, () =>
      lightRecords.map((r) => (trusted(r.origin) ? 1 : 0)).join(""),
    );

    // The SQL side: a region sum as the service runs it (the primary key starts with level,
    // country, region: without the country only the level prefix is used) and with the
    // country added; and the scan behind "delete … where count = 0", run on every replace.
    const regionSql = (withCountry: boolean) =>
      node.storage.sqlite.prepare(
        `select question, component, sum(count) as n from aggregate_cells
         where level = 'region' and grid_id = ? and grid_version = ? and category in ('')
           ${withCountry ? "and country = ?" : ""} and region in (?)
         group by question, component`,
      );
    const regionArgs = [GRID.id, GRID.version];
    const regionAsIs = regionSql(false);
    const regionWithCountry = regionSql(true);
    const regionAsIsTimes = timeLoop(5, PIECE_CAP_MS, () =>
      regionAsIs.all(...regionArgs, sample.region),
    );
    const regionWithCountryTimes = timeLoop(20, PIECE_CAP_MS, () =>
      regionWithCountry.all(...regionArgs, sample.country, sample.region),
    );
    const zeroScan = node.storage.sqlite.prepare(
      "select count(*) from aggregate_cells where count = 0",
    );
    const zeroScanTimes = timeLoop(3, PIECE_CAP_MS, () => zeroScan.get());

    // -----------------------------------------------------------------------------------------
    // Report
    const totalMs = performance.now() - started;
    console.log(
      `Spiral Network aggregates benchmark — ${ORIGINS.toLocaleString("en")} origin syntheses, ${COUNTRIES.length} countries × ${REGIONS_PER_COUNTRY} regions, ${PERIODS.length} periods, database on disk (WAL, synchronous=FULL)`,
    );
    console.log(
      `Node ${process.version}, ${process.platform}/${process.arch}, load average ${loadBefore.toFixed(1)} at start, ${(loadavg()[0] ?? 0).toFixed(1)} at end\n`,
    );
    console.log(
      `payloads: ${mean(cells).toFixed(0)} non-zero cells on average (min ${Math.min(...cells)}, max ${Math.max(...cells)}): ${mean(territoryCells).toFixed(0)} territory cells + breakdowns of ${mean(categoriesPerPayload).toFixed(1)} categories; ${(payloadBytes / 1024).toFixed(1)} KiB of JSON; 1 in ${OUTLIER_EVERY} inflated ×10`,
    );
    console.log(
      `generated and schema-checked in ${seconds(generateMs)} (${((ORIGINS / generateMs) * 1000).toFixed(0)}/s)`,
    );
    console.log(
      `load through services.received.accept: ${seconds(loadMs)}, ${((ORIGINS / loadMs) * 1000).toFixed(0)} syntheses/s (${(loadMs / ORIGINS).toFixed(2)} ms each); ${cellRows.toLocaleString("en")} aggregate_cells rows, ${peopleRows.toLocaleString("en")} aggregate_people rows`,
    );
    console.log(
      `first read after the load (rebuilds the in-memory state): ${seconds(afterLoadMs)}; recomputation state built once with mergeRecords: ${stateMs.toFixed(0)} ms (not timed below)\n`,
    );

    const line = tableLine([25, 10, 9, 10, 9, 11, 9, 9, 9]);
    console.log(
      "Aggregate read (services.aggregates.query) vs full recomputation (aggregate()), ms",
    );
    console.log(
      line(["", "warm p50", "p99", "cold p50", "p99", "recompute", "p99", "warm ×", "cold ×"]),
    );
    for (const c of cases) {
      const rec = p50(c.recompute);
      console.log(
        line([
          c.label,
          ms(p50(c.warm)),
          ms(p99(c.warm)),
          ms(p50(c.cold)),
          ms(p99(c.cold)),
          ms(rec),
          ms(p99(c.recompute)),
          ratio(rec / p50(c.warm)),
          ratio(rec / p50(c.cold)),
        ]),
      );
    }
    const range = (pick: (c: Case) => number[]) => {
      const n = cases.map((c) => pick(c).length);
      return `${Math.min(...n)}–${Math.max(...n)}`;
    };
    console.log(
      `samples per filter: warm ${range((c) => c.warm)}, cold ${range((c) => c.cold)}, recompute ${range((c) => c.recompute)} (p99 of few samples ≈ their maximum)`,
    );
    console.log(
      "warm = cache hit; cold = cache miss with the in-memory state built (coverage, plausibility, fingerprint recomputed)",
    );
    const firstMs = firstReads.map((f) => f.ms);
    console.log(
      `first read after a state change (accept a new version, then read; rebuilds the in-memory state): p50 ${ms(p50(firstMs))} ms, max ${ms(Math.max(...firstMs))} ms (n = ${firstMs.length}: ${firstReads.map((f) => `${f.label} ${ms(f.ms)}`).join(", ")})`,
    );
    console.log("");
    console.log("Answers (at the final state): node vs aggregate(); cold vs warm");
    for (const c of cases) {
      console.log(
        `  ${c.label.padEnd(25)} ${String(c.included).padStart(6)} included, ${String(c.excluded).padStart(5)} excluded: ${c.check}; cold ${c.coldSame ? "= warm" : "DIFFERS from warm"}`,
      );
    }
    console.log("");
    console.log(
      `Applying one new version (services.received.accept of a higher version, "replaced"): p50 ${ms(p50(applyTimes))} ms, p99 ${ms(p99(applyTimes))} ms (n = ${applyTimes.length})`,
    );
    console.log(
      `API route overhead per request, endorsement(services) (computed even for scope=verified): ${ms(p50(endorsementTimes))} ms (n = 1)`,
    );
    console.log("");
    console.log("Where a read's time goes (each piece timed alone, p50)");
    const piece = (label: string, value: string) =>
      console.log(`  ${label.padEnd(76)}${value.padStart(10)}`);
    piece(
      `load ${entryRows.length.toLocaleString("en")} aggregate_entries rows (JSON payloads parsed)`,
      `${ms(p50(loadRowsTimes))} ms`,
    );
    piece(
      `mergeRecord one row at a time, ${quarter.length.toLocaleString("en")} rows (quadratic; all rows ≈ 16×)`,
      `${ms(p50(oneByOneTimes))} ms`,
    );
    piece(
      `mergeRecords, all ${lightRecords.length.toLocaleString("en")} rows in one batch`,
      `${ms(p50(batchTimes))} ms`,
    );
    piece("coverage(), no filter (sort, scope, plausibility)", `${ms(p50(coverageTimes))} ms`);
    piece(
      `fingerprint() of ${included.length.toLocaleString("en")} included versions`,
      `${ms(p50(fingerprintTimes))} ms`,
    );
    piece(
      "one aggregate_entries lookup (as for each untrusted/implausible exclusion)",
      `${(perExclusion / 1000).toFixed(3)} ms`,
    );
    piece(
      `region sums in SQL as queried (level + region; index prefix: level only)`,
      `${ms(p50(regionAsIsTimes))} ms`,
    );
    piece(
      "  the same with country = … added (index prefix used)",
      `${ms(p50(regionWithCountryTimes))} ms`,
    );
    piece(
      `scan ${cellRows.toLocaleString("en")} aggregate_cells rows for count = 0 (on every replace)`,
      `${ms(p50(zeroScanTimes))} ms`,
    );
    piece(
      `endorsed cache key: trusted() for ${lightRecords.length.toLocaleString("en")} origins, joined`,
      `${ms(p50(trustKeyTimes))} ms`,
    );
    console.log("");

    // Verdict.
    const judge = (pick: (c: Case) => number[]) =>
      cases.map((c) => {
        const value = p50(pick(c));
        const speedup = p50(c.recompute) / value;
        return {
          label: c.label.slice(0, 3),
          ok: value <= GOAL_P50_MS && speedup >= GOAL_SPEEDUP,
          value,
          speedup,
        };
      });
    const describe = (name: string, results: ReturnType<typeof judge>) => {
      const list = (picked: typeof results) =>
        picked.length === 0 ? "none" : picked.map((r) => r.label).join(" ");
      const bad = results.filter((r) => !r.ok);
      if (bad.length === 0) return `${name}: MEETS both goals for every filter`;
      return [
        `${name}: both goals met by ${list(results.filter((r) => r.ok))}`,
        `p50 ≤ ${GOAL_P50_MS} ms by ${list(results.filter((r) => r.value <= GOAL_P50_MS))}`,
        `≥ ${GOAL_SPEEDUP}× by ${list(results.filter((r) => r.speedup >= GOAL_SPEEDUP))}`,
        `MISSED by ${bad.map((r) => `${r.label} (${ms(r.value)} ms, ${ratio(r.speedup)})`).join(", ")}`,
      ].join("; ");
    };
    const recomputeA = p50((cases[0] as Case).recompute);
    console.log(
      `Verdict (goals: p50 ≤ ${GOAL_P50_MS} ms and ≥ ${GOAL_SPEEDUP}× faster than recomputation):`,
    );
    console.log(
      `  ${describe(
        "warm",
        judge((c) => c.warm),
      )}`,
    );
    console.log(
      `  ${describe(
        "cold",
        judge((c) => c.cold),
      )}`,
    );
    console.log(
      `  first read after a state change: ${p50(firstMs) <= GOAL_P50_MS ? "meets" : "MISSES"} (p50 ${ms(p50(firstMs))} ms, ${ratio(recomputeA / p50(firstMs))} vs recomputing (a))`,
    );
    console.log(
      `  answers: ${cases.every((c) => c.check === "same") ? "identical to the recomputation for every filter (counts, coverage and fingerprint)" : "DIFFER from the recomputation (see above)"}`,
    );
    console.log(`\ntotal run time ${seconds(totalMs)}`);
  } finally {
    await node.close();
    rmSync(dir, { recursive: true, force: true });
    disarm();
  }
}

await main();
