import type { Browser, BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  expectAccessible,
  focusedElement,
  openContext,
  type ServedNode,
  screenshot,
  signInThroughForm,
  useBrowserAndNode,
} from "./harness";

/**
 * A session's follow-up in Debian's Chromium: the next meeting announced with the keyboard
 * alone, publishing with its confirmation, and a deletion undone. One node, set up through the
 * services (the first session's pages have their own tests in workspace.test.ts).
 */

const PASSWORD = "correct horse battery staple";
const EMAIL = "alice@example.org";
const slug = "bourtzwiller";
const THIS_YEAR = new Date().getUTCFullYear();
const NEXT_YEAR = THIS_YEAR + 1;
/** Generous: the whole suite shares two cores. */
const SLOW = 60_000;

let served: ServedNode;
let browser: Browser;
let context: BrowserContext;
let page: Page;

useBrowserAndNode(async (node, chromium) => {
  served = node;
  browser = chromium;
  const { services } = served.node;
  services.territories.create(
    { slug, name: "Bourtzwiller", country: "FR", languages: ["fr", "en"] },
    "test",
  );
  await services.users.create(
    { email: EMAIL, name: "Alice Admin", role: "admin", password: PASSWORD },
    "test",
  );
  context = await openContext(browser, served);
  page = await context.newPage();
  await signInThroughForm(page, EMAIL, PASSWORD);
});

/** A group of this year with `validated` criteria coded A01 and one still unclassified. */
function seedGroup(label: string, validated: number) {
  const { groups, criteria } = served.node.services;
  const group = groups.create(
    slug,
    {
      label,
      category: "young-people",
      sessionDates: [`${THIS_YEAR}-01-15`],
      participants: 12,
      cycle: 0,
    },
    "test",
  );
  const rows = criteria.add(
    slug,
    group.id,
    Array.from({ length: validated }, (_, i) => ({
      question: "Q1" as const,
      text: `note ${i}`,
      code: "A01",
    })),
    "test",
  );
  criteria.validate(
    slug,
    rows.map((r) => r.id),
    "test",
  );
  criteria.add(slug, group.id, [{ question: "Q2", text: "not classified yet" }], "test");
  return group;
}

/** Presses Tab until the focused element's text or id is `target` (at most `max` times). */
async function tabTo(p: Page, target: string, max = 40): Promise<void> {
  for (let i = 0; i < max; i += 1) {
    await p.keyboard.press("Tab");
    const here = await p.evaluate(() => {
      const el = document.activeElement;
      return [el?.id ?? "", el?.textContent?.trim() ?? ""];
    });
    if (here.includes(target)) return;
  }
  throw new Error(`"${target}" was not reached with ${max} presses of Tab`);
}

