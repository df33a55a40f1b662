import {
  countryCode,
  GRID_LANGUAGES,
  groupCategoryLabel,
  isoDate,
  type Language,
  POOLED_CATEGORY,
  questionSchema,
} from "@spiral-network/protocol";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { commaSeparated } from "./api/schemas";
import { aggregateEntries } from "./db/schema";
import type { AggregateResult, CoveragePage } from "./services/aggregates";
import type { Services } from "./services/index";
import { subnetworkView } from "./services/subnetworks";

/**
 * Network figures for the HTML pages (public /figures and the workspace's explorer). They read
 * the same query parameters as GET /api/v1/aggregates, parsed by the same schema, and ask the same
 * service the same way — so a page and the API show the same figure and fingerprint, and a page's
 * download links are the API's URL with the page's parameters.
 */

/** The query parameters of a figure (GET /api/v1/aggregates and the pages' filter forms). */
export const aggregateQuerySchema = z
  .object({
    country: commaSeparated(countryCode),
    region: commaSeparated(z.string().min(1).max(100)),
    category: commaSeparated(z.string().regex(/^[a-z0-9-]{1,64}$/)),
    from: isoDate.optional(),
    to: isoDate.optional(),
    question: questionSchema.optional(),
    /** A territory's actor URL: only its syntheses (one territory against its country, say). */
    territory: z.url().max(500).optional(),
    /** A sub-network's actor URL: only the syntheses it relayed from its members. */
    subnetwork: z.url().max(500).optional(),
    scope: z.enum(["verified", "endorsed"]).default("verified"),
    robust: z
      .enum(["true", "false"])
      .default("false")
      .transform((v) => v === "true"),
    format: z.enum(["json", "csv"]).default("json"),
    /** The window of the coverage lists in a JSON answer (their counts are always whole). */
    coverage_offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
    coverage_limit: z.coerce.number().int().min(0).max(1_000).default(100),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: "from is after to", path: ["to"] });

export type FigureParams = z.infer<typeof aggregateQuerySchema>;

/** The parameters a figure form sends (the API's names). */
export const FIGURE_FIELDS = [
  "country",
  "region",
  "category",
  "from",
  "to",
  "question",
  "territory",
  "subnetwork",
  "scope",
  "robust",
] as const;
export type FigureField = (typeof FIGURE_FIELDS)[number];
/** What a form shows back: each field's raw text ("" when absent). */
export type FigureForm = Record<FigureField, string>;

export type ParsedFigure =
  | { ok: true; form: FigureForm; params: FigureParams }
  | { ok: false; form: FigureForm; problems: Array<{ field: string; message: string }> };

/**
 * Reads one filter set from a query string. `prefix` tells two sets on one page apart ("b_" for
 * the comparison). Empty fields mean "no filter", as an empty select sends them.
 */
export function parseFigureQuery(
  query: Record<string, string | undefined>,
  prefix = "",
): ParsedFigure {
  const form = Object.fromEntries(
    FIGURE_FIELDS.map((field) => [field, (query[`${prefix}${field}`] ?? "").trim()]),
  ) as FigureForm;
  // A checkbox sends "on" (or "true"); the API spells it "true".
  const robust = form.robust === "on" || form.robust === "true" ? "true" : "false";
  const present = Object.fromEntries(
    Object.entries({ ...form, robust }).filter(([, value]) => value !== ""),
  );
  const parsed = aggregateQuerySchema.safeParse(present);
  if (parsed.success) return { ok: true, form, params: parsed.data };
  return {
    ok: false,
    form,
    problems: parsed.error.issues.map((issue) => ({
      field: String(issue.path[0] ?? ""),
      message: issue.message,
    })),
  };
}

/** Whether any field of a filter set was sent (a comparison is shown only when asked for). */
export const hasFigureQuery = (query: Record<string, string | undefined>, prefix: string) =>
  FIGURE_FIELDS.some((field) => (query[`${prefix}${field}`] ?? "") !== "");

