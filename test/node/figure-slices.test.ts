import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { following } from "@spiral-network/node/db/schema";
import { endorsement } from "@spiral-network/node/figures";
import { createNode, type SpiralNode } from "@spiral-network/node/node";
import { createAggregateService } from "@spiral-network/node/services/aggregates";
import {
  type CoverageEntry,
  createFigureCoverage,
  type FigureCoverage,
  MAX_SLICES,
  type Place,
  type PlaceCell,
} from "@spiral-network/node/services/figure-coverage";
import {
  type AggregateFilter,
  type AggregateState,
  aggregate,
  bundledGrids,
  DEFAULT_POLICY,
  defaultGrid,
  draftSynthesis,
  emptyState,
  entryKey,
  type GroupTally,
  mergeRecords,
  type Period,
  periodKey,
  type Question,
  type SynthesisPayload,
  type SynthesisRecord,
  synthesisRecord,
} from "@spiral-network/protocol";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { seededRandom } from "../../scripts/lib/seeded-random";
import { expectFiguresAsRecomputed } from "../support/figures-check";

// Worldwide figures of one period and/or one category are read from maintained slices
// (node/src/services/figure-coverage.ts) and their category's rows summed in memory
// (place-sums.ts). Periods here have cycles (same start and end, several period keys), meet at
// their bounds, nest and overlap; versions change their categories; entries of a grid version
// the node knows come and go (the figures then scan); reads happen inside transactions and
// after rolled-back ones. Every answer must equal the protocol's `aggregate()`.

const PUBLIC_URL = "http://slices.test";
const GRID = { id: defaultGrid.id, version: defaultGrid.version };
const UNKNOWN_GRID = { id: defaultGrid.id, version: `${defaultGrid.version}-unknown` };
const EARLIER_GRID = {
  id: (bundledGrids[0] as typeof defaultGrid).id,
  version: (bundledGrids[0] as typeof defaultGrid).version,
};
const PLACES = [
  { country: "FR", region: "FR-A" },
  { country: "FR", region: "FR-B" },
  { country: "PT", region: "PT-A" },
  { country: "BE", region: undefined },
] as const;
const ORIGINS = 12;
const PERIODS: readonly Period[] = [
  { start: "2026-01-01", end: "2026-06-30" },
  { start: "2026-01-01", end: "2026-06-30", cycle: 1 },
  { start: "2026-07-01", end: "2026-12-31" },
  { start: "2026-01-01", end: "2026-12-31" },
  { start: "2025-01-01", end: "2025-12-31" },
  { start: "2025-01-01", end: "2025-12-31", cycle: 2 },
  { start: "2026-06-30", end: "2026-07-01" },
];
const RELAYS = ["https://relay-a.example/actors/relay", "https://relay-b.example/actors/relay"];
const originOf = (o: number) => `https://s${o}.example/actors/t${o}`;
const objectId = (o: number, p: number) => `https://s${o}.example/syntheses/p${p}`;
const CODES: ReadonlyArray<[Question, string]> = [
  ["Q1", "A01"],
  ["Q1", "A05"],
  ["Q2", "B01"],
  ["Q2", "B02"],
  ["Q3", "A02"],
];

/** Variants: 0–1 ordinary, 2: ten times the criteria, 3: an unknown grid version, 4: the earlier one. */
function payloadFor(o: number, p: number, version: number, variant: number): SynthesisPayload {
  const next = seededRandom((((o * 31 + p) * 31 + version) * 31 + variant) * 7 + 3);
  const scale = variant === 2 ? 10 : 1;
  const place = PLACES[o % PLACES.length] as (typeof PLACES)[number];
  const cells = () => {
    const picked = CODES.filter(() => next() < 0.5).map(([question, component]) => ({
      question,
      component,
      count: (1 + Math.floor(next() * 4)) * scale,
    }));
    return picked.length > 0
      ? picked
      : [{ question: "Q1" as Question, component: "A01", count: scale }];
  };
  // Which categories a version publishes changes from version to version.
  const groups: GroupTally[] = [];
  if (next() < 0.8)
    groups.push({
      category: "young-people",
      participants: 5 + Math.floor(next() * 6),
      counts: cells(),
    });
  if (next() < 0.5)
    groups.push({
      category: "elderly-people",
      participants: 5 + Math.floor(next() * 4),
      counts: cells(),
    });
  if (next() < 0.4 || groups.length === 0)
    groups.push({
      category: "students",
      participants: 1 + Math.floor(next() * 3),
      counts: cells(),
    });
  if (groups.length === 1 && (groups[0] as GroupTally).participants < 5)
    groups.push({ category: "farmers", participants: 5, counts: cells() });
  const { payload, blockers } = draftSynthesis({
    territory: {
      id: originOf(o),
      name: `Territory ${o}`,
      country: place.country,
      ...(place.region ? { region: place.region } : {}),
    },
    period: PERIODS[p] as Period,
    grid: variant === 3 ? UNKNOWN_GRID : variant === 4 ? EARLIER_GRID : GRID,
    groups,
    previous: version > 1 ? { version: version - 1, hash: "0".repeat(64), participants: 1 } : null,
    correction: version > 1,
    policy: DEFAULT_POLICY,
  });
  if (!payload) throw new Error(`fixture ${o}/${p}/${version}/${variant}: ${blockers.join("; ")}`);
  return payload;
}

const nodes: SpiralNode[] = [];
afterEach(() => {
  for (const node of nodes.splice(0)) node.close();
});

