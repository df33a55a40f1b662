import { z } from "zod";
import { ISO_3166_1_ALPHA_2 } from "./countries.ts";
import { AGE_BANDS, CLASSIFICATION_STATUSES, GENDER_BANDS, QUESTIONS } from "./vocabulary.ts";

/** Shared zod schemas for local data. The synthesis payload lives in synthesis-payload.ts. */

export const isoDate = z.iso.date({ message: "expected a date as YYYY-MM-DD" });

export const countryCode = z.string().refine((code) => ISO_3166_1_ALPHA_2.has(code), {
  message: "expected an ISO 3166-1 alpha-2 country code such as FR or PT",
});

/** ISO 3166-2 (FR-GES) where known, a free label otherwise. */
export const regionLabel = z.string().trim().min(1).max(100);

export const languageTag = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "expected a language tag such as fr or pt-BR");

export const slug = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/,
    "use 1-64 lower-case letters, digits and dashes",
  );

export const questionSchema = z.enum(QUESTIONS);
export const classificationStatusSchema = z.enum(CLASSIFICATION_STATUSES);

/** A link of a territory's profile (its website, a local partner): shown on its actor. */
export const territoryLinkSchema = z.strictObject({
  label: z
    .string()
    .trim()
    .min(1, "give the link a name")
    .max(60, "a name is at most 60 characters"),
  url: z
    .string()
    .max(500, "a link is at most 500 characters")
    .refine(
      (value) =>
        !/\s/.test(value) && URL.canParse(value) && /^https?:$/.test(new URL(value).protocol),
      "expected a web address starting with https:// (or http://)",
    ),
});
export type TerritoryLink = z.infer<typeof territoryLinkSchema>;

export const territoryProfileSchema = z.strictObject({
  slug,
  name: z.string().trim().min(1).max(200),
  country: countryCode,
  region: regionLabel.optional(),
  localityType: z.enum(["urban", "peri-urban", "rural", "mixed"]).optional(),
  languages: z.array(languageTag).min(1).max(20),
  description: z.string().max(5000).optional(),
  population: z.number().int().positive().max(100_000_000).optional(),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
  links: z.array(territoryLinkSchema).max(5, "at most 5 links").optional(),
});
export type TerritoryProfile = z.infer<typeof territoryProfileSchema>;

const bandCounts = <T extends readonly [string, ...string[]]>(bands: T) =>
  z.partialRecord(z.enum(bands), z.number().int().min(0).max(10_000));

export const groupMarginsSchema = z.strictObject({
  gender: bandCounts(GENDER_BANDS).optional(),
  age: bandCounts(AGE_BANDS).optional(),
});
export type GroupMargins = z.infer<typeof groupMarginsSchema>;

export const groupCategoryCode = slug.refine((c) => c !== "other", {
  message: '"other" is reserved for pooled categories in syntheses',
});

const sumOf = (counts: Record<string, number | undefined> | undefined) =>
  Object.values(counts ?? {}).reduce<number>((total, n) => total + (n ?? 0), 0);

export const homogeneousGroupSchema = z
  .strictObject({
    label: z.string().trim().min(1).max(200),
    category: groupCategoryCode,
    sessionDates: z.array(isoDate).min(1).max(50),
    participants: z.number().int().min(1).max(10_000),
    cycle: z.number().int().min(0).max(3),
    margins: groupMarginsSchema.optional(),
    notes: z.string().max(10_000).optional(),
  })
  .superRefine((group, ctx) => {
    for (const margin of ["gender", "age"] as const) {
      if (sumOf(group.margins?.[margin]) > group.participants) {
        ctx.addIssue({
          code: "custom",
          path: ["margins", margin],
          message: `the ${margin} counts add up to more than the ${group.participants} participants`,
        });
      }
    }
  });
export type HomogeneousGroup = z.infer<typeof homogeneousGroupSchema>;

export const criterionTextSchema = z
  .string()
  .trim()
  .min(1, "the criterion text is empty")
  .max(2000, "a criterion is one idea: 2000 characters at most");

export const criterionSchema = z.strictObject({
  question: questionSchema,
  text: criterionTextSchema,
  language: languageTag.optional(),
  code: z.string().trim().max(40).optional(),
});
export type Criterion = z.infer<typeof criterionSchema>;
