import {
  AGE_BANDS,
  BUILTIN_GROUP_CATEGORIES,
  correctionViolation,
  DEFAULT_POLICY,
  type DisclosurePolicy,
  defaultGrid,
  disclosableMargin,
  disclosurePolicySchema,
  disclosureViolations,
  draftSynthesis,
  GENDER_BANDS,
  type GroupTally,
  type LedgerGroup,
  type LedgerVersion,
  marginAtomViolations,
  POOLED_CATEGORY,
  participantAtomViolations,
  partitionCategories,
  periodKey,
  QUESTIONS,
  type SynthesisInput,
  synthesisPayloadSchema,
} from "@spiral-network/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isolations, type SeenVersion } from "./attacker";

describe("partitionCategories", () => {
  const totals = (entries: Record<string, number>) =>
    Object.entries(entries).map(([category, participants]) => ({ category, participants }));

  it('always pools a category literally named "other", so "other" appears once', () => {
    const result = partitionCategories(totals({ other: 7, women: 6, migrants: 3 }), 5);
    expect(result.published).toEqual(["women"]);
    expect(result.pooled).toEqual(["migrants", "other"]);
  });

  it("publishes every category with at least k participants", () => {
    expect(partitionCategories(totals({ women: 9, farmers: 5 }), 5)).toEqual({
      published: ["farmers", "women"],
      pooled: [],
      withheld: [],
    });
  });

  it("pools categories under k into other", () => {
    const result = partitionCategories(
      totals({ women: 6, farmers: 7, migrants: 3, students: 2 }),
      5,
    );
    expect(result.published).toEqual(["farmers", "women"]);
    expect(result.pooled).toEqual(["migrants", "students"]);
    expect(result.withheld.map((w) => w.what)).toEqual(["category students", "category migrants"]);
    expect(result.withheld[0]?.reason).toMatch(/2 participant\(s\), fewer than k = 5/);
  });

  it("folds the smallest published category into a too-small other", () => {
    const result = partitionCategories(totals({ women: 6, farmers: 7, migrants: 3 }), 5);
    expect(result.published).toEqual(["farmers"]);
    expect(result.pooled).toEqual(["migrants", "women"]);
    expect(result.withheld[1]).toMatchObject({
      what: "category women",
      reason: expect.stringMatching(/complementary suppression/),
    });
  });

  it("breaks ties between equally small categories by name", () => {
    const result = partitionCategories(totals({ women: 6, farmers: 6, migrants: 1 }), 5);
    expect(result.published).toEqual(["women"]);
    expect(result.pooled).toEqual(["farmers", "migrants"]);
  });

  it("pools everything when no category reaches k", () => {
    expect(partitionCategories(totals({ women: 1, farmers: 2 }), 5)).toMatchObject({
      published: [],
      pooled: ["farmers", "women"],
    });
  });

  it("uses the policy's k", () => {
    expect(partitionCategories(totals({ women: 7, farmers: 9 }), 8)).toMatchObject({
      published: [],
      pooled: ["farmers", "women"],
    });
  });
});

describe("disclosableMargin", () => {
  it("publishes a margin whose cells are all at least the minimum", () => {
    expect(disclosableMargin("gender", { female: 12, male: 11 }, 23, 10)).toEqual({
      cells: { female: 12, male: 11 },
    });
  });

  it("drops zero cells", () => {
    expect(disclosableMargin("gender", { female: 12, male: 0 }, 12, 10)).toEqual({
      cells: { female: 12 },
    });
  });

  it("withholds a margin with a cell under the minimum", () => {
    expect(disclosableMargin("gender", { female: 12, male: 9 }, 21, 10)).toEqual({
      withheld: { what: "gender margin", reason: "cells under 10: male" },
    });
  });

  it("counts the unrecorded remainder as a cell", () => {
    expect(disclosableMargin("age", { "30-44": 12, "45-64": 11 }, 30, 10)).toEqual({
      withheld: { what: "age margin", reason: "cells under 10: unrecorded" },
    });
    expect(disclosableMargin("age", { "30-44": 12, "45-64": 11 }, 33, 10)).toEqual({
      cells: { "30-44": 12, "45-64": 11 },
    });
  });

  it("has nothing to say about an empty margin", () => {
    expect(disclosableMargin("gender", {}, 20, 10)).toEqual({});
    expect(disclosableMargin("gender", { female: 0 }, 20, 10)).toEqual({});
  });
});

