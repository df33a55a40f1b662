import { defaultGrid } from "@spiral-network/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expectAccessible, launchChromium } from "../browser/harness";
import {
  addValidatedCriteria,
  createGroup,
  createTestvilleNode,
  PUBLIC_URL,
  T,
  type TestNode,
} from "./helpers";
import { deliverNetwork, MULHOUSE, PORTO } from "./network-fixture";

// The public pages (no login): the same URLs as the ActivityPub objects, HTML for browsers and
// JSON for federation clients; titles, Open Graph, English and French, follow instructions and
// the network figures (the same as the API's).

const AS = { accept: "application/activity+json" };
const HTML = { accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8" };
const FRENCH = { ...HTML, "accept-language": "fr-FR,fr;q=0.9,en;q=0.5" };
const ACTOR = `${PUBLIC_URL}/actors/testville`;

let t: TestNode;
let synthesisUrl: string;
let meetingUrl: string;

beforeEach(async () => {
  t = createTestvilleNode();
  const group = await createGroup(t.admin, { participants: 7, sessionDates: ["2026-02-10"] });
  await addValidatedCriteria(t.admin, group, [
    { question: "Q1", text: "Des amis", code: "A01" },
    { question: "Q2", text: "Le bruit", code: "B01" },
  ]);
  const published = await t.admin.post(`${T}/syntheses`, {
    period: { start: "2026-01-01", end: "2026-06-14" },
    correction: false,
  });
  expect(published.status, published.text).toBe(201);
  synthesisUrl = `${PUBLIC_URL}/syntheses/${published.body.synthesisId}`;
  const meeting = await t.admin.post(`${T}/meetings`, {
    title: "Groupe homogène — jeunes",
    description: "Première séance.",
    kind: "homogeneous-group-session",
    start: "2026-07-02T18:00",
    end: "2026-07-02T20:00",
    timeZone: "Europe/Paris",
    place: { name: "Centre social", locality: "Testville", country: "FR" },
    languages: ["fr"],
  });
  expect(meeting.status, meeting.text).toBe(201);
  meetingUrl = meeting.body.url;
  deliverNetwork(t.node);
});
afterEach(() => {
  expect(t.loggedErrors).toEqual([]);
  t.close();
});

async function get(url: string, headers: Record<string, string> = HTML) {
  const response = await t.node.app.request(url, { headers });
  const text = await response.text();
  expect(response.status, `${url}: ${text}`).toBe(200);
  return { response, text };
}

const meta = (html: string, property: string) =>
  new RegExp(`<meta property="${property}" content="([^"]*)"`).exec(html)?.[1];
const title = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1];

describe("content negotiation", () => {
  it("serves ActivityStreams JSON to federation clients and HTML to browsers at the same URLs", async () => {
    const urls = [
      { url: ACTOR, types: ["Group", "Organization", "Person", "Service", "Application"] },
      { url: synthesisUrl, types: ["Article"] },
      { url: meetingUrl, types: ["Event"] },
    ];
    for (const { url, types } of urls) {
      const json = await get(url, AS);
      expect(json.response.headers.get("content-type")).toMatch(
        /^application\/(activity|ld)\+json/,
      );
      const object = JSON.parse(json.text);
      expect(object.id).toBe(url);
      expect(types).toContain(object.type);

      const html = await get(url, HTML);
      expect(html.response.headers.get("content-type")).toMatch(/^text\/html/);
      expect(html.text).toContain(
        `<link rel="alternate" type="application/activity+json" href="${url}"/>`,
      );
      expect(html.response.headers.get("vary")).toContain("Accept");
    }
  });
});

