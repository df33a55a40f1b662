import { bodyLimit } from "hono/body-limit";
import type { Application } from "../app/index";
import type { Logger } from "../logger";
import type { Services } from "../services/index";
import { authenticate } from "./auth";
import { createRouter } from "./env";
import { idempotency } from "./idempotency";
import { errorResponder } from "./problem";
import { registerAggregateRoutes } from "./routes/aggregates";
import { registerCriteriaRoutes } from "./routes/criteria";
import { registerGridRoutes } from "./routes/grids";
import { registerGroupRoutes } from "./routes/groups";
import { registerImportRoutes } from "./routes/imports";
import { registerMeetingRoutes } from "./routes/meetings";
import { registerMetaRoutes } from "./routes/meta";
import { registerNetworkRoutes } from "./routes/network";
import { registerProgressRoutes } from "./routes/progress";
import { registerSubnetworkRoutes } from "./routes/subnetworks";
import { registerSynthesisRoutes } from "./routes/syntheses";
import { registerTerritoryRoutes } from "./routes/territories";

export const API_BODY_LIMIT = 1024 * 1024;
/** CSV files are allowed to be larger than JSON bodies (100 000 criteria ≈ 10 MiB). */
export const CSV_BODY_LIMIT = 32 * 1024 * 1024;

/** The JSON API under /api/v1, with its OpenAPI description at /api/v1/openapi.json. */
export function createApi(services: Services, app: Application, logger: Logger) {
  const api = createRouter();
  const tooLarge = (limit: number) => ({
    maxSize: limit,
    onError: (c: Parameters<Parameters<typeof api.onError>[0]>[1]) =>
      c.json(
        {
          error: "payload_too_large",
          message: `the body is larger than ${limit / 1024 / 1024} MiB`,
        },
        413,
      ),
  });
  // A GET or HEAD has no body to limit: skipped before Hono's bodyLimit reads `raw.body`, which
  // makes the Node adapter build a full Request for every read (docs/benchmarks.md, "Aggregates").
  const withBody =
    (limit: ReturnType<typeof bodyLimit>): typeof limit =>
    (c, next) =>
      c.req.method === "GET" || c.req.method === "HEAD" ? next() : limit(c, next);
  const csvLimit = withBody(bodyLimit(tooLarge(CSV_BODY_LIMIT)));
  const jsonLimit = withBody(bodyLimit(tooLarge(API_BODY_LIMIT)));
  api.use("/territories/:slug/imports/*", csvLimit);
  api.use("*", async (c, next) => {
    if (c.req.path.includes("/imports/")) return next();
    return jsonLimit(c, next);
  });
  api.use("*", authenticate(services, app));
  api.use("*", idempotency(services.ctx.storage.sqlite, services.ctx.now));
  api.onError(errorResponder(logger));

  registerMetaRoutes(api, app);
  registerTerritoryRoutes(api, app);
  registerGroupRoutes(api, app);
  registerCriteriaRoutes(api, app);
  registerImportRoutes(api, app);
  registerSynthesisRoutes(api, app);
  registerNetworkRoutes(api, app);
  registerAggregateRoutes(api, app);
  registerGridRoutes(api, app);
  registerMeetingRoutes(api, app);
  registerSubnetworkRoutes(api, app);
  registerProgressRoutes(api, app);

  api.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description:
      "A personal API token (created on the workspace's account page; acts with its account's role), or the node's admin token (printed at first start, or ADMIN_TOKEN)",
  });
  api.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Spiral Network node API",
      version: "1.0.0",
      description:
        "Territory data, SPIRAL classification and syntheses of one node. Every write (POST, PUT, PATCH, DELETE) accepts an Idempotency-Key header: a retry with the same key and request gets the first answer (Idempotent-Replayed: true) and writes nothing twice; the same key with another request answers 422; keys are kept 24 hours. Tokens: a personal API token acts as its account with the account's role (a viewer's reads, a facilitator's edits territory data, an admin's also manages the node); 403 forbidden when the role does not allow the request. 507 storage_full: the node's disk is full, nothing was saved.",
    },
    servers: [{ url: `${services.ctx.publicUrl}/api/v1` }],
  });
  // Registered last, so it only answers what no route above matched. (api.notFound would not
  // do: Hono only calls the notFound handler of the top-level app, not of a mounted one.)
  api.all("*", (c) =>
    c.json({ error: "not_found", message: `no route ${c.req.method} ${c.req.path}` }, 404),
  );
  return api;
}
