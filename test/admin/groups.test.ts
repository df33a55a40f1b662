import { afterEach, describe, expect, it } from "vitest";
import {
  type AdminTestNode,
  addFredAndVera,
  createGroup,
  csrfOf,
  signInFredAndVera,
  startSignedIn,
} from "./browser";

const GROUP = {
  label: "Young people of Bourtzwiller",
  category: "young-people",
  sessionDates: "2026-05-12, 2026-05-19",
  participants: "12",
  cycle: "0",
  gender_female: "7",
  gender_male: "5",
  "age_under-18": "",
  notes: "Met at the social centre.",
};

let t: AdminTestNode;
afterEach(async () => {
  await t?.close();
});

/** A node set up through the browser, a facilitator and a viewer signed in. */
async function signedIn(headers?: Record<string, string>) {
  const started = await startSignedIn({ headers });
  t = started.t;
  await addFredAndVera(t.node);
  const { fred, vera } = await signInFredAndVera(t.node, headers);
  return { admin: started.admin, fred, vera };
}

const criteriaOf = (id: number, question?: string) =>
  t.node.services.criteria
    .list("testville", { groupId: id, limit: 1000, offset: 0 })
    .items.filter((c) => !question || c.question === question);

describe("groups", () => {
  it("are linked from the home page and created by a facilitator, then listed", async () => {
    const { fred } = await signedIn();
    const home = await fred.get("/admin");
    expect(home.text).toContain('href="/admin/groups"');
    const id = await createGroup(fred, GROUP);
    const [group] = t.node.services.groups.list("testville");
    expect(group).toMatchObject({
      id,
      label: GROUP.label,
      category: "young-people",
      sessionDates: ["2026-05-12", "2026-05-19"],
      participants: 12,
      cycle: 0,
      margins: { gender: { female: 7, male: 5 } },
      notes: "Met at the social centre.",
    });
    const list = await fred.get("/admin/groups");
    expect(list.status).toBe(200);
    for (const text of [
      "Young people",
      '<span class="nowrap">2026-05-12</span>, <span class="nowrap">2026-05-19</span>',
      ">12<",
      ">0<",
    ]) {
      expect(list.text).toContain(text);
    }
    // The group's name leads to its criteria (the actions column is off-screen on a phone).
    expect(list.text).toContain(
      `<a href="/admin/groups/${id}/criteria?question=Q1">${GROUP.label}</a>`,
    );

    // Edit: the form comes back filled, and saving changes the group.
    const edit = await fred.get(`/admin/groups/${id}/edit`);
    expect(edit.text).toContain(`value="${GROUP.label}"`);
    expect(edit.text).toContain('value="7"');
    const saved = await fred.post(`/admin/groups/${id}`, {
      ...GROUP,
      _csrf: csrfOf(edit.text),
      participants: "14",
      cycle: "2",
      gender_female: "",
      gender_male: "",
      notes: "",
    });
    expect(saved.status, saved.text).toBe(303);
    expect(t.node.services.groups.list("testville")[0]).toMatchObject({
      participants: 14,
      cycle: 2,
      margins: {},
    });
    expect(t.node.services.groups.list("testville")[0]?.notes).toBeUndefined();
  });

  it("re-renders a wrong group form with field messages (400) and saves nothing", async () => {
    const { fred } = await signedIn();
    const answer = await fred.submit("/admin/groups/new", "/admin/groups", {
      label: "",
      category: "no-such-category",
      sessionDates: "12/05/2026",
      participants: "zero",
      cycle: "7",
      gender_female: "-3",
      age_18_29: "",
      notes: "kept",
    });
    expect(answer.status).toBe(400);
    for (const text of [
      "Please correct the fields",
      "Give the group a name",
      "Choose a category",
      "valid date as YYYY-MM-DD",
      "whole number from 1 to 10,000",
      "cycle from 0 to 3",
      "whole number from 0 to 10,000",
    ]) {
      expect(answer.text).toContain(text);
    }
    expect(answer.text).toContain('value="12/05/2026"'); // what was typed is kept
    expect(answer.text).toContain(">kept</textarea>");

    // Margins adding up to more than the participants are refused too, on their fieldset.
    const over = await fred.submit("/admin/groups/new", "/admin/groups", {
      ...GROUP,
      participants: "3",
      category: "",
    });
    expect(over.status).toBe(400);
    expect(over.text).toContain("add up to more than the participants");
    expect(over.text).toContain("Choose a category");
    expect(t.node.services.groups.list("testville")).toHaveLength(0);
  });
});

