import { seedDemoAdmin, seedDemoTerritory } from "@spiral-network/node/demo/seed";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  expectAccessible,
  horizontalOverflow,
  openContext,
  type ServedNode,
  screenshot,
  useBrowserAndNode,
} from "./harness";

/**
 * The interface in the facilitator's language, in Debian's Chromium: the grid search finding
 * everyday words, the language list, the browser's language, `?lang=` in the workspace, and
 * Arabic laid out right to left on a phone without sideways scrolling.
 */

const SLOW = 60_000;

let served: ServedNode;
let browser: Browser;
let credentials: { email: string; password: string };
/** An unclassified criterion, so the classification page shows the grid picker. */
let focusId = 0;

useBrowserAndNode(async (node, chromium) => {
  served = node;
  browser = chromium;
  const { services } = served.node;
  const seeded = seedDemoTerritory(services);
  const admin = await seedDemoAdmin(services);
  if (!admin) throw new Error("the demo admin was not created");
  credentials = admin;
  const group = services.groups.list(seeded.territory)[0];
  if (!group) throw new Error("the demo territory has no group");
  const [added] = services.criteria.add(
    seeded.territory,
    group.id,
    [{ question: "Q2", text: "Pas de bus le dimanche pour aller chez le médecin", language: "fr" }],
    "test",
  );
  focusId = added?.id ?? 0;
});

