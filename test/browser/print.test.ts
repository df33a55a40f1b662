import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectAccessible,
  launchChromium,
  openContext,
  type ServedNode,
  screenshot,
  serveNode,
} from "./harness";

/**
 * A printable synthesis: the public synthesis page printed (print media in Chromium) keeps the
 * figures (bars in colour), the table per component, the coverage and the content hash, and
 * drops the site's navigation and footer; it says where it was published.
 */

const SLOW = 45_000;
let served: ServedNode;
let browser: Browser;
let synthesisUrl: string;
let hash: string;

beforeAll(async () => {
  served = await serveNode();
  browser = await launchChromium();
  const { services } = served.node;
  const actor = "test-setup";
  services.territories.create(
    { slug: "mulhouse", name: "Mulhouse", country: "FR", languages: ["fr", "en"] },
    actor,
  );
  const group = services.groups.create(
    "mulhouse",
    {
      label: "Jeunes de Bourtzwiller",
      category: "young-people",
      sessionDates: ["2026-03-10"],
      participants: 9,
      cycle: 1,
    },
    actor,
  );
  const rows = services.criteria.add(
    "mulhouse",
    group.id,
    [
      { question: "Q1", text: "Avoir des amis", code: "D00" },
      { question: "Q1", text: "Un travail", code: "A05" },
      { question: "Q2", text: "Le bruit la nuit", code: "B01" },
      { question: "Q3", text: "Cuisiner ensemble", code: "A01" },
    ],
    actor,
  );
  services.criteria.validate(
    "mulhouse",
    rows.map((row) => row.id),
    actor,
  );
  const version = services.syntheses.publish(
    "mulhouse",
    { start: "2026-01-01", end: "2026-06-30" },
    false,
    actor,
  );
  synthesisUrl = `${served.url}/syntheses/${version.synthesisUuid}`;
  hash = version.hash;
}, SLOW);

afterAll(async () => {
  await browser?.close();
  await served?.close();
  expect(served?.errors ?? []).toEqual([]);
});

describe("printing a synthesis", () => {
  it(
    "prints the figures, the table, the coverage and the content hash, without the navigation",
    async () => {
      const context = await openContext(browser, served);
      const page = await context.newPage();
      await page.goto(synthesisUrl);
      // On screen: the navigation, and the hint that says how to print.
      await expect.poll(() => page.locator("nav.site").isVisible()).toBe(true);
      await expectAccessible(page, "public synthesis");
      await page.emulateMedia({ media: "print" });
      expect(await page.locator("nav.site").isVisible()).toBe(false);
      expect(await page.locator("footer").isVisible()).toBe(false);
      expect(await page.locator(".no-print").isVisible()).toBe(false);
      const source = page.locator(".print-only");
      expect(await source.isVisible()).toBe(true);
      expect(await source.textContent()).toContain(synthesisUrl);
      expect(await page.locator("p.hash code").textContent()).toBe(hash);
      expect(await page.locator("dl.coverage").textContent()).toMatch(/9.*4/s);
      expect(await page.locator("table").count()).toBeGreaterThan(0);
      expect(await page.locator("table").first().isVisible()).toBe(true);
      // The bars keep their colour on paper (browsers drop backgrounds unless told otherwise).
      const bars = page.locator(".figure-bar");
      expect(await bars.count()).toBeGreaterThan(0);
      const adjust = await bars
        .first()
        .evaluate((bar) => getComputedStyle(bar).getPropertyValue("print-color-adjust"));
      expect(adjust).toBe("exact");
      await screenshot(page, "synthesis-print");
      // And it does make a document: Chromium's own PDF of the print layout.
      const pdf = await page.pdf({ format: "A4" });
      expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
      await context.close();
    },
    SLOW,
  );
});
