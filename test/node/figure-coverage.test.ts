import { following } from "@spiral-network/node/db/schema";
import { endorsement } from "@spiral-network/node/figures";
import { createNode, type SpiralNode } from "@spiral-network/node/node";
import {
  INITIAL_MOVE_COST_MS,
  learntMoveCost,
  MAX_MOVE_CHUNK,
  MOVE_BUDGET_MS,
  moveChunkSize,
} from "@spiral-network/node/services/aggregates";
import {
  createFigureCoverage,
  MAX_SLICES,
  sortedOutliers,
  unchangedThrough,
} from "@spiral-network/node/services/figure-coverage";
import {
  type AggregateFilter,
  type AggregateState,
  aggregate,
  DEFAULT_POLICY,
  defaultGrid,
  draftSynthesis,
  emptyState,
  entryKey,
  type GroupTally,
  mergeRecords,
  type Period,
  periodKey,
  plausibilityOutliers,
  type SynthesisPayload,
  synthesisRecord,
} from "@spiral-network/protocol";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { seededRandom } from "../../scripts/lib/seeded-random";
import { expectFiguresAsRecomputed } from "../support/figures-check";

// A world, country or region figure reads its coverage from cells kept per place as entries
// change (node/src/services/figure-coverage.ts): exclusion counts, overlap losers, counted
// origins and the sorted plausibility ratios, from which median, MAD and the outliers come by
// order statistics. Whatever order the entries change in, every answer must equal the
// protocol's `aggregate()` recomputed from the state.

describe("plausibility over sorted ratios", () => {
  // Mostly a cluster of 3–5 criteria per participant, some far above (under the ceiling of 40)
  // or far below, some none: outliers on both sides without the ceiling deciding.
  const itemArb = fc.integer({ min: 1, max: 12 }).chain((participants) =>
    fc.record({
      participants: fc.constant(participants),
      criteria: fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min: 3 * participants, max: 5 * participants }) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 40 * participants }) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 60 * participants }) },
        { weight: 1, arbitrary: fc.constant(0) },
      ),
    }),
  );
  it("flags exactly what plausibilityOutliers flags (ceiling aside), ties and even counts included", () => {
    let sawRelative = false;
    fc.assert(
      fc.property(fc.array(itemArb, { maxLength: 60, size: "max" }), (items) => {
        const logs = items
          .map((item, i) => ({ item, i }))
          .filter(({ item }) => item.criteria > 0)
          .map(({ item, i }) => ({ x: Math.log(item.criteria / item.participants), entry: i }))
          .sort((a, b) => a.x - b.x || a.entry - b.entry);
        const ceiling = items.flatMap((item, i) =>
          item.criteria > 40 * item.participants ? [i] : [],
        );
        const ours = new Set([...ceiling, ...sortedOutliers(logs)]);
        const expected = plausibilityOutliers(items);
        expect([...ours].sort((a, b) => a - b)).toEqual(expected);
        sawRelative ||= expected.some((i) => !ceiling.includes(i));
      }),
      { numRuns: 400, seed: 20261207 },
    );
    // The generator reaches outliers the ceiling does not flag.
    expect(sawRelative).toBe(true);
  });
});

const PUBLIC_URL = "http://coverage.test";
const GRID = { id: defaultGrid.id, version: defaultGrid.version };
const OTHER_GRID = { id: defaultGrid.id, version: `${defaultGrid.version}-unknown` };
/** Countries, and regions: "R1" exists in two countries (a region filter then spans both). */
const PLACES = [
  { country: "FR", region: "FR-A" },
  { country: "FR", region: "R1" },
  { country: "PT", region: "R1" },
  { country: "PT", region: "PT-B" },
  { country: "BE", region: undefined },
] as const;
const ORIGINS = 24;
/** Overlapping periods: a year, its first half, one month inside it, and another year. */
const PERIODS: readonly Period[] = [
  { start: "2026-01-01", end: "2026-12-31" },
  { start: "2026-01-01", end: "2026-06-30" },
  { start: "2026-03-01", end: "2026-03-31" },
  { start: "2025-01-01", end: "2025-12-31" },
];
const RELAYS = ["https://relay-a.example/actors/relay", "https://relay-b.example/actors/relay"];
const plainOrigin = (o: number) => `https://n${o}.example/actors/t${o}`;
/**
 * Origins whose keys sort next to one another's across the "\n" separator: prefixes of each
 * other, query strings, percent-encoding, case (the window memo's "no edit at or before the
 * last entry walked" test, `unchangedThrough`).
 */
