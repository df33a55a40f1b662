import { createRoute } from "@hono/zod-openapi";
import { questionSchema } from "@spiral-network/protocol";
import { z } from "zod";
import type { Application } from "../../app/index";
import { aggregateQuerySchema } from "../../figures";
import type { AggregateResult } from "../../services/aggregates";
import type { Router } from "../env";
import { errors, jsonResponse } from "../openapi-helpers";
import { coverageExcludedSchema, coverageIncludedSchema } from "../schemas";

const cells = z.partialRecord(questionSchema, z.record(z.string(), z.number()));
const aggregateSchema = z.object({
  scope: z.enum(["verified", "endorsed"]),
  robust: z.boolean(),
  filter: z.record(z.string(), z.unknown()),
  counts: cells,
  dimensions: cells,
  totals: z.object({
    criteria: z.number(),
    byQuestion: z.partialRecord(questionSchema, z.number()),
  }),
  participants: z.number(),
  groups: z.number(),
  territories: z.number(),
  coverage: z.object({
    included: z.array(
      coverageIncludedSchema.extend({
        /** Over several grid versions: the level its counts entered at. */
        level: z.enum(["component", "grouped", "dimension"]).optional(),
      }),
    ),
    excluded: z.array(
      coverageExcludedSchema(
        z.enum(["conflicted", "implausible", "untrusted", "other-grid-version", "overlapping"]),
      ),
    ),
  }),
  coverageCounts: z.object({
    included: z.number(),
    excluded: z.record(z.string(), z.number()),
  }),
  /** Where the coverage lists' window starts and how long it may be (coverage_offset/limit). */
  coveragePage: z.object({ offset: z.number(), limit: z.number() }),
  flagged: z.array(z.string()),
  fingerprint: z.string(),
  /** When syntheses of several grid versions count: the level they share (docs/protocol.md §10). */
  gridLevels: z
    .object({
      level: z.enum(["component", "grouped", "dimension"]),
      versions: z.array(z.string()),
      levelOf: z.record(z.string(), z.enum(["component", "grouped", "dimension"])),
      groups: z.record(z.string(), z.record(z.string(), z.array(z.string()))),
    })
    .optional(),
});

const csvField = (value: string | number) => {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** One row per question × component, with labels, for spreadsheets. */
function toCsv(result: AggregateResult, label: (code: string, language: "en" | "fr") => string) {
  const rows = [["question", "dimension", "component", "label_en", "label_fr", "criteria"]];
  for (const [question, byComponent] of Object.entries(result.counts)) {
    for (const [component, count] of Object.entries(byComponent ?? {})) {
      rows.push([
        question,
        component.charAt(0),
        component,
        label(component, "en"),
        label(component, "fr"),
        String(count),
      ]);
    }
  }
  return `${rows.map((r) => r.map(csvField).join(",")).join("\r\n")}\r\n`;
}

export function registerAggregateRoutes(router: Router, app: Application): void {
  router.openapi(
    createRoute({
      method: "get",
      path: "/aggregates",
      summary:
        "Network figures from every synthesis this node holds, with coverage and fingerprint",
      description:
        "Filters (comma-separated lists): country, region, category, from/to (periods within), question; " +
        "territory (one territory's actor URL: its syntheses only, e.g. to set it against its country); " +
        "subnetwork (a sub-network's actor URL: the syntheses it relayed from its members). " +
        "scope=verified (every synthesis whose origin proof verified, the default) or endorsed (origins a " +
        "local territory follows, or relayed by one). robust=true leaves out syntheses flagged as " +
        "implausible. format=csv gives one row per question × component; the scope, fingerprint and " +
        "number of territories are then in the X-Spiral-* headers (over several grid versions, " +
        "X-Spiral-Grid-Level gives the shared level and the versions). The JSON answer's coverage lists " +
        "are a window (coverage_offset, default 0; coverage_limit, default 100, at most 1000) of the " +
        "included and the excluded versions, each sorted by origin then period; coverageCounts gives " +
        "their whole sizes (excluded by reason).",
      request: { query: aggregateQuerySchema },
      responses: { 200: jsonResponse(aggregateSchema, "The figure"), 400: errors[400] },
    }),
    (c) => {
      const { format, coverage_offset, coverage_limit, ...params } = c.req.valid("query");
      const page = { offset: coverage_offset, limit: coverage_limit };
      const result = app.figures.compute(params, page);
      if (format === "csv") {
        const { grid } = app.node;
        // Over several grid versions a key may group codes (A01+A12): each code's label.
        const label = (code: string, language: "en" | "fr") =>
          code
            .split("+")
            .map((part) => grid.entry(part)?.label[language] ?? part)
            .join(" + ");
        return c.body(toCsv(result, label), 200, {
          "Content-Type": "text/csv; charset=utf-8",
          "Content-Disposition": 'attachment; filename="spiral-aggregate.csv"',
          "X-Spiral-Scope": `${result.scope}${result.robust ? "; robust" : ""}`,
          "X-Spiral-Fingerprint": result.fingerprint,
          "X-Spiral-Territories": String(result.territories),
          ...(result.gridLevels
            ? {
                "X-Spiral-Grid-Level": `${result.gridLevels.level}; ${result.gridLevels.versions.join(", ")}`,
              }
            : {}),
        }) as never;
      }
      // The sub-network's entries are named by its URL in the answer, not listed.
      const { entries: _entries, ...filter } = result.filter;
      const { subnetwork } = params;
      return c.json(
        {
          ...result,
          filter: { ...filter, ...(subnetwork ? { subnetwork } : {}) },
          coveragePage: page,
        },
        200,
      );
    },
  );
}
