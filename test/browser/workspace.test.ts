import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import {
  blockingViolations,
  describeViolations,
  expectAccessible,
  focusedElement,
  horizontalOverflow,
  openContext,
  readSetupCode,
  type ServedNode,
  screenshot,
  signInThroughForm,
  takeAccessibilityFindings,
  useBrowserAndNode,
} from "./harness";

/**
 * A facilitator's first session, in Debian's Chromium: setup, a group, 20 criteria typed with
 * the keyboard, classification, the synthesis, preview and publish; then French, the viewer
 * role, CSRF, the phone layout. The tests run in order on one node (each builds on the last).
 */

const PASSWORD = "correct horse battery staple";
const ADMIN = { name: "Alice Admin", email: "alice@example.org" };
const VIEWER = { name: "Vera Viewer", email: "vera@example.org" };
const GROUP_LABEL = "Young people of Bourtzwiller";
const TODAY = new Date().toISOString().slice(0, 10);

/** What the group wrote on its sticky notes, the question, and the code the facilitator gives. */
const NOTES: Array<{ question: "Q1" | "Q2" | "Q3"; text: string; code: string }> = [
  { question: "Q1", text: "Manger à sa faim tous les jours", code: "A01" },
  { question: "Q1", text: "Avoir un logement chauffé", code: "A03" },
  { question: "Q1", text: "Pouvoir se soigner sans attendre", code: "A02" },
  { question: "Q1", text: "Un travail qui a du sens", code: "A06" },
  { question: "Q1", text: "Faire du sport avec les copains", code: "A07" },
  { question: "Q1", text: "Des amis sur qui compter", code: "D00" },
  { question: "Q1", text: "Se sentir en paix avec soi-même", code: "F00" },
  { question: "Q1", text: "Un quartier propre et calme", code: "B00" },
  { question: "Q2", text: "Ne pas savoir payer le loyer", code: "A03/P" },
  { question: "Q2", text: "La solitude le soir", code: "D00" },
  { question: "Q2", text: "Le bruit et la pollution des voitures", code: "B01" },
  { question: "Q2", text: "Être mal vu à cause de son quartier", code: "E00" },
  { question: "Q2", text: "Pas de bus après 20 heures", code: "B02" },
  { question: "Q2", text: "Arrêter l'école trop tôt", code: "A05" },
  { question: "Q3", text: "Aider les voisins âgés pour les courses", code: "H00" },
  { question: "Q3", text: "Monter une équipe de foot au centre social", code: "A07" },
  { question: "Q3", text: "Cuisiner ensemble une fois par mois", code: "A01" },
  { question: "Q3", text: "Échanger des vêtements entre familles", code: "A04" },
  { question: "Q3", text: "Se parler davantage entre générations", code: "D00" },
  { question: "Q3", text: "Informer les jeunes de leurs droits", code: "A11" },
];

/**
 * Per test: generous, as the whole suite shares two cores; each step takes a few seconds alone
 * (and every Playwright wait gives up after 10 s with a message naming what it waited for).
 */
const SLOW = 60_000;

let served: ServedNode;
let browser: Browser;
/** The admin's browser window (desktop), signed in by the setup test. */
let admin: BrowserContext;
let page: Page;
let groupId = 0;

const slug = "bourtzwiller";
const groups = () => served.node.services.groups.list(slug);
const criteria = () => served.node.services.criteria.list(slug, { limit: 1000, offset: 0 }).items;

/** Signs a fresh context in through the login form. */
async function signIn(context: BrowserContext, email: string): Promise<Page> {
  const p = await context.newPage();
  await signInThroughForm(p, email, PASSWORD);
  return p;
}

/** The heading of the page (h1). */
const heading = (p: Page) => p.locator("h1").textContent();

useBrowserAndNode(async (node, chromium) => {
  served = node;
  browser = chromium;
  admin = await openContext(browser, served);
  page = await admin.newPage();
});