const HOSTILE_ORIGINS = [
  "https://a.example/t",
  "https://a.example/t/x",
  "https://a.example/t?x=1",
  "https://a.example/t%2Fx",
  "https://a.example/T",
  "https://a.example/t-",
  "https://a.example/t0",
  "https://a.example/t\u00e9",
  "https://a.example:8080/t",
  "https://a.example/",
  "https://A.example/t",
  "https://a.example/t/",
];
const hostileOrigin = (o: number) =>
  o < HOSTILE_ORIGINS.length
    ? (HOSTILE_ORIGINS[o] as string)
    : `${HOSTILE_ORIGINS[o % HOSTILE_ORIGINS.length]}/${o}`;
let originOf = plainOrigin;
const objectId = (o: number, p: number, version: number) =>
  `https://n${o}.example/syntheses/${p}-v${version}`;

/** Variants: 0–1 ordinary, 2: ten times the criteria, 3: a grid version the node does not know. */
function payloadFor(o: number, p: number, version: number, variant: number): SynthesisPayload {
  const next = seededRandom(((o * 31 + p) * 31 + version) * 31 + variant);
  const scale = variant === 2 ? 10 : 1;
  const place = PLACES[o % PLACES.length] as (typeof PLACES)[number];
  const groups: GroupTally[] = [
    {
      category: "young-people",
      participants: 5 + Math.floor(next() * 6),
      counts: [
        { question: "Q1", component: "A01", count: (1 + Math.floor(next() * 9)) * scale },
        { question: "Q2", component: "B02", count: (1 + Math.floor(next() * 5)) * scale },
      ],
    },
  ];
  // A second category for one origin in three, in some of its versions (its slices change).
  if (o % 3 === 0 && (version + variant) % 4 !== 3) {
    groups.push({
      category: "elderly-people",
      participants: 5 + Math.floor(next() * 4),
      counts: [{ question: "Q1", component: "A01", count: (1 + Math.floor(next() * 4)) * scale }],
    });
  }
  const { payload, blockers } = draftSynthesis({
    territory: {
      id: originOf(o),
      name: `Territory ${o}`,
      country: place.country,
      ...(place.region ? { region: place.region } : {}),
    },
    period: PERIODS[p] as Period,
    grid: variant === 3 ? OTHER_GRID : GRID,
    groups,
    previous: version > 1 ? { version: version - 1, hash: "0".repeat(64), participants: 1 } : null,
    correction: version > 1,
    policy: DEFAULT_POLICY,
  });
  if (!payload) throw new Error(`fixture ${o}/${p}/${version}: ${blockers.join("; ")}`);
  return payload;
}

const nodes: SpiralNode[] = [];
afterEach(() => {
  for (const node of nodes.splice(0)) node.close();
});

/** A node and the reference state, changed together. */
function harness() {
  const node = createNode({
    databaseFile: ":memory:",
    publicUrl: PUBLIC_URL,
    logger: { info() {}, warn() {}, error() {} },
    adminToken: "figure-coverage-test-token-0123456789",
  });
  nodes.push(node);
  let state: AggregateState = emptyState();
  const versions = new Map<string, number>();
  const gone = new Set<string>();
  return {
    node,
    state: () => state,
    /** Delivers version `version` of (o, p), or a conflicting copy of the held version. */
    deliver(o: number, p: number, variant: number, via: number, conflict: boolean) {
      const key = entryKey(originOf(o), periodKey(PERIODS[p] as Period));
      if (gone.has(key)) return;
      const held = versions.get(key) ?? 0;
      const version = conflict && held > 0 ? held : held + 1;
      const payload = payloadFor(o, p, version, conflict ? variant + 10 : variant);
      node.services.received.accept({
        origin: originOf(o),
        objectId: objectId(o, p, version),
        payload,
        activity: { type: version === 1 ? "Create" : "Update", hash: payload.hash },
        via: via < 0 ? null : (RELAYS[via] as string),
      });
      versions.set(key, version);
      state = mergeRecords(state, [synthesisRecord(payload)]);
    },
    /** Puts the reference state back as it is now when the returned function is called. */
    save() {
      const saved = { state, versions: new Map(versions), gone: new Set(gone) };
      return () => {
        state = saved.state;
        versions.clear();
        for (const [k, v] of saved.versions) versions.set(k, v);
        gone.clear();
        for (const k of saved.gone) gone.add(k);
      };
    },
    withdraw(o: number, p: number) {
      const key = entryKey(originOf(o), periodKey(PERIODS[p] as Period));
      const version = versions.get(key);
      if (version === undefined || gone.has(key)) return;
      node.services.received.withdraw(originOf(o), objectId(o, p, version));
      gone.add(key);
      state = new Map([...state].filter(([k]) => k !== key));
    },
    follow(relays: readonly number[]) {
      const { db } = node.services.ctx;
      db.delete(following).run();
      for (const r of relays) {
        const target = RELAYS[r] as string;
        db.insert(following)
          .values({
            actor: `${PUBLIC_URL}/actors/x`,
            target,
            targetInbox: `${target}/inbox`,
            followActivityId: `${PUBLIC_URL}/follows/${r}`,
            state: "accepted",
          })
          .run();
      }
    },
  };
}