describe("not found", () => {
  it("answers browsers with a page in their language and a way back; other clients with a plain 404", async () => {
    const missing = [
      `${PUBLIC_URL}/actors/nowhere`,
      `${PUBLIC_URL}/syntheses/00000000-0000-4000-8000-000000000000`,
      `${PUBLIC_URL}/meetings/00000000-0000-4000-8000-000000000000`,
      `${PUBLIC_URL}/no/such/page`,
    ];
    for (const url of missing) {
      const page = await t.node.app.request(url, { headers: HTML });
      const text = await page.text();
      expect(page.status, url).toBe(404);
      expect(page.headers.get("content-type"), url).toMatch(/^text\/html/);
      expect(text, url).toContain("<h1>Page not found</h1>");
      expect(text, url).toContain('href="/"');
      const french = await (await t.node.app.request(url, { headers: FRENCH })).text();
      expect(french, url).toContain("<h1>Page introuvable</h1>");
      const machine = await t.node.app.request(url, { headers: AS });
      expect(machine.status, url).toBe(404);
      expect(await machine.text(), url).not.toContain("<html");
    }
    // The JSON API keeps answering JSON, whatever the Accept header.
    const api = await t.node.app.request(`${PUBLIC_URL}/api/v1/nothing`, { headers: HTML });
    expect(api.status).toBeGreaterThanOrEqual(400);
    expect(api.headers.get("content-type")).toMatch(/json/);
  });
});

