import {
  AGE_BANDS,
  classificationStatusSchema,
  GENDER_BANDS,
  periodSchema,
  questionSchema,
  slug,
} from "@spiral-network/protocol";
import { z } from "zod";
import { subnetworkRefsSchema } from "../services/subnetworks";

/** Request and response shapes of the JSON API (bodies reuse the protocol schemas). */

export const slugParams = z.object({ slug });
/** A territory's record named by its UUID (meetings, campaigns, received syntheses…). */
export const uuidParams = slugParams.extend({ id: z.uuid() });
export const idParam = z.coerce.number().int().positive();
export const groupParams = z.object({ slug, groupId: idParam });
/** A territory's record named by its number (followers, members…). */
export const idParams = slugParams.extend({ id: idParam });
export const criterionParams = z.object({ slug, criterionId: idParam });

export const territoryViewSchema = z.object({
  slug: z.string(),
  name: z.string(),
  country: z.string(),
  region: z.string().optional(),
  localityType: z.string().optional(),
  languages: z.array(z.string()),
  description: z.string().optional(),
  population: z.number().optional(),
  latitude: z.number().optional(),
  longitude: z.number().optional(),
  grid: z.object({ id: z.string(), version: z.string() }),
  manualApproval: z.boolean(),
  actorId: z.string(),
});

export const categoryViewSchema = z.object({
  code: z.string(),
  en: z.string(),
  fr: z.string(),
  builtin: z.boolean(),
});

const bandRecord = <T extends readonly [string, ...string[]]>(bands: T) =>
  z.partialRecord(z.enum(bands), z.number());

export const groupViewSchema = z.object({
  id: z.number(),
  label: z.string(),
  category: z.string(),
  sessionDates: z.array(z.string()),
  participants: z.number(),
  cycle: z.number(),
  margins: z.object({
    gender: bandRecord(GENDER_BANDS).optional(),
    age: bandRecord(AGE_BANDS).optional(),
  }),
  notes: z.string().optional(),
  criteria: z.number().optional(),
});

export const criterionViewSchema = z.object({
  id: z.number(),
  groupId: z.number(),
  question: questionSchema,
  text: z.string(),
  language: z.string().optional(),
  code: z.string().optional(),
  component: z.string().optional(),
  dimension: z.string().optional(),
  status: classificationStatusSchema,
  classifiedBy: z.string().optional(),
  classifiedAt: z.string().optional(),
});

export const criteriaQuerySchema = z.object({
  groupId: idParam.optional(),
  question: questionSchema.optional(),
  status: classificationStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

/** A period in a query string: ?start=2026-01-01&end=2026-12-31[&cycle=1]. */
export const periodQuerySchema = z
  .object({
    start: z.string(),
    end: z.string(),
    cycle: z.coerce.number().int().optional(),
    correction: z
      .enum(["true", "false"])
      .default("false")
      .transform((v) => v === "true"),
  })
  .transform(({ correction, ...period }, ctx) => {
    const parsed = periodSchema.safeParse(period);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: "custom" });
      return z.NEVER;
    }
    return { period: parsed.data, correction };
  });

export const publishBodySchema = z.strictObject({
  period: periodSchema,
  correction: z.boolean().default(false),
  /** Joined sub-networks to address it to (follow ids, group URLs or handles). */
  subnetworks: subnetworkRefsSchema.optional(),
});

export const synthesisVersionSchema = z.object({
  id: z.string(),
  synthesisId: z.string(),
  periodKey: z.string(),
  version: z.number(),
  participants: z.number(),
  hash: z.string(),
  publishedAt: z.string(),
});

/** A follow by a local territory (of a territory, or of a sub-network it joined): followingView. */
export const followingViewSchema = z.object({
  id: z.number(),
  target: z.string(),
  handle: z.string().optional(),
  name: z.string().optional(),
  type: z.string().optional(),
  state: z.enum(["pending", "accepted", "rejected"]),
  lastPulledAt: z.string().optional(),
  /** Since when deliveries, pulls or look-ups to this peer fail, and the last reason. */
  unreachableSince: z.string().optional(),
  lastError: z.string().optional(),
  since: z.string(),
});

/** Whom a territory follows or joins: a handle (@name@host) or an actor URL. */
export const followTargetBodySchema = z.strictObject({ target: z.string().trim().min(3).max(500) });

export const withheldSchema = z.object({ what: z.string(), reason: z.string() });

/** A version a figure counted, in its coverage (the aggregates, the progress figures). */
export const coverageIncludedSchema = z.object({
  origin: z.string(),
  periodKey: z.string(),
  version: z.number(),
  hash: z.string(),
  name: z.string(),
  country: z.string(),
});

/** A version a figure left out, and why. */
export const coverageExcludedSchema = <R extends z.ZodType>(reason: R) =>
  z.object({
    origin: z.string(),
    periodKey: z.string(),
    version: z.number(),
    reason,
  });

/** A comma-separated query parameter (?country=PT,FR), each item checked with `item`. */
export const commaSeparated = <T extends z.ZodType>(item: T) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (!value) return undefined;
      const items = value
        .split(",")
        .map((v) => v.trim())
        .filter(Boolean);
      const parsed = z.array(item).safeParse(items);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: "custom" });
        return z.NEVER;
      }
      return parsed.data as z.infer<T>[];
    });