/** A node and the reference state, changed together (withdrawn entries come back with a newer version). */
function harness(databaseFile = ":memory:") {
  const open = () => {
    const opened = createNode({
      databaseFile,
      publicUrl: PUBLIC_URL,
      logger: { info() {}, warn() {}, error() {} },
      adminToken: "figure-slices-test-token-0123456789",
    });
    nodes.push(opened);
    return opened;
  };
  let node = open();
  let merged: AggregateState = emptyState();
  const withdrawn = new Set<string>();
  const accept = (o: number, p: number, payload: SynthesisPayload, via: number) =>
    node.services.received.accept({
      origin: originOf(o),
      objectId: objectId(o, p),
      payload,
      activity: { type: payload.version === 1 ? "Create" : "Update", hash: payload.hash },
      via: via < 0 ? null : (RELAYS[via] as string),
    });
  const add = (record: SynthesisRecord) => {
    const key = entryKey(record.origin, record.periodKey);
    const held = merged.get(key);
    if (!held || record.version > held.version) withdrawn.delete(key);
    merged = mergeRecords(merged, [record]);
  };
  return {
    get node() {
      return node;
    },
    /** Closes the node and opens it again on the same database file (`before` runs between). */
    reopen(before?: (sqlite: SpiralNode["storage"]["sqlite"]) => void) {
      nodes.splice(nodes.indexOf(node), 1);
      before?.(node.storage.sqlite);
      node.close();
      node = open();
    },
    state: (): AggregateState => new Map([...merged].filter(([key]) => !withdrawn.has(key))),
    /** The next version of (o, p), or a conflicting copy of the held one. */
    deliver(o: number, p: number, variant: number, via: number, conflict = false) {
      const held = merged.get(entryKey(originOf(o), periodKey(PERIODS[p] as Period)))?.version ?? 0;
      const version = conflict && held > 0 ? held : held + 1;
      const payload = payloadFor(o, p, version, conflict ? variant + 10 : variant);
      accept(o, p, payload, via);
      add(synthesisRecord(payload));
    },
    withdraw(o: number, p: number) {
      const key = entryKey(originOf(o), periodKey(PERIODS[p] as Period));
      if (!merged.has(key)) return;
      node.services.received.withdraw(originOf(o), objectId(o, p));
      withdrawn.add(key);
    },
    /** A version accepted inside a transaction that then rolls back: nothing of it may show. */
    rolledBack(o: number, p: number, variant: number, read = false) {
      const payload = payloadFor(o, p, 90, variant);
      expect(() =>
        node.services.ctx.db.transaction(() => {
          accept(o, p, payload, o % 2);
          // A figure read before the rollback takes the uncommitted version in.
          if (read) {
            const trusted = endorsement(node.services);
            for (const filter of [{}, { categories: ["young-people"] }, { periodTo: "2025-12-31" }])
              node.services.aggregates.query(
                { ...filter, scope: "endorsed", robust: true },
                trusted,
              );
          }
          throw new Error("a later step failed");
        }),
      ).toThrow("a later step failed");
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
      node.services.aggregates.followsChanged();
    },
  };
}
type Harness = ReturnType<typeof harness>;

/** Ranges: each on a period's exact bounds, around them, holding several, every or no period. */
const RANGES: ReadonlyArray<Pick<AggregateFilter, "periodFrom" | "periodTo">> = [
  {},
  { periodFrom: "2026-01-01", periodTo: "2026-06-30" },
  { periodFrom: "2026-07-01", periodTo: "2026-12-31" },
  { periodFrom: "2026-06-30", periodTo: "2026-07-01" },
  { periodFrom: "2025-01-01", periodTo: "2025-12-31" },
  { periodFrom: "2026-01-01", periodTo: "2026-12-31" },
  { periodFrom: "2026-06-30" },
  { periodTo: "2026-06-30" },
  { periodFrom: "2025-01-01" },
  { periodTo: "2026-12-31" },
  { periodFrom: "2026-01-02", periodTo: "2026-06-29" },
];
const CATEGORIES: ReadonlyArray<Pick<AggregateFilter, "categories" | "question">> = [
  {},
  { categories: ["young-people"] },
  { categories: ["elderly-people", "elderly-people"] },
  { categories: ["other"] },
  { categories: ["students"], question: "Q2" },
  { categories: ["unemployed-people"] },
  { categories: ["young-people", "other"] },
];
const FILTERS: ReadonlyArray<AggregateFilter> = [
  ...RANGES.flatMap((range) => CATEGORIES.map((c) => ({ ...range, ...c }))),
  { periodFrom: "2025-01-01", countries: ["FR"] },
  { periodFrom: "2025-01-01", periodTo: "2025-12-31", regions: ["FR-A"] },
  { question: "Q1", periodFrom: "2026-07-01", periodTo: "2026-12-31" },
];

/** Every filter, both scopes (the node's endorsement), raw and robust, whole and a window. */
const check = (
  h: Harness,
  label: string,
  filters: ReadonlyArray<AggregateFilter> = FILTERS,
  state: AggregateState = h.state(),
) => expectFiguresAsRecomputed(h.node, state, filters, label, [undefined, { offset: 1, limit: 2 }]);

/** The worldwide slice filters only (a read inside a transaction sums them in SQL). */
const SLICES = FILTERS.filter((f) => !f.countries && !f.regions);

type Step =
  | { kind: "deliver"; o: number; p: number; variant: number; via: number; conflict: boolean }
  | { kind: "withdraw"; o: number; p: number }
  | { kind: "rollback"; o: number; p: number; variant: number; read: boolean }
  | { kind: "follow"; relays: number[] }
  | { kind: "settle" }
  | { kind: "check" }
  | { kind: "inside" };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant("deliver" as const),
      o: fc.nat(ORIGINS - 1),
      p: fc.nat(PERIODS.length - 1),
      variant: fc.constantFrom(0, 0, 0, 1, 1, 2, 3, 4),
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
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("withdraw" as const),
      o: fc.nat(ORIGINS - 1),
      p: fc.nat(PERIODS.length - 1),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("rollback" as const),
      o: fc.nat(ORIGINS - 1),
      p: fc.nat(PERIODS.length - 1),
      variant: fc.constantFrom(0, 1, 2),
      read: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("follow" as const), relays: fc.subarray([0, 1]) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "settle" as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: "check" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "inside" as const }) },
);

