import { randomBytes } from "node:crypto";
import { MessagePage, type SignedIn } from "@spiral-network/admin-ui/admin/layout";
import {
  isLang,
  type Lang,
  type MessageKey,
  pickLanguage,
  translator,
} from "@spiral-network/admin-ui/i18n";
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getCookie, setCookie } from "hono/cookie";
import type { CookieOptions } from "hono/utils/cookie";
import { type Application, accountActor, allows, type Permission } from "../app/index";
import { isStorageFull } from "../db/open";
import type { Services } from "../services/index";
import { SESSION_TTL_MS } from "../services/sessions";
import { FORM_COOKIE, LANG_COOKIE, registerAccountRoutes, SESSION_COOKIE } from "./accounts";
import { registerBusyScript } from "./busy-script";
import { registerCalendarRoutes } from "./calendar";
import { registerClassifyRoutes } from "./classify";
import { registerFigureRoutes } from "./figures";
import { registerGridRoutes, takesGridForms } from "./grid";
import { registerGroupRoutes } from "./groups";
import { registerImportRoutes, takesLargeForms } from "./imports";
import {
  type AdminContext,
  type AdminEnv,
  type AdminKit,
  type AdminOptions,
  sameToken,
  str,
} from "./kit";
import { registerMeetingRoutes } from "./meetings";
import { registerNetworkRoutes } from "./network";
import { registerProfileRoutes } from "./profile";
import { registerProgressRoutes } from "./progress";
import { registerSubnetworkRoutes } from "./subnetworks";
import { registerSynthesisRoutes } from "./syntheses";

export { SESSION_COOKIE } from "./accounts";
export type { AdminOptions } from "./kit";

/** The cookie that remembers which of the node's territories the workspace is on. */
export const TERRITORY_COOKIE = "spiral_territory";

