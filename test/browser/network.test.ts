import type { MeetingInput } from "@spiral-network/node/services/meetings";
import type { SynthesisPayload } from "@spiral-network/protocol";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  describeViolations,
  expectAccessible,
  horizontalOverflow,
  openContext,
  screenshot,
  takeAccessibilityFindings,
} from "./harness";
import {
  type BrowserPeer,
  parseCsv,
  reloadUntil,
  seedValidatedCriteria,
  servedPeer,
  signIn,
  thisYear,
  useBrowserAndPeers,
} from "./network-harness";

/**
 * Two real nodes over HTTP on 127.0.0.1, seen in Debian's Chromium: Mulhouse (A, France) follows
 * Porto (B, Portugal) from its network page, Porto publishes from its workspace, Mulhouse sees
 * the synthesis arrive, explores the figures by country and downloads them as CSV; then the
 * public pages of Mulhouse without login. axe-core on every page; screenshots for docs/.
 * The tests run in order (each builds on the last).
 */

const SLOW = 45_000;
const PHONE = { width: 375, height: 812 };

/** What the groups of each territory said (different codes, so a country filter shows). */
const PORTO_CRITERIA = [
  { question: "Q1", text: "Ter um trabalho de que gosto", code: "A05" },
  { question: "Q1", text: "Amigos perto de casa", code: "D00" },
  { question: "Q1", text: "Uma casa quente", code: "A03" },
  { question: "Q2", text: "Barulho à noite", code: "B01" },
  { question: "Q3", text: "Ajudar os vizinhos", code: "H00" },
] as const;
const MULHOUSE_CRITERIA = [
  { question: "Q1", text: "Manger à sa faim", code: "A01" },
  { question: "Q2", text: "La solitude le soir", code: "D00" },
  { question: "Q3", text: "Cuisiner ensemble", code: "A01" },
] as const;
const MEETING_TITLE = "Groupe homogène — jeunes de Bourtzwiller";
const PORTO_MEETING_TITLE = "Encontro da rede SPIRAL no Porto";

/** A meeting in ten days, in the territory's time zone. */
const meetingInTenDays = (
  title: string,
  place: { name: string; locality: string; country: string },
  timeZone: string,
): MeetingInput => {
  const day = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
  return {
    title,
    description: "First session.",
    kind: "homogeneous-group-session",
    start: `${day}T18:00`,
    end: `${day}T20:00`,
    timeZone,
    place,
    languages: [place.country === "FR" ? "fr" : "pt"],
  };
};

let browser: Browser;
let mulhouse: BrowserPeer; // node A
let porto: BrowserPeer; // node B
/** Mulhouse's admin (desktop), signed in by the first test. */
let admin: BrowserContext;
let page: Page;
let mulhouseSynthesisId = "";
let mulhouseMeetingUrl = "";
let receivedDetailUrl = "";

/** A context of Mulhouse's admin on a phone (same session cookie). */
async function phoneOfAdmin(): Promise<Page> {
  const phone = await openContext(browser, servedPeer(mulhouse), { viewport: PHONE });
  await phone.addCookies(await admin.cookies());
  return phone.newPage();
}

/** The phone layout must not scroll sideways. */
async function expectFitsPhone(p: Page, name: string) {
  const { scrollWidth, innerWidth } = await horizontalOverflow(p);
  expect(scrollWidth, `${name} scrolls sideways on a 375 px phone`).toBeLessThanOrEqual(innerWidth);
}

/** When the set-up began (it prints how long the nodes, the browser and the data took). */
let started = 0;
beforeAll(() => {
  started = performance.now();
});