const play = (h: Harness, step: Step, label: string) => {
  if (step.kind === "deliver") h.deliver(step.o, step.p, step.variant, step.via, step.conflict);
  else if (step.kind === "withdraw") h.withdraw(step.o, step.p);
  else if (step.kind === "rollback") h.rolledBack(step.o, step.p, step.variant, step.read);
  else if (step.kind === "follow") h.follow(step.relays);
  else if (step.kind === "settle") h.node.services.aggregates.repartitionNow();
  else if (step.kind === "check") check(h, label);
  else h.node.storage.sqlite.transaction(() => check(h, `${label} (inside)`, SLICES))();
};

describe("worldwide slices (one period, one category, both) = aggregate()", () => {
  it("cycles of one period, bounds met exactly, a period emptied then back", () => {
    const h = harness();
    for (let o = 0; o < ORIGINS; o++)
      h.deliver(o, o % 2 === 0 ? 0 : 4, o === 5 ? 2 : 0, (o % 3) - 1);
    // Cycles of the same period, one origin holding two of them (one counts, one overlaps).
    h.deliver(0, 1, 0, -1);
    h.deliver(2, 1, 1, 0);
    h.deliver(1, 5, 0, -1);
    // The two-day period on the bounds of both halves of 2026, and the year holding them.
    h.deliver(3, 6, 0, -1);
    h.deliver(3, 3, 0, -1);
    h.deliver(4, 2, 0, -1);
    check(h, "seeded");
    h.follow([1]);
    h.node.services.aggregates.repartitionNow();
    check(h, "relay 1 followed");
    // The two-day period emptied: a range on its bounds holds no period any more.
    h.withdraw(3, 6);
    check(h, "emptied");
    h.deliver(3, 6, 1, 1);
    check(h, "back");
    // Its only entry conflicted: the period is held, nothing of it counts.
    h.deliver(3, 6, 0, -1, true);
    check(h, "conflicted");
    // An entry of the earlier grid version the node knows: the figures scan, then slices again.
    h.deliver(6, 0, 4, -1);
    check(h, "earlier version");
    h.deliver(6, 0, 0, -1);
    check(h, "earlier version replaced");
  });

  it("after entries, categories, follows and rollbacks change in any order", () => {
    let sawCycleOverlap = false;
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 20, maxLength: 50 }), (steps) => {
        for (const node of nodes.splice(0)) node.close();
        const h = harness();
        for (let o = 0; o < ORIGINS; o++)
          h.deliver(o, o % PERIODS.length, o % 5 === 3 ? 2 : 0, (o % 3) - 1);
        // Relay 0 followed and the partitions settled: endorsed reads take the trusted cells.
        h.follow([0]);
        h.node.services.aggregates.repartitionNow();
        check(h, "initial");
        for (const [i, step] of steps.entries()) play(h, step, `step ${i}`);
        h.node.services.aggregates.repartitionNow();
        check(h, "end");
        const figure = aggregate(
          h.state(),
          { periodFrom: "2026-01-01", periodTo: "2026-06-30" },
          { grid: GRID },
        );
        sawCycleOverlap ||= figure.coverage.excluded.some((e) => e.reason === "overlapping");
      }),
      { numRuns: 6, seed: 20261207 },
    );
    expect(sawCycleOverlap).toBe(true);
  }, 240_000);
});

