import { z } from "zod";
import { contentHash } from "./hash.ts";
import { countryCode, isoDate, languageTag, regionLabel } from "./schemas.ts";

/**
 * `spiral/progress@1`: what a territory publishes about one self-survey campaign
 * (docs/protocol.md §13): per path of progress, how many respondents placed themselves at each
 * of the five levels (or did not know). The schema checks structure, bounds and internal
 * consistency (every path's counts add up to the respondents, categories add up to the
 * territory, content hash), so a receiver can trust the arithmetic before it trusts the origin.
 */
export const PROGRESS_SCHEMA_ID = "spiral/progress@1";
export const PROGRESS_MEDIA_TYPE = "application/vnd.spiral.progress+json";

/** The five situations of a path: 1 very unsatisfactory … 5 ideal. */
export const PROGRESS_LEVELS = [1, 2, 3, 4, 5] as const;
export type ProgressLevel = (typeof PROGRESS_LEVELS)[number];

/**
 * The four passages, one per step up (possibility, attainment, quality, sustainability): the
 * sense categories of the grid that build indicators.
 */
export const PASSAGES = ["P", "O", "Q", "S"] as const;
export type Passage = (typeof PASSAGES)[number];
/** The usual passage into each level above 1 (level 2 ← P … level 5 ← S). */
export const DEFAULT_PASSAGES: Readonly<Record<2 | 3 | 4 | 5, Passage>> = {
  2: "P",
  3: "O",
  4: "Q",
  5: "S",
};

/** Before the territory's actions, or after them (the co-evaluation compares the two). */
export const CAMPAIGN_PHASES = ["ex-ante", "ex-post"] as const;
export type CampaignPhase = (typeof CAMPAIGN_PHASES)[number];

export const PROGRESS_LIMITS = {
  respondents: 1_000_000,
  paths: 100,
  statement: 500,
  languages: 10,
  categories: 200,
} as const;

const count = z.number().int().min(0).max(PROGRESS_LIMITS.respondents);
const uuid = z.string().regex(/^[0-9a-f-]{36}$/, "expected a UUID");
/** A component (A01) or a whole dimension (A). */
export const pathCodeSchema = z
  .string()
  .regex(/^[A-Z](\d{2})?$/, "expected a component code such as A01 or a dimension letter");

/**
 * Level counts of one path: exactly the keys 1–5 and `dontKnow` (any other level is refused by
 * the strict object).
 */
export const levelCountsSchema = z.strictObject({
  "1": count,
  "2": count,
  "3": count,
  "4": count,
  "5": count,
  dontKnow: count,
});
export type LevelCounts = z.infer<typeof levelCountsSchema>;

export const emptyLevelCounts = (): LevelCounts => ({
  "1": 0,
  "2": 0,
  "3": 0,
  "4": 0,
  "5": 0,
  dontKnow: 0,
});

/** Everyone counted in a level-counts cell (the five levels and "don't know"). */
export const respondentsOf = (c: LevelCounts) =>
  c["1"] + c["2"] + c["3"] + c["4"] + c["5"] + c.dontKnow;

/** Statement text per language: the territory's own public words about a situation. */
export const statementTextSchema = z
  .record(languageTag, z.string().trim().min(1).max(PROGRESS_LIMITS.statement))
  .refine((texts) => Object.keys(texts).length >= 1, "a statement needs a text")
  .refine(
    (texts) => Object.keys(texts).length <= PROGRESS_LIMITS.languages,
    `at most ${PROGRESS_LIMITS.languages} languages`,
  );

export const statementSchema = z.strictObject({
  level: z.union(PROGRESS_LEVELS.map((n) => z.literal(n))),
  /** The passage that leads up to this level; null for level 1. */
  passage: z.enum(PASSAGES).nullable(),
  text: statementTextSchema,
});
export type Statement = z.infer<typeof statementSchema>;

export const publishedPathSchema = z.strictObject({
  id: uuid,
  version: z.number().int().min(1).max(1_000_000),
  code: pathCodeSchema,
  statements: z.array(statementSchema).length(5),
  counts: levelCountsSchema,
});
export type PublishedPath = z.infer<typeof publishedPathSchema>;

const categoryCellSchema = z.strictObject({
  category: z.string().regex(/^[a-z0-9-]{1,64}$/),
  respondents: count.min(1),
  paths: z.array(z.strictObject({ id: uuid, counts: levelCountsSchema })),
});

const progressBodySchema = z.strictObject({
  schema: z.literal(PROGRESS_SCHEMA_ID),
  territory: z.strictObject({
    id: z.url({ protocol: /^https?$/ }),
    name: z.string().min(1).max(200),
    country: countryCode,
    region: regionLabel.optional(),
  }),
  campaign: z.strictObject({
    id: uuid,
    period: z
      .strictObject({ start: isoDate, end: isoDate })
      .refine((p) => p.start <= p.end, { message: "the period ends before it starts" }),
    cycle: z.number().int().min(0).max(3),
    phase: z.enum(CAMPAIGN_PHASES),
  }),
  grid: z.strictObject({ id: z.string().min(1).max(100), version: z.string().min(1).max(100) }),
  respondents: count.min(1),
  paths: z.array(publishedPathSchema).min(1).max(PROGRESS_LIMITS.paths),
  categories: z.array(categoryCellSchema).max(PROGRESS_LIMITS.categories).optional(),
  version: z.number().int().min(1).max(1_000_000),
  previous: z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/)
    .nullable(),
});
export type ProgressBody = z.infer<typeof progressBodySchema>;

