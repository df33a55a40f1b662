import { createRoute } from "@hono/zod-openapi";
import { CAMPAIGN_PHASES, progressPayloadSchema } from "@spiral-network/protocol";
import { z } from "zod";
import type { Application } from "../../app/index";
import { progressFilterOf } from "../../progress-query";
import {
  answersSchema,
  type CampaignRow,
  campaignInputSchema,
  MAX_CODES_PER_BATCH,
  type PathVersionRow,
  pathInputSchema,
  surveyUrl,
} from "../../services/progress";
import { progressFiguresCsv } from "../../services/progress-figures";
import { subnetworkRefsSchema } from "../../services/subnetworks";
import { principalOf, type Router } from "../env";
import {
  adminOnly,
  errors,
  jsonBody,
  jsonCommandRoute,
  jsonResponse,
  noContentRoute,
  tokenReadRoute,
} from "../openapi-helpers";
import {
  coverageExcludedSchema,
  coverageIncludedSchema,
  slugParams,
  uuidParams,
  withheldSchema,
} from "../schemas";

const counts = z.object({
  "1": z.number(),
  "2": z.number(),
  "3": z.number(),
  "4": z.number(),
  "5": z.number(),
  dontKnow: z.number(),
});
const statement = z.object({
  level: z.number(),
  passage: z.enum(["P", "O", "Q", "S"]).nullable(),
  text: z.record(z.string(), z.string()),
  criteria: z.array(z.number()),
});
const pathSchema = z.object({
  id: z.string(),
  code: z.string(),
  version: z.number(),
  statements: z.array(statement),
  languages: z.array(z.string()),
  confirmedPublic: z.boolean(),
  usable: z.boolean(),
});
const campaignSchema = z.object({
  id: z.string(),
  label: z.string(),
  start: z.string(),
  end: z.string(),
  cycle: z.number(),
  phase: z.enum(CAMPAIGN_PHASES),
  askCategory: z.boolean(),
  closed: z.boolean(),
  surveyUrl: z.string(),
});
const figuresSchema = z.object({
  filter: z.record(z.string(), z.unknown()),
  rows: z.array(
    z.object({
      code: z.string(),
      phase: z.enum(CAMPAIGN_PHASES),
      counts,
      territories: z.number(),
      share: z.number().nullable(),
    }),
  ),
  coverage: z.object({
    included: z.array(coverageIncludedSchema.extend({ region: z.string().optional() })),
    excluded: z.array(coverageExcludedSchema(z.string())),
    fingerprint: z.string(),
  }),
});
const figuresQuery = z.object({
  code: z.string().optional(),
  country: z.string().optional(),
  region: z.string().optional(),
  category: z.string().optional(),
  cycle: z.string().optional(),
  phase: z.enum(CAMPAIGN_PHASES).optional(),
});

