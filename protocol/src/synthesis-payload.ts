import { z } from "zod";
import type { Grid } from "./grid.ts";
import { contentHash } from "./hash.ts";
import { countryCode, isoDate, regionLabel } from "./schemas.ts";
import { AGE_BANDS, GENDER_BANDS, QUESTIONS } from "./vocabulary.ts";

/**
 * `spiral/synthesis@1`: what a territory publishes about one period (docs/protocol.md §3).
 * The schema checks structure, plausibility bounds and internal consistency (subtotals, totals,
 * content hash), so a receiver can trust the arithmetic before it trusts the origin.
 */
export const SYNTHESIS_SCHEMA_ID = "spiral/synthesis@1";
export const SYNTHESIS_MEDIA_TYPE = "application/vnd.spiral.synthesis+json";

/** Plausibility bounds (per territory and period). */
export const LIMITS = {
  participants: 1_000_000,
  groups: 100_000,
  criteriaPerCell: 10_000_000,
} as const;

const count = (max: number) => z.number().int().min(0).max(max);
const componentCode = z.string().regex(/^[A-Z]\d{2}$/, "expected a component code such as A01");
const dimensionCode = z.string().regex(/^[A-Z]$/, "expected a dimension letter");
const positiveCell = z.number().int().min(1).max(LIMITS.criteriaPerCell);

/** question → component → count; zero cells are omitted. */
export const questionCountsSchema = z.partialRecord(
  z.enum(QUESTIONS),
  z.record(componentCode, positiveCell),
);
/** question → dimension → count; zero cells are omitted. */
export const questionDimensionsSchema = z.partialRecord(
  z.enum(QUESTIONS),
  z.record(dimensionCode, positiveCell),
);

export const periodSchema = z
  .strictObject({
    start: isoDate,
    end: isoDate,
    cycle: z.number().int().min(0).max(3).optional(),
  })
  .refine((p) => p.start <= p.end, { message: "the period ends before it starts", path: ["end"] });
export type Period = z.infer<typeof periodSchema>;

/** The key of a period in the (origin, period) map: `start/end` or `start/end#cycleN`. */
export function periodKey(period: Period): string {
  return `${period.start}/${period.end}${period.cycle === undefined ? "" : `#cycle${period.cycle}`}`;
}

export const categoryBreakdownSchema = z.strictObject({
  category: z.string().regex(/^[a-z0-9-]{1,64}$/),
  groups: count(LIMITS.groups).min(1),
  participants: count(LIMITS.participants).min(1),
  counts: questionCountsSchema,
});

const synthesisBodySchema = z.strictObject({
  schema: z.literal(SYNTHESIS_SCHEMA_ID),
  territory: z.strictObject({
    id: z.url({ protocol: /^https?$/ }),
    name: z.string().min(1).max(200),
    country: countryCode,
    region: regionLabel.optional(),
  }),
  period: periodSchema,
  grid: z.strictObject({ id: z.string().min(1).max(100), version: z.string().min(1).max(100) }),
  counts: questionCountsSchema,
  dimensions: questionDimensionsSchema,
  totals: z.strictObject({
    criteria: count(LIMITS.criteriaPerCell),
    byQuestion: z.partialRecord(z.enum(QUESTIONS), positiveCell),
  }),
  groups: count(LIMITS.groups).min(1),
  participants: count(LIMITS.participants).min(1),
  categories: z.array(categoryBreakdownSchema).max(200).optional(),
  margins: z
    .strictObject({
      gender: z.partialRecord(z.enum(GENDER_BANDS), positiveCell).optional(),
      age: z.partialRecord(z.enum(AGE_BANDS), positiveCell).optional(),
    })
    .optional(),
  version: z.number().int().min(1).max(1_000_000),
  previous: z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/)
    .nullable(),
  correction: z.boolean(),
});
export type SynthesisBody = z.infer<typeof synthesisBodySchema>;

export const synthesisPayloadSchema = synthesisBodySchema
  .extend({ hash: z.string().regex(/^sha256:[0-9a-f]{64}$/) })
  .superRefine((payload, ctx) => {
    for (const issue of consistencyIssues(payload)) ctx.addIssue({ code: "custom", ...issue });
  });
export type SynthesisPayload = z.infer<typeof synthesisPayloadSchema>;

export type QuestionCounts = z.infer<typeof questionCountsSchema>;

/** Sums component counts into dimension subtotals (the component's first letter is its dimension). */
export function dimensionSubtotals(
  counts: QuestionCounts,
): z.infer<typeof questionDimensionsSchema> {
  const result: Record<string, Record<string, number>> = {};
  for (const [question, cells] of Object.entries(counts)) {
    const byDimension: Record<string, number> = {};
    for (const [component, n] of Object.entries(cells ?? {})) {
      const dimension = component.charAt(0);
      byDimension[dimension] = (byDimension[dimension] ?? 0) + n;
    }
    if (Object.keys(byDimension).length > 0) result[question] = byDimension;
  }
  return result;
}

