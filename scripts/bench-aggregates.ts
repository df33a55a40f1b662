/**
 * `npm run bench:aggregates` (node --expose-gc --import tsx scripts/bench-aggregates.ts): network figures
 * (docs/benchmarks.md, printed). Nothing is asserted; the goals — the first read after a change
 * p50 ≤ 5 ms and ≥ 50× faster than recomputing the figure, for every filter and scope; applying
 * a version p50 ≤ 5 ms — are printed beside each figure as met or missed. Under the verdict, the
 * spread of the run's floors and the cases within 25 % of the 50× line: with a floor that moved
 * during the run, those verdicts say more about the machine's rhythm than about the code.
 *
 * 1. Generates ORIGINS valid synthesis payloads (draftSynthesis, checked with the payload schema),
 *    one per origin https://nX.example/actors/tX, over 30 countries × 10 regions and 3 periods;
 *    Q1–Q3 with a breakdown of 3–5 group categories (≈ 150 non-zero cells each); 1 % report ten
 *    times too many criteria (the plausibility rule flags them). Origin i reaches the node
 *    through relay i mod 10, so following k relays endorses k × 10 % of the origins.
 * 2. Loads them through `services.received.accept` into a node on a temp-file database (WAL,
 *    synchronous=FULL, as in production), one transaction each, and serves the node over HTTP.
 * 3. For every case — (a) no filter, (b) a country, (c) a region, (d) a category + a period
 *    range, (e) robust, then for 10 %, 50 % and 90 % endorsed (follows of 1, 5, 9 relays) the
 *    endorsed scope raw and robust — SAMPLES times: accept a new version of a random origin
 *    (timed: applying a version), then read the figure ONCE, either through the function the
 *    API route calls (`computeFigure`, with the API's default coverage window) or over HTTP
 *    (GET /api/v1/aggregates, the body read). Every read is the first after a change: nothing is
 *    answered from a memo. The floor: a bare Hono route (no middleware, nothing computed)
 *    answering the case's last JSON answer over loopback to the same client, SAMPLES times, each
 *    read right after a change as the case's reads are — what HTTP alone costs in that rhythm
 *    (printed too: the same bare read back to back, which this machine answers faster).
 * 4. The baseline, measured in the same run right after each case: the protocol's `aggregate()`
 *    recomputing the same figure from the whole state (already in memory: only the
 *    recomputation is timed), SAMPLES times, in a worker thread that keeps its own copy of the
 *    state (scripts/lib/aggregates-baseline.ts): the node's process holds what a node holds. The
 *    last HTTP answer is checked against it (sums, coverage counts, the first window of the
 *    coverage, flagged origins, fingerprint).
 * 5. After each change of follows (told to the figures as the follows service does on an Accept),
 *    the first endorsed read is printed apart: it answers while the entries whose endorsement
 *    changed move to their partition in the background. The move is timed until it is done, with
 *    the longest pause it caused the event loop (what a request could wait), before the cases.
 * 6. Restart: the node is closed and opened again on the same file; opening it and answering the
 *    first figure (the persisted totals are read) is timed against opening it with the figures
 *    state marked as from an older definition (it is rebuilt from the entries), in the same run.
 *
 * Knobs: BENCH_ORIGINS (10000), BENCH_SAMPLES (60, at least 20: with 20 the same code's 50 %
 * endorsed case read 49×, 52× and 58× in three runs within ten minutes), BENCH_PERIODS (3: the
 * three periods above; more: each origin reports on a year starting on one of that many days
 * from 2024-01-01, as territories running their own cycles do), BENCH_TIMEOUT_MS (900000). Progress goes to stderr, the report to stdout.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type http from "node:http";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { serve } from "@hono/node-server";
import { following } from "@spiral-network/node/db/schema";
import { computeFigure, type FigureParams } from "@spiral-network/node/figures";
import { createNode, type SpiralNode } from "@spiral-network/node/node";
import {
  type AggregateFilter,
  BUILTIN_GROUP_CATEGORIES,
  DEFAULT_POLICY,
  defaultGrid,
  draftSynthesis,
  type GroupTally,
  type Period,
  payloadCells,
  type Question,
  type SynthesisPayload,
  synthesisPayloadSchema,
} from "@spiral-network/protocol";
import { Hono } from "hono";
import { type Baseline, startBaseline } from "./lib/aggregates-baseline";
import {
  closeServer,
  listen,
  mean,
  percentile,
  progress,
  tableLine,
  timeLoop,
  watchdog,
} from "./lib/harness";
import { seededRandom } from "./lib/seeded-random";

const ORIGINS = Number(process.env.BENCH_ORIGINS ?? 10_000);
const SAMPLES = Math.max(20, Number(process.env.BENCH_SAMPLES ?? 60));
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 900_000);
const GOAL_P50_MS = 5;
const GOAL_SPEEDUP = 50;
const GOAL_APPLY_MS = 5;
const ENDORSED_FRACTIONS = [10, 50, 90] as const;
/** The coverage lists' window the API answers with by default (coverage_offset, _limit). */
const API_WINDOW = { offset: 0, limit: 100 };

