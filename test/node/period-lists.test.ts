import { createPeriodLists, type PeriodEntry } from "@spiral-network/node/services/period-lists";
import { describe, expect, it } from "vitest";

const Y24 = { start: "2024-01-01", end: "2024-12-31" };
const Y25 = { start: "2025-01-01", end: "2025-12-31" };
const H26 = { start: "2026-01-01", end: "2026-06-30" };
const entry = (
  origin: string,
  period: { start: string; end: string },
  categories: string[] = [],
): PeriodEntry => ({ key: `${origin}\n${period.start}`, ...period, categories });
const keys = (list: readonly PeriodEntry[] | null) => list?.map((e) => e.key) ?? null;

/** The reference: every entry whose period lies in the range, in key order. */
function expected(entries: PeriodEntry[], from?: string, to?: string) {
  return entries
    .filter((e) => (from === undefined || e.start >= from) && (to === undefined || e.end <= to))
    .map((e) => e.key)
    .sort();
}

describe("period lists", () => {
  it("answers a range with the entries of the periods inside it, in key order", () => {
    const lists = createPeriodLists<PeriodEntry>();
    const all = ["c", "a", "e", "b", "d"].flatMap((o) => [entry(o, Y24), entry(o, H26)]);
    all.push(entry("f", Y25));
    for (const e of all) lists.put(e);
    expect(lists.size()).toBe(11);
    expect(keys(lists.within("2026-01-01", "2026-12-31"))).toEqual(
      expected(all, "2026-01-01", "2026-12-31"),
    );
    expect(keys(lists.within(undefined, "2024-12-31"))).toEqual(
      expected(all, undefined, "2024-12-31"),
    );
    expect(keys(lists.within("2025-01-01", "2025-12-31"))).toEqual(["f\n2025-01-01"]);
    expect(keys(lists.within("2027-01-01", undefined))).toEqual([]);
    // Several periods holding more than a quarter of the entries: the caller scans them all.
    expect(lists.within("2024-01-01", undefined)).toBeNull();
  });

  it("merges several small periods in key order", () => {
    const lists = createPeriodLists<PeriodEntry>();
    const all = [entry("b", Y24), entry("a", Y25)];
    for (let i = 0; i < 20; i++) all.push(entry(`z${i}`, H26));
    lists.reset([...all].sort((x, y) => (x.key < y.key ? -1 : 1)));
    expect(keys(lists.within(undefined, "2025-12-31"))).toEqual(["a\n2025-01-01", "b\n2024-01-01"]);
  });

  it("answers one category of the periods in a range", () => {
    const lists = createPeriodLists<PeriodEntry>();
    const all: PeriodEntry[] = [];
    for (let i = 0; i < 24; i++) {
      const categories = i % 5 === 0 ? ["young-people", "other"] : ["other"];
      all.push(entry(`o${i}`, i % 2 === 0 ? H26 : Y25, categories));
    }
    for (const e of all) lists.put(e);
    const young = (from?: string, to?: string) =>
      expected(all, from, to).filter((k) =>
        all.find((e) => e.key === k)?.categories.includes("young-people"),
      );
    expect(keys(lists.within("2026-01-01", "2026-12-31", "young-people"))).toEqual(
      young("2026-01-01", "2026-12-31"),
    );
    // 5 of 24 entries over two periods: merged in key order.
    expect(keys(lists.within(undefined, undefined, "young-people"))).toEqual(young());
    expect(lists.within(undefined, undefined, "other")).toBeNull();
    expect(keys(lists.within(undefined, undefined, "elderly-people"))).toEqual([]);
    // A replacement that no longer publishes the category leaves its list (dropped first).
    const first = all[0] as PeriodEntry;
    lists.drop(first);
    lists.put({ ...first, categories: ["other"] });
    expect(keys(lists.within("2026-01-01", undefined, "young-people"))).toEqual(
      young("2026-01-01").filter((k) => k !== first.key),
    );
  });

  it("follows replacements and removals", () => {
    const lists = createPeriodLists<PeriodEntry>();
    const a = entry("a", H26);
    lists.put(a);
    lists.put(entry("b", H26));
    const replaced = { ...a };
    lists.put(replaced);
    expect(lists.size()).toBe(2);
    expect(lists.within("2026-01-01", undefined)?.[0]).toBe(replaced);
    lists.drop(a);
    lists.drop(entry("x", H26));
    expect(keys(lists.within("2026-01-01", undefined))).toEqual(["b\n2026-01-01"]);
    lists.drop(entry("b", H26));
    expect(lists.size()).toBe(0);
    expect(lists.within(undefined, undefined)).toEqual([]);
  });
});
