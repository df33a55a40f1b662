import { createRoute } from "@hono/zod-openapi";
import { type GridEntry, groupCategoryCode } from "@spiral-network/protocol";
import { z } from "zod";
import type { Application } from "../../app/index";
import { principalOf, type Router } from "../env";
import { adminOnly, errors, jsonBody, jsonResponse } from "../openapi-helpers";
import { categoryViewSchema } from "../schemas";

/** Labels in every language the grid is read in (English where the grid gives none). */
const labelsSchema = z.record(z.string(), z.string());
/** The grid's everyday words per language, for search (docs/protocol.md, "Grid search"). */
const keywordsSchema = z.record(z.string(), z.array(z.string()));

const keywordsOf = (entry: GridEntry): Record<string, string[]> =>
  Object.fromEntries(
    Object.entries(entry.keywords).map(([lang, words]) => [lang, [...(words ?? [])]]),
  );

/** A dimension or component of the grid. */
const gridEntrySchema = z.object({
  code: z.string(),
  en: z.string(),
  fr: z.string(),
  labels: labelsSchema,
  keywords: keywordsSchema,
  provisional: z.boolean(),
  /** false: this grid version has no name for it (en/fr are stand-ins). */
  named: z.boolean(),
});

const gridEntryView = (entry: GridEntry) => ({
  code: entry.code,
  en: entry.label.en,
  fr: entry.label.fr,
  labels: entry.label,
  keywords: keywordsOf(entry),
  provisional: entry.provisional,
  named: entry.named,
});

const gridSummarySchema = z.object({
  id: z.string(),
  version: z.string(),
  dimensions: z.array(gridEntrySchema.extend({ components: z.array(gridEntrySchema) })),
});

const categoryView = (c: ReturnType<Application["categories"]["list"]>[number]) => ({
  code: c.code,
  en: c.labelEn,
  fr: c.labelFr,
  builtin: c.builtin,
});

export function registerMetaRoutes(router: Router, app: Application): void {
  router.openapi(
    createRoute({
      method: "get",
      path: "/grid",
      summary: "The SPIRAL grid this node classifies with",
      responses: {
        200: jsonResponse(
          gridSummarySchema,
          "Dimensions and components: en/fr labels, labels in every language, search keywords",
        ),
      },
    }),
    (c) => {
      const grid = app.node.grid;
      return c.json(
        {
          id: grid.id,
          version: grid.version,
          dimensions: grid.dimensions.map((d) => ({
            ...gridEntryView(d),
            components: grid.componentsOf(d.code).map(gridEntryView),
          })),
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: "get",
      path: "/categories",
      summary:
        "Group categories: builtin ones, and this node's own once a published synthesis uses them (all of them with an API token)",
      responses: { 200: jsonResponse(z.array(categoryViewSchema), "Categories") },
    }),
    (c) => {
      return c.json(app.categories.list(c.get("principal")).map(categoryView), 200);
    },
  );

  router.openapi(
    createRoute({
      method: "post",
      path: "/categories",
      summary: "Add a group category",
      security: adminOnly,
      request: {
        body: jsonBody(
          z.strictObject({
            code: groupCategoryCode,
            en: z.string().trim().min(1).max(100),
            fr: z.string().trim().min(1).max(100),
          }),
        ),
      },
      responses: {
        201: jsonResponse(categoryViewSchema, "Created"),
        400: errors[400],
        401: errors[401],
        409: errors[409],
      },
    }),
    (c) => c.json(categoryView(app.categories.add(principalOf(c), c.req.valid("json"))), 201),
  );
}