describe("the next meeting", () => {
  it(
    "is announced with the keyboard alone and listed in the calendar",
    async () => {
      await page.goto("/admin/calendar");
      await tabTo(page, "Announce a meeting");
      await page.keyboard.press("Enter");
      await page.waitForURL("**/admin/meetings/new");
      await expect
        .poll(() => focusedElement(page), { message: "the title has the focus", timeout: 15_000 })
        .toBe("f-title");
      await expectAccessible(page, "meeting form");
      await page.keyboard.type("Coordination group");
      await page.keyboard.press("Tab");
      expect(await focusedElement(page)).toBe("f-kind");
      // A closed select takes the first letters of an option.
      await page.keyboard.type("Coord");
      await page.keyboard.press("Tab");
      await page.keyboard.type(`${NEXT_YEAR}-03-24`);
      await page.keyboard.press("Tab");
      await page.keyboard.type("18h");
      await page.keyboard.press("Tab");
      await page.keyboard.type("20:30");
      await tabTo(page, "f-place");
      await page.keyboard.type("Centre social Papin");
      // Enter in a text field sends the form, as in the criteria entry.
      await page.keyboard.press("Enter");

      await page.waitForURL("**/admin/calendar?done=created");
      expect(await page.getByRole("status").textContent()).toContain("The meeting is announced");
      const listed = page.locator("#territory-meetings li");
      await expect.poll(() => listed.count()).toBe(1);
      expect(await listed.textContent()).toContain("Coordination group");
      const [row] = served.node.services.meetings.list(slug);
      expect(row?.payload).toMatchObject({
        title: "Coordination group",
        kind: "coordination-group",
        start: `${NEXT_YEAR}-03-24T18:00`,
        end: `${NEXT_YEAR}-03-24T20:30`,
        timeZone: "Europe/Paris",
        place: { name: "Centre social Papin" },
        languages: ["fr", "en"],
        visibility: "public",
      });
      await expectAccessible(page, "calendar with a meeting");
      await screenshot(page, "calendar", { docs: true });
    },
    SLOW,
  );

  it(
    "is cancelled from its form after the API's own error was shown beside a field",
    async () => {
      await page.getByRole("link", { name: "Change Coordination group" }).click();
      await page.waitForURL(/\/admin\/meetings\/[0-9a-f-]{36}\/edit$/);
      await page.getByLabel("Ends at").fill("17:00");
      await page.getByRole("button", { name: "Save the changes" }).click();
      await expect
        .poll(() => page.locator("#f-endTime-error").textContent())
        .toContain("the meeting ends before it starts");
      expect(await page.locator(".error-summary a").first().getAttribute("href")).toBe(
        "#f-endTime",
      );
      await expectAccessible(page, "meeting form with an error");
      await page.getByRole("button", { name: "Cancel the meeting" }).click();
      await page.waitForURL("**/admin/calendar?done=cancelled");
      expect(served.node.services.meetings.list(slug)[0]?.payload.status).toBe("cancelled");
      expect(await page.locator("#territory-meetings").textContent()).toContain("cancelled");
    },
    SLOW,
  );
});

describe("publishing", () => {
  it(
    "says what is not counted, asks before publishing and never contradicts itself after",
    async () => {
      seedGroup("Young people of Bourtzwiller", 6);
      await page.goto("/admin/synthesis/preview");
      const pending = page.locator("section", { has: page.locator("#pending") });
      expect(await pending.textContent()).toContain(
        "1 criteria (14%) are unclassified: they have no code of the grid yet, so they are not counted.",
      );
      await page.getByRole("button", { name: "Review and publish…" }).click();
      await page.waitForURL("**/admin/synthesis/publish");
      expect(await page.locator("h1").textContent()).toBe("Publish version 1?");
      const what = (await page.locator(".confirm-what").textContent()) ?? "";
      expect(what).toContain(`Version 1 of the synthesis ${THIS_YEAR}-01-01 → ${THIS_YEAR}-12-31`);
      expect(what).toContain("Groups: 1; participants: 12; validated criteria: 6");
      expect(what).toContain("No one follows this territory yet");
      expect(served.node.services.syntheses.list(slug)).toEqual([]);
      await expectAccessible(page, "publish confirmation");
      await screenshot(page, "publish-confirmation", { docs: true });
      // The confirmation's button has the focus: Enter publishes.
      await expect.poll(() => focusedElement(page), { timeout: 15_000 }).toBe("button");
      await page.keyboard.press("Enter");
      await page.waitForURL("**/admin/synthesis/preview?**published=1");
      expect(served.node.services.syntheses.list(slug)).toHaveLength(1);
      // Right after: published, nothing new, no red reasons and no button to press.
      expect(await page.getByRole("status").textContent()).toBe("Version 1 is published.");
      expect(await page.locator("#up-to-date").textContent()).toContain(
        "nothing has changed since",
      );
      expect(await page.locator("#blockers").count()).toBe(0);
      expect(await page.getByRole("button", { name: "Review and publish…" }).count()).toBe(0);
      await expectAccessible(page, "publish preview after publishing");

      // Withdrawing asks too, and says what followers will be told.
      await page.getByRole("button", { name: "Withdraw" }).click();
      expect(await page.locator("h1").textContent()).toBe("Withdraw version 1?");
      expect(served.node.services.syntheses.list(slug)).toHaveLength(1);
      await page.getByRole("link", { name: "Back to the preview" }).click();
      await page.waitForURL("**/admin/synthesis/preview?**");
      expect(await page.getByRole("button", { name: "Withdraw" }).count()).toBe(1);
    },
    SLOW,
  );
});

