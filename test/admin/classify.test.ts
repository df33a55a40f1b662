import { createGridSearch } from "@spiral-network/protocol";
import { afterEach, describe, expect, it } from "vitest";
import {
  type AdminTestNode,
  addFredAndVera,
  csrfOf,
  signInFredAndVera,
  startSignedIn,
} from "./browser";

let t: AdminTestNode;
afterEach(async () => {
  await t?.close();
});

const NOTES = [
  "Avoir un toit",
  "Manger à sa faim",
  "Être écouté par la mairie",
  "Des voisins qui se parlent",
];

/** A node set up through the browser, a group with criteria, a facilitator and a viewer. */
async function prepared() {
  const started = await startSignedIn();
  t = started.t;
  const admin = started.admin;
  const { groups, criteria } = t.node.services;
  await addFredAndVera(t.node);
  const group = groups.create(
    "testville",
    {
      label: "Young people of Bourtzwiller",
      category: "young-people",
      sessionDates: ["2026-05-12"],
      participants: 12,
      cycle: 0,
    },
    "test",
  );
  const rows = criteria.add(
    "testville",
    group.id,
    NOTES.map((text) => ({ question: "Q1" as const, text, language: "fr" })),
    "test",
  );
  const { fred, vera } = await signInFredAndVera(t.node);
  return { admin, fred, vera, ids: rows.map((r) => r.id) };
}

const stored = (id: number) => t.node.services.criteria.get("testville", id);