const FILTERS: ReadonlyArray<AggregateFilter> = [
  {},
  { countries: ["FR"] },
  { countries: ["BE"] },
  { countries: ["XX"] },
  { regions: ["FR-A"] },
  { regions: ["R1"] },
  { countries: ["PT"], regions: ["R1"] },
  { regions: ["nowhere"] },
  { countries: ["FR", "PT"] },
  { question: "Q2", countries: ["PT"] },
  // Worldwide slices: one period, one category, both; ranges of every period, none, several.
  { periodFrom: "2026-03-01", periodTo: "2026-03-31" },
  { periodFrom: "2025-01-01", periodTo: "2025-12-31", categories: ["elderly-people"] },
  { categories: ["young-people"] },
  { categories: ["elderly-people"], question: "Q1" },
  { categories: ["unemployed-people"] },
  { periodFrom: "2020-01-01" },
  { periodFrom: "2020-01-01", categories: ["elderly-people"] },
  { periodFrom: "2027-01-01" },
  { periodFrom: "2026-01-01", periodTo: "2026-06-30", categories: ["elderly-people"] },
  { categories: ["young-people", "elderly-people"] },
  { periodFrom: "2026-01-01", periodTo: "2026-12-31", countries: ["FR"] },
];

/** The service's answer with a coverage window, against the recomputation's lists sliced. */
const check = (h: ReturnType<typeof harness>, label: string) =>
  expectFiguresAsRecomputed(h.node, h.state(), FILTERS, label, [
    undefined,
    { offset: 0, limit: 3 },
    { offset: 5, limit: 4 },
  ]);

type Step =
  | { kind: "deliver"; o: number; p: number; variant: number; via: number; conflict: boolean }
  | { kind: "withdraw"; o: number; p: number }
  | { kind: "follow"; relays: number[] }
  | { kind: "check" };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant("deliver" as const),
      o: fc.nat(ORIGINS - 1),
      p: fc.nat(PERIODS.length - 1),
      variant: fc.constantFrom(0, 0, 0, 1, 1, 2, 3),
      via: fc.constantFrom(-1, 0, 1),
      conflict: fc.constant(false),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("deliver" as const),
      o: fc.nat(ORIGINS - 1),
      p: fc.nat(PERIODS.length - 1),
      variant: fc.constant(0),
      via: fc.constant(-1),
      conflict: fc.constant(true),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("withdraw" as const),
      o: fc.nat(ORIGINS - 1),
      p: fc.nat(PERIODS.length - 1),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("follow" as const),
      relays: fc.subarray([0, 1]),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: "check" as const }) },
);

/** An entry as the coverage reads it: one origin, one period, five participants, in France. */
const coverageEntry = (
  origin: string,
  period: { start: string; end: string },
  more: { criteria?: number; categories?: string[] } = {},
) => ({
  key: `${origin}\n${period.start}/${period.end}`,
  origin,
  periodKey: `${period.start}/${period.end}`,
  start: period.start,
  end: period.end,
  country: "FR",
  region: "",
  conflicted: false,
  gridId: GRID.id,
  gridVersion: GRID.version,
  participants: 5,
  criteria: more.criteria ?? 10,
  endorsed: false,
  categories: more.categories ?? [],
  originTrusted: false,
});

