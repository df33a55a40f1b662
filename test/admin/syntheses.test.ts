import type { Criterion } from "@spiral-network/protocol";
import { afterEach, describe, expect, it } from "vitest";
import {
  type AdminTestNode,
  addFredAndVera,
  csrfOf,
  hiddenFieldsOf,
  publishConfirmed,
  signInFredAndVera,
  startSignedIn,
} from "./browser";

const SLUG = "testville";
const YEAR = { start: "2026-01-01", end: "2026-12-31", cycle: "" };
const YEAR_QUERY = "start=2026-01-01&end=2026-12-31";

let t: AdminTestNode;
afterEach(async () => {
  await t?.close();
});

/** `n` criteria of one question coded with one component. */
const coded = (question: Criterion["question"], code: string, n: number): Criterion[] =>
  Array.from({ length: n }, (_, i) => ({ question, text: `${question} ${code} note ${i}`, code }));

/**
 * Three groups of 2026 and one of 2025. "Parents" (3 participants) is under k = 5, so it is
 * pooled into "other", and "other" then takes the smallest published category (elderly people)
 * so that it holds at least k. Young people record a gender margin with cells under 10.
 */
const GROUPS = [
  {
    group: {
      label: "Youth of Bourtzwiller",
      category: "young-people",
      sessionDates: ["2026-05-12"],
      participants: 12,
      cycle: 0,
      margins: { gender: { female: 7, male: 5 } },
    },
    validated: [
      ...coded("Q1", "A01", 3),
      ...coded("Q2", "A03", 2),
      ...coded("Q3", "B02", 1),
      ...coded("Q4", "A01", 1),
    ],
    proposed: coded("Q1", "A05", 1),
    unclassified: [{ question: "Q2", text: "not classified yet" }] as Criterion[],
  },
  {
    group: {
      label: "Elders of Dornach",
      category: "elderly-people",
      sessionDates: ["2026-04-02"],
      participants: 8,
      cycle: 0,
    },
    validated: [...coded("Q1", "A01", 2), ...coded("Q2", "D00", 1)],
    proposed: [],
    unclassified: [],
  },
  {
    group: {
      label: "Parents of the school",
      category: "parents",
      sessionDates: ["2026-03-10"],
      participants: 3,
      cycle: 0,
    },
    validated: [...coded("Q1", "A01", 1), ...coded("Q1", "A06", 1)],
    proposed: [],
    unclassified: [],
  },
  {
    group: {
      label: "Last year's group",
      category: "residents",
      sessionDates: ["2025-03-01"],
      participants: 9,
      cycle: 0,
    },
    validated: coded("Q2", "E00", 4),
    proposed: [],
    unclassified: [],
  },
];

/** A node set up through the browser, the groups and criteria seeded, three people signed in. */
async function seeded(headers?: Record<string, string>) {
  const started = await startSignedIn({ headers });
  t = started.t;
  const admin = started.admin;
  await addFredAndVera(t.node);
  for (const seed of GROUPS) {
    const group = groupWithValidated(seed.group, seed.validated);
    t.node.services.criteria.add(SLUG, group.id, [...seed.proposed, ...seed.unclassified], "test");
  }
  const { fred, vera } = await signInFredAndVera(t.node, headers);
  return { admin, fred, vera };
}

/** Creates a group through the service, with these criteria validated; returns the group. */
function groupWithValidated(
  input: Parameters<AdminTestNode["node"]["services"]["groups"]["create"]>[1],
  validated: Criterion[],
) {
  const { groups, criteria } = t.node.services;
  const group = groups.create(SLUG, input, "test");
  const rows = criteria.add(SLUG, group.id, validated, "test");
  criteria.validate(
    SLUG,
    rows.map((r) => r.id),
    "test",
  );
  return group;
}

/** Publishes version 1 of the year's synthesis from the admin page; returns the page's CSRF token. */
async function publishYear(client: Awaited<ReturnType<typeof seeded>>["fred"]) {
  const preview = await client.get(`/admin/synthesis/preview?${YEAR_QUERY}`);
  const csrf = csrfOf(preview.text);
  expect((await publishConfirmed(client, { _csrf: csrf, ...YEAR })).status).toBe(303);
  return csrf;
}

