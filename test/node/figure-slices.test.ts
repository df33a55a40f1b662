import { following } from "@spiral-network/node/db/schema";
import { endorsement } from "@spiral-network/node/figures";
import { createNode, type SpiralNode } from "@spiral-network/node/node";
import type { AggregateResult } from "@spiral-network/node/services/aggregates";
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
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { seededRandom } from "../../scripts/lib/seeded-random";

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
function harness() {
  const node = createNode({
    databaseFile: ":memory:",
    publicUrl: PUBLIC_URL,
    logger: { info() {}, warn() {}, error() {} },
    adminToken: "figure-slices-test-token-0123456789",
  });
  nodes.push(node);
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
    node,
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
    rolledBack(o: number, p: number, variant: number) {
      const payload = payloadFor(o, p, 90, variant);
      expect(() =>
        node.services.ctx.db.transaction(() => {
          accept(o, p, payload, o % 2);
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
function check(h: Harness, label: string, filters: ReadonlyArray<AggregateFilter> = FILTERS) {
  const trusted = endorsement(h.node.services);
  const grids = h.node.services.grids.catalog();
  const state = h.state();
  for (const filter of filters) {
    for (const scope of ["verified", "endorsed"] as const) {
      for (const robust of [false, true]) {
        const expected = aggregate(state, filter, {
          grid: GRID,
          grids,
          robust,
          ...(scope === "endorsed" ? { trusted } : {}),
        });
        for (const page of [undefined, { offset: 1, limit: 2 }]) {
          const answer: AggregateResult = h.node.services.aggregates.query(
            { ...filter, scope, robust },
            trusted,
            page,
          );
          const what = `${label} ${scope} robust=${robust} ${JSON.stringify(filter)} ${JSON.stringify(page)}`;
          const { scope: _s, filter: _f, coverageCounts, coverage, ...rest } = answer;
          const { coverage: whole, ...expectedRest } = expected;
          expect(rest, what).toEqual(expectedRest);
          const cut = <T>(list: T[]) =>
            page ? list.slice(page.offset, page.offset + page.limit) : list;
          expect(coverage, what).toEqual({
            included: cut(whole.included),
            excluded: cut(whole.excluded),
          });
          expect(coverageCounts.included, what).toBe(whole.included.length);
          for (const [reason, n] of Object.entries(coverageCounts.excluded)) {
            expect(n, `${what} ${reason}`).toBe(
              whole.excluded.filter((e) => e.reason === reason).length,
            );
          }
        }
      }
    }
  }
}

/** The worldwide slice filters only (a read inside a transaction sums them in SQL). */
const SLICES = FILTERS.filter((f) => !f.countries && !f.regions);

type Step =
  | { kind: "deliver"; o: number; p: number; variant: number; via: number; conflict: boolean }
  | { kind: "withdraw"; o: number; p: number }
  | { kind: "rollback"; o: number; p: number; variant: number }
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
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("rollback" as const),
      o: fc.nat(ORIGINS - 1),
      p: fc.nat(PERIODS.length - 1),
      variant: fc.constantFrom(0, 1, 2),
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
  else if (step.kind === "rollback") h.rolledBack(step.o, step.p, step.variant);
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
      {
        numRuns: Number(process.env.SLICE_RUNS ?? 6),
        seed: Number(process.env.SLICE_SEED ?? 20261207),
      },
    );
    expect(sawCycleOverlap).toBe(true);
  }, 240_000);
});
