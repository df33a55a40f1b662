import { createNode, type SpiralNode } from "@spiral-network/node/node";
import { createPlaceSums, type TotalsRowChange } from "@spiral-network/node/services/place-sums";
import { afterEach, describe, expect, it } from "vitest";

// The in-memory sums of the places figures read (docs/architecture.md, "Figures state"): a
// writer that goes on without reads (a move between partitions) hands its committed changes
// over between transactions (`catchUp`); rolled-back ones never show.

const WORLD = { level: "world", country: "", region: "", category: "", period: null } as const;
const change = (count: number, category = "", year = "2026"): TotalsRowChange => ({
  scope: ["world", "", "", category, "g", "1", year, `${year}-01-01`, `${year}-12-31`, 0],
  people: null,
  cells: new Map([["Q1\u0000A01", { question: "Q1", component: "A01", count }]]),
});

let node: SpiralNode | undefined;
afterEach(async () => {
  await node?.close();
});

function mirror() {
  node = createNode({ databaseFile: ":memory:", publicUrl: "http://node.test" });
  const { sqlite } = node.storage;
  const sums = createPlaceSums(sqlite, (version, component) => `${version}|${component}`);
  const a01 = () => sums.sum(WORLD, "g", ["1"], [0]).sums.get("Q1")?.get("1|A01") ?? 0;
  const write = (count: number, rollBack = false, category = "", year = "2026") => {
    try {
      sqlite.transaction(() => {
        sums.record([change(count, category, year)]);
        if (rollBack) throw new Error("rolled back");
      })();
    } catch (error) {
      if (!rollBack) throw error;
    }
  };
  return { sums, a01, write, sqlite };
}

describe("place sums caught up between transactions", () => {
  it("take in committed changes, never rolled-back ones, each once", () => {
    const { sums, a01, write } = mirror();
    expect(a01()).toBe(0); // the place is loaded (and followed from now on)
    write(2);
    sums.catchUp();
    write(5, true);
    sums.catchUp();
    expect(a01()).toBe(2);
    // The next writer reuses the rolled-back generation: its change counts once.
    write(1);
    sums.catchUp();
    sums.catchUp();
    expect(a01()).toBe(3);
  });

  it("called inside a transaction, take in nothing of it: a rollback leaves them as committed", () => {
    const { sums, a01, write } = mirror();
    expect(a01()).toBe(0);
    write(4);
    expect(() =>
      node?.storage.sqlite.transaction(() => {
        sums.record([change(2)]);
        sums.catchUp();
        throw new Error("rolled back");
      })(),
    ).toThrow("rolled back");
    expect(a01()).toBe(4);
  });

  it("drop the mirror rather than hold unbounded changes without a read, then read it again", () => {
    const { a01, write } = mirror();
    expect(a01()).toBe(0);
    // Changes the tables do not hold (the test writes only to the mirror): once more cells are
    // pending than the bound, the mirror is dropped and the next read loads the tables' rows.
    write(7);
    expect(a01()).toBe(7);
    for (let i = 0; i < 60_000; i++) write(1);
    expect(a01()).toBe(0);
  });

  it("a slice's sums: its category's rows, of its period only, kept apart from the totals", () => {
    const { sums, a01, write } = mirror();
    const slice = (category: string, year: string | null) =>
      sums
        .sum(
          {
            ...WORLD,
            category,
            period: year ? { start: `${year}-01-01`, end: `${year}-12-31` } : null,
          },
          "g",
          ["1"],
          [0],
        )
        .sums.get("Q1")
        ?.get("1|A01") ?? 0;
    // Read once each, so the mirror holds them (this test writes no table); then changed.
    expect([a01(), slice("young", "2026"), slice("elderly", null)]).toEqual([0, 0, 0]);
    write(3);
    write(5, false, "young", "2026");
    write(7, false, "young", "2025");
    write(11, true, "young", "2026");
    write(13, false, "elderly", "2026");
    expect(a01()).toBe(3);
    expect(slice("young", "2026")).toBe(5);
    expect(slice("young", "2025")).toBe(7);
    expect(slice("young", null)).toBe(12);
    expect(slice("elderly", "2026")).toBe(13);
  });

  it("a range's sums: the rows of the periods inside it, over as many cells as the place meets", () => {
    const { sums, sqlite } = mirror();
    const read = (range?: { from?: string; to?: string }) =>
      Object.fromEntries(
        sums.sum({ ...WORLD, ...(range ? { range } : {}) }, "g", ["1"], [0]).sums.get("Q1") ?? [],
      );
    expect(read()).toEqual({});
    // 40 components a year, one change each: a row meets its cells one by one, after it holds
    // counts of others (its slots outgrow what it holds more than once).
    const years = ["2024", "2025", "2026"];
    const components = Array.from({ length: 40 }, (_, i) => `C${String(i).padStart(2, "0")}`);
    const count = (year: string, i: number) => (Number(year) - 2023) * 100 + i;
    for (const year of years) {
      for (const [i, component] of components.entries()) {
        sqlite.transaction(() =>
          sums.record([
            {
              scope: ["world", "", "", "", "g", "1", year, `${year}-01-01`, `${year}-12-31`, 0],
              people: null,
              cells: new Map([
                [`Q1\u0000${component}`, { question: "Q1", component, count: count(year, i) }],
              ]),
            },
          ]),
        )();
      }
    }
    const expected = (within: string[]) =>
      Object.fromEntries(
        components.map((c, i) => [`1|${c}`, within.reduce((n, year) => n + count(year, i), 0)]),
      );
    expect(read()).toEqual(expected(years));
    expect(read({ from: "2025-01-01" })).toEqual(expected(["2025", "2026"]));
    expect(read({ to: "2025-12-31" })).toEqual(expected(["2024", "2025"]));
    expect(read({ from: "2025-01-01", to: "2025-12-31" })).toEqual(expected(["2025"]));
    expect(read({ from: "2025-01-02", to: "2025-12-31" })).toEqual({});
  });
});