describe("the atom rule", () => {
  const g = (id: number, participants: number, cell: string | null = null, extra = {}) =>
    ({ id, participants, category: cell ?? "parents", cell, ...extra }) as LedgerGroup;
  const version = (n: number, groups: LedgerGroup[], margins: LedgerVersion["margins"] = []) => ({
    periodKey: "2026-01-01/2026-12-31",
    version: n,
    groups,
    margins,
  });

  it("allows anything without history, and a version whose new groups hold at least k", () => {
    expect(participantAtomViolations([], version(1, [g(1, 2), g(2, 3)]), 5)).toEqual([]);
    const v1 = version(1, [g(1, 10)]);
    expect(participantAtomViolations([v1], version(2, [g(1, 10), g(2, 5)]), 5)).toEqual([]);
  });

  it("finds the new small group whatever happened to the total (edited, or marked a correction)", () => {
    const v1 = version(1, [g(1, 10)]);
    // Group 1 raised from 10 to 15 and a group of 2 added: the total rises by 7.
    expect(participantAtomViolations([v1], version(2, [g(1, 15), g(2, 2)]), 5)).toEqual([
      { value: 2, bands: [], against: "version 1 of 2026-01-01/2026-12-31" },
    ]);
  });

  it("finds a group that left a pooled cell, and a group only one of two overlapping periods holds", () => {
    const v1 = version(1, [g(1, 10, "young-people"), g(2, 3, "other"), g(3, 3, "other")]);
    const v2 = version(2, [
      g(1, 10, "young-people"),
      g(2, 3, "parents"),
      g(4, 2, "parents"),
      g(3, 3, "other"),
    ]);
    expect(participantAtomViolations([v1], v2, 5).map((v) => v.value)).toContain(3);
    const year = { ...version(1, [g(1, 10), g(2, 2)]), periodKey: "2026-01-01/2026-12-31" };
    const spring = { ...version(1, [g(1, 10)]), periodKey: "2026-01-01/2026-06-30" };
    expect(participantAtomViolations([year], spring, 5)).toEqual([
      { value: 2, bands: [], against: "version 1 of 2026-01-01/2026-12-31" },
    ]);
  });

  it("does not hold against a draft an atom that was already public", () => {
    const v1 = version(1, [g(1, 10)]);
    const v2 = version(2, [g(1, 10), g(2, 3)]);
    // v2 slipped through before the rule existed; publishing v1's set again adds nothing new.
    expect(participantAtomViolations([v1, v2], version(3, [g(1, 10), g(2, 3)]), 5)).toEqual([]);
  });

  it("finds margin cells of an atom under the minimum, unrecorded ones included", () => {
    const mixed = { margins: { gender: { female: 10, male: 10 } } };
    const v1 = version(1, [g(1, 20, null, mixed)], ["gender"]);
    const v2 = version(2, [
      g(1, 20, null, mixed),
      g(2, 12, null, { margins: { gender: { female: 12 } } }),
    ]);
    expect(marginAtomViolations([v1], v2, "gender", 10)).toEqual([]);
    const split = version(2, [
      g(1, 20, null, mixed),
      g(2, 12, null, { margins: { gender: { female: 9, male: 3 } } }),
    ]);
    expect(marginAtomViolations([v1], split, "gender", 10)).toEqual([
      expect.objectContaining({ bands: ["female", "male"], value: 3 }),
    ]);
    const unrecorded = version(2, [
      g(1, 20, null, mixed),
      g(2, 12, null, { margins: { gender: { female: 10 } } }),
    ]);
    expect(marginAtomViolations([v1], unrecorded, "gender", 10)).toEqual([
      expect.objectContaining({ bands: ["unrecorded"], value: 2 }),
    ]);
    // Versions that did not carry the margin do not count.
    expect(marginAtomViolations([{ ...v1, margins: [] }], split, "gender", 10)).toEqual([]);
  });

  it("lets a correction keep exactly the groups, participants, category and margins", () => {
    const v1 = version(1, [g(1, 10), g(2, 6)]);
    expect(correctionViolation(v1, [g(2, 6), g(1, 10)])).toBeNull();
    expect(correctionViolation(v1, [g(1, 10), g(2, 6), g(3, 1)])).toMatch(/a correction may only/);
    expect(correctionViolation(v1, [g(1, 11), g(2, 6)])).toMatch(/a correction may only/);
    expect(correctionViolation(v1, [g(1, 10), g(2, 6, "students")])).toMatch(/may only/);
    expect(correctionViolation(undefined, [g(1, 10)])).toBeNull();
  });
});

