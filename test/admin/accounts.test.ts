import { pickLanguage, translator } from "@spiral-network/admin-ui/i18n";
import { SESSION_COOKIE } from "@spiral-network/node/admin";
import { createNode, type SpiralNode } from "@spiral-network/node/node";
import { hashPassword, verifyPassword } from "@spiral-network/node/services/users";
import { afterEach, describe, expect, it } from "vitest";
import { TEST_PASSWORD_COST } from "../support/password-cost";
import {
  type AdminTestNode,
  addFredAndVera,
  createAdminTestNode,
  csrfOf,
  PASSWORD,
  SETUP as SHARED_SETUP,
  setupCodeOf,
  setupForm,
  startSignedIn,
} from "./browser";

// The shared setup, with an e-mail in mixed case (accounts store it lower-cased).
const SETUP = { ...SHARED_SETUP, email: "Alice@Example.org" };

let t: AdminTestNode;
afterEach(async () => {
  await t?.close();
});

/** A node set up through the browser, with accounts of each role made by the service. */
async function nodeWithAccounts(options: { publicUrl?: string } = {}) {
  const started = await startSignedIn({ ...options, setup: SETUP });
  t = started.t;
  await addFredAndVera(t.node);
  return { admin: started.admin };
}

describe("first-run setup", () => {
  it("redirects everything to setup while no account exists", async () => {
    t = createAdminTestNode();
    const b = t.browser();
    expect((await b.get("/admin")).location).toBe("/admin/setup");
    expect((await b.get("/admin/login")).location).toBe("/admin/setup");
  });

  it("re-renders the form with field messages (400) and creates nothing when input is wrong", async () => {
    t = createAdminTestNode();
    const b = t.browser();
    const answer = await b.submit("/admin/setup", "/admin/setup", {
      ...setupForm(t.node, SETUP),
      slug: "Not A Slug",
      country: "XX",
      languages: "",
      email: "not-an-email",
      password: "short",
      passwordConfirm: "other",
    });
    expect(answer.status).toBe(400);
    for (const text of [
      "lower-case letters",
      "ISO country code",
      "language codes",
      "valid email",
      "At least 12",
      "passwords differ",
    ]) {
      expect(answer.text).toContain(text);
    }
    expect(answer.text).toContain('value="Testville"'); // what was typed is kept
    expect(t.node.services.territories.list()).toHaveLength(0);
    expect(t.node.services.users.isEmpty()).toBe(true);
  });

  it("creates the territory and the first admin, signs them in, then is closed", async () => {
    t = createAdminTestNode();
    const b = t.browser();
    const done = await b.submit("/admin/setup", "/admin/setup", setupForm(t.node, SETUP));
    expect(done.status, done.text).toBe(303);
    expect(done.location).toBe("/admin");
    expect(b.cookies.has(SESSION_COOKIE)).toBe(true);

    const [territory] = t.node.services.territories.list();
    expect(territory).toMatchObject({
      slug: "testville",
      name: "Testville",
      country: "FR",
      region: "FR-GES",
      languages: ["fr", "en"],
    });
    const [user] = t.node.services.users.list();
    expect(user).toMatchObject({ email: "alice@example.org", role: "admin", disabled: false });
    expect(user).not.toHaveProperty("passwordHash");

    const home = await b.get("/admin");
    expect(home.status).toBe(200);
    expect(home.text).toContain("Testville");
    expect(home.text).toContain("Alice Admin");

    // Closed: another browser is sent to the login page and cannot create a second admin.
    const other = t.browser();
    expect((await other.get("/admin/setup")).location).toBe("/admin/login");
    const form = await other.get("/admin/login");
    const again = await other.post("/admin/setup", {
      ...SETUP,
      email: "mallory@example.org",
      _csrf: csrfOf(form.text),
    });
    expect(again.status).toBe(303);
    expect(again.location).toBe("/admin/login");
    expect(t.node.services.users.list()).toHaveLength(1);
    await expect(
      t.node.services.users.createFirstAdmin({
        email: "m@example.org",
        name: "M",
        password: PASSWORD,
      }),
    ).rejects.toThrow(/already exists/);
  });

  it("asks only for the account when a territory already exists", async () => {
    t = createAdminTestNode();
    t.node.services.territories.create(
      { slug: "apiville", name: "Apiville", country: "BE", languages: ["fr"] },
      "api",
    );
    const b = t.browser();
    const page = await b.get("/admin/setup");
    expect(page.text).toContain("Apiville");
    expect(page.text).not.toContain('name="slug"');
    // The button says what it makes: only the account.
    expect(page.text).toContain("Create my account</button>");
    expect(page.text).not.toContain("Create the territory");
    const done = await b.post("/admin/setup", {
      _csrf: csrfOf(page.text),
      setupCode: setupCodeOf(t.node),
      name: "Ann",
      email: "ann@example.org",
      password: PASSWORD,
      passwordConfirm: PASSWORD,
    });
    expect(done.status, done.text).toBe(303);
    expect(t.node.services.territories.list()).toHaveLength(1);
  });

  it("refuses a setup form without its double-submit token", async () => {
    t = createAdminTestNode();
    const b = t.browser();
    await b.get("/admin/setup");
    const refused = await b.post("/admin/setup", { ...setupForm(t.node, SETUP), _csrf: "wrong" });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("This form has expired");
    expect(t.node.services.users.isEmpty()).toBe(true);
  });
});

