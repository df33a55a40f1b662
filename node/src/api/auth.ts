import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import { type Actor, ADMIN_TOKEN_ACTOR, type Application, accountActor } from "../app/index";
import type { Db } from "../db/open";
import { settings } from "../db/schema";
import type { Services } from "../services/index";
import type { ApiEnv } from "./env";

const TOKEN_SETTING = "admin_token_sha256";

const digest = (token: string) => createHash("sha256").update(token).digest();

/**
 * The admin API token. Only its SHA-256 is stored. When the operator gives none (ADMIN_TOKEN),
 * one is generated on first start and returned once so the caller can show and save it.
 */
export function ensureAdminToken(db: Db, configured: string | undefined): { generated?: string } {
  if (configured) {
    db.insert(settings)
      .values({ key: TOKEN_SETTING, value: digest(configured).toString("hex") })
      .onConflictDoUpdate({
        target: settings.key,
        set: { value: digest(configured).toString("hex") },
      })
      .run();
    return {};
  }
  const existing = db.select().from(settings).where(eq(settings.key, TOKEN_SETTING)).get();
  if (existing) return {};
  const generated = randomBytes(24).toString("base64url");
  db.insert(settings)
    .values({ key: TOKEN_SETTING, value: digest(generated).toString("hex") })
    .run();
  return { generated };
}

export function verifyAdminToken(db: Db, token: string): boolean {
  const stored = db.select().from(settings).where(eq(settings.key, TOKEN_SETTING)).get();
  if (!stored) return false;
  return timingSafeEqual(Buffer.from(stored.value, "hex"), digest(token));
}

/** Routes anyone may read; everything else needs `Authorization: Bearer <admin token>`. */
const PUBLIC_READS = [
  /^\/api\/v1\/openapi\.json$/,
  /^\/api\/v1\/grid$/,
  /^\/api\/v1\/categories$/,
  /^\/api\/v1\/territories$/,
  /^\/api\/v1\/territories\/[^/]+$/,
  /^\/api\/v1\/territories\/[^/]+\/syntheses(\/[^/]+)?$/,
  /^\/api\/v1\/received-syntheses(\/[^/]+)?$/,
  /^\/api\/v1\/aggregates$/,
  /^\/api\/v1\/progress\/figures(\.csv)?$/,
  /^\/api\/v1\/meetings$/,
  /^\/api\/v1\/territories\/[^/]+\/meetings(\/[^/]+)?$/,
  // A hosted sub-network's profile, theme and what it relayed are public (its members list,
  // with pending requests, is not).
  /^\/api\/v1\/subnetworks$/,
  /^\/api\/v1\/subnetworks\/[^/]+$/,
  /^\/api\/v1\/subnetworks\/[^/]+\/relayed$/,
];

/** Who a bearer token names: a personal token's account, the legacy admin token, or nobody. */
function actorOfToken(db: Db, services: Services, token: string): Actor | undefined {
  const user = services.apiTokens.verify(token);
  if (user) return accountActor(user);
  return verifyAdminToken(db, token) ? ADMIN_TOKEN_ACTOR : undefined;
}

const unauthorized = (c: Context<ApiEnv>) =>
  c.json(
    {
      error: "unauthorized",
      message: "this endpoint needs Authorization: Bearer <API token>",
    },
    401,
    { "WWW-Authenticate": 'Bearer realm="spiral-network"' },
  );

/**
 * Authenticates API requests (docs/running-a-node.md, "API tokens"): a personal token acts as its
 * account with the account's role, the legacy admin token as an admin. Public reads need none;
 * everything else needs a token whose role allows it (the application layer's rule).
 */
export function authenticate(services: Services, app: Application): MiddlewareHandler<ApiEnv> {
  const db = services.ctx.db;
  return async (c, next) => {
    const isPublicRead =
      (c.req.method === "GET" || c.req.method === "HEAD") &&
      PUBLIC_READS.some((r) => r.test(c.req.path));
    const header = c.req.header("authorization");
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? "");
    // A token, when given, must be right — also on public reads, where it shows the caller more.
    const actor = match?.[1] ? actorOfToken(db, services, match[1]) : undefined;
    if ((header !== undefined && !actor) || (!isPublicRead && !actor)) return unauthorized(c);
    if (actor && !isPublicRead) app.authorizeRequest(actor, c.req.method, c.req.path);
    c.set("principal", actor);
    c.set("actor", actor?.audit ?? "anonymous");
    return next();
  };
}