describe("coverage cells kept entry by entry = the same cells built from scratch", () => {
  // figure-coverage.ts moves a new version's items in the sorted lists (its old item's place to
  // its new one) instead of taking it out and putting it back: after any sequence of changes,
  // every place and slice must hold exactly what a rebuild from the entries of now holds.
  type Entry = CoverageEntry;
  const SPANS = [
    { periodKey: "a", start: "2026-01-01", end: "2026-06-30" },
    { periodKey: "a#c1", start: "2026-01-01", end: "2026-06-30" },
    { periodKey: "b", start: "2026-01-01", end: "2026-12-31" },
    { periodKey: "c", start: "2026-06-30", end: "2026-07-01" },
    { periodKey: "d", start: "2025-01-01", end: "2025-12-31" },
  ];
  // Two categories: with the four periods (and every period) 14 slices, under MAX_SLICES.
  const KINDS = ["x", "y"];
  const COUNTRIES = [
    { country: "FR", region: "FR-A" },
    { country: "FR", region: "R" },
    { country: "PT", region: "R" },
    { country: "BE", region: "" },
  ];
  const entryArb = (o: number) =>
    fc.record({
      span: fc.nat(SPANS.length - 1),
      place: fc.nat(COUNTRIES.length - 1),
      participants: fc.integer({ min: 1, max: 9 }),
      // Ratios clustered, far off, over the ceiling, or none: lists reorder both ways.
      criteria: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 300, max: 400 })),
      conflicted: fc.boolean().map((b) => b && o % 2 === 0),
      grid: fc.constantFrom("v", "v", "v", "w"),
      endorsed: fc.boolean(),
      categories: fc.subarray(KINDS),
    });
  type EntryDraft = {
    span: number;
    place: number;
    participants: number;
    criteria: number;
    conflicted: boolean;
    grid: string;
    endorsed: boolean;
    categories: string[];
  };
  type Change =
    | { kind: "put"; o: number; e: EntryDraft }
    | { kind: "drop"; o: number; span: number }
    | { kind: "trust"; o: number };
  const changeArb: fc.Arbitrary<Change> = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.nat(5).chain((o) => entryArb(o).map((e) => ({ kind: "put" as const, o, e }))),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("drop" as const),
        o: fc.nat(5),
        span: fc.nat(SPANS.length - 1),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("trust" as const), o: fc.nat(5) }) },
  );
  const grid = { id: "g", version: "v" };

  /** What one cell holds, by entry key (identity aside: a rebuild holds the same objects). */
  const cellView = (cell: PlaceCell<Entry>) => ({
    entries: cell.entries,
    conflicted: cell.conflicted,
    otherGrid: cell.otherGrid,
    counted: cell.counted,
    losers: [...cell.losers].map((e) => e.key).sort(),
    origins: [...cell.origins].sort(),
    logs: cell.logs.map((l) => [l.x, l.entry.key]),
    ceiling: [...cell.ceiling].map((e) => e.key).sort(),
    offPartition: [...cell.offPartition].map((e) => e.key).sort(),
  });
  const placeView = (place: Place<Entry> | undefined) =>
    place && place.sorted.length > 0
      ? {
          sorted: place.sorted.map((e) => e.key),
          all: cellView(place.all),
          trusted: cellView(place.trusted),
        }
      : null;
  /**
   * Every slice, read (so kept from then on, built from the entries in it): `entries` are the
   * entries of now. A slice read while it holds entries is kept and maintained by the changes
   * after; "empty" reads as no place.
   */
  const slices = (coverage: FigureCoverage<Entry>, entries: ReadonlyMap<string, Entry>) => {
    const views: Array<Place<Entry> | undefined> = [];
    for (const period of [null, ...SPANS]) {
      for (const category of ["", ...KINDS]) {
        if (period === null && category === "") continue;
        const slice = period && { start: period.start, end: period.end };
        const origins = () =>
          [...entries.values()]
            .filter(
              (e) =>
                (!slice || (e.start === slice.start && e.end === slice.end)) &&
                (category === "" || e.categories.includes(category)),
            )
            .map((e) => e.origin);
        const read = coverage.slice(slice, category, origins);
        expect(read).not.toBe("full");
        views.push(typeof read === "string" ? undefined : read);
      }
    }
    return views;
  };
  const everyPlace = (coverage: FigureCoverage<Entry>, entries: ReadonlyMap<string, Entry>) => {
    const views: unknown[] = [coverage.place("world", "", "")];
    for (const { country, region } of COUNTRIES) {
      views.push(coverage.place("country", country, ""), coverage.place("region", country, region));
    }
    views.push(...slices(coverage, entries));
    return views.map((p) => placeView(p as Place<Entry> | undefined));
  };

  it("after any puts, drops and changes of trust", () => {
    fc.assert(
      fc.property(fc.array(changeArb, { minLength: 1, maxLength: 60 }), (changes) => {
        const entries = new Map<string, Entry>();
        const trusted = new Set<string>();
        const of = (origin: string) =>
          [...entries.values()]
            .filter((e) => e.origin === origin)
            .sort((a, b) => (a.key < b.key ? -1 : 1));
        const live = createFigureCoverage<Entry>(grid, (o) => trusted.has(o), of);
        live.rebuild([]);
        for (const change of changes) {
          const origin = `o${change.o}`;
          if (change.kind === "trust") {
            if (!trusted.delete(origin)) trusted.add(origin);
          } else if (change.kind === "drop") {
            entries.delete(
              `${origin}\n${(SPANS[change.span] as (typeof SPANS)[number]).periodKey}`,
            );
          } else {
            const { e } = change;
            const span = SPANS[e.span] as (typeof SPANS)[number];
            const place = COUNTRIES[e.place] as (typeof COUNTRIES)[number];
            const key = `${origin}\n${span.periodKey}`;
            entries.set(key, {
              key,
              origin,
              ...span,
              ...place,
              conflicted: e.conflicted,
              gridId: "g",
              gridVersion: e.grid,
              participants: e.participants,
              criteria: e.criteria,
              endorsed: e.endorsed,
              categories: e.categories,
              originTrusted: false,
            });
          }
          live.touch(origin);
          // Several changes of one origin may meet in one refresh.
          if (change.o % 3 !== 1) {
            live.sync();
            // The slices holding entries now are kept from here on (read once).
            slices(live, entries);
          }
        }
        live.sync();
        const fresh = createFigureCoverage<Entry>(grid, (o) => trusted.has(o), of);
        fresh.rebuild(new Set([...entries.values()].map((e) => e.origin).sort()));
        expect(everyPlace(live, entries)).toEqual(everyPlace(fresh, entries));
        for (const version of ["v", "w", "u"]) {
          expect(live.holdsOtherVersion("g", [version])).toBe(
            fresh.holdsOtherVersion("g", [version]),
          );
        }
        for (const region of ["FR-A", "R", ""]) {
          expect(live.regionCountries(region).sort()).toEqual(fresh.regionCountries(region).sort());
        }
      }),
      { numRuns: 300, seed: 20261207 },
    );
  });
});

describe("a figure read inside a transaction that then rolls back", () => {
  // The read takes the transaction's uncommitted versions into the index (the SQL sums it adds
  // up see them too); once the transaction is over, nothing of them may stay.
  it("leaves the figures as committed", () => {
    const h = harness();
    for (let o = 0; o < ORIGINS; o++) h.deliver(o, o % PERIODS.length, 0, -1);
    check(h, "before");
    expect(() =>
      h.node.services.ctx.db.transaction(() => {
        for (const o of [0, 1, 2]) {
          const payload = payloadFor(o, o % PERIODS.length, 9, 1);
          h.node.services.received.accept({
            origin: originOf(o),
            objectId: objectId(o, o % PERIODS.length),
            payload,
            activity: { type: "Update", hash: payload.hash },
            via: null,
          });
        }
        const fresh = payloadFor(3, 6, 1, 1);
        h.node.services.received.accept({
          origin: originOf(3),
          objectId: objectId(3, 6),
          payload: fresh,
          activity: { type: "Create", hash: fresh.hash },
          via: null,
        });
        h.node.services.aggregates.query({ scope: "verified", robust: false }, () => true);
        throw new Error("a later step failed");
      }),
    ).toThrow("a later step failed");
    check(h, "after the rollback");
  });
});