describe("pages", () => {
  it("have titles, a viewport and Open Graph tags naming their own URL", async () => {
    const pages = [
      { url: ACTOR, title: "Testville — Spiral Network", type: "profile" },
      {
        url: synthesisUrl,
        title: "Well-being synthesis — Testville — 2026-01-01 – 2026-06-14",
        type: "article",
      },
      { url: meetingUrl, title: "Groupe homogène — jeunes — Testville", type: "website" },
      { url: `${PUBLIC_URL}/figures`, title: "Network figures — Spiral Network", type: "website" },
      { url: `${PUBLIC_URL}/`, title: "Testville — Spiral Network", type: "website" },
    ];
    for (const page of pages) {
      const { text } = await get(page.url);
      expect(title(text), page.url).toBe(page.title);
      expect(text).toContain(
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
      );
      expect(meta(text, "og:title")).toBe(page.title);
      expect(meta(text, "og:type")).toBe(page.type);
      expect(meta(text, "og:url")).toBe(page.url);
      expect(meta(text, "og:site_name")).toBe("Spiral Network");
      expect(meta(text, "og:description")?.length, page.url).toBeGreaterThan(10);
      expect(text).toContain('<html lang="en" dir="ltr">');
    }
  });

  it("territory page lists its published syntheses and meetings and how to follow it from Mastodon", async () => {
    const { text } = await get(ACTOR);
    expect(text).toContain("<h1>Testville</h1>");
    expect(text).toContain(`href="${synthesisUrl}"`);
    expect(text).toContain(`href="${meetingUrl}"`);
    expect(text).toContain("Groupe homogène — jeunes");
    expect(text).toContain('<code class="handle">@testville@node.test</code>');
    expect(text).toContain("paste this address into the search box");
    expect(text).toContain('href="/figures?country=FR"');
  });

  it("synthesis page shows its figures per dimension and its content hash", async () => {
    const { text } = await get(synthesisUrl);
    const api = await t.anonymous.get(`${T}/syntheses`);
    const [version] = api.body;
    expect(text).toContain(version.hash);
    expect(text).toContain("Q1 Well-being");
    expect(text).toContain("Q2 Ill-being");
    // Each question's dimensions with the grid's label, count and share.
    expect(text).toContain(
      `${defaultGrid.label("A", "en")} <span class="muted">(A)</span>: 1 (100 %)`,
    );
    const french = (await get(synthesisUrl, FRENCH)).text;
    expect(french).toContain(`${defaultGrid.label("B", "fr")} <span class="muted">(B)</span>`);
    expect(text).toContain("2 criteria written by 7 citizens in one homogeneous group");
    expect(text).toContain("Q1 Well-being — 1 criterion");
    // It names the grid version it was coded with.
    expect(text).toContain(`Coded with grid ${defaultGrid.id} ${defaultGrid.version}`);
  });

  it("speak French when the browser asks for it, and ?lang= switches", async () => {
    const territory = (await get(ACTOR, FRENCH)).text;
    expect(territory).toContain('<html lang="fr" dir="ltr">');
    expect(territory).toContain("Suivre depuis Mastodon");
    expect(territory).toContain("collez cette adresse dans la barre de recherche");
    expect(territory).toContain(`${meta(territory, "og:locale")}`);
    expect(meta(territory, "og:site_name")).toBe("Réseau Spirale");
    // The switch link leads to the English page.
    expect(territory).toContain('href="/actors/testville?lang=en"');
    // Each other language is announced as an alternate, at an absolute address.
    expect(territory).toContain(
      `<link rel="alternate" hreflang="pt" href="${PUBLIC_URL}/actors/testville?lang=pt"/>`,
    );
    expect(territory).not.toContain('hreflang="fr" href=');
    const english = await get(`${ACTOR}?lang=en`, FRENCH);
    expect(english.text).toContain("Follow from Mastodon");
    // The choice is remembered for the next pages (the workspace reads the same cookie).
    expect(english.response.headers.get("set-cookie")).toMatch(/^lang=en; .*Path=\//);
    const next = (await get(`${PUBLIC_URL}/figures`, { ...FRENCH, cookie: "lang=en" })).text;
    expect(next).toContain('<html lang="en" dir="ltr">');

    const synthesis = (await get(synthesisUrl, FRENCH)).text;
    expect(title(synthesis)).toBe("Synthèse du bien-être — Testville — 2026-01-01 – 2026-06-14");
    expect(synthesis).toContain("Q1 Bien-être");
    const meeting = (await get(meetingUrl, FRENCH)).text;
    expect(meeting).toContain("Ajouter à votre agenda (.ics)");
    const figures = (await get(`${PUBLIC_URL}/figures`, FRENCH)).text;
    expect(title(figures)).toBe("Chiffres du réseau — Réseau Spirale");
    expect(figures).toContain("Couverture");
  });
});

describe("network figures page", () => {
  const fingerprintOf = (html: string) =>
    /<code class="fingerprint">([^<]+)<\/code>/.exec(html)?.[1];

  it("shows the same coverage and fingerprint as the API, for the same filters", async () => {
    for (const query of ["", "?country=FR", "?country=PT&scope=verified", "?region=FR-GES"]) {
      const api = (await t.anonymous.get(`/api/v1/aggregates${query}`)).body;
      const { text } = await get(`/figures${query}`);
      expect(fingerprintOf(text), query).toBe(api.fingerprint);
      expect(text).toContain(`Included syntheses (${api.coverage.included.length})`);
      for (const version of api.coverage.included) {
        expect(text).toContain(`<a href="${version.origin}">${version.name}</a>`);
      }
      expect(text).toContain(
        `Territories: ${api.territories} · Participants: ${api.participants} · Groups: ${api.groups} · Criteria: ${api.totals.criteria}`,
      );
    }
    const fr = (await get("/figures?country=FR")).text;
    expect(fr).not.toContain(`>${PORTO.name}</a>`);
    expect(fr).toContain(`>${MULHOUSE.name}</a>`);
    // The download links are the API's URL with the same filters.
    expect(fr).toContain('href="/api/v1/aggregates?country=FR&amp;scope=verified&amp;format=csv"');
  });

  it("lists excluded syntheses with their reason", async () => {
    const api = (await t.anonymous.get("/api/v1/aggregates?scope=endorsed")).body;
    expect(api.coverage.excluded.length).toBeGreaterThan(0);
    const { text } = await get("/figures?scope=endorsed");
    expect(text).toContain(`Excluded syntheses (${api.coverage.excluded.length})`);
    expect(text).toContain("outside the trust scope");
    expect(fingerprintOf(text)).toBe(api.fingerprint);
  });

  it("refuses invalid filters with a message, not a crash", async () => {
    const response = await t.node.app.request("/figures?country=XX&from=yesterday", {
      headers: HTML,
    });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).toContain("Some filters are not valid");
    expect(text).toContain("country:");
    expect(text).not.toContain('class="fingerprint"');
    // What was typed stays in the form, to be corrected.
    expect(text).toContain('<option value="XX" selected="">XX</option>');
    expect(text).toContain('value="yesterday"');
  });
});

describe("on a phone", () => {
  it("no page scrolls sideways at 375 px, and axe finds no serious violation", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
      for (const url of [
        ACTOR,
        synthesisUrl,
        meetingUrl,
        `${PUBLIC_URL}/figures`,
        `${PUBLIC_URL}/`,
      ]) {
        for (const headers of [HTML, FRENCH] as Array<Record<string, string>>) {
          const { text } = await get(url, headers);
          await page.setContent(text);
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          expect(width, `${url} ${headers["accept-language"] ?? "en"}`).toBeLessThanOrEqual(375);
          await expectAccessible(page, url);
        }
      }
    } finally {
      await browser.close();
    }
  }, 60_000);
});