const label = (code: string, lang: "en" | "fr" = "en") =>
  t.node.services.ctx.grid.label(code, lang);

/** The table row of a chart: its header and its numbers. */
const tableRow = (header: string, values: number[]) =>
  `<tr><th scope="row">${header}</th>${values.map((v) => `<td>${v}</td>`).join("")}</tr>`;

/** The part of a page between an element's id and the next heading of the same level. */
const section = (html: string, id: string, level = "h2") => {
  const start = html.indexOf(`id="${id}"`);
  expect(start, `section ${id}`).toBeGreaterThan(-1);
  const end = html.indexOf(`<${level}`, start + 1);
  return html.slice(start, end === -1 ? undefined : end);
};

const decodeHtml = (html: string) =>
  html
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");

const rawJsonOf = (html: string) => {
  const match = /<pre class="raw-json"[^>]*><code>([\s\S]*?)<\/code><\/pre>/.exec(html);
  expect(match, "the raw JSON block").not.toBeNull();
  return JSON.parse(decodeHtml(match?.[1] ?? "null"));
};

describe("synthesis page", () => {
  it("charts the period's validated criteria per dimension, component and category, with tables", async () => {
    const { fred } = await seeded();
    const page = await fred.get("/admin/synthesis");
    expect(page.status).toBe(200);
    // The default period is the current year (the test clock is in June 2026).
    expect(page.text).toContain('name="start" type="date" value="2026-01-01"');
    expect(page.text).toContain('name="end" type="date" value="2026-12-31"');
    expect(page.text).toContain(
      "3 group(s) with validated criteria (out of 3 in the period), 23 participant(s), 12 validated criteria.",
    );
    const svgs = page.text.match(/<svg role="img" aria-labelledby="[^"]+"/g) ?? [];
    expect(svgs).toHaveLength(3);
    expect(page.text).toContain(
      '<title id="local-dimensions-title">Validated criteria per dimension</title>',
    );

    const dimensions = section(page.text, "local-dimensions", "figure");
    expect(dimensions).toContain(
      '<th scope="col">Well-being</th><th scope="col">Ill-being</th><th scope="col">Actions</th>',
    );
    // A: Q1 3+2+1 (A01) + 1 (A06); Q2 2 (A03); actions: Q4 1 (A01). The 2025 group's E00 is not counted.
    expect(dimensions).toContain(tableRow(`A · ${label("A")}`, [7, 2, 1]));
    expect(dimensions).toContain(tableRow(`B · ${label("B")}`, [0, 0, 1]));
    expect(dimensions).toContain(tableRow(`D · ${label("D")}`, [0, 1, 0]));
    expect(dimensions).toContain(tableRow(`E · ${label("E")}`, [0, 0, 0]));

    const components = section(page.text, "local-components", "figure");
    expect(components).toContain(tableRow(`A01 · ${label("A01")}`, [6, 0, 1]));
    expect(components).toContain(tableRow(`A03 · ${label("A03")}`, [0, 2, 0]));
    expect(components).toContain(tableRow(`A06 · ${label("A06")}`, [1, 0, 0]));
    // Components nobody cited are left out; A05 is only proposed.
    expect(components).not.toContain(`A05 · `);
    expect(components).not.toContain(`E00 · `);

    const categories = section(page.text, "local-categories", "figure");
    expect(categories).toContain(tableRow("Young people", [3, 2, 2]));
    expect(categories).toContain(tableRow("Elderly people", [2, 1, 0]));
    expect(categories).toContain(tableRow("Parents", [2, 0, 0]));
  });

  it("calls out the components cited by a single group, and counts the criteria not yet validated", async () => {
    const { fred } = await seeded();
    const page = await fred.get(`/admin/synthesis?${YEAR_QUERY}`);
    const minority = section(page.text, "minority");
    const items = [...minority.matchAll(/<li><strong>(\w\d\d) · /g)].map((m) => m[1]);
    expect(items).toEqual(["A03", "A06", "B02", "D00"]);
    expect(minority).toContain("cited only by Parents of the school (Parents): Well-being 1");
    expect(minority).toContain("cited only by Youth of Bourtzwiller (Young people): Ill-being 2");
    expect(minority).toContain("cited only by Elders of Dornach (Elderly people): Ill-being 1");
    expect(page.text).toContain("Not counted yet: 1 unclassified and 1 proposed criteria");
    expect(page.text).toContain('href="/admin/classify"');
    expect(page.text).toContain('href="/admin/classify?tab=review"');
    expect(page.text).toContain(
      `href="/admin/synthesis/preview?${YEAR_QUERY.replace("&", "&amp;")}"`,
    );

    // Another period: only last year's group; a wrong period is refused with field messages.
    const last = await fred.get("/admin/synthesis?start=2025-01-01&end=2025-12-31&cycle=0");
    expect(last.text).toContain(tableRow(`E · ${label("E")}`, [0, 4, 0]));
    const wrong = await fred.get("/admin/synthesis?start=2026-12-31&end=2026-01-01&cycle=9");
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain("The period ends before it starts.");
    expect(wrong.text).toContain("Choose a cycle from 0 to 3, or all cycles.");
    expect(wrong.text).not.toContain("<svg");
  });

  it("speaks French, grid labels included", async () => {
    const { vera } = await seeded({ "accept-language": "fr" });
    const page = await vera.get(`/admin/synthesis?${YEAR_QUERY}`);
    expect(page.text).toContain("<h1>Synthèse</h1>");
    expect(page.text).toContain('<th scope="col">Bien-être</th><th scope="col">Mal-être</th>');
    expect(page.text).toContain(tableRow(`A · ${label("A", "fr")}`, [7, 2, 1]));
    expect(page.text).toContain("Points de vue minoritaires");
  });
});