describe("the endorsement read inside a transaction that then rolls back", () => {
  // While the follows are not reconciled the endorsement comes from the follows over the index,
  // kept per generation: a version relayed by a followed relay and rolled back must not leave
  // its origin endorsed.
  it("is the follows' over the committed entries", () => {
    const h = harness();
    for (let o = 0; o < ORIGINS; o++) h.deliver(o, o % PERIODS.length, 0, 1);
    h.follow([0]);
    check(h, "relay 0 followed, nothing it relayed");
    expect(() =>
      h.node.services.ctx.db.transaction(() => {
        const payload = payloadFor(0, 3, 1, 0);
        h.node.services.received.accept({
          origin: originOf(0),
          objectId: objectId(0, 3),
          payload,
          activity: { type: "Create", hash: payload.hash },
          via: RELAYS[0] as string,
        });
        expect(endorsement(h.node.services)(originOf(0))).toBe(true);
        throw new Error("a later step failed");
      }),
    ).toThrow("a later step failed");
    expect(endorsement(h.node.services)(originOf(0))).toBe(false);
    check(h, "after the rollback");
  });
});

describe("slices first read inside a transaction that then rolls back", () => {
  // A slice is kept from its first read on, built then from the index's entries: read inside a
  // write transaction, from its uncommitted versions (periods and categories no committed entry
  // has). Once rolled back the slice must hold the committed entries only, and take in the
  // origins that were not in it when it was built as their entries move in (and out).
  it("answers as aggregate() inside, after the rollback, and as entries move in and out", () => {
    const h = harness();
    // Periods 0 and 4 only: the second half of 2026 (period 2) and the two-day period 6 hold
    // nothing committed.
    for (let o = 0; o < ORIGINS; o++) h.deliver(o, o % 2 === 0 ? 0 : 4, 0, (o % 3) - 1);
    h.follow([0]);
    h.node.services.aggregates.repartitionNow();
    // No slice read yet: none kept.
    check(h, "before", [{}, { countries: ["FR"] }]);
    expect(() =>
      h.node.services.ctx.db.transaction(() => {
        let state = h.state();
        const uncommitted = (o: number, p: number, version: number, variant: number) => {
          const payload = payloadFor(o, p, version, variant);
          h.node.services.received.accept({
            origin: originOf(o),
            objectId: objectId(o, p),
            payload,
            activity: { type: version === 1 ? "Create" : "Update", hash: payload.hash },
            via: RELAYS[0] as string,
          });
          state = mergeRecords(state, [synthesisRecord(payload)]);
        };
        // New periods for three origins, new versions (other categories) for two.
        uncommitted(0, 2, 1, 0);
        uncommitted(1, 2, 1, 2);
        uncommitted(2, 6, 1, 1);
        uncommitted(3, 4, 9, 1);
        uncommitted(4, 0, 9, 0);
        // Every slice first read here, from the uncommitted entries: exact inside too.
        check(h, "inside", SLICES, state);
        throw new Error("a later step failed");
      }),
    ).toThrow("a later step failed");
    check(h, "after the rollback");
    // Origins that had no entry in those slices when they were built move in...
    h.deliver(5, 2, 0, 0);
    h.deliver(6, 2, 1, -1);
    h.deliver(7, 6, 0, 0);
    h.deliver(8, 1, 2, -1);
    h.deliver(9, 4, 1, 1);
    h.deliver(10, 0, 1, 0);
    check(h, "moved in");
    // ... and out (a period emptied, a version with other categories).
    h.withdraw(5, 2);
    h.withdraw(6, 2);
    h.withdraw(7, 6);
    h.deliver(10, 0, 0, 0);
    check(h, "moved out");
  }, 120_000);
});

describe("more slices read than are kept (MAX_SLICES)", () => {
  // Past MAX_SLICES a slice's read scans; the kept ones stay maintained, even once emptied.
  it("answers as aggregate() whichever slices were kept first", () => {
    const h = harness();
    for (let o = 0; o < ORIGINS; o++)
      for (const p of [0, 2, 4, 6])
        if ((o + p) % 3 !== 0) h.deliver(o, p, o % 5 === 3 ? 2 : 0, (o % 3) - 1);
    h.follow([1]);
    h.node.services.aggregates.repartitionNow();
    // The two-day period's slices first (then emptied), then every filter: past the kept ones,
    // the reads scan.
    const twoDays = { periodFrom: "2026-06-30", periodTo: "2026-07-01" };
    check(h, "two-day slices kept first", [
      twoDays,
      ...CATEGORIES.map((c) => ({ ...twoDays, ...c })),
    ]);
    // The slices the filters name that hold entries: more than are kept.
    const named = new Set<string>();
    for (const { records } of h.state().values()) {
      const record = records[0] as SynthesisRecord;
      const period = `${record.payload.period.start}/${record.payload.period.end}`;
      named.add(period);
      for (const c of record.payload.categories ?? []) {
        if (!CATEGORIES.some((f) => f.categories?.includes(c.category))) continue;
        named.add(`${period}/${c.category}`);
        named.add(`/${c.category}`);
      }
    }
    expect(named.size).toBeGreaterThan(MAX_SLICES);
    check(h, "every filter");
    for (let o = 0; o < ORIGINS; o++) h.withdraw(o, 6);
    check(h, "two-day period emptied");
    for (let o = 0; o < ORIGINS; o += 2) h.deliver(o, 2, 1, 0);
    check(h, "new versions");
    h.deliver(3, 6, 0, -1);
    check(h, "two-day period back");
  }, 120_000);
});

