import {
  type AggregateOptions,
  aggregate,
  emptyState,
  mergeRecords,
  type Period,
  periodKey,
  resolveOverlaps,
  type SynthesisRecord,
  synthesisRecord,
} from "@spiral-network/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { actor, CYCLE, drafted, GRID, JAN_OCT, YEAR } from "../support/drafts";

// A territory counts once per query range: nested and overlapping periods of one territory are
// resolved by one deterministic rule (the widest period wins, ties by period key), the others
// are listed in the coverage as "overlapping" and not counted — the same figures and fingerprint
// whatever the order in which a node received them.

const OPTIONS: AggregateOptions = { grid: GRID };
const LAST_YEAR: Period = { start: "2025-01-01", end: "2025-12-31" };

/** One group of `participants` with `criteria` criteria under Q1/A01. */
function record(name: string, period: Period, participants: number, criteria: number) {
  return synthesisRecord(
    drafted(name, "FR", period, [
      {
        category: "residents",
        participants,
        counts: [{ question: "Q1", component: "A01", count: criteria }],
      },
    ]),
  );
}

const mulhouseYear = record("mulhouse", YEAR, 20, 30);
const mulhouseCycle = record("mulhouse", CYCLE, 8, 12);
const portoYear = record("porto", YEAR, 10, 15);
const portoJanOct = record("porto", JAN_OCT, 9, 14);
const namurLast = record("namur", LAST_YEAR, 6, 5);
const namurYear = record("namur", YEAR, 7, 6);
const ALL = [mulhouseYear, mulhouseCycle, portoYear, portoJanOct, namurLast, namurYear];

const figure = (records: SynthesisRecord[], filter = {}) =>
  aggregate(mergeRecords(emptyState(), records), filter, OPTIONS);

describe("one territory counts once per query range", () => {
  it("a year and a cycle inside it; Jan–Dec and Jan–Oct: the widest counts, the other is listed", () => {
    const result = figure(ALL);
    // Mulhouse 20 + Porto 10 + Namur 6 + 7 (2025 and 2026 do not overlap: both count).
    expect(result.participants).toBe(20 + 10 + 6 + 7);
    expect(result.counts.Q1?.A01).toBe(30 + 15 + 5 + 6);
    expect(result.territories).toBe(3);
    expect(result.coverage.included.map((v) => [v.origin, v.periodKey])).toEqual([
      [actor("mulhouse"), periodKey(YEAR)],
      [actor("namur"), periodKey(LAST_YEAR)],
      [actor("namur"), periodKey(YEAR)],
      [actor("porto"), periodKey(YEAR)],
    ]);
    expect(result.coverage.excluded).toEqual([
      { origin: actor("mulhouse"), periodKey: periodKey(CYCLE), version: 1, reason: "overlapping" },
      {
        origin: actor("porto"),
        periodKey: periodKey(JAN_OCT),
        version: 1,
        reason: "overlapping",
      },
    ]);
  });

  it("the query range decides: a range that holds only the cycle counts the cycle", () => {
    const result = figure(ALL, { periodFrom: "2026-01-01", periodTo: "2026-06-30" });
    expect(result.coverage.included.map((v) => v.periodKey)).toEqual([periodKey(CYCLE)]);
    expect(result.coverage.excluded).toEqual([]);
    expect(result.participants).toBe(8);
  });

  it("periods of the same width that overlap: the smaller period key wins", () => {
    const h1 = record("lima", { start: "2026-01-01", end: "2026-06-30" }, 6, 4);
    const shifted = record("lima", { start: "2026-01-02", end: "2026-07-01" }, 9, 8);
    const result = figure([shifted, h1]);
    expect(result.coverage.included.map((v) => v.periodKey)).toEqual([
      periodKey(h1.payload.period),
    ]);
    expect(result.coverage.excluded.map((v) => [v.periodKey, v.reason])).toEqual([
      [periodKey(shifted.payload.period), "overlapping"],
    ]);
    expect(result.participants).toBe(6);
  });

  it("any order of deliveries gives the same figure and fingerprint", () => {
    const reference = figure(ALL);
    fc.assert(
      fc.property(fc.shuffledSubarray(ALL, { minLength: ALL.length }), (order) => {
        const result = figure(order);
        expect(result.fingerprint).toBe(reference.fingerprint);
        expect(result.counts).toEqual(reference.counts);
        expect(result.coverage).toEqual(reference.coverage);
      }),
      { numRuns: 50 },
    );
  });

  it("random periods: those that count never overlap, each left out overlaps a wider or equal one that counts", () => {
    const day = (n: number) => new Date(Date.UTC(2025, 0, 1 + n)).toISOString().slice(0, 10);
    const periodArb = fc
      .tuple(fc.nat(500), fc.nat(400))
      .map(([start, length]) => ({ start: day(start), end: day(start + length) }));
    const days = (p: Period) => (Date.parse(p.end) - Date.parse(p.start)) / 86_400_000;
    fc.assert(
      fc.property(
        fc.uniqueArray(periodArb, { minLength: 1, maxLength: 6, selector: (p) => periodKey(p) }),
        (periods) => {
          const records = periods.map((p, i) => record(i % 2 ? "lima" : "quito", p, 6, 1 + i));
          const state = mergeRecords(emptyState(), records);
          const { counted, overlapping } = resolveOverlaps([...state.values()]);
          expect(counted.length + overlapping.length).toBe(records.length);
          const periodOfEntry = (e: (typeof counted)[number]) =>
            (e.records[0] as SynthesisRecord).payload.period;
          for (const a of counted) {
            for (const b of counted) {
              if (a === b || a.origin !== b.origin) continue;
              const [p, q] = [periodOfEntry(a), periodOfEntry(b)];
              expect(p.start <= q.end && q.start <= p.end).toBe(false);
            }
          }
          for (const loser of overlapping) {
            // It overlaps a period that counts and ranks before it (wider, or as wide with a
            // smaller period key).
            const p = periodOfEntry(loser);
            const blockedBy = counted.some((w) => {
              const q = periodOfEntry(w);
              const overlaps = w.origin === loser.origin && p.start <= q.end && q.start <= p.end;
              const ranksBefore =
                days(q) > days(p) || (days(q) === days(p) && w.periodKey < loser.periodKey);
              return overlaps && ranksBefore;
            });
            expect(blockedBy).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