/** The figure for parsed parameters: GET /api/v1/aggregates and the pages all ask here. */
export function computeFigure(
  services: Services,
  params: Omit<FigureParams, "format" | "coverage_offset" | "coverage_limit">,
  page?: CoveragePage,
): AggregateResult {
  const { country, region, category, from, to, question, territory, subnetwork, scope, robust } =
    params;
  return services.aggregates.query(
    {
      scope,
      robust,
      ...(country ? { countries: country } : {}),
      ...(region ? { regions: region } : {}),
      ...(territory ? { origins: [territory] } : {}),
      ...(category ? { categories: category } : {}),
      ...(from ? { periodFrom: from } : {}),
      ...(to ? { periodTo: to } : {}),
      ...(question ? { question } : {}),
      ...(subnetwork ? { entries: services.subnetworks.relayedEntries(subnetwork) } : {}),
    },
    // Only the endorsed scope needs to know who is endorsed.
    scope === "endorsed" ? endorsement(services) : () => true,
    page,
  );
}

/**
 * The "endorsed" trust scope: this node's own territories, the territories they follow (accepted),
 * and syntheses relayed to this node by one of those.
 */
export function endorsement(services: Services): (origin: string) => boolean {
  return services.aggregates.endorsement();
}

/** The API's URL for this figure, as JSON or CSV (public reads). */
export function figureApiUrl(params: FigureParams, format: "json" | "csv"): string {
  const query = new URLSearchParams();
  // Absent filters (and robust=false, the default) are left out; lists go comma-separated.
  for (const field of FIGURE_FIELDS) {
    const value = params[field];
    if (value === undefined || value === false) continue;
    query.set(field, Array.isArray(value) ? value.join(",") : String(value));
  }
  if (format === "csv") query.set("format", "csv");
  return `/api/v1/aggregates?${query.toString()}`;
}

/**
 * The choices a filter form offers: the countries, regions and territories of the syntheses the
 * node holds, the group categories it knows (those of other nodes can be typed into the API's
 * query), and the sub-networks it knows (those it hosts and those its territories follow).
 * `audience` "public" (the public page) offers only the categories anyone may see.
 */
export function figureChoices(services: Services, audience: "public" | "workspace") {
  const countries = new Set<string>();
  const regions = new Map<string, string>();
  const categories = new Map<string, Record<Language, string>>();
  const known =
    audience === "public" ? services.categories.publicList() : services.categories.list();
  for (const row of known) {
    categories.set(
      row.code,
      Object.fromEntries(
        GRID_LANGUAGES.map((lang) => [lang, groupCategoryLabel(row, lang)]),
      ) as Record<Language, string>,
    );
  }
  // Only the places, not the payloads: this runs on every page view.
  const places = services.ctx.db
    .selectDistinct({
      origin: aggregateEntries.origin,
      name: aggregateEntries.name,
      country: aggregateEntries.country,
      region: aggregateEntries.region,
    })
    .from(aggregateEntries)
    .where(eq(aggregateEntries.withdrawn, false))
    .all();
  const territories = new Map<string, { name: string; country: string }>();
  for (const place of places) {
    countries.add(place.country);
    if (place.region) regions.set(place.region, place.country);
    territories.set(place.origin, { name: place.name, country: place.country });
  }
  // The pooled rest of every synthesis (groups under the disclosure threshold).
  categories.set(POOLED_CATEGORY, {
    en: "Other groups (pooled)",
    fr: "Autres groupes (regroupés)",
    pt: "Outros grupos (agrupados)",
    es: "Otros grupos (agrupados)",
    it: "Altri gruppi (accorpati)",
    ar: "مجموعات أخرى (مجمّعة)",
  });
  const subnetworks = new Map<string, string>();
  for (const row of services.subnetworks.list()) {
    subnetworks.set(subnetworkView(row, services.ctx.publicUrl).actorId, row.name);
  }
  for (const follow of services.follows.acceptedFollowing()) {
    if (follow.targetType === "Group" && !subnetworks.has(follow.target)) {
      subnetworks.set(follow.target, follow.targetName ?? follow.targetHandle ?? follow.target);
    }
  }
  return {
    countries: [...countries].sort(),
    subnetworks: [...subnetworks]
      .map(([url, name]) => ({ url, name }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    territories: [...territories]
      .map(([url, { name, country }]) => ({ url, name, country }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.url.localeCompare(b.url)),
    regions: [...regions]
      .map(([region, country]) => ({ region, country }))
      .sort((a, b) => a.region.localeCompare(b.region)),
    categories: [...categories].map(([code, label]) => ({ code, label })),
  };
}
export type FigureChoices = ReturnType<typeof figureChoices>;
