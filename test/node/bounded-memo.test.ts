import { boundedMemo } from "@spiral-network/node/bounded-memo";
import { describe, expect, it } from "vitest";

describe("a bounded memo", () => {
  it("computes once per key, keeps falsy answers, forgets the oldest past its limit", () => {
    const memo = boundedMemo<string, number | null>(2);
    let calls = 0;
    const compute = (value: number | null) => () => {
      calls++;
      return value;
    };
    expect(memo.get("a", compute(null))).toBeNull();
    expect(memo.get("a", compute(1))).toBeNull(); // null is an answer, kept
    expect(memo.get("b", compute(0))).toBe(0);
    expect(calls).toBe(2);
    memo.get("c", compute(3)); // "a" is the oldest: forgotten
    expect(memo.get("b", compute(9))).toBe(0);
    expect(memo.get("a", compute(4))).toBe(4);
    expect(calls).toBe(4);
    memo.delete("a");
    memo.clear();
    expect(memo.get("b", compute(5))).toBe(5);
  });
});
