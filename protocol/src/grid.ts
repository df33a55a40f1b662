import { z } from "zod";

/** Publication status of a grid entry; anything but "confirmed" is flagged in the UI. */
const entryStatus = z.enum(["confirmed", "label_inferred", "provisional"]);

/**
 * The languages a grid may label its entries in: English and French are required, the others
 * optional (an entry without one shows its English label).
 */
export const GRID_LANGUAGES = ["en", "fr", "pt", "es", "it", "ar"] as const;
export type Language = (typeof GRID_LANGUAGES)[number];
const OPTIONAL_LANGUAGES = ["pt", "es", "it", "ar"] as const;

/** Labels in the optional languages: `"pt": "Habitação / mobiliário"`. */
const optionalLabels = {
  pt: z.string().min(1).optional(),
  es: z.string().min(1).optional(),
  it: z.string().min(1).optional(),
  ar: z.string().min(1).optional(),
};

/** false when the label is a stand-in: the entry exists but its name was not recovered. */
const named = z.boolean().optional();

/**
 * Everyday words that should find an entry in the grid search, per language (`"fr": ["loyer",
 * "médecin"]`): synonyms and examples its label does not contain. Part of the grid's data, so a
 * newer grid brings its own.
 */
const keywordsSchema = z
  .partialRecord(z.enum(GRID_LANGUAGES), z.array(z.string().min(1).max(60)).max(200))
  .optional();

const componentSchema = z
  .object({
    code: z.string().regex(/^[A-Z]\d{2}$/, "a component code is a dimension letter and two digits"),
    en: z.string().min(1),
    fr: z.string().min(1),
    ...optionalLabels,
    status: entryStatus,
    description_en: z.string().nullish(),
    keywords: keywordsSchema,
    named,
  })
  .loose();

const dimensionSchema = z
  .object({
    code: z.string().regex(/^[A-Z]$/, "a dimension code is one capital letter"),
    en: z.string().min(1),
    fr: z.string().min(1),
    ...optionalLabels,
    status: entryStatus,
    keywords: keywordsSchema,
    named,
    components: z.array(componentSchema).min(1),
  })
  .loose();

const componentCode = z
  .string()
  .regex(/^[A-Z]\d{2}$/, "a component code is a dimension letter and two digits");

/**
 * How one component of the earlier version carries over (docs/protocol.md, "Grid documents"):
 * renamed (same meaning, new code), split (its counts now spread over several codes), merged
 * (several codes now counted as one). A code the mapping does not name keeps its meaning and code.
 */
export const mappingChangeSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("renamed"), from: componentCode, to: componentCode }),
  z.strictObject({
    kind: z.literal("split"),
    from: componentCode,
    to: z.array(componentCode).min(2, "a split names at least two codes"),
  }),
  z.strictObject({
    kind: z.literal("merged"),
    from: z.array(componentCode).min(2, "a merge names at least two codes"),
    to: componentCode,
  }),
]);

/** The mapping from the version this one replaces. */
export const gridMappingSchema = z.strictObject({
  from: z.strictObject({ id: z.string().min(1), version: z.string().min(1) }),
  changes: z.array(mappingChangeSchema),
});

const labelledCode = z
  .object({
    code: z.string().min(1),
    en: z.string(),
    fr: z.string(),
    status: entryStatus.optional(),
    description_en: z.string().nullish(),
  })
  .loose();

export const gridFileSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    version: z.string().min(1),
    title: z.object({ en: z.string(), fr: z.string(), ...optionalLabels }).loose(),
    mapping: gridMappingSchema.optional(),
    /**
     * Which label translations still wait for review by a native speaker (`"pt": "to-review"`);
     * a language not listed is reviewed.
     */
    translation_status: z
      .partialRecord(z.enum(GRID_LANGUAGES), z.enum(["to-review", "reviewed"]))
      .optional(),
    dimensions: z.array(dimensionSchema).min(1),
    sense_categories: z.array(labelledCode).min(1),
    beneficiaries: z.array(labelledCode).min(1),
    questions: z
      .array(
        z
          .object({
            code: z.enum(["Q1", "Q2", "Q3", "Q4"]),
            en: z.string(),
            fr: z.string(),
            side: z.enum(["well-being", "ill-being", "action"]),
          })
          .loose(),
      )
      .min(3),
  })
  .loose()
  .superRefine((grid, ctx) => {
    const seen = new Set<string>();
    for (const [di, dimension] of grid.dimensions.entries()) {
      if (seen.has(dimension.code)) {
        ctx.addIssue({
          code: "custom",
          path: ["dimensions", di, "code"],
          message: `duplicate code ${dimension.code}`,
        });
      }
      seen.add(dimension.code);
      for (const [ci, component] of dimension.components.entries()) {
        if (!component.code.startsWith(dimension.code)) {
          ctx.addIssue({
            code: "custom",
            path: ["dimensions", di, "components", ci, "code"],
            message: `component ${component.code} does not belong to dimension ${dimension.code}`,
          });
        }
        if (seen.has(component.code)) {
          ctx.addIssue({
            code: "custom",
            path: ["dimensions", di, "components", ci, "code"],
            message: `duplicate code ${component.code}`,
          });
        }
        seen.add(component.code);
      }
      if (!dimension.components.some((c) => c.code === `${dimension.code}00`)) {
        ctx.addIssue({
          code: "custom",
          path: ["dimensions", di, "components"],
          message: `dimension ${dimension.code} needs its "in general" component ${dimension.code}00`,
        });
      }
    }
    for (const [i, change] of (grid.mapping?.changes ?? []).entries()) {
      const targets = typeof change.to === "string" ? [change.to] : change.to;
      const sources = typeof change.from === "string" ? [change.from] : change.from;
      for (const code of targets) {
        if (!seen.has(code)) {
          ctx.addIssue({
            code: "custom",
            path: ["mapping", "changes", i, "to"],
            message: `the mapping sends counts to ${code}, which this grid does not have`,
          });
        }
      }
      for (const code of [...sources, ...targets]) {
        const dimension = sources[0]?.charAt(0);
        if (code.charAt(0) !== dimension) {
          ctx.addIssue({
            code: "custom",
            path: ["mapping", "changes", i],
            message: `the mapping moves counts from dimension ${dimension} to ${code.charAt(0)}: a change stays within its dimension, the level every version shares`,
          });
          break;
        }
      }
    }
  });

