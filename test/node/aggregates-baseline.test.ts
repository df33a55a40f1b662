import {
  aggregate,
  defaultGrid,
  emptyState,
  mergeRecords,
  synthesisRecord,
} from "@spiral-network/protocol";
import { afterEach, expect, it } from "vitest";
import { type Baseline, startBaseline } from "../../scripts/lib/aggregates-baseline";
import { makePayload } from "../federation/synthesis-fixtures";

// The baseline of bench:aggregates recomputes in a worker thread (scripts/lib/aggregates-baseline.ts,
// docs/benchmarks.md "Aggregates"): it must answer "same" only for the same figure, and a thread
// that failed must fail the benchmark, not leave it waiting.

const GRID = { id: defaultGrid.id, version: defaultGrid.version };
let baseline: Baseline | undefined;
afterEach(async () => {
  await baseline?.close();
  baseline = undefined;
});

const payloads = [1, 2, 3].map((n) =>
  makePayload({ origin: `https://t${n}.example/actors/t${n}`, name: `T${n}`, country: "PT" }),
);
/** An answer as the HTTP route gives it, made from the recomputation itself. */
function answerFor(changeCounts: boolean): string {
  const reference = aggregate(
    mergeRecords(emptyState(), payloads.map(synthesisRecord)),
    {},
    {
      grid: GRID,
      robust: false,
    },
  );
  const limit = 100;
  return JSON.stringify({
    ...reference,
    counts: changeCounts ? { ...reference.counts, Q1: {} } : reference.counts,
    coverage: {
      included: reference.coverage.included.slice(0, limit),
      excluded: reference.coverage.excluded.slice(0, limit),
    },
    coverageCounts: { included: reference.coverage.included.length, excluded: {} },
    coveragePage: { offset: 0, limit },
  });
}
const request = (answer: string) => ({ filter: {}, grid: GRID, robust: false, samples: 2, answer });

it("tells the same answer from a different one", async () => {
  baseline = startBaseline();
  baseline.merge(payloads);
  const same = await baseline.recompute(request(answerFor(false)));
  expect(same.diffs).toEqual([]);
  expect(same.included).toBe(3);
  expect(same.times).toHaveLength(2);
  expect((await baseline.recompute(request(answerFor(true)))).diffs).toEqual(["counts"]);
}, 20_000);

it("takes in as many payloads at once as a large run accepts", async () => {
  baseline = startBaseline();
  // One payload per origin at the start of a run of BENCH_ORIGINS=500000 (the same one here:
  // the state keeps one entry per origin and period): more than a call's arguments can hold.
  baseline.merge(Array.from({ length: 500_000 }, () => payloads[0] as (typeof payloads)[0]));
  baseline.merge(payloads.slice(1));
  // Told once the thread has them all (merges are received in order, before the answer).
  await baseline.received();
  expect((await baseline.recompute(request(answerFor(false)))).diffs).toEqual([]);
}, 20_000);

it("a thread that failed fails every recomputation asked of it after, none waits forever", async () => {
  baseline = startBaseline();
  // A message the thread cannot take in: it fails outside any recomputation.
  baseline.merge(null as never);
  const asked = request(answerFor(false));
  await expect(baseline.recompute(asked)).rejects.toThrow();
  await expect(baseline.recompute(asked)).rejects.toThrow();
  await expect(baseline.received()).rejects.toThrow();
}, 20_000);