describe("what a place remembers of its edits (a read's memo of its coverage window)", () => {
  it("tells whether the entries up to a key are as they were, and says no past what it remembers", () => {
    const year = { start: "2026-01-01", end: "2026-12-31" };
    const entry = (origin: string, criteria = 10) => coverageEntry(origin, year, { criteria });
    // "o1" sorts before "o1/x" ("\n" before "/"), which sorts before "o2".
    let entries = ["o1", "o1/x", "o2", "o3"].map((o) => entry(o));
    const coverage = createFigureCoverage(
      GRID,
      () => false,
      (origin) => entries.filter((e) => e.origin === origin),
    );
    coverage.rebuild(entries.map((e) => e.origin));
    const world = coverage.place("world", "", "");
    if (!world) throw new Error("no world place");
    const change = (origin: string, criteria: number) => {
      entries = entries.map((e) => (e.origin === origin ? entry(origin, criteria) : e));
      coverage.touch(origin);
      coverage.sync();
    };
    const since = world.edits;
    const walkedTo = entries[0]?.key as string; // the walk read o1's entry only
    expect(unchangedThrough(world, since, walkedTo)).toBe(true);
    change("o2", 11);
    change("o1/x", 12);
    // Edits after the key walked leave it unchanged; one at or before it does not.
    expect(unchangedThrough(world, since, walkedTo)).toBe(true);
    expect(unchangedThrough(world, since, entries[1]?.key as string)).toBe(false);
    change("o1", 13);
    expect(unchangedThrough(world, since, walkedTo)).toBe(false);
    // An origin taken out is an edit too.
    const before = world.edits;
    entries = entries.filter((e) => e.origin !== "o3");
    coverage.touch("o3");
    coverage.sync();
    expect(world.edits).toBe(before + 1);
    expect(unchangedThrough(world, before, entries[2]?.key as string)).toBe(true);
    expect(unchangedThrough(world, before, "o3\n")).toBe(false);
    // Past the edits a place remembers, even edits far after the key are not known to be.
    const many = world.edits;
    for (let i = 0; i < 64; i++) change("o2", 20 + i);
    expect(unchangedThrough(world, many, walkedTo)).toBe(true);
    change("o2", 90);
    expect(unchangedThrough(world, many, walkedTo)).toBe(false);
    expect(unchangedThrough(world, many + 1, walkedTo)).toBe(true);
  });
});

describe("slices kept from their first read", () => {
  it("holds at most MAX_SLICES; past them a read is told to scan, an empty one that it is empty", () => {
    const day = (i: number) => `2026-01-${String(i + 1).padStart(2, "0")}`;
    const entries = Array.from({ length: MAX_SLICES + 4 }, (_, i) =>
      coverageEntry(
        `o${i}`,
        { start: day(i), end: day(i) },
        { criteria: 10 + i, categories: ["young-people"] },
      ),
    );
    const coverage = createFigureCoverage(
      GRID,
      () => false,
      (origin) => entries.filter((e) => e.origin === origin),
    );
    coverage.rebuild(entries.map((e) => e.origin));
    const read = (i: number) =>
      coverage.slice({ start: day(i), end: day(i) }, "young-people", () => [`o${i}`]);
    // A slice with no entry is empty, not kept.
    expect(coverage.slice(null, "elderly-people", () => [])).toBe("empty");
    const kept = entries.slice(0, MAX_SLICES).map((_, i) => read(i));
    for (const [i, slice] of kept.entries()) {
      expect(slice, `slice ${i}`).toMatchObject({ sorted: [entries[i]], category: "young-people" });
    }
    expect(entries.slice(MAX_SLICES).map((_, i) => read(MAX_SLICES + i))).toEqual([
      "full",
      "full",
      "full",
      "full",
    ]);
    // A slice kept already is still answered; past the bound no other is looked at.
    expect(read(0)).toBe(kept[0]);
    expect(
      coverage.slice(null, "elderly-people", () => {
        throw new Error("origins listed past the bound");
      }),
    ).toBe("full");
  });
});

describe("world, country and region figures from the maintained cells = aggregate()", () => {
  it("a version accepted outside a transaction is taken in at once; inside one, at the next read", () => {
    const h = harness();
    for (let o = 0; o < 8; o++) h.deliver(o, o % 2, 0, -1, false);
    const { aggregates } = h.node.services;
    // Before the index is loaded (no read yet) nothing is taken in: the first read loads it.
    expect(aggregates.backlog()).toBeGreaterThan(0);
    check(h, "first read");
    expect(aggregates.backlog()).toBe(0);
    h.deliver(3, 1, 1, -1, false);
    expect(aggregates.backlog()).toBe(0);
    h.node.storage.sqlite.transaction(() => h.deliver(4, 0, 1, -1, false))();
    expect(aggregates.backlog()).toBe(1);
    check(h, "after a caller's transaction");
    expect(aggregates.backlog()).toBe(0);
  });

  it("after entries change in any order (versions, conflicts, withdrawals, follows)", () => {
    let sawFlagged = false;
    let sawOverlap = false;
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 30, maxLength: 80 }), (steps) => {
        for (const node of nodes.splice(0)) node.close();
        const h = harness();
        // Enough entries for the relative plausibility rule (at least 5 counted ones).
        for (let o = 0; o < ORIGINS; o++)
          h.deliver(o, o % 2, o % 7 === 3 ? 2 : 0, (o % 3) - 1, false);
        check(h, "initial");
        steps.forEach((step, i) => {
          if (step.kind === "deliver")
            h.deliver(step.o, step.p, step.variant, step.via, step.conflict);
          else if (step.kind === "withdraw") h.withdraw(step.o, step.p);
          else if (step.kind === "follow") h.follow(step.relays);
          else check(h, `step ${i}`);
        });
        check(h, "end");
        const world = aggregate(h.state(), {}, { grid: GRID });
        sawFlagged ||= world.flagged.length > 0;
        sawOverlap ||= world.coverage.excluded.some((e) => e.reason === "overlapping");
      }),
      { numRuns: 8, seed: 20261207 },
    );
    expect({ sawFlagged, sawOverlap }).toEqual({ sawFlagged: true, sawOverlap: true });
  });
});