export function createAdmin(services: Services, app: Application, options: AdminOptions) {
  const admin = new Hono<AdminEnv>();
  // Forms are small: refuse big bodies before reading them (login and setup need no session).
  // The CSV import routes take files and set their own, larger limit.
  const formLimit = bodyLimit({
    maxSize: 64 * 1024,
    onError: (c) => c.text("The form is too large.", 413),
  });
  admin.use((c, next) =>
    takesLargeForms(c.req.path) || takesGridForms(c.req.path) ? next() : formLimit(c, next),
  );
  const cookieBase: CookieOptions = {
    httpOnly: true,
    sameSite: "Lax",
    path: "/admin",
    secure: options.secureCookies,
  };

  /** A language chosen by `?lang=`, kept a year for the whole site like the switch's choice. */
  const rememberLanguage = (c: AdminContext, lang: Lang) =>
    setCookie(c, LANG_COOKIE, lang, {
      path: "/",
      sameSite: "Lax",
      secure: options.secureCookies,
      maxAge: 365 * 24 * 3600,
    });

  const setSessionCookie = (c: AdminContext, value: string) =>
    setCookie(c, SESSION_COOKIE, value, { ...cookieBase, maxAge: SESSION_TTL_MS / 1000 });

  /** The token of the pre-session forms, set as a cookie when the browser has none. */
  const formToken = (c: AdminContext) => {
    const existing = getCookie(c, FORM_COOKIE);
    if (existing && /^[\w-]{43}$/.test(existing)) return existing;
    const token = randomBytes(32).toString("base64url");
    setCookie(c, FORM_COOKIE, token, cookieBase);
    return token;
  };

  const signedIn = (c: AdminContext): SignedIn | undefined => {
    const auth = c.get("auth");
    return (
      auth && {
        name: auth.user.name,
        role: auth.user.role,
        csrf: auth.session.csrfToken,
        territories: app.territories
          .list(accountActor(auth.user))
          .map(({ slug, name }) => ({ slug, name })),
        territory: c.get("territory")?.slug,
      }
    );
  };
  /** The session's account; only called behind protect(), which sent everyone else away. */
  const account = (c: AdminContext) => {
    const auth = c.get("auth");
    if (!auth) throw new Error("a protected route ran without a session");
    return auth.user;
  };
  const actor = (c: AdminContext) => accountActor(account(c), c.get("territory")?.slug);

  const message = (
    c: AdminContext,
    status: 400 | 403 | 404 | 409,
    title: MessageKey,
    body: string,
  ) =>
    c.html(
      <MessagePage
        t={c.get("t")}
        lang={c.get("lang")}
        title={c.get("t")(title)}
        body={body}
        path="/admin"
        user={signedIn(c)}
      />,
      status,
    );
  const csrfRefused = (c: AdminContext) => message(c, 403, "csrf.title", c.get("t")("csrf.body"));

  const entryPoint = () => (services.users.isEmpty() ? "/admin/setup" : "/admin/login");

  /** Reads a urlencoded or multipart form into strings; undefined when it cannot be read. */
  const readForm = async (c: AdminContext) => {
    try {
      const body = await c.req.parseBody();
      return Object.fromEntries(
        Object.entries(body).map(([k, v]) => [k, typeof v === "string" ? v : ""]),
      );
    } catch {
      return undefined; // a body that is not a form: the route answers 400
    }
  };

  // Every answer: not cached, not framed, no outside resources; scripts only the node's own.
  admin.use(async (c, next) => {
    // ?lang= (a link to the workspace in a given language) is remembered like the switch's choice.
    const asked = c.req.query("lang");
    if (isLang(asked)) rememberLanguage(c, asked);
    const lang = pickLanguage(
      isLang(asked) ? asked : getCookie(c, LANG_COOKIE),
      c.req.header("accept-language"),
    );
    c.set("lang", lang);
    c.set("t", translator(lang));
    const cookie = getCookie(c, SESSION_COOKIE);
    const auth = cookie ? services.sessions.findValid(cookie) : undefined;
    c.set("auth", auth);
    c.set(
      "territory",
      auth && app.territories.current(accountActor(auth.user), getCookie(c, TERRITORY_COOKIE)),
    );
    if (cookie && auth && touched(auth.session)) setSessionCookie(c, cookie);
    await next();
    // A bare "404 Not Found" (unknown address or record) becomes a page in the user's language
    // with the workspace's navigation, rather than a dead end.
    if (c.res.status === 404 && c.res.headers.get("content-type")?.startsWith("text/plain")) {
      c.res = await message(c, 404, "notFound.title", c.get("t")("notFound.body"));
    }
    c.header("Content-Language", c.get("lang"));
    c.header("Cache-Control", "no-store");
    c.header("X-Frame-Options", "DENY");
    c.header("Referrer-Policy", "same-origin");
    c.header("X-Content-Type-Options", "nosniff");
    c.header(
      "Content-Security-Policy",
      "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
  });

  /**
   * Signed-in pages whose role holds `permission` (the application layer's rule, so the API and
   * the workspace answer alike). Every POST must carry the session's CSRF token.
   */
  const protect =
    (permission: Permission = "read"): MiddlewareHandler<AdminEnv> =>
    async (c, next) => {
      const auth = c.get("auth");
      if (!auth) return c.redirect(entryPoint(), 303);
      if (c.req.method === "POST") {
        const form = await readForm(c);
        if (!form) return message(c, 400, "badRequest.title", c.get("t")("badRequest.body"));
        if (!sameToken(form._csrf, auth.session.csrfToken)) return csrfRefused(c);
        c.set("form", form);
      }
      if (!allows(auth.user.role, permission)) {
        const t = c.get("t");
        return message(
          c,
          403,
          "forbidden.title",
          t("forbidden.role", { role: t(`role.${auth.user.role}`) }),
        );
      }
      return next();
    };

  const startSession = (c: AdminContext, userId: number) => {
    services.sessions.purgeExpired();
    const { cookie } = services.sessions.create(userId);
    setSessionCookie(c, cookie);
    return c.redirect("/admin", 303);
  };

  const kit: AdminKit = {
    app,
    options,
    cookieBase,
    protect,
    signedIn,
    user: (c) => {
      const user = signedIn(c);
      if (!user) throw new Error("a protected route ran without a session");
      return user;
    },
    account,
    actor,
    message,
    csrfRefused,
    entryPoint,
    readForm,
    formToken,
    startSession,
    actorOf: (c) => actor(c).audit,
    territoryOf: (c) => c.get("territory"),
    canEdit: (c) => allows(account(c).role, "edit"),
    idParam: (c, name) => {
      const id = Number(c.req.param(name));
      return Number.isSafeInteger(id) && id > 0 ? id : undefined;
    },
    noTerritory: (c) => message(c, 404, "badRequest.title", c.get("t")("groups.noTerritory")),
  };
  // The territory switcher of the top bar: any role may change what it looks at.
  admin.post("/territory", protect(), (c) => {
    const form = c.get("form");
    const slug = str(form, "territory");
    if (!app.territories.list(actor(c)).some((t) => t.slug === slug)) {
      return message(c, 400, "badRequest.title", c.get("t")("badRequest.body"));
    }
    setCookie(c, TERRITORY_COOKIE, slug, cookieBase);
    const back = str(form, "back");
    // Only back into the workspace (never an outside address).
    return c.redirect(/^\/admin(\/[\w\-/]*)?$/.test(back) ? back : "/admin", 303);
  });
  registerBusyScript(admin);
  registerAccountRoutes(admin, kit, services);
  registerGroupRoutes(admin, kit);
  registerImportRoutes(admin, kit);
  registerClassifyRoutes(admin, kit);
  registerSynthesisRoutes(admin, kit);
  registerNetworkRoutes(admin, kit);
  registerCalendarRoutes(admin, kit);
  registerMeetingRoutes(admin, kit);
  registerProfileRoutes(admin, kit);
  registerFigureRoutes(admin, kit);
  registerSubnetworkRoutes(admin, kit);
  registerProgressRoutes(admin, kit);
  registerGridRoutes(admin, kit);

  /** Extends a session; on a full disk it stays as it was, so pages can still be read. */
  function touched(session: Parameters<typeof services.sessions.touch>[0]): boolean {
    try {
      return services.sessions.touch(session);
    } catch (error) {
      if (isStorageFull(error)) return false;
      throw error;
    }
  }

  admin.onError((error, c) => {
    options.logger.error(`admin ${c.req.method} ${c.req.path} failed`, error);
    const lang = c.get("lang") ?? "en";
    const t = translator(lang);
    // A full disk: say so in words a facilitator can act on (docs/running-a-node.md, "Operations").
    if (isStorageFull(error)) {
      return c.html(
        <MessagePage
          t={t}
          lang={lang}
          title={t("storageFull.title")}
          body={t("storageFull.body")}
          path="/admin"
        />,
        507,
      );
    }
    return c.html(
      <MessagePage
        t={t}
        lang={lang}
        title={t("server.title")}
        body={t("server.body")}
        path="/admin"
      />,
      500,
    );
  });

  return admin;
}