function questionTotals(counts: QuestionCounts): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [question, cells] of Object.entries(counts)) {
    const total = Object.values(cells ?? {}).reduce((a, b) => a + b, 0);
    if (total > 0) result[question] = total;
  }
  return result;
}

const sameCounts = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/** Cell-by-cell sum of several question counts. */
function sumCounts(all: QuestionCounts[]): Record<string, Record<string, number>> {
  const sum: Record<string, Record<string, number>> = {};
  for (const counts of all) {
    for (const [question, cells] of Object.entries(counts)) {
      const row = sum[question] ?? {};
      sum[question] = row;
      for (const [code, n] of Object.entries(cells ?? {})) row[code] = (row[code] ?? 0) + n;
    }
  }
  return sum;
}

const sameQuestionCounts = (a: QuestionCounts, b: QuestionCounts) =>
  QUESTIONS.every((question) => sameCounts(a[question] ?? {}, b[question] ?? {}));

function consistencyIssues(
  payload: SynthesisBody & { hash: string },
): Array<{ path: (string | number)[]; message: string }> {
  const issues: Array<{ path: (string | number)[]; message: string }> = [];
  const expectedDimensions = dimensionSubtotals(payload.counts);
  for (const question of QUESTIONS) {
    if (!sameCounts(expectedDimensions[question] ?? {}, payload.dimensions[question] ?? {})) {
      issues.push({
        path: ["dimensions", question],
        message: "dimension subtotals do not match the component counts",
      });
    }
  }
  const byQuestion = questionTotals(payload.counts);
  if (!sameCounts(byQuestion, payload.totals.byQuestion)) {
    issues.push({ path: ["totals", "byQuestion"], message: "totals do not match the counts" });
  }
  const criteria = Object.values(byQuestion).reduce((a, b) => a + b, 0);
  if (criteria !== payload.totals.criteria) {
    issues.push({
      path: ["totals", "criteria"],
      message: `expected ${criteria} criteria in total`,
    });
  }
  if (payload.groups > payload.participants) {
    issues.push({ path: ["groups"], message: "more groups than participants" });
  }
  if (payload.categories) {
    const seen = new Set<string>();
    let participants = 0;
    let groups = 0;
    for (const [i, category] of payload.categories.entries()) {
      if (seen.has(category.category)) {
        issues.push({
          path: ["categories", i],
          message: `duplicate category ${category.category}`,
        });
      }
      seen.add(category.category);
      participants += category.participants;
      groups += category.groups;
    }
    if (participants !== payload.participants || groups !== payload.groups) {
      issues.push({
        path: ["categories"],
        message:
          "the category breakdown does not add up to the territory's groups and participants",
      });
    }
    // Every group is in exactly one category ("other" pools the rest): their counts add up.
    if (!sameQuestionCounts(sumCounts(payload.categories.map((c) => c.counts)), payload.counts)) {
      issues.push({
        path: ["categories"],
        message: "the category breakdown's counts do not add up to the territory's counts",
      });
    }
  }
  for (const margin of ["gender", "age"] as const) {
    const cells = payload.margins?.[margin];
    if (cells) {
      const sum = Object.values(cells).reduce<number>((a, b) => a + (b ?? 0), 0);
      if (sum > payload.participants) {
        issues.push({
          path: ["margins", margin],
          message: "margin counts exceed the participants",
        });
      }
    }
  }
  if (payload.version === 1 && payload.previous !== null) {
    issues.push({ path: ["previous"], message: "version 1 has no previous version" });
  }
  if (payload.version > 1 && payload.previous === null) {
    issues.push({
      path: ["previous"],
      message: "a later version names the hash of the previous one",
    });
  }
  const { hash, ...body } = payload;
  if (contentHash(body) !== hash) {
    issues.push({ path: ["hash"], message: "the content hash does not match the payload" });
  }
  return issues;
}

/** Grid-level check for a payload coded with a grid this node holds: every code must exist. */
export function unknownGridCodes(payload: SynthesisBody, grid: Grid): string[] {
  const unknown = new Set<string>();
  const check = (counts: QuestionCounts) => {
    for (const cells of Object.values(counts)) {
      for (const code of Object.keys(cells ?? {})) {
        if (grid.entry(code)?.kind !== "component") unknown.add(code);
      }
    }
  };
  check(payload.counts);
  for (const category of payload.categories ?? []) check(category.counts);
  return [...unknown].sort();
}
