import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import type { Application } from "../../app/index";
import {
  memberView,
  subnetworkInputSchema,
  subnetworkItemView,
  subnetworkPatchSchema,
  subnetworkView,
} from "../../services/subnetworks";
import { principalOf, type Router } from "../env";
import {
  adminOnly,
  errors,
  jsonBody,
  jsonResponse,
  noContentRoute,
  tokenReadRoute,
} from "../openapi-helpers";
import { followingViewSchema, followTargetBodySchema, idParams, slugParams } from "../schemas";

const themeSchema = z.object({
  dimensions: z.array(z.string()),
  components: z.array(z.string()),
  categories: z.array(z.string()),
});
const subnetworkSchema = z.object({
  slug: z.string(),
  actorId: z.string(),
  handle: z.string(),
  name: z.string(),
  description: z.string().optional(),
  theme: themeSchema,
  admission: z.enum(["open", "approval"]),
  /** Local user ids: shown to the admin only (the rest of the profile is public). */
  moderators: z.array(z.number()).optional(),
  createdAt: z.string(),
});
const memberSchema = z.object({
  id: z.number(),
  member: z.string(),
  handle: z.string().optional(),
  name: z.string().optional(),
  state: z.enum(["pending", "accepted"]),
  spiral: z.boolean(),
  since: z.string(),
});
const itemSchema = z.object({
  id: z.number(),
  subnetwork: z.string(),
  origin: z.string(),
  objectId: z.string(),
  kind: z.enum(["synthesis", "meeting", "progress"]),
  periodKey: z.string().optional(),
  activityId: z.string(),
  deleted: z.boolean(),
  relayedAt: z.string(),
});
const feedItemSchema = itemSchema.extend({
  territory: z.string().optional(),
  title: z.string().optional(),
  version: z.number().optional(),
});

/**
 * Sub-networks (docs/protocol.md §12): the ones this node hosts (create, change, members, what they relayed)
 * and, per territory, the ones it joined (join, leave, feed).
 */
