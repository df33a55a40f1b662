import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { copyFile, mkdir } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { getRequestListener } from "@hono/node-server";
import { createNode, type SpiralNode } from "@spiral-network/node/node";
import axe from "axe-core";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { TEST_PASSWORD_COST } from "../support/password-cost";

/**
 * Browser-test helpers: a real node served over HTTP on 127.0.0.1, Debian's Chromium driven by
 * playwright-core (never a downloaded browser), an axe-core check and screenshots.
 */

/** Debian's package puts it here; CHROMIUM_PATH points elsewhere (another distribution). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SCREENSHOT_DIR = path.join(ROOT, "test-artifacts", "screenshots");
/** The screenshots the docs/ pages show (committed). */
const DOCS_SCREENSHOT_DIR = path.join(ROOT, "docs", "screenshots");

export interface ServedNode {
  node: SpiralNode;
  /** The node's address, e.g. http://127.0.0.1:41234 (its public URL too). */
  url: string;
  /** Errors the node logged (a failed request shows here before it shows as a 500). */
  errors: string[];
  close(): Promise<void>;
}

/**
 * A fresh node (empty in-memory database) listening on a random port of 127.0.0.1. Its setup
 * code is kept in a file of a temporary data directory, as a real node's is.
 */
export async function serveNode(): Promise<ServedNode> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "spiral-browser-"));
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const errors: string[] = [];
  const node = createNode({
    databaseFile: ":memory:",
    publicUrl: url,
    logger: {
      error: (message, error) =>
        errors.push(`${message}${error instanceof Error ? `: ${error.stack}` : ""}`),
      info: () => {},
      warn: () => {},
    },
    antiEntropyIntervalMs: 0,
    setupCodeFile: path.join(dataDir, "setup-code"),
    passwordCost: TEST_PASSWORD_COST,
  });
  server.on("request", getRequestListener(node.app.fetch));
  node.start();
  return {
    node,
    url,
    errors,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await node.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The setup code, read from the node's file as its operator would. */
export function readSetupCode(served: ServedNode): string {
  const { file } = served.node.setupCode;
  if (!file) throw new Error("the served node keeps no setup code file");
  return readFileSync(file, "utf8").trim();
}

/**
 * Launches Debian's Chromium headless. Playwright gives each launch a fresh temporary profile
 * (its own --user-data-dir, removed on close; it refuses that flag in `args`), and every
 * context of the browser has its own cookies, so one browser serves several users.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}: the browser tests need it. Install it with ` +
        "`apt-get install -y chromium` (.ci/run does this), or set CHROMIUM_PATH.",
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * What a test file with one served node shares: Chromium and the node started before its tests
 * (then `setUp` gets both, to keep and seed them), a browser that cannot start failing every test
 * with why (none is skipped), the node's error log checked empty after each test (a 500 shows as
 * a page, not a failure), and both closed at the end.
 */
export function useBrowserAndNode(
  setUp: (served: ServedNode, browser: Browser) => Promise<void> | void,
): void {
  let browser: Browser | undefined;
  let served: ServedNode | undefined;
  let launchError: unknown;
  beforeAll(async () => {
    try {
      browser = await launchChromium();
    } catch (error) {
      launchError = error;
      return;
    }
    served = await serveNode();
    await setUp(served, browser);
  });
  beforeEach(() => {
    if (launchError) throw launchError;
  });
  afterEach(() => {
    if (served) expect(served.errors, served.errors.join("\n")).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });
}

/** Signs a page in through the login form and waits for the workspace's home. */
export async function signInThroughForm(page: Page, email: string, password: string) {
  await page.goto("/admin/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/admin");
}

/** A browser context (own cookies) on the node, in English unless told otherwise. */
export async function openContext(
  browser: Browser,
  served: ServedNode,
  options: { viewport?: { width: number; height: number }; locale?: string } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: served.url,
    locale: options.locale ?? "en-GB",
    viewport: options.viewport ?? { width: 1280, height: 900 },
    ...(options.viewport && options.viewport.width < 500
      ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 }
      : {}),
  });
  // Pages of a local node answer in milliseconds: fail fast rather than at the test's timeout.
  context.setDefaultTimeout(10_000);
  return context;
}