describe("sign in and out", () => {
  it("refuses a wrong password (401) and sets a session cookie with the right attributes", async () => {
    await nodeWithAccounts();
    const b = t.browser();
    const wrong = await b.submit("/admin/login", "/admin/login", {
      email: "fred@example.org",
      password: "wrong password!!",
    });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain("Wrong email or password");
    expect(b.cookies.has(SESSION_COOKIE)).toBe(false);
    const unknown = await b.submit("/admin/login", "/admin/login", {
      email: "nobody@example.org",
      password: PASSWORD,
    });
    expect(unknown.status).toBe(401);

    const ok = await b.submit("/admin/login", "/admin/login", {
      email: " FRED@example.org ",
      password: PASSWORD,
    });
    expect(ok.status).toBe(303);
    expect(ok.location).toBe("/admin");
    const cookie = ok.setCookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`)) ?? "";
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\/admin(;|$)/);
    expect(cookie).toMatch(/; Max-Age=43200/);
    expect(cookie).not.toMatch(/Secure/);
    // Only a hash of the cookie is stored.
    const value = b.cookies.get(SESSION_COOKIE) ?? "";
    expect(value).toMatch(/^[\w-]{43}$/);
    expect(
      t.node.storage.sqlite.prepare("select count(*) as n from sessions where id = ?").get(value),
    ).toEqual({ n: 0 });
    expect((await b.get("/admin")).status).toBe(200);
  });

  it("marks cookies Secure when the public URL is https", async () => {
    await nodeWithAccounts({ publicUrl: "https://node.test" });
    const answer = await t.browser().login("fred@example.org");
    expect(answer.setCookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`))).toMatch(/; Secure/);
  });

  it("refuses a login form without its token (403)", async () => {
    await nodeWithAccounts();
    const b = t.browser();
    const answer = await b.post("/admin/login", { email: "fred@example.org", password: PASSWORD });
    expect(answer.status).toBe(403);
    expect(b.cookies.has(SESSION_COOKIE)).toBe(false);
  });

  it("slows password guessing: after 5 failures even the right password waits (429)", async () => {
    await nodeWithAccounts();
    const b = t.browser();
    for (let i = 0; i < 5; i++) {
      const wrong = await b.submit("/admin/login", "/admin/login", {
        email: "fred@example.org",
        password: `guess number ${i}`,
      });
      expect(wrong.status).toBe(401);
    }
    const blocked = await b.submit("/admin/login", "/admin/login", {
      email: "fred@example.org",
      password: PASSWORD,
    });
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain("Too many failed attempts");
    // Another account is not affected; after the window the right password works again.
    await b.login("vera@example.org");
    t.advance(16 * 60 * 1000);
    await t.browser().login("fred@example.org");
  });

  it("logout needs the CSRF token, then invalidates the session", async () => {
    await nodeWithAccounts();
    const b = t.browser();
    await b.login("fred@example.org");
    const stolen = b.cookies.get(SESSION_COOKIE) ?? "";
    const home = await b.get("/admin");
    expect((await b.post("/admin/logout", {})).status).toBe(403);
    const out = await b.post("/admin/logout", { _csrf: csrfOf(home.text) });
    expect(out.status).toBe(303);
    expect(out.location).toBe("/admin/login?signedOut");
    expect(b.cookies.has(SESSION_COOKIE)).toBe(false);
    // The old cookie value no longer opens anything.
    b.cookies.set(SESSION_COOKIE, stolen);
    expect((await b.get("/admin")).location).toBe("/admin/login");
  });

  it("refuses an expired session, and slides the expiry while it is used", async () => {
    await nodeWithAccounts();
    const b = t.browser();
    await b.login("fred@example.org");
    t.advance(11 * 3600_000);
    expect((await b.get("/admin")).status).toBe(200); // used: expiry pushed 12 h from now
    t.advance(11 * 3600_000);
    expect((await b.get("/admin")).status).toBe(200);
    t.advance(12 * 3600_000 + 1000);
    const expired = await b.get("/admin");
    expect(expired.status).toBe(303);
    expect(expired.location).toBe("/admin/login");
    expect(t.node.services.sessions.purgeExpired()).toBeGreaterThanOrEqual(1);
  });

  it("a disabled account loses its sessions and cannot sign in", async () => {
    const { admin } = await nodeWithAccounts();
    const fred = t.browser();
    await fred.login("fred@example.org");
    const fredId = t.node.services.users.list().find((u) => u.email === "fred@example.org")?.id;
    const done = await admin.submit("/admin/users", `/admin/users/${fredId}/disable`, {});
    expect(done.status, done.text).toBe(303);
    expect((await fred.get("/admin")).location).toBe("/admin/login");
    const again = await fred.submit("/admin/login", "/admin/login", {
      email: "fred@example.org",
      password: PASSWORD,
    });
    expect(again.status).toBe(401);
  });
});

