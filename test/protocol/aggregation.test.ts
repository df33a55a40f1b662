import { createHash } from "node:crypto";
import {
  type AggregateOptions,
  type AggregateState,
  aggregate,
  canonicalJson,
  contentHash,
  coverage,
  DEFAULT_POLICY,
  defaultGrid,
  draftSynthesis,
  emptyState,
  entryKey,
  fingerprint,
  type GroupTally,
  isConflicted,
  joinStates,
  mergeRecord,
  mergeRecords,
  multisetAdd,
  multisetHash,
  multisetHex,
  multisetSubtract,
  type Period,
  parseMultisetHex,
  payloadCells,
  plausibilityFlags,
  plausibilityOutliers,
  type Question,
  type StateEntry,
  type SynthesisRecord,
  stateRecords,
  synthesisPayloadSchema,
  synthesisRecord,
  versionElement,
  versionElementText,
} from "@spiral-network/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const GRID = { id: defaultGrid.id, version: defaultGrid.version };
const OPTIONS: AggregateOptions = { grid: GRID };
const H1: Period = { start: "2026-01-01", end: "2026-06-30" };
const H2: Period = { start: "2026-07-01", end: "2026-12-31" };
const YEAR: Period = { start: "2026-01-01", end: "2026-12-31" };

const territoryId = (node: number, t: number) => `https://n${node}.example/actors/t${t}`;

interface Spec {
  id: string;
  country?: string;
  region?: string;
  period?: Period;
  version?: number;
  grid?: { id: string; version: string };
  groups?: GroupTally[];
  /** Changes the counts without changing the shape: two variants of one version conflict. */
  variant?: number;
}

/** Two groups of 6 (women, farmers), a few criteria each; `variant` shifts one count. */
function defaultGroups(variant: number): GroupTally[] {
  return [
    {
      category: "women",
      participants: 6,
      counts: [
        { question: "Q1", component: "A01", count: 9 + variant },
        { question: "Q1", component: "D00", count: 7 },
        { question: "Q2", component: "B02", count: 8 },
      ],
    },
    {
      category: "farmers",
      participants: 6,
      counts: [
        { question: "Q1", component: "A01", count: 5 },
        { question: "Q3", component: "C01", count: 11 },
        { question: "Q4", component: "A02", count: 6 },
      ],
    },
  ];
}

/** A valid record built with draftSynthesis (later versions are corrections of a fake v−1). */
function record(spec: Spec): SynthesisRecord {
  const version = spec.version ?? 1;
  const territory = {
    id: spec.id,
    name: `Territory ${spec.id.split("/").pop()}`,
    country: spec.country ?? "FR",
    ...(spec.region ? { region: spec.region } : {}),
  };
  const { payload, blockers } = draftSynthesis({
    territory,
    period: spec.period ?? H1,
    grid: spec.grid ?? GRID,
    groups: spec.groups ?? defaultGroups(spec.variant ?? 0),
    previous:
      version === 1
        ? null
        : {
            version: version - 1,
            hash: contentHash(`${spec.id} v${version - 1}`),
            participants: 0,
          },
    correction: version > 1,
    policy: DEFAULT_POLICY,
  });
  if (!payload) throw new Error(`fixture not publishable: ${blockers.join("; ")}`);
  return synthesisRecord(payload);
}

/** A record of one group: `criteria` criteria (all under Q1/A01) from `participants` people. */
function ratioRecord(
  id: string,
  criteria: number,
  participants: number,
  country = "FR",
): SynthesisRecord {
  return record({
    id,
    country,
    groups: [
      {
        category: "residents",
        participants,
        counts: [{ question: "Q1", component: "A01", count: criteria }],
      },
    ],
  });
}

const fold = (records: readonly SynthesisRecord[]) =>
  records.reduce<AggregateState>((state, r) => mergeRecord(state, r), emptyState());