/** A signed-in page in a fresh context (its own cookies), in the given browser locale. */
async function signedIn(
  options: { locale?: string; viewport?: { width: number; height: number } } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await openContext(browser, served, options);
  const page = await context.newPage();
  await page.goto("/admin/login?lang=en");
  await page.getByLabel("Email").fill(credentials.email);
  await page.getByLabel("Password", { exact: true }).fill(credentials.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/admin");
  return { context, page };
}

/** The codes the grid picker lists, in order. */
const pickerCodes = (page: Page) => page.locator("ul.picker li strong").allTextContents();

describe("grid search in the browser", () => {
  it(
    "finds “bus” under basic infrastructure and “médecin” under health care, typed in the search field",
    async () => {
      const { context, page } = await signedIn();
      await page.goto(`/admin/classify?focus=${focusId}`);
      const search = page.getByLabel("Search the grid");
      await search.fill("bus");
      await search.press("Enter");
      await page.waitForURL(/q=bus/);
      // The grid has no transport component (A08, A10 not recovered): buses are infrastructure.
      expect((await pickerCodes(page))[0]).toBe("B02");
      await page.getByLabel("Search the grid").fill("médecin");
      await page.getByLabel("Search the grid").press("Enter");
      await page.waitForURL(/q=m%C3%A9decin/);
      expect((await pickerCodes(page))[0]).toBe("A02");
      await expect(page.locator("ul.picker li").first().textContent()).resolves.toContain(
        "Healthcare and medicine",
      );
      await expectAccessible(page, "classification with a search");
      await context.close();
    },
    SLOW,
  );

  it(
    "finds the everyday words of the first field test, and codes in lower case",
    async () => {
      const { context, page } = await signedIn();
      const expected: Record<string, string> = {
        bus: "B02",
        transport: "B02",
        friends: "D00",
        job: "A06",
        school: "A05",
        doctor: "A02",
        money: "A00",
        noise: "B01",
        loyer: "A03",
        médecin: "A02",
        a03: "A03",
      };
      const found: Record<string, string | undefined> = {};
      for (const word of Object.keys(expected)) {
        await page.goto(`/admin/classify?focus=${focusId}&q=${encodeURIComponent(word)}`);
        found[word] = (await pickerCodes(page))[0];
      }
      expect(found).toEqual(expected);
      // A code typed in lower case is taken, in its canonical form.
      await page.goto(`/admin/classify?focus=${focusId}`);
      await page.getByLabel("SPIRAL code").fill("b02/p");
      await page.getByRole("button", { name: "Propose", exact: true }).click();
      await page.waitForURL(/saved=B02%2FP/);
      await context.close();
    },
    SLOW,
  );
});

describe("languages", () => {
  it(
    "answers in the browser's language, lists every language, and keeps the one chosen",
    async () => {
      const context = await openContext(browser, served, { locale: "es-ES" });
      const page = await context.newPage();
      await page.goto("/admin/login");
      expect(await page.locator("html").getAttribute("lang")).toBe("es");
      expect(await page.locator("h1").textContent()).toBe("Iniciar sesión");
      // The switch is a list of every language, each named in itself.
      await page.getByText("Idioma: Español").click();
      const names = await page.locator(".lang-switch li a").allTextContents();
      expect(names).toEqual(["English", "Français", "Português", "Español", "Italiano", "العربية"]);
      await expect(page.getByText("traducción por revisar").count()).resolves.toBe(1);
      await page.getByRole("link", { name: "Italiano" }).click();
      await page.waitForURL("**/admin/login");
      expect(await page.locator("html").getAttribute("lang")).toBe("it");
      expect(await page.locator("h1").textContent()).toBe("Accesso");
      await expectAccessible(page, "login (Italian)");
      // The public pages follow the same choice (one cookie).
      await page.goto("/");
      expect(await page.locator("html").getAttribute("lang")).toBe("it");
      await context.close();
    },
    SLOW,
  );

  it(
    "takes ?lang= in the workspace, and remembers it",
    async () => {
      const { context, page } = await signedIn();
      await page.goto("/admin/groups?lang=pt");
      expect(await page.locator("html").getAttribute("lang")).toBe("pt");
      expect(await page.locator("h1").textContent()).toBe("Grupos e sessões");
      await page.goto("/admin");
      expect(await page.locator("h1").textContent()).toBe("Espaço de trabalho");
      await expectAccessible(page, "home (Portuguese)");
      await context.close();
    },
    SLOW,
  );

  it(
    "lays Arabic out right to left on a phone, with nothing wider than the screen",
    async () => {
      const { context, page } = await signedIn({ viewport: { width: 375, height: 740 } });
      await page.goto("/admin?lang=ar");
      expect(await page.locator("html").getAttribute("dir")).toBe("rtl");
      expect(await page.locator("html").getAttribute("lang")).toBe("ar");
      expect(await page.locator("h1").textContent()).toBe("فضاء العمل");
      // Right to left: the brand starts at the right edge, the main column's text is right-aligned.
      const brand = await page.locator("header.bar .brand").boundingBox();
      expect(brand && brand.x + brand.width).toBeGreaterThan(375 - 40);
      expect(await page.locator("main").evaluate((el) => getComputedStyle(el).direction)).toBe(
        "rtl",
      );
      const overflowing: string[] = [];
      const pages = [
        "/admin",
        "/admin/groups",
        `/admin/classify?focus=${focusId}&q=%D8%B7%D8%A8%D9%8A%D8%A8`,
        "/admin/synthesis",
        "/admin/network",
        "/admin/figures",
        "/admin/account",
        "/",
        "/figures",
      ];
      for (const path of pages) {
        await page.goto(path);
        expect(await page.locator("html").getAttribute("dir"), path).toBe("rtl");
        const { scrollWidth, innerWidth } = await horizontalOverflow(page);
        if (scrollWidth > innerWidth)
          overflowing.push(`${path}: ${scrollWidth}px > ${innerWidth}px`);
      }
      expect(overflowing).toEqual([]);
      // The Arabic search word (طبيب, doctor) found health care.
      await page.goto(`/admin/classify?focus=${focusId}&q=%D8%B7%D8%A8%D9%8A%D8%A8`);
      expect((await pickerCodes(page))[0]).toBe("A02");
      await expectAccessible(page, "classification (Arabic, phone)");
      await page.goto("/admin");
      await screenshot(page, "home-ar-phone", { docs: true });
      // The language list, open, stays on the screen too.
      await page.locator(".lang-switch summary").click();
      await expect(page.getByRole("link", { name: "English" }).isVisible()).resolves.toBe(true);
      const open = await horizontalOverflow(page);
      expect(open.scrollWidth).toBeLessThanOrEqual(open.innerWidth);
      const list = await page.locator(".lang-switch ul").boundingBox();
      expect(list && list.x >= 0 && list.x + list.width <= 375).toBe(true);
      await expectAccessible(page, "language list open (Arabic, phone)");
      await page.goto("/admin/synthesis");
      await expectAccessible(page, "synthesis (Arabic, phone)");
      await screenshot(page, "synthesis-ar-phone");
      await context.close();
    },
    SLOW,
  );
});