/** Impacts that fail the check (axe's minor and moderate ones are reported, not failed). */
const BLOCKING = new Set(["serious", "critical"]);

export interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  helpUrl: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

/** Every violation axe finds on the page as it is now. */
async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) allows it.
  const loaded = await page.evaluate(() => "axe" in window);
  if (!loaded) await page.evaluate(axe.source);
  return page.evaluate(async () => {
    const { axe: injected } = window as unknown as { axe: typeof axe };
    const results = await injected.run(document, { resultTypes: ["violations"] });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target as unknown[],
        ...(n.failureSummary ? { failureSummary: n.failureSummary } : {}),
      })),
    }));
  });
}

/** Readable lines: rule id, impact, what it asks, and each element with its failure. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations
    .map((v) =>
      [
        `- ${v.id} (${v.impact ?? "no impact"}): ${v.help} <${v.helpUrl}>`,
        ...v.nodes.map(
          (n) =>
            `    at ${JSON.stringify(n.target)}${n.failureSummary ? `\n      ${n.failureSummary.replace(/\n/g, "\n      ")}` : ""}`,
        ),
      ].join("\n"),
    )
    .join("\n");
}

/** All violations found, by page, kept for the file's summary (minor ones included). */
const accessibilityLog: Array<{ page: string; violations: AxeViolation[] }> = [];

/**
 * The pages with violations found since the last call, which forgets them: test files share
 * this module (vitest.config.ts, `isolate: false`), so each file's summary takes its own.
 */
export function takeAccessibilityFindings(): Array<{ page: string; violations: AxeViolation[] }> {
  return accessibilityLog.splice(0).filter((entry) => entry.violations.length > 0);
}

/** The serious and critical violations on the page, described readably; "" when none. */
export async function blockingViolations(page: Page, name: string): Promise<string> {
  const violations = await axeViolations(page);
  accessibilityLog.push({ page: name, violations });
  const blocking = violations.filter((v) => BLOCKING.has(v.impact ?? ""));
  return blocking.length === 0
    ? ""
    : `axe-core found serious or critical accessibility violations on ${name} (${page.url()}):\n${describeViolations(blocking)}`;
}

/** Fails when axe finds a serious or critical violation on the page; prints them readably. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  const found = await blockingViolations(page, name);
  expect(found === "", found).toBe(true);
}

/** Set to refresh the docs pages' screenshots (docs/screenshots/) from this run. */
const UPDATE_DOCS = process.env.UPDATE_DOCS_SCREENSHOTS === "1";

/**
 * Saves a full-page PNG as test-artifacts/screenshots/<name>.png (git-ignored). With `docs` and
 * UPDATE_DOCS_SCREENSHOTS=1, also copies it to docs/screenshots/ for the docs pages; ordinary runs
 * leave the committed ones alone.
 */
export async function screenshot(
  page: Page,
  name: string,
  options: { docs?: boolean } = {},
): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: "disabled" });
  if (options.docs && UPDATE_DOCS) {
    await mkdir(DOCS_SCREENSHOT_DIR, { recursive: true });
    await copyFile(file, path.join(DOCS_SCREENSHOT_DIR, `${name}.png`));
  }
  return file;
}

/** Whether the page scrolls sideways (a phone layout must not). */
export function horizontalOverflow(
  page: Page,
): Promise<{ scrollWidth: number; innerWidth: number }> {
  return page.evaluate(() => ({
    scrollWidth: document.scrollingElement?.scrollWidth ?? 0,
    innerWidth: window.innerWidth,
  }));
}

/** The id (or tag) of the focused element. */
export function focusedElement(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    return el ? el.id || el.tagName.toLowerCase() : "";
  });
}
