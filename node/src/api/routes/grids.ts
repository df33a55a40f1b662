import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import type { Application } from "../../app/index";
import { principalOf, type Router } from "../env";
import { adminOnly, errors, jsonBody, jsonResponse } from "../openapi-helpers";
import { slugParams } from "../schemas";

const versionSchema = z.object({
  id: z.string(),
  version: z.string(),
  hash: z.string(),
  state: z.enum(["active", "known", "offered"]),
  source: z.string(),
  createdAt: z.string(),
  adoptedAt: z.string().nullable(),
});

const previewSchema = z.object({
  changes: z.object({
    from: z.object({ id: z.string(), version: z.string() }),
    to: z.object({ id: z.string(), version: z.string() }),
    added: z.array(z.object({ code: z.string() }).loose()),
    relabelled: z.array(z.object({ code: z.string() }).loose()),
    restated: z.array(z.object({ code: z.string(), before: z.string(), after: z.string() })),
    changes: z.array(z.object({ kind: z.string() }).loose()),
    review: z.array(z.string()),
  }),
  mapping: z.object({}).loose(),
  criteriaMoved: z.number(),
  criteriaToReview: z.number(),
  hash: z.string(),
});

/** A grid file: JSON as in protocol/grids/ (checked by the grid service, reasons in the 400). */
const gridFileBody = jsonBody(z.record(z.string(), z.unknown()));

/** Grid versions: list, preview and import (admins), the review queue of a territory. */
export function registerGridRoutes(router: Router, app: Application): void {
  router.openapi(
    createRoute({
      method: "get",
      path: "/grids",
      summary:
        "Grid versions held (in use, known, offered) and versions named by received syntheses that this node does not know",
      responses: {
        200: jsonResponse(
          z.object({
            active: z.object({ id: z.string(), version: z.string() }),
            versions: z.array(versionSchema),
            unknown: z.array(
              z.object({
                id: z.string(),
                version: z.string(),
                offered: z.boolean(),
                territories: z.array(z.object({ origin: z.string(), name: z.string() })),
              }),
            ),
          }),
          "Grid versions",
        ),
      },
    }),
    (c) => {
      const { active, versions, unknown } = app.grids.list(principalOf(c));
      return c.json({ active: { id: active.id, version: active.version }, versions, unknown }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: "post",
      path: "/grids/preview",
      summary: "What importing this grid file would change (nothing is saved)",
      security: adminOnly,
      request: { body: gridFileBody },
      responses: {
        200: jsonResponse(previewSchema, "The preview"),
        400: errors[400],
        401: errors[401],
        403: errors[403],
      },
    }),
    (c) => c.json(app.grids.preview(principalOf(c), c.req.valid("json")) as never, 200),
  );

  router.openapi(
    createRoute({
      method: "post",
      path: "/grids",
      summary:
        "Import a grid file: it becomes the grid in use; criteria keep their codes, split ones are queued for review",
      security: adminOnly,
      request: { body: gridFileBody },
      responses: {
        200: jsonResponse(previewSchema, "Imported: what changed"),
        400: errors[400],
        401: errors[401],
        403: errors[403],
      },
    }),
    (c) => c.json(app.grids.apply(principalOf(c), c.req.valid("json")) as never, 200),
  );

  router.openapi(
    createRoute({
      method: "post",
      path: "/grids/fetch",
      summary:
        "Fetch the grid version a territory actor links (same origin, hash checked) and hold it as offered; nothing is adopted",
      security: adminOnly,
      request: { body: jsonBody(z.strictObject({ actor: z.url() })) },
      responses: {
        200: jsonResponse(versionSchema, "Held (offered, or already known)"),
        400: errors[400],
        401: errors[401],
        403: errors[403],
        409: errors[409],
      },
    }),
    async (c) => c.json(await app.grids.fetchFrom(principalOf(c), c.req.valid("json").actor), 200),
  );

  const versionParams = z.object({ id: z.string().min(1), version: z.string().min(1) });
  router.openapi(
    createRoute({
      method: "post",
      path: "/grids/{id}/{version}/accept",
      summary:
        "Accept an offered grid version as known: figures count syntheses coded with it through its mapping (the grid in use does not change)",
      security: adminOnly,
      request: { params: versionParams },
      responses: {
        200: jsonResponse(versionSchema, "Known"),
        401: errors[401],
        403: errors[403],
        404: errors[404],
      },
    }),
    (c) => {
      const { id, version } = c.req.valid("param");
      return c.json(app.grids.accept(principalOf(c), id, version), 200);
    },
  );

  router.openapi(
    createRoute({
      method: "get",
      path: "/territories/{slug}/grid-reviews",
      summary: "Criteria a grid import queued for review (their component was split)",
      request: { params: slugParams },
      responses: {
        200: jsonResponse(
          z.array(
            z.object({
              criterionId: z.number(),
              code: z.string(),
              fromVersion: z.string(),
              toVersion: z.string(),
              choices: z.array(z.string()),
              text: z.string(),
              question: z.string(),
            }),
          ),
          "The review queue",
        ),
        404: errors[404],
      },
    }),
    (c) => c.json(app.grids.reviews(principalOf(c), c.req.valid("param").slug), 200),
  );
}