describe("disclosurePolicySchema", () => {
  it("defaults to k = 5 and a margin minimum of 10", () => {
    expect(disclosurePolicySchema.parse({})).toEqual({ k: 5, marginMinimum: 10 });
    expect(DEFAULT_POLICY).toEqual({ k: 5, marginMinimum: 10 });
  });

  it("can be raised", () => {
    expect(disclosurePolicySchema.parse({ k: 8, marginMinimum: 20 })).toEqual({
      k: 8,
      marginMinimum: 20,
    });
  });

  it.each([
    [{ k: 4 }, /k can only be raised above 5/],
    [{ k: 0 }, /k can only be raised above 5/],
    [{ marginMinimum: 9 }, /margin minimum can only be raised above 10/],
    [{ k: 5.5 }, /expected int/],
    [{ k: 5, threshold: 3 }, /threshold/],
  ])("refuses %j (configurable upward only)", (policy, message) => {
    const result = disclosurePolicySchema.safeParse(policy);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message).join("; ")).toMatch(message);
  });
});

// ---------------------------------------------------------------------------
// Properties of draftSynthesis on random data.

const componentCodes = defaultGrid.components.map((c) => c.code);
const categoryPool = BUILTIN_GROUP_CATEGORIES.slice(0, 5).map((c) => c.code);

/** Each participant's band, or null when not recorded, tallied into a margin. */
const marginArb = (participants: number, bands: readonly string[]) =>
  fc
    .array(fc.option(fc.constantFrom(...bands)), {
      minLength: participants,
      maxLength: participants,
    })
    .map((values) => {
      const cells: Record<string, number> = {};
      for (const band of values) if (band !== null) cells[band] = (cells[band] ?? 0) + 1;
      return cells;
    });

const groupArb: fc.Arbitrary<GroupTally> = fc
  .record({
    category: fc.constantFrom(...categoryPool),
    participants: fc.integer({ min: 1, max: 15 }),
    counts: fc.array(
      fc.record({
        question: fc.constantFrom(...QUESTIONS),
        component: fc.constantFrom(...componentCodes),
        count: fc.integer({ min: 0, max: 6 }),
      }),
      { maxLength: 8 },
    ),
  })
  .chain((group) =>
    fc
      .option(
        fc.record({
          gender: marginArb(group.participants, GENDER_BANDS),
          age: marginArb(group.participants, AGE_BANDS),
        }),
      )
      .map((margins) => (margins ? { ...group, margins } : group)),
  );

const groupsArb = fc.array(groupArb, { maxLength: 10 });

const input = (
  groups: readonly GroupTally[],
  policy: DisclosurePolicy,
  extra: Partial<SynthesisInput> = {},
): SynthesisInput => ({
  territory: { id: "https://node.example/territory", name: "Testville", country: "FR" },
  period: { start: "2025-01-01", end: "2025-06-30" },
  grid: { id: defaultGrid.id, version: defaultGrid.version },
  groups,
  previous: null,
  correction: false,
  policy,
  ...extra,
});

const totalParticipants = (groups: readonly GroupTally[]) =>
  groups.reduce((n, g) => n + g.participants, 0);
const hasCriteria = (groups: readonly GroupTally[]) =>
  groups.some((g) => g.counts.some((c) => c.count > 0));