describe("coverage windows read again after each change (the window kept per place)", () => {
  const PAGES = [
    undefined,
    { offset: 0, limit: 0 },
    { offset: 0, limit: 1 },
    { offset: 1, limit: 2 },
    { offset: 2, limit: 3 },
    { offset: 4, limit: 6 },
    { offset: 7, limit: 0 },
    { offset: 500, limit: 3 },
  ];
  const WINDOW_FILTERS: ReadonlyArray<AggregateFilter> = [
    {},
    { countries: ["FR"] },
    { regions: ["FR-A"] },
    { categories: ["elderly-people"] },
    { periodFrom: "2026-03-01", periodTo: "2026-03-31" },
  ];
  type WindowStep =
    | Step
    | { kind: "burst"; first: number; o: number; p: number }
    | { kind: "rolled-back"; o: number; p: number; variant: number; withdraw: boolean };
  const windowStepArb: fc.Arbitrary<WindowStep> = fc.oneof(
    { weight: 8, arbitrary: stepArb },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("burst" as const),
        first: fc.nat(ORIGINS - 1),
        o: fc.nat(ORIGINS - 1),
        p: fc.nat(PERIODS.length - 1),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("rolled-back" as const),
        o: fc.nat(ORIGINS - 1),
        p: fc.nat(PERIODS.length - 1),
        variant: fc.constantFrom(0, 2, 3),
        withdraw: fc.boolean(),
      }),
    },
  );
  afterEach(() => {
    originOf = plainOrigin;
  });

  it("a change at the start of the window, then more changes further on than a place remembers", () => {
    originOf = hostileOrigin;
    const h = harness();
    // A year and its first half per origin: the half is left out (overlapping), so both
    // windows fill before the end and the window depends on the entries walked only.
    for (let o = 0; o < ORIGINS; o++) for (const p of [0, 1]) h.deliver(o, p, 0, -1, false);
    const pages = [{ offset: 0, limit: 3 }];
    const first = HOSTILE_ORIGINS.indexOf("https://A.example/t"); // sorts first ("A" < "a")
    const last = HOSTILE_ORIGINS.indexOf("https://a.example:8080/t"); // sorts last (":" > "/")
    expectFiguresAsRecomputed(h.node, h.state(), [{}], "before", pages);
    h.deliver(first, 0, 1, -1, false);
    for (let n = 0; n < 65; n++) h.deliver(last, 0, n % 2, -1, false);
    expectFiguresAsRecomputed(h.node, h.state(), [{}], "after", pages);
  });

  it("equal the recomputation page by page, origins sorting next to one another included", () => {
    originOf = hostileOrigin;
    fc.assert(
      // Two windows per place and scope, as many as a place keeps for both scopes, raw and
      // robust (more would be dropped before they are read again).
      fc.property(
        fc.array(windowStepArb, { minLength: 20, maxLength: 45 }),
        fc.uniqueArray(fc.constantFrom(...PAGES), { minLength: 2, maxLength: 2 }),
        (steps, pages) => {
          for (const node of nodes.splice(0)) node.close();
          const h = harness();
          for (let o = 0; o < ORIGINS; o++)
            h.deliver(o, o % 2, o % 7 === 3 ? 2 : 0, (o % 3) - 1, false);
          const { aggregates } = h.node.services;
          const read = (label: string) =>
            expectFiguresAsRecomputed(h.node, h.state(), WINDOW_FILTERS, label, pages);
          read("initial");
          steps.forEach((step, i) => {
            if (step.kind === "deliver")
              h.deliver(step.o, step.p, step.variant, step.via, step.conflict);
            else if (step.kind === "withdraw") h.withdraw(step.o, step.p);
            else if (step.kind === "follow") {
              h.follow(step.relays);
              // The moves done: the endorsed figures are read from the maintained places again.
              aggregates.followsChanged();
              aggregates.repartitionNow();
            } else if (step.kind === "burst") {
              // One origin changed, then another more often than a place remembers, between two
              // reads: the first change is forgotten, the memo must not be given again.
              h.deliver(step.first, 0, 1, -1, false);
              for (let n = 0; n < 65; n++) h.deliver(step.o, step.p, n % 2, -1, false);
            } else if (step.kind === "rolled-back") {
              const restore = h.save();
              try {
                h.node.storage.sqlite.transaction(() => {
                  if (step.withdraw) h.withdraw(step.o, step.p);
                  else h.deliver(step.o, step.p, step.variant, -1, false);
                  // Read inside the transaction: the index takes the uncommitted entry in.
                  read(`step ${i} inside`);
                  throw new Error("roll back");
                })();
              } catch (error) {
                if (!(error instanceof Error) || error.message !== "roll back") throw error;
              }
              restore();
            }
            read(`step ${i} ${step.kind}`);
          });
        },
      ),
      { numRuns: 8, seed: 20261208 },
    );
  });
});

