import { ConflictError } from "@spiral-network/node/services/errors";
import { DEFAULT_POLICY, type Period, type SynthesisPayload } from "@spiral-network/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isolations, type SeenGroup, type SeenVersion } from "../protocol/attacker";
import { createTestvilleNode, TESTVILLE } from "./helpers";

/**
 * The atom rule at node level (docs/protocol.md §4): whatever facilitators do — create, edit and
 * delete groups, classify criteria, publish any period (overlapping ones too), correct, withdraw —
 * an outsider who reads every payload ever published and knows which groups stand behind each
 * cell (the worst case) can isolate no atom of 1 … k−1 participants, and no margin cell of 1 … 9.
 * The test keeps its own model of the groups, so it does not trust the node's ledger.
 */

const SLUG = TESTVILLE.slug;
const { k, marginMinimum } = DEFAULT_POLICY;
const PERIODS: Period[] = [
  { start: "2026-01-01", end: "2026-06-14" },
  { start: "2026-01-01", end: "2026-03-31" },
  { start: "2026-02-01", end: "2026-05-31" },
  { start: "2026-01-01", end: "2026-06-14", cycle: 1 },
];
const CATEGORIES = ["young-people", "parents", "farmers"];
const CODES = ["A01", "A02", "B01", "B02"];

interface ModelGroup {
  id: number;
  participants: number;
  category: string;
  date: string;
  cycle: number;
  margins?: { gender: { female: number; male: number } };
  criterion: number;
  validated: boolean;
}

const split = (participants: number, share: number | null) =>
  share === null
    ? undefined
    : {
        gender: {
          female: Math.round(participants * share),
          male: participants - Math.round(participants * share),
        },
      };

const shape = {
  participants: fc.integer({ min: 1, max: 20 }),
  category: fc.constantFrom(...CATEGORIES),
  share: fc.option(fc.constantFrom(0.5, 0.4, 1), { freq: 6 }),
};
const operation = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("create" as const),
      ...shape,
      month: fc.integer({ min: 1, max: 6 }),
      day: fc.integer({ min: 1, max: 13 }),
      cycle: fc.integer({ min: 0, max: 1 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant("edit" as const), pick: fc.nat(), ...shape }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("delete" as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("classify" as const),
      pick: fc.nat(),
      code: fc.constantFrom(...CODES),
      validated: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("publish" as const),
      period: fc.nat(PERIODS.length - 1),
      correction: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("withdraw" as const), pick: fc.nat() }) },
);

const big = { participants: 20, category: "parents", share: 0.5, day: 2, cycle: 1 } as const;
const EXAMPLE: Array<typeof operation extends fc.Arbitrary<infer T> ? T : never> = [
  { op: "create", ...big, month: 1 },
  { op: "create", ...big, month: 2 },
  { op: "publish", period: 0, correction: false },
  { op: "create", ...big, participants: 2, month: 3 },
  { op: "publish", period: 0, correction: true },
];

const inPeriod = (g: ModelGroup, p: Period) =>
  g.validated &&
  g.date >= p.start &&
  g.date <= p.end &&
  (p.cycle === undefined || g.cycle === p.cycle);

/** What the outsider knows of a published payload: the groups behind each of its cells. */
function seen(payload: SynthesisPayload, model: Iterable<ModelGroup>, name: string): SeenVersion {
  const shown = new Set(payload.categories?.map((c) => c.category) ?? []);
  const groups: SeenGroup[] = [...model]
    .filter((g) => inPeriod(g, payload.period))
    .map((g) => ({
      id: g.id,
      participants: g.participants,
      category: g.category,
      ...(g.margins ? { margins: g.margins } : {}),
      cell: payload.categories ? (shown.has(g.category) ? g.category : "other") : null,
    }));
  // The model agrees with the payload, cell by cell.
  const sum = (list: SeenGroup[]) => list.reduce((n, g) => n + g.participants, 0);
  expect(sum(groups)).toBe(payload.participants);
  for (const category of payload.categories ?? []) {
    expect(sum(groups.filter((g) => g.cell === category.category))).toBe(category.participants);
  }
  const margins = (["gender", "age"] as const).filter((m) => payload.margins?.[m]);
  return { name, groups, margins };
}