describe("undoing a deletion", () => {
  it(
    "brings a deleted criterion back from the notice's Undo button",
    async () => {
      const group = seedGroup("Elders of Dornach", 2);
      const text = "not classified yet";
      await page.goto(`/admin/groups/${group.id}/criteria?question=Q2`);
      await page.getByRole("button", { name: `Delete: ${text}` }).click();
      await page.waitForURL(/undo=\d+/);
      const notice = page.locator(".notice.undo");
      expect(await notice.textContent()).toContain("Criterion deleted.");
      expect(await page.getByRole("button", { name: `Delete: ${text}` }).count()).toBe(0);
      await expectAccessible(page, "criteria with an undo notice");
      await screenshot(page, "undo-notice");
      await notice.getByRole("button", { name: "Undo" }).click();
      await page.waitForURL(/restored=criterion/);
      expect(await page.getByRole("status").textContent()).toBe("Criterion restored.");
      expect(await page.getByRole("button", { name: `Delete: ${text}` }).count()).toBe(1);
    },
    SLOW,
  );

  it(
    "keeps the focus in the field after Edit (no anchor cancels the autofocus)",
    async () => {
      const [group] = served.node.services.groups.list(slug);
      await page.goto(`/admin/groups/${group?.id}/criteria?question=Q1`);
      await page.getByRole("link", { name: "Edit: note 1" }).click();
      await page.waitForURL(/edit=\d+/);
      await expect.poll(() => focusedElement(page), { timeout: 15_000 }).toBe("f-edit-text");
    },
    SLOW,
  );
});

describe("on a phone (375 px)", () => {
  it(
    "keeps the key column of the groups and network tables in view while the others scroll",
    async () => {
      served.node.services.follows.addFollower({
        actor: slug,
        follower: "https://porto.example.org/actors/porto-with-a-long-name",
        inbox: "https://porto.example.org/inbox",
        handle: "@porto-with-a-long-name@porto.example.org",
        name: "Porto, Campanhã and Bonfim",
        followActivityId: "https://porto.example.org/follows/1",
        state: "accepted",
      });
      const phone = await openContext(browser, served, { viewport: { width: 375, height: 740 } });
      try {
        const p = await phone.newPage();
        await p.goto("/admin/login");
        await p.getByLabel("Email").fill(EMAIL);
        await p.getByLabel("Password", { exact: true }).fill(PASSWORD);
        await p.getByRole("button", { name: "Sign in" }).click();
        await p.waitForURL("**/admin");
        for (const [path, key] of [
          ["/admin/groups", "Young people of Bourtzwiller"],
          ["/admin/network", "Porto, Campanhã and Bonfim"],
        ] as const) {
          await p.goto(path);
          const wrap = p.locator(".table-wrap", { hasText: key }).first();
          // Scrolled to its far right, the table still shows its first column in full.
          await wrap.evaluate((el) => {
            el.scrollLeft = el.scrollWidth;
          });
          const cell = p.locator(".table-wrap td:first-child", { hasText: key }).first();
          const box = await cell.boundingBox();
          expect(box, `${path}: the key cell is laid out`).not.toBeNull();
          expect(box?.x ?? -1, `${path}: the key cell starts on screen`).toBeGreaterThanOrEqual(0);
          expect(
            (box?.x ?? 0) + (box?.width ?? 0),
            `${path}: and ends on screen`,
          ).toBeLessThanOrEqual(375);
          expect(
            await wrap.evaluate((el) => el.scrollLeft),
            `${path}: the table scrolled`,
          ).toBeGreaterThan(0);
          await expectAccessible(p, `${path} (phone)`);
          await screenshot(p, `phone-${path.split("/").at(-1)}-scrolled`);
        }
      } finally {
        await phone.close();
      }
    },
    SLOW,
  );
});

