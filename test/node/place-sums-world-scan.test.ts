import { createNode, type SpiralNode } from "@spiral-network/node/node";
import type Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";

// A worldwide scan of one category sums the world's rows of that category in memory
// (place-sums.ts, docs/architecture.md "Figures state"): each place it reads is loaded once and
// kept. A category is any slug a reader sends (GET /api/v1/aggregates?category=...): a scan with
// nothing in scope must not load (and keep) a place per name sent, or public reads grow the
// node's memory without bound.

/** How many places the in-memory sums loaded (reads of a place's cells from the tables). */
const loads = vi.hoisted(() => ({ count: 0 }));

vi.mock("@spiral-network/node/services/place-sums", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@spiral-network/node/services/place-sums")>();
  const counting = (sqlite: Database.Database): Database.Database =>
    new Proxy(sqlite, {
      get(target, key) {
        if (key === "prepare") {
          return (text: string) => {
            const statement = target.prepare(text);
            if (!/from aggregate_cells where level = \?/.test(text)) return statement;
            return new Proxy(statement, {
              get(s, k) {
                if (k === "all") {
                  return (...args: unknown[]) => {
                    loads.count++;
                    return s.all(...args);
                  };
                }
                const value = Reflect.get(s, k, s);
                return typeof value === "function" ? value.bind(s) : value;
              },
            });
          };
        }
        const value = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  return {
    ...actual,
    createPlaceSums: (sqlite: Database.Database, cellKey: (v: string, c: string) => string) =>
      actual.createPlaceSums(counting(sqlite), cellKey),
  };
});

let node: SpiralNode | undefined;
afterEach(async () => {
  await node?.close();
});

describe("worldwide scans of one category", () => {
  it("load no place for a category with nothing in scope, however many names are sent", () => {
    node = createNode({ databaseFile: ":memory:", publicUrl: "http://node.test" });
    const { aggregates } = node.services;
    // A trust decision other than the node's own: the figure scans (no maintained slice).
    const trusted = () => true;
    const before = loads.count;
    for (let i = 0; i < 50; i++) {
      const figure = aggregates.query(
        { scope: "endorsed", robust: false, categories: [`nobody-publishes-${i}`] },
        trusted,
      );
      expect(figure.coverageCounts.included).toBe(0);
      expect(figure.participants).toBe(0);
    }
    expect(loads.count - before).toBe(0);
  });
});