afterAll(() => {
  const minor = takeAccessibilityFindings();
  if (minor.length > 0) {
    console.log(
      `axe-core, every finding (only serious and critical fail):\n${minor
        .map((entry) => `${entry.page}:\n${describeViolations(entry.violations)}`)
        .join("\n")}`,
    );
  }
});

describe("a facilitator's first session in the browser", () => {
  it(
    "sets up the node on the first visit and signs the admin in",
    async () => {
      await page.goto("/admin");
      expect(page.url()).toMatch(/\/admin\/setup$/);
      expect(await heading(page)).toBe("Set up this node");
      await expectAccessible(page, "setup");
      await screenshot(page, "setup", { docs: true });

      await page.getByLabel("Setup code").fill(readSetupCode(served));
      await page.getByLabel("Territory name").fill("Bourtzwiller");
      await page.getByLabel("Short name (used in addresses)").fill(slug);
      await page.getByLabel("Country (two-letter code, e.g. FR)").fill("FR");
      await page.getByLabel("Region (optional, e.g. FR-GES or a name)").fill("FR-GES");
      await page.getByLabel("Languages spoken in the groups").fill("fr, en");
      await page.getByLabel("Name", { exact: true }).fill(ADMIN.name);
      await page.getByLabel("Email").fill(ADMIN.email);
      await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await page.getByLabel("Password again").fill(PASSWORD);
      await page.getByRole("button", { name: "Create the territory and my account" }).click();

      await page.waitForURL("**/admin");
      expect(await heading(page)).toBe("Workspace");
      await expect(page.getByText(`Signed in as ${ADMIN.name}`).count()).resolves.toBe(1);
      expect(served.node.services.territories.list().map((t) => t.slug)).toEqual([slug]);
      await expectAccessible(page, "home");
      await screenshot(page, "home", { docs: true });
    },
    SLOW,
  );

  it(
    "creates a group from the groups page",
    async () => {
      await page.getByRole("link", { name: "Groups", exact: true }).click();
      await page.waitForURL("**/admin/groups");
      await expectAccessible(page, "groups (empty)");
      await page.getByRole("link", { name: "Create a group" }).click();
      await page.waitForURL("**/admin/groups/new");
      await expectAccessible(page, "group form");
      await page.getByLabel("Name of the group").fill(GROUP_LABEL);
      await page.getByLabel("Category").selectOption({ label: "Young people" });
      await page.getByLabel("Session dates").fill(TODAY);
      await page.getByLabel("Number of participants").fill("12");
      await screenshot(page, "group-form");
      await page.getByRole("button", { name: "Save the group" }).click();

      await page.waitForURL(/\/admin\/groups\/\d+\/criteria/);
      groupId = Number(/groups\/(\d+)\//.exec(page.url())?.[1]);
      expect(groups()).toMatchObject([
        { id: groupId, label: GROUP_LABEL, category: "young-people", participants: 12 },
      ]);
      expect(await page.getByRole("status").textContent()).toContain(GROUP_LABEL);
    },
    SLOW,
  );

  it(
    "takes 20 criteria typed with the keyboard alone, Enter for the next",
    async () => {
      const timings: Array<{ typing: number; saving: number }> = [];
      let question = "";
      let entered = 0;
      for (const note of NOTES) {
        if (note.question !== question) {
          question = note.question;
          entered = 0;
          // Reach the question's tab from the keyboard: focus its link, press Enter.
          await page
            .getByRole("navigation", { name: "Questions" })
            .getByRole("link")
            .nth(Number(question.slice(1)) - 1)
            .focus();
          await page.keyboard.press("Enter");
          await page.waitForURL(`**/criteria?question=${question}`);
          // Autofocus is applied at a rendering step after the load: wait for it, as a person would.
          await expect
            .poll(() => focusedElement(page), {
              message: "the criterion input has the focus",
              timeout: 15_000,
            })
            .toBe("f-text");
        }
        const started = performance.now();
        await page.keyboard.type(note.text);
        const typed = performance.now();
        await page.keyboard.press("Enter");
        entered += 1;
        await page
          .getByRole("heading", { name: `Criteria entered for this question (${entered})` })
          .waitFor();
        await expect.poll(() => focusedElement(page), { timeout: 15_000 }).toBe("f-text");
        timings.push({ typing: typed - started, saving: performance.now() - typed });
        expect(await page.getByRole("status").textContent()).toBe("Criterion added.");
      }

      const saved = criteria();
      expect(saved.map((c) => [c.question, c.text])).toEqual(
        NOTES.map((n) => [n.question, n.text]),
      );
      expect(saved.every((c) => c.groupId === groupId && c.language === "fr")).toBe(true);
      const stats = (values: number[]) => {
        const sorted = [...values].sort((a, b) => a - b);
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        return `mean ${mean.toFixed(0)} ms, median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms`;
      };
      console.log(
        [
          `criteria entry by keyboard, ${timings.length} criteria:`,
          `  typing (Playwright's key events): ${stats(timings.map((t) => t.typing))}`,
          `  Enter → saved, page back, focus in the input: ${stats(timings.map((t) => t.saving))}`,
        ].join("\n"),
      );
      await expectAccessible(page, "criteria entry");
      await screenshot(page, "criteria-entry", { docs: true });
    },
    SLOW,
  );

  it(
    "lists the group with its criteria count",
    async () => {
      await page.getByRole("link", { name: "Groups", exact: true }).click();
      await page.waitForURL("**/admin/groups");
      // The top bar is a navigation landmark that marks the current section.
      const sections = page.getByRole("banner").getByRole("navigation");
      expect(
        await sections
          .getByRole("link", { name: "Groups", exact: true })
          .getAttribute("aria-current"),
      ).toBe("page");
      const row = page.getByRole("row").filter({ hasText: GROUP_LABEL });
      const cells = await row.locator("td").allTextContents();
      expect(cells).toContain("20");
      expect(cells).toContain("12");
      await expectAccessible(page, "groups");
      await screenshot(page, "groups", { docs: true });
    },
    SLOW,
  );

  it(
    "classifies the 20 criteria from the keyboard, then validates them",
    async () => {
      await page.getByRole("link", { name: "Classification" }).click();
      await page.waitForURL("**/admin/classify");
      await expectAccessible(page, "classify");
      await screenshot(page, "classify", { docs: true });

      // The first one through the grid picker: search by French words, pick the component.
      const first = NOTES[0];
      await page.getByLabel("Search the grid").fill("alimentation");
      await page.getByLabel("Search the grid").press("Enter");
      await page.waitForURL(/q=alimentation/);
      const pick = page.locator("ul.picker a", { hasText: "A01" });
      await pick.focus();
      await page.keyboard.press("Enter");
      await page.waitForURL(/code=A01/);
      expect(await page.getByLabel("SPIRAL code").inputValue()).toBe("A01");

      const started = performance.now();
      for (let i = 0; i < NOTES.length; i++) {
        const text = await page.locator(".focus blockquote").textContent();
        const note = NOTES.find((n) => n.text === text);
        expect(note, `the criterion in focus "${text}" is one of the notes`).toBeDefined();
        if (i === 0) expect(note).toBe(first);
        const action = await page.locator(".focus form").getAttribute("action");
        const id = /\/admin\/classify\/(\d+)$/.exec(action ?? "")?.[1];
        await expect.poll(() => focusedElement(page), { timeout: 15_000 }).toBe("f-code");
        // Typed into the focused code input; Enter proposes (the form's first button). The
        // last one is validated at once: Tab past Propose to Validate, then Enter. (Access keys
        // cannot be tested: Chromium ignores them in key events sent through DevTools.)
        if (i > 0) await page.keyboard.type(note?.code ?? "");
        if (i === NOTES.length - 1) {
          await page.keyboard.press("Tab");
          await page.keyboard.press("Tab");
          expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Validate");
        }
        await page.keyboard.press("Enter");
        await page.waitForURL(new RegExp(`after=${id}&saved=`));
        expect(await page.getByRole("status").textContent()).toBe(`Classified as ${note?.code}.`);
      }
      const perCriterion = (performance.now() - started) / NOTES.length;
      console.log(`classification by keyboard: ${perCriterion.toFixed(0)} ms per criterion`);
      await expect(page.getByText("Nothing left to classify").count()).resolves.toBe(1);
      expect(criteria().map((c) => c.status)).toEqual([
        ...NOTES.slice(1).map(() => "proposed"),
        "validated",
      ]);

      await page.getByRole("link", { name: /To review/ }).click();
      await page.waitForURL("**/admin/classify?tab=review");
      await expectAccessible(page, "classify (review)");
      await screenshot(page, "classify-review");
      await page.getByRole("button", { name: /Validate all shown/ }).focus();
      await page.keyboard.press("Enter");
      await page.waitForURL(/validated=19/);

      const byText = new Map(criteria().map((c) => [c.text, c]));
      for (const note of NOTES) {
        expect(byText.get(note.text), note.text).toMatchObject({
          status: "validated",
          code: note.code,
        });
      }
    },
    SLOW,
  );

  it(
    "shows the synthesis of the validated criteria, with a table behind each chart",
    async () => {
      await page.getByRole("link", { name: "Synthesis", exact: true }).click();
      await page.waitForURL("**/admin/synthesis");
      expect(await heading(page)).toBe("Synthesis");
      // The summary sentence: one group, its 12 participants, the 20 validated criteria.
      await expect(
        page.getByText(/\b1 group.*\b12 participant.*\b20 validated criteria/).count(),
      ).resolves.toBe(1);
      // Each chart is an SVG image with a name, and its figures as a table (opened by keyboard).
      await expect(page.locator("svg[role=img]").count()).resolves.toBe(3);
      const byComponent = page.locator("figure", {
        has: page.getByText("Validated criteria per component"),
      });
      await byComponent.getByText("Show the figures as a table").focus();
      await page.keyboard.press("Enter");
      const table = byComponent.getByRole("table");
      await table.waitFor();
      const header = await table.locator("thead th").allTextContents();
      expect(header.slice(1)).toEqual(["Well-being", "Ill-being", "Actions"]);
      const row = async (label: RegExp) =>
        (
          await table
            .getByRole("row")
            .filter({ hasText: label })
            .first()
            .locator("td")
            .allTextContents()
        ).map(Number);
      // From the notes: A01 twice (Q1, Q3), A03 twice (Q1, Q2 as A03/P), D00 three times.
      expect(await row(/Food \/ drink/)).toEqual([1, 0, 1]);
      expect(await row(/Housing/)).toEqual([1, 1, 0]);
      expect(await row(/Personal relations/)).toEqual([1, 1, 1]);
      await expectAccessible(page, "synthesis");
      await screenshot(page, "synthesis", { docs: true });
    },
    SLOW,
  );

  it(
    "previews exactly what will leave the node, then publishes it",
    async () => {
      await page.getByRole("link", { name: "Preview and publish this synthesis" }).click();
      await page.waitForURL("**/admin/synthesis/preview**");
      expect(await heading(page)).toBe("Preview and publish");
      await expect(page.getByText("Nothing is held back.").count()).resolves.toBe(1);
      const raw = (await page.locator("pre").first().textContent()) ?? "";
      const payload = JSON.parse(raw) as Record<string, unknown>;
      expect(raw).toContain('"A01"');
      // Counts only: the group's name and the criteria's words stay on the node.
      expect(raw).not.toContain(GROUP_LABEL);
      for (const note of NOTES) expect(raw).not.toContain(note.text);
      await expectAccessible(page, "publish preview");
      await screenshot(page, "publish-preview", { docs: true });

      await page.getByRole("button", { name: "Review and publish…" }).click();
      await page.waitForURL("**/admin/synthesis/publish");
      expect(await heading(page)).toBe("Publish version 1?");
      await expectAccessible(page, "publish confirmation");
      await page.getByRole("button", { name: "Yes, publish version 1" }).click();
      await page.waitForURL("**/admin/synthesis/preview?**published=1");
      expect(await page.getByRole("status").textContent()).toBe("Version 1 is published.");
      const published = served.node.services.syntheses.list(slug);
      expect(published).toHaveLength(1);
      expect(JSON.parse(published[0]?.payload ?? "{}")).toMatchObject({
        hash: payload.hash,
      });
      await expect(
        page
          .locator("table", { has: page.getByRole("columnheader", { name: "Content hash" }) })
          .getByRole("row")
          .count(),
      ).resolves.toBe(2);
      await screenshot(page, "published");
    },
    SLOW,
  );
});

describe("around the session", () => {
  it(
    "switches the workspace to French and back",
    async () => {
      await page.goto("/admin");
      await page.getByText("Language: English").click(); // the switch's list opens
      await page.getByRole("link", { name: "Français" }).click();
      await page.waitForURL("**/admin");
      expect(await page.locator("html").getAttribute("lang")).toBe("fr");
      expect(await heading(page)).toBe("Espace de travail");
      await expect(page.getByRole("link", { name: "Groupes", exact: true }).count()).resolves.toBe(
        1,
      );
      await expectAccessible(page, "home (French)");
      await screenshot(page, "home-fr", { docs: true });
      await page.getByText("Langue\u00a0: Français").click();
      await page.getByRole("link", { name: "English" }).click();
      await page.waitForURL("**/admin");
      expect(await page.locator("html").getAttribute("lang")).toBe("en");
      expect(await heading(page)).toBe("Workspace");
    },
    SLOW,
  );

  it(
    "lets the admin create a viewer, who reads but cannot edit",
    async () => {
      await page.goto("/admin/users");
      await expectAccessible(page, "users");
      await screenshot(page, "users", { docs: true });
      const form = page.locator("form", {
        has: page.getByRole("button", { name: "Create the account" }),
      });
      await form.getByLabel("Name").fill(VIEWER.name);
      await form.getByLabel("Email").fill(VIEWER.email);
      await form.getByLabel("Password").fill(PASSWORD);
      await form.getByLabel("Role").selectOption("viewer");
      await form.getByRole("button", { name: "Create the account" }).click();
      await page.waitForLoadState();
      expect(await page.getByRole("status").textContent()).toContain(VIEWER.email);

      const context = await openContext(browser, served);
      try {
        const login = await context.newPage();
        await login.goto("/admin/login");
        await expectAccessible(login, "login");
        await screenshot(login, "login");
        const vera = await signIn(context, VIEWER.email);
        await vera.goto("/admin/groups");
        await expect(vera.getByText(GROUP_LABEL).count()).resolves.toBeGreaterThan(0);
        await expect(vera.getByRole("link", { name: "Create a group" }).count()).resolves.toBe(0);
        await expect(vera.getByRole("link", { name: "Edit" }).count()).resolves.toBe(0);
        await vera.goto(`/admin/groups/${groupId}/criteria`);
        await expect(vera.getByText(NOTES[0]?.text ?? "").count()).resolves.toBe(1);
        await expect(vera.getByLabel("New criterion").count()).resolves.toBe(0);
        await expect(vera.getByRole("button", { name: /Delete/ }).count()).resolves.toBe(0);
        await vera.goto("/admin/classify");
        await expect(vera.getByLabel("SPIRAL code").count()).resolves.toBe(0);

        // A POST forged with the viewer's own valid CSRF token is still refused.
        const token = await vera.locator('input[name="_csrf"]').first().inputValue();
        const before = criteria().length;
        const forged = await vera.request.post(`/admin/groups/${groupId}/criteria`, {
          form: { _csrf: token, question: "Q1", text: "Forged by a viewer", language: "fr" },
          maxRedirects: 0,
        });
        expect(forged.status()).toBe(403);
        const forgedGroup = await vera.request.post("/admin/groups", {
          form: {
            _csrf: token,
            label: "Forged",
            category: "young-people",
            sessionDates: TODAY,
            participants: "5",
            cycle: "0",
          },
          maxRedirects: 0,
        });
        expect(forgedGroup.status()).toBe(403);
        expect(criteria()).toHaveLength(before);
        expect(groups()).toHaveLength(1);
      } finally {
        await context.close();
      }
    },
    SLOW,
  );

  it(
    "refuses a form sent without its CSRF token, changing nothing",
    async () => {
      await page.goto("/admin/groups/new");
      await page.getByLabel("Name of the group").fill("Sent without a token");
      await page.getByLabel("Session dates").fill(TODAY);
      await page.getByLabel("Number of participants").fill("8");
      // What a cross-site form would send: everything but the token.
      await page.evaluate(() =>
        document.querySelector('form[action="/admin/groups"] input[name="_csrf"]')?.remove(),
      );
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === "POST"),
        page.getByRole("button", { name: "Save the group" }).click(),
      ]);
      expect(answer.status()).toBe(403);
      await page.waitForLoadState();
      expect(await heading(page)).toBe("This form has expired");
      expect(groups().map((g) => g.label)).toEqual([GROUP_LABEL]);
    },
    SLOW,
  );

  it(
    "has no serious accessibility problem on the other workspace pages",
    async () => {
      const pages = [
        ["group-edit", `/admin/groups/${groupId}/edit`],
        ["criteria-paste", `/admin/groups/${groupId}/criteria?question=Q2&mode=paste`],
        ["import", "/admin/import"],
        ["network", "/admin/network"],
        ["network-syntheses", "/admin/network/syntheses"],
        ["figures", "/admin/figures"],
        ["calendar", "/admin/calendar"],
        ["account", "/admin/account"],
      ] as const;
      const problems: string[] = [];
      for (const [name, path] of pages) {
        const answer = await page.goto(path);
        expect(answer?.status(), `${path} answers`).toBe(200);
        const found = await blockingViolations(page, name);
        if (found) problems.push(found);
        await screenshot(page, name);
      }
      expect(problems, problems.join("\n")).toEqual([]);
    },
    SLOW,
  );

  it(
    "fits a phone screen (375×740) without sideways scrolling",
    async () => {
      const context = await openContext(browser, served, { viewport: { width: 375, height: 740 } });
      try {
        const phone = await signIn(context, ADMIN.email);
        const pages = [
          ["home", "/admin"],
          ["groups", "/admin/groups"],
          ["group-form", "/admin/groups/new"],
          ["criteria-entry", `/admin/groups/${groupId}/criteria?question=Q1`],
          ["classify", "/admin/classify?tab=review"],
          ["synthesis", "/admin/synthesis"],
          ["users", "/admin/users"],
        ] as const;
        const overflowing: string[] = [];
        const problems: string[] = [];
        for (const [name, path] of pages) {
          const answer = await phone.goto(path);
          expect(answer?.status(), `${path} answers`).toBe(200);
          const { scrollWidth, innerWidth } = await horizontalOverflow(phone);
          if (scrollWidth > innerWidth)
            overflowing.push(`${path}: ${scrollWidth}px > ${innerWidth}px`);
          const inaccessible = await blockingViolations(phone, `${name} (phone)`);
          if (inaccessible) problems.push(inaccessible);
          await screenshot(phone, `phone-${name}`, { docs: name === "criteria-entry" });
        }
        expect(overflowing, `pages wider than the phone:\n${overflowing.join("\n")}`).toEqual([]);
        expect(problems, problems.join("\n")).toEqual([]);
      } finally {
        await context.close();
      }
    },
    SLOW,
  );
});
