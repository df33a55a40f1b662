import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectAccessible,
  launchChromium,
  openContext,
  readSetupCode,
  type ServedNode,
  serveNode,
} from "./harness";

/**
 * An admin moves the node to a newer grid in the browser: the grid page (axe-checked), a grid
 * file pasted and checked, its preview, the import, then the classification page's review queue.
 */

const PASSWORD = "correct horse battery staple";
const SLOW = 60_000;
const grid3 = readFileSync(
  new URL("../fixtures/grid-spiral-9d-3-test.json", import.meta.url),
  "utf8",
);

let served: ServedNode;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  served = await serveNode();
  page = await (await openContext(browser, served)).newPage();
  await page.goto("/admin/setup");
  await page.getByLabel("Setup code").fill(readSetupCode(served));
  await page.getByLabel("Territory name").fill("Gridville");
  await page.getByLabel("Short name (used in addresses)").fill("gridville");
  await page.getByLabel("Country (two-letter code, e.g. FR)").fill("FR");
  await page.getByLabel("Languages spoken in the groups").fill("fr");
  await page.getByLabel("Name", { exact: true }).fill("Alice Admin");
  await page.getByLabel("Email").fill("alice@example.org");
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Password again").fill(PASSWORD);
  await page.getByRole("button", { name: "Create the territory and my account" }).click();
  await page.waitForURL("**/admin");
  // A criterion coded A01, which grid 3 splits.
  const { groups, criteria } = served.node.services;
  const group = groups.create(
    "gridville",
    {
      label: "Jeunes",
      category: "young-people",
      sessionDates: ["2026-03-01"],
      participants: 8,
      cycle: 1,
    },
    "test",
  );
  criteria.add(
    "gridville",
    group.id,
    [{ question: "Q1", text: "Manger à sa faim", code: "A01" }],
    "test",
  );
}, SLOW);

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

describe("the grid page", () => {
  it(
    "shows the grid in use and its honest state, accessibly",
    async () => {
      await page.getByRole("link", { name: "Grid", exact: true }).click();
      await page.waitForURL("**/admin/grid");
      await expect(page.getByText("In use: spiral-9d 2026.2-partial").count()).resolves.toBe(1);
      await expect(
        page.getByText(/are provisional, 2 not named in this grid version/).count(),
      ).resolves.toBe(1);
      await expectAccessible(page, "grid");
    },
    SLOW,
  );

  it(
    "checks a pasted grid file, shows what changes, and imports it with the keyboard",
    async () => {
      await page.getByLabel("Or paste its text").fill(grid3);
      await page.getByRole("button", { name: "Check what changes" }).click();
      await page.waitForURL("**/admin/grid/preview");
      await expect(page.getByText("A12 · Drink and water (provisional)").count()).resolves.toBe(1);
      await expect(page.getByText(/1 criteria will be queued for review/).count()).resolves.toBe(1);
      await expectAccessible(page, "grid preview");
      // The import button has the focus: Enter imports.
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.textContent))
        .toBe("Import 3-test");
      await page.keyboard.press("Enter");
      await page.waitForURL("**/admin/grid?applied=*");
      await expect(
        page.getByText("3-test is now the grid in use.", { exact: false }).count(),
      ).resolves.toBe(1);
      expect(served.node.services.grids.active().version).toBe("3-test");
    },
    SLOW,
  );

  it(
    "lists the criterion to review on the classification page",
    async () => {
      await page.goto("/admin/classify");
      const section = page.locator("#grid-review");
      await expect(section.getByText(/Manger à sa faim/).count()).resolves.toBe(1);
      await expect(section.getByText(/now one of A01, A12/).count()).resolves.toBe(1);
      await expectAccessible(page, "classify with grid review");
    },
    SLOW,
  );
});