export function registerProgressRoutes(router: Router, app: Application): void {
  const { publicUrl } = app.node;
  const pathView = (uuid: string, code: string, v: PathVersionRow, usable: boolean) => ({
    id: uuid,
    code,
    version: v.version,
    statements: v.statements,
    languages: v.languages,
    confirmedPublic: v.confirmedPublic,
    usable,
  });
  const campaignView = (row: CampaignRow) => ({
    id: row.uuid,
    label: row.label,
    start: row.periodStart,
    end: row.periodEnd,
    cycle: row.cycle,
    phase: row.phase,
    askCategory: row.askCategory,
    closed: row.closedAt !== null,
    surveyUrl: surveyUrl(publicUrl, row.uuid),
  });

  tokenReadRoute(
    router,
    {
      path: "/territories/{slug}/paths",
      summary: "Paths of progress of a territory, each at its latest version",
      params: slugParams,
      schema: z.array(pathSchema),
      description: "Paths",
    },
    (actor, { slug }) =>
      app.progress.listPaths(actor, slug).map((p) => pathView(p.uuid, p.code, p.latest, p.usable)),
  );

  router.openapi(
    createRoute({
      method: "post",
      path: "/territories/{slug}/paths",
      summary: "Write a path of progress: five statements on a component or dimension",
      description:
        "Statements are the territory's own public words about situations (levels 1–5), each " +
        "optionally linked to the validated criteria it was drawn from (never published). A campaign " +
        "may use the path once all five statements exist and `confirmedPublic` is true.",
      security: adminOnly,
      request: { params: slugParams, body: jsonBody(pathInputSchema) },
      responses: {
        201: jsonResponse(pathSchema, "Written"),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    (c) => {
      const saved = app.progress.savePath(
        principalOf(c),
        c.req.valid("param").slug,
        null,
        c.req.valid("json"),
      );
      const path = app.progress.getPath(principalOf(c), c.req.valid("param").slug, saved.uuid);
      return c.json(pathView(path.uuid, path.code, path.latest, path.usable), 201);
    },
  );

  router.openapi(
    createRoute({
      method: "put",
      path: "/territories/{slug}/paths/{id}",
      summary: "A new version of a path (unchanged words add no version)",
      security: adminOnly,
      request: { params: uuidParams, body: jsonBody(pathInputSchema) },
      responses: {
        200: jsonResponse(pathSchema, "Saved"),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    (c) => {
      const { slug, id } = c.req.valid("param");
      app.progress.savePath(principalOf(c), slug, id, c.req.valid("json"));
      const path = app.progress.getPath(principalOf(c), slug, id);
      return c.json(pathView(path.uuid, path.code, path.latest, path.usable), 200);
    },
  );

  tokenReadRoute(
    router,
    {
      path: "/territories/{slug}/campaigns",
      summary: "Self-survey campaigns of a territory",
      params: slugParams,
      schema: z.array(campaignSchema),
      description: "Campaigns",
    },
    (actor, { slug }) => app.progress.listCampaigns(actor, slug).map(campaignView),
  );

  jsonCommandRoute(
    router,
    {
      method: "post",
      path: "/territories/{slug}/campaigns",
      summary: "Start a self-survey campaign on usable paths (each at its latest version)",
      params: slugParams,
      body: campaignInputSchema,
      status: 201,
      schema: campaignSchema,
      answer: "Started",
    },
    (actor, { slug }, input) => campaignView(app.progress.createCampaign(actor, slug, input)),
  );

  tokenReadRoute(
    router,
    {
      path: "/territories/{slug}/campaigns/{id}",
      summary: "A campaign with its results: the distribution over the five levels per path",
      params: uuidParams,
      schema: campaignSchema.extend({
        respondents: z.number(),
        codes: z.object({ issued: z.number(), used: z.number() }),
        paths: z.array(
          z.object({
            id: z.string(),
            version: z.number(),
            code: z.string(),
            versionId: z.number(),
            counts,
          }),
        ),
        published: z.number().nullable(),
      }),
      description: "Campaign",
    },
    (actor, { slug, id }) => {
      const found = app.progress.getCampaign(actor, slug, id);
      const results = app.progress.results(actor, slug, id);
      return {
        ...campaignView(found.campaign),
        respondents: results.respondents,
        codes: found.codes,
        paths: results.paths.map((p) => ({
          id: p.pathUuid,
          version: p.version.version,
          code: p.code,
          versionId: p.pathVersionId,
          counts: p.counts,
        })),
        published: found.published?.version ?? null,
      };
    },
  );

  router.openapi(
    createRoute({
      method: "post",
      path: "/territories/{slug}/campaigns/{id}/codes",
      summary: "New one-time codes (shown once: the node keeps only their hashes)",
      security: adminOnly,
      request: {
        params: uuidParams,
        body: jsonBody(z.strictObject({ count: z.number().int().min(1).max(MAX_CODES_PER_BATCH) })),
      },
      responses: {
        201: jsonResponse(z.object({ codes: z.array(z.string()), surveyUrl: z.string() }), "Codes"),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    (c) => {
      const { slug, id } = c.req.valid("param");
      const codes = app.progress.issueCodes(principalOf(c), slug, id, c.req.valid("json").count);
      return c.json({ codes, surveyUrl: surveyUrl(publicUrl, id) }, 201);
    },
  );

  router.openapi(
    createRoute({
      method: "post",
      path: "/territories/{slug}/campaigns/{id}/responses",
      summary: "Type in a paper answer (no code: the paper was the code)",
      description: 'answers: path version id → level 1–5 or "dk"; a path left out counts as "dk".',
      security: adminOnly,
      request: {
        params: uuidParams,
        body: jsonBody(
          z.strictObject({ answers: answersSchema, category: z.string().max(64).optional() }),
        ),
      },
      responses: {
        201: jsonResponse(z.object({ saved: z.literal(true) }), "Saved"),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    (c) => {
      const { slug, id } = c.req.valid("param");
      const body = c.req.valid("json");
      app.progress.enterPaper(principalOf(c), slug, id, body.answers, body.category ?? "");
      return c.json({ saved: true as const }, 201);
    },
  );

  tokenReadRoute(
    router,
    {
      path: "/territories/{slug}/campaigns/{id}/progress",
      summary:
        "Preview the campaign's progress publication: what would leave the node and what is held back",
      params: uuidParams,
      schema: z.object({
        publishable: z.boolean(),
        blockers: z.array(z.string()),
        withheld: z.array(withheldSchema),
        payload: progressPayloadSchema.nullable(),
      }),
      description: "The draft",
    },
    (actor, { slug, id }) => {
      const { previous: _previous, ...draft } = app.progress.preview(actor, slug, id);
      return draft;
    },
  );

  jsonCommandRoute(
    router,
    {
      method: "post",
      path: "/territories/{slug}/campaigns/{id}/progress",
      summary: "Publish the campaign's progress (spiral/progress@1)",
      description:
        "Refused with 409 and the reasons when fewer than k respondents answered, or when comparing " +
        "it with every progress version this territory published would single out fewer than k " +
        "respondents (docs/protocol.md §13).",
      params: uuidParams,
      body: z.strictObject({ subnetworks: subnetworkRefsSchema.optional() }),
      status: 201,
      schema: z.object({ version: z.number(), hash: z.string(), payload: progressPayloadSchema }),
      answer: "Published",
      errors: [409],
    },
    (actor, { slug, id }, { subnetworks }) => {
      const row = app.progress.publish(actor, slug, id, subnetworks ? { subnetworks } : {});
      return { version: row.version, hash: row.hash, payload: JSON.parse(row.payload) };
    },
  );

  noContentRoute(
    router,
    {
      method: "post",
      path: "/territories/{slug}/campaigns/{id}/progress/withdrawal",
      summary: "Withdraw the campaign's published progress (sends Delete)",
      description:
        "Every version leaves the public pages and the figures, here and at receivers; publishing " +
        "again later is a new version (docs/protocol.md §13). 409 when nothing is published or it " +
        "is already withdrawn.",
      params: uuidParams,
      done: "Withdrawn",
      conflicts: true,
    },
    (actor, { slug, id }) => app.progress.withdraw(actor, slug, id),
  );

  const figuresOf = (query: Record<string, string | undefined>) =>
    app.progress.networkFigures(progressFilterOf((name) => query[name]).filter);

  router.openapi(
    createRoute({
      method: "get",
      path: "/progress/figures",
      summary:
        "Network figures of progress: level counts per path code and phase, with coverage and fingerprint",
      description:
        "Filters: code (a component such as A01, or a dimension letter), country, region, category (a " +
        "published category cell), cycle (0–3), phase (ex-ante or ex-post). One campaign per territory, " +
        "cycle, phase and code counts: the one that ended last.",
      request: { query: figuresQuery },
      responses: { 200: jsonResponse(figuresSchema, "Figures") },
    }),
    (c) => c.json(figuresOf(c.req.valid("query")), 200),
  );

  router.openapi(
    createRoute({
      method: "get",
      path: "/progress/figures.csv",
      summary: "The same figures as CSV (one row per code and phase; fingerprint at the end)",
      request: { query: figuresQuery },
      responses: { 200: { description: "CSV", content: { "text/csv": { schema: z.string() } } } },
    }),
    (c) =>
      c.body(progressFiguresCsv(figuresOf(c.req.valid("query"))), 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": 'attachment; filename="spiral-progress.csv"',
      }) as never,
  );
}
