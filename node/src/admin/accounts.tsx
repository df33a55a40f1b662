import { AccountPage } from "@spiral-network/admin-ui/admin/account-page";
import { AdminHomePage } from "@spiral-network/admin-ui/admin/home-page";
import { LoginPage } from "@spiral-network/admin-ui/admin/login-page";
import { SetupPage } from "@spiral-network/admin-ui/admin/setup-page";
import { UsersPage } from "@spiral-network/admin-ui/admin/users-page";
import { isLang, type MessageKey, type Translate } from "@spiral-network/admin-ui/i18n";
import { type TerritoryProfile, territoryProfileSchema } from "@spiral-network/protocol";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Actor } from "../app/index";
import { ConflictError, InvalidInputError, NotFoundError } from "../services/errors";
import type { Services } from "../services/index";
import { territoryActorId } from "../services/territories";
import {
  MIN_PASSWORD_LENGTH,
  newUserSchema,
  passwordSchema,
  ROLES,
  type Role,
} from "../services/users";
import {
  type AdminApp,
  type AdminContext,
  type AdminKit,
  type Errors,
  sameToken,
  str,
} from "./kit";
import { createKnownDevices, DEVICE_COOKIE, DEVICE_COOKIE_MAX_AGE_S } from "./known-devices";
import {
  ACCOUNT_POLICY,
  ADDRESS_POLICY,
  clientAddress,
  createBackoffThrottle,
  minutesOf,
  SETUP_CODE_POLICY,
} from "./throttle";

export const SESSION_COOKIE = "spiral_session";
/** The double-submit token of the forms used before there is a session (setup, login). */
export const FORM_COOKIE = "spiral_form";
export const LANG_COOKIE = "lang";

/**
 * What signing in needs before there is anyone to act as (first-run setup, login, logout, one's
 * own password): the accounts, sessions and territories themselves. Everything done as a
 * signed-in account goes through the application layer (`kit.app`).
 */
export type SignInServices = Pick<Services, "users" | "sessions" | "territories" | "ctx">;