useBrowserAndPeers(
  [
    { slug: "mulhouse", name: "Mulhouse", country: "FR", region: "FR-GES" },
    { slug: "porto", name: "Porto", country: "PT" },
  ],
  async (chromium, first, second) => {
    [browser, mulhouse, porto] = [chromium, first, second];
    const { start, end } = thisYear();
    // Mulhouse has a published synthesis and a public meeting of its own (its public pages).
    await seedValidatedCriteria(mulhouse, [...MULHOUSE_CRITERIA]);
    const published = await mulhouse.api("POST", "/territories/mulhouse/syntheses", {
      period: { start, end },
      correction: false,
    });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    mulhouseSynthesisId = published.body.synthesisId;
    const meeting = mulhouse.node.services.meetings.create(
      "mulhouse",
      meetingInTenDays(
        MEETING_TITLE,
        { name: "Centre social Papin", locality: "Mulhouse", country: "FR" },
        "Europe/Paris",
      ),
      "test",
    );
    mulhouseMeetingUrl = `${mulhouse.url}/meetings/${meeting.uuid}`;
    // Porto's criteria are validated; its facilitator publishes from the browser (second test).
    await seedValidatedCriteria(porto, [...PORTO_CRITERIA]);
    admin = await openContext(browser, servedPeer(mulhouse));
    console.log(
      `two nodes, browser and data ready in ${Math.round(performance.now() - started)} ms`,
    );
  },
);

afterAll(() => {
  const found = takeAccessibilityFindings();
  if (found.length > 0) {
    console.log(
      `axe-core, every finding (only serious and critical fail):\n${found
        .map((entry) => `${entry.page}:\n${describeViolations(entry.violations)}`)
        .join("\n")}`,
    );
  }
});

