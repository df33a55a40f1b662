import { createRoute } from "@hono/zod-openapi";
import { territoryProfileSchema } from "@spiral-network/protocol";
import { z } from "zod";
import type { Application } from "../../app/index";
import { territoryUpdateSchema, territoryView } from "../../services/territories";
import { principalOf, type Router } from "../env";
import { adminOnly, errors, jsonBody, jsonResponse } from "../openapi-helpers";
import { slugParams, territoryViewSchema } from "../schemas";

export function registerTerritoryRoutes(router: Router, app: Application): void {
  const view = (row: Parameters<typeof territoryView>[0]) => territoryView(row, app.node.publicUrl);

  router.openapi(
    createRoute({
      method: "get",
      path: "/territories",
      summary: "Territories hosted by this node",
      responses: { 200: jsonResponse(z.array(territoryViewSchema), "Territories") },
    }),
    (c) => c.json(app.territories.views(), 200),
  );

  router.openapi(
    createRoute({
      method: "post",
      path: "/territories",
      summary: "Create a territory on this node",
      security: adminOnly,
      request: { body: jsonBody(territoryProfileSchema) },
      responses: {
        201: jsonResponse(territoryViewSchema, "Created"),
        400: errors[400],
        401: errors[401],
        409: errors[409],
      },
    }),
    (c) => c.json(view(app.territoryProfiles.create(principalOf(c), c.req.valid("json"))), 201),
  );

  router.openapi(
    createRoute({
      method: "get",
      path: "/territories/{slug}",
      summary: "A territory's public profile",
      request: { params: slugParams },
      responses: { 200: jsonResponse(territoryViewSchema, "Profile"), 404: errors[404] },
    }),
    (c) => c.json(app.territories.view(c.req.valid("param").slug), 200),
  );

  router.openapi(
    createRoute({
      method: "patch",
      path: "/territories/{slug}",
      summary: "Edit a territory's profile",
      security: adminOnly,
      request: { params: slugParams, body: jsonBody(territoryUpdateSchema) },
      responses: {
        200: jsonResponse(territoryViewSchema, "Updated profile"),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    (c) => {
      const { slug } = c.req.valid("param");
      return c.json(
        view(app.territoryProfiles.update(principalOf(c), slug, c.req.valid("json"))),
        200,
      );
    },
  );
}
