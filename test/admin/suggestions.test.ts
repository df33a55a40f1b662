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

/** Already validated on the node: what the suggestions learn from. */
const VALIDATED = [
  { text: "Un logement trop petit pour la famille", code: "A03" },
  { text: "Payer le loyer du logement chaque mois", code: "A03/S" },
  { text: "Trouver un emploi stable", code: "A06" },
  { text: "Des voisins qui se parlent", code: "D00" },
];
/** Waiting in the queue, in this order. */
const WAITING = ["Des logements insalubres, un loyer trop cher", "Les voisins sont sympas"];

/** A node with a group, validated and unclassified criteria, a facilitator and a viewer. */
async function prepared() {
  t = (await startSignedIn()).t;
  const { groups, criteria } = t.node.services;
  await addFredAndVera(t.node);
  const group = groups.create(
    "testville",
    {
      label: "Families of Drouot",
      category: "young-people",
      sessionDates: ["2026-05-12"],
      participants: 10,
      cycle: 0,
    },
    "test",
  );
  const add = (items: { text: string; code?: string }[]) =>
    criteria.add(
      "testville",
      group.id,
      items.map((item) => ({ question: "Q2" as const, language: "fr", ...item })),
      "test",
    );
  const validated = add(VALIDATED);
  criteria.validate(
    "testville",
    validated.map((r) => r.id),
    "test",
  );
  const waiting = add(WAITING.map((text) => ({ text })));
  const { fred, vera } = await signInFredAndVera(t.node);
  return { fred, vera, groupId: group.id, ids: waiting.map((r) => r.id), add };
}

/** The suggestions section of a classify page. */
const suggestionsOf = (html: string) => {
  const match = /<section aria-labelledby="suggest-title">([\s\S]*?)<\/section>/.exec(html);
  expect(match, "a suggestions section").not.toBeNull();
  return match?.[1] ?? "";
};
/** The forms of the suggestions, in order: where each posts and the code it proposes. */
const suggestionForms = (section: string) =>
  [...section.matchAll(/<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/g)].map((m) => ({
    action: m[1] ?? "",
    code: /name="code" value="([^"]+)"/.exec(m[2] ?? "")?.[1],
    key: /accesskey="([^"]+)"/.exec(m[2] ?? "")?.[1],
    html: m[2] ?? "",
  }));

describe("classification suggestions", () => {
  it("shows the components of similar validated criteria, with why, as one-click buttons", async () => {
    const { fred, ids } = await prepared();
    const page = await fred.get("/admin/classify");
    expect(page.status).toBe(200);
    const section = suggestionsOf(page.text);
    expect(section).toContain("Suggestions");
    const forms = suggestionForms(section);
    expect(forms.length).toBeGreaterThanOrEqual(1);
    expect(forms.length).toBeLessThanOrEqual(3);
    const [first] = forms;
    expect(first).toMatchObject({ action: `/admin/classify/${ids[0]}`, code: "A03", key: "1" });
    expect(first?.html).toContain("Propose A03");
    expect(first?.html).toContain("Housing / furniture");
    expect(first?.html).toContain('name="action" value="proposed"');
    expect(section).toContain("Similar validated criteria:");
    expect(section).toContain("<q>Payer le loyer du logement chaque mois</q>");
    expect(section).toMatch(/Words shared with the grid \(labels, keywords\): logement(, loyer)?/);
    expect(forms.map((f) => f.key)).toEqual(["1", "2", "3"].slice(0, forms.length));
    // The picker and the code form stay available, and the page explains the shortcuts.
    expect(page.text).toContain('id="picker-title"');
    expect(page.text).toMatch(/<input id="f-code"[^>]*autofocus/);
    expect(page.text).toContain("1, 2 and 3 propose the first, second and third suggestion");
    for (const key of ["p", "v", "s"]) expect(page.text).toContain(`accesskey="${key}"`);
  });

  it("proposes the suggested code in one click, then suggests for the next criterion", async () => {
    const { fred, ids } = await prepared();
    const [first = 0, second = 0] = ids;
    const page = await fred.get("/admin/classify");
    const [suggestion] = suggestionForms(suggestionsOf(page.text));
    expect(suggestion?.code).toBe("A03");
    const answer = await fred.post(suggestion?.action ?? "", {
      _csrf: csrfOf(suggestion?.html ?? ""),
      code: suggestion?.code ?? "",
      action: "proposed",
    });
    expect(answer.status, answer.text).toBe(303);
    expect(t.node.services.criteria.get("testville", first)).toMatchObject({
      code: "A03",
      status: "proposed",
    });
    const next = await fred.get(answer.location ?? "");
    expect(next.text).toContain("Classified as A03.");
    const [nextSuggestion] = suggestionForms(suggestionsOf(next.text));
    // D00 comes from "Des voisins qui se parlent" and is a provisional grid entry.
    expect(nextSuggestion).toMatchObject({ action: `/admin/classify/${second}`, code: "D00" });
    expect(nextSuggestion?.html).toContain("provisional");
    expect(suggestionsOf(next.text)).toContain("<q>Des voisins qui se parlent</q>");
  });

  it("learns from a newly validated criterion on the next page", async () => {
    const { fred, add } = await prepared();
    const [garden] = add([{ text: "Un potager partagé au pied de l'immeuble" }]);
    const before = await fred.get(`/admin/classify?focus=${garden?.id}`);
    expect(suggestionForms(suggestionsOf(before.text))).toEqual([]);
    expect(suggestionsOf(before.text)).toContain("No suggestion");
    const [taught] = add([{ text: "Cultiver un potager avec les voisins", code: "A07" }]);
    t.node.services.criteria.validate("testville", [taught?.id ?? 0], "test");
    const after = await fred.get(`/admin/classify?focus=${garden?.id}`);
    expect(suggestionForms(suggestionsOf(after.text))[0]?.code).toBe("A07");
  });

  it("shows the suggestions to a viewer without any button, and refuses the viewer's post", async () => {
    const { vera, ids } = await prepared();
    const page = await vera.get("/admin/classify");
    const section = suggestionsOf(page.text);
    expect(section).toContain("<strong>A03</strong> Housing / furniture");
    expect(section).toContain("<q>Payer le loyer du logement chaque mois</q>");
    expect(section).not.toContain("<form");
    expect(section).not.toContain("<button");
    expect(page.text).not.toContain('accesskey="1"');
    const answer = await vera.post(`/admin/classify/${ids[0]}`, {
      _csrf: csrfOf(page.text),
      code: "A03",
      action: "proposed",
    });
    expect(answer.status).toBe(403);
    expect(t.node.services.criteria.get("testville", ids[0] ?? 0).status).toBe("unclassified");
  });

  it("speaks French", async () => {
    const { fred } = await prepared();
    await fred.get("/admin/lang/fr");
    const page = await fred.get("/admin/classify");
    const section = suggestionsOf(page.text);
    expect(section).toContain("Proposer A03");
    expect(section).toContain("Logement / ameublement");
    expect(section).toContain("Critères validés semblables :");
    expect(page.text).toContain("1, 2 et 3 proposent");
  });
});
