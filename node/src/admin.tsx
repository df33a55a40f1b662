import { randomBytes, timingSafeEqual } from "node:crypto";
import { getConnInfo } from "@hono/node-server/conninfo";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { CookieOptions } from "hono/utils/cookie";
import {
  type ClassifyItem,
  ClassifyPage,
  type PickerEntry,
} from "../../admin-ui/src/admin/classify-page";
import {
  AGE_FIELDS,
  CriteriaPage,
  GENDER_FIELDS,
  GroupFormPage,
  GroupsPage,
  QUESTION_CODES,
  type QuestionCode,
} from "../../admin-ui/src/admin/groups-page";
import { AdminHomePage } from "../../admin-ui/src/admin/home-page";
import { MessagePage, type SignedIn } from "../../admin-ui/src/admin/layout";
import { LoginPage } from "../../admin-ui/src/admin/login-page";
import { SetupPage } from "../../admin-ui/src/admin/setup-page";
import { UsersPage } from "../../admin-ui/src/admin/users-page";
import {
  isLang,
  type Lang,
  type MessageKey,
  pickLanguage,
  type Translate,
  translator,
} from "../../admin-ui/src/i18n";
import {
  type Grid,
  type GridEntry,
  type HomogeneousGroup,
  homogeneousGroupSchema,
  languageTag,
  parseSpiralCode,
  SpiralCodeError,
  type TerritoryProfile,
  territoryProfileSchema,
} from "../../protocol/src/index";
import type { Logger } from "./api/problem";
import { criterionView } from "./services/criteria";
import { ConflictError, InvalidInputError, NotFoundError } from "./services/errors";
import { groupView } from "./services/groups";
import type { Services } from "./services/index";
import { SESSION_TTL_MS, type SessionRow } from "./services/sessions";
import { territoryActorId } from "./services/territories";
import {
  MIN_PASSWORD_LENGTH,
  newUserSchema,
  ROLES,
  type Role,
  type UserView,
} from "./services/users";

export interface AdminOptions {
  /** Mark cookies Secure (the node's PUBLIC_URL is https). */
  secureCookies: boolean;
  logger: Logger;
}

type AdminEnv = {
  Variables: {
    lang: Lang;
    t: Translate;
    auth: { session: SessionRow; user: UserView } | undefined;
    form: Record<string, string>;
  };
};

export const SESSION_COOKIE = "spiral_session";
/** The double-submit token of the forms used before there is a session (setup, login). */
export const FORM_COOKIE = "spiral_form";
export const LANG_COOKIE = "lang";

/** Login failures allowed per email and address within the window, before waiting. */
const MAX_FAILURES = 5;
const FAILURE_WINDOW_MS = 15 * 60 * 1000;

/** Field errors: the field name → a translated message. */
type Errors = Record<string, string | undefined>;

const sameToken = (a: string | undefined, b: string | undefined) => {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** In-memory count of recent login failures per email and client address (slows guessing). */
function createLoginThrottle(now: () => Date) {
  const failures = new Map<string, { count: number; since: number }>();
  const current = (key: string) => {
    const entry = failures.get(key);
    if (entry && now().getTime() - entry.since > FAILURE_WINDOW_MS) {
      failures.delete(key);
      return undefined;
    }
    return entry;
  };
  return {
    /** Minutes left to wait, or 0 when the attempt may go ahead. */
    wait(key: string): number {
      const entry = current(key);
      if (!entry || entry.count < MAX_FAILURES) return 0;
      return Math.ceil((entry.since + FAILURE_WINDOW_MS - now().getTime()) / 60_000);
    },
    fail(key: string): void {
      const entry = current(key);
      if (entry) entry.count++;
      else {
        // Bounded memory: drop the oldest entries, never everyone's (that would reset the count
        // of the account under attack).
        while (failures.size >= 10_000) {
          const oldest = failures.keys().next().value;
          if (oldest === undefined) break;
          failures.delete(oldest);
        }
        failures.set(key, { count: 1, since: now().getTime() });
      }
    },
    succeed(key: string): void {
      failures.delete(key);
    },
  };
}

const clientAddress = (c: Context) => {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown"; // not behind the Node server (tests through app.request)
  }
};

const str = (form: Record<string, string>, name: string) => (form[name] ?? "").trim();

/**
 * The facilitator workspace, mounted at /admin: first-run setup, sign-in, sessions with CSRF
 * tokens, roles. It gathers what the pages show from the services; admin-ui renders.
 */
