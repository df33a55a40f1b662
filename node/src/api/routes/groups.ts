import { createRoute } from "@hono/zod-openapi";
import { homogeneousGroupSchema } from "@spiral-network/protocol";
import { z } from "zod";
import type { Application } from "../../app/index";
import { groupView } from "../../services/groups";
import { principalOf, type Router } from "../env";
import { adminOnly, errors, jsonBody, jsonResponse, noContentRoute } from "../openapi-helpers";
import { groupParams, groupViewSchema, slugParams } from "../schemas";

// Partial updates are checked field by field here and as a whole group by the service.
const groupPatchSchema = z
  .strictObject(homogeneousGroupSchema.shape)
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, "nothing to update");

export function registerGroupRoutes(router: Router, app: Application): void {
  router.openapi(
    createRoute({
      method: "get",
      path: "/territories/{slug}/groups",
      summary: "Homogeneous groups with their number of criteria",
      security: adminOnly,
      request: { params: slugParams },
      responses: {
        200: jsonResponse(z.array(groupViewSchema), "Groups"),
        401: errors[401],
        404: errors[404],
      },
    }),
    (c) => c.json(app.groups.list(principalOf(c), c.req.valid("param").slug), 200),
  );

  router.openapi(
    createRoute({
      method: "post",
      path: "/territories/{slug}/groups",
      summary: "Create a homogeneous group",
      security: adminOnly,
      request: { params: slugParams, body: jsonBody(homogeneousGroupSchema) },
      responses: {
        201: jsonResponse(groupViewSchema, "Created"),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    (c) => {
      const row = app.groups.create(principalOf(c), c.req.valid("param").slug, c.req.valid("json"));
      return c.json(groupView(row), 201);
    },
  );

  router.openapi(
    createRoute({
      method: "get",
      path: "/territories/{slug}/groups/{groupId}",
      summary: "One group",
      security: adminOnly,
      request: { params: groupParams },
      responses: {
        200: jsonResponse(groupViewSchema, "Group"),
        401: errors[401],
        404: errors[404],
      },
    }),
    (c) => {
      const { slug, groupId } = c.req.valid("param");
      return c.json(groupView(app.groups.get(principalOf(c), slug, groupId)), 200);
    },
  );

  router.openapi(
    createRoute({
      method: "patch",
      path: "/territories/{slug}/groups/{groupId}",
      summary: "Edit a group",
      security: adminOnly,
      request: { params: groupParams, body: jsonBody(groupPatchSchema) },
      responses: {
        200: jsonResponse(groupViewSchema, "Updated"),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    (c) => {
      const { slug, groupId } = c.req.valid("param");
      const row = app.groups.update(principalOf(c), slug, groupId, c.req.valid("json"));
      return c.json(groupView(row), 200);
    },
  );

  noContentRoute(
    router,
    {
      method: "delete",
      path: "/territories/{slug}/groups/{groupId}",
      summary: "Delete a group and its criteria",
      params: groupParams,
      done: "Deleted",
    },
    (actor, { slug, groupId }) => app.groups.delete(actor, slug, groupId),
  );
}