describe("classification", () => {
  it("is linked from the home page and the top bar; the queue shows an unclassified criterion", async () => {
    const { fred, ids } = await prepared();
    const home = await fred.get("/admin");
    expect(home.text.match(/href="\/admin\/classify"/g)?.length).toBeGreaterThanOrEqual(2);
    const page = await fred.get("/admin/classify");
    expect(page.status).toBe(200);
    expect(page.text).toContain("Avoir un toit");
    expect(page.text).toContain("Young people of Bourtzwiller");
    expect(page.text).toContain("Q1 — What does well-being mean to you?");
    expect(page.text).toContain(`action="/admin/classify/${ids[0]}"`);
    expect(page.text).toMatch(/<input id="f-code"[^>]*autofocus/);
    for (const label of ["Propose", "Validate", "Skip"]) expect(page.text).toContain(label);
  });

  it("stores the canonical form of a proposed code and moves on to the next criterion", async () => {
    const { fred, ids } = await prepared();
    const [first = 0, second = 0] = ids;
    const page = await fred.get("/admin/classify");
    const answer = await fred.post(`/admin/classify/${first}`, {
      _csrf: csrfOf(page.text),
      code: " A03-00/O/i ",
      action: "proposed",
    });
    expect(answer.status, answer.text).toBe(303);
    expect(answer.location).toContain(`/admin/classify?after=${first}`);
    expect(stored(first)).toMatchObject({ code: "A03", component: "A03", status: "proposed" });
    const next = await fred.get(answer.location ?? "");
    expect(next.text).toContain("Classified as A03.");
    expect(next.text).toContain(`action="/admin/classify/${second}"`);

    // A full code, validated at once, keeps its sense and beneficiary.
    const full = await fred.post(`/admin/classify/${second}`, {
      _csrf: csrfOf(next.text),
      code: "A01-11/P15/k",
      action: "validated",
    });
    expect(full.status, full.text).toBe(303);
    expect(stored(second)).toMatchObject({ code: "A01-11/P15/k", status: "validated" });
  });

  it("refuses an unknown code with the parser's reason (400) and stores nothing", async () => {
    const { fred, ids } = await prepared();
    const [first = 0] = ids;
    const page = await fred.get("/admin/classify");
    const answer = await fred.post(`/admin/classify/${first}`, {
      _csrf: csrfOf(page.text),
      code: "A08",
      action: "proposed",
    });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("unknown component A08");
    expect(answer.text).toContain('value="A08"');
    expect(answer.text).toContain(`action="/admin/classify/${first}"`);
    expect(stored(first)).toMatchObject({ code: null, status: "unclassified" });
    const empty = await fred.post(`/admin/classify/${first}`, {
      _csrf: csrfOf(page.text),
      code: "",
      action: "validated",
    });
    expect(empty.status).toBe(400);
    expect(stored(first).status).toBe("unclassified");
  });

  it("skips to the next criterion without saving", async () => {
    const { fred, ids } = await prepared();
    const [first = 0, second = 0] = ids;
    const page = await fred.get("/admin/classify");
    const answer = await fred.post(`/admin/classify/${first}`, {
      _csrf: csrfOf(page.text),
      code: "A08",
      action: "skip",
    });
    expect(answer.status).toBe(303);
    expect(stored(first).status).toBe("unclassified");
    const next = await fred.get(answer.location ?? "");
    expect(next.text).toContain(`action="/admin/classify/${second}"`);
  });

  it("lists proposed criteria to review and validates all shown", async () => {
    const { fred, ids } = await prepared();
    const [a = 0, b = 0, c = 0] = ids;
    const { criteria } = t.node.services;
    criteria.classify("testville", a, { code: "A03", status: "proposed" }, "test");
    criteria.classify("testville", b, { code: "A01", status: "proposed" }, "test");
    criteria.classify("testville", c, { code: "A02", status: "validated" }, "test");
    const review = await fred.get("/admin/classify?tab=review");
    expect(review.status).toBe(200);
    expect(review.text).toContain("Avoir un toit");
    expect(review.text).toContain("Housing / furniture");
    expect(review.text).not.toContain("Être écouté");
    expect(review.text).toContain(`name="ids" value="${a},${b}"`);
    const answer = await fred.post("/admin/classify/validate", {
      _csrf: csrfOf(review.text),
      ids: `${a},${b}`,
    });
    expect(answer.status, answer.text).toBe(303);
    expect([stored(a).status, stored(b).status]).toEqual(["validated", "validated"]);
    const after = await fred.get(answer.location ?? "");
    expect(after.text).toContain("2 classification(s) validated.");
    expect(after.text).toContain("No proposed classification waits for review.");
    // An empty tab points to the work left in the other one…
    const left = ids.length - 3;
    expect(left).toBeGreaterThan(0);
    expect(after.text).toContain(
      `<p id="next-step"><a href="/admin/classify">Criteria still without a code: ${left}</a></p>`,
    );
    // …and, once every criterion is validated, to the synthesis.
    for (const id of ids.slice(3)) {
      criteria.classify("testville", id, { code: "A05", status: "validated" }, "test");
    }
    for (const tab of ["", "?tab=review"]) {
      expect((await fred.get(`/admin/classify${tab}`)).text).toContain(
        '<p id="next-step"><a href="/admin/synthesis">Everything is classified: see the synthesis</a></p>',
      );
    }
  });

  it("finds A03 by French and English words, accent-insensitively, and by code prefix", async () => {
    const { fred, ids } = await prepared();
    const fr = await fred.get(`/admin/classify?focus=${ids[1]}&q=logement`);
    expect(fr.text).toContain("<strong>A03</strong> Housing / furniture");
    expect(fr.text).toContain("Logement / ameublement");
    expect(fr.text).not.toContain("<strong>A01</strong>");
    // The link fills the code and keeps the criterion in focus and the search.
    expect(fr.text).toContain(
      `href="/admin/classify?focus=${ids[1]}&amp;q=logement&amp;code=A03#f-code"`,
    );
    const filled = await fred.get(`/admin/classify?focus=${ids[1]}&q=logement&code=A03`);
    expect(filled.text).toMatch(/<input id="f-code" name="code" type="text" value="A03"/);
    expect(filled.text).toContain(`action="/admin/classify/${ids[1]}"`);

    const en = await fred.get("/admin/classify?q=housing");
    expect(en.text).toContain("<strong>A03</strong>");
    expect((await fred.get("/admin/classify?q=EDUCATION")).text).toContain("<strong>A05</strong>");
    expect((await fred.get("/admin/classify?q=sante")).text).toContain("<strong>A02</strong>");
    expect((await fred.get("/admin/classify?q=A0")).text).toContain("<strong>A09</strong>");
    const searchGrid = (grid: Parameters<typeof createGridSearch>[0], q: string) =>
      createGridSearch(grid).search(q);
    const grid = t.node.services.ctx.grid;
    expect((await fred.get("/admin/classify?q=a03")).text).toContain("<strong>A03</strong>");
    expect((await fred.get("/admin/classify?q=m%C3%A9decin")).text).toContain(
      "<strong>A02</strong>",
    );
    expect(searchGrid(grid, "logement").map((e) => e.code)).toEqual(["A03"]);
    expect(searchGrid(grid, "Santé soins").map((e) => e.code)).toEqual(["A02"]);
    expect(searchGrid(grid, "B0").map((e) => e.code)).toEqual(["B00", "B01", "B02"]);
    expect(searchGrid(grid, "zzzz")).toEqual([]);
  });

  it("marks provisional components and shows labels in the interface language", async () => {
    const { fred } = await prepared();
    const page = await fred.get("/admin/classify?q=C00");
    expect(page.text).toMatch(
      /<strong>C00<\/strong>[^<]*<\/a> <small[^>]*>[^<]*<\/small><span class="tag badge-provisional">provisional<\/span>/,
    );
    const housing = await fred.get("/admin/classify?q=logement");
    expect(housing.text).not.toContain('class="tag badge-provisional"');
    await fred.get("/admin/lang/fr");
    const fr = await fred.get("/admin/classify?q=housing");
    expect(fr.text).toContain("<strong>A03</strong> Logement / ameublement");
    expect(fr.text).toContain('lang="en">Housing / furniture');
    expect(fr.text).toContain("Proposer");
    const orgs = await fred.get("/admin/classify?q=organisations");
    expect(orgs.text).toContain(">provisoire<");
  });

  it("offers the most recently used codes as quick links", async () => {
    const { fred, ids } = await prepared();
    const [a = 0, b = 0, c = 0] = ids;
    const { criteria } = t.node.services;
    criteria.classify("testville", a, { code: "A03", status: "proposed" }, "test");
    t.advance(1000);
    criteria.classify("testville", b, { code: "A01/P15", status: "validated" }, "test");
    t.advance(1000);
    criteria.classify("testville", c, { code: "A03", status: "proposed" }, "test");
    expect(criteria.recentCodes("testville", 8)).toEqual(["A03", "A01/P15"]);
    const page = await fred.get("/admin/classify");
    expect(page.text).toContain("Recently used codes");
    const recent = page.text.slice(page.text.indexOf('<ul class="recent">'));
    expect(recent.indexOf("code=A03")).toBeLessThan(recent.indexOf("code=A01%2FP15"));
    expect(recent).toContain("<strong>A01/P15</strong> Food / drink");
  });

  it("lets a viewer see the queue but not classify", async () => {
    const { vera, fred, ids } = await prepared();
    const [first = 0] = ids;
    const page = await vera.get("/admin/classify");
    expect(page.status).toBe(200);
    expect(page.text).toContain("Avoir un toit");
    expect(page.text).toContain("Your role can see the queue but not classify.");
    expect(page.text).not.toContain('action="/admin/classify');
    expect(page.text).not.toContain('name="code"');
    const answer = await vera.post(`/admin/classify/${first}`, {
      _csrf: csrfOf(page.text), // the sign-out form's token: the session's own
      code: "A03",
      action: "proposed",
    });
    expect(answer.status).toBe(403);
    const validate = await vera.post("/admin/classify/validate", {
      _csrf: csrfOf(page.text),
      ids: String(first),
    });
    expect(validate.status).toBe(403);
    expect(stored(first).status).toBe("unclassified");

    // Without its CSRF token, a facilitator's form is refused too.
    const missing = await fred.post(`/admin/classify/${first}`, {
      code: "A03",
      action: "proposed",
    });
    expect(missing.status).toBe(403);
    expect(missing.text).toContain("This form has expired");
    expect(stored(first).status).toBe("unclassified");
  });
});
