import { readFileSync } from "node:fs";
import type { LogCapture } from "@spiral-network/node/logger";
import { createNode, type NodeOptions, type SpiralNode } from "@spiral-network/node/node";
import type { Role } from "@spiral-network/node/services/users";
import { expect } from "vitest";
import { TEST_PASSWORD_COST } from "../support/password-cost";

/** Workspace-test helpers: a node with a settable clock and a browser with a cookie jar. */

export const ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
export const PASSWORD = "correct horse battery staple";

/** The first-run setup form most tests start from. */
export const SETUP = {
  territoryName: "Testville",
  slug: "testville",
  country: "fr",
  region: "FR-GES",
  languages: "fr, en",
  name: "Alice Admin",
  email: "alice@example.org",
  password: PASSWORD,
  passwordConfirm: PASSWORD,
};

export interface AdminTestNode {
  node: SpiralNode;
  /** Moves the node's clock forward. */
  advance(ms: number): void;
  /** A browser; `address` is the TCP peer address the node sees (none: "unknown"). */
  browser(headers?: Record<string, string>, address?: string): Browser;
  /** What the node logged as warnings. */
  warnings: string[];
  close(): Promise<void>;
}

export interface AdminTestNodeOptions {
  publicUrl?: string;
  /** Believe X-Forwarded-For (TRUST_PROXY). */
  trustProxy?: boolean;
  /** Keep the setup code in this file (default: in memory). */
  setupCodeFile?: string;
  /** Other node options (outbound limits, ALLOW_PRIVATE_ADDRESSES off…). */
  node?: Partial<NodeOptions>;
}

export function createAdminTestNode(options: AdminTestNodeOptions = {}): AdminTestNode {
  let now = new Date("2026-06-15T12:00:00.000Z").getTime();
  const warnings: string[] = [];
  const logger: LogCapture = { error: () => {}, info: () => {}, warn: (m) => warnings.push(m) };
  const node = createNode({
    databaseFile: ":memory:",
    publicUrl: options.publicUrl ?? "http://node.test",
    logger,
    adminToken: ADMIN_TOKEN,
    now: () => new Date(now),
    passwordCost: TEST_PASSWORD_COST,
    ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
    ...(options.setupCodeFile ? { setupCodeFile: options.setupCodeFile } : {}),
    ...options.node,
  });
  return {
    node,
    advance: (ms) => {
      now += ms;
    },
    browser: (headers, address) => new Browser(node, headers, address),
    warnings,
    close: () => node.close(),
  };
}

/**
 * The one-time setup code, read the way its operator would: from the file the node wrote in
 * its data directory, or (a node without one, as in these tests) from the node object.
 */
export function setupCodeOf(node: SpiralNode): string {
  const { file } = node.setupCode;
  const code = file ? readFileSync(file, "utf8").trim() : node.setupCode.inMemoryCode();
  expect(code, "the node has a setup code").toBeTruthy();
  return code ?? "";
}

/** The setup form with the node's setup code. */
export function setupForm(node: SpiralNode, form: Record<string, string> = SETUP) {
  return { ...form, setupCode: setupCodeOf(node) };
}

/**
 * A fresh node set up through the first-run form in the browser: answers the node and the
 * browser that ran setup, signed in as Alice, the first admin. `setup` replaces the form.
 */
export async function startSignedIn(
  options: AdminTestNodeOptions & { headers?: Record<string, string>; setup?: typeof SETUP } = {},
): Promise<{ t: AdminTestNode; admin: Browser }> {
  const t = createAdminTestNode(options);
  try {
    const admin = t.browser(options.headers);
    const done = await admin.submit(
      "/admin/setup",
      "/admin/setup",
      setupForm(t.node, options.setup ?? SETUP),
    );
    expect(done.status, done.text).toBe(303);
    return { t, admin };
  } catch (error) {
    await t.close();
    throw error;
  }
}

/** An account to create: who it is and what it may do. */
export interface TestUser {
  email: string;
  name: string;
  role: Role;
}

/** The facilitator and the viewer most workspace tests sign in as. */
export const FRED: TestUser = { email: "fred@example.org", name: "Fred", role: "facilitator" };
export const VERA: TestUser = { email: "vera@example.org", name: "Vera", role: "viewer" };

/** Creates an account with the accounts service (actor "test"), as an admin would. */
export function addUser(node: SpiralNode, user: TestUser, password = PASSWORD) {
  return node.services.users.create({ ...user, password }, "test");
}

/** Creates Fred (facilitator) then Vera (viewer); answers both accounts. */
export async function addFredAndVera(node: SpiralNode) {
  const fred = await addUser(node, FRED);
  const vera = await addUser(node, VERA);
  return { fred, vera };
}

