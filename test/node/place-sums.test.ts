import { createNode, type SpiralNode } from "@spiral-network/node/node";
import { createPlaceSums, type TotalsRowChange } from "@spiral-network/node/services/place-sums";
import { afterEach, describe, expect, it } from "vitest";

// The in-memory sums of the places figures read (docs/architecture.md, "Figures state"): a
// writer that goes on without reads (a move between partitions) hands its committed changes
// over between transactions (`catchUp`); rolled-back ones never show.

const WORLD = { level: "world", country: "", region: "" } as const;
const change = (count: number): TotalsRowChange => ({
  scope: ["world", "", "", "", "g", "1", "2026", "2026-01-01", "2026-12-31", 0],
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
  const write = (count: number, rollBack = false) => {
    try {
      sqlite.transaction(() => {
        sums.record([change(count)]);
        if (rollBack) throw new Error("rolled back");
      })();
    } catch (error) {
      if (!rollBack) throw error;
    }
  };
  return { sums, a01, write };
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
});