describe("slices first read while entries move between partitions", () => {
  /** One turn of the event loop: a repartition scheduled before runs its next step. */
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  // Built while the partitions still follow the follows of before (their trusted cells from
  // them); the move then changes the trust of their origins without any new version.
  it("answers as aggregate() before, during and after the move", async () => {
    const h = harness();
    for (let o = 0; o < ORIGINS; o++) {
      h.deliver(o, o % 2 === 0 ? 0 : 4, o % 5 === 3 ? 2 : 0, o % 2);
      h.deliver(o, o % 3 === 0 ? 2 : 6, 1, (o + 1) % 2);
    }
    h.follow([0]);
    h.node.services.aggregates.repartitionNow();
    check(h, "relay 0 followed", [{}]);
    h.follow([1]);
    // No slice read yet: every one is first read (and built) before the move starts.
    check(h, "relay 1 followed, nothing moved yet");
    h.deliver(1, 2, 0, 1);
    h.deliver(2, 6, 1, 0);
    await turn();
    check(h, "move planned");
    await turn();
    check(h, "first chunk moved");
    await h.node.services.aggregates.repartitioned();
    check(h, "moved");
    h.follow([0, 1]);
    await h.node.services.aggregates.repartitioned();
    check(h, "both relays");
  }, 120_000);
});

