import { createRoute } from "@hono/zod-openapi";
import { homogeneousGroupSchema } from "@spiral-network/protocol";
import { z } from "zod";
import type { Application } from "../../app/index";
import { groupView } from "../../services/groups";
import { principalOf, type Router } from "../env";
import {
  adminOnly,
  errors,
  jsonBody,
  jsonResponse,
  noContentRoute,
  tokenReadRoute,
} from "../openapi-helpers";
import { groupParams, groupViewSchema, slugParams } from "../schemas";

// Partial updates are checked field by field here and as a whole group by the service.
const groupPatchSchema = z
  .strictObject(homogeneousGroupSchema.shape)
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, "nothing to update");

export function registerGroupRoutes(router: Router, app: Application): void {
  tokenReadRoute(
    router,
    {
      path: "/territories/{slug}/groups",
      summary: "Homogeneous groups with their number of criteria",
      params: slugParams,
      schema: z.array(groupViewSchema),
      description: "Groups",
    },
    (actor, params) => app.groups.list(actor, params.slug),
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

  tokenReadRoute(
    router,
    {
      path: "/territories/{slug}/groups/{groupId}",
      summary: "One group",
      params: groupParams,
      schema: groupViewSchema,
      description: "Group",
    },
    (actor, { slug, groupId }) => groupView(app.groups.get(actor, slug, groupId)),
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
