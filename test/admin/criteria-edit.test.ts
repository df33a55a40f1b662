import { afterEach, describe, expect, it } from "vitest";
import { type AdminTestNode, type Browser, createGroup, startWithFredAndVera } from "./browser";

const GROUP = {
  label: "Young people of Bourtzwiller",
  category: "young-people",
  sessionDates: "2026-05-12",
  participants: "12",
  cycle: "0",
};

let t: AdminTestNode;
afterEach(async () => {
  await t?.close();
});

/** A node set up through the browser, with a facilitator and a viewer signed in. */
async function signedIn() {
  const { t: started, fred, vera } = await startWithFredAndVera();
  t = started;
  return { fred, vera };
}

async function groupWithCriteria(b: Browser, label: string, texts: string[], question = "Q2") {
  const id = await createGroup(b, { ...GROUP, label });
  const added = await b.submit(
    `/admin/groups/${id}/criteria?question=${question}&mode=paste`,
    `/admin/groups/${id}/criteria`,
    { question, mode: "paste", lines: texts.join("\n"), language: "fr" },
  );
  expect(added.status, added.text).toBe(303);
  return { id, criteria: criteriaOf(id) };
}

const criteriaOf = (groupId: number) =>
  t.node.services.criteria.list("testville", { groupId, limit: 1000, offset: 0 }).items;

/** The CSRF token of the form that posts to `action`. */
const csrfOfForm = (html: string, action: string) => {
  const at = html.indexOf(`action="${action}"`);
  expect(at, `a form posting to ${action}`).toBeGreaterThan(-1);
  const match = /name="_csrf" value="([^"]+)"/.exec(html.slice(at));
  return match?.[1] ?? "";
};

