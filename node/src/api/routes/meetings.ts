import { createRoute } from "@hono/zod-openapi";
import { countryCode, isoDate, MEETING_KINDS, meetingInputSchema } from "@spiral-network/protocol";
import { z } from "zod";
import type { Application } from "../../app/index";
import { InvalidInputError } from "../../services/errors";
import { meetingView } from "../../services/meetings";
import { subnetworkRefsSchema } from "../../services/subnetworks";
import { principalOf, type Router } from "../env";
import { adminOnly, errors, jsonBody, jsonResponse, noContentRoute } from "../openapi-helpers";
import { commaSeparated, slugParams, uuidParams } from "../schemas";

const meetingSchema = z.object({ id: z.string(), url: z.string(), sequence: z.number() }).loose();
const networkMeetingsQuery = z.object({
  kind: commaSeparated(z.enum(MEETING_KINDS)),
  country: commaSeparated(countryCode),
  from: isoDate.optional(),
  to: isoDate.optional(),
});

export function registerMeetingRoutes(router: Router, app: Application): void {
  const view = (row: Parameters<typeof meetingView>[0]) => meetingView(row, app.node.publicUrl);

  router.openapi(
    createRoute({
      method: "get",
      path: "/territories/{slug}/meetings",
      summary: "The territory's meetings (upcoming first; ?all=true includes past ones)",
      request: {
        params: slugParams,
        query: z.object({ all: z.enum(["true", "false"]).default("false") }),
      },
      responses: { 200: jsonResponse(z.array(meetingSchema), "Meetings"), 404: errors[404] },
    }),
    (c) => {
      const upcoming = c.req.valid("query").all !== "true";
      // Followers-only meetings are delivered to followers, never listed publicly.
      const views = app.meetings.list(c.get("principal"), c.req.valid("param").slug, { upcoming });
      return c.json(views, 200);
    },
  );

  router.openapi(
    createRoute({
      method: "post",
      path: "/territories/{slug}/meetings",
      summary: "Announce a meeting (sent to followers as an Event)",
      security: adminOnly,
      request: {
        params: slugParams,
        body: jsonBody(meetingInputSchema.extend({ subnetworks: subnetworkRefsSchema.optional() })),
      },
      responses: {
        201: jsonResponse(meetingSchema, "Announced"),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    (c) => {
      const { subnetworks, ...input } = c.req.valid("json");
      const row = app.meetings.create(
        principalOf(c),
        c.req.valid("param").slug,
        input,
        subnetworks ? { subnetworks } : {},
      );
      return c.json(view(row), 201);
    },
  );

  router.openapi(
    createRoute({
      method: "get",
      path: "/territories/{slug}/meetings/{id}",
      summary: "One meeting",
      request: { params: uuidParams },
      responses: {
        200: jsonResponse(meetingSchema, "Meeting"),
        400: errors[400],
        404: errors[404],
      },
    }),
    (c) => {
      const { slug, id } = c.req.valid("param");
      return c.json(app.meetings.get(c.get("principal"), slug, id), 200);
    },
  );

  router.openapi(
    createRoute({
      method: "patch",
      path: "/territories/{slug}/meetings/{id}",
      summary: 'Change a meeting (goes out as Update; {"status": "cancelled"} cancels it)',
      security: adminOnly,
      request: {
        params: uuidParams,
        body: jsonBody(z.record(z.string(), z.unknown())),
      },
      responses: {
        200: jsonResponse(meetingSchema, "Changed"),
        400: errors[400],
        401: errors[401],
        404: errors[404],
        409: errors[409],
      },
    }),
    (c) => {
      const { slug, id } = c.req.valid("param");
      // `subnetworks` (joined sub-networks to address it to) is not a field of the meeting.
      const { subnetworks, ...patch } = c.req.valid("json");
      const refs = subnetworkRefsSchema.optional().safeParse(subnetworks);
      if (!refs.success) {
        throw new InvalidInputError("subnetworks must be a list of joined sub-networks", [
          { path: "subnetworks", message: refs.error.issues[0]?.message ?? "invalid" },
        ]);
      }
      const row = app.meetings.update(
        principalOf(c),
        slug,
        id,
        patch,
        refs.data ? { subnetworks: refs.data } : {},
      );
      return c.json(view(row), 200);
    },
  );

  noContentRoute(
    router,
    {
      method: "delete",
      path: "/territories/{slug}/meetings/{id}",
      summary: "Delete a meeting (goes out as Delete; prefer cancelling a meeting people know of)",
      params: uuidParams,
      done: "Deleted",
    },
    (actor, { slug, id }) => app.meetings.delete(actor, slug, id),
  );

  router.openapi(
    createRoute({
      method: "get",
      path: "/meetings",
      summary: "Upcoming meetings across the network: this node's and those received, filterable",
      request: { query: networkMeetingsQuery },
      responses: {
        200: jsonResponse(
          z.array(z.object({ url: z.string(), local: z.boolean() }).loose()),
          "Upcoming meetings, soonest first",
        ),
        400: errors[400],
      },
    }),
    (c) => c.json(app.meetings.network(c.req.valid("query")), 200),
  );
}