export function registerSubnetworkRoutes(router: Router, app: Application): void {
  const view = (row: Parameters<typeof subnetworkView>[0]) =>
    subnetworkView(row, app.node.publicUrl);

  router.openapi(
    createRoute({
      method: "get",
      path: "/subnetworks",
      summary: "Sub-networks hosted by this node (Group actors at /actors/{slug})",
      responses: { 200: jsonResponse(z.array(subnetworkSchema), "Sub-networks") },
    }),
    (c) =>
      c.json(
        app.subnetworks.list().map((row) => app.subnetworks.view(c.get("principal"), row)),
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: "post",
      path: "/subnetworks",
      summary: "Start a sub-network: name, theme (grid codes, group categories), moderators",
      security: adminOnly,
      request: { body: jsonBody(subnetworkInputSchema) },
      responses: {
        201: jsonResponse(subnetworkSchema, "Created; its actor is live at once"),
        400: errors[400],
        401: errors[401],
        409: errors[409],
      },
    }),
    (c) => c.json(view(app.subnetworks.create(principalOf(c), c.req.valid("json"))), 201),
  );

  router.openapi(
    createRoute({
      method: "get",
      path: "/subnetworks/{slug}",
      summary: "One hosted sub-network",
      request: { params: slugParams },
      responses: { 200: jsonResponse(subnetworkSchema, "The sub-network"), 404: errors[404] },
    }),
    (c) =>
      c.json(
        app.subnetworks.view(c.get("principal"), app.subnetworks.get(c.req.valid("param").slug)),
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: "patch",
      path: "/subnetworks/{slug}",
      summary: "Change a hosted sub-network (name, description, theme, admission, moderators)",
      security: adminOnly,
      request: { params: slugParams, body: jsonBody(subnetworkPatchSchema) },
      responses: {
        200: jsonResponse(subnetworkSchema, "Changed"),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    (c) => {
      const row = app.subnetworks.update(
        principalOf(c),
        c.req.valid("param").slug,
        c.req.valid("json"),
      );
      return c.json(view(row), 200);
    },
  );

  tokenReadRoute(
    router,
    {
      path: "/subnetworks/{slug}/members",
      summary:
        "Members (accepted) and join requests (pending); the public list is the group's followers collection",
      params: slugParams,
      schema: z.array(memberSchema),
      description: "Members",
    },
    (actor, params) => app.subnetworks.members(actor, params.slug).map(memberView),
  );

  noContentRoute(
    router,
    {
      method: "post",
      path: "/subnetworks/{slug}/members/{id}/approval",
      summary: "Admit a pending member (approval admission, or a member removed before)",
      params: idParams,
      done: "Admitted",
    },
    (actor, { slug, id }) => app.subnetworks.approveMember(actor, slug, id),
  );

  noContentRoute(
    router,
    {
      method: "delete",
      path: "/subnetworks/{slug}/members/{id}",
      summary:
        "Refuse or remove a member: it gets a Reject and nothing it sends is relayed any more",
      params: idParams,
      done: "Removed",
    },
    (actor, { slug, id }) => app.subnetworks.removeMember(actor, slug, id),
  );

  router.openapi(
    createRoute({
      method: "get",
      path: "/subnetworks/{slug}/relayed",
      summary: "What a hosted sub-network relayed from its members, newest first",
      request: { params: slugParams },
      responses: { 200: jsonResponse(z.array(itemSchema), "Relayed items"), 404: errors[404] },
    }),
    (c) => {
      const { slug } = c.req.valid("param");
      const items = app.subnetworks.relayed(c.get("principal"), slug);
      return c.json(items.map(subnetworkItemView), 200);
    },
  );

  tokenReadRoute(
    router,
    {
      path: "/territories/{slug}/subnetworks",
      summary: "Sub-networks this territory joined (or asked to join)",
      params: slugParams,
      schema: z.array(followingViewSchema),
      description: "Joined sub-networks",
    },
    (actor, params) => app.network.joinedSubnetworks(actor, params.slug),
  );

  router.openapi(
    createRoute({
      method: "post",
      path: "/territories/{slug}/subnetworks",
      summary: "Join a sub-network by handle (@name@host) or actor URL",
      security: adminOnly,
      request: {
        params: slugParams,
        body: jsonBody(followTargetBodySchema),
      },
      responses: {
        202: jsonResponse(
          followingViewSchema,
          "Join request sent; pending until the group accepts",
        ),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    async (c) => {
      const { slug } = c.req.valid("param");
      const row = await app.subnetworks.join(principalOf(c), slug, c.req.valid("json").target);
      return c.json(row, 202);
    },
  );

  noContentRoute(
    router,
    {
      method: "delete",
      path: "/territories/{slug}/subnetworks/{id}",
      summary: "Leave a joined sub-network (Undo(Follow)); id = the join's id",
      params: idParams,
      done: "Left",
    },
    (actor, { slug, id }) => app.subnetworks.leave(actor, slug, id),
  );

  router.openapi(
    createRoute({
      method: "post",
      path: "/territories/{slug}/subnetworks/{id}/shares",
      summary:
        "Share with a joined sub-network a synthesis or public meeting published before joining: the territory signs a new Update naming the group (its later versions follow; 409 for a followers-only meeting)",
      security: adminOnly,
      request: {
        params: idParams,
        body: jsonBody(
          z
            .strictObject({ synthesisId: z.uuid().optional(), meetingId: z.uuid().optional() })
            .refine((b) => (b.synthesisId === undefined) !== (b.meetingId === undefined), {
              message: "give either synthesisId or meetingId",
            }),
        ),
      },
      responses: {
        202: { description: "Sent to the sub-network, which relays it if it fits its theme" },
        400: errors[400],
        401: errors[401],
        404: errors[404],
        409: errors[409],
      },
    }),
    async (c) => {
      const { slug, id } = c.req.valid("param");
      await app.subnetworks.share(principalOf(c), slug, id, c.req.valid("json"));
      return c.body(null, 202);
    },
  );

  tokenReadRoute(
    router,
    {
      path: "/territories/{slug}/subnetworks/{id}/feed",
      summary: "What arrived through a joined sub-network (verified), newest first",
      params: idParams,
      schema: z.array(feedItemSchema),
      description: "Feed",
    },
    (actor, { slug, id }) => app.network.subnetworkFeed(actor, slug, id),
  );
}