export type GridFile = z.infer<typeof gridFileSchema>;
export type GridMapping = z.infer<typeof gridMappingSchema>;
export type MappingChange = z.infer<typeof mappingChangeSchema>;
export type EntryStatus = z.infer<typeof entryStatus>;

export interface GridEntry {
  code: string;
  kind: "dimension" | "component";
  dimension: string;
  /** The label in every language; a language the grid does not give shows the English one. */
  label: Record<Language, string>;
  /** The grid's everyday words for this entry, per language (possibly none). */
  keywords: Partial<Record<Language, readonly string[]>>;
  status: EntryStatus;
  provisional: boolean;
  /**
   * false when the grid has the entry but not its name (the label is a stand-in): interfaces
   * show "not named in this grid version" instead of the stand-in.
   */
  named: boolean;
  description?: string;
}

/**
 * Whether a label is a real name: the file says `named: false`, or the label says its name was
 * not recovered (how the 2026 partial grids mark the ninth dimension).
 */
const isNamed = (entry: { en: string; named?: boolean | undefined }) =>
  entry.named !== false && !/name not recovered/i.test(entry.en);

export class GridError extends Error {
  override name = "GridError";
}

/** A validated grid with lookups by code. Grids are data: nothing else hard-codes their content. */
export interface Grid {
  readonly id: string;
  readonly version: string;
  readonly file: GridFile;
  readonly dimensions: readonly GridEntry[];
  readonly components: readonly GridEntry[];
  entry(code: string): GridEntry | undefined;
  componentsOf(dimension: string): readonly GridEntry[];
  label(code: string, language: Language): string;
  hasSense(letter: string): boolean;
  hasBeneficiary(letter: string): boolean;
}

/** An entry's labels in every language, English standing in for the ones the grid lacks. */
function labels(entry: { en: string; fr: string } & Partial<Record<Language, string>>) {
  const all = { en: entry.en, fr: entry.fr } as Record<Language, string>;
  for (const lang of OPTIONAL_LANGUAGES) all[lang] = entry[lang] ?? entry.en;
  return all;
}

/** Parses a grid file; throws GridError listing every structural problem. */
export function loadGrid(data: unknown): Grid {
  const parsed = gridFileSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
      .join("; ");
    throw new GridError(`invalid grid file: ${problems}`);
  }
  const file = parsed.data;
  const entries = new Map<string, GridEntry>();
  const dimensions: GridEntry[] = [];
  const components: GridEntry[] = [];
  const byDimension = new Map<string, GridEntry[]>();
  for (const d of file.dimensions) {
    const dimension: GridEntry = {
      code: d.code,
      kind: "dimension",
      dimension: d.code,
      label: labels(d),
      keywords: d.keywords ?? {},
      status: d.status,
      provisional: d.status === "provisional",
      named: isNamed(d),
    };
    entries.set(d.code, dimension);
    dimensions.push(dimension);
    const own: GridEntry[] = [];
    for (const c of d.components) {
      const component: GridEntry = {
        code: c.code,
        kind: "component",
        dimension: d.code,
        label: labels(c),
        keywords: c.keywords ?? {},
        status: c.status,
        provisional: c.status === "provisional",
        named: isNamed(c),
        ...(c.description_en ? { description: c.description_en } : {}),
      };
      entries.set(c.code, component);
      components.push(component);
      own.push(component);
    }
    byDimension.set(d.code, own);
  }
  const senses = new Set(file.sense_categories.map((s) => s.code));
  const beneficiaries = new Set(file.beneficiaries.map((b) => b.code));
  return {
    id: file.id,
    version: file.version,
    file,
    dimensions,
    components,
    entry: (code) => entries.get(code),
    componentsOf: (dimension) => byDimension.get(dimension) ?? [],
    label(code, language) {
      const entry = entries.get(code);
      if (!entry) throw new GridError(`unknown grid code ${code} in ${file.id} ${file.version}`);
      return entry.label[language];
    },
    hasSense: (letter) => senses.has(letter),
    hasBeneficiary: (letter) => beneficiaries.has(letter),
  };
}
