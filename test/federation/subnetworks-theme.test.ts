import { touchesTheme } from "@spiral-network/node/services/subnetworks";
import {
  DEFAULT_POLICY,
  defaultGrid,
  draftSynthesis,
  type SynthesisPayload,
} from "@spiral-network/protocol";
import { describe, expect, it } from "vitest";

// What a sub-network relays (docs/protocol.md §12): a synthesis touches its theme when, for each facet the
// theme sets (grid dimensions/components; group categories), one of its values is in it.

function payload(category: string, component: string): SynthesisPayload {
  const { payload: built } = draftSynthesis({
    territory: { id: "https://n.example/actors/t", name: "T", country: "FR" },
    period: { start: "2026-01-01", end: "2026-06-30" },
    grid: { id: defaultGrid.id, version: defaultGrid.version },
    groups: [{ category, participants: 8, counts: [{ question: "Q1", component, count: 4 }] }],
    previous: null,
    correction: false,
    policy: DEFAULT_POLICY,
  });
  if (!built) throw new Error("fixture not publishable");
  return built;
}

const theme = (
  t: Partial<{ dimensions: string[]; components: string[]; categories: string[] }>,
) => ({
  dimensions: [],
  components: [],
  categories: [],
  ...t,
});

describe("sub-network theme", () => {
  const youthJobs = payload("young-people", "A05");

  it("an empty theme takes everything", () => {
    expect(touchesTheme(youthJobs, theme({}))).toBe(true);
  });
  it("grid codes: a component or its dimension", () => {
    expect(touchesTheme(youthJobs, theme({ components: ["A05"] }))).toBe(true);
    expect(touchesTheme(youthJobs, theme({ dimensions: ["A"] }))).toBe(true);
    expect(touchesTheme(youthJobs, theme({ components: ["B01"], dimensions: ["C"] }))).toBe(false);
  });
  it("categories: one of them published", () => {
    expect(touchesTheme(youthJobs, theme({ categories: ["young-people", "women"] }))).toBe(true);
    expect(touchesTheme(youthJobs, theme({ categories: ["women"] }))).toBe(false);
  });
  it("both facets set: both must match", () => {
    expect(
      touchesTheme(youthJobs, theme({ dimensions: ["A"], categories: ["young-people"] })),
    ).toBe(true);
    expect(
      touchesTheme(youthJobs, theme({ dimensions: ["B"], categories: ["young-people"] })),
    ).toBe(false);
  });
});