describe("the publication ledger and the atom rule (property)", () => {
  it("never let an outsider isolate a small atom or margin cell, whatever is done in any order", () => {
    let published = 0;
    let refused = 0;
    let withMargins = 0;
    fc.assert(
      fc.property(fc.array(operation, { minLength: 4, maxLength: 24 }), (plan) => {
        const t = createTestvilleNode();
        const { groups, criteria, syntheses } = t.services;
        const model = new Map<number, ModelGroup>();
        const versions: SeenVersion[] = [];
        const pick = (n: number) => [...model.values()][n % Math.max(model.size, 1)];
        try {
          for (const step of plan) {
            if (step.op === "create") {
              const date = `2026-0${step.month}-${String(step.day).padStart(2, "0")}`;
              const margins = split(step.participants, step.share);
              const row = groups.create(
                SLUG,
                {
                  label: "g",
                  category: step.category,
                  participants: step.participants,
                  sessionDates: [date],
                  cycle: step.cycle,
                  ...(margins ? { margins } : {}),
                },
                "test",
              );
              const [criterion] = criteria.add(
                SLUG,
                row.id,
                [{ question: "Q1", text: "x", code: "A01" }],
                "test",
              );
              criteria.validate(SLUG, [criterion?.id ?? 0], "test");
              model.set(row.id, {
                id: row.id,
                participants: step.participants,
                category: step.category,
                date,
                cycle: step.cycle,
                ...(margins ? { margins } : {}),
                criterion: criterion?.id ?? 0,
                validated: true,
              });
            } else if (step.op === "edit") {
              const g = pick(step.pick);
              if (!g) continue;
              const margins = split(step.participants, step.share);
              groups.update(
                SLUG,
                g.id,
                {
                  participants: step.participants,
                  category: step.category,
                  margins: margins ?? {},
                },
                "test",
              );
              g.participants = step.participants;
              g.category = step.category;
              if (margins) g.margins = margins;
              else delete g.margins;
            } else if (step.op === "delete") {
              const g = pick(step.pick);
              if (!g) continue;
              groups.delete(SLUG, g.id, "test");
              model.delete(g.id);
            } else if (step.op === "classify") {
              const g = pick(step.pick);
              if (!g) continue;
              const status = step.validated ? "validated" : "proposed";
              criteria.classify(SLUG, g.criterion, { code: step.code, status }, "test");
              g.validated = step.validated;
            } else if (step.op === "publish") {
              const period = PERIODS[step.period] as Period;
              try {
                const row = syntheses.publish(SLUG, period, step.correction, "test");
                const payload = JSON.parse(row.payload) as SynthesisPayload;
                versions.push(seen(payload, model.values(), `${row.periodKey} v${row.version}`));
                published++;
                if (payload.margins) withMargins++;
                expect(isolations(versions, k, marginMinimum)).toEqual([]);
              } catch (error) {
                if (!(error instanceof ConflictError)) throw error;
                refused++;
              }
            } else {
              const list = syntheses.list(SLUG);
              const row = list[step.pick % Math.max(list.length, 1)];
              if (!row) continue;
              try {
                syntheses.withdraw(SLUG, row.synthesisUuid, "test");
              } catch (error) {
                if (!(error instanceof ConflictError)) throw error;
              }
            }
          }
        } finally {
          t.close();
        }
      }),
      // Always tried too: a version carrying margins, then one the atom rule refuses.
      { numRuns: 25, examples: [[EXAMPLE]] },
    );
    // Not vacuous: many versions went out, and the rule refused some.
    expect(published).toBeGreaterThan(5);
    expect(refused).toBeGreaterThan(0);
    expect(withMargins).toBeGreaterThan(0);
  });
});