const COUNTRIES =
  "FR PT ES IT DE BE NL LU CH AT PL CZ SK HU RO BG GR HR SI IE GB DK SE NO FI EE LV LT MT CY".split(
    " ",
  );
const REGIONS_PER_COUNTRY = 10;
const PERIOD_COUNT = Math.max(3, Number(process.env.BENCH_PERIODS ?? 3));
const DAY_MS = 86_400_000;
/** A year from `day` days after 2024-01-01. */
const yearFrom = (day: number): Period => {
  const start = Date.UTC(2024, 0, 1) + day * DAY_MS;
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { start: iso(start), end: iso(start + 364 * DAY_MS) };
};
const PERIODS: Period[] =
  PERIOD_COUNT === 3
    ? [
        { start: "2024-01-01", end: "2024-12-31" },
        { start: "2025-01-01", end: "2025-12-31" },
        { start: "2026-01-01", end: "2026-06-30" },
      ]
    : Array.from({ length: PERIOD_COUNT }, (_, day) => yearFrom(day));
const QUESTIONS_USED: Question[] = ["Q1", "Q2", "Q3"];
const CATEGORIES = BUILTIN_GROUP_CATEGORIES.map((c) => c.code);
const COMPONENTS = defaultGrid.components.map((c) => c.code);
/** Cells a category's groups fill, out of Q1–Q3 × the grid's components. */
const CELLS_PER_CATEGORY = 24;
/** One origin in OUTLIER_EVERY reports ten times too many criteria (flagged as implausible). */
const OUTLIER_EVERY = 100;
/** Origins reach the node through RELAYS relays (origin i through relay i mod RELAYS). */
const RELAYS = 10;
const relayOf = (index: number) => `https://relay${index % RELAYS}.example/actors/relay`;
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

/** What the next version of a synthesis names of the one before it. */
type Previous = Pick<SynthesisPayload, "version" | "hash" | "participants">;
const previousVersion = ({ version, hash, participants }: Previous): Previous => ({
  version,
  hash,
  participants,
});

