import {
  type AggregateState,
  aggregate,
  contentHash,
  DEFAULT_POLICY,
  defaultGrid,
  draftSynthesis,
  emptyState,
  entryKey,
  mergeRecords,
  type Period,
  type SynthesisRecord,
  synthesisRecord,
} from "@spiral-network/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

// The "sub-network" filter (docs/protocol.md §12): `entries` names the (origin, period) entries a figure may
// cover. It must give exactly the figure of the state cut down to those entries, and an empty
// list must cover nothing (unlike the other filter lists).

const GRID = { id: defaultGrid.id, version: defaultGrid.version };
const PERIODS: Period[] = [
  { start: "2026-01-01", end: "2026-06-30" },
  { start: "2026-07-01", end: "2026-12-31" },
];

function record(origin: string, period: Period, version: number, extra: number): SynthesisRecord {
  const { payload, blockers } = draftSynthesis({
    territory: { id: origin, name: origin.split("/").pop() ?? origin, country: "FR" },
    period,
    grid: GRID,
    groups: [
      {
        category: "young-people",
        participants: 6 + extra,
        counts: [
          { question: "Q1", component: "A01", count: 5 + extra },
          { question: "Q2", component: "B02", count: 3 },
        ],
      },
    ],
    previous:
      version === 1
        ? null
        : { version: version - 1, hash: contentHash(`${origin} ${version - 1}`), participants: 0 },
    correction: version > 1,
    policy: DEFAULT_POLICY,
  });
  if (!payload) throw new Error(blockers.join("; "));
  return synthesisRecord(payload);
}

const POOL: SynthesisRecord[] = [];
for (const [i, origin] of ["a", "b", "c", "d"]
  .map((t) => `https://n.example/actors/${t}`)
  .entries()) {
  for (const period of PERIODS) {
    for (const version of [1, 2]) POOL.push(record(origin, period, version, i + version));
  }
}
const KEYS = [...new Set(POOL.map((r) => entryKey(r.origin, r.periodKey)))];

const restricted = (state: AggregateState, keys: readonly string[]): AggregateState =>
  new Map([...state].filter(([key]) => keys.includes(key)));

describe("aggregate filter: named entries (sub-network)", () => {
  it("equals the figure of the state cut down to those entries", () => {
    fc.assert(
      fc.property(fc.subarray(POOL), fc.subarray(KEYS), fc.boolean(), (records, keys, robust) => {
        const state = mergeRecords(emptyState(), records);
        const options = { grid: GRID, robust };
        const filtered = aggregate(state, { entries: keys }, options);
        const reference = aggregate(restricted(state, keys), {}, options);
        expect(filtered).toEqual(reference);
        for (const version of filtered.coverage.included) {
          expect(keys).toContain(entryKey(version.origin, version.periodKey));
        }
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it("an empty list covers nothing, and composes with the other filters", () => {
    const state = mergeRecords(emptyState(), POOL);
    const none = aggregate(state, { entries: [] }, { grid: GRID });
    expect(none.territories).toBe(0);
    expect(none.coverage.included).toEqual([]);
    const firstHalf = PERIODS[0] as Period;
    const some = aggregate(
      state,
      { entries: KEYS.slice(0, 4), periodTo: firstHalf.end },
      { grid: GRID },
    );
    expect(some.coverage.included.every((v) => v.periodKey.startsWith(firstHalf.start))).toBe(true);
    expect(some.coverage.included.length).toBeGreaterThan(0);
  });
});