describe("roles and CSRF on signed-in forms", () => {
  it("a POST without or with a wrong CSRF token is refused (403) and changes nothing", async () => {
    const { admin } = await nodeWithAccounts();
    const before = t.node.services.users.list().length;
    const newUser = { name: "Nina", email: "nina@example.org", password: PASSWORD, role: "viewer" };
    const missing = await admin.post("/admin/users", newUser);
    expect(missing.status).toBe(403);
    expect(missing.text).toContain("Nothing was changed");
    const wrong = await admin.post("/admin/users", { ...newUser, _csrf: "A".repeat(43) });
    expect(wrong.status).toBe(403);
    // Another session's token is wrong too.
    const other = t.browser();
    await other.login("alice@example.org");
    const othersToken = csrfOf((await other.get("/admin")).text);
    expect((await admin.post("/admin/users", { ...newUser, _csrf: othersToken })).status).toBe(403);
    expect(t.node.services.users.list()).toHaveLength(before);
  });

  it("a viewer reads but cannot post", async () => {
    await nodeWithAccounts();
    const vera = t.browser();
    await vera.login("vera@example.org");
    const home = await vera.get("/admin");
    expect(home.status).toBe(200);
    expect(home.text).toContain("Viewer");
    expect(home.text).not.toContain('href="/admin/users"');
    const refused = await vera.post("/admin/users", {
      _csrf: csrfOf(home.text),
      name: "X",
      email: "x@example.org",
      password: PASSWORD,
      role: "admin",
    });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("Your role (Viewer) cannot do this");
    expect(t.node.services.users.list()).toHaveLength(3);
  });

  it("a facilitator cannot manage users", async () => {
    await nodeWithAccounts();
    const fred = t.browser();
    await fred.login("fred@example.org");
    expect((await fred.get("/admin/users")).status).toBe(403);
    const home = await fred.get("/admin");
    const refused = await fred.post("/admin/users", {
      _csrf: csrfOf(home.text),
      name: "X",
      email: "x@example.org",
      password: PASSWORD,
      role: "facilitator",
    });
    expect(refused.status).toBe(403);
    expect(t.node.services.users.list()).toHaveLength(3);
  });

  it("an admin lists and creates accounts; bad input re-renders the form (400)", async () => {
    const { admin } = await nodeWithAccounts();
    const list = await admin.get("/admin/users");
    expect(list.status).toBe(200);
    for (const email of ["alice@example.org", "fred@example.org", "vera@example.org"])
      expect(list.text).toContain(email);

    const bad = await admin.submit("/admin/users", "/admin/users", {
      name: "",
      email: "nope",
      password: "short",
      role: "king",
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("Enter a valid email address");
    expect(bad.text).toContain("At least 12 characters");
    expect(bad.text).toContain("Choose a role");

    const ok = await admin.submit("/admin/users", "/admin/users", {
      name: "Nina",
      email: "Nina@Example.org",
      password: PASSWORD,
      role: "facilitator",
    });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain("Account created for nina@example.org");
    expect(t.node.services.users.list().find((u) => u.email === "nina@example.org")?.role).toBe(
      "facilitator",
    );
    await t.browser().login("nina@example.org");

    const duplicate = await admin.submit("/admin/users", "/admin/users", {
      name: "Nina 2",
      email: "nina@example.org",
      password: PASSWORD,
      role: "viewer",
    });
    expect(duplicate.status).toBe(400);
    expect(duplicate.text).toContain("already has an account");
  });

  it("an admin changes roles, but the last admin cannot be demoted", async () => {
    const { admin } = await nodeWithAccounts();
    const users = () => t.node.services.users.list();
    const vera = users().find((u) => u.role === "viewer");
    const alice = users().find((u) => u.role === "admin");
    const promoted = await admin.submit("/admin/users", `/admin/users/${vera?.id}/role`, {
      role: "facilitator",
    });
    expect(promoted.status).toBe(303);
    const badRole = await admin.submit("/admin/users", `/admin/users/${vera?.id}/role`, {
      role: "king",
    });
    expect(badRole.status).toBe(400);
    expect(users().find((u) => u.id === vera?.id)?.role).toBe("facilitator");
    const refused = await admin.submit("/admin/users", `/admin/users/${alice?.id}/role`, {
      role: "viewer",
    });
    expect(refused.status).toBe(409);
    expect(users().find((u) => u.id === alice?.id)?.role).toBe("admin");
  });
});

describe("languages", () => {
  it("answers in French when the browser asks for it, and the lang cookie overrides", async () => {
    t = createAdminTestNode();
    t.node.services.territories.create(
      { slug: "x", name: "X", country: "FR", languages: ["fr"] },
      "test",
    );
    await t.node.services.users.create(
      { email: "a@example.org", name: "A", password: PASSWORD, role: "admin" },
      "test",
    );
    const fr = t.browser({ "accept-language": "fr-FR,fr;q=0.9,en;q=0.8" });
    const page = await fr.get("/admin/login");
    expect(page.text).toContain('<html lang="fr" dir="ltr">');
    expect(page.text).toContain("Connexion");
    expect(page.text).toContain("Mot de passe");
    const wrong = await fr.post("/admin/login", {
      _csrf: csrfOf(page.text),
      email: "a@example.org",
      password: "nope",
    });
    expect(wrong.text).toContain("Adresse e-mail ou mot de passe incorrect");

    const switched = await fr.get("/admin/lang/en?back=/admin/login");
    expect(switched.location).toBe("/admin/login");
    expect((await fr.get("/admin/login")).text).toContain("Sign in");
    expect((await fr.get("/admin/lang/en?back=https://evil.example")).location).toBe("/admin");
  });

  it("picks the language from the cookie, then Accept-Language by quality, then English", () => {
    expect(pickLanguage(undefined, undefined)).toBe("en");
    expect(pickLanguage(undefined, "fr-CA")).toBe("fr");
    expect(pickLanguage(undefined, "de, fr;q=0.5, en;q=0.7")).toBe("en");
    expect(pickLanguage(undefined, "de, pt")).toBe("pt");
    expect(pickLanguage(undefined, "de, nl")).toBe("en");
    expect(pickLanguage(undefined, "fr;q=0, en")).toBe("en");
    expect(pickLanguage("fr", "en")).toBe("fr");
    expect(pickLanguage("xx", "fr")).toBe("fr");
    expect(translator("fr")("hint.password", { min: 12 })).toContain("12");
  });
});

describe("passwords", () => {
  it("are hashed with scrypt, a per-user salt and the parameters in the hash", async () => {
    const a = await hashPassword(PASSWORD);
    const b = await hashPassword(PASSWORD);
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword(PASSWORD, a)).toBe(true);
    expect(await verifyPassword(`${PASSWORD}!`, a)).toBe(false);
    expect(await verifyPassword(PASSWORD, "garbage")).toBe(false);
    expect(await verifyPassword(PASSWORD, "scrypt$0$8$1$abc$def")).toBe(false);
  });

  const storedHash = (node: SpiralNode, email: string) =>
    (
      node.storage.sqlite
        .prepare("select password_hash as hash from users where email = ?")
        .get(email) as { hash: string }
    ).hash;
  const account = { email: "cost@example.org", name: "Cost", role: "admin" } as const;

  it("a node hashes at the default cost unless its creator sets one; each hash is checked at its own cost", async () => {
    const plain = createNode({ databaseFile: ":memory:", publicUrl: "http://node.test" });
    const cheap = createNode({
      databaseFile: ":memory:",
      publicUrl: "http://node.test",
      passwordCost: TEST_PASSWORD_COST,
    });
    try {
      await plain.services.users.create({ ...account, password: PASSWORD }, "test");
      await cheap.services.users.create({ ...account, password: PASSWORD }, "test");
      expect(storedHash(plain, account.email)).toMatch(/^scrypt\$32768\$8\$1\$/);
      expect(storedHash(cheap, account.email)).toMatch(/^scrypt\$1024\$8\$1\$/);
      expect(await plain.services.users.authenticate(account.email, PASSWORD)).toBeDefined();
      expect(await cheap.services.users.authenticate(account.email, PASSWORD)).toBeDefined();
      expect(
        await cheap.services.users.authenticate(account.email, `${PASSWORD}!`),
      ).toBeUndefined();
      // A hash written at the default cost still opens on a node that writes cheaper ones.
      const strong = storedHash(plain, account.email);
      cheap.storage.sqlite
        .prepare("update users set password_hash = ? where email = ?")
        .run(strong, account.email);
      expect(await cheap.services.users.authenticate(account.email, PASSWORD)).toBeDefined();
    } finally {
      await plain.close();
      await cheap.close();
    }
  });

  it("the cost a node checked is the one it hashes with, whatever its creator's object becomes", async () => {
    const cost = { ...TEST_PASSWORD_COST };
    const node = createNode({
      databaseFile: ":memory:",
      publicUrl: "http://node.test",
      passwordCost: cost,
    });
    try {
      cost.N = 3; // after the check
      await node.services.users.create({ ...account, password: PASSWORD }, "test");
      expect(storedHash(node, account.email)).toMatch(/^scrypt\$1024\$8\$1\$/);
    } finally {
      await node.close();
    }
  });

  it("a cost scrypt cannot use is refused when the node is created, with what is wrong", () => {
    for (const [passwordCost, message] of [
      [{ N: 1000, r: 8, p: 1 }, "N must be a power of two above 1, not 1000"],
      [{ N: 1, r: 8, p: 1 }, "not 1"],
      [{ N: 1024, r: 0, p: 1 }, "r and p must be positive integers, not 0 and 1"],
      // Beyond 32 bits a bitwise test of N sees only its low bits (3 x 2^32 looked like 0).
      [{ N: 3 * 2 ** 32, r: 8, p: 1 }, "N must be a power of two above 1"],
      [{ N: 2 ** 32, r: 8, p: 1 }, "N must be a power of two"],
      // scrypt refuses the first two only when hashing (memory limit), the others take over
      // 1 GiB a hash: all refused up front.
      [{ N: 1024, r: 2 ** 31, p: 1 }, "r x p must stay below 2^30"],
      [{ N: 2 ** 20, r: 2 ** 10, p: 1 }, "at most 1 GiB"],
      [{ N: 1024, r: 8, p: 2 ** 30 }, "r x p"],
      [{ N: 2 ** 24, r: 8, p: 1 }, "at most 1 GiB"],
    ] as const) {
      expect(() =>
        createNode({ databaseFile: ":memory:", publicUrl: "http://node.test", passwordCost }),
      ).toThrow(message);
    }
  });
});