describe("a long CSV check", () => {
  it(
    "shows that the node is working and cannot be sent twice",
    async () => {
      await page.goto("/admin/import");
      const rows = Array.from(
        { length: 2000 },
        (_, i) => `Young people of Bourtzwiller,Q1,note ${i}`,
      ).join("\n");
      // Pasted at once, as a clipboard would (typing 2 000 lines is not the point here).
      await page.getByLabel("Or paste the CSV here").evaluate((el, text) => {
        (el as HTMLTextAreaElement).value = text;
      }, `group,question,text\n${rows}\n`);
      // The test stops each submission that the page's script lets through (a listener on
      // window runs after the script's, on document), so the page stays to be looked at.
      await page.evaluate(() => {
        const w = window as unknown as { submissions: number };
        w.submissions = 0;
        window.addEventListener("submit", (event) => {
          if (event.defaultPrevented) return;
          w.submissions += 1;
          event.preventDefault();
        });
      });
      const check = page.getByRole("button", { name: "Check the file" });
      await check.click();
      const status = page.locator("form[data-busy] [data-busy-status]").first();
      expect(await status.isVisible()).toBe(true);
      expect(await status.textContent()).toContain("Checking the file");
      expect(await check.isDisabled()).toBe(true);
      await expectAccessible(page, "import check in progress");
      // Sent again (Enter in a field, or a script): the page's script refuses it.
      await page.evaluate(() =>
        document.querySelector<HTMLFormElement>("form[data-busy]")?.requestSubmit(),
      );
      const submissions = () =>
        page.evaluate(() => (window as unknown as { submissions: number }).submissions);
      expect(await submissions()).toBe(1);
      // Let the first one go: the check answers with the rows to save.
      await page.evaluate(() =>
        document.querySelector<HTMLFormElement>("form[data-busy]")?.submit(),
      );
      await page.waitForURL("**/admin/import/preview");
      expect(
        await page.getByRole("button", { name: /Save these 2[,.\u202f]?000 criteria/ }).count(),
      ).toBe(1);
    },
    SLOW,
  );
});

describe("the pages around", () => {
  it(
    "edit the territory's profile, ask before deleting a group or a meeting, and page a long list",
    async () => {
      await page.goto("/admin");
      await page.getByRole("link", { name: /Edit the territory's profile/ }).click();
      await page.waitForURL("**/admin/territory/profile");
      await expectAccessible(page, "territory profile");
      await page.getByLabel("Description (optional)").fill("Three districts north of the river.");
      await page.getByLabel("Name of link 1").fill("Website");
      await page.getByLabel("Address of link 1").fill("not a link");
      await page.getByRole("button", { name: "Save the profile" }).click();
      await page.locator(".error-summary a").first().click();
      expect(await focusedElement(page)).toBe("f-link_url_1");
      await page.keyboard.press("ControlOrMeta+a");
      await page.keyboard.type("https://bourtzwiller.example.org");
      await page.keyboard.press("Enter");
      await page.waitForURL("**/admin/territory/profile?saved");
      expect(served.node.services.territories.get(slug)).toMatchObject({
        description: "Three districts north of the river.",
        links: [{ label: "Website", url: "https://bourtzwiller.example.org" }],
      });

      const [group] = served.node.services.groups.list(slug);
      await page.goto(`/admin/groups/${group?.id}/edit`);
      await page.getByRole("link", { name: "Delete this group" }).click();
      await page.waitForURL(/\/delete$/);
      await expectAccessible(page, "group deletion");
      await page.getByRole("link", { name: "No, keep it" }).click();
      expect(served.node.services.groups.list(slug).map((g) => g.id)).toContain(group?.id);

      const [meeting] = served.node.services.meetings.list(slug);
      await page.goto(`/admin/meetings/${meeting?.uuid}/delete`);
      await expectAccessible(page, "meeting deletion");
      expect(await page.locator("main").textContent()).toContain("Coordination group");

      // A long question: 100 criteria a page, the last page first.
      served.node.services.criteria.add(
        slug,
        group?.id ?? 0,
        Array.from({ length: 150 }, (_, i) => ({ question: "Q1" as const, text: `more ${i}` })),
        "test",
      );
      await page.goto(`/admin/groups/${group?.id}/criteria?question=Q1`);
      expect(
        await page.getByRole("navigation", { name: "Pages of criteria" }).textContent(),
      ).toMatch(/Page (\d+) of \1/);
      await page.getByRole("link", { name: "First page" }).click();
      await page.waitForURL(/page=1/);
      expect(await page.locator("ol[start='1'] li").count()).toBe(100);
      await expectAccessible(page, "criteria, first page");
    },
    SLOW,
  );
});