describe("publish", () => {
  it("previews exactly the payload, what is held back and why", async () => {
    const { fred } = await seeded();
    const page = await fred.get(`/admin/synthesis/preview?${YEAR_QUERY}`);
    expect(page.status).toBe(200);
    const expected = t.node.services.syntheses.preview(SLUG, { start: YEAR.start, end: YEAR.end });
    expect(expected.payload).not.toBeNull();
    expect(rawJsonOf(page.text)).toEqual(expected.payload);
    expect(rawJsonOf(page.text).participants).toBe(23);

    const withheld = section(page.text, "withheld");
    expect(withheld).toContain(
      "Category “Parents”: 3 participant(s), fewer than k = 5. Its criteria are counted in “other”.",
    );
    expect(withheld).toContain("Category “Elderly people”: also counted in “other”");
    expect(withheld).toContain(
      "Gender margin not published: some cells hold fewer than 10 people (Women, Men).",
    );
    // The readable part names the published categories: young people, and the pool.
    const readable = section(page.text, "readable");
    expect(readable).toContain('<th scope="row">Young people</th><td>1</td><td>12</td>');
    expect(readable).toContain('<th scope="row">Other (pooled)</th><td>2</td><td>11</td>');
    expect(readable).toContain('<svg role="img"');
    // Charts of the payload itself: the pooled category, and components as published.
    expect(section(page.text, "payload-categories", "figure")).toContain(
      tableRow("Other (pooled)", [4, 1, 0]),
    );
    expect(section(page.text, "payload-components", "figure")).toContain(
      tableRow(`A01 · ${label("A01")}`, [6, 0, 1]),
    );
    expect(page.text).toContain(
      '<button type="submit" class="primary">Review and publish…</button>',
    );
    expect(page.text).toContain("Nothing published yet.");
  });

  it("publishes version 1, lists it, and refuses an unchanged second publication with 409", async () => {
    const { fred } = await seeded();
    const preview = await fred.get(`/admin/synthesis/preview?${YEAR_QUERY}`);
    const form = { _csrf: csrfOf(preview.text), ...YEAR };
    const published = await publishConfirmed(fred, form);
    expect(published.status, published.text).toBe(303);
    expect(published.location).toBe(`/admin/synthesis/preview?${YEAR_QUERY}&published=1`);
    const [version] = t.node.services.syntheses.list(SLUG);
    expect(version).toMatchObject({ version: 1, periodKey: "2026-01-01/2026-12-31" });

    const after = await fred.get(published.location ?? "");
    expect(after.text).toContain("Version 1 is published.");
    // The next step is one click away: the public page of what was just published.
    expect(after.text).toContain(
      `<p id="published-link"><a href="/syntheses/${version?.synthesisUuid}">See it on the public page</a></p>`,
    );
    expect((await fred.get(`/admin/synthesis/preview?${YEAR_QUERY}`)).text).not.toContain(
      "published-link",
    );
    const versions = section(after.text, "versions");
    expect(versions).toContain(`href="/syntheses/${version?.synthesisUuid}"`);
    expect(versions).toContain(`>${version?.hash}</code>`);
    expect(versions).toContain("<td>2026-01-01/2026-12-31</td><td>1</td>");
    expect(versions).toContain(">Withdraw</button>");
    // Nothing changed since: said once, with no blocker in red and no button to press.
    expect(after.text).toContain(
      "Version 1 is published and nothing has changed since: there is nothing new to publish.",
    );
    expect(after.text).not.toContain('id="blockers"');
    expect(after.text).not.toContain('action="/admin/synthesis/publish"');

    const again = await fred.post("/admin/synthesis/publish", form);
    expect(again.status).toBe(409);
    expect(again.text).toContain(
      "Nothing changed since version 1: there is nothing new to publish.",
    );
    expect(t.node.services.syntheses.list(SLUG)).toHaveLength(1);

    // Withdrawing: the list says so, the button goes, a second withdrawal is refused.
    const withdrawn = await fred.post("/admin/synthesis/withdraw", {
      _csrf: form._csrf,
      confirm: "1",
      synthesis: version?.synthesisUuid ?? "",
      back: YEAR_QUERY,
    });
    expect(withdrawn.status, withdrawn.text).toBe(303);
    expect(withdrawn.location).toBe(`/admin/synthesis/preview?${YEAR_QUERY}&withdrawn`);
    const listed = await fred.get(withdrawn.location ?? "");
    expect(section(listed.text, "versions")).toContain("withdrawn");
    expect(section(listed.text, "versions")).not.toContain(">Withdraw</button>");
    const twice = await fred.post("/admin/synthesis/withdraw", {
      _csrf: form._csrf,
      confirm: "1",
      synthesis: version?.synthesisUuid ?? "",
      back: YEAR_QUERY,
    });
    expect(twice.status).toBe(409);
    expect(twice.text).toContain("This synthesis is already withdrawn.");
  });

  it("explains why a period cannot be published, and refuses it with 409", async () => {
    const { fred } = await seeded();
    const query = "start=2024-01-01&end=2024-12-31";
    const page = await fred.get(`/admin/synthesis/preview?${query}`);
    expect(section(page.text, "blockers")).toContain(
      "No group of this period has validated criteria yet.",
    );
    expect(page.text).not.toContain('class="raw-json"');
    const refused = await fred.post("/admin/synthesis/publish", {
      _csrf: csrfOf(page.text),
      start: "2024-01-01",
      end: "2024-12-31",
    });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain("This synthesis cannot be published:");
    expect(refused.text).toContain("No group of this period has validated criteria yet.");
    expect(t.node.services.syntheses.list(SLUG)).toHaveLength(0);
  });

  it("refuses a second version that would single out a small group, even as a correction", async () => {
    const { fred } = await seeded();
    const csrf = await publishYear(fred);
    // Two more participants, one more criterion.
    const { groups, criteria } = t.node.services;
    const small = groupWithValidated(
      {
        label: "Late pair",
        category: "young-people",
        sessionDates: ["2026-06-01"],
        participants: 2,
        cycle: 0,
      },
      coded("Q1", "A02", 1),
    );
    const isolates =
      "Comparing it with version 1 (2026-01-01 to 2026-12-31) would single out 2 participant(s), fewer than k = 5";
    const page = await fred.get(`/admin/synthesis/preview?${YEAR_QUERY}`);
    expect(section(page.text, "blockers")).toContain(isolates);
    const refused = await fred.post("/admin/synthesis/publish", { _csrf: csrf, ...YEAR });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain("This synthesis cannot be published:");
    expect(refused.text).toContain(isolates);

    // As a correction it is refused too: a correction keeps the same groups.
    const asCorrection = await fred.get(`/admin/synthesis/preview?${YEAR_QUERY}&correction=1`);
    expect(section(asCorrection.text, "blockers")).toContain(
      "A correction may only change how criteria are classified, but since version 1 (2026-01-01 to 2026-12-31) groups were added, removed or changed",
    );
    expect(asCorrection.text).toMatch(/name="correction" value="1" checked=""/);

    // Without the pair, a reclassified criterion is a correction.
    groups.delete(SLUG, small.id, "test");
    const [first] = criteria.list(SLUG, { status: "validated", limit: 1, offset: 0 }).items;
    criteria.classify(SLUG, first?.id ?? 0, { code: "B01", status: "validated" }, "test");
    const fixed = await fred.get(`/admin/synthesis/preview?${YEAR_QUERY}&correction=1`);
    expect(fixed.text).not.toContain('id="blockers"');
    expect(rawJsonOf(fixed.text)).toMatchObject({ version: 2, correction: true });
    const corrected = await publishConfirmed(fred, {
      _csrf: csrf,
      ...YEAR,
      correction: "1",
    });
    expect(corrected.status, corrected.text).toBe(303);
    expect(corrected.location).toContain("published=2");
    const versions = t.node.services.syntheses.list(SLUG);
    expect(versions.map((v) => v.version)).toEqual([2, 1]);
    const listed = section((await fred.get(corrected.location ?? "")).text, "versions");
    // Only the latest version of the synthesis offers to withdraw it.
    expect(listed.match(/>Withdraw<\/button>/g)).toHaveLength(1);
  });

  it("refuses a period that has not started yet, or no period at all, with 400", async () => {
    const { fred } = await seeded();
    const page = await fred.get(`/admin/synthesis/preview?${YEAR_QUERY}`);
    const unnamed = await fred.post("/admin/synthesis/publish", { _csrf: csrfOf(page.text) });
    expect(unnamed.status).toBe(400);
    expect(unnamed.text).toContain("A date such as 2026-01-31.");
    const answer = await fred.post("/admin/synthesis/publish", {
      _csrf: csrfOf(page.text),
      start: "2027-01-01",
      end: "2027-12-31",
    });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("This period cannot be published: starts after today");
    expect(t.node.services.syntheses.list(SLUG)).toHaveLength(0);
  });

  it("shows the preview to a viewer without the publish button, and refuses a viewer's POST", async () => {
    const { vera } = await seeded();
    const page = await vera.get(`/admin/synthesis/preview?${YEAR_QUERY}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('class="raw-json"');
    expect(page.text).not.toContain('action="/admin/synthesis/publish"');
    expect(page.text).not.toContain(">Publish</button>");
    expect(page.text).toContain("Only facilitators and admins can publish.");
    const posted = await vera.post("/admin/synthesis/publish", {
      _csrf: csrfOf(page.text),
      ...YEAR,
    });
    expect(posted.status).toBe(403);
    expect(t.node.services.syntheses.list(SLUG)).toHaveLength(0);
  });

  it("refuses a publication without its CSRF token", async () => {
    const { fred } = await seeded();
    const posted = await fred.post("/admin/synthesis/publish", { ...YEAR });
    expect(posted.status).toBe(403);
    const forged = await fred.post("/admin/synthesis/publish", { _csrf: "forged", ...YEAR });
    expect(forged.status).toBe(403);
    expect(t.node.services.syntheses.list(SLUG)).toHaveLength(0);
  });

  it("says the rules in French", async () => {
    const { fred } = await seeded({ "accept-language": "fr" });
    const page = await fred.get(`/admin/synthesis/preview?${YEAR_QUERY}`);
    expect(page.text).toContain("Catégorie « Parents » : 3 participant(s), moins que k = 5.");
    expect(page.text).toContain(
      '<button type="submit" class="primary">Vérifier et publier…</button>',
    );
  });

  it("says in French why a category stays in “other” after comparing with version 1", async () => {
    const { fred } = await seeded({ "accept-language": "fr" });
    await publishYear(fred);
    // Six more parents: "parents" (9) alone would leave the 3 first parents isolated by difference.
    groupWithValidated(
      {
        label: "More parents",
        category: "parents",
        sessionDates: ["2026-06-01"],
        participants: 6,
        cycle: 0,
      },
      coded("Q1", "A02", 1),
    );
    const page = await fred.get(`/admin/synthesis/preview?${YEAR_QUERY}`);
    expect(page.text).not.toContain('id="blockers"');
    expect(page.text).toContain(
      "Catégorie « Parents » : comptée dans « autre ». Publiée à part, la comparer avec la version 1 (du 2026-01-01 au 2026-12-31) isolerait 3 participant(s) (moins que k = 5).",
    );
    expect(rawJsonOf(page.text).categories.map((c: { category: string }) => c.category)).toEqual([
      "young-people",
      "other",
    ]);
  });
});

describe("publishing guards", () => {
  it("says what is not counted and why, with counts and shares", async () => {
    const { fred } = await seeded();
    const page = await fred.get(`/admin/synthesis/preview?${YEAR_QUERY}`);
    const pending = section(page.text, "pending");
    // 2026: 12 validated, 1 proposed, 1 unclassified.
    expect(pending).toContain(
      "1 criteria (7%) are unclassified: they have no code of the grid yet, so they are not counted.",
    );
    expect(pending).toContain("1 criteria (7%) have a proposed code not yet validated");
    expect(pending).toContain("12 criteria (86%) are validated and counted.");
  });

  it("asks before publishing, naming the version, the figures and the followers, and shows changed figures again", async () => {
    const { fred } = await seeded();
    const preview = await fred.get(`/admin/synthesis/preview?${YEAR_QUERY}`);
    const form = { _csrf: csrfOf(preview.text), ...YEAR };
    const confirmation = await fred.post("/admin/synthesis/publish", form);
    expect(confirmation.status).toBe(200);
    expect(confirmation.text).toContain("Publish version 1?");
    expect(confirmation.text).toContain("Version 1 of the synthesis 2026-01-01 → 2026-12-31");
    expect(confirmation.text).toContain("No one follows this territory yet");
    expect(confirmation.text).toMatch(/Groups: \d+; participants: \d+; validated criteria: 12,/);
    // Nothing left the node yet.
    expect(t.node.services.syntheses.list(SLUG)).toEqual([]);

    // A criterion validated meanwhile: the figures confirmed are not the ones that would go.
    const yes = hiddenFieldsOf(confirmation.text);
    const [pending] = t.node.services.criteria.list(SLUG, {
      status: "proposed",
      limit: 1,
      offset: 0,
    }).items;
    t.node.services.criteria.validate(SLUG, [pending?.id ?? 0], "test");
    const stale = await fred.post("/admin/synthesis/publish", yes);
    expect(stale.status).toBe(409);
    expect(stale.text).toContain("The figures changed while you were reviewing them");
    expect(stale.text).toMatch(/validated criteria: 13,/);
    expect(t.node.services.syntheses.list(SLUG)).toEqual([]);
    const published = await fred.post("/admin/synthesis/publish", hiddenFieldsOf(stale.text));
    expect(published.status, published.text).toBe(303);
    expect(t.node.services.syntheses.list(SLUG)).toHaveLength(1);
  });

  it("asks before withdrawing, saying what followers will be told", async () => {
    const { fred } = await seeded();
    await publishYear(fred);
    const [version] = t.node.services.syntheses.list(SLUG);
    const page = await fred.get(`/admin/synthesis/preview?${YEAR_QUERY}`);
    const asked = await fred.post("/admin/synthesis/withdraw", {
      _csrf: csrfOf(page.text),
      synthesis: version?.synthesisUuid ?? "",
      back: YEAR_QUERY,
    });
    expect(asked.status).toBe(200);
    expect(asked.text).toContain("Withdraw version 1?");
    expect(asked.text).toContain("its 0 followers are told to delete it");
    expect(t.node.services.syntheses.series(version?.synthesisUuid ?? "")?.series.withdrawnAt).toBe(
      null,
    );
    const done = await fred.post("/admin/synthesis/withdraw", hiddenFieldsOf(asked.text));
    expect(done.status).toBe(303);
    expect(
      t.node.services.syntheses.series(version?.synthesisUuid ?? "")?.series.withdrawnAt,
    ).toBeTruthy();
  });
});