/** A new browser on `node`, signed in through the login form (which must accept it). */
export async function signIn(
  node: SpiralNode,
  email: string,
  password = PASSWORD,
  headers?: Record<string, string>,
) {
  const browser = new Browser(node, headers);
  await browser.login(email, password);
  return browser;
}

/** New browsers signed in as Fred then Vera (see `addFredAndVera`). */
export async function signInFredAndVera(node: SpiralNode, headers?: Record<string, string>) {
  const fred = await signIn(node, FRED.email, PASSWORD, headers);
  const vera = await signIn(node, VERA.email, PASSWORD, headers);
  return { fred, vera };
}

/**
 * `startSignedIn`, then Fred (facilitator) and Vera (viewer) created and signed in, each in a
 * new browser: the node, Alice's browser, Fred's and Vera's.
 */
export async function startWithFredAndVera(
  options: Parameters<typeof startSignedIn>[0] = {},
): Promise<{ t: AdminTestNode; admin: Browser; fred: Browser; vera: Browser }> {
  const { t, admin } = await startSignedIn(options);
  try {
    await addFredAndVera(t.node);
    return { t, admin, ...(await signInFredAndVera(t.node)) };
  } catch (error) {
    await t.close();
    throw error;
  }
}

/**
 * Creates a group through the workspace's form (which must redirect to the group's criteria);
 * answers the new group's id.
 */
export async function createGroup(browser: Browser, form: Record<string, string>) {
  const answer = await browser.submit("/admin/groups/new", "/admin/groups", form);
  expect(answer.status, answer.text).toBe(303);
  const id = Number(/\/admin\/groups\/(\d+)\/criteria/.exec(answer.location ?? "")?.[1]);
  expect(id).toBeGreaterThan(0);
  return id;
}

export interface Page {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
  setCookies: string[];
}

/** Enough of a browser: keeps cookies, sends forms, never follows redirects. */
export class Browser {
  readonly cookies = new Map<string, string>();
  constructor(
    private readonly node: SpiralNode,
    private readonly headers: Record<string, string> = {},
    /** The peer address the node's HTTP server would see (Hono's node-server bindings). */
    private readonly address?: string,
  ) {}

  async request(method: string, path: string, form?: Record<string, string>): Promise<Page> {
    const headers: Record<string, string> = { ...this.headers };
    if (this.cookies.size > 0) {
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    }
    let body: string | undefined;
    if (form) {
      body = new URLSearchParams(form).toString();
      headers["content-type"] = "application/x-www-form-urlencoded";
    }
    const response = await this.node.app.request(
      path,
      { method, headers, ...(body ? { body } : {}) },
      this.address ? { incoming: { socket: { remoteAddress: this.address } } } : undefined,
    );
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await response.text();
    // No server error, except 507: the node's deliberate answer when its disk is full.
    if (response.status !== 507) {
      expect(response.status, `${method} ${path} answered ${text}`).toBeLessThan(500);
    }
    return {
      status: response.status,
      headers: response.headers,
      text,
      location: response.headers.get("location"),
      setCookies,
    };
  }

  get(path: string) {
    return this.request("GET", path);
  }

  post(path: string, form: Record<string, string>) {
    return this.request("POST", path, form);
  }

  /** Loads a page and sends its form with the hidden CSRF token it carries. */
  async submit(pagePath: string, action: string, form: Record<string, string>) {
    const page = await this.get(pagePath);
    expect(page.status, page.text).toBe(200);
    return this.post(action, { _csrf: csrfOf(page.text), ...form });
  }

  async login(email: string, password = PASSWORD) {
    const answer = await this.submit("/admin/login", "/admin/login", { email, password });
    expect(answer.status, answer.text).toBe(303);
    return answer;
  }
}

/**
 * Publishes through the workspace's two steps: the publish form answers the confirmation page
 * (naming what followers will receive), whose "Yes, publish" form is then sent as it stands.
 * Answers the final answer (a 303 to the preview when published).
 */
export async function publishConfirmed(browser: Browser, form: Record<string, string>) {
  const confirmation = await browser.post("/admin/synthesis/publish", form);
  expect(confirmation.status, confirmation.text).toBe(200);
  expect(confirmation.text).toContain('name="confirm" value="1"');
  return browser.post("/admin/synthesis/publish", hiddenFieldsOf(confirmation.text));
}

/** The hidden fields of a page's last form (a confirmation page's "Yes" form). */
export function hiddenFieldsOf(html: string): Record<string, string> {
  const forms = html.split("<form").slice(1);
  const last = forms.at(-1) ?? "";
  return Object.fromEntries(
    [...last.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [
      m[1] ?? "",
      (m[2] ?? "").replaceAll("&amp;", "&"),
    ]),
  );
}

/** The CSRF token in a page's first form. */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  expect(match, "a form with a CSRF token").not.toBeNull();
  return match?.[1] ?? "";
}
