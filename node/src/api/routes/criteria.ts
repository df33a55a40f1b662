import { createRoute } from "@hono/zod-openapi";
import { criterionSchema } from "@spiral-network/protocol";
import { z } from "zod";
import type { Application } from "../../app/index";
import { csvDownload } from "../../csv-export";
import {
  classificationSchema,
  criterionUpdateSchema,
  criterionView,
} from "../../services/criteria";
import { InvalidInputError } from "../../services/errors";
import { principalOf, type Router } from "../env";
import { adminOnly, errors, jsonBody, jsonResponse, noContentRoute } from "../openapi-helpers";
import { validationHook } from "../problem";
import {
  criteriaQuerySchema,
  criterionParams,
  criterionViewSchema,
  groupParams,
  slugParams,
} from "../schemas";

const MAX_BULK = 5000;

const bulkCriteriaSchema = z.strictObject({
  items: z.array(criterionSchema).min(1).max(MAX_BULK),
});
const isBulk = (body: unknown) => typeof body === "object" && body !== null && "items" in body;

/**
 * The body is one criterion or {items: [...]}. When it is invalid, report the issues of the form
 * it has ("items.3.text: the criterion text is empty") rather than the union's bare "Invalid input".
 */
const addCriteriaHook = (
  result:
    | { success: true }
    | { success: false; error: z.ZodError; target?: string; data?: unknown },
  c: Parameters<typeof validationHook>[1],
) => {
  if (!result.success && result.target === "json") {
    const form = isBulk(result.data) ? bulkCriteriaSchema : criterionSchema;
    const parsed = form.safeParse(result.data);
    if (!parsed.success) return validationHook({ ...result, error: parsed.error }, c);
  }
  return validationHook(result, c);
};

/** The service names issues by item index ("3.code"); name them as the body does. */
function renameIssues(error: unknown, bulk: boolean): unknown {
  if (!(error instanceof InvalidInputError)) return error;
  const rename = (path: string) => (bulk ? `items.${path}` : path.replace(/^0\./, ""));
  return new InvalidInputError(
    error.message,
    error.issues.map((issue) => ({ ...issue, path: rename(issue.path) })),
  );
}

export function registerCriteriaRoutes(router: Router, app: Application): void {
  router.openapi(
    createRoute({
      method: "get",
      path: "/territories/{slug}/criteria",
      summary: "Criteria, filtered (e.g. ?status=unclassified is the classification queue)",
      security: adminOnly,
      request: { params: slugParams, query: criteriaQuerySchema },
      responses: {
        200: jsonResponse(
          z.object({ total: z.number(), items: z.array(criterionViewSchema) }),
          "A page of criteria",
        ),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    (c) =>
      c.json(
        app.criteria.list(principalOf(c), c.req.valid("param").slug, c.req.valid("query")),
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: "get",
      path: "/territories/{slug}/criteria/export",
      summary:
        "Every criterion of the territory as CSV (group, question, text, code, language, status), for admins; cells a spreadsheet would run as formulas start with an apostrophe",
      security: adminOnly,
      request: { params: slugParams },
      responses: {
        200: { content: { "text/csv": { schema: z.string() } }, description: "The CSV file" },
        401: errors[401],
        403: errors[403],
        404: errors[404],
      },
    }),
    (c) => {
      const { slug } = c.req.valid("param");
      return c.body(
        app.criteria.exportCsv(principalOf(c), slug),
        200,
        csvDownload(`${slug}-criteria.csv`),
      ) as never;
    },
  );

  router.openapi(
    createRoute({
      method: "post",
      path: "/territories/{slug}/groups/{groupId}/criteria",
      summary: "Add criteria to a group (one object, or {items: [...]}), all or nothing",
      security: adminOnly,
      request: {
        params: groupParams,
        body: jsonBody(z.union([criterionSchema, bulkCriteriaSchema])),
      },
      responses: {
        201: jsonResponse(z.object({ items: z.array(criterionViewSchema) }), "Created"),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    (c) => {
      const { slug, groupId } = c.req.valid("param");
      const body = c.req.valid("json");
      const items = "items" in body ? body.items : [body];
      try {
        const rows = app.criteria.add(principalOf(c), slug, groupId, items);
        return c.json({ items: rows.map(criterionView) }, 201);
      } catch (error) {
        throw renameIssues(error, "items" in body);
      }
    },
    addCriteriaHook,
  );

  router.openapi(
    createRoute({
      method: "patch",
      path: "/territories/{slug}/criteria/{criterionId}",
      summary: "Edit a criterion's text, question or language",
      security: adminOnly,
      request: { params: criterionParams, body: jsonBody(criterionUpdateSchema) },
      responses: {
        200: jsonResponse(criterionViewSchema, "Updated"),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    (c) => {
      const { slug, criterionId } = c.req.valid("param");
      const row = app.criteria.update(principalOf(c), slug, criterionId, c.req.valid("json"));
      return c.json(criterionView(row), 200);
    },
  );

  noContentRoute(
    router,
    {
      method: "delete",
      path: "/territories/{slug}/criteria/{criterionId}",
      summary: "Delete a criterion",
      params: criterionParams,
      done: "Deleted",
    },
    (actor, { slug, criterionId }) => app.criteria.delete(actor, slug, criterionId),
  );

  router.openapi(
    createRoute({
      method: "put",
      path: "/territories/{slug}/criteria/{criterionId}/classification",
      summary: "Set a SPIRAL code (proposed or validated), or clear it with code: null",
      security: adminOnly,
      request: { params: criterionParams, body: jsonBody(classificationSchema) },
      responses: {
        200: jsonResponse(criterionViewSchema, "Classified"),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    (c) => {
      const { slug, criterionId } = c.req.valid("param");
      const row = app.criteria.classify(principalOf(c), slug, criterionId, c.req.valid("json"));
      return c.json(criterionView(row), 200);
    },
  );

  router.openapi(
    createRoute({
      method: "post",
      path: "/territories/{slug}/criteria/validation",
      summary: "Validate proposed classifications",
      security: adminOnly,
      request: {
        params: slugParams,
        body: jsonBody(
          z.strictObject({ ids: z.array(z.number().int().positive()).min(1).max(MAX_BULK) }),
        ),
      },
      responses: {
        200: jsonResponse(z.object({ validated: z.number() }), "How many were validated"),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    (c) => {
      const { slug } = c.req.valid("param");
      const validated = app.criteria.validate(principalOf(c), slug, c.req.valid("json").ids);
      return c.json({ validated }, 200);
    },
  );
}
