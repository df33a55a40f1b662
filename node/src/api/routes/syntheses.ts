import { createRoute } from "@hono/zod-openapi";
import { synthesisPayloadSchema } from "@spiral-network/protocol";
import { z } from "zod";
import type { Application } from "../../app/index";
import { synthesisVersionView } from "../../services/syntheses";
import { principalOf, type Router } from "../env";
import { adminOnly, errors, jsonBody, jsonResponse } from "../openapi-helpers";
import {
  periodQuerySchema,
  publishBodySchema,
  slugParams,
  synthesisVersionSchema,
  uuidParams,
  withheldSchema,
} from "../schemas";

export function registerSynthesisRoutes(router: Router, app: Application): void {
  router.openapi(
    createRoute({
      method: "get",
      path: "/territories/{slug}/synthesis",
      summary:
        "Preview the synthesis of a period: what would leave the node, what is held back and why",
      security: adminOnly,
      request: { params: slugParams, query: periodQuerySchema },
      responses: {
        200: jsonResponse(
          z.object({
            periodKey: z.string(),
            groupsInPeriod: z.number(),
            groupsCounted: z.number(),
            previousVersion: synthesisVersionSchema.nullable(),
            publishable: z.boolean(),
            blockers: z.array(z.string()),
            withheld: z.array(withheldSchema),
            payload: synthesisPayloadSchema.nullable(),
          }),
          "The draft",
        ),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    (c) => {
      const { period, correction } = c.req.valid("query");
      const slug = c.req.valid("param").slug;
      return c.json(app.syntheses.preview(principalOf(c), slug, period, correction), 200);
    },
  );

  router.openapi(
    createRoute({
      method: "post",
      path: "/territories/{slug}/syntheses",
      summary: "Publish a new version of a period's synthesis",
      description:
        "Refused with 409 and the reasons when a disclosure rule forbids it (docs/protocol.md §4): " +
        "fewer than k participants, or — comparing it with every version this territory ever " +
        "published, any period, withdrawn ones included — a difference that would single out fewer " +
        "than k participants (categories are folded into `other` first where that helps). " +
        "`correction: true` marks a version that only changes classifications: the same groups " +
        "with the same participants, category and margins as the version it corrects.",
      security: adminOnly,
      request: { params: slugParams, body: jsonBody(publishBodySchema) },
      responses: {
        201: jsonResponse(
          synthesisVersionSchema.extend({ payload: synthesisPayloadSchema }),
          "Published",
        ),
        400: errors[400],
        401: errors[401],
        404: errors[404],
        409: errors[409],
      },
    }),
    (c) => {
      const { period, correction, subnetworks } = c.req.valid("json");
      const row = app.syntheses.publish(
        principalOf(c),
        c.req.valid("param").slug,
        period,
        correction,
        subnetworks ? { subnetworks } : {},
      );
      return c.json({ ...synthesisVersionView(row), payload: JSON.parse(row.payload) }, 201);
    },
  );

  router.openapi(
    createRoute({
      method: "get",
      path: "/territories/{slug}/syntheses",
      summary: "Published synthesis versions, newest first (withdrawn ones are no longer listed)",
      request: { params: slugParams },
      responses: {
        200: jsonResponse(z.array(synthesisVersionSchema), "Versions"),
        404: errors[404],
      },
    }),
    (c) =>
      c.json(app.syntheses.publicList(c.req.valid("param").slug).map(synthesisVersionView), 200),
  );

  router.openapi(
    createRoute({
      method: "get",
      path: "/territories/{slug}/syntheses/{id}",
      summary: "One published version with its payload (spiral/synthesis@1)",
      request: { params: uuidParams },
      responses: {
        200: jsonResponse(
          synthesisVersionSchema.extend({ payload: synthesisPayloadSchema }),
          "Version",
        ),
        400: errors[400],
        404: errors[404],
        410: errors[410],
      },
    }),
    (c) => {
      const { slug, id } = c.req.valid("param");
      const { row, payload } = app.syntheses.publicGet(slug, id);
      return c.json({ ...synthesisVersionView(row), payload }, 200);
    },
  );
}