describe("a change of follows moving entries in the background", () => {
  /** One turn of the event loop: a repartition scheduled before runs its next step. */
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  const endorsedEntries = (h: ReturnType<typeof harness>) =>
    (
      h.node.storage.sqlite
        .prepare("select count(*) as n from aggregate_entries where endorsed = 1")
        .get() as { n: number }
    ).n;
  /** Turns of the event loop until the move's first chunk is written (planning is one step). */
  const firstChunk = async (h: ReturnType<typeof harness>, before: number) => {
    await turn(); // planned
    expect(endorsedEntries(h)).toBe(before);
    await turn(); // the first chunk moved, not the last
    expect(endorsedEntries(h)).toBeGreaterThan(before);
    expect(endorsedEntries(h)).toBeLessThan(before + 2 * ORIGINS);
  };
  const followRelay = (h: ReturnType<typeof harness>, r: number) => {
    const target = RELAYS[r] as string;
    const row = h.node.services.follows.requestFollow({
      actor: `${PUBLIC_URL}/actors/x`,
      target,
      targetInbox: `${target}/inbox`,
      followActivityId: `${PUBLIC_URL}/follows/${r}`,
    });
    h.node.services.follows.setFollowingState(row.id, "accepted");
    return row.id;
  };
  /** The endorsed world figure, against the recomputation with the trust the follows define. */
  const expectEndorsed = (
    h: ReturnType<typeof harness>,
    byFollows: (origin: string) => boolean,
  ) => {
    const trusted = endorsement(h.node.services);
    const origins = [...new Set([...h.state().values()].map((e) => e.origin))];
    expect(origins.filter(trusted).sort()).toEqual(origins.filter(byFollows).sort());
    const answer = h.node.services.aggregates.query({ scope: "endorsed", robust: false }, trusted);
    const grids = h.node.services.grids.catalog();
    const expected = aggregate(h.state(), {}, { grid: GRID, grids, trusted: byFollows });
    expect(answer.fingerprint).toBe(expected.fingerprint);
    expect(answer.counts).toEqual(expected.counts);
  };
  // More entries than the first chunk of a move, all relayed by relay 0.
  it("moves as many entries per chunk as its budget holds at the cost measured so far", () => {
    expect(2 * ORIGINS).toBeGreaterThan(moveChunkSize(INITIAL_MOVE_COST_MS));
    expect(moveChunkSize(MOVE_BUDGET_MS / 4)).toBe(4);
    expect(moveChunkSize(MOVE_BUDGET_MS * 3)).toBe(1); // one entry over budget: still moves
    expect(moveChunkSize(0.001)).toBe(MAX_MOVE_CHUNK);
    expect(moveChunkSize(0)).toBe(MAX_MOVE_CHUNK);
    // A slower chunk shrinks the next ones; a measurement that is no duration is ignored.
    expect(learntMoveCost(2, 10)).toBe(6);
    expect(learntMoveCost(2, Number.NaN)).toBe(2);
    expect(learntMoveCost(2, -1)).toBe(2);
  });
  const seed = (h: ReturnType<typeof harness>) => {
    for (let o = 0; o < ORIGINS; o++) for (const p of [0, 3]) h.deliver(o, p, 0, 0, false);
  };

  it("a follow undone while its move runs: the moved entries move back", async () => {
    const h = harness();
    seed(h);
    await h.node.services.aggregates.repartitioned();
    expectEndorsed(h, () => false);
    const before = endorsedEntries(h);
    const id = followRelay(h, 0);
    await firstChunk(h, before);
    h.node.services.follows.removeFollowing(id);
    await h.node.services.aggregates.repartitioned();
    expectEndorsed(h, () => false);
  });

  it("an entry applied under follows undone before the move ends is moved too", async () => {
    const h = harness();
    seed(h);
    await h.node.services.aggregates.repartitioned();
    const before = endorsedEntries(h);
    followRelay(h, 0);
    await firstChunk(h, before);
    // Relay 1 followed for a moment: a new territory relayed by it is placed as endorsed.
    const id = followRelay(h, 1);
    h.deliver(30, 0, 0, 1, false);
    h.node.services.follows.removeFollowing(id);
    await h.node.services.aggregates.repartitioned();
    const relayed0 = new Set(Array.from({ length: ORIGINS }, (_, o) => originOf(o)));
    expectEndorsed(h, (origin) => relayed0.has(origin));
  });

  it("the endorsement counts an entry applied since the last read (no read in between)", async () => {
    const h = harness();
    seed(h);
    followRelay(h, 0);
    await h.node.services.aggregates.repartitioned();
    // A new territory relayed by the followed relay, then the endorsement before any figure is
    // read: the territory's own figure (read from its entries) asks it first.
    h.deliver(30, 0, 0, 0, false);
    expect(endorsement(h.node.services)(originOf(30))).toBe(true);
    const answer = h.node.services.aggregates.query(
      { scope: "endorsed", robust: false, origins: [originOf(30)] },
      endorsement(h.node.services),
    );
    expect(answer.coverageCounts.included).toBe(1);
  });

  it("chunks that found their entries in place already do not make the next moves larger", async () => {
    const h = harness();
    seed(h);
    await h.node.services.aggregates.repartitioned();
    // Each move is planned, then every entry it plans is applied again (a new version) under
    // the follows of now, so its chunks find them in place: they move nothing, cheaply.
    const id = followRelay(h, 0);
    await turn(); // planned
    seed(h);
    await h.node.services.aggregates.repartitioned();
    expectEndorsed(h, () => true);
    h.node.services.follows.removeFollowing(id);
    await turn(); // planned
    seed(h);
    await h.node.services.aggregates.repartitioned();
    expectEndorsed(h, () => false);
    // A move that moves: its first chunk is sized by what moving costs, not by what finding
    // entries in place cost (that sized it to all of them at once).
    for (let o = 0; o < ORIGINS; o++) for (const p of [0, 3]) h.deliver(o, p, 0, 1, false);
    const before = endorsedEntries(h);
    followRelay(h, 1);
    await firstChunk(h, before);
    await h.node.services.aggregates.repartitioned();
    expectEndorsed(h, () => true);
  });

  it("a move finished inside a caller's transaction is refused: a rollback leaves the figures exact", async () => {
    const h = harness();
    seed(h);
    await h.node.services.aggregates.repartitioned();
    // The places' sums are in memory (read once), then the follows change.
    check(h, "before");
    followRelay(h, 0);
    expect(() =>
      h.node.services.ctx.db.transaction(() => {
        h.node.services.aggregates.repartitionNow();
        throw new Error("a later step failed");
      }),
    ).toThrow();
    await h.node.services.aggregates.repartitioned();
    expectEndorsed(h, () => true);
    check(h, "after");
  });

  it("a node closed during a move: the next chunk does nothing, the waiters are told", async () => {
    const h = harness();
    seed(h);
    await h.node.services.aggregates.repartitioned();
    const before = endorsedEntries(h);
    followRelay(h, 0);
    await firstChunk(h, before);
    const done = h.node.services.aggregates.repartitioned();
    for (const node of nodes.splice(0)) await node.close();
    await expect(done).resolves.toBeUndefined();
  });
});