describe("slices first read inside a transaction that rebuilds the figures state", () => {
  // A database of an older definition: its first use rebuilds the totals and loads the index;
  // inside a transaction that rolls back, the rebuild goes with it and must be done again at
  // the next use (a read in that transaction sees the definition it wrote, uncommitted), where
  // the slices kept from the transaction's reads are built again (`rebuild`).
  it("answers as aggregate() after the rollback and the rebuild done again", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "spiral-figure-slices-"));
    try {
      const h = harness(path.join(dir, "node.db"));
      for (let o = 0; o < ORIGINS; o++) h.deliver(o, o % PERIODS.length, 0, (o % 3) - 1);
      h.follow([0]);
      h.node.services.aggregates.repartitionNow();
      check(h, "before", [{}]);
      // Totals as an older definition left them (they differ from the entries' sums): the
      // first use rebuilds them, inside the transaction below that rolls back.
      h.reopen((sqlite) => {
        sqlite.prepare("delete from settings where key = 'aggregates.definition'").run();
        sqlite.prepare("update aggregate_cells set count = count + 1").run();
        sqlite.prepare("update aggregate_people set participants = participants + 1").run();
      });
      expect(() =>
        h.node.services.ctx.db.transaction(() => {
          const payload = payloadFor(0, 2, 1, 2);
          h.node.services.received.accept({
            origin: originOf(0),
            objectId: objectId(0, 2),
            payload,
            activity: { type: "Create", hash: payload.hash },
            via: RELAYS[0] as string,
          });
          check(h, "inside", SLICES, mergeRecords(h.state(), [synthesisRecord(payload)]));
          throw new Error("a later step failed");
        }),
      ).toThrow("a later step failed");
      check(h, "after the rollback");
      h.deliver(0, 2, 1, 0);
      h.deliver(5, 6, 2, -1);
      h.withdraw(3, 3);
      check(h, "changed");
    } finally {
      for (const node of nodes.splice(0)) node.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

/** A follow of relay `r` by a local actor, as the follows service writes it. */
const followRow = (r: number, state: "accepted" | "pending" = "accepted") => ({
  actor: `${PUBLIC_URL}/actors/x`,
  target: RELAYS[r] as string,
  targetInbox: `${RELAYS[r]}/inbox`,
  followActivityId: `${PUBLIC_URL}/follows/${r}`,
  state,
});
/** Origins 0–5 through relay 0, 6–11 through relay 1; relay 0 followed; the move done. */
const startFollowing = (databaseFile?: string) => {
  const h = harness(databaseFile);
  for (let o = 0; o < ORIGINS; o++) h.deliver(o, 0, 0, o < ORIGINS / 2 ? 0 : 1);
  h.follow([0]);
  h.node.services.aggregates.repartitionNow();
  return h;
};
/** The origins (by number) the node's endorsement trusts now. */
const endorsedNow = (h: Harness) => {
  const trusted = endorsement(h.node.services);
  return Array.from({ length: ORIGINS }, (_, o) => o).filter((o) => trusted(originOf(o)));
};

describe("follows written without telling the figures", () => {
  // The figures keep the accepted follows between reads and read them again when `following`
  // was written (a count kept by the connection's triggers), whoever wrote it: no notice
  // (`followsChanged`) is needed, and a write rolled back leaves no follows behind.
  const included = (h: Harness) =>
    h.node.services.aggregates.query(
      { scope: "endorsed", robust: false },
      endorsement(h.node.services),
    ).coverageCounts.included;

  it("sees a follow inserted, changed and removed by SQL, with no notice", () => {
    const h = startFollowing();
    expect(endorsedNow(h)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(included(h)).toBe(6);
    const { sqlite } = h.node.storage;
    sqlite
      .prepare(
        `insert into following (actor, target, target_inbox, follow_activity_id, state)
         values (?, ?, ?, ?, 'accepted')`,
      )
      .run(`${PUBLIC_URL}/actors/x`, RELAYS[1], `${RELAYS[1]}/inbox`, `${PUBLIC_URL}/follows/1`);
    expect(endorsedNow(h)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(included(h)).toBe(12);
    sqlite.prepare("update following set state = 'rejected' where target = ?").run(RELAYS[0]);
    expect(endorsedNow(h)).toEqual([6, 7, 8, 9, 10, 11]);
    // A pull's time is not counted (the follows stay as read); a follow's target is.
    sqlite.prepare("update following set last_pulled_at = '2026-12-07T00:00:00Z'").run();
    expect(endorsedNow(h)).toEqual([6, 7, 8, 9, 10, 11]);
    sqlite.prepare("delete from following where target = ?").run(RELAYS[0]);
    expect(endorsedNow(h)).toEqual([6, 7, 8, 9, 10, 11]);
    sqlite.prepare("update following set target = ? where target = ?").run(RELAYS[0], RELAYS[1]);
    expect(endorsedNow(h)).toEqual([0, 1, 2, 3, 4, 5]);
    sqlite.prepare("delete from following where target = ?").run(RELAYS[0]);
    expect(endorsedNow(h)).toEqual([]);
    expect(included(h)).toBe(0);
    h.node.services.aggregates.repartitionNow();
    check(h, "after the follows written by SQL, moved");
  });

  it("keeps nothing of a follow rolled back, even when the next write counts the same", () => {
    const h = startFollowing();
    const { db } = h.node.services.ctx;
    expect(() =>
      db.transaction(() => {
        db.insert(following).values(followRow(1)).run();
        // Read inside: the uncommitted follow counts here, and only here.
        expect(endorsedNow(h)).toHaveLength(ORIGINS);
        throw new Error("a later step failed");
      }),
    ).toThrow("a later step failed");
    // No read in between: the next write is the first the figures see after the rollback.
    db.delete(following).run();
    expect(endorsedNow(h)).toEqual([]);
    expect(included(h)).toBe(0);
    db.insert(following).values(followRow(1)).run();
    expect(endorsedNow(h)).toEqual([6, 7, 8, 9, 10, 11]);
    h.node.services.aggregates.repartitionNow();
    check(h, "after the rollback and the follows written again");
  });
});

describe("follows kept between reads, written every other way", () => {
  // Each write below leaves `following` committed in a known state; the endorsed figures read
  // next must be those of that state, whichever way it was written.
  const FIRST = [0, 1, 2, 3, 4, 5];
  const SECOND = [6, 7, 8, 9, 10, 11];

  it("a savepoint rolled back inside a transaction that commits", () => {
    const h = startFollowing();
    const { sqlite } = h.node.storage;
    expect(endorsedNow(h)).toEqual(FIRST);
    const del = sqlite.prepare("delete from following where target = ?");
    const ins = sqlite.prepare(
      `insert into following (actor, target, target_inbox, follow_activity_id, state)
       values (?, ?, ?, ?, 'accepted')`,
    );
    sqlite.transaction(() => {
      ins.run(`${PUBLIC_URL}/actors/x`, RELAYS[1], `${RELAYS[1]}/inbox`, `${PUBLIC_URL}/f/1`);
      expect(() =>
        sqlite.transaction(() => {
          del.run(RELAYS[0]);
          del.run(RELAYS[1]);
          expect(endorsedNow(h)).toEqual([]);
          throw new Error("inner step failed");
        })(),
      ).toThrow("inner step failed");
      expect(endorsedNow(h)).toEqual([...FIRST, ...SECOND]);
    })();
    expect(endorsedNow(h)).toEqual([...FIRST, ...SECOND]);
    h.node.services.aggregates.repartitionNow();
    check(h, "after the savepoint rolled back");
  });

  it("a read inside a transaction that then commits", () => {
    const h = startFollowing();
    const { db } = h.node.services.ctx;
    db.transaction((tx) => {
      tx.delete(following).run();
      expect(endorsedNow(h)).toEqual([]);
      tx.insert(following).values(followRow(1)).run();
      expect(endorsedNow(h)).toEqual(SECOND);
    });
    expect(endorsedNow(h)).toEqual(SECOND);
  });

  it("upserts: ON CONFLICT DO UPDATE and INSERT OR REPLACE", () => {
    const h = startFollowing();
    const { db } = h.node.services.ctx;
    const { sqlite } = h.node.storage;
    db.insert(following).values(followRow(1, "pending")).run();
    expect(endorsedNow(h)).toEqual(FIRST);
    db.insert(following)
      .values(followRow(1))
      .onConflictDoUpdate({
        target: [following.actor, following.target],
        set: { state: "accepted" },
      })
      .run();
    expect(endorsedNow(h)).toEqual([...FIRST, ...SECOND]);
    sqlite
      .prepare(
        `insert or replace into following (actor, target, target_inbox, follow_activity_id, state)
         values (?, ?, ?, ?, 'rejected')`,
      )
      .run(`${PUBLIC_URL}/actors/x`, RELAYS[0], `${RELAYS[0]}/inbox`, `${PUBLIC_URL}/f/0`);
    expect(endorsedNow(h)).toEqual(SECOND);
  });

  it("two aggregate services on one connection", () => {
    const h = startFollowing();
    const second = createAggregateService(h.node.services.ctx);
    const endorsedBy = (service: typeof second) => {
      const trusted = service.endorsement();
      return Array.from({ length: ORIGINS }, (_, o) => o).filter((o) => trusted(originOf(o)));
    };
    expect(endorsedBy(second)).toEqual(FIRST);
    expect(endorsedNow(h)).toEqual(FIRST);
    h.node.services.ctx.db.insert(following).values(followRow(1)).run();
    expect(endorsedBy(second)).toEqual([...FIRST, ...SECOND]);
    expect(endorsedNow(h)).toEqual([...FIRST, ...SECOND]);
    h.node.services.ctx.db.delete(following).run();
    expect(endorsedNow(h)).toEqual([]);
    expect(endorsedBy(second)).toEqual([]);
  });

  it("a follow written by another connection on the same database file", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "spiral-follows-conn-"));
    try {
      const h = startFollowing(path.join(dir, "node.db"));
      expect(endorsedNow(h)).toEqual(FIRST);
      const other = new Database(path.join(dir, "node.db"));
      try {
        other
          .prepare(
            `insert into following (actor, target, target_inbox, follow_activity_id, state)
             values (?, ?, ?, ?, 'accepted')`,
          )
          .run(`${PUBLIC_URL}/actors/x`, RELAYS[1], `${RELAYS[1]}/inbox`, `${PUBLIC_URL}/f/1`);
        expect(endorsedNow(h)).toEqual([...FIRST, ...SECOND]);
        other.prepare("delete from following").run();
        expect(endorsedNow(h)).toEqual([]);
      } finally {
        other.close();
      }
      h.node.services.aggregates.repartitionNow();
      check(h, "after another connection's writes");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("follows written in any order, by any path, with no notice", () => {
  // Targets: the two relays and two origins (one of each relay's). Each step writes `following`
  // one way (this connection's SQL, an upsert, a transaction committed or rolled back, a
  // savepoint rolled back inside a committed one, another connection) or reads the endorsed
  // origins, inside a transaction or not; every read must give what the committed follows (and
  // the transaction's own writes, inside it) endorse.
  const TARGETS = [RELAYS[0], RELAYS[1], originOf(2), originOf(8)] as string[];
  type Write = { target: number; state: "accepted" | "pending" | null };
  type FollowStep =
    | { kind: "write"; how: "sql" | "upsert" | "other"; write: Write }
    | { kind: "txn"; writes: Write[]; commit: boolean; inner: Write[]; readInside: boolean }
    | { kind: "read" };
  const writeArb = fc.record({
    target: fc.integer({ min: 0, max: TARGETS.length - 1 }),
    state: fc.constantFrom("accepted" as const, "pending" as const, null),
  });
  const stepArb: fc.Arbitrary<FollowStep> = fc.oneof(
    fc.record({
      kind: fc.constant("write" as const),
      how: fc.constantFrom("sql" as const, "upsert" as const, "other" as const),
      write: writeArb,
    }),
    fc.record({
      kind: fc.constant("txn" as const),
      writes: fc.array(writeArb, { maxLength: 3 }),
      commit: fc.boolean(),
      inner: fc.array(writeArb, { maxLength: 2 }),
      readInside: fc.boolean(),
    }),
    fc.record({ kind: fc.constant("read" as const) }),
  );
  const expected = (model: ReadonlyMap<number, string>) => {
    const followed = new Set(
      [...model].filter(([, state]) => state === "accepted").map(([t]) => TARGETS[t]),
    );
    return Array.from({ length: ORIGINS }, (_, o) => o).filter(
      (o) => followed.has(originOf(o)) || followed.has(RELAYS[o < ORIGINS / 2 ? 0 : 1] as string),
    );
  };

  it("endorse what the follows committed (or being written) at each read", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "spiral-follows-any-"));
    let run = 0;
    try {
      fc.assert(
        fc.property(fc.array(stepArb, { minLength: 5, maxLength: 25 }), (steps) => {
          for (const node of nodes.splice(0)) node.close();
          const file = path.join(dir, `run-${run++}.db`);
          const h = harness(file);
          for (let o = 0; o < ORIGINS; o++) h.deliver(o, 0, 0, o < ORIGINS / 2 ? 0 : 1);
          h.follow([0]);
          h.node.services.aggregates.repartitionNow();
          const other = new Database(file);
          other.pragma("busy_timeout = 5000");
          try {
            let model = new Map<number, string>([[0, "accepted"]]);
            const endorsedNow = () => {
              const trusted = endorsement(h.node.services);
              return Array.from({ length: ORIGINS }, (_, o) => o).filter((o) =>
                trusted(originOf(o)),
              );
            };
            const apply = (db: typeof other, w: Write, upsert: boolean) => {
              const target = TARGETS[w.target] as string;
              if (w.state === null) {
                db.prepare("delete from following where target = ?").run(target);
                return;
              }
              db.prepare(
                `insert into following (actor, target, target_inbox, follow_activity_id, state)
                 values (?, ?, ?, ?, ?) on conflict (actor, target) do ${
                   upsert ? "update set state = excluded.state" : "nothing"
                 }`,
              ).run(`${PUBLIC_URL}/actors/x`, target, `${target}/inbox`, `f-${w.target}`, w.state);
              if (!upsert) {
                db.prepare("update following set state = ? where target = ?").run(w.state, target);
              }
            };
            const write = (into: Map<number, string>, w: Write) => {
              if (w.state === null) into.delete(w.target);
              else into.set(w.target, w.state);
            };
            const { sqlite } = h.node.storage;
            for (const [i, step] of steps.entries()) {
              if (step.kind === "read") {
                expect(endorsedNow(), `step ${i}`).toEqual(expected(model));
              } else if (step.kind === "write") {
                apply(step.how === "other" ? other : sqlite, step.write, step.how === "upsert");
                write(model, step.write);
              } else {
                const inside = new Map(model);
                const fail = new Error("rolled back");
                try {
                  sqlite.transaction(() => {
                    for (const w of step.writes) {
                      apply(sqlite, w, true);
                      write(inside, w);
                    }
                    try {
                      sqlite.transaction(() => {
                        for (const w of step.inner) apply(sqlite, w, false);
                        if (step.readInside) {
                          const seen = new Map(inside);
                          for (const w of step.inner) write(seen, w);
                          expect(endorsedNow(), `step ${i} savepoint`).toEqual(expected(seen));
                        }
                        throw fail;
                      })();
                    } catch (error) {
                      if (error !== fail) throw error;
                    }
                    if (step.readInside) {
                      expect(endorsedNow(), `step ${i} inside`).toEqual(expected(inside));
                    }
                    if (!step.commit) throw fail;
                  })();
                } catch (error) {
                  if (error !== fail) throw error;
                }
                if (step.commit) model = inside;
              }
            }
            expect(endorsedNow(), "end").toEqual(expected(model));
          } finally {
            other.close();
          }
          h.node.services.aggregates.repartitionNow();
          check(h, "end, moved");
        }),
        { numRuns: 15, seed: 20261208 },
      );
    } finally {
      for (const node of nodes.splice(0)) node.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