type Issue = { path: (string | number)[]; message: string };

const sameCounts = (a: LevelCounts, b: LevelCounts) =>
  (["1", "2", "3", "4", "5", "dontKnow"] as const).every((key) => a[key] === b[key]);

function statementIssues(path: PublishedPath, index: number): Issue[] {
  const issues: Issue[] = [];
  const levels = path.statements.map((s) => s.level);
  if (levels.join(",") !== "1,2,3,4,5") {
    issues.push({
      path: ["paths", index, "statements"],
      message: "a path has one statement per level, 1 to 5, in order",
    });
  }
  for (const [i, statement] of path.statements.entries()) {
    if ((statement.level === 1) !== (statement.passage === null)) {
      issues.push({
        path: ["paths", index, "statements", i, "passage"],
        message: "level 1 has no passage; levels 2–5 each name the passage leading to them",
      });
    }
  }
  return issues;
}

function categoryIssues(payload: ProgressBody): Issue[] {
  if (!payload.categories) return [];
  const issues: Issue[] = [];
  const seen = new Set<string>();
  let respondents = 0;
  const sums = new Map<string, LevelCounts>();
  for (const [i, cell] of payload.categories.entries()) {
    if (seen.has(cell.category)) {
      issues.push({ path: ["categories", i], message: `duplicate category ${cell.category}` });
    }
    seen.add(cell.category);
    respondents += cell.respondents;
    const ids = cell.paths.map((p) => p.id).sort();
    if (
      ids.join() !==
        payload.paths
          .map((p) => p.id)
          .sort()
          .join() ||
      new Set(ids).size !== ids.length
    ) {
      issues.push({
        path: ["categories", i, "paths"],
        message: "a category cell lists every path once",
      });
    }
    for (const path of cell.paths) {
      if (respondentsOf(path.counts) !== cell.respondents) {
        issues.push({
          path: ["categories", i],
          message: "a category's path counts do not add up to its respondents",
        });
      }
      const sum = sums.get(path.id) ?? emptyLevelCounts();
      for (const key of Object.keys(sum) as Array<keyof LevelCounts>) sum[key] += path.counts[key];
      sums.set(path.id, sum);
    }
  }
  if (respondents !== payload.respondents) {
    issues.push({
      path: ["categories"],
      message: "the category cells do not add up to the campaign's respondents",
    });
  }
  for (const path of payload.paths) {
    const sum = sums.get(path.id);
    if (sum && !sameCounts(sum, path.counts)) {
      issues.push({
        path: ["categories"],
        message: `the category cells' counts do not add up to path ${path.id}'s counts`,
      });
    }
  }
  return issues;
}

function consistencyIssues(payload: ProgressBody & { hash: string }): Issue[] {
  const issues: Issue[] = [];
  const ids = new Set<string>();
  for (const [i, path] of payload.paths.entries()) {
    if (ids.has(path.id)) issues.push({ path: ["paths", i], message: "duplicate path" });
    ids.add(path.id);
    issues.push(...statementIssues(path, i));
    if (respondentsOf(path.counts) !== payload.respondents) {
      issues.push({
        path: ["paths", i, "counts"],
        message: "a path's counts (levels and don't know) do not add up to the respondents",
      });
    }
  }
  issues.push(...categoryIssues(payload));
  if (payload.version === 1 && payload.previous !== null) {
    issues.push({ path: ["previous"], message: "version 1 has no previous version" });
  }
  if (payload.version > 1 && payload.previous === null) {
    issues.push({ path: ["previous"], message: "a later version names the previous one's hash" });
  }
  const { hash, ...body } = payload;
  if (contentHash(body) !== hash) {
    issues.push({ path: ["hash"], message: "the content hash does not match the payload" });
  }
  return issues;
}

export const progressPayloadSchema = progressBodySchema
  .extend({ hash: z.string().regex(/^sha256:[0-9a-f]{64}$/) })
  .superRefine((payload, ctx) => {
    for (const issue of consistencyIssues(payload)) ctx.addIssue({ code: "custom", ...issue });
  });
export type ProgressPayload = z.infer<typeof progressPayloadSchema>;

/** The key of a campaign in the (origin, key) maps of aggregation and the ledger. */
export const campaignKey = (campaignId: string) => `campaign:${campaignId}`;

/**
 * Why a received progress payload breaks the disclosure floors whatever its origin's settings:
 * fewer than k respondents, or a category cell of 1 … k−1 respondents.
 */
export function progressDisclosureViolations(payload: ProgressBody, k: number): string[] {
  const problems: string[] = [];
  if (payload.respondents < k) {
    problems.push(`the campaign has ${payload.respondents} respondent(s), fewer than k = ${k}`);
  }
  for (const { category, respondents } of payload.categories ?? []) {
    if (respondents > 0 && respondents < k) {
      problems.push(`category ${category} has ${respondents} respondent(s), fewer than k = ${k}`);
    }
  }
  return problems;
}

/** Grid check for a payload coded with a grid this node holds: every path code must exist. */
export function unknownPathCodes(
  payload: ProgressBody,
  known: (code: string) => boolean,
): string[] {
  return [...new Set(payload.paths.map((p) => p.code).filter((c) => !known(c)))].sort();
}