describe("the endorsed figure once the partitions agree with the follows = aggregate()", () => {
  // Reads right after a change of follows take the follows' trust (a scan); once the entries
  // have moved they read the endorsed view of the maintained cells: both must be exact.
  const settledArb: fc.Arbitrary<Step | { kind: "settle" }> = fc.oneof(
    { weight: 6, arbitrary: stepArb },
    { weight: 1, arbitrary: fc.constant({ kind: "settle" as const }) },
  );
  it("after entries and follows change in any order, the moves finished at random points", () => {
    fc.assert(
      fc.property(fc.array(settledArb, { minLength: 30, maxLength: 80 }), (steps) => {
        for (const node of nodes.splice(0)) node.close();
        const h = harness();
        // A year and its first half per origin: halves left out (overlapping) fill the
        // excluded window before the end, so windows are kept up to their last entry walked.
        for (let o = 0; o < ORIGINS; o++)
          for (const p of [0, 1]) h.deliver(o, p, o % 7 === 3 ? 2 : 0, (o % 3) - 1, false);
        h.node.services.aggregates.repartitionNow();
        check(h, "initial");
        steps.forEach((step, i) => {
          if (step.kind === "deliver")
            h.deliver(step.o, step.p, step.variant, step.via, step.conflict);
          else if (step.kind === "withdraw") h.withdraw(step.o, step.p);
          else if (step.kind === "follow") h.follow(step.relays);
          else if (step.kind === "settle") h.node.services.aggregates.repartitionNow();
          else check(h, `step ${i}`);
        });
        h.node.services.aggregates.repartitionNow();
        check(h, "end");
      }),
      { numRuns: 6, seed: 20261207 },
    );
  });
});