/** First-run setup, sign in and out, the language switch, the home page and accounts. */
export function registerAccountRoutes(admin: AdminApp, kit: AdminKit, services: SignInServices) {
  const { options, protect, message, csrfRefused, readForm } = kit;
  const { formToken, startSession, actorOf, cookieBase } = kit;
  const { publicUrl, now } = services.ctx;
  const { setupCode, trustProxy } = options;
  const logger = options.logger.child("accounts");
  // Sign-in failures per account (from anywhere) and per client address (across accounts).
  const accountThrottle = createBackoffThrottle(now, ACCOUNT_POLICY);
  const addressThrottle = createBackoffThrottle(now, ADDRESS_POLICY);
  const setupThrottle = createBackoffThrottle(now, SETUP_CODE_POLICY);
  const devices = createKnownDevices(services.ctx.db);
  /** Marks this browser as one where `email` signed in (see known-devices.ts). */
  const rememberDevice = (c: AdminContext, email: string) =>
    setCookie(c, DEVICE_COOKIE, devices.issue(email), {
      ...cookieBase,
      maxAge: DEVICE_COOKIE_MAX_AGE_S,
    });
  const addressOf = (c: AdminContext) => clientAddress(c, trustProxy);
  // ---- first-run setup ----

  const setupPage = (
    c: AdminContext,
    values: Record<string, string> = {},
    errors: Errors = {},
    status?: 403 | 429,
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
      status ?? (Object.values(errors).some(Boolean) ? 400 : 200),
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
    const refused = checkSetupCode(c, form.setupCode ?? "", values);
    if (refused) return refused;
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
      setupCode.retire();
      logger.info(`first-run setup done: ${JSON.stringify(user.email)} is the first admin`);
      rememberDevice(c, user.email);
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

  /**
   * The setup code check: the re-rendered form when it is missing (400), wrong (403) or when
   * this address has given too many wrong ones (429); undefined when it is right.
   */
  function checkSetupCode(c: AdminContext, code: string, values: Record<string, string>) {
    const t = c.get("t");
    const key = addressOf(c);
    const wait = setupThrottle.waitMs(key);
    if (wait > 0) {
      const minutes = minutesOf(wait);
      return setupPage(c, values, { setupCode: t("setup.code.throttled", { minutes }) }, 429);
    }
    if (!code.trim()) return setupPage(c, values, { setupCode: t("setup.code.missing") });
    if (setupCode.check(code)) {
      setupThrottle.reset(key);
      return undefined;
    }
    const pause = setupThrottle.fail(key);
    if (pause > 0)
      logger.warn(`wrong setup codes from ${key}: setup paused ${minutesOf(pause)} min`);
    return setupPage(c, values, { setupCode: t("setup.code.wrong") }, 403);
  }

  // ---- sign in and out ----

  const loginPage = (
    c: AdminContext,
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

  /**
   * Where an attempt's failures count: a browser that signed in to this account before counts
   * on its own (its device cookie); anyone else on the account and on their address.
   */
  const attemptKeys = (c: AdminContext, email: string) => {
    const device = devices.verify(getCookie(c, DEVICE_COOKIE), email);
    return device
      ? { lock: `device|${device}`, device: true, address: undefined }
      : { lock: `login|${email}`, device: false, address: addressOf(c) };
  };
  type AttemptKeys = ReturnType<typeof attemptKeys>;

  /** The 429 page when this attempt must wait; undefined when it may go ahead. */
  const loginWait = (c: AdminContext, email: string, keys: AttemptKeys) => {
    const t = c.get("t");
    const lockWait = accountThrottle.waitMs(keys.lock);
    if (lockWait > 0) {
      const minutes = minutesOf(lockWait);
      const error = t(keys.device ? "login.deviceThrottled" : "login.throttled", { minutes });
      return loginPage(c, { email, error }, 429);
    }
    const addressWait = keys.address ? addressThrottle.waitMs(keys.address) : 0;
    if (addressWait > 0) {
      const minutes = minutesOf(addressWait);
      return loginPage(c, { email, error: t("login.addressThrottled", { minutes }) }, 429);
    }
    return undefined;
  };

  /** Tells the operator's log when a failure starts a pause (attacker input JSON-quoted). */
  const logPauses = (email: string, keys: AttemptKeys, lockPause: number, addressPause: number) => {
    const who = keys.device ? "a browser known to " : "";
    if (lockPause > 0) {
      logger.warn(
        `sign-in to ${who}${JSON.stringify(email)} paused ${minutesOf(lockPause)} min after repeated wrong passwords (last from ${keys.address ?? "a known browser"})`,
      );
    }
    if (addressPause > 0) {
      logger.warn(
        `sign-in from ${keys.address} paused ${minutesOf(addressPause)} min after repeated failures across accounts`,
      );
    }
  };

  admin.post("/login", async (c) => {
    const form = await readForm(c);
    if (!form) return message(c, 400, "badRequest.title", c.get("t")("badRequest.body"));
    if (!sameToken(form._csrf, getCookie(c, FORM_COOKIE))) return csrfRefused(c);
    const email = str(form, "email").toLowerCase();
    const keys = attemptKeys(c, email);
    const waiting = loginWait(c, email, keys);
    if (waiting) return waiting;
    // Counted before the (slow) password check, so parallel guesses cannot all slip through.
    const lockPause = accountThrottle.fail(keys.lock);
    const addressPause = keys.address ? addressThrottle.fail(keys.address) : 0;
    const user = await services.users.authenticate(email, form.password ?? "");
    if (!user) {
      logPauses(email, keys, lockPause, addressPause);
      return loginPage(c, { email, error: c.get("t")("login.failed") }, 401);
    }
    accountThrottle.reset(keys.lock);
    if (keys.address) addressThrottle.forgive(keys.address);
    rememberDevice(c, user.email);
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
    const user = kit.user(c);
    const territory = kit.territoryOf(c);
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

  // ---- my account ----

  const accountPage = (
    c: AdminContext,
    props: { errors?: Errors; notice?: string; newToken?: string } = {},
    status: 200 | 400 | 429 = 200,
  ) => {
    const user = kit.user(c);
    return c.html(
      <AccountPage
        t={c.get("t")}
        lang={c.get("lang")}
        user={user}
        email={kit.account(c).email}
        minPasswordLength={MIN_PASSWORD_LENGTH}
        tokens={kit.app.apiTokens.list(kit.actor(c))}
        {...props}
      />,
      status,
    );
  };

  admin.get("/account", protect(), (c) => {
    const t = c.get("t");
    const query = c.req.query();
    const notice =
      query.changed !== undefined
        ? t("account.changed")
        : query.revoked !== undefined
          ? t("tokens.revokedNotice")
          : undefined;
    return accountPage(c, notice ? { notice } : {});
  });

  // Personal API tokens (docs/running-a-node.md, "API tokens"): every role manages its own.
  admin.post("/account/tokens", protect(), (c) => {
    try {
      const { token } = kit.app.apiTokens.create(kit.actor(c), str(c.get("form"), "label"));
      return accountPage(c, { newToken: token });
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return accountPage(c, { errors: { label: c.get("t")("tokens.labelInvalid") } }, 400);
    }
  });

  admin.post("/account/tokens/:id/revoke", protect(), (c) => {
    const id = kit.idParam(c, "id");
    if (id === undefined) return c.notFound();
    try {
      kit.app.apiTokens.revoke(kit.actor(c), id);
    } catch (error) {
      if (error instanceof NotFoundError) return c.notFound();
      throw error;
    }
    return c.redirect("/admin/account?revoked", 303);
  });

  // Every role changes its own password, viewers included.
  admin.post("/account/password", protect(), async (c) => {
    const auth = c.get("auth");
    if (!auth) throw new Error("a protected route ran without a session");
    const form = c.get("form");
    const t = c.get("t");
    const current = form.currentPassword ?? "";
    const next = form.newPassword ?? "";
    const errors: Errors = {};
    if (!current) errors.currentPassword = t("error.required");
    if (!passwordSchema.safeParse(next).success) {
      errors.newPassword = t("error.password", { min: MIN_PASSWORD_LENGTH });
    }
    if (next !== (form.newPasswordConfirm ?? "")) {
      errors.newPasswordConfirm = t("error.passwordMismatch");
    }
    if (Object.values(errors).some(Boolean)) return accountPage(c, { errors }, 400);
    // Guessing the current password from a stolen session is slowed like a login.
    const key = `password-change|${auth.user.id}`;
    const wait = accountThrottle.waitMs(key);
    if (wait > 0) {
      const minutes = minutesOf(wait);
      return accountPage(
        c,
        { errors: { currentPassword: t("login.throttled", { minutes }) } },
        429,
      );
    }
    accountThrottle.fail(key);
    try {
      await services.users.changeOwnPassword(
        auth.user.id,
        { currentPassword: current, newPassword: next, keepSessionId: auth.session.id },
        actorOf(c),
      );
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      const wrong = error.issues.some((issue) => issue.path === "currentPassword");
      return accountPage(
        c,
        {
          errors: wrong
            ? { currentPassword: t("account.wrongPassword") }
            : { newPassword: t("error.password", { min: MIN_PASSWORD_LENGTH }) },
        },
        400,
      );
    }
    accountThrottle.reset(key);
    return c.redirect("/admin/account?changed", 303);
  });

  // ---- accounts (admins) ----

  const usersPage = (
    c: AdminContext,
    props: {
      values?: Record<string, string>;
      errors?: Errors;
      notice?: string;
      resetError?: { userId: number; message: string };
    } = {},
    status: 200 | 400 | 409 = 200,
  ) => {
    return c.html(
      <UsersPage
        t={c.get("t")}
        lang={c.get("lang")}
        user={kit.user(c)}
        currentUserId={kit.account(c).id}
        minPasswordLength={MIN_PASSWORD_LENGTH}
        users={kit.app.accounts.list(kit.actor(c))}
        {...props}
      />,
      status,
    );
  };

  admin.get("/users", protect("manageUsers"), (c) =>
    usersPage(
      c,
      c.req.query("updated") !== undefined ? { notice: c.get("t")("users.updated") } : {},
    ),
  );

  admin.post("/users", protect("manageUsers"), async (c) => {
    const t = c.get("t");
    const form = c.get("form");
    const values = { name: str(form, "name"), email: str(form, "email"), role: str(form, "role") };
    const input = { ...values, password: form.password ?? "" };
    const errors = accountErrors(t, input);
    if (Object.values(errors).some(Boolean)) return usersPage(c, { values, errors }, 400);
    try {
      const created = await kit.app.accounts.create(
        kit.actor(c),
        input as typeof input & {
          role: Role;
        },
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
    (act: (id: number, form: Record<string, string>, actor: Actor) => void) =>
    (c: AdminContext) => {
      const id = Number(c.req.param("id"));
      if (!Number.isSafeInteger(id)) return c.notFound();
      try {
        act(id, c.get("form"), kit.actor(c));
      } catch (error) {
        if (error instanceof ConflictError) {
          return usersPage(c, { notice: c.get("t")("users.conflict") }, 409);
        }
        if (error instanceof NotFoundError) return c.notFound();
        throw error;
      }
      return c.redirect("/admin/users?updated", 303);
    };

  admin.post("/users/:id/role", protect("manageUsers"), (c) => {
    const role = str(c.get("form"), "role");
    if (!ROLES.includes(role as Role)) {
      return usersPage(c, { notice: c.get("t")("error.role") }, 400);
    }
    return userAction((id, _form, actor) => kit.app.accounts.changeRole(actor, id, role as Role))(
      c,
    );
  });
  /** An admin types a new password for someone else; that person is signed out everywhere. */
  admin.post("/users/:id/password", protect("manageUsers"), async (c) => {
    const auth = c.get("auth");
    const id = kit.idParam(c, "id");
    if (!auth || id === undefined) return c.notFound();
    if (id === auth.user.id) return c.redirect("/admin/account#password", 303);
    const t = c.get("t");
    let target: ReturnType<typeof kit.app.accounts.get>;
    try {
      target = kit.app.accounts.get(kit.actor(c), id);
    } catch (error) {
      if (error instanceof NotFoundError) return c.notFound();
      throw error;
    }
    const password = c.get("form").password ?? "";
    if (!passwordSchema.safeParse(password).success) {
      const problem = t("error.password", { min: MIN_PASSWORD_LENGTH });
      return usersPage(
        c,
        {
          resetError: {
            userId: id,
            message: t("users.resetPassword.error", { name: target.name, message: problem }),
          },
        },
        400,
      );
    }
    await kit.app.accounts.resetPassword(kit.actor(c), id, password);
    return usersPage(c, { notice: t("users.resetPassword.done", { email: target.email }) });
  });

  admin.post(
    "/users/:id/disable",
    protect("manageUsers"),
    userAction((id, _form, actor) => kit.app.accounts.disable(actor, id)),
  );
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
