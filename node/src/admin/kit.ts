import { timingSafeEqual } from "node:crypto";
import type { SignedIn } from "@spiral-network/admin-ui/admin/layout";
import type { Lang, MessageKey, Translate } from "@spiral-network/admin-ui/i18n";
import type { Context, Hono, MiddlewareHandler } from "hono";
import type { CookieOptions } from "hono/utils/cookie";
import type { Actor, Application, Permission } from "../app/index";
import type { Logger } from "../logger";
import type { SessionRow } from "../services/sessions";
import type { SetupCode } from "../services/setup-code";
import type { TerritoryRow } from "../services/territories";
import type { UserView } from "../services/users";

export interface AdminOptions {
  /** Mark cookies Secure (the node's PUBLIC_URL is https). */
  secureCookies: boolean;
  logger: Logger;
  /** The one-time code first-run setup asks for. */
  setupCode: SetupCode;
  /** Believe X-Forwarded-For's last entry as the client address (TRUST_PROXY). */
  trustProxy: boolean;
}

export type AdminEnv = {
  Variables: {
    lang: Lang;
    t: Translate;
    auth: { session: SessionRow; user: UserView } | undefined;
    /** The territory the workspace is on (chosen in the top bar; the first by default). */
    territory: TerritoryRow | undefined;
    form: Record<string, string>;
  };
};

export type AdminApp = Hono<AdminEnv>;
export type AdminContext = Context<AdminEnv>;
/** What a page helper answers (Hono renders JSX synchronously or not). */
export type Reply = Response | Promise<Response>;

/** Field errors: the field name → a translated message. */
export type Errors = Record<string, string | undefined>;

/**
 * What every part of the workspace shares: the application layer, the session and CSRF checks,
 * and the small page helpers. Built once by `createAdmin` and handed to each group of routes,
 * which reach the node only through `app` (its queries and commands check the permission).
 */
export interface AdminKit {
  /** The application layer: the queries and commands the JSON API calls too. */
  app: Application;
  options: AdminOptions;
  cookieBase: CookieOptions;
  /**
   * Signed-in pages whose role holds `permission` (the application layer's rule); POSTs must
   * carry the session's CSRF token.
   */
  protect(permission?: Permission): MiddlewareHandler<AdminEnv>;
  signedIn(c: AdminContext): SignedIn | undefined;
  /** The signed-in user of a protected route (protect() already sent everyone else away). */
  user(c: AdminContext): SignedIn;
  /** The session's account of a protected route. */
  account(c: AdminContext): UserView;
  /** Who is acting, on the territory the workspace is on, for the application layer. */
  actor(c: AdminContext): Actor;
  message(c: AdminContext, status: 400 | 403 | 404 | 409, title: MessageKey, body: string): Reply;
  csrfRefused(c: AdminContext): Reply;
  /** Where a visitor without a session goes: setup on a fresh node, else login. */
  entryPoint(): string;
  /** Reads a urlencoded or multipart form into strings; undefined when it cannot be read. */
  readForm(c: AdminContext): Promise<Record<string, string> | undefined>;
  /** The double-submit token of the forms used before there is a session (setup, login). */
  formToken(c: AdminContext): string;
  startSession(c: AdminContext, userId: number): Reply;
  /** The audit log's name for the signed-in user. */
  actorOf(c: AdminContext): string;
  /** The territory the workspace is on (see the top bar's switcher). */
  territoryOf(c: AdminContext): TerritoryRow | undefined;
  canEdit(c: AdminContext): boolean;
  /** A positive integer path parameter, or undefined. */
  idParam(c: AdminContext, name: string): number | undefined;
  /** The page shown when the node has no territory yet. */
  noTerritory(c: AdminContext): Reply;
}

export const str = (form: Record<string, string>, name: string) => (form[name] ?? "").trim();

export const sameToken = (a: string | undefined, b: string | undefined) => {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export const hasErrors = (errors: Errors) => Object.values(errors).some(Boolean);

/**
 * The message named by a `?done=` query among a page's known outcomes. Own keys only: a plain
 * lookup would answer "constructor" or "__proto__" with something that is not a message.
 */
export const outcomeNotice = <K extends string>(
  outcomes: Readonly<Record<string, K>>,
  name: string | undefined,
): K | undefined =>
  name !== undefined && Object.hasOwn(outcomes, name) ? outcomes[name] : undefined;
