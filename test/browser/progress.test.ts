import type { Browser, BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { follow } from "../federation/harness";
import { expectAccessible, horizontalOverflow, openContext, screenshot } from "./harness";
import {
  type BrowserPeer,
  reloadUntil,
  seedValidatedCriteria,
  servedPeer,
  signIn,
  useBrowserAndPeers,
} from "./network-harness";

/**
 * From criteria to a federated progress indicator, in Debian's Chromium: Porto's facilitator
 * writes a path from the validated criteria shown beside it, starts a campaign and prints codes;
 * respondents answer on a phone-width page; the facilitator publishes; Mulhouse, which follows
 * Porto, sees the distribution in its progress figures. axe-core on every page. The tests run in
 * order (each builds on the last).
 */

const SLOW = 45_000;
const PHONE = { width: 375, height: 812 };
const CRITERION = "Avoir de quoi manger chaque jour";

let browser: Browser;
let porto: BrowserPeer;
let mulhouse: BrowserPeer;
let admin: BrowserContext;
let page: Page;
let campaignUrl = "";
let surveyUrl = "";
let codes: string[] = [];

const inDays = (days: number) =>
  new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

useBrowserAndPeers(
  [
    { slug: "porto", name: "Porto", country: "PT" },
    { slug: "mulhouse", name: "Mulhouse", country: "FR" },
  ],
  async (chromium, first, second) => {
    [browser, porto, mulhouse] = [chromium, first, second];
    await seedValidatedCriteria(porto, [
      { question: "Q1", text: CRITERION, code: "A01" },
      { question: "Q2", text: "Sauter des repas à la fin du mois", code: "A01" },
    ]);
    await follow(mulhouse, porto);
    admin = await openContext(browser, servedPeer(porto));
  },
);

describe("a path of progress from criteria to the network", () => {
  it(
    "writes a path on A01 with the validated criteria shown beside it",
    async () => {
      page = await signIn(admin, porto.adminEmail);
      await page.getByRole("navigation").getByRole("link", { name: "Progress" }).click();
      await page.waitForURL("**/admin/progress");
      await expectAccessible(page, "progress home");
      await page.getByRole("link", { name: "Write a path" }).click();
      await page.getByLabel("Component or dimension").fill("A01");
      await page.getByRole("button", { name: "Show the criteria" }).click();
      await page.waitForURL("**/admin/progress/paths/new?code=A01");
      await expect(page.locator("#criteria").textContent()).resolves.toContain(CRITERION);
      const words = [
        "Many households skip meals every week",
        "Some households skip meals at the end of the month",
        "Everyone eats, but not always what they need",
        "Everyone eats well most of the year",
        "Everyone eats well, and the food supply is secure",
      ];
      for (const [i, text] of words.entries()) {
        await page.locator(`#s${i + 1}-en`).fill(text);
      }
      await page.locator("#s1-criteria").selectOption({ label: `Q1 · ${CRITERION}` });
      await page.getByLabel(/I confirm these five statements/).check();
      await expectAccessible(page, "path form");
      await screenshot(page, "progress-path");
      await page.getByRole("button", { name: "Save the path" }).click();
      await page.waitForURL("**/admin/progress/paths/*?done=saved");
      await expect(page.locator("p.notice").textContent()).resolves.toBe("The path is saved.");
    },
    SLOW,
  );

  it(
    "starts a campaign on the path and prints a sheet of one-time codes",
    async () => {
      await page.goto("/admin/progress/campaigns/new");
      await page.getByLabel("Name").fill("Food before the market opens");
      await page.getByLabel("First day").fill(inDays(0));
      await page.getByLabel("Last day").fill(inDays(30));
      await page.getByLabel(/A01/).check();
      await expectAccessible(page, "campaign form");
      await page.getByRole("button", { name: "Create the campaign" }).click();
      await page.waitForURL("**/admin/progress/campaigns/*?done=created");
      campaignUrl = page.url().split("?")[0] as string;
      surveyUrl = (await page.locator("#survey-url").inputValue()) as string;
      await expectAccessible(page, "campaign page");
      await page.getByLabel("How many new codes").fill("6");
      await page.getByRole("button", { name: "Make a sheet of codes" }).click();
      codes = await page.locator("#codes code").allTextContents();
      expect(codes).toHaveLength(6);
      await expectAccessible(page, "code sheet");
    },
    SLOW,
  );

  it(
    "takes answers on a phone-width page, one per code, and refuses a code used twice",
    async () => {
      const phone = await (
        await openContext(browser, servedPeer(porto), { viewport: PHONE })
      ).newPage();
      const levels = [4, 5, 4, 2, 3];
      for (const [i, level] of levels.entries()) {
        await phone.goto(surveyUrl);
        await phone.getByLabel("Your code").fill(codes[i] as string);
        await phone.locator(`input[type=radio][value="${level}"]`).check();
        if (i === 0) {
          await expectAccessible(phone, "survey on a phone");
          const { scrollWidth, innerWidth } = await horizontalOverflow(phone);
          expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
          await screenshot(phone, "progress-survey-phone");
        }
        await phone.getByRole("button", { name: "Send my answers" }).click();
        await expect(phone.locator("#outcome").textContent()).resolves.toContain(
          "your answers are recorded",
        );
      }
      await phone.goto(surveyUrl);
      await phone.getByLabel("Your code").fill(codes[0] as string);
      await phone.getByRole("button", { name: "Send my answers" }).click();
      await expect(phone.locator("#outcome").textContent()).resolves.toContain(
        "This code cannot be used",
      );
      await expectAccessible(phone, "survey refusal");
    },
    SLOW,
  );

  it(
    "publishes the results, and Mulhouse sees the distribution arrive in its progress figures",
    async () => {
      await page.goto(campaignUrl);
      await expect(page.locator("#respondents").textContent()).resolves.toBe("5 respondents.");
      await page.getByRole("button", { name: "Publish version 1" }).click();
      await page.waitForURL("**?published=1");
      await expect(page.locator("p.notice").textContent()).resolves.toBe("Version 1 is published.");

      const watcher = await openContext(browser, servedPeer(mulhouse));
      const figures = await signIn(watcher, mulhouse.adminEmail);
      await figures.goto("/admin/progress/figures?code=A01");
      await reloadUntil(
        figures,
        async () =>
          (await figures.locator("#progress-coverage").textContent())?.includes("Porto") ?? false,
        "Porto's progress to reach Mulhouse",
      );
      await expect(
        figures.locator('section[data-code="A01"] li[data-phase="ex-ante"]').textContent(),
      ).resolves.toContain("60\u00a0% at good or ideal (4–5)");
      const origin = await porto.api("GET", "/progress/figures?code=A01");
      await expect(figures.locator("#progress-fingerprint").textContent()).resolves.toBe(
        origin.body.coverage.fingerprint,
      );
      await expectAccessible(figures, "progress figures");
      await screenshot(figures, "progress-figures");
    },
    SLOW,
  );
});
