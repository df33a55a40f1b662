import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import type { Application } from "../../app/index";
import { followerView, followingView } from "../../services/follows";
import { receivedSynthesisView } from "../../services/received-syntheses";
import { principalOf, type Router } from "../env";
import {
  adminOnly,
  errors,
  jsonBody,
  jsonResponse,
  noContentRoute,
  tokenReadRoute,
} from "../openapi-helpers";
import {
  followingViewSchema,
  followTargetBodySchema,
  idParam,
  idParams,
  slugParams,
  uuidParams,
} from "../schemas";

const followerSchema = z.object({
  id: z.number(),
  follower: z.string(),
  handle: z.string().optional(),
  name: z.string().optional(),
  state: z.enum(["pending", "accepted"]),
  /** Since when deliveries, pulls or look-ups to this peer fail, and the last reason. */
  unreachableSince: z.string().optional(),
  lastError: z.string().optional(),
  since: z.string(),
});

const receivedSchema = z.object({
  id: z.number(),
  origin: z.string(),
  periodKey: z.string(),
  objectId: z.string(),
  version: z.number(),
  hash: z.string(),
  via: z.string().optional(),
  conflicted: z.boolean(),
  withdrawn: z.boolean(),
  receivedAt: z.string(),
  payload: z.record(z.string(), z.unknown()),
});

export function registerNetworkRoutes(router: Router, app: Application) {
  tokenReadRoute(
    router,
    {
      path: "/territories/{slug}/following",
      summary:
        "Territories and sub-networks this territory follows, with the state of each request",
      params: slugParams,
      schema: z.array(followingViewSchema),
      description: "Following",
    },
    (actor, { slug }) => app.network.following(actor, slug).map(followingView),
  );

  router.openapi(
    createRoute({
      method: "post",
      path: "/territories/{slug}/following",
      summary: "Follow a territory by handle (@slug@host) or actor URL",
      security: adminOnly,
      request: {
        params: slugParams,
        body: jsonBody(followTargetBodySchema),
      },
      responses: {
        202: jsonResponse(
          followingViewSchema,
          "Follow request sent; it stays pending until accepted",
        ),
        400: errors[400],
        401: errors[401],
        404: errors[404],
        502: errors[502],
        504: errors[504],
      },
    }),
    async (c) => {
      const row = await app.network.follow(
        principalOf(c),
        c.req.valid("param").slug,
        c.req.valid("json").target,
      );
      return c.json(followingView(row), 202);
    },
  );

  noContentRoute(
    router,
    {
      method: "delete",
      path: "/territories/{slug}/following/{id}",
      summary: "Unfollow (sends Undo(Follow))",
      params: idParams,
      done: "Unfollowed",
    },
    (actor, { slug, id }) => app.network.unfollow(actor, slug, id),
  );

  tokenReadRoute(
    router,
    {
      path: "/territories/{slug}/followers",
      summary: "Who follows this territory (pending ones wait for approval when it is manual)",
      params: slugParams,
      schema: z.array(followerSchema),
      description: "Followers",
    },
    (actor, { slug }) => app.network.followers(actor, slug).map(followerView),
  );

  noContentRoute(
    router,
    {
      method: "post",
      path: "/territories/{slug}/followers/{id}/approval",
      summary: "Approve a pending follower (sends Accept)",
      params: idParams,
      done: "Approved",
    },
    (actor, { slug, id }) => app.network.approve(actor, slug, id),
  );

  noContentRoute(
    router,
    {
      method: "delete",
      path: "/territories/{slug}/followers/{id}",
      summary: "Refuse or remove a follower (sends Reject)",
      params: idParams,
      done: "Removed",
    },
    (actor, { slug, id }) => app.network.remove(actor, slug, id),
  );

  router.openapi(
    createRoute({
      method: "get",
      path: "/received-syntheses",
      summary:
        "Syntheses received from other territories: the latest version per origin and period (without a token, withdrawn ones are left out)",
      responses: { 200: jsonResponse(z.array(receivedSchema), "Received syntheses") },
    }),
    (c) => c.json(app.received.list(c.get("principal")).map(receivedSynthesisView), 200),
  );

  router.openapi(
    createRoute({
      method: "get",
      path: "/received-syntheses/{id}",
      summary:
        "One received synthesis with its payload (without a token, 410 once its origin withdrew it)",
      request: { params: z.object({ id: idParam }) },
      responses: {
        200: jsonResponse(receivedSchema, "Received synthesis"),
        400: errors[400],
        404: errors[404],
        410: errors[410],
      },
    }),
    (c) => {
      const row = app.received.get(c.get("principal"), c.req.valid("param").id);
      return c.json(receivedSynthesisView(row), 200);
    },
  );

  router.openapi(
    createRoute({
      method: "post",
      path: "/territories/{slug}/relays",
      summary:
        "Share a received synthesis with this territory's followers (Announce of the original, unaltered)",
      security: adminOnly,
      request: {
        params: slugParams,
        body: jsonBody(z.strictObject({ receivedId: z.number().int().positive() })),
      },
      responses: {
        202: jsonResponse(z.object({ announce: z.string() }), "Relayed"),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    async (c) => {
      const announce = await app.network.relay(
        principalOf(c),
        c.req.valid("param").slug,
        c.req.valid("json").receivedId,
      );
      return c.json({ announce: announce.href }, 202);
    },
  );

  router.openapi(
    createRoute({
      method: "post",
      path: "/territories/{slug}/syntheses/{id}/withdrawal",
      summary: "Withdraw the synthesis this version belongs to (sends Delete)",
      security: adminOnly,
      request: { params: uuidParams },
      responses: {
        204: { description: "Withdrawn" },
        401: errors[401],
        404: errors[404],
        409: errors[409],
      },
    }),
    (c) => {
      const { slug, id } = c.req.valid("param");
      const { row } = app.syntheses.get(principalOf(c), slug, id);
      app.syntheses.withdraw(principalOf(c), slug, row.synthesisUuid);
      return c.body(null, 204);
    },
  );
}