export function createAdmin(services: Services, options: AdminOptions) {
  const admin = new Hono<AdminEnv>();
  // Forms are small: refuse big bodies before reading them (login and setup need no session).
  admin.use(
    bodyLimit({
      maxSize: 64 * 1024,
      onError: (c) => c.text("The form is too large.", 413),
    }),
  );
  const { publicUrl } = services.ctx;
  const throttle = createLoginThrottle(services.ctx.now);
  const cookieBase: CookieOptions = {
    httpOnly: true,
    sameSite: "Lax",
    path: "/admin",
    secure: options.secureCookies,
  };

  const setSessionCookie = (c: Context, value: string) =>
    setCookie(c, SESSION_COOKIE, value, { ...cookieBase, maxAge: SESSION_TTL_MS / 1000 });

  /** The token of the pre-session forms, set as a cookie when the browser has none. */
  const formToken = (c: Context<AdminEnv>) => {
    const existing = getCookie(c, FORM_COOKIE);
    if (existing && /^[\w-]{43}$/.test(existing)) return existing;
    const token = randomBytes(32).toString("base64url");
    setCookie(c, FORM_COOKIE, token, cookieBase);
    return token;
  };

  const signedIn = (c: Context<AdminEnv>): SignedIn | undefined => {
    const auth = c.get("auth");
    return auth && { name: auth.user.name, role: auth.user.role, csrf: auth.session.csrfToken };
  };

  const message = (
    c: Context<AdminEnv>,
    status: 400 | 403 | 404,
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
  const csrfRefused = (c: Context<AdminEnv>) =>
    message(c, 403, "csrf.title", c.get("t")("csrf.body"));

  const entryPoint = () => (services.users.isEmpty() ? "/admin/setup" : "/admin/login");

  /** Reads a urlencoded or multipart form into strings; undefined when it cannot be read. */
  const readForm = async (c: Context<AdminEnv>) => {
    try {
      const body = await c.req.parseBody();
      return Object.fromEntries(
        Object.entries(body).map(([k, v]) => [k, typeof v === "string" ? v : ""]),
      );
    } catch {
      return undefined;
    }
  };

  // Every answer: not cached, not framed, no scripts or outside resources.
  admin.use(async (c, next) => {
    const lang = pickLanguage(getCookie(c, LANG_COOKIE), c.req.header("accept-language"));
    c.set("lang", lang);
    c.set("t", translator(lang));
    const cookie = getCookie(c, SESSION_COOKIE);
    const auth = cookie ? services.sessions.findValid(cookie) : undefined;
    c.set("auth", auth);
    if (cookie && auth && services.sessions.touch(auth.session)) setSessionCookie(c, cookie);
    await next();
    c.header("Cache-Control", "no-store");
    c.header("X-Frame-Options", "DENY");
    c.header("Referrer-Policy", "same-origin");
    c.header("X-Content-Type-Options", "nosniff");
    c.header(
      "Content-Security-Policy",
      "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
  });

  /**
   * Signed-in pages. Every POST must carry the session's CSRF token; viewers read but never
   * post; `roles` narrows further (e.g. only admins manage accounts).
   */
  const protect =
    (roles: readonly Role[] = ROLES): MiddlewareHandler<AdminEnv> =>
    async (c, next) => {
      const auth = c.get("auth");
      if (!auth) return c.redirect(entryPoint(), 303);
      let allowed = roles;
      if (c.req.method === "POST") {
        const form = await readForm(c);
        if (!form) return message(c, 400, "badRequest.title", c.get("t")("badRequest.body"));
        if (!sameToken(form._csrf, auth.session.csrfToken)) return csrfRefused(c);
        c.set("form", form);
        allowed = roles.filter((r) => r !== "viewer");
      }
      if (!allowed.includes(auth.user.role)) {
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

  const startSession = (c: Context<AdminEnv>, userId: number) => {
    services.sessions.purgeExpired();
    const { cookie } = services.sessions.create(userId);
    setSessionCookie(c, cookie);
    return c.redirect("/admin", 303);
  };

  // ---- first-run setup ----

  const setupPage = (
    c: Context<AdminEnv>,
    values: Record<string, string> = {},
    errors: Errors = {},
  ) =>
    c.html(
      <SetupPage
        t={c.get("t")}
        lang={c.get("lang")}
        csrf={formToken(c)}
        minPasswordLength={MIN_PASSWORD_LENGTH}
        existingTerritory={services.territories.list()[0]?.name}
        values={values}
        errors={errors}
      />,
      Object.values(errors).some(Boolean) ? 400 : 200,
    );

  admin.get("/setup", (c) => {
    if (!services.users.isEmpty()) return c.redirect("/admin/login", 303);
    return setupPage(c);
  });

  admin.post("/setup", async (c) => {
    if (!services.users.isEmpty()) return c.redirect("/admin/login", 303);
    const form = await readForm(c);
    if (!form) return message(c, 400, "badRequest.title", c.get("t")("badRequest.body"));
    if (!sameToken(form._csrf, getCookie(c, FORM_COOKIE))) return csrfRefused(c);
    const t = c.get("t");
    const values = Object.fromEntries(
      ["territoryName", "slug", "country", "region", "languages", "name", "email"].map((k) => [
        k,
        str(form, k),
      ]),
    );
    const errors: Errors = {};
    const hasTerritory = services.territories.list().length > 0;
    let profile: TerritoryProfile | undefined;
    if (!hasTerritory) {
      const parsed = territoryProfileSchema.safeParse({
        slug: values.slug,
        name: values.territoryName,
        country: values.country?.toUpperCase(),
        ...(values.region ? { region: values.region } : {}),
        languages: (values.languages ?? "").split(/[\s,;]+/).filter(Boolean),
      });
      if (parsed.success) profile = parsed.data;
      else {
        const fields: Record<string, [string, MessageKey]> = {
          slug: ["slug", "error.slug"],
          name: ["territoryName", "error.required"],
          country: ["country", "error.country"],
          region: ["region", "error.region"],
          languages: ["languages", "error.languages"],
        };
        for (const issue of parsed.error.issues) {
          const [field, key] = fields[String(issue.path[0])] ?? ["territoryName", "error.invalid"];
          errors[field] ??= t(key);
        }
      }
    }
    const account = {
      name: str(form, "name"),
      email: str(form, "email"),
      password: form.password ?? "",
    };
    Object.assign(errors, accountErrors(t, { ...account, role: "admin" }));
    if (account.password !== (form.passwordConfirm ?? "")) {
      errors.passwordConfirm ??= t("error.passwordMismatch");
    }
    if (Object.values(errors).some(Boolean)) return setupPage(c, values, errors);
    try {
      const user = await services.users.createFirstAdmin(account, () => {
        if (profile) services.territories.create(profile, `setup:${account.email.toLowerCase()}`);
      });
      return startSession(c, user.id);
    } catch (error) {
      if (error instanceof ConflictError && services.users.isEmpty()) {
        // The territory slug was taken between the check and the write: say so on the form.
        return setupPage(c, values, { slug: t("error.invalid") });
      }
      if (error instanceof ConflictError) return c.redirect("/admin/login", 303);
      throw error;
    }
  });

  // ---- sign in and out ----

  const loginPage = (
    c: Context<AdminEnv>,
    props: { email?: string; error?: string; notice?: string } = {},
    status: 200 | 401 | 429 = 200,
  ) =>
    c.html(
      <LoginPage t={c.get("t")} lang={c.get("lang")} csrf={formToken(c)} {...props} />,
      status,
    );

  admin.get("/login", (c) => {
    if (services.users.isEmpty()) return c.redirect("/admin/setup", 303);
    if (c.get("auth")) return c.redirect("/admin", 303);
    const notice =
      c.req.query("signedOut") !== undefined ? c.get("t")("login.signedOut") : undefined;
    return loginPage(c, notice ? { notice } : {});
  });

  admin.post("/login", async (c) => {
    const form = await readForm(c);
    if (!form) return message(c, 400, "badRequest.title", c.get("t")("badRequest.body"));
    if (!sameToken(form._csrf, getCookie(c, FORM_COOKIE))) return csrfRefused(c);
    const t = c.get("t");
    const email = str(form, "email").toLowerCase();
    const key = `${email}|${clientAddress(c)}`;
    const wait = throttle.wait(key);
    if (wait > 0)
      return loginPage(c, { email, error: t("login.throttled", { minutes: wait }) }, 429);
    // Counted before the (slow) password check, so parallel guesses cannot all slip through.
    throttle.fail(key);
    const user = await services.users.authenticate(email, form.password ?? "");
    if (!user) return loginPage(c, { email, error: t("login.failed") }, 401);
    throttle.succeed(key);
    return startSession(c, user.id);
  });

  admin.post("/logout", async (c) => {
    const auth = c.get("auth");
    if (!auth) return c.redirect("/admin/login", 303);
    const form = await readForm(c);
    if (!form || !sameToken(form._csrf, auth.session.csrfToken)) return csrfRefused(c);
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie) services.sessions.delete(cookie);
    deleteCookie(c, SESSION_COOKIE, cookieBase);
    c.set("auth", undefined);
    return c.redirect("/admin/login?signedOut", 303);
  });

  admin.get("/lang/:lang", (c) => {
    const lang = c.req.param("lang");
    if (isLang(lang)) {
      setCookie(c, LANG_COOKIE, lang, {
        path: "/",
        sameSite: "Lax",
        secure: options.secureCookies,
        maxAge: 365 * 24 * 3600,
      });
    }
    const back = c.req.query("back") ?? "";
    return c.redirect(/^\/admin(\/[\w/-]*)?$/.test(back) ? back : "/admin", 303);
  });

  // ---- signed in ----

  admin.get("/", protect(), (c) => {
    const user = signedIn(c);
    if (!user) return c.redirect(entryPoint(), 303);
    const territory = services.territories.list()[0];
    return c.html(
      <AdminHomePage
        t={c.get("t")}
        lang={c.get("lang")}
        user={user}
        territory={
          territory && {
            name: territory.name,
            country: territory.country,
            region: territory.region ?? undefined,
            languages: territory.languages,
            publicUrl: territoryActorId(publicUrl, territory.slug),
          }
        }
      />,
    );
  });

  const usersPage = (
    c: Context<AdminEnv>,
    props: { values?: Record<string, string>; errors?: Errors; notice?: string } = {},
    status: 200 | 400 | 409 = 200,
  ) => {
    const auth = c.get("auth");
    const user = signedIn(c);
    if (!auth || !user) return c.redirect(entryPoint(), 303);
    return c.html(
      <UsersPage
        t={c.get("t")}
        lang={c.get("lang")}
        user={user}
        currentUserId={auth.user.id}
        minPasswordLength={MIN_PASSWORD_LENGTH}
        users={services.users.list()}
        {...props}
      />,
      status,
    );
  };
  const actorOf = (c: Context<AdminEnv>) => `user:${c.get("auth")?.user.email ?? "unknown"}`;

  admin.get("/users", protect(["admin"]), (c) =>
    usersPage(
      c,
      c.req.query("updated") !== undefined ? { notice: c.get("t")("users.updated") } : {},
    ),
  );

  admin.post("/users", protect(["admin"]), async (c) => {
    const t = c.get("t");
    const form = c.get("form");
    const values = { name: str(form, "name"), email: str(form, "email"), role: str(form, "role") };
    const input = { ...values, password: form.password ?? "" };
    const errors = accountErrors(t, input);
    if (Object.values(errors).some(Boolean)) return usersPage(c, { values, errors }, 400);
    try {
      const created = await services.users.create(
        input as typeof input & { role: Role },
        actorOf(c),
      );
      return usersPage(c, { notice: t("users.created", { email: created.email }) });
    } catch (error) {
      if (error instanceof InvalidInputError) {
        return usersPage(c, { values, errors: { email: t("error.emailTaken") } }, 400);
      }
      throw error;
    }
  });

  const userAction =
    (act: (id: number, form: Record<string, string>, actor: string) => void) =>
    (c: Context<AdminEnv>) => {
      const id = Number(c.req.param("id"));
      if (!Number.isSafeInteger(id)) return c.notFound();
      try {
        act(id, c.get("form"), actorOf(c));
      } catch (error) {
        if (error instanceof ConflictError) {
          return usersPage(c, { notice: c.get("t")("users.conflict") }, 409);
        }
        if (error instanceof NotFoundError) return c.notFound();
        throw error;
      }
      return c.redirect("/admin/users?updated", 303);
    };

  admin.post("/users/:id/role", protect(["admin"]), (c) => {
    const role = str(c.get("form"), "role");
    if (!ROLES.includes(role as Role)) {
      return usersPage(c, { notice: c.get("t")("error.role") }, 400);
    }
    return userAction((id, _form, actor) => services.users.changeRole(id, role as Role, actor))(c);
  });
  admin.post(
    "/users/:id/disable",
    protect(["admin"]),
    userAction((id, _form, actor) => services.users.disable(id, actor)),
  );

  // ---- groups and criteria entry ----

  const EDITORS: readonly Role[] = ["admin", "facilitator"];
  const territoryOf = () => services.territories.list()[0];
  const canEdit = (c: Context<AdminEnv>) => EDITORS.includes(c.get("auth")?.user.role ?? "viewer");
  const idParam = (c: Context<AdminEnv>, name: string) => {
    const id = Number(c.req.param(name));
    return Number.isSafeInteger(id) && id > 0 ? id : undefined;
  };
  const notFound = (c: Context<AdminEnv>) =>
    message(c, 404, "badRequest.title", c.get("t")("groups.noTerritory"));
  /** The group named in the path, in the node's territory; undefined when there is none. */
  const groupOf = (c: Context<AdminEnv>) => {
    const territory = territoryOf();
    const id = idParam(c, "id");
    if (!territory || id === undefined) return undefined;
    try {
      return { territory, group: services.groups.get(territory.slug, id) };
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  };
  const categoryOptions = (c: Context<AdminEnv>) =>
    services.categories.list().map((cat) => ({
      code: cat.code,
      label: c.get("lang") === "fr" ? cat.labelFr : cat.labelEn,
    }));

  admin.get("/groups", protect(), (c) => {
    const user = signedIn(c);
    if (!user) return c.redirect(entryPoint(), 303);
    const territory = territoryOf();
    const labels = new Map(categoryOptions(c).map((cat) => [cat.code, cat.label]));
    const t = c.get("t");
    const notice = c.req.query("updated") !== undefined ? t("groups.updated") : undefined;
    return c.html(
      <GroupsPage
        t={t}
        lang={c.get("lang")}
        user={user}
        canEdit={canEdit(c)}
        hasTerritory={territory !== undefined}
        notice={notice}
        groups={(territory ? services.groups.list(territory.slug) : []).map((g) => ({
          id: g.id,
          label: g.label,
          category: labels.get(g.category) ?? g.category,
          sessionDates: g.sessionDates,
          participants: g.participants,
          criteria: g.criteria ?? 0,
        }))}
      />,
    );
  });

  const groupFormPage = (
    c: Context<AdminEnv>,
    group: { id: number; label: string } | undefined,
    values: Record<string, string>,
    errors: Errors = {},
  ) => {
    const user = signedIn(c);
    if (!user) return c.redirect(entryPoint(), 303);
    return c.html(
      <GroupFormPage
        t={c.get("t")}
        lang={c.get("lang")}
        user={user}
        group={group}
        categories={categoryOptions(c)}
        values={values}
        errors={errors}
      />,
      Object.values(errors).some(Boolean) ? 400 : 200,
    );
  };

  admin.get("/groups/new", protect(EDITORS), (c) => {
    if (!territoryOf()) return notFound(c);
    return groupFormPage(c, undefined, { cycle: "0" });
  });

  admin.get("/groups/:id/edit", protect(EDITORS), (c) => {
    const found = groupOf(c);
    if (!found) return c.notFound();
    const g = groupView(found.group);
    const values: Record<string, string> = {
      label: g.label,
      category: g.category,
      sessionDates: g.sessionDates.join(", "),
      participants: String(g.participants),
      cycle: String(g.cycle),
      notes: g.notes ?? "",
    };
    for (const band of GENDER_FIELDS) {
      const n = g.margins.gender?.[band];
      if (n !== undefined) values[`gender_${band}`] = String(n);
    }
    for (const band of AGE_FIELDS) {
      const n = g.margins.age?.[band];
      if (n !== undefined) values[`age_${band}`] = String(n);
    }
    return groupFormPage(c, { id: g.id, label: g.label }, values);
  });

  /** Saves a group form (create or update); the form comes back with messages when wrong. */
  const saveGroup = (c: Context<AdminEnv>, existing: { id: number; label: string } | undefined) => {
    const territory = territoryOf();
    if (!territory) return notFound(c);
    const t = c.get("t");
    const form = c.get("form");
    const { values, errors, group } = parseGroupForm(t, form);
    if (!services.categories.exists(values.category ?? "")) errors.category ??= t("error.category");
    if (!group || Object.values(errors).some(Boolean)) {
      return groupFormPage(c, existing, values, errors);
    }
    try {
      if (existing) {
        services.groups.update(
          territory.slug,
          existing.id,
          { ...group, margins: group.margins, notes: group.notes },
          actorOf(c),
        );
        return c.redirect("/admin/groups?updated", 303);
      }
      const row = services.groups.create(territory.slug, group, actorOf(c));
      return c.redirect(`/admin/groups/${row.id}/criteria?question=Q1&created`, 303);
    } catch (error) {
      if (error instanceof InvalidInputError) {
        for (const issue of error.issues) {
          const field = issue.path.split(".")[0] ?? "label";
          errors[field in values || field === "category" ? field : "label"] ??= t("error.invalid");
        }
        return groupFormPage(c, existing, values, errors);
      }
      throw error;
    }
  };

  admin.post("/groups", protect(EDITORS), (c) => saveGroup(c, undefined));
  admin.post("/groups/:id", protect(EDITORS), (c) => {
    const found = groupOf(c);
    if (!found) return c.notFound();
    return saveGroup(c, { id: found.group.id, label: found.group.label });
  });

  const criteriaPage = (
    c: Context<AdminEnv>,
    found: NonNullable<ReturnType<typeof groupOf>>,
    props: {
      question: QuestionCode;
      paste: boolean;
      values: { text?: string; lines?: string; language: string };
      errors?: { text?: string; language?: string; lines?: string[] };
      notice?: string | undefined;
    },
    status: 200 | 400 = 200,
  ) => {
    const user = signedIn(c);
    if (!user) return c.redirect(entryPoint(), 303);
    const { items } = services.criteria.list(found.territory.slug, {
      groupId: found.group.id,
      question: props.question,
      limit: 10_000,
      offset: 0,
    });
    return c.html(
      <CriteriaPage
        t={c.get("t")}
        lang={c.get("lang")}
        user={user}
        canEdit={canEdit(c)}
        group={{ id: found.group.id, label: found.group.label }}
        criteria={items}
        errors={props.errors ?? {}}
        question={props.question}
        paste={props.paste}
        values={props.values}
        notice={props.notice}
      />,
      status,
    );
  };
  const asQuestion = (value: string | undefined): QuestionCode | undefined =>
    QUESTION_CODES.find((q) => q === value);

  admin.get("/groups/:id/criteria", protect(), (c) => {
    const found = groupOf(c);
    if (!found) return c.notFound();
    const t = c.get("t");
    const query = c.req.query();
    const added = Number(query.added);
    const notice =
      query.created !== undefined
        ? t("groups.created", { label: found.group.label })
        : query.deleted !== undefined
          ? t("criteria.deleted")
          : added === 1
            ? t("criteria.added")
            : added > 1
              ? t("criteria.addedMany", { count: added })
              : undefined;
    return criteriaPage(c, found, {
      question: asQuestion(query.question) ?? "Q1",
      paste: query.mode === "paste",
      values: { language: query.language ?? found.territory.languages[0] ?? "" },
      notice,
    });
  });

  admin.post("/groups/:id/criteria", protect(EDITORS), (c) => {
    const found = groupOf(c);
    if (!found) return c.notFound();
    const t = c.get("t");
    const form = c.get("form");
    const question = asQuestion(str(form, "question"));
    if (!question) return message(c, 400, "badRequest.title", t("badRequest.body"));
    const paste = form.mode === "paste";
    const language = str(form, "language");
    const values = paste
      ? { lines: form.lines ?? "", language }
      : { text: str(form, "text"), language };
    const errors: { text?: string; language?: string; lines?: string[] } = {};
    if (language && !languageTag.safeParse(language).success) errors.language = t("error.language");

    // Each criterion with the line it came from (1 in the single mode).
    const entries: Array<{ line: number; text: string }> = [];
    const lineErrors: string[] = [];
    if (paste) {
      (form.lines ?? "").split(/\r\n|\r|\n/).forEach((raw, index) => {
        const text = raw.trim();
        if (!text) return;
        if (text.length > 2000) {
          lineErrors.push(t("error.line", { line: index + 1, message: t("error.criterionLong") }));
        }
        entries.push({ line: index + 1, text });
      });
      if (entries.length === 0) lineErrors.push(t("error.pasteEmpty"));
      if (lineErrors.length > 0) errors.lines = lineErrors;
    } else {
      const text = str(form, "text");
      if (!text) errors.text = t("error.criterionEmpty");
      else if (text.length > 2000) errors.text = t("error.criterionLong");
      entries.push({ line: 1, text });
    }
    const failed = () => criteriaPage(c, found, { question, paste, values, errors }, 400);
    if (errors.text || errors.language || errors.lines) return failed();
    try {
      services.criteria.add(
        found.territory.slug,
        found.group.id,
        entries.map((e) => ({ question, text: e.text, ...(language ? { language } : {}) })),
        actorOf(c),
      );
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      for (const issue of error.issues) {
        const [index = "0", field = ""] = issue.path.split(".");
        if (field === "language") errors.language = t("error.language");
        else {
          const entry = entries[Number(index)];
          const problem = t("error.invalid");
          if (paste) {
            errors.lines = [
              ...(errors.lines ?? []),
              t("error.line", { line: entry?.line ?? 0, message: problem }),
            ];
          } else errors.text = problem;
        }
      }
      return failed();
    }
    const back = new URLSearchParams({ question });
    if (paste) back.set("mode", "paste");
    if (language !== (found.territory.languages[0] ?? "")) back.set("language", language);
    back.set("added", String(entries.length));
    return c.redirect(`/admin/groups/${found.group.id}/criteria?${back}`, 303);
  });

  admin.post("/groups/:id/criteria/:criterionId/delete", protect(EDITORS), (c) => {
    const found = groupOf(c);
    const criterionId = idParam(c, "criterionId");
    if (!found || criterionId === undefined) return c.notFound();
    let question: string;
    try {
      const criterion = services.criteria.get(found.territory.slug, criterionId);
      if (criterion.groupId !== found.group.id) return c.notFound();
      question = criterion.question;
      services.criteria.delete(found.territory.slug, criterionId, actorOf(c));
    } catch (error) {
      if (error instanceof NotFoundError) return c.notFound();
      throw error;
    }
    return c.redirect(`/admin/groups/${found.group.id}/criteria?question=${question}&deleted`, 303);
  });

  // ---- classification ----

  /** Unclassified criteria read at once to find the one in focus; the page lists fewer. */
  const QUEUE_WINDOW = 500;
  const QUEUE_SHOWN = 20;
  const REVIEW_SHOWN = 100;
  const RECENT_CODES = 8;
  const { grid } = services.ctx;

  const pickerEntry = (lang: Lang, entry: GridEntry, code = entry.code): PickerEntry => {
    const other: Lang = lang === "fr" ? "en" : "fr";
    return {
      code,
      label: entry.label[lang],
      other: entry.label[other],
      otherLang: other,
      provisional: entry.provisional,
    };
  };
  /** A full code (A01/P15) as a picker entry labelled by its component or dimension. */
  const codeEntry = (lang: Lang, code: string): PickerEntry | undefined => {
    try {
      const parsed = parseSpiralCode(code, grid);
      const entry = grid.entry(parsed.namesComponent ? parsed.component : parsed.dimension);
      return entry && pickerEntry(lang, entry, parsed.canonical);
    } catch (error) {
      if (error instanceof SpiralCodeError) return undefined; // coded under another grid
      throw error;
    }
  };
  const positiveInt = (value: string | undefined) => {
    const n = Number(value);
    return value && Number.isSafeInteger(n) && n > 0 ? n : undefined;
  };

  const classifyPage = (
    c: Context<AdminEnv>,
    props: {
      tab?: "queue" | "review";
      focusId?: number | undefined;
      after?: number | undefined;
      code?: string;
      error?: string;
      q?: string;
      notice?: string | undefined;
    },
    status: 200 | 400 = 200,
  ) => {
    const user = signedIn(c);
    if (!user) return c.redirect(entryPoint(), 303);
    const lang = c.get("lang");
    const territory = territoryOf();
    const q = (props.q ?? "").slice(0, 100);
    const base = {
      t: c.get("t"),
      lang,
      user,
      canEdit: canEdit(c),
      tab: props.tab ?? "queue",
      code: props.code ?? "",
      error: props.error,
      q,
      notice: props.notice,
    } as const;
    if (!territory) {
      return c.html(
        <ClassifyPage
          {...base}
          hasTerritory={false}
          queue={[]}
          queueTotal={0}
          results={[]}
          recent={[]}
          review={[]}
          reviewTotal={0}
        />,
        status,
      );
    }
    const { slug } = territory;
    const groupLabels = new Map(services.groups.list(slug).map((g) => [g.id, g.label]));
    const item = (v: ReturnType<typeof criterionView>): ClassifyItem => ({
      id: v.id,
      text: v.text,
      language: v.language,
      question: v.question,
      group: groupLabels.get(v.groupId) ?? String(v.groupId),
      code: v.code,
      label: v.component ? grid.entry(v.component)?.label[lang] : undefined,
    });
    const unclassified = services.criteria.list(slug, {
      status: "unclassified",
      limit: QUEUE_WINDOW,
      offset: 0,
    });
    const waiting = unclassified.items.map(item);
    let index =
      props.focusId !== undefined
        ? waiting.findIndex((i) => i.id === props.focusId)
        : props.after !== undefined
          ? waiting.findIndex((i) => i.id > (props.after ?? 0))
          : 0;
    let focus = waiting[index];
    if (!focus && props.focusId !== undefined) {
      // A criterion already classified, named on purpose (or re-shown with its error).
      try {
        focus = item(criterionView(services.criteria.get(slug, props.focusId)));
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
    }
    if (!focus) {
      index = 0;
      focus = waiting[0];
    }
    const queue = waiting.slice(Math.max(index, 0), Math.max(index, 0) + QUEUE_SHOWN);
    const proposed = services.criteria.list(slug, {
      status: "proposed",
      limit: REVIEW_SHOWN,
      offset: 0,
    });
    return c.html(
      <ClassifyPage
        {...base}
        hasTerritory={true}
        queue={queue}
        queueTotal={unclassified.total}
        focus={focus}
        results={searchGrid(grid, q).map((entry) => pickerEntry(lang, entry))}
        recent={services.criteria
          .recentCodes(slug, RECENT_CODES)
          .flatMap((code) => codeEntry(lang, code) ?? [])}
        review={proposed.items.map(item)}
        reviewTotal={proposed.total}
      />,
      status,
    );
  };

  admin.get("/classify", protect(), (c) => {
    const t = c.get("t");
    const query = c.req.query();
    const validated = positiveInt(query.validated) ?? (query.validated === "0" ? 0 : undefined);
    const notice =
      query.saved !== undefined
        ? t("classify.saved", { code: query.saved.slice(0, 40) })
        : query.skipped !== undefined
          ? t("classify.skipped")
          : validated !== undefined
            ? t("classify.validatedMany", { count: validated })
            : undefined;
    return classifyPage(c, {
      tab: query.tab === "review" ? "review" : "queue",
      focusId: positiveInt(query.focus),
      after: positiveInt(query.after),
      code: (query.code ?? "").trim().slice(0, 40),
      q: query.q ?? "",
      notice,
    });
  });

  admin.post("/classify/validate", protect(EDITORS), (c) => {
    const territory = territoryOf();
    if (!territory) return notFound(c);
    const ids = str(c.get("form"), "ids")
      .split(",")
      .slice(0, 1000)
      .flatMap((raw) => positiveInt(raw.trim()) ?? []);
    const changed =
      ids.length > 0 ? services.criteria.validate(territory.slug, ids, actorOf(c)) : 0;
    return c.redirect(`/admin/classify?tab=review&validated=${changed}`, 303);
  });

  admin.post("/classify/:id", protect(EDITORS), (c) => {
    const territory = territoryOf();
    const id = idParam(c, "id");
    if (!territory) return notFound(c);
    if (id === undefined) return c.notFound();
    const t = c.get("t");
    const form = c.get("form");
    const action = str(form, "action");
    try {
      services.criteria.get(territory.slug, id);
    } catch (error) {
      if (error instanceof NotFoundError) return c.notFound();
      throw error;
    }
    if (action === "skip") return c.redirect(`/admin/classify?after=${id}&skipped`, 303);
    if (action !== "proposed" && action !== "validated") {
      return message(c, 400, "badRequest.title", t("badRequest.body"));
    }
    const code = str(form, "code").slice(0, 100);
    const refuse = (error: string) => classifyPage(c, { focusId: id, code, error }, 400);
    if (!code) return refuse(t("classify.error.empty"));
    let canonical: string;
    try {
      canonical = parseSpiralCode(code, grid).canonical;
    } catch (error) {
      if (error instanceof SpiralCodeError) return refuse(error.reason);
      throw error;
    }
    services.criteria.classify(territory.slug, id, { code: canonical, status: action }, actorOf(c));
    return c.redirect(`/admin/classify?after=${id}&saved=${encodeURIComponent(canonical)}`, 303);
  });

  admin.onError((error, c) => {
    options.logger.error(`admin ${c.req.method} ${c.req.path} failed`, error);
    const lang = c.get("lang") ?? "en";
    const t = translator(lang);
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

const fold = (text: string) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

/**
 * The grid's components matching a search: a code prefix (A0, a03, A01/P15 → A01), or else every
 * word found in the English or French label, ignoring case and accents. Empty: all components.
 */
export function searchGrid(grid: Grid, query: string): GridEntry[] {
  const q = query.trim();
  if (!q) return [...grid.components];
  const code = /^([A-Za-z]\d{0,2})(?:-\d{0,2})?(?:\/.*)?$/.exec(q);
  if (code) {
    const prefix = (code[1] ?? "").toUpperCase();
    return grid.components.filter((entry) => entry.code.startsWith(prefix));
  }
  const words = fold(q)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  if (words.length === 0) return [];
  return grid.components.filter((entry) => {
    const text = fold(`${entry.label.en} ${entry.label.fr}`);
    return words.every((word) => text.includes(word));
  });
}

/** Field errors of an account form, translated (the rules are the users service's schema). */
function accountErrors(
  t: Translate,
  input: { name: string | undefined; email: string | undefined; password: string; role: string },
): Errors {
  const parsed = newUserSchema.safeParse(input);
  const errors: Errors = {};
  if (parsed.success) return errors;
  const keys: Record<string, MessageKey> = {
    name: "error.required",
    email: "error.email",
    password: "error.password",
    role: "error.role",
  };
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0]);
    errors[field] ??= t(keys[field] ?? "error.invalid", { min: MIN_PASSWORD_LENGTH });
  }
  return errors;
}

/** Reads a group form into a group for the service, with translated field messages. */
function parseGroupForm(
  t: Translate,
  form: Record<string, string>,
): { values: Record<string, string>; errors: Errors; group?: HomogeneousGroup } {
  const fields = [
    "label",
    "category",
    "sessionDates",
    "participants",
    "cycle",
    ...GENDER_FIELDS.map((b) => `gender_${b}`),
    ...AGE_FIELDS.map((b) => `age_${b}`),
  ];
  const values: Record<string, string> = Object.fromEntries(fields.map((k) => [k, str(form, k)]));
  values.notes = (form.notes ?? "").trim();
  const errors: Errors = {};
  /** A whole number, or NaN (so the schema refuses it), or undefined when empty. */
  const whole = (value: string | undefined) =>
    !value ? undefined : /^\d{1,7}$/.test(value) ? Number(value) : Number.NaN;
  const counts = (prefix: "gender" | "age", bands: readonly string[]) => {
    const out: Record<string, number> = {};
    for (const band of bands) {
      const n = whole(values[`${prefix}_${band}`]);
      if (n === undefined) continue;
      if (!Number.isInteger(n) || n > 10_000) errors[`${prefix}_${band}`] = t("error.count");
      else out[band] = n;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  };
  const gender = counts("gender", GENDER_FIELDS);
  const age = counts("age", AGE_FIELDS);
  const input = {
    label: values.label,
    category: values.category,
    sessionDates: (values.sessionDates ?? "").split(/[\s,;]+/).filter(Boolean),
    participants: whole(values.participants),
    cycle: whole(values.cycle) ?? 0,
    ...(gender || age
      ? { margins: { ...(gender ? { gender } : {}), ...(age ? { age } : {}) } }
      : {}),
    ...(values.notes ? { notes: values.notes } : {}),
  };
  const parsed = homogeneousGroupSchema.safeParse(input);
  if (parsed.success) return { values, errors, group: parsed.data };
  const keys: Record<string, MessageKey> = {
    label: "error.label",
    category: "error.category",
    sessionDates: "error.sessionDates",
    participants: "error.participants",
    cycle: "error.cycle",
    notes: "error.notes",
  };
  for (const issue of parsed.error.issues) {
    const [field = "label", margin, band] = issue.path.map(String);
    if (field === "margins" && (margin === "gender" || margin === "age")) {
      if (band) errors[`${margin}_${band}`] ??= t("error.count");
      else errors[margin] ??= t("error.marginsTotal");
    } else errors[field in keys ? field : "label"] ??= t(keys[field] ?? "error.invalid");
  }
  return { values, errors };
}