/** The state as plain sorted data, for comparisons that ignore map order. */
function canonical(state: AggregateState) {
  for (const entry of state.values()) {
    expect(entry.records.map((r) => r.hash)).toEqual(entry.hashes);
  }
  return [...state.entries()]
    .map(([key, e]) => ({ key, origin: e.origin, period: e.periodKey, v: e.version, h: e.hashes }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Pool for properties: 3 origins × 2 periods × versions 1–3 × 2 variants (36 records). */
const POOL: SynthesisRecord[] = [];
for (const id of [territoryId(1, 1), territoryId(1, 2), territoryId(2, 1)]) {
  for (const period of [H1, H2]) {
    for (const version of [1, 2, 3]) {
      for (const variant of [0, 1]) POOL.push(record({ id, period, version, variant }));
    }
  }
}

/** What the state must be: per key the highest version delivered and its distinct hashes. */
function specification(records: readonly SynthesisRecord[]) {
  const byKey = new Map<string, { version: number; hashes: Set<string> }>();
  for (const r of records) {
    const key = entryKey(r.origin, r.periodKey);
    const held = byKey.get(key);
    if (!held || r.version > held.version)
      byKey.set(key, { version: r.version, hashes: new Set() });
    const now = byKey.get(key);
    if (now && now.version === r.version) now.hashes.add(r.hash);
  }
  return [...byKey.entries()]
    .map(([key, { version, hashes }]) => ({
      key,
      origin: key.split("\n")[0],
      period: key.split("\n")[1],
      v: version,
      h: [...hashes].sort(),
    }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

const deliveries = fc
  .array(fc.nat(POOL.length - 1), { maxLength: 30 })
  .map((ix) => ix.map((i) => POOL[i] as SynthesisRecord));

/** A delivery list, and the same deliveries shuffled with some of them repeated. */
const reordered = deliveries.chain((records) =>
  fc.tuple(
    fc.constant(records),
    fc.shuffledSubarray(records, { minLength: records.length, maxLength: records.length }),
    records.length === 0
      ? fc.constant<SynthesisRecord[]>([])
      : fc.array(fc.constantFrom(...records), { maxLength: 10 }),
  ),
);

// ---------------------------------------------------------------------------------------------
// The state
// ---------------------------------------------------------------------------------------------

describe("aggregate state", () => {
  const t1 = territoryId(1, 1);

  it("builds valid payloads for every fixture", () => {
    for (const r of [...POOL, ratioRecord(t1, 30, 7)]) {
      expect(synthesisPayloadSchema.safeParse(r.payload).success).toBe(true);
    }
  });

  it("keeps the highest version, replaces on a newer one, ignores a replayed older one", () => {
    const v1 = record({ id: t1, version: 1 });
    const v2 = record({ id: t1, version: 2 });
    const s1 = mergeRecord(emptyState(), v1);
    const s2 = mergeRecord(s1, v2);
    expect(s1.size).toBe(1);
    expect(s2.get(entryKey(t1, "2026-01-01/2026-06-30"))).toMatchObject({
      version: 2,
      hashes: [v2.hash],
    });
    expect(mergeRecord(s2, v1)).toBe(s2);
    expect(mergeRecord(s2, v2)).toBe(s2);
    expect(s1.get(entryKey(t1, v1.periodKey))?.version).toBe(1); // s1 was not mutated
  });

  it("marks the same version with another hash as conflicted, until a higher version", () => {
    const a = record({ id: t1, version: 2, variant: 0 });
    const b = record({ id: t1, version: 2, variant: 1 });
    const key = entryKey(t1, a.periodKey);
    for (const order of [
      [a, b],
      [b, a],
      [a, b, a, b],
    ]) {
      const entry = fold(order).get(key) as StateEntry;
      expect(isConflicted(entry)).toBe(true);
      expect(entry.hashes).toEqual([a.hash, b.hash].sort());
      expect(entry.records.map((r) => r.hash)).toEqual(entry.hashes);
    }
    const resolved = mergeRecord(fold([a, b]), record({ id: t1, version: 3 }));
    expect(isConflicted(resolved.get(key) as StateEntry)).toBe(false);
    expect(mergeRecord(resolved, a)).toBe(resolved);
  });

  it("ignores a record whose origin is not the payload's territory (forged origin)", () => {
    const honest = record({ id: t1 });
    const state = mergeRecord(emptyState(), honest);
    const forged = record({ id: t1, version: 2 });
    expect(mergeRecord(state, { ...forged, origin: territoryId(9, 9) })).toBe(state);
    expect(mergeRecord(state, { ...forged, version: 7 })).toBe(state);
    expect(mergeRecord(state, { ...forged, hash: honest.hash })).toBe(state);
    expect(mergeRecord(state, { ...forged, periodKey: "2026-01-01/2026-12-31" })).toBe(state);
  });

  it("serves every record, both copies of a conflict included", () => {
    const a = record({ id: t1, version: 2, variant: 0 });
    const b = record({ id: t1, version: 2, variant: 1 });
    const c = record({ id: territoryId(2, 1) });
    const records = stateRecords(fold([c, b, a]));
    expect(records.map((r) => r.hash)).toEqual([...[a.hash, b.hash].sort(), c.hash]);
  });

  it("equals its specification: highest version, every hash at that version", () => {
    fc.assert(
      fc.property(deliveries, (records) => {
        expect(canonical(fold(records))).toEqual(specification(records));
      }),
    );
  });

  it("is the same whatever the order and duplication of deliveries", () => {
    fc.assert(
      fc.property(reordered, ([records, shuffled, repeats]) => {
        const a = fold(records);
        const b = fold([...shuffled, ...repeats]);
        const c = mergeRecords(emptyState(), [...repeats, ...shuffled.slice().reverse()]);
        expect(canonical(b)).toEqual(canonical(a));
        expect(canonical(c)).toEqual(canonical(a));
        const figure = aggregate(a, {}, OPTIONS);
        expect(aggregate(b, {}, OPTIONS)).toEqual(figure);
        expect(aggregate(c, {}, OPTIONS)).toEqual(figure);
        expect(aggregate(b, {}, { ...OPTIONS, robust: true }).fingerprint).toBe(
          aggregate(a, {}, { ...OPTIONS, robust: true }).fingerprint,
        );
      }),
    );
  });

  it("excludes a conflicted (origin, period) from every figure, whatever the order", () => {
    fc.assert(
      fc.property(reordered, ([records, shuffled]) => {
        const expected = specification(records);
        for (const state of [fold(records), fold(shuffled)]) {
          const { included, excluded } = aggregate(state, {}, OPTIONS).coverage;
          expect(excluded).toEqual(
            expected
              .filter((e) => e.h.length > 1)
              .map((e) => ({
                origin: e.origin,
                periodKey: e.period,
                version: e.v,
                reason: "conflicted",
              })),
          );
          expect(included.map((i) => [i.origin, i.periodKey, i.version, i.hash])).toEqual(
            expected.filter((e) => e.h.length === 1).map((e) => [e.origin, e.period, e.v, e.h[0]]),
          );
        }
      }),
    );
  });

  it("resolves a conflict with a later, higher version", () => {
    fc.assert(
      fc.property(deliveries, (records) => {
        let state = fold(records);
        for (const entry of [...state.values()].filter(isConflicted)) {
          const first = entry.records[0] as SynthesisRecord;
          state = mergeRecord(
            state,
            record({
              id: entry.origin,
              period: first.payload.period,
              version: entry.version + 1,
            }),
          );
        }
        expect(aggregate(state, {}, OPTIONS).coverage.excluded).toEqual([]);
        expect(aggregate(state, {}, OPTIONS).coverage.included).toHaveLength(state.size);
      }),
    );
  });

  it("does not change when an older version is replayed", () => {
    fc.assert(
      fc.property(deliveries, fc.nat(POOL.length - 1), (records, i) => {
        const state = fold(records);
        const replay = POOL[i] as SynthesisRecord;
        const held = state.get(entryKey(replay.origin, replay.periodKey));
        fc.pre(held !== undefined && replay.version < held.version);
        expect(mergeRecord(state, replay)).toBe(state);
      }),
    );
  });
});

describe("joinStates", () => {
  const three = fc.tuple(deliveries, deliveries, deliveries);

  it("is commutative, associative and idempotent", () => {
    fc.assert(
      fc.property(three, ([x, y, z]) => {
        const [a, b, c] = [fold(x), fold(y), fold(z)];
        expect(canonical(joinStates(a, b))).toEqual(canonical(joinStates(b, a)));
        expect(canonical(joinStates(joinStates(a, b), c))).toEqual(
          canonical(joinStates(a, joinStates(b, c))),
        );
        expect(joinStates(a, a)).toBe(a);
        expect(joinStates(a, emptyState())).toBe(a);
        expect(canonical(joinStates(emptyState(), a))).toEqual(canonical(a));
      }),
    );
  });

  it("gives the state of all the deliveries of both sides", () => {
    fc.assert(
      fc.property(deliveries, deliveries, (x, y) => {
        const joined = joinStates(fold(x), fold(y));
        expect(canonical(joined)).toEqual(canonical(fold([...x, ...y])));
        // b adds nothing to a ⊔ b
        expect(joinStates(joined, fold(y))).toBe(joined);
      }),
    );
  });

  it("converges nodes that exchanged states in any order", () => {
    fc.assert(
      fc.property(
        fc.array(deliveries, { minLength: 2, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(3), fc.nat(3)), { maxLength: 12 }),
        (perNode, exchanges) => {
          const nodes = perNode.map(fold);
          for (const [from, to] of exchanges) {
            const f = from % nodes.length;
            const t = to % nodes.length;
            nodes[t] = joinStates(nodes[t] as AggregateState, nodes[f] as AggregateState);
          }
          // a final full exchange: everyone ends with the state of all deliveries
          const all = nodes.reduce((acc, s) => joinStates(acc, s), emptyState());
          const expected = canonical(fold(perNode.flat()));
          expect(canonical(all)).toEqual(expected);
          const fingerprints = nodes.map(
            (s) => aggregate(joinStates(s, all), {}, OPTIONS).fingerprint,
          );
          expect(new Set(fingerprints).size).toBe(1);
        },
      ),
      { numRuns: 50 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Fingerprint
// ---------------------------------------------------------------------------------------------

describe("fingerprint", () => {
  const refs = (records: readonly SynthesisRecord[]) =>
    records.map(({ origin, periodKey, version, hash }) => ({ origin, periodKey, version, hash }));
  const distinct = POOL.filter((r) => r.version === 1 && r.payload.counts.Q1?.A01 === 14);

  it("is the sum mod 2^256 of the SHA-256 of each version's canonical JSON", () => {
    const list = refs(distinct);
    expect(list).toHaveLength(6);
    // An independent reading of the definition (docs/protocol.md): node's own SHA-256 over the
    // RFC 8785 form of each element, added as big-endian integers.
    const digest = (ref: (typeof list)[number]) =>
      BigInt(`0x${createHash("sha256").update(canonicalJson(ref)).digest("hex")}`);
    const sum = list.reduce((acc, ref) => (acc + digest(ref)) % 2n ** 256n, 0n);
    expect(fingerprint([...list].reverse())).toBe(
      `sha256-sum:${sum.toString(16).padStart(64, "0")}`,
    );
    expect(fingerprint([])).toBe(`sha256-sum:${"0".repeat(64)}`);
    // extra fields (name, country) do not count
    expect(fingerprint(list.map((r) => ({ ...r, name: "x", country: "PT" })))).toBe(
      fingerprint(list),
    );
  });

  it("is kept up to date by adding and subtracting one element per change", () => {
    const list = refs(distinct);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(list.length - 1), fc.boolean()), { maxLength: 40 }),
        (steps) => {
          // A multiset driven by random additions and removals, its hash kept incrementally.
          const held = new Map<number, number>();
          let sum = 0n;
          for (const [i, add] of steps) {
            const element = versionElement(list[i] as (typeof list)[number]);
            const count = held.get(i) ?? 0;
            if (add) {
              held.set(i, count + 1);
              sum = multisetAdd(sum, element);
            } else if (count > 0) {
              held.set(i, count - 1);
              sum = multisetSubtract(sum, element);
            }
          }
          const texts = [...held].flatMap(([i, n]) =>
            Array.from({ length: n }, () => versionElementText(list[i] as (typeof list)[number])),
          );
          expect(multisetHex(sum)).toBe(multisetHex(multisetHash(texts)));
          expect(parseMultisetHex(multisetHex(sum))).toBe(sum);
        },
      ),
    );
  });

  it("does not depend on the order of the list", () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(refs(distinct), { minLength: 6, maxLength: 6 }),
        (shuffled) => {
          expect(fingerprint(shuffled)).toBe(fingerprint(refs(distinct)));
        },
      ),
    );
  });

  it("changes with any included version or hash", () => {
    const list = refs(distinct);
    const base = fingerprint(list);
    const seen = new Set([base]);
    for (const [i, ref] of list.entries()) {
      const withVersion = list.map((r, j) => (j === i ? { ...r, version: r.version + 1 } : r));
      const withHash = list.map((r, j) =>
        j === i ? { ...r, hash: contentHash(`other ${i}`) } : r,
      );
      for (const changed of [withVersion, withHash, list.filter((_, j) => j !== i)]) {
        const value = fingerprint(changed);
        expect(seen.has(value)).toBe(false);
        seen.add(value);
      }
      expect(ref).toBe(list[i]);
    }
  });

  it("of a figure changes when a new version of an included synthesis arrives", () => {
    const state = fold(distinct);
    const before = aggregate(state, {}, OPTIONS);
    expect(before.fingerprint).toBe(fingerprint(before.coverage.included));
    const next = record({ id: territoryId(1, 2), period: H2, version: 2 });
    const after = aggregate(mergeRecord(state, next), {}, OPTIONS);
    expect(after.fingerprint).not.toBe(before.fingerprint);
    expect(after.coverage.included.find((i) => i.hash === next.hash)?.version).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------
// Figures and filters
// ---------------------------------------------------------------------------------------------

describe("aggregate", () => {
  const mulhouse = record({ id: territoryId(1, 1), country: "FR", region: "FR-GES" });
  const paris = record({ id: territoryId(2, 1), country: "FR", region: "FR-IDF", period: H2 });
  const porto = record({ id: territoryId(3, 1), country: "PT", period: YEAR });
  const oldGrid = record({
    id: territoryId(4, 1),
    country: "FR",
    region: "FR-GES",
    grid: { id: GRID.id, version: "2025.9" },
  });
  // women 6 (published), farmers 3 + students 3 (pooled into "other", 6 participants)
  const pooled = record({
    id: territoryId(5, 1),
    country: "PT",
    groups: [
      {
        category: "women",
        participants: 6,
        counts: [{ question: "Q1", component: "A01", count: 10 }],
      },
      {
        category: "farmers",
        participants: 3,
        counts: [
          { question: "Q1", component: "A01", count: 4 },
          { question: "Q2", component: "B02", count: 5 },
        ],
      },
      {
        category: "students",
        participants: 3,
        counts: [{ question: "Q2", component: "B02", count: 6 }],
      },
    ],
  });
  const state = fold([mulhouse, paris, porto, oldGrid, pooled]);
  const origins = (figure: { coverage: { included: Array<{ origin: string }> } }) =>
    figure.coverage.included.map((i) => i.origin);

  it("sums the latest syntheses in scope and states its coverage", () => {
    for (const r of [mulhouse, paris, porto, oldGrid, pooled]) {
      expect(synthesisPayloadSchema.safeParse(r.payload).success).toBe(true);
    }
    const figure = aggregate(state, {}, OPTIONS);
    expect(origins(figure)).toEqual([mulhouse, paris, porto, pooled].map((r) => r.origin));
    expect(figure.coverage.excluded).toEqual([
      {
        origin: oldGrid.origin,
        periodKey: oldGrid.periodKey,
        version: 1,
        reason: "other-grid-version",
      },
    ]);
    expect(figure.coverage.included[0]).toEqual({
      origin: mulhouse.origin,
      periodKey: "2026-01-01/2026-06-30",
      version: 1,
      hash: mulhouse.hash,
      name: "Territory t1",
      country: "FR",
    });
    // three default payloads: Q1 A01 14, D00 7; Q2 B02 8; Q3 C01 11; Q4 A02 6 each
    expect(figure.counts).toEqual({
      Q1: { A01: 3 * 14 + 14, D00: 21 },
      Q2: { B02: 24 + 11 },
      Q3: { C01: 33 },
      Q4: { A02: 18 },
    });
    expect(figure.dimensions).toEqual({
      Q1: { A: 56, D: 21 },
      Q2: { B: 35 },
      Q3: { C: 33 },
      Q4: { A: 18 },
    });
    expect(figure.totals).toEqual({
      criteria: 77 + 35 + 33 + 18,
      byQuestion: { Q1: 77, Q2: 35, Q3: 33, Q4: 18 },
    });
    expect(figure.participants).toBe(48);
    expect(figure.groups).toBe(9);
    expect(figure.territories).toBe(4);
    expect(figure.flagged).toEqual([]);
    expect(figure.robust).toBe(false);
    expect(figure.fingerprint).toBe(fingerprint(figure.coverage.included));
    expect(coverage(state, {}, OPTIONS)).toEqual({ ...figure.coverage, flagged: [] });
  });

  it("filters by country and region", () => {
    expect(origins(aggregate(state, { countries: ["PT"] }, OPTIONS))).toEqual([
      porto.origin,
      pooled.origin,
    ]);
    const ges = aggregate(state, { regions: ["FR-GES"] }, OPTIONS);
    expect(origins(ges)).toEqual([mulhouse.origin]);
    expect(ges.coverage.excluded.map((e) => e.origin)).toEqual([oldGrid.origin]);
    expect(ges.totals.criteria).toBe(mulhouse.payload.totals.criteria);
    expect(origins(aggregate(state, { countries: ["FR"], regions: ["FR-IDF"] }, OPTIONS))).toEqual([
      paris.origin,
    ]);
    expect(aggregate(state, { countries: ["DE"] }, OPTIONS)).toMatchObject({
      counts: {},
      totals: { criteria: 0, byQuestion: {} },
      participants: 0,
      territories: 0,
      coverage: { included: [], excluded: [] },
      fingerprint: fingerprint([]),
    });
    expect(aggregate(state, { countries: [] }, OPTIONS)).toEqual(aggregate(state, {}, OPTIONS));
  });

  it("keeps a synthesis when its whole period lies in the range", () => {
    const firstHalf = { periodFrom: "2026-01-01", periodTo: "2026-06-30" };
    expect(origins(aggregate(state, firstHalf, OPTIONS))).toEqual([mulhouse.origin, pooled.origin]);
    expect(origins(aggregate(state, { periodFrom: "2026-07-01" }, OPTIONS))).toEqual([
      paris.origin,
    ]);
    expect(origins(aggregate(state, { periodTo: "2026-12-31" }, OPTIONS))).toHaveLength(4);
    expect(origins(aggregate(state, { periodFrom: "2026-01-02" }, OPTIONS))).toEqual([
      paris.origin,
    ]);
  });

  it("restricts the counts to one question", () => {
    const q2 = aggregate(state, { question: "Q2" }, OPTIONS);
    expect(q2.counts).toEqual({ Q2: { B02: 35 } });
    expect(q2.dimensions).toEqual({ Q2: { B: 35 } });
    expect(q2.totals).toEqual({ criteria: 35, byQuestion: { Q2: 35 } });
    expect(q2.participants).toBe(48);
    expect(q2.fingerprint).toBe(aggregate(state, {}, OPTIONS).fingerprint);
  });

  it('adds up published categories, the pooled "other" like any other', () => {
    expect(pooled.payload.categories?.map((c) => c.category)).toEqual(["women", "other"]);
    const other = aggregate(state, { categories: ["other"] }, OPTIONS);
    expect(origins(other)).toEqual([pooled.origin]);
    expect(other.counts).toEqual({ Q1: { A01: 4 }, Q2: { B02: 11 } });
    expect(other).toMatchObject({ participants: 6, groups: 2, totals: { criteria: 15 } });

    const women = aggregate(state, { categories: ["women"] }, OPTIONS);
    expect(origins(women)).toEqual([mulhouse, paris, porto, pooled].map((r) => r.origin));
    expect(women.counts.Q1).toEqual({ A01: 3 * 9 + 10, D00: 21 });
    expect(women).toMatchObject({ participants: 24, groups: 4 });

    // every category of one synthesis = its territory figure
    const both = aggregate(state, { categories: ["women", "other"], countries: ["PT"] }, OPTIONS);
    expect(both.counts).toEqual({ Q1: { A01: 9 + 14, D00: 7 }, Q2: { B02: 8 + 11 } });
    expect(aggregate(fold([pooled]), { categories: ["women", "other"] }, OPTIONS)).toMatchObject({
      counts: pooled.payload.counts,
      participants: pooled.payload.participants,
      groups: pooled.payload.groups,
      totals: pooled.payload.totals,
    });
    // a category no synthesis publishes: nothing in scope
    expect(aggregate(state, { categories: ["migrants"] }, OPTIONS).territories).toBe(0);
  });

  it("excludes syntheses on another grid version, or selects that grid", () => {
    const old = aggregate(state, { grid: oldGrid.payload.grid }, OPTIONS);
    expect(origins(old)).toEqual([oldGrid.origin]);
    expect(old.coverage.excluded.map((e) => [e.origin, e.reason])).toEqual(
      [mulhouse, paris, porto, pooled].map((r) => [r.origin, "other-grid-version"]),
    );
    expect(
      aggregate(state, {}, { grid: { id: "another-grid", version: GRID.version } }).coverage
        .included,
    ).toEqual([]);
  });

  it("excludes untrusted origins, before any other reason", () => {
    const figure = aggregate(
      state,
      {},
      {
        ...OPTIONS,
        trusted: (origin) => origin !== paris.origin && origin !== oldGrid.origin,
      },
    );
    expect(figure.coverage.excluded.map((e) => [e.origin, e.reason])).toEqual([
      [paris.origin, "untrusted"],
      [oldGrid.origin, "untrusted"],
    ]);
    expect(figure.territories).toBe(3);
  });

  it("equals the sum of the included payloads' cells", () => {
    const filters = fc.record(
      {
        countries: fc.subarray(["FR", "PT"]),
        categories: fc.subarray(["women", "farmers", "other"]),
        question: fc.constantFrom<Question>("Q1", "Q2", "Q3", "Q4"),
        periodFrom: fc.constantFrom("2026-01-01", "2026-07-01"),
      },
      { requiredKeys: [] },
    );
    const everything = [...POOL.filter((r) => r.version === 3), mulhouse, paris, porto, pooled];
    fc.assert(
      fc.property(fc.subarray(everything), filters, (records, filter) => {
        const s = fold(records);
        const figure = aggregate(s, filter, OPTIONS);
        const expected = new Map<string, number>();
        let criteria = 0;
        for (const item of figure.coverage.included) {
          const { payload } = s.get(entryKey(item.origin, item.periodKey))?.records[0] ?? {};
          if (!payload) throw new Error("included entry missing from the state");
          const categories = filter.categories?.length ? filter.categories : [undefined];
          for (const category of categories) {
            if (category && !payload.categories?.some((c) => c.category === category)) continue;
            for (const cell of payloadCells(payload, { category })) {
              if (filter.question && cell.question !== filter.question) continue;
              const key = `${cell.question} ${cell.component}`;
              expected.set(key, (expected.get(key) ?? 0) + cell.count);
              criteria += cell.count;
            }
          }
        }
        const actual = new Map<string, number>();
        for (const [question, cells] of Object.entries(figure.counts)) {
          for (const [component, n] of Object.entries(cells ?? {})) {
            actual.set(`${question} ${component}`, n);
          }
        }
        expect(actual).toEqual(expected);
        expect(figure.totals.criteria).toBe(criteria);
      }),
      { numRuns: 60 },
    );
  });
});

describe("payloadCells", () => {
  it("flattens the territory counts or one category's, sorted", () => {
    const r = record({ id: territoryId(1, 1) });
    const cells = payloadCells(r.payload);
    expect(cells).toEqual([
      { question: "Q1", component: "A01", count: 14 },
      { question: "Q1", component: "D00", count: 7 },
      { question: "Q2", component: "B02", count: 8 },
      { question: "Q3", component: "C01", count: 11 },
      { question: "Q4", component: "A02", count: 6 },
    ]);
    expect(cells.reduce((sum, c) => sum + c.count, 0)).toBe(r.payload.totals.criteria);
    expect(payloadCells(r.payload, { category: "farmers" })).toEqual([
      { question: "Q1", component: "A01", count: 5 },
      { question: "Q3", component: "C01", count: 11 },
      { question: "Q4", component: "A02", count: 6 },
    ]);
    expect(payloadCells(r.payload, { category: "students" })).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Plausibility
// ---------------------------------------------------------------------------------------------

describe("plausibility", () => {
  /** Ten ordinary peers: 3 … 7.2 criteria per participant. */
  const peers = Array.from({ length: 10 }, (_, i) =>
    ratioRecord(territoryId(10 + i, 1), 30 + 4 * i + (i % 3) * 5, 10 + (i % 4)),
  );
  const keyOf = (r: SynthesisRecord) => entryKey(r.origin, r.periodKey);
  const entries = (records: SynthesisRecord[]) => [...fold(records).values()];
  const inflate = (r: SynthesisRecord, factor: number, id: string) =>
    ratioRecord(id, r.payload.totals.criteria * factor, r.payload.participants);
  const cheat = territoryId(99, 1);

  it("flags an origin with 100× inflated counts; the robust figure leaves it out", () => {
    const inflated = inflate(peers[3] as SynthesisRecord, 100, cheat);
    const state = fold([...peers, inflated]);
    expect(plausibilityFlags(state.values())).toEqual(new Set([keyOf(inflated)]));

    const raw = aggregate(state, {}, OPTIONS);
    const robust = aggregate(state, {}, { ...OPTIONS, robust: true });
    const honest = peers.reduce((sum, r) => sum + r.payload.totals.criteria, 0);
    expect(raw.flagged).toEqual([cheat]);
    expect(robust.flagged).toEqual([cheat]);
    expect(raw.totals.criteria).toBe(honest + inflated.payload.totals.criteria);
    expect(raw.coverage.included.map((i) => i.origin)).toContain(cheat);
    expect(raw.coverage.excluded).toEqual([]);
    expect(robust.totals.criteria).toBe(honest);
    expect(robust.robust).toBe(true);
    expect(robust.coverage.included.map((i) => i.origin)).not.toContain(cheat);
    expect(robust.coverage.excluded).toEqual([
      { origin: cheat, periodKey: inflated.periodKey, version: 1, reason: "implausible" },
    ]);
    expect(robust.fingerprint).not.toBe(raw.fingerprint);
    expect(robust.fingerprint).toBe(aggregate(fold(peers), {}, OPTIONS).fingerprint);
  });

  it("flags a synthesis out of line with its peers even under the ceiling", () => {
    const tenfold = inflate(peers[0] as SynthesisRecord, 10, cheat); // 28 per participant
    expect(tenfold.payload.totals.criteria / tenfold.payload.participants).toBeLessThan(40);
    expect(plausibilityFlags(entries([...peers, tenfold]))).toEqual(new Set([keyOf(tenfold)]));
    const tooFew = ratioRecord(cheat, 12, 40); // 0.3 per participant
    expect(plausibilityFlags(entries([...peers, tooFew]))).toEqual(new Set([keyOf(tooFew)]));
    expect(plausibilityFlags(entries(peers))).toEqual(new Set());
  });

  it("applies only the ceiling with fewer than 5 syntheses in scope", () => {
    const few = peers.slice(0, 3);
    const tenfold = inflate(peers[0] as SynthesisRecord, 10, cheat);
    expect(plausibilityFlags(entries([...few, tenfold]))).toEqual(new Set());
    const hundredfold = inflate(peers[0] as SynthesisRecord, 100, cheat);
    expect(plausibilityFlags(entries([...few, hundredfold]))).toEqual(
      new Set([keyOf(hundredfold)]),
    );
    expect(plausibilityFlags(entries([hundredfold]))).toEqual(new Set([keyOf(hundredfold)]));
    // the boundary: 40 per participant passes, 41 does not
    expect(plausibilityFlags(entries([ratioRecord(cheat, 400, 10)])).size).toBe(0);
    expect(plausibilityFlags(entries([ratioRecord(cheat, 401, 10)])).size).toBe(1);
    // the scope is the filter's: 3 PT peers and a tenfold PT synthesis are too few for the rule
    const portuguese = [0, 1, 2].map((i) => ratioRecord(territoryId(50 + i, 1), 40 + i, 10, "PT"));
    const tenfoldPt = ratioRecord(cheat, 400 - 1, 10, "PT");
    const state = fold([...peers, ...portuguese, tenfoldPt]);
    expect(aggregate(state, {}, OPTIONS).flagged).toEqual([cheat]);
    expect(aggregate(state, { countries: ["PT"] }, OPTIONS).flagged).toEqual([]);
  });

  it("does not flag a synthesis less than 3 times off the median, however alike its peers", () => {
    // ten peers at 4.0 … 4.9 per participant: MAD ≈ 0.05, so 8 per participant has z ≈ 8
    const alike = Array.from({ length: 10 }, (_, i) =>
      ratioRecord(territoryId(40 + i, 1), 400 + 10 * i, 100),
    );
    const high = ratioRecord(cheat, 800, 100);
    const low = ratioRecord(territoryId(98, 1), 170, 100); // 2.6× below the median
    expect(plausibilityFlags(entries([...alike, high, low]))).toEqual(new Set());
    expect(plausibilityFlags(entries([...alike, high, low]), { minFactor: 1 })).toEqual(
      new Set([keyOf(high), keyOf(low)]),
    );
    const triple = ratioRecord(cheat, 1400, 100); // 14 per participant: 3.1× the median
    expect(plausibilityFlags(entries([...alike, triple]))).toEqual(new Set([keyOf(triple)]));
  });

  it("applies only the ceiling when most syntheses share one ratio (MAD = 0)", () => {
    const same = Array.from({ length: 6 }, (_, i) => ratioRecord(territoryId(30 + i, 1), 50, 10));
    const odd = ratioRecord(cheat, 350, 10); // 35 per participant: under the ceiling
    expect(plausibilityFlags(entries([...same, odd]))).toEqual(new Set());
  });

  it("honours its options", () => {
    const tenfold = inflate(peers[0] as SynthesisRecord, 10, cheat);
    expect(plausibilityFlags(entries([...peers, tenfold]), { threshold: 100 })).toEqual(new Set());
    expect(plausibilityFlags(entries(peers), { ceiling: 3 }).size).toBeGreaterThan(0);
    expect(plausibilityFlags(entries([...peers.slice(0, 3), tenfold]), { minEntries: 4 })).toEqual(
      new Set([keyOf(tenfold)]),
    );
    const options = { ...OPTIONS, plausibility: { threshold: 100 } };
    expect(aggregate(fold([...peers, tenfold]), {}, options).flagged).toEqual([]);
  });

  it("does not depend on the order of the entries", () => {
    const inflated = inflate(peers[5] as SynthesisRecord, 12, cheat);
    const all = entries([...peers, inflated]);
    const expected = plausibilityFlags(all);
    expect(expected).toEqual(new Set([keyOf(inflated)]));
    fc.assert(
      fc.property(
        fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }),
        (s) => {
          expect(plausibilityFlags(s)).toEqual(expected);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe("fingerprint serialisation", () => {
  it("adds exactly the RFC 8785 canonical JSON of each version, whatever its strings", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            origin: fc.string(),
            periodKey: fc.string(),
            version: fc.integer({ min: 1, max: 1_000_000 }),
            hash: fc.string(),
          }),
          { maxLength: 20 },
        ),
        (refs) => {
          for (const ref of refs) expect(versionElementText(ref)).toBe(canonicalJson(ref));
          expect(fingerprint(refs)).toBe(
            `sha256-sum:${multisetHex(multisetHash(refs.map((r) => canonicalJson(r))))}`,
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("plausibilityOutliers", () => {
  /** The rule as written, with sorted arrays: the reference the selection must agree with. */
  const bySorting = (items: ReadonlyArray<{ criteria: number; participants: number }>) => {
    const flagged = new Set<number>();
    const logs: Array<{ index: number; x: number }> = [];
    items.forEach(({ criteria, participants }, index) => {
      if (criteria > 40 * participants) flagged.add(index);
      if (criteria > 0) logs.push({ index, x: Math.log(criteria / participants) });
    });
    const med = (v: number[]) => {
      const s = [...v].sort((a, b) => a - b);
      const mid = s.length >> 1;
      return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
    };
    if (logs.length >= 5) {
      const m = med(logs.map((l) => l.x));
      const mad = med(logs.map((l) => Math.abs(l.x - m)));
      if (mad !== 0) {
        for (const { index, x } of logs) {
          const d = Math.abs(x - m);
          if ((0.6745 * d) / mad > 3.5 && d > Math.log(3)) flagged.add(index);
        }
      }
    }
    return [...flagged].sort((a, b) => a - b);
  };

  it("flags exactly what the rule computed with sorted arrays flags, duplicates and ties included", () => {
    const item = fc.record({
      criteria: fc.oneof(fc.nat(30), fc.integer({ min: 0, max: 5_000 })),
      participants: fc.integer({ min: 1, max: 60 }),
    });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 80 }), (items) => {
        expect(plausibilityOutliers(items)).toEqual(bySorting(items));
      }),
      { numRuns: 500 },
    );
  });
});