describe("two nodes that see each other in the browser", () => {
  it(
    "follows Porto from Mulhouse's network page: look up by URL, preview, Follow, accepted",
    async () => {
      page = await signIn(admin, mulhouse.adminEmail);
      await page.getByRole("navigation").getByRole("link", { name: "Network" }).first().click();
      await page.waitForURL("**/admin/network");
      expect(await page.locator("h1").textContent()).toBe("Network");
      await expect(page.getByText("Your territory follows no one yet.").count()).resolves.toBe(1);

      await page.getByLabel("Handle or address").fill(porto.actorUrl);
      await page.getByRole("button", { name: "Look it up" }).click();
      await page.waitForURL("**/admin/network/preview?**");
      // The preview says what it is before anything is sent.
      expect(await page.locator("#preview-heading").textContent()).toBe("Porto");
      expect(mulhouse.node.services.follows.following("mulhouse")).toEqual([]);
      await expectAccessible(page, "network preview");

      await page.getByRole("button", { name: "Follow Porto" }).click();
      await page.waitForURL("**/admin/network?followed=*");
      const following = page.getByRole("region", { name: /^Following/ });
      await reloadUntil(
        page,
        async () => (await following.getByRole("row", { name: /Porto.*accepted/ }).count()) === 1,
        "Porto to accept the follow",
      );
      expect(mulhouse.node.services.follows.following("mulhouse")).toMatchObject([
        { target: porto.actorUrl, state: "accepted" },
      ]);
      expect(porto.node.services.follows.followers("porto")).toMatchObject([
        { follower: mulhouse.actorUrl, state: "accepted" },
      ]);
      // Porto announces a meeting to its followers (the calendar test looks for it).
      porto.node.services.meetings.create(
        "porto",
        meetingInTenDays(
          PORTO_MEETING_TITLE,
          { name: "Biblioteca Almeida Garrett", locality: "Porto", country: "PT" },
          "Europe/Lisbon",
        ),
        "test",
      );
      await expectAccessible(page, "network");
      await screenshot(page, "network-following", { docs: true });
      const phone = await phoneOfAdmin();
      await phone.goto("/admin/network");
      await expectFitsPhone(phone, "network");
      await expectAccessible(phone, "network (phone)");
      await screenshot(phone, "phone-network-following", { docs: true });
      await phone.context().close();
    },
    SLOW,
  );

  it(
    "publishes on Porto from its workspace; the synthesis arrives on Mulhouse and opens",
    async () => {
      const { start, end } = thisYear();
      const portoContext = await openContext(browser, servedPeer(porto));
      const portoPage = await signIn(portoContext, porto.adminEmail);
      await portoPage.goto(`/admin/synthesis/preview?start=${start}&end=${end}&cycle=`);
      await portoPage.getByRole("button", { name: "Review and publish…" }).click();
      await portoPage.getByRole("button", { name: "Yes, publish version 1" }).click();
      await portoPage.waitForURL("**/admin/synthesis/preview?**published=1");
      const portoVersions = porto.node.services.syntheses.list("porto");
      expect(portoVersions.map((v) => v.version)).toEqual([1]);
      await portoContext.close();

      await page.getByRole("link", { name: "Syntheses received from the network" }).click();
      await page.waitForURL("**/admin/network/syntheses");
      const porto1 = page.getByRole("row", { name: /Porto/ });
      await reloadUntil(page, async () => (await porto1.count()) === 1, "Porto's synthesis");
      await expectAccessible(page, "received syntheses");
      await porto1.getByRole("link", { name: "Porto" }).click();
      await page.waitForURL(/\/admin\/network\/syntheses\/\d+$/);
      receivedDetailUrl = page.url();

      const payload = JSON.parse(portoVersions[0]?.payload ?? "{}") as SynthesisPayload;
      const facts = page.locator("dl");
      await expect(facts.getByText(portoVersions[0]?.hash ?? "?").count()).resolves.toBe(1);
      await expect(
        facts.getByText("verified (signed by its territory)", { exact: true }).count(),
      ).resolves.toBe(1);
      const totals = page.locator("table#totals");
      expect(
        await totals.getByRole("row", { name: "Participants" }).locator("td").textContent(),
      ).toBe(String(payload.participants));
      expect(await totals.getByRole("row", { name: "Criteria" }).locator("td").textContent()).toBe(
        String(payload.totals.criteria),
      );
      await expectAccessible(page, "received synthesis");
      await screenshot(page, "received-synthesis", { docs: true });
      const phone = await phoneOfAdmin();
      await phone.goto(receivedDetailUrl);
      await expectFitsPhone(phone, "received synthesis");
      await screenshot(phone, "phone-received-synthesis");
      await phone.context().close();
    },
    SLOW,
  );

  it(
    "explores the figures by country on Mulhouse: coverage lists Porto, the CSV has its counts",
    async () => {
      await page.getByRole("navigation").getByRole("link", { name: "Figures" }).first().click();
      await page.waitForURL("**/admin/figures");
      // Unfiltered, the figure covers both territories.
      const coverage = page.locator("table.included").first();
      await expect(coverage.getByRole("link", { name: "Mulhouse" }).count()).resolves.toBe(1);
      await expect(coverage.getByRole("link", { name: "Porto" }).count()).resolves.toBe(1);

      await page.getByLabel("Country").first().selectOption("PT");
      await page.getByRole("button", { name: "Show the figures" }).first().click();
      await page.waitForURL("**/admin/figures?**country=PT**");
      await expect(coverage.getByRole("link", { name: "Porto" }).count()).resolves.toBe(1);
      await expect(coverage.getByRole("link", { name: "Mulhouse" }).count()).resolves.toBe(0);
      // Porto computes its own country's figure from the same synthesis: same fingerprint.
      const atPorto = await fetch(`${porto.url}/api/v1/aggregates?country=PT`).then((r) =>
        r.json(),
      );
      expect(await page.locator("code.fingerprint").first().textContent()).toBe(
        atPorto.fingerprint,
      );
      await expectAccessible(page, "figures explorer (PT)");
      await screenshot(page, "figures-explorer", { docs: true });

      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("link", { name: /^CSV/ }).first().click(),
      ]);
      expect(download.suggestedFilename()).toBe("spiral-aggregate.csv");
      const file = await download.path();
      const { readFile } = await import("node:fs/promises");
      const [header, ...rows] = parseCsv(await readFile(file, "utf8"));
      expect(header).toEqual([
        "question",
        "dimension",
        "component",
        "label_en",
        "label_fr",
        "criteria",
      ]);
      // Porto's synthesis alone, as Porto published it: one row per question and component.
      const [portoVersion] = porto.node.services.syntheses.list("porto");
      const payload = JSON.parse(portoVersion?.payload ?? "{}") as SynthesisPayload;
      const expected = Object.entries(payload.counts).flatMap(([question, cells]) =>
        Object.entries(cells ?? {})
          .filter(([, count]) => (count ?? 0) > 0)
          .map(([component, count]) => `${question} ${component} ${count}`),
      );
      expect(expected.length).toBe(PORTO_CRITERIA.length);
      expect(rows.map((r) => `${r[0]} ${r[2]} ${r[5]}`).sort()).toEqual(expected.sort());
      for (const row of rows) expect(row[1]).toBe(row[2]?.charAt(0));

      const phone = await phoneOfAdmin();
      await phone.goto(page.url());
      await expectFitsPhone(phone, "figures explorer");
      await screenshot(phone, "phone-figures-explorer");
      await phone.context().close();
    },
    SLOW,
  );

  it(
    "shows the calendar: Mulhouse's meeting, and Porto's from the network",
    async () => {
      await page.getByRole("navigation").getByRole("link", { name: "Calendar" }).first().click();
      await page.waitForURL("**/admin/calendar");
      const own = page.getByRole("region", { name: "Upcoming meetings of Mulhouse" });
      await expect(
        own.getByRole("link", { name: MEETING_TITLE, exact: true }).count(),
      ).resolves.toBe(1);
      const network = page.getByRole("region", { name: "Upcoming meetings in the network" });
      await reloadUntil(
        page,
        async () => (await network.getByText(PORTO_MEETING_TITLE).count()) === 1,
        "Porto's meeting",
      );
      await expectAccessible(page, "calendar");
    },
    SLOW,
  );

  it(
    "opens Mulhouse's public pages without logging in: territory, synthesis, meeting, figures",
    async () => {
      const visitor = await openContext(browser, servedPeer(mulhouse));
      expect(await visitor.cookies()).toEqual([]);
      const p = await visitor.newPage();
      await p.goto("/actors/mulhouse");
      expect(await p.title()).toContain("Mulhouse");
      expect(await p.locator('meta[property="og:title"]').getAttribute("content")).toContain(
        "Mulhouse",
      );
      // The follow instructions for Mastodon users.
      const handle = `@mulhouse@${new URL(mulhouse.url).host}`;
      expect(await p.locator("code.handle").textContent()).toBe(handle);
      await expectAccessible(p, "public territory");
      await screenshot(p, "public-territory", { docs: true });

      await p.getByRole("link", { name: MEETING_TITLE }).click();
      await p.waitForURL(mulhouseMeetingUrl);
      expect(await p.locator("h1").textContent()).toContain(MEETING_TITLE);
      await expectAccessible(p, "public meeting");

      await p.goto("/actors/mulhouse");
      const synthesisLink = p.locator(`a[href$="/syntheses/${mulhouseSynthesisId}"]`);
      await synthesisLink.click();
      await p.waitForURL(`**/syntheses/${mulhouseSynthesisId}`);
      expect(await p.locator("h1").textContent()).toContain("Mulhouse");
      await expect(
        p.getByText(`Mulhouse: ${MULHOUSE_CRITERIA.length} criteria written by 8 citizens`).count(),
      ).resolves.toBe(1);
      expect(await p.locator('meta[property="og:type"]').getAttribute("content")).toBeTruthy();
      await expectAccessible(p, "public synthesis");
      await screenshot(p, "public-synthesis");

      await p.goto("/figures");
      const covered = p.locator("table.included").first();
      await expect(covered.getByRole("link", { name: "Porto" }).count()).resolves.toBe(1);
      await expect(covered.getByRole("link", { name: "Mulhouse" }).count()).resolves.toBe(1);
      await expectAccessible(p, "public figures");
      await screenshot(p, "public-figures", { docs: true });

      const phone = await (
        await openContext(browser, servedPeer(mulhouse), { viewport: PHONE })
      ).newPage();
      for (const [name, path] of [
        ["public-territory", "/actors/mulhouse"],
        ["public-figures", "/figures"],
      ] as const) {
        await phone.goto(path);
        await expectFitsPhone(phone, name);
        await expectAccessible(phone, `${name} (phone)`);
        await screenshot(phone, `phone-${name}`, { docs: name === "public-territory" });
      }
      await phone.context().close();
      await visitor.close();
    },
    SLOW,
  );
});