describe("criteria entry", () => {
  it("adds 20 criteria one by one, each time back on an empty focused input", async () => {
    const { fred } = await signedIn();
    const id = await createGroup(fred, GROUP);
    const page = `/admin/groups/${id}/criteria?question=Q1`;
    let current = await fred.get(page);
    expect(current.text).toContain("Q1 — What does well-being mean to you?");
    expect(current.text).toMatch(
      /<input id="f-text" name="text" type="text" value=""[^>]*autofocus/,
    );
    // Nothing typed yet: the territory's first language is chosen.
    expect(current.text).toMatch(/<option value="fr" selected="">French \(fr\)<\/option>/);
    for (let i = 1; i <= 20; i++) {
      const answer = await fred.post(`/admin/groups/${id}/criteria`, {
        _csrf: csrfOf(current.text),
        question: "Q1",
        text: `Sticky note number ${i}`,
        language: "fr",
      });
      expect(answer.status, answer.text).toBe(303);
      expect(answer.location).toBe(`/admin/groups/${id}/criteria?question=Q1&added=1`);
      current = await fred.get(answer.location ?? "");
      expect(current.text).toContain("Criterion added.");
      expect(current.text).toMatch(/name="text" type="text" value=""[^>]*autofocus/);
    }
    for (let i = 1; i <= 20; i++) expect(current.text).toContain(`Sticky note number ${i}<`);
    expect(current.text).toContain("Criteria entered for this question (20)");
    const saved = criteriaOf(id, "Q1");
    expect(saved).toHaveLength(20);
    expect(saved[0]).toMatchObject({ text: "Sticky note number 1", language: "fr" });

    // Another question shows its own (empty) list; the group list counts them.
    const q2 = await fred.get(`/admin/groups/${id}/criteria?question=Q2`);
    expect(q2.text).toContain("No criteria for this question yet.");
    expect(q2.text).toContain('aria-current="page"');
    expect((await fred.get("/admin/groups")).text).toContain(">20<");
  });

  it("pastes many lines at once, all or nothing, reporting each bad line", async () => {
    const { fred } = await signedIn();
    const id = await createGroup(fred, GROUP);
    const page = await fred.get(`/admin/groups/${id}/criteria?question=Q2&mode=paste`);
    expect(page.text).toMatch(/<textarea id="f-lines" name="lines"[^>]*autofocus/);
    const lines =
      "Loneliness\n\nNoise at night\r\n  Debts  \nNo bus on Sundays\nFear of the future\n";
    const answer = await fred.post(`/admin/groups/${id}/criteria`, {
      _csrf: csrfOf(page.text),
      question: "Q2",
      mode: "paste",
      lines,
      language: "en",
    });
    expect(answer.status, answer.text).toBe(303);
    expect(answer.location).toContain("mode=paste");
    expect(answer.location).not.toContain("language=");
    const after = await fred.get(answer.location ?? "");
    expect(after.text).toContain("5 criteria added.");
    // The last language used is the one chosen next time, in any question of the group.
    expect(after.text).toMatch(/<option value="en" selected="">English \(en\)<\/option>/);
    const q3 = await fred.get(`/admin/groups/${id}/criteria?question=Q3`);
    expect(q3.text).toMatch(/<option value="en" selected="">/);
    expect(criteriaOf(id, "Q2").map((c) => c.text)).toEqual([
      "Loneliness",
      "Noise at night",
      "Debts",
      "No bus on Sundays",
      "Fear of the future",
    ]);

    // A line over 2000 characters: nothing saved, the line reported, the text kept.
    const bad = await fred.post(`/admin/groups/${id}/criteria`, {
      _csrf: csrfOf(page.text),
      question: "Q2",
      mode: "paste",
      lines: `Good one\n\n${"x".repeat(2001)}\nAnother good one\n${"y".repeat(2500)}`,
      language: "en",
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("Nothing was saved: 2 line(s) to correct.");
    expect(bad.text).toContain("Line 3: A criterion is one idea");
    expect(bad.text).toContain("Line 5: A criterion is one idea");
    expect(bad.text).toContain("Good one\n");
    expect(criteriaOf(id, "Q2")).toHaveLength(5);

    // Only blank lines, an empty single criterion, a bad language: refused, nothing saved.
    const blank = await fred.post(`/admin/groups/${id}/criteria`, {
      _csrf: csrfOf(page.text),
      question: "Q2",
      mode: "paste",
      lines: "\n   \n",
    });
    expect(blank.status).toBe(400);
    expect(blank.text).toContain("Paste at least one line.");
    const empty = await fred.post(`/admin/groups/${id}/criteria`, {
      _csrf: csrfOf(page.text),
      question: "Q2",
      text: "   ",
    });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain("The criterion is empty.");
    const language = await fred.post(`/admin/groups/${id}/criteria`, {
      _csrf: csrfOf(page.text),
      question: "Q2",
      text: "Fine",
      language: "French!",
    });
    expect(language.status).toBe(400);
    expect(language.text).toContain("A language code such as fr");
    expect(criteriaOf(id)).toHaveLength(5);
  });

  it("deletes a criterion inline and comes back to its question", async () => {
    const { fred } = await signedIn();
    const id = await createGroup(fred, GROUP);
    t.node.services.criteria.add(
      "testville",
      id,
      [
        { question: "Q3", text: "Volunteer at the food bank" },
        { question: "Q3", text: "Cycle to work" },
      ],
      "test",
    );
    const [first] = criteriaOf(id);
    const page = await fred.get(`/admin/groups/${id}/criteria?question=Q3`);
    expect(page.text).toContain(`action="/admin/groups/${id}/criteria/${first?.id}/delete"`);
    const answer = await fred.post(`/admin/groups/${id}/criteria/${first?.id}/delete`, {
      _csrf: csrfOf(page.text),
    });
    expect(answer.status).toBe(303);
    expect(answer.location).toMatch(
      new RegExp(`^/admin/groups/${id}/criteria\\?question=Q3&undo=\\d+#list$`),
    );
    const after = await fred.get(answer.location ?? "");
    expect(after.text).toContain("Criterion deleted.");
    expect(after.text).toContain("You can undo this until 12:10 (UTC).");
    expect(after.text).toMatch(/action="\/admin\/undo\/\d+"/);
    expect(after.text).not.toContain("Volunteer at the food bank");
    expect(criteriaOf(id).map((c) => c.text)).toEqual(["Cycle to work"]);
    // A criterion of another group is not deletable through this one.
    const other = await createGroup(fred, { ...GROUP, label: "Elders" });
    const wrong = await fred.post(
      `/admin/groups/${other}/criteria/${criteriaOf(id)[0]?.id}/delete`,
      {
        _csrf: csrfOf(page.text),
      },
    );
    expect(wrong.status).toBe(404);
    expect(criteriaOf(id)).toHaveLength(1);
  });
});

describe("permissions and language", () => {
  it("lets a viewer read but never post (403), and refuses a form without its CSRF token", async () => {
    const { fred, vera } = await signedIn();
    const id = await createGroup(fred, GROUP);
    t.node.services.criteria.add("testville", id, [{ question: "Q1", text: "Friends" }], "test");
    const list = await vera.get("/admin/groups");
    expect(list.status).toBe(200);
    expect(list.text).toContain(GROUP.label);
    expect(list.text).not.toContain("/admin/groups/new");
    const page = await vera.get(`/admin/groups/${id}/criteria?question=Q1`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Friends");
    expect(page.text).not.toContain('name="text"');
    expect(page.text).not.toContain("/delete");
    expect((await vera.get("/admin/groups/new")).status).toBe(403);
    const csrf = csrfOf(page.text);
    const [criterion] = criteriaOf(id);
    for (const [path, form] of [
      ["/admin/groups", GROUP],
      [`/admin/groups/${id}`, GROUP],
      [`/admin/groups/${id}/criteria`, { question: "Q1", text: "Sneaky" }],
      [`/admin/groups/${id}/criteria/${criterion?.id}/delete`, {}],
    ] as const) {
      const answer = await vera.post(path, { _csrf: csrf, ...form });
      expect(answer.status, path).toBe(403);
    }
    // Without (or with a wrong) CSRF token, even a facilitator is refused.
    for (const token of [undefined, "forged"]) {
      const answer = await fred.post(`/admin/groups/${id}/criteria`, {
        ...(token ? { _csrf: token } : {}),
        question: "Q1",
        text: "Forged",
      });
      expect(answer.status).toBe(403);
      expect(answer.text).toContain("This form has expired");
    }
    const noToken = await fred.post("/admin/groups", GROUP);
    expect(noToken.status).toBe(403);
    expect(criteriaOf(id).map((c) => c.text)).toEqual(["Friends"]);
    expect(t.node.services.groups.list("testville")).toHaveLength(1);
  });

  it("speaks French with Accept-Language: fr", async () => {
    const { fred } = await signedIn({ "accept-language": "fr-FR,fr;q=0.9,en;q=0.5" });
    const id = await createGroup(fred, GROUP);
    const list = await fred.get("/admin/groups");
    expect(list.text).toContain('<html lang="fr" dir="ltr">');
    for (const text of ["Groupes et séances", "Catégorie", "Saisir les critères", "Jeunes"]) {
      expect(list.text).toContain(text);
    }
    const form = await fred.get("/admin/groups/new");
    expect(form.text).toContain("Nombre de participants");
    expect(form.text).toContain("Personnes âgées");
    const entry = await fred.get(`/admin/groups/${id}/criteria?question=Q2`);
    for (const text of [
      "Q2 — Qu&#39;est-ce que le mal-être pour vous ?",
      "Nouveau critère",
      "Coller plusieurs lignes",
    ]) {
      expect(entry.text).toContain(text);
    }
    const bad = await fred.post(`/admin/groups/${id}/criteria`, {
      _csrf: csrfOf(entry.text),
      question: "Q2",
      text: "",
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("Le critère est vide.");
  });

  describe("undoing a deletion", () => {
    const undoIdOf = (location: string | null) => /undo=(\d+)/.exec(location ?? "")?.[1] ?? "";

    it("brings a criterion back with its id and classification within ten minutes", async () => {
      const { fred } = await signedIn();
      const id = await createGroup(fred, GROUP);
      const [row] = t.node.services.criteria.add(
        "testville",
        id,
        [{ question: "Q1", text: "A warm home", code: "A03" }],
        "test",
      );
      const page = await fred.get(`/admin/groups/${id}/criteria?question=Q1`);
      const deleted = await fred.post(`/admin/groups/${id}/criteria/${row?.id}/delete`, {
        _csrf: csrfOf(page.text),
      });
      expect(criteriaOf(id)).toEqual([]);
      // Meanwhile the synthesis does not count it: the row left the criteria.
      const figures = t.node.services.syntheses.figures("testville", {
        start: "2026-01-01",
        end: "2026-12-31",
      });
      expect(figures.proposed + figures.unclassified).toBe(0);
      t.advance(9 * 60_000);
      const undone = await fred.post(`/admin/undo/${undoIdOf(deleted.location)}`, {
        _csrf: csrfOf(page.text),
      });
      expect(undone.status).toBe(303);
      expect(undone.location).toBe(`/admin/groups/${id}/criteria?question=Q1&restored=criterion`);
      expect(criteriaOf(id)).toMatchObject([
        { id: row?.id, text: "A warm home", code: "A03", status: "proposed" },
      ]);
      expect((await fred.get(undone.location ?? "")).text).toContain("Criterion restored.");
      // Once undone, the same Undo cannot bring a second copy.
      const twice = await fred.post(`/admin/undo/${undoIdOf(deleted.location)}`, {
        _csrf: csrfOf(page.text),
      });
      expect(twice.status).toBe(409);
      expect(criteriaOf(id)).toHaveLength(1);
    });

    it("deletes a group after asking, brings it back with its criteria, and is final after ten minutes", async () => {
      const { fred, vera } = await signedIn();
      const id = await createGroup(fred, GROUP);
      t.node.services.criteria.add(
        "testville",
        id,
        [
          { question: "Q1", text: "Friends" },
          { question: "Q2", text: "Noise" },
        ],
        "test",
      );
      const edit = await fred.get(`/admin/groups/${id}/edit`);
      expect(edit.text).toContain(`href="/admin/groups/${id}/delete"`);
      const ask = await fred.get(`/admin/groups/${id}/delete`);
      expect(ask.text).toContain("The group and its 2 criteria leave the syntheses at once.");
      expect((await vera.get(`/admin/groups/${id}/delete`)).status).toBe(403);
      const deleted = await fred.submit(
        `/admin/groups/${id}/delete`,
        `/admin/groups/${id}/delete`,
        {},
      );
      expect(deleted.location).toMatch(/^\/admin\/groups\?undo=\d+$/);
      expect(t.node.services.groups.list("testville")).toEqual([]);
      const list = await fred.get(deleted.location ?? "");
      expect(list.text).toContain(`Group “${GROUP.label}” deleted with its criteria.`);
      const undone = await fred.submit(
        "/admin/groups",
        `/admin/undo/${undoIdOf(deleted.location)}`,
        {},
      );
      expect(undone.location).toBe(`/admin/groups/${id}/criteria?question=Q1&restored=group`);
      expect(t.node.services.groups.list("testville").map((g) => [g.id, g.criteria])).toEqual([
        [id, 2],
      ]);

      // Deleted again, and ten minutes pass: the Undo is gone and the rows are purged.
      const again = await fred.submit(
        `/admin/groups/${id}/delete`,
        `/admin/groups/${id}/delete`,
        {},
      );
      t.advance(10 * 60_000 + 1);
      expect((await fred.get(again.location ?? "")).text).not.toContain("/admin/undo/");
      const late = await fred.submit(
        "/admin/groups",
        `/admin/undo/${undoIdOf(again.location)}`,
        {},
      );
      expect(late.status).toBe(409);
      expect(late.text).toContain("It is too late to undo");
      expect(t.node.services.trash.purge()).toBe(1);
      expect(t.node.services.groups.list("testville")).toEqual([]);
    });
  });

  it("lists a long question page by page, the last page (where new ones appear) first", async () => {
    const { fred } = await signedIn();
    const id = await createGroup(fred, GROUP);
    t.node.services.criteria.add(
      "testville",
      id,
      Array.from({ length: 5000 }, (_, i) => ({ question: "Q1" as const, text: `note ${i + 1}` })),
      "test",
    );
    const last = await fred.get(`/admin/groups/${id}/criteria?question=Q1`);
    expect(last.text).toContain("Criteria entered for this question (5000)");
    expect(last.text).toContain("Page 50 of 50");
    expect(last.text).toContain('<ol start="4901">');
    expect(last.text).toContain(">note 5000<");
    expect(last.text).not.toContain(">note 4900<");
    // A page, not the whole group: well under the 3 MB a single page of 5 000 made.
    expect(last.text.length).toBeLessThan(150_000);
    const first = await fred.get(`/admin/groups/${id}/criteria?question=Q1&page=1`);
    expect(first.text).toContain("Page 1 of 50");
    expect(first.text).toContain(">note 100<");
    expect(first.text).not.toContain(">note 101<");
    expect(first.text).toContain(`href="/admin/groups/${id}/criteria?question=Q1&amp;page=2#list"`);
    // Past the end: the last page.
    expect((await fred.get(`/admin/groups/${id}/criteria?question=Q1&page=999`)).text).toContain(
      "Page 50 of 50",
    );
  });
});
