import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { SESSION_COOKIE } from "@spiral-network/node/admin";
import { seedDemoAdmin, seedDemoTerritory } from "@spiral-network/node/demo/seed";
import { createNode, type SpiralNode } from "@spiral-network/node/node";
import { afterEach, describe, expect, it } from "vitest";
import { TEST_PASSWORD_COST } from "../support/password-cost";
import {
  ADMIN_TOKEN,
  type AdminTestNode,
  createAdminTestNode,
  csrfOf,
  PASSWORD,
  SETUP,
  setupCodeOf,
  setupForm,
} from "./browser";

/**
 * The first admin account can be made only with the one-time setup code the node prints at
 * start and keeps owner-only in its data directory (docs/facilitators-guide.md, "The workspace").
 */

let t: AdminTestNode | undefined;
const dirs: string[] = [];
const nodes: SpiralNode[] = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  for (const node of nodes.splice(0)) await node.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "spiral-setup-code-"));
  dirs.push(dir);
  return dir;
};

const quiet = { error: () => {}, info: () => {}, warn: () => {} };
const fileNode = (dir: string) => {
  const node = createNode({
    databaseFile: path.join(dir, "spiral.db"),
    publicUrl: "http://node.test",
    logger: quiet,
    adminToken: ADMIN_TOKEN,
    setupCodeFile: path.join(dir, "setup-code"),
    passwordCost: TEST_PASSWORD_COST,
  });
  nodes.push(node);
  return node;
};

const ACCOUNT_ONLY = {
  name: "Mallory",
  email: "mallory@evil.example",
  password: PASSWORD,
  passwordConfirm: PASSWORD,
};

describe("first-run setup takeover", () => {
  it("a visitor cannot make the first admin of a node whose territory came through the API (DEMO_DATA=false)", async () => {
    const node = createAdminTestNode();
    t = node;
    // The operator created the territory with the API token and has not opened /admin yet.
    const created = await node.node.app.request("/api/v1/territories", {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        slug: "apiville",
        name: "Apiville",
        country: "BE",
        languages: ["fr"],
      }),
    });
    expect(created.status).toBe(201);

    const mallory = node.browser({}, "203.0.113.66");
    const page = await mallory.get("/admin/setup");
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="setupCode"');
    // The page says where the operator finds the code.
    expect(page.text).toContain("setup-code");
    const attempt = await mallory.post("/admin/setup", {
      _csrf: csrfOf(page.text),
      ...ACCOUNT_ONLY,
    });
    expect(attempt.status).toBe(400);
    expect(attempt.text).toContain("Enter the setup code");
    expect(mallory.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(node.node.services.users.isEmpty()).toBe(true);
    // No way in to the criteria either.
    expect((await mallory.get("/admin/groups")).location).toBe("/admin/setup");

    // The operator, with the code the node printed, sets up the account.
    const operator = node.browser();
    const done = await operator.submit("/admin/setup", "/admin/setup", {
      ...ACCOUNT_ONLY,
      email: "ann@example.org",
      setupCode: setupCodeOf(node.node),
    });
    expect(done.status, done.text).toBe(303);
    expect(node.node.services.users.list().map((u) => u.email)).toEqual(["ann@example.org"]);
  });

  it("needs the code on a node that holds the demo territory but no account yet", async () => {
    const node = createAdminTestNode();
    t = node;
    seedDemoTerritory(node.node.services);
    const mallory = node.browser();
    const attempt = await mallory.submit("/admin/setup", "/admin/setup", ACCOUNT_ONLY);
    expect(attempt.status).toBe(400);
    expect(node.node.services.users.isEmpty()).toBe(true);
  });

  it("refuses wrong codes (403) and slows an address that keeps trying (429), until the pause ends", async () => {
    const node = createAdminTestNode();
    t = node;
    const guesser = node.browser({}, "203.0.113.7");
    for (let i = 0; i < 5; i++) {
      const wrong = await guesser.submit("/admin/setup", "/admin/setup", {
        ...SETUP,
        setupCode: `aaaaa-bbbbb-ccccc-ddddd-${i}eeee`,
      });
      expect(wrong.status).toBe(403);
      expect(wrong.text).toContain("This is not the setup code");
      expect(wrong.text).not.toContain(setupCodeOf(node.node));
    }
    // Now even the right code waits, from that address.
    const blocked = await guesser.submit("/admin/setup", "/admin/setup", setupForm(node.node));
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain("Too many wrong setup codes");
    expect(node.node.services.users.isEmpty()).toBe(true);
    expect(node.node.services.territories.list()).toHaveLength(0);
    // The pause is short and ends by itself.
    node.advance(60_000);
    const done = await guesser.submit("/admin/setup", "/admin/setup", setupForm(node.node));
    expect(done.status, done.text).toBe(303);
  });
});

describe("the setup code file", () => {
  it("is owner-only, accepts the code however it is typed, and is gone once an account exists", async () => {
    const file = path.join(tempDir(), "setup-code");
    const node = createAdminTestNode({ setupCodeFile: file });
    t = node;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const code = readFileSync(file, "utf8").trim();
    expect(code).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){4}$/);
    // Only the file holds it: the node object does not hand it out.
    expect(node.node.setupCode.inMemoryCode()).toBeUndefined();

    const operator = node.browser();
    const done = await operator.submit("/admin/setup", "/admin/setup", {
      ...SETUP,
      setupCode: ` ${code.toUpperCase().replaceAll("-", " ")} `,
    });
    expect(done.status, done.text).toBe(303);
    expect(existsSync(file)).toBe(false);

    // Replaying the old code after the first account exists: setup is closed.
    const other = node.browser();
    const login = await other.get("/admin/login");
    const replay = await other.post("/admin/setup", {
      ...SETUP,
      email: "mallory@evil.example",
      setupCode: code,
      _csrf: csrfOf(login.text),
    });
    expect(replay.status).toBe(303);
    expect(replay.location).toBe("/admin/login");
    expect(node.node.services.users.list()).toHaveLength(1);
    expect(node.node.setupCode.check(code)).toBe(false);
  });

  it("survives a restart with the database, and is removed when accounts exist", async () => {
    const dir = tempDir();
    const file = path.join(dir, "setup-code");
    const first = fileNode(dir);
    expect(first.setupCode.file).toBe(file);
    const code = readFileSync(file, "utf8").trim();
    await first.close();
    nodes.length = 0;

    const second = fileNode(dir);
    expect(readFileSync(file, "utf8").trim()).toBe(code);
    expect(second.setupCode.check(code)).toBe(true);
    // The demo seed makes an account: the code stops working and its file goes.
    await seedDemoAdmin(second.services);
    expect(second.setupCode.prepare()).toBeUndefined();
    expect(existsSync(file)).toBe(false);
    expect(second.setupCode.check(code)).toBe(false);
    await second.close();
    nodes.length = 0;

    // A leftover file on a node that has accounts is removed at start.
    writeFileSync(file, `${code}\n`, { mode: 0o600 });
    const third = fileNode(dir);
    expect(existsSync(file)).toBe(false);
    expect(third.setupCode.check(code)).toBe(false);
  });

  it("replaces a code whose file others could read", async () => {
    const dir = tempDir();
    const file = path.join(dir, "setup-code");
    const first = fileNode(dir);
    const code = readFileSync(file, "utf8").trim();
    await first.close();
    nodes.length = 0;
    chmodSync(file, 0o644);
    const second = fileNode(dir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8").trim()).not.toBe(code);
    expect(second.setupCode.check(code)).toBe(false);
  });
});