describe.each([
  ["default policy", DEFAULT_POLICY],
  ["raised policy", { k: 8, marginMinimum: 15 }],
])("draftSynthesis with the %s", (_name, policy: DisclosurePolicy) => {
  const { k, marginMinimum } = policy;
  const small = (n: number) => n >= 1 && n < k;

  it("publishes whenever there are at least k participants and some criteria", () => {
    fc.assert(
      fc.property(groupsArb, (groups) => {
        const { payload, blockers } = draftSynthesis(input(groups, policy));
        const expected = totalParticipants(groups) >= k && hasCriteria(groups);
        expect(payload !== null).toBe(expected);
        expect(blockers.length === 0).toBe(expected);
      }),
    );
  });

  it("(a) publishes no category, other included, with 1 … k−1 participants", () => {
    fc.assert(
      fc.property(groupsArb, (groups) => {
        const { payload } = draftSynthesis(input(groups, policy));
        for (const category of payload?.categories ?? []) {
          expect(small(category.participants)).toBe(false);
        }
      }),
    );
  });

  it("(b) leaves 0 or at least k participants outside the named categories", () => {
    fc.assert(
      fc.property(groupsArb, (groups) => {
        const { payload } = draftSynthesis(input(groups, policy));
        if (!payload) return;
        const named = (payload.categories ?? [])
          .filter((c) => c.category !== POOLED_CATEGORY)
          .reduce((n, c) => n + c.participants, 0);
        expect(small(payload.participants - named)).toBe(false);
      }),
    );
  });

  it("(c) publishes margin cells, and the unrecorded remainder, only at the margin minimum", () => {
    fc.assert(
      fc.property(groupsArb, (groups) => {
        const { payload } = draftSynthesis(input(groups, policy));
        for (const cells of Object.values(payload?.margins ?? {})) {
          const values = Object.values(cells ?? {}).map((n) => n ?? 0);
          for (const n of values) expect(n).toBeGreaterThanOrEqual(marginMinimum);
          const unrecorded = (payload?.participants ?? 0) - values.reduce((a, b) => a + b, 0);
          expect(unrecorded === 0 || unrecorded >= marginMinimum).toBe(true);
        }
      }),
    );
  });

  it("(d) produces payloads that pass synthesisPayloadSchema", () => {
    fc.assert(
      fc.property(groupsArb, (groups) => {
        const { payload } = draftSynthesis(input(groups, policy));
        if (!payload) return;
        const result = synthesisPayloadSchema.safeParse(payload);
        expect(result.error?.issues ?? []).toEqual([]);
      }),
    );
  });

  it("(e) gives the same payload and hash for the same groups in any order", () => {
    const groupsAndShuffle = groupsArb.chain((groups) =>
      fc
        .shuffledSubarray(groups, { minLength: groups.length, maxLength: groups.length })
        .map((shuffled) => [groups, shuffled] as const),
    );
    fc.assert(
      fc.property(groupsAndShuffle, ([groups, shuffled]) => {
        const first = draftSynthesis(input(groups, policy)).payload;
        expect(draftSynthesis(input(structuredClone(groups), policy)).payload).toEqual(first);
        const reordered = draftSynthesis(input(shuffled, policy)).payload;
        expect(reordered).toEqual(first);
        expect(reordered?.hash).toBe(first?.hash);
      }),
    );
  });

  it("(f) publishes nothing when the period has fewer than k participants", () => {
    const fewGroups = fc
      .array(groupArb, { minLength: 1, maxLength: 3 })
      .filter((groups) => totalParticipants(groups) < k);
    fc.assert(
      fc.property(fewGroups, fc.boolean(), (groups, correction) => {
        const draft = draftSynthesis(input(groups, policy, { correction }));
        expect(draft.payload).toBeNull();
        expect(draft.blockers.join("; ")).toMatch(`at least k = ${k} are needed`);
      }),
    );
  });

  it("(g) no sequence of versions, over overlapping periods, lets an outsider isolate an atom", () => {
    const periods = [
      { start: "2025-01-01", end: "2025-12-31" },
      { start: "2025-01-01", end: "2025-06-30" },
      { start: "2025-01-01", end: "2025-12-31", cycle: 1 },
    ];
    const steps = fc.array(
      fc.record({
        members: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        edit: fc.option(
          fc.record({
            index: fc.nat(7),
            more: fc.integer({ min: 1, max: 6 }),
            category: fc.option(fc.constantFrom(...categoryPool)),
          }),
        ),
        period: fc.nat(periods.length - 1),
        correction: fc.boolean(),
      }),
      { minLength: 1, maxLength: 6 },
    );
    fc.assert(
      fc.property(fc.array(groupArb, { minLength: 8, maxLength: 8 }), steps, (pool, plan) => {
        const current = pool.map((group, i) => ({ ...group, id: i + 1 }));
        const history: LedgerVersion[] = [];
        const seen: SeenVersion[] = [];
        const latest = new Map<string, { version: number; hash: string }>();
        for (const step of plan) {
          if (step.edit) {
            const edited = current[step.edit.index] as GroupTally;
            edited.participants += step.edit.more;
            if (step.edit.category) edited.category = step.edit.category;
          }
          const period = periods[step.period] as (typeof periods)[number];
          const key = periodKey(period);
          const previous = latest.get(key) ?? null;
          const groups = current.filter((_, i) => step.members[i]).map((x) => structuredClone(x));
          const draft = draftSynthesis(
            input(groups, policy, { period, previous, correction: step.correction, history }),
          );
          const payload = draft.payload;
          if (!payload) continue;
          // The ledger says exactly which groups stand behind each public cell.
          expect(draft.ledger.reduce((n, x) => n + x.participants, 0)).toBe(payload.participants);
          for (const category of payload.categories ?? []) {
            const behind = draft.ledger.filter((x) => x.cell === category.category);
            expect(behind.reduce((n, x) => n + x.participants, 0)).toBe(category.participants);
          }
          if (!payload.categories) expect(draft.ledger.every((x) => x.cell === null)).toBe(true);
          const margins = (["gender", "age"] as const).filter((m) => payload.margins?.[m]);
          history.push({ periodKey: key, version: payload.version, groups: draft.ledger, margins });
          seen.push({ name: `${key} v${payload.version}`, groups: draft.ledger, margins });
          latest.set(key, { version: payload.version, hash: payload.hash });
          expect(isolations(seen, k, marginMinimum)).toEqual([]);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe("draftSynthesis examples", () => {
  const group = (category: string, participants: number): GroupTally => ({
    category,
    participants,
    counts: [{ question: "Q1", component: "A01", count: 1 }],
  });

  it("pools small categories and folds the smallest published one (k = 5)", () => {
    const { payload, withheld } = draftSynthesis(
      input([group("women", 6), group("farmers", 7), group("migrants", 3)], DEFAULT_POLICY),
    );
    expect(payload?.categories?.map((c) => [c.category, c.participants, c.groups])).toEqual([
      ["farmers", 7, 1],
      [POOLED_CATEGORY, 9, 2],
    ]);
    expect(payload?.counts).toEqual({ Q1: { A01: 3 } });
    expect(withheld.map((w) => w.what)).toEqual(["category migrants", "category women"]);
  });

  it("with k = 8, withholds what k = 5 would publish", () => {
    const groups = [group("women", 6), group("farmers", 7)];
    expect(draftSynthesis(input(groups, DEFAULT_POLICY)).payload?.categories).toHaveLength(2);
    const raised = draftSynthesis(input(groups, { k: 8, marginMinimum: 10 })).payload;
    expect(raised?.categories?.map((c) => c.category)).toEqual([POOLED_CATEGORY]);
    expect(
      draftSynthesis(input([group("women", 7)], { k: 8, marginMinimum: 10 })).payload,
    ).toBeNull();
  });
});

describe("disclosureViolations (what a receiver refuses, whatever the origin's settings)", () => {
  const base = { participants: 20 };

  it("accepts a payload at the floors", () => {
    expect(disclosureViolations(base)).toEqual([]);
    expect(
      disclosureViolations({
        participants: 25,
        categories: [
          { category: "women", participants: 5 },
          { category: "other", participants: 20 },
        ],
        margins: { gender: { female: 10, male: 15 }, age: { "18-29": 10, "30-44": 15 } },
      }),
    ).toEqual([]);
  });

  it("refuses a total under k", () => {
    expect(disclosureViolations({ participants: 4 })).toEqual([
      "the synthesis describes 4 participant(s), fewer than k = 5",
    ]);
  });

  it("refuses a category of 1 … k−1 participants, named or other", () => {
    for (const n of [1, 2, 3, 4]) {
      const payload = {
        participants: 20 + n,
        categories: [
          { category: "women", participants: 20 },
          { category: "other", participants: n },
        ],
      };
      expect(disclosureViolations(payload)).toEqual([
        `category other has ${n} participant(s), fewer than k = 5`,
      ]);
    }
  });

  it("refuses a margin cell of 1 … 9, and an unrecorded rest of 1 … 9", () => {
    for (const n of [1, 5, 9]) {
      expect(
        disclosureViolations({
          participants: 20 + n,
          margins: { gender: { female: 20, male: n } },
        }),
      ).toEqual([`gender margin has cells under 10: male = ${n}`]);
      expect(
        disclosureViolations({ participants: 20 + n, margins: { age: { "18-29": 20 } } }),
      ).toEqual([`age margin has cells under 10: unrecorded = ${n}`]);
    }
  });

  it("defaults to the floors k = 5 and 10; a stricter k can be passed", () => {
    expect(disclosureViolations({ participants: 5 })).toEqual([]);
    expect(disclosureViolations({ participants: 5 }, 8)).toHaveLength(1);
  });

  it("never refuses what draftSynthesis publishes, under any policy at or above the floors", () => {
    fc.assert(
      fc.property(
        groupsArb,
        fc.integer({ min: 5, max: 9 }),
        fc.integer({ min: 10, max: 14 }),
        (groups, k, marginMinimum) => {
          const { payload } = draftSynthesis(input(groups, { k, marginMinimum }));
          if (payload) expect(disclosureViolations(payload)).toEqual([]);
        },
      ),
    );
  });
});