describe("figures read between the chunks of a move in the background = aggregate()", () => {
  // Each chunk's changes enter the in-memory sums as it commits (catch-up), reads come between
  // chunks, and transactions that roll back come between them too: every read must be exact.
  type Live = Step | { kind: "turn" } | { kind: "rollback"; o: number; p: number; variant: number };
  const liveArb: fc.Arbitrary<Live> = fc.oneof(
    { weight: 6, arbitrary: stepArb },
    { weight: 4, arbitrary: fc.constant({ kind: "turn" as const }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("rollback" as const),
        o: fc.nat(ORIGINS - 1),
        p: fc.nat(PERIODS.length - 1),
        variant: fc.constantFrom(0, 1, 2),
      }),
    },
  );
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  it("with follows changed, rolled-back versions and reads at any point of the move", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(liveArb, { minLength: 30, maxLength: 60 }), async (steps) => {
        for (const node of nodes.splice(0)) node.close();
        const h = harness();
        for (let o = 0; o < ORIGINS; o++)
          for (const p of [0, 3]) h.deliver(o, p, o % 7 === 3 ? 2 : 0, (o % 3) - 1, false);
        check(h, "initial");
        for (const [i, step] of steps.entries()) {
          if (step.kind === "deliver")
            h.deliver(step.o, step.p, step.variant, step.via, step.conflict);
          else if (step.kind === "withdraw") h.withdraw(step.o, step.p);
          else if (step.kind === "follow") {
            h.follow(step.relays);
            h.node.services.aggregates.followsChanged();
          } else if (step.kind === "turn") await turn();
          else if (step.kind === "rollback") {
            const payload = payloadFor(step.o, step.p, 90, step.variant);
            expect(() =>
              h.node.services.ctx.db.transaction(() => {
                h.node.services.received.accept({
                  origin: originOf(step.o),
                  objectId: objectId(step.o, step.p, 90),
                  payload,
                  activity: { type: "Update", hash: payload.hash },
                  via: RELAYS[step.o % 2] as string,
                });
                throw new Error("a later step failed");
              }),
            ).toThrow("a later step failed");
          } else check(h, `step ${i}`);
        }
        check(h, "end");
        await h.node.services.aggregates.repartitioned();
        check(h, "moved");
      }),
      { numRuns: 6, seed: 20261207 },
    );
  }, 120_000);
});

describe("worldwide slices read inside a caller's transaction = aggregate()", () => {
  // Inside a write transaction the maintained rows are summed in SQL (the in-memory sums hold
  // committed changes only): a category slice's fingerprint must come from its category's rows.
  it("one category, one period, both: the same figure inside a transaction as outside", () => {
    const h = harness();
    for (let o = 0; o < ORIGINS; o++) h.deliver(o, o % 4, o % 7 === 3 ? 2 : 0, (o % 3) - 1, false);
    h.deliver(1, 0, 0, -1, false);
    check(h, "outside");
    h.node.storage.sqlite.transaction(() => check(h, "inside"))();
  });
});

describe("a category filter naming no category a payload can publish = aggregate()", () => {
  // The empty category is no breakdown's (their names match /^[a-z0-9-]{1,64}$/): the protocol's
  // filter keeps no synthesis, where the territories' totals (category "") must not answer.
  it("categories [''] alone, twice, with a period: an empty figure", () => {
    const h = harness();
    for (let o = 0; o < 8; o++) h.deliver(o, o % 4, 0, -1, false);
    const trusted = endorsement(h.node.services);
    const grids = h.node.services.grids.catalog();
    for (const filter of [
      { categories: [""] },
      { categories: ["", ""] },
      { categories: [""], periodFrom: "2025-01-01", periodTo: "2025-12-31" },
      // With a category that is published: that category's breakdowns only.
      { categories: ["", "young-people"] },
      { categories: ["elderly-people", ""], countries: ["FR"] },
    ] as AggregateFilter[]) {
      for (const scope of ["verified", "endorsed"] as const) {
        const expected = aggregate(h.state(), filter, {
          grid: GRID,
          grids,
          robust: false,
          ...(scope === "endorsed" ? { trusted } : {}),
        });
        const answer = h.node.services.aggregates.query(
          { ...filter, scope, robust: false },
          trusted,
        );
        const { scope: _s, filter: _f, coverageCounts: _c, ...rest } = answer;
        expect(rest, `${scope} ${JSON.stringify(filter)}`).toEqual(expected);
      }
    }
  });
});
