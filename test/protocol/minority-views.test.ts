import { type GroupCitations, minorityViews } from "@spiral-network/protocol";
import { describe, expect, it } from "vitest";

const youth: GroupCitations<string> = {
  group: "youth",
  counts: [
    { question: "Q1", component: "A01", count: 3 },
    { question: "Q2", component: "B02", count: 2 },
    { question: "Q3", component: "B02", count: 1 },
    { question: "Q1", component: "C00", count: 0 },
  ],
};
const elders: GroupCitations<string> = {
  group: "elders",
  counts: [
    { question: "Q1", component: "A01", count: 5 },
    { question: "Q4", component: "D00", count: 4 },
  ],
};

describe("minority views", () => {
  it("lists the components cited by exactly one group, with that group's counts per question", () => {
    expect(minorityViews([youth, elders])).toEqual([
      { component: "B02", group: "youth", byQuestion: { Q2: 2, Q3: 1 }, total: 3 },
      { component: "D00", group: "elders", byQuestion: { Q4: 4 }, total: 4 },
    ]);
  });

  it("ignores zero counts: a component nobody really cited is no minority view", () => {
    expect(minorityViews([youth]).map((v) => v.component)).toEqual(["A01", "B02"]);
  });

  it("drops a component once a second group cites it, whatever the order of the groups", () => {
    const third: GroupCitations<string> = {
      group: "parents",
      counts: [{ question: "Q2", component: "B02", count: 1 }],
    };
    const forward = minorityViews([youth, elders, third]);
    const backward = minorityViews([third, elders, youth]);
    expect(forward.map((v) => v.component)).toEqual(["D00"]);
    expect(backward).toEqual(forward);
  });

  it("adds up repeated cells of the same group and question", () => {
    const repeated: GroupCitations<number> = {
      group: 7,
      counts: [
        { question: "Q1", component: "E00", count: 2 },
        { question: "Q1", component: "E00", count: 3 },
      ],
    };
    expect(minorityViews([repeated])).toEqual([
      { component: "E00", group: 7, byQuestion: { Q1: 5 }, total: 5 },
    ]);
  });

  it("is empty when there are no groups", () => {
    expect(minorityViews([])).toEqual([]);
  });
});