/** The payload of version `version` (each version adds one group of 5 to the first category). */
function buildPayload(plan: OriginPlan, version: number, previous: Previous | null) {
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
function delivery(payload: SynthesisPayload, via: string) {
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
    via,
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
const seconds = (value: number) => `${(value / 1000).toFixed(2)} s`;

interface Case {
  label: string;
  params: Omit<FigureParams, "format" | "coverage_offset" | "coverage_limit">;
  /** The endorsed fraction (%) the case is read under, if endorsed. */
  fraction?: number;
  service: number[];
  http: number[];
  /**
   * A bare Hono route answering the same JSON over loopback, each read right after a change as
   * the case's reads: what HTTP costs by itself in their rhythm.
   */
  floor: number[];
  /** The same bare read, back to back (no change between): the machine's best case. */
  floorBackToBack: number[];
  recompute: number[];
  check: string;
  included: number;
  excluded: number;
}

const verified = { scope: "verified", robust: false } as const;
const NO_FILTER = { country: undefined, region: undefined, category: undefined };

/** The protocol's filter for a case's parameters (what computeFigure asks the service). */
function filterOf(params: Case["params"]): AggregateFilter {
  return {
    ...(params.country ? { countries: params.country } : {}),
    ...(params.region ? { regions: params.region } : {}),
    ...(params.category ? { categories: params.category } : {}),
    ...(params.from ? { periodFrom: params.from } : {}),
    ...(params.to ? { periodTo: params.to } : {}),
  };
}

function queryString(params: Case["params"]): string {
  const query = new URLSearchParams();
  if (params.country) query.set("country", params.country.join(","));
  if (params.region) query.set("region", params.region.join(","));
  if (params.category) query.set("category", params.category.join(","));
  if (params.from) query.set("from", params.from);
  if (params.to) query.set("to", params.to);
  query.set("scope", params.scope);
  if (params.robust) query.set("robust", "true");
  return query.toString();
}

const silentLogger = silent;

function openNode(file: string): SpiralNode {
  return createNode({ databaseFile: file, publicUrl: "http://bench.test", logger: silentLogger });
}

/** Replaces the node's accepted follows by the first `count` relays. */
function followRelays(node: SpiralNode, count: number): void {
  const { db } = node.services.ctx;
  db.delete(following).run();
  for (let r = 0; r < count; r++) {
    const target = relayOf(r);
    db.insert(following)
      .values({
        actor: "http://bench.test/actors/bench",
        target,
        targetInbox: `${target}/inbox`,
        followActivityId: `http://bench.test/follows/${r}`,
        state: "accepted",
      })
      .run();
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "spiral-bench-aggregates-"));
  const file = path.join(dir, "node.db");
  let node: SpiralNode | null = null;
  let server: http.Server | null = null;
  let floorServer: http.Server | null = null;
  let baseline: Baseline | null = null;
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  const disarm = watchdog("bench-aggregates", TIMEOUT_MS, cleanUp);
  const started = performance.now();
  const loadBefore = loadavg()[0] ?? 0;

  // 1. Payloads.
  progress(`generating ${ORIGINS.toLocaleString("en")} synthesis payloads…`);
  // The payloads are held until the node and the baseline have them; then only what the next
  // version needs of each (its plan is made again from the index): the node's process holds
  // little besides the node, as a node's would.
  let latest: SynthesisPayload[] = [];
  let t = performance.now();
  for (let i = 0; i < ORIGINS; i++) {
    latest.push(buildPayload(planOrigin(i), 1, null));
    if ((i + 1) % 2_000 === 0) progress(`  ${(i + 1).toLocaleString("en")} built`);
  }
  const generateMs = performance.now() - t;
  const cells = latest.map(nonZeroCells);
  const payloadBytes = mean(latest.map((p) => JSON.stringify(p).length));
  const floorText = JSON.stringify(latest[0]);

  try {
    // 2. Load, then serve.
    node = openNode(file);
    progress("loading them through services.received.accept (one transaction each)…");
    t = performance.now();
    for (let i = 0; i < ORIGINS; i++) {
      const payload = latest[i] as SynthesisPayload;
      const outcome = node.services.received.accept(delivery(payload, relayOf(i)));
      if (outcome !== "stored") throw new Error(`origin ${i}: ${outcome}`);
      if ((i + 1) % 1_000 === 0) {
        const rate = ((i + 1) / (performance.now() - t)) * 1000;
        progress(`  ${(i + 1).toLocaleString("en")} accepted (${rate.toFixed(0)}/s so far)`);
      }
    }
    const loadMs = performance.now() - t;
    const rowCount = (table: string) =>
      (
        (node as SpiralNode).storage.sqlite.prepare(`select count(*) as n from ${table}`).get() as {
          n: number;
        }
      ).n;
    const cellRows = rowCount("aggregate_cells");
    const peopleRows = rowCount("aggregate_people");
    server = serve({ fetch: node.app.fetch, port: 0, hostname: "127.0.0.1" }) as http.Server;
    // The client keeps its connection between the phases (the recomputation can take seconds):
    // the server must not close it meanwhile (a reused socket closed by the server resets).
    server.keepAliveTimeout = TIMEOUT_MS;
    await new Promise((resolve) => setTimeout(resolve, 0));
    const base = await listenedUrl(server);
    // The floor: the same answer from a bare route (serialised on each request, as the API's).
    let floorAnswer: unknown = {};
    const bare = new Hono().get("/answer", (c) => c.json(floorAnswer as object));
    floorServer = serve({ fetch: bare.fetch, port: 0, hostname: "127.0.0.1" }) as http.Server;
    floorServer.keepAliveTimeout = TIMEOUT_MS;
    const floorUrl = `${await listenedUrl(floorServer)}/answer`;

    // The baseline recomputes from a state of its own, in a worker thread (its heap apart from
    // the node's), brought in step with the changes before each recomputation (not timed):
    // the payloads accepted since are handed over then, none while a read is timed.
    baseline = startBaseline();
    baseline.merge(latest);
    // The thread unpacks the 10 000 payloads on the other core: not while the first case runs.
    await baseline.received();
    const previousOf: Previous[] = latest.map(previousVersion);
    latest = [];
    let pending: SynthesisPayload[] = [];
    const pick = seededRandom(4242);
    const applyTimes: number[] = [];
    /** Accepts a new version of a random origin (timed); the state follows. */
    const change = () => {
      const index = Math.floor(pick() * ORIGINS);
      const previous = previousOf[index] as Previous;
      const payload = buildPayload(planOrigin(index), previous.version + 1, previous);
      const s = performance.now();
      const outcome = (node as SpiralNode).services.received.accept(
        delivery(payload, relayOf(index)),
      );
      applyTimes.push(performance.now() - s);
      if (outcome !== "replaced")
        throw new Error(`origin ${index} v${payload.version}: ${outcome}`);
      previousOf[index] = previousVersion(payload);
      pending.push(payload);
    };

    const sample = planOrigin(Math.floor(ORIGINS / 3));
    const cases: Case[] = [];
    const addCase = (
      label: string,
      given: Partial<Case["params"]> & Pick<Case["params"], "scope" | "robust">,
      fraction?: number,
    ) => {
      const c: Case = {
        label,
        params: { country: undefined, region: undefined, category: undefined, ...given },
        ...(fraction === undefined ? {} : { fraction }),
        service: [],
        http: [],
        floor: [],
        floorBackToBack: [],
        recompute: [],
        check: "",
        included: 0,
        excluded: 0,
      };
      cases.push(c);
      return c;
    };
    const followChanges: Array<{
      fraction: number;
      ms: number;
      moved: string;
      moveMs: number;
      pauseMs: number;
    }> = [];
    let lastAnswerBytes = 0;

    /** SAMPLES × (change, read through the service) then (change, read over HTTP), baseline. */
    const measure = async (c: Case) => {
      progress(`${c.label}: ${SAMPLES} × (apply, first read) through the service and over HTTP…`);
      const services = (node as SpiralNode).services;
      for (let k = 0; k < SAMPLES; k++) {
        change();
        const s = performance.now();
        computeFigure(services, c.params, API_WINDOW);
        c.service.push(performance.now() - s);
      }
      const url = `${base}/api/v1/aggregates?${queryString(c.params)}`;
      let body = "";
      for (let k = 0; k < SAMPLES; k++) {
        change();
        const s = performance.now();
        const response = await fetch(url);
        body = await response.text();
        c.http.push(performance.now() - s);
        if (response.status !== 200) throw new Error(`${url}: ${response.status} ${body}`);
      }
      if (c.label.startsWith("(a)")) lastAnswerBytes = body.length;
      floorAnswer = JSON.parse(body);
      // The versions the last answer was read after: the floor's changes below come after it
      // (they go to the baseline with the next case's, before its answer is checked).
      const answered = pending;
      pending = [];
      // A read that follows other work in the process (a change) costs more than reads back to
      // back on this machine, a bare one too: the floor is read in the case's rhythm.
      for (let k = 0; k < SAMPLES; k++) {
        change();
        const s = performance.now();
        await (await fetch(floorUrl)).text();
        c.floor.push(performance.now() - s);
      }
      for (let k = 0; k < SAMPLES; k++) {
        const s = performance.now();
        await (await fetch(floorUrl)).text();
        c.floorBackToBack.push(performance.now() - s);
      }
      // The baseline: the same figure recomputed from the whole state, in the same run.
      (baseline as Baseline).merge(answered);
      const recomputed = await (baseline as Baseline).recompute({
        filter: filterOf(c.params),
        grid: GRID,
        robust: c.params.robust,
        ...(c.fraction === undefined ? {} : { endorsed: { fraction: c.fraction, relays: RELAYS } }),
        samples: SAMPLES,
        answer: body,
      });
      c.recompute = recomputed.times;
      c.check = recomputed.diffs.length === 0 ? "same" : `DIFFERS: ${recomputed.diffs.join(", ")}`;
      c.included = recomputed.included;
      c.excluded = recomputed.excluded;
    };

    // Untimed warm-up, as a node that has been serving: its code compiled and the loading's
    // garbage collected (the recomputation below is timed in a loop, warm as well). Every timed
    // read still follows a change of its own, and nothing is memoised between reads.
    progress(
      `warm-up (untimed): ${SAMPLES} × (apply, first read over HTTP), no filter and robust…`,
    );
    for (let k = 0; k < SAMPLES; k++) {
      change();
      const robust = k % 2 === 1 ? "&robust=true" : "";
      const response = await fetch(`${base}/api/v1/aggregates?scope=verified${robust}`);
      const text = await response.text();
      if (response.status !== 200) throw new Error(`warm-up: ${response.status} ${text}`);
    }
    applyTimes.length = 0;
    // The loading's garbage (10 000 payloads, dropped above) collected now, not by the garbage
    // collector's background threads during the first case, on the core the client and server
    // share with them (`npm run bench:aggregates` runs node with --expose-gc).
    const collect = (globalThis as { gc?: () => void }).gc;
    collect?.();
    const collected = collect !== undefined;

    // 3–4. Verified scope.
    await measure(addCase("(a) no filter", { ...verified }));
    await measure(
      addCase(`(b) country ${sample.country}`, { ...verified, country: [sample.country] }),
    );
    await measure(addCase(`(c) region ${sample.region}`, { ...verified, region: [sample.region] }));
    await measure(
      addCase("(d) category + period", {
        ...verified,
        category: ["young-people"],
        // With the periods spread, a range holding about half of them.
        ...(PERIOD_COUNT === 3
          ? { from: "2026-01-01", to: "2026-12-31" }
          : { from: (PERIODS[PERIOD_COUNT >> 1] as Period).start, to: "2026-12-31" }),
      }),
    );
    await measure(addCase("(e) robust", { ...verified, robust: true }));

    // 5. Endorsed scope at each fraction: a change of follows, then the cases.
    for (const fraction of ENDORSED_FRACTIONS) {
      followRelays(node, fraction / 10);
      // What the follows service does after an Accept or an Undo.
      node.services.aggregates.followsChanged();
      const s = performance.now();
      const first = computeFigure(node.services, {
        ...NO_FILTER,
        scope: "endorsed",
        robust: false,
      });
      const firstMs = performance.now() - s;
      // The move in the background, until done; its chunks are the event loop's pauses (the
      // longest gap between two ticks of a 1 ms timer: what a request could wait).
      let lastTick = performance.now();
      let longestPause = 0;
      const ticker = setInterval(() => {
        const now = performance.now();
        longestPause = Math.max(longestPause, now - lastTick);
        lastTick = now;
      }, 1);
      const m = performance.now();
      await node.services.aggregates.repartitioned();
      const moveMs = performance.now() - m;
      clearInterval(ticker);
      longestPause = Math.max(longestPause, performance.now() - lastTick);
      // The move's garbage collected now, as the loading's above, not by the collector's
      // background threads during the first case after it (measured apart: a heap of 240–270
      // MiB after moving 5 000 entries, 61 MiB once collected).
      collect?.();
      followChanges.push({
        fraction,
        ms: firstMs,
        moved: `${first.coverageCounts.included.toLocaleString("en")} endorsed`,
        moveMs,
        pauseMs: longestPause,
      });
      await measure(
        addCase(`(f) endorsed ${fraction} %`, { scope: "endorsed", robust: false }, fraction),
      );
      await measure(
        addCase(`(g) endorsed ${fraction} % robust`, { scope: "endorsed", robust: true }, fraction),
      );
    }

    // The floor under applying a version: a transaction writing one payload-sized row into the
    // same database (one durable commit, synchronous=FULL), as many times as there were changes.
    const { sqlite } = node.storage;
    sqlite.exec("create table bench_floor (id integer primary key, payload text not null)");
    const floorInsert = sqlite.prepare("insert into bench_floor (payload) values (?)");

    const floorTimes = timeLoop(Math.max(SAMPLES, 100), Number.POSITIVE_INFINITY, () =>
      sqlite.transaction(() => floorInsert.run(floorText))(),
    );
    sqlite.exec("drop table bench_floor");

    // 6. Restart: read the persisted state, against a rebuild, same run.
    progress("restart: opening the node again on the same file…");
    await closeServer(server);
    server = null;
    await closeServer(floorServer);
    floorServer = null;
    node.close();
    node = null;
    const firstRead = { ...NO_FILTER, scope: "verified", robust: false } as const;
    const restart = () => {
      const s = performance.now();
      const reopened = openNode(file);
      const open = performance.now() - s;
      computeFigure(reopened.services, firstRead);
      return { reopened, open, read: performance.now() - s - open };
    };
    const opened = restart();
    opened.reopened.close();
    const again = restart();
    again.reopened.storage.sqlite
      .prepare("delete from settings where key = 'aggregates.definition'")
      .run();
    again.reopened.close();
    progress("restart with the figures state of an older definition (rebuilt)…");
    const rebuilt = restart();
    rebuilt.reopened.close();

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
      `payloads: ${mean(cells).toFixed(0)} non-zero cells on average (min ${Math.min(...cells)}, max ${Math.max(...cells)}), ${(payloadBytes / 1024).toFixed(1)} KiB of JSON; 1 in ${OUTLIER_EVERY} inflated ×10; generated in ${seconds(generateMs)}`,
    );
    console.log(
      `load through services.received.accept: ${seconds(loadMs)}, ${((ORIGINS / loadMs) * 1000).toFixed(0)} syntheses/s; ${cellRows.toLocaleString("en")} aggregate_cells rows, ${peopleRows.toLocaleString("en")} aggregate_people rows\n`,
    );
    const line = tableLine([27, 9, 9, 9, 9, 8, 8, 10, 9, 10, 9, 7]);
    console.log(
      `First read after a change (accept a new version, then one read), ms, n = ${SAMPLES} each; baseline: aggregate() recomputing the figure from the whole state in memory`,
    );
    console.log(
      line([
        "",
        "service",
        "p99",
        "HTTP",
        "p99",
        "floor",
        "b2b",
        "recompute",
        "p99",
        "service ×",
        "HTTP ×",
        "goal",
      ]),
    );
    // A case is out of reach when ≥ 50× would mean answering faster than the floor: no HTTP
    // answer of that size can (it is still held to the 5 ms goal).
    type Outcome = "met" | "floor" | "MISSED";
    const verdicts: Array<{
      label: string;
      outcome: Outcome;
      p50: number;
      speedup: number;
      needed: number;
      floor: number;
    }> = [];
    for (const c of cases) {
      const rec = p50(c.recompute);
      const speedup = rec / p50(c.http);
      const needed = rec / GOAL_SPEEDUP;
      const fast = p50(c.http) <= GOAL_P50_MS;
      const outcome: Outcome =
        fast && speedup >= GOAL_SPEEDUP
          ? "met"
          : fast && needed < p50(c.floor)
            ? "floor"
            : "MISSED";
      verdicts.push({
        label: c.label,
        outcome,
        p50: p50(c.http),
        speedup,
        needed,
        floor: p50(c.floor),
      });
      console.log(
        line([
          c.label,
          ms(p50(c.service)),
          ms(p99(c.service)),
          ms(p50(c.http)),
          ms(p99(c.http)),
          ms(p50(c.floor)),
          ms(p50(c.floorBackToBack)),
          ms(rec),
          ms(p99(c.recompute)),
          ratio(rec / p50(c.service)),
          ratio(speedup),
          outcome === "floor" ? "floor" : outcome,
        ]),
      );
    }
    console.log(
      `(service = computeFigure with the API's default coverage window of 100, what GET /api/v1/aggregates runs; HTTP = that request over loopback, body read; floor = p50 of a bare Hono route answering the same JSON over loopback, each read right after a change as the HTTP reads are, the least any HTTP answer costs here in that rhythm; b2b = the same bare read back to back; service × and HTTP × = the recomputation's p50 over the service's and over HTTP's; goal: HTTP p50 ≤ ${GOAL_P50_MS} ms and ≥ ${GOAL_SPEEDUP}× the recomputation; "floor": under ${GOAL_P50_MS} ms, but ${GOAL_SPEEDUP}× would need an answer faster than the floor, out of reach over HTTP)`,
    );
    const counts = cases.flatMap((c) => [
      c.service.length,
      c.http.length,
      c.floor.length,
      c.floorBackToBack.length,
      c.recompute.length,
    ]);
    console.log(
      `samples per figure: n = ${Math.min(...counts)}–${Math.max(...counts)} (service, HTTP, floor and recomputation alike); before the cases, untimed: ${SAMPLES} × (apply, read over HTTP) to warm the code, as a node in service is, then ${collected ? "the loading's garbage collected (node --expose-gc), and each move's after it" : "NO collection of the loading's garbage (node run without --expose-gc): the first cases may pay for it"}`,
    );
    console.log(
      `answer size, no filter (coverage window of 100, counts whole): ${(lastAnswerBytes / 1024).toFixed(1)} KiB`,
    );
    console.log("");
    console.log("Answers (last HTTP answer of each case vs the recomputation)");
    for (const c of cases) {
      console.log(
        `  ${c.label.padEnd(27)} ${String(c.included).padStart(6)} included, ${String(c.excluded).padStart(5)} excluded: ${c.check}`,
      );
    }
    console.log("");
    console.log(
      `Applying one new version (services.received.accept, "replaced"): p50 ${ms(p50(applyTimes))} ms, p99 ${ms(p99(applyTimes))} ms (n = ${applyTimes.length}): goal p50 ≤ ${GOAL_APPLY_MS} ms ${p50(applyTimes) <= GOAL_APPLY_MS ? "met" : "MISSED"}`,
    );
    console.log(
      `  floor: one durable commit of a payload-sized row into the same database: p50 ${ms(p50(floorTimes))} ms, p99 ${ms(p99(floorTimes))} ms (n = ${floorTimes.length})`,
    );
    console.log(
      `First endorsed read after a change of follows (answered while the entries move in the background): ${followChanges.map((f) => `${f.fraction} %: ${ms(f.ms)} ms (${f.moved})`).join("; ")} (n = 1 each)`,
    );
    console.log(
      `  the move to the partitions, in the background: ${followChanges.map((f) => `${f.fraction} %: ${ms(f.moveMs)} ms, longest event-loop pause ${ms(f.pauseMs)} ms`).join("; ")} (n = 1 each)`,
    );
    console.log(
      `Restart (createNode, then the first figure): persisted state read: open ${ms(opened.open)} + first figure ${ms(opened.read)} ms, again ${ms(again.open)} + ${ms(again.read)} ms; older definition, rebuilt from the entries: open ${ms(rebuilt.open)} + first figure ${ms(rebuilt.read)} ms (n = 1 each)`,
    );
    console.log("");
    const missed = verdicts.filter((v) => v.outcome === "MISSED");
    const floorBound = verdicts.filter((v) => v.outcome === "floor");
    const met = verdicts.filter((v) => v.outcome === "met");
    console.log(
      `Verdict (first read after a change over HTTP, p50 ≤ ${GOAL_P50_MS} ms and ≥ ${GOAL_SPEEDUP}× recomputation): ${
        met.length === verdicts.length
          ? "MET for every case"
          : [
              `met by ${met.length} of ${verdicts.length}`,
              ...(floorBound.length > 0
                ? [
                    `out of reach for ${floorBound.length} (under ${GOAL_P50_MS} ms; ${GOAL_SPEEDUP}× would need less than the floor): ${floorBound.map((v) => `${v.label} (${ms(v.p50)} ms, ${ratio(v.speedup)}; ${GOAL_SPEEDUP}× = ${ms(v.needed)} ms < floor ${ms(v.floor)} ms)`).join(", ")}`,
                  ]
                : []),
              ...(missed.length > 0
                ? [
                    `MISSED by ${missed.map((v) => `${v.label} (${ms(v.p50)} ms, ${ratio(v.speedup)}; ${GOAL_SPEEDUP}× = ${ms(v.needed)} ms)`).join(", ")}`,
                  ]
                : []),
            ].join("; ")
      }`,
    );
    // The floor moves with the machine's rhythm (minutes at a time here): a verdict close to the
    // 50× line can fall on either side with it, which one run cannot tell (docs/benchmarks.md).
    // Compared over the answers of like size: those whose coverage window is full.
    const floors = cases.filter((c) => c.included >= API_WINDOW.limit).map((c) => p50(c.floor));
    const [lowFloor, highFloor] = [Math.min(...floors), Math.max(...floors)];
    const nearLine = verdicts.filter(
      (v) => v.speedup >= GOAL_SPEEDUP / 1.25 && v.speedup < GOAL_SPEEDUP * 1.25,
    );
    console.log(
      `  floors of this run (answers with a full coverage window): ${ms(lowFloor)}–${ms(highFloor)} ms (×${(highFloor / lowFloor).toFixed(1)}); within 25 % of the ${GOAL_SPEEDUP}× line: ${
        nearLine.length === 0
          ? "none"
          : nearLine.map((v) => `${v.label} ${ratio(v.speedup)}`).join(", ")
      }${highFloor / lowFloor > 1.5 && nearLine.length > 0 ? " — the floor moved by more than ×1.5 during the run: these can fall on either side of the line with it, read them over several runs" : ""}`,
    );
    const identical = cases.every((c) => c.check === "same");
    console.log(
      `  answers: ${identical ? "identical to the recomputation in every case (sums, coverage, fingerprint)" : "DIFFER from the recomputation (see above)"}`,
    );
    // A run whose answers differ is not a measurement of the figures: it fails.
    if (!identical) process.exitCode = 1;
    console.log(`\ntotal run time ${seconds(totalMs)}`);
  } finally {
    if (server) await closeServer(server);
    if (floorServer) await closeServer(floorServer);
    await baseline?.close();
    node?.close();
    cleanUp();
    disarm();
  }
}

/** The base URL of a server started by `serve` (listening already or soon). */
async function listenedUrl(server: http.Server): Promise<string> {
  if (!server.listening) await new Promise((resolve) => server.once("listening", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return `http://127.0.0.1:${address.port}`;
}

void listen;
await main();
