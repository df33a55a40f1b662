import { periodKey } from "@spiral-network/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { expectAccessible, launchChromium } from "../browser/harness";
import {
  actorOf,
  deliverNetwork,
  H1,
  MULHOUSE,
  NAMUR,
  PARIS,
  PORTO,
} from "../node/network-fixture";
import { type AdminTestNode, addUser, PASSWORD, signIn, startSignedIn, VERA } from "./browser";

// The workspace's aggregates explorer: filters, comparison of two scopes, coverage, fingerprint
// and downloads — the same figures as GET /api/v1/aggregates.

let t: AdminTestNode;
afterEach(async () => {
  await t?.close();
});

/** A node set up through the browser, holding four territories' syntheses; a viewer signed in. */
async function explorer(headers?: Record<string, string>) {
  const started = await startSignedIn({ headers });
  t = started.t;
  const admin = started.admin;
  await addUser(t.node, VERA);
  const vera = await signIn(t.node, VERA.email, PASSWORD, headers);
  deliverNetwork(t.node);
  return { admin, vera };
}

async function api(query: string) {
  const response = await t.node.app.request(`/api/v1/aggregates${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as any;
}

const fingerprints = (html: string) =>
  [...html.matchAll(/<code class="fingerprint">([^<]+)<\/code>/g)].map((m) => m[1]);
const linked = (html: string, name: string) => html.includes(`">${name}</a></td>`);
const fromAttribute = (href: string) => href.replaceAll("&amp;", "&");

describe("aggregates explorer", () => {
  it("is read by a viewer, and only when signed in", async () => {
    const { vera } = await explorer();
    const page = await vera.get("/admin/figures");
    expect(page.status).toBe(200);
    expect(page.text).toContain("<title>Network figures — Facilitator workspace</title>");
    const everything = await api("");
    expect(fingerprints(page.text)).toEqual([everything.fingerprint]);
    for (const place of [MULHOUSE, PARIS, PORTO, NAMUR])
      expect(linked(page.text, place.name)).toBe(true);
    // The charts per dimension and component, with their table alternative.
    expect(page.text).toContain('id="figures-dimensions"');
    expect(page.text).toContain('id="figures-components"');

    const anonymous = t.browser();
    const refused = await anonymous.get("/admin/figures");
    expect(refused.status).toBe(303);
  });

  it("filtering by country narrows the coverage to that country", async () => {
    const { vera } = await explorer();
    const page = await vera.get("/admin/figures?country=PT");
    expect(page.status).toBe(200);
    const portugal = await api("?country=PT");
    expect(portugal.coverage.included.map((v: any) => v.name)).toEqual([PORTO.name]);
    expect(fingerprints(page.text)).toEqual([portugal.fingerprint]);
    expect(page.text).toContain(`Included syntheses (${portugal.coverage.included.length})`);
    expect(linked(page.text, PORTO.name)).toBe(true);
    expect(linked(page.text, MULHOUSE.name)).toBe(false);
    expect(linked(page.text, NAMUR.name)).toBe(false);
    // The country's select keeps the choice.
    expect(page.text).toContain('<option value="PT" selected="">PT</option>');
    // Territories per country: one row, PT.
    const byCountry = /<table class="by-country">([\s\S]*?)<\/table>/.exec(page.text)?.[1] ?? "";
    expect(byCountry).toContain('<th scope="row">PT</th>');
    expect(byCountry).not.toContain('<th scope="row">FR</th>');
  });

  it("compares two scopes side by side: one region against its country", async () => {
    const { vera } = await explorer();
    const page = await vera.get("/admin/figures?region=FR-GES&compare=1&b_country=FR");
    expect(page.status).toBe(200);
    const region = await api("?region=FR-GES");
    const country = await api("?country=FR");
    expect(region.coverage.included).toHaveLength(1);
    expect(country.coverage.included).toHaveLength(2);
    expect(fingerprints(page.text)).toEqual([region.fingerprint, country.fingerprint]);
    expect(page.text).toContain('<h2 id="scope-a">Scope A</h2>');
    expect(page.text).toContain('<h2 id="scope-b">Scope B</h2>');
    expect(page.text).toContain(`Included syntheses (${region.coverage.included.length})`);
    expect(page.text).toContain(`Included syntheses (${country.coverage.included.length})`);
    // The second set of filters is in the form, and both scopes in the comparison charts.
    expect(page.text).toContain('name="b_country"');
    expect(page.text).toContain('id="compare-well-being"');
    // Both scopes' download links.
    expect(page.text).toContain(
      'href="/api/v1/aggregates?region=FR-GES&amp;scope=verified&amp;format=csv"',
    );
    expect(page.text).toContain(
      'href="/api/v1/aggregates?country=FR&amp;scope=verified&amp;format=csv"',
    );
    // The link back to scope A alone keeps A's filters only.
    expect(page.text).toContain('href="/admin/figures?region=FR-GES"');
  });

  it("compares one territory, chosen among the known ones, against its country", async () => {
    const { vera } = await explorer();
    // Both scopes offer every territory the node holds syntheses of.
    const blank = await vera.get("/admin/figures?compare=1");
    for (const prefix of ["", "b_"]) {
      const select =
        new RegExp(
          `<select id="f-${prefix}territory" name="${prefix}territory">([\\s\\S]*?)</select>`,
        ).exec(blank.text)?.[1] ?? "";
      for (const place of [MULHOUSE, PARIS, PORTO, NAMUR]) {
        expect(select, `${prefix}${place.name}`).toContain(
          `<option value="${actorOf(place)}">${place.name} (${place.country})</option>`,
        );
      }
    }
    const mulhouse = encodeURIComponent(actorOf(MULHOUSE));
    const page = await vera.get(`/admin/figures?territory=${mulhouse}&compare=1&b_country=FR`);
    expect(page.status).toBe(200);
    const territory = await api(`?territory=${mulhouse}`);
    const country = await api("?country=FR");
    expect(territory.coverage.included.map((v: any) => v.name)).toEqual([MULHOUSE.name]);
    expect(country.coverage.included.map((v: any) => v.name).sort()).toEqual(
      [MULHOUSE.name, PARIS.name].sort(),
    );
    expect(fingerprints(page.text)).toEqual([territory.fingerprint, country.fingerprint]);
    expect(page.text).toContain(`Included syntheses (${territory.coverage.included.length})`);
    expect(page.text).toContain(`Included syntheses (${country.coverage.included.length})`);
    expect(page.text).toContain('id="compare-well-being"');
    // Scope A's select keeps the territory; its download link names it.
    expect(page.text).toContain(
      `<option value="${actorOf(MULHOUSE)}" selected="">${MULHOUSE.name} (FR)</option>`,
    );
    expect(page.text).toContain(
      `href="/api/v1/aggregates?territory=${mulhouse}&amp;scope=verified&amp;format=csv"`,
    );
    // In scope B too.
    const swapped = await vera.get(`/admin/figures?country=FR&b_territory=${mulhouse}`);
    expect(fingerprints(swapped.text)).toEqual([country.fingerprint, territory.fingerprint]);
  });

  it("the CSV download has one row per question and component of the figure shown", async () => {
    const { vera } = await explorer();
    const page = await vera.get("/admin/figures?country=FR&question=Q1");
    const href = /href="([^"]*format=csv[^"]*)"/.exec(page.text)?.[1];
    expect(href).toBeDefined();
    const csv = await vera.get(fromAttribute(href ?? ""));
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const [header, ...rows] = csv.text.trim().split("\r\n");
    expect(header).toBe("question,dimension,component,label_en,label_fr,criteria");
    const figure = await api("?country=FR&question=Q1");
    expect(csv.headers.get("x-spiral-fingerprint")).toBe(figure.fingerprint);
    const cells = rows.map((row) => {
      const fields = row.split(",");
      return [fields[0], fields[2], Number(fields.at(-1))];
    });
    const expected = Object.entries(figure.counts.Q1).map(([component, count]) => [
      "Q1",
      component,
      count,
    ]);
    expect(cells).toEqual(expected);
    const total = cells.reduce((sum, [, , count]) => sum + Number(count), 0);
    expect(page.text).toContain(`Criteria: ${total}</strong>`);
    expect(fingerprints(page.text)).toEqual([figure.fingerprint]);
  });

  it("filters by sub-network: only the syntheses it relayed", async () => {
    const { vera } = await explorer();
    t.node.services.subnetworks.create({ slug: "farming", name: "Farming territories" }, "test");
    const group = "http://node.test/actors/farming";
    for (const place of [PORTO, NAMUR]) {
      t.node.services.subnetworks.recordItem({
        subnetwork: group,
        origin: actorOf(place),
        objectId: `${actorOf(place)}/syntheses/1`,
        kind: "synthesis",
        periodKey: periodKey(H1),
        activityId: `${actorOf(place)}/activities/1`,
      });
    }
    const form = await vera.get("/admin/figures");
    expect(form.text).toContain(`<option value="${group}">Farming territories</option>`);
    const query = `?subnetwork=${encodeURIComponent(group)}`;
    const page = await vera.get(`/admin/figures${query}`);
    expect(page.status).toBe(200);
    const relayed = await api(query);
    expect(relayed.coverage.included.map((v: any) => v.name).sort()).toEqual(["Namur", "Porto"]);
    expect(fingerprints(page.text)).toEqual([relayed.fingerprint]);
    expect(linked(page.text, PORTO.name)).toBe(true);
    expect(linked(page.text, MULHOUSE.name)).toBe(false);
    expect(page.text).toContain(
      `<option value="${group}" selected="">Farming territories</option>`,
    );
  });

  it("writes the comparison's shares the French way (46,3 %), not as raw numbers", async () => {
    const { vera } = await explorer({ "accept-language": "fr" });
    const page = await vera.get("/admin/figures?region=FR-GES&compare=1&b_country=FR");
    expect(page.status).toBe(200);
    const chart = /id="compare-well-being"[\s\S]*?<\/figure>/.exec(page.text)?.[0] ?? "";
    const values = [...chart.matchAll(/<text [^>]*>([^<]*)<\/text>/g)]
      .map((m) => m[1] ?? "")
      .filter((text) => /^\d/.test(text));
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) expect(value).toMatch(/^\d+(,\d)?\u00a0?\s?%$/);
    expect(chart).toMatch(/<td>\d+(,\d)?\s%<\/td>/);
  });

  it("refuses invalid filters with a message, in French too", async () => {
    const { vera } = await explorer({ "accept-language": "fr" });
    const page = await vera.get("/admin/figures?country=XX&b_from=hier&compare=1");
    expect(page.status).toBe(400);
    expect(page.text).toContain("<h1>Chiffres du réseau</h1>");
    expect(page.text).toContain("Certains filtres ne sont pas valides");
    expect(page.text).toContain("country:");
    expect(page.text).toContain("from:");
    expect(fingerprints(page.text)).toEqual([]);
  });

  it("has no serious accessibility violation and no sideways scroll on a phone", async () => {
    const { vera } = await explorer();
    const browser = await launchChromium();
    try {
      for (const width of [375, 1000]) {
        const page = await browser.newPage({ viewport: { width, height: 800 } });
        for (const url of [
          "/admin/figures",
          "/admin/figures?region=FR-GES&compare=1&b_country=FR",
        ]) {
          await page.setContent((await vera.get(url)).text);
          await expectAccessible(page, url);
          const scrolled = await page.evaluate(() => document.documentElement.scrollWidth);
          expect(scrolled, `${url} at ${width} px`).toBeLessThanOrEqual(width);
        }
        await page.close();
      }
    } finally {
      await browser.close();
    }
  }, 60_000);
});