describe("criterion inline edit", () => {
  it("shows an Edit link per row, then the row as an autofocused input that saves", async () => {
    const { fred } = await signedIn();
    const { id, criteria } = await groupWithCriteria(fred, "Youth", ["Le bruit", "Le chomage"]);
    const [, second] = criteria;
    if (!second) throw new Error("two criteria expected");
    const base = `/admin/groups/${id}/criteria`;

    const list = await fred.get(`${base}?question=Q2`);
    // No #c-N fragment: it would cancel the edit field's autofocus.
    expect(list.text).toContain(`href="${base}?question=Q2&amp;page=1&amp;edit=${second.id}"`);
    expect(list.text).toContain('aria-label="Edit: Le chomage"');
    expect(list.text).not.toContain('id="f-edit-text"');

    const editing = await fred.get(`${base}?question=Q2&edit=${second.id}`);
    expect(editing.status).toBe(200);
    // The row is an input holding the text, focused instead of the "new criterion" input.
    const input = /<input[^>]*id="f-edit-text"[^>]*>/.exec(editing.text)?.[0] ?? "";
    expect(input).toContain('value="Le chomage"');
    expect(input).toContain("autofocus");
    expect(editing.text.match(/autofocus/g)).toHaveLength(1);
    expect(editing.text).toContain('<label for="f-edit-text">Criterion text</label>');
    expect(editing.text).toContain(`action="${base}/${second.id}"`);
    expect(editing.text).toContain(
      `href="${base}?question=Q2&amp;page=1#c-${second.id}">Cancel</a>`,
    );

    const saved = await fred.post(`${base}/${second.id}`, {
      _csrf: csrfOfForm(editing.text, `${base}/${second.id}`),
      text: "  Le chômage des jeunes  ",
    });
    expect(saved.status, saved.text).toBe(303);
    expect(saved.location).toBe(`${base}?question=Q2&updated#c-${second.id}`);
    expect(criteriaOf(id).map((c) => c.text)).toEqual(["Le bruit", "Le chômage des jeunes"]);
    // Only the text changed: question and language stay.
    expect(criteriaOf(id)[1]).toMatchObject({ question: "Q2", language: "fr" });
    const after = await fred.get(saved.location ?? "");
    expect(after.text).toContain("Criterion saved.");
    expect(after.text).toContain("Le chômage des jeunes");
  });

  it("re-renders the input with the field error (400) for an empty or too long text", async () => {
    const { fred } = await signedIn();
    const { id, criteria } = await groupWithCriteria(fred, "Youth", ["Le bruit"]);
    const criterion = criteria[0];
    if (!criterion) throw new Error("a criterion expected");
    const base = `/admin/groups/${id}/criteria`;
    const page = await fred.get(`${base}?question=Q2&edit=${criterion.id}`);
    const csrf = csrfOfForm(page.text, `${base}/${criterion.id}`);

    const empty = await fred.post(`${base}/${criterion.id}`, { _csrf: csrf, text: "   " });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain("The criterion is empty.");
    expect(/<input[^>]*id="f-edit-text"[^>]*>/.exec(empty.text)?.[0]).toContain(
      'aria-invalid="true"',
    );

    const long = "x".repeat(2001);
    const tooLong = await fred.post(`${base}/${criterion.id}`, { _csrf: csrf, text: long });
    expect(tooLong.status).toBe(400);
    expect(tooLong.text).toContain("A criterion is one idea: 2000 characters at most.");
    expect(tooLong.text).toContain(`value="${long}"`);

    expect(criteriaOf(id)[0]?.text).toBe("Le bruit");
  });

  it("answers 404 for a criterion of another group, and saves nothing", async () => {
    const { fred } = await signedIn();
    const youth = await groupWithCriteria(fred, "Youth", ["Le bruit"]);
    const elders = await groupWithCriteria(fred, "Elders", ["La solitude"]);
    const theirs = elders.criteria[0];
    if (!theirs) throw new Error("a criterion expected");
    const page = await fred.get(`/admin/groups/${youth.id}/criteria?question=Q2`);
    const csrf = csrfOfForm(page.text, `/admin/groups/${youth.id}/criteria`);

    const crossed = await fred.post(`/admin/groups/${youth.id}/criteria/${theirs.id}`, {
      _csrf: csrf,
      text: "Changed through the wrong group",
    });
    expect(crossed.status).toBe(404);
    const missing = await fred.post(`/admin/groups/${youth.id}/criteria/99999`, {
      _csrf: csrf,
      text: "Nothing there",
    });
    expect(missing.status).toBe(404);
    expect(criteriaOf(elders.id)[0]?.text).toBe("La solitude");

    // ?edit= naming another group's criterion shows no input.
    const editing = await fred.get(
      `/admin/groups/${youth.id}/criteria?question=Q2&edit=${theirs.id}`,
    );
    expect(editing.status).toBe(200);
    expect(editing.text).not.toContain('id="f-edit-text"');
  });

  it("lets a viewer neither see the edit controls nor post an edit (403)", async () => {
    const { fred, vera } = await signedIn();
    const { id, criteria } = await groupWithCriteria(fred, "Youth", ["Le bruit"]);
    const criterion = criteria[0];
    if (!criterion) throw new Error("a criterion expected");
    const base = `/admin/groups/${id}/criteria`;
    const page = await vera.get(`${base}?question=Q2&edit=${criterion.id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('id="f-edit-text"');
    expect(page.text).not.toContain("&amp;edit=");
    const answer = await vera.post(`${base}/${criterion.id}`, {
      _csrf: csrfOfForm(page.text, "/admin/logout"),
      text: "Changed by a viewer",
    });
    expect(answer.status).toBe(403);
    // And the facilitator without the CSRF token is refused too.
    const noToken = await fred.post(`${base}/${criterion.id}`, { text: "No token" });
    expect(noToken.status).toBe(403);
    expect(criteriaOf(id)[0]?.text).toBe("Le bruit");
  });

  it("speaks French", async () => {
    const { fred } = await signedIn();
    const { id, criteria } = await groupWithCriteria(fred, "Youth", ["Le bruit"]);
    await fred.get("/admin/lang/fr");
    const page = await fred.get(`/admin/groups/${id}/criteria?question=Q2&edit=${criteria[0]?.id}`);
    expect(page.text).toContain("Texte du critère");
    expect(page.text).toContain(">Annuler</a>");
  });
});
