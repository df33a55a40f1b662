import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import {
  type AdminTestNode,
  addFredAndVera,
  type Browser,
  csrfOf,
  signInFredAndVera,
  startSignedIn,
} from "./browser";

/**
 * CSV import in the workspace: a check that lists every bad line and saves nothing, then a save
 * of the checked text that the node checks again. Fixtures are those of the API's import tests.
 */
const fixture = (name: string) => readFileSync(new URL(`../fixtures/csv/${name}`, import.meta.url));

let t: AdminTestNode;
afterEach(async () => {
  await t?.close();
});

async function signedIn() {
  t = (await startSignedIn()).t;
  const { groups } = t.node.services;
  await addFredAndVera(t.node);
  for (const [label, category] of [
    ["Jeunes du centre", "young-people"],
    ["Aînés du quartier", "elderly-people"],
  ] as const) {
    groups.create(
      "testville",
      { label, category, sessionDates: ["2026-05-12"], participants: 10, cycle: 0 },
      "test",
    );
  }
  return signInFredAndVera(t.node);
}

const savedCriteria = () =>
  t.node.services.criteria.list("testville", { limit: 1000, offset: 0 }).items;

/** Sends a multipart form (as the import page's forms are) with the browser's cookies. */
async function postMultipart(b: Browser, path: string, fields: Record<string, string | Blob>) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === "string") form.append(name, value);
    else form.append(name, value, "criteria.csv");
  }
  const cookie = [...b.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  const response = await t.node.app.request(path, {
    method: "POST",
    headers: { cookie },
    body: form,
  });
  const text = await response.text();
  expect(response.status, text).toBeLessThan(500);
  return { status: response.status, text, location: response.headers.get("location") };
}

/** The value of the hidden `csv` field of the save form, as a browser would send it back. */
const hiddenCsv = (html: string) => {
  const match = /<input type="hidden" name="csv" value="([^"]*)"/.exec(html);
  expect(match, "the save form's hidden csv field").not.toBeNull();
  return (match?.[1] ?? "")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
};

describe("CSV import in the workspace", () => {
  it("documents the columns with an example, in English and French", async () => {
    const { fred } = await signedIn();
    const page = await fred.get("/admin/import");
    expect(page.status).toBe(200);
    expect(page.text).toContain('enctype="multipart/form-data"');
    expect(page.text).toContain('<label for="f-file">CSV file</label>');
    expect(page.text).toContain('<label for="f-csv">Or paste the CSV here</label>');
    expect(page.text).toContain("Expected columns");
    expect(page.text).toContain("group;question;text;code;language");
    expect(page.text).toContain("At most 5 MiB.");
    const groups = await fred.get("/admin/groups");
    expect(groups.text).toContain('href="/admin/import"');
    await fred.get("/admin/lang/fr");
    const fr = await fred.get("/admin/import");
    expect(fr.text).toContain("Colonnes attendues");
    expect(fr.text).toContain("groupe;question;texte;code;langue");
  });

  it("lists every bad line of an uploaded file with its reason, and saves nothing", async () => {
    const { fred } = await signedIn();
    const page = await fred.get("/admin/import");
    const answer = await postMultipart(fred, "/admin/import/preview", {
      _csrf: csrfOf(page.text),
      codes: "proposed",
      file: new Blob([fixture("criteria-bad-lines.csv")], { type: "text/csv" }),
    });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("7 line(s) to correct");
    const lines = [...answer.text.matchAll(/<th scope="row">Line (\d+)<\/th>/g)].map((m) =>
      Number(m[1]),
    );
    expect(lines).toEqual([4, 5, 6, 7, 8, 12, 15]);
    expect(answer.text).toContain("unknown question “Q5” (Q1, Q2, Q3 or Q4)");
    expect(answer.text).toContain("unknown group “Club des martiens”");
    expect(answer.text).toContain("invalid SPIRAL code (invalid SPIRAL code &quot;A99&quot;");
    // Line 15 has two problems, both named.
    expect(answer.text).toContain(
      "<td>unknown question “” (Q1, Q2, Q3 or Q4); the criterion is empty</td>",
    );
    // No way to save from a refused file.
    expect(answer.text).not.toContain('action="/admin/import"');
    expect(savedCriteria()).toEqual([]);

    // The same reasons in French.
    await fred.get("/admin/lang/fr");
    const fr = await postMultipart(fred, "/admin/import/preview", {
      _csrf: csrfOf(page.text),
      file: new Blob([fixture("criteria-bad-lines.csv")], { type: "text/csv" }),
    });
    expect(fr.status).toBe(400);
    expect(fr.text).toContain("7 ligne(s) à corriger");
    expect(fr.text).toContain(
      '<th scope="row">Ligne 8</th><td>groupe inconnu « Club des martiens »</td>',
    );
    // Two problems of one line, with the French space before the semicolon.
    expect(fr.text).toContain("(Q1, Q2, Q3 ou Q4)\u00a0; le critère est vide</td>");
  });

  it("says how many lines are bad in all when there are more than it lists", async () => {
    const { fred } = await signedIn();
    const page = await fred.get("/admin/import");
    const csv = `group,question,text\n${"Nobody,Q1,Un travail\n".repeat(1005)}`;
    const answer = await postMultipart(fred, "/admin/import/preview", {
      _csrf: csrfOf(page.text),
      csv,
    });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("1005 line(s) to correct.");
    expect(answer.text).toContain("The first 1000 are listed below.");
    expect(answer.text.match(/<th scope="row">Line \d+<\/th>/g)).toHaveLength(1000);
  });

  it("checks pasted text, shows the counts and first rows, then saves all rows", async () => {
    const { fred } = await signedIn();
    const page = await fred.get("/admin/import");
    const csrf = csrfOf(page.text);
    // A French spreadsheet export: BOM, CRLF, semicolons, a quoted newline.
    const pasted = fixture("criteria-fr-excel.csv").toString("utf8");
    const preview = await postMultipart(fred, "/admin/import/preview", {
      _csrf: csrf,
      codes: "proposed",
      csv: pasted,
    });
    expect(preview.status, preview.text).toBe(200);
    expect(preview.text).toContain("4 criteria are ready to be saved.");
    // Counts per group and question (Q1..Q4, total).
    expect(preview.text.replace(/\s+/g, "")).toContain(
      '<thscope="row">Jeunesducentre</th><td>1</td><td>1</td><td>0</td><td>0</td><td>2</td>',
    );
    expect(preview.text.replace(/\s+/g, "")).toContain(
      '<thscope="row">Aînésduquartier</th><td>1</td><td>0</td><td>1</td><td>0</td><td>2</td>',
    );
    expect(preview.text).toContain("The first 4 rows");
    expect(preview.text).toContain("Je fais du bénévolat");
    expect(preview.text).toContain("Save these 4 criteria");
    expect(savedCriteria()).toEqual([]);

    const saved = await postMultipart(fred, "/admin/import", {
      _csrf: csrf,
      codes: "proposed",
      // What a browser sends back: form line ends are CRLF.
      csv: hiddenCsv(preview.text).replace(/\n/g, "\r\n"),
    });
    expect(saved.status, saved.text).toBe(303);
    expect(saved.location).toBe("/admin/import?imported=4");
    const criteria = savedCriteria();
    expect(criteria).toHaveLength(4);
    expect(criteria[0]).toMatchObject({
      question: "Q1",
      text: "Avoir un travail\nqui a du sens",
      code: "A01",
      status: "proposed",
    });
    expect(criteria.map((c) => c.text)).toContain('Des "voisins" attentifs; toujours');
    const done = await fred.get(saved.location ?? "");
    expect(done.text).toContain("4 criteria imported.");
    // The next step is linked: the imported codes are proposals to check.
    expect(done.text).toContain(
      '<p id="imported-next"><a href="/admin/classify">Next step: check their classification</a></p>',
    );
    expect((await fred.get("/admin/import")).text).not.toContain("imported-next");
  });

  it("warns when the same rows were already imported, in any order", async () => {
    const { fred } = await signedIn();
    const csrf = csrfOf((await fred.get("/admin/import")).text);
    const csv =
      "group,question,text\nJeunes du centre,Q1,Un travail\nJeunes du centre,Q2,Le bruit\n";
    const first = await postMultipart(fred, "/admin/import/preview", { _csrf: csrf, csv });
    expect(first.status).toBe(200);
    expect(first.text).not.toContain("already imported");
    const saved = await postMultipart(fred, "/admin/import", { _csrf: csrf, csv });
    expect(saved.location).toBe("/admin/import?imported=2");

    // The same rows again, reordered and with a semicolon: the check warns before saving twice.
    const again =
      "group;question;text\nJeunes du centre;Q2;Le bruit\nJeunes du centre;Q1;Un travail\n";
    const warned = await postMultipart(fred, "/admin/import/preview", { _csrf: csrf, csv: again });
    expect(warned.status).toBe(200);
    // The date is the audit log's (the database clock).
    expect(warned.text).toMatch(
      /These rows were already imported on \d{4}-\d{2}-\d{2} \(2 criteria\)\. Importing them again would add them a second time\./,
    );
    await fred.get("/admin/lang/fr");
    const fr = await postMultipart(fred, "/admin/import/preview", { _csrf: csrf, csv: again });
    expect(fr.text).toMatch(
      /Ces lignes ont déjà été importées le \d{4}-\d{2}-\d{2} \(2 critères\)\./,
    );
    // Other rows: no warning.
    const other = await postMultipart(fred, "/admin/import/preview", {
      _csrf: csrf,
      csv: "group,question,text\nJeunes du centre,Q1,Un autre travail\n",
    });
    expect(other.text).not.toContain("déjà été importées");
    expect(savedCriteria()).toHaveLength(2);
  });

  it("imports once when the import form is sent twice (double click, reload)", async () => {
    const { fred } = await signedIn();
    const csrf = csrfOf((await fred.get("/admin/import")).text);
    const csv =
      "group,question,text\nJeunes du centre,Q1,Un travail\nJeunes du centre,Q2,Le bruit\n";
    const preview = await postMultipart(fred, "/admin/import/preview", { _csrf: csrf, csv });
    const importKey = /name="importKey" value="([\w-]+)"/.exec(preview.text)?.[1] ?? "";
    expect(importKey).not.toBe("");
    expect(preview.text).toContain("data-busy");
    const form = { _csrf: csrf, csv: hiddenCsv(preview.text), importKey };
    const first = await postMultipart(fred, "/admin/import", form);
    expect(first.location).toBe("/admin/import?imported=2");
    const second = await postMultipart(fred, "/admin/import", form);
    expect(second.location).toBe("/admin/import?imported=2&again");
    expect(savedCriteria()).toHaveLength(2);
    expect((await fred.get(second.location ?? "")).text).toContain(
      "This import was already saved (2 criteria): sending the form again did not save them twice.",
    );
    // The same key with another text is refused, and saves nothing.
    const other = await postMultipart(fred, "/admin/import", {
      ...form,
      csv: "group,question,text\nJeunes du centre,Q3,Autre chose\n",
    });
    expect(other.status).toBe(409);
    expect(savedCriteria()).toHaveLength(2);
    // A new check gives a new key: importing the same rows again is then a choice.
    const again = await postMultipart(fred, "/admin/import/preview", { _csrf: csrf, csv });
    expect(/name="importKey" value="([\w-]+)"/.exec(again.text)?.[1]).not.toBe(importKey);
  });

  it("saves nothing when the second step carries a changed text with bad rows", async () => {
    const { fred } = await signedIn();
    const page = await fred.get("/admin/import");
    const csrf = csrfOf(page.text);
    const good =
      "group,question,text\nJeunes du centre,Q1,Un travail\nJeunes du centre,Q2,Le bruit\n";
    const preview = await postMultipart(fred, "/admin/import/preview", {
      _csrf: csrf,
      csv: good,
    });
    expect(preview.status).toBe(200);
    const tampered = `${hiddenCsv(preview.text)}Nobody,Q9,\nJeunes du centre,Q3,Fine\n`;
    const saved = await postMultipart(fred, "/admin/import", { _csrf: csrf, csv: tampered });
    expect(saved.status).toBe(400);
    expect(saved.text).toContain("1 line(s) to correct");
    expect(saved.text).toContain("Line 4");
    expect(savedCriteria()).toEqual([]);
    // Codes the form does not offer are refused too.
    const badCodes = await postMultipart(fred, "/admin/import", {
      _csrf: csrf,
      csv: good,
      codes: "unclassified",
    });
    expect(badCodes.status).toBe(400);
    expect(savedCriteria()).toEqual([]);
  });

  it("asks for a file or text, explains a file that is not CSV, and counts codes as validated on request", async () => {
    const { fred } = await signedIn();
    const page = await fred.get("/admin/import");
    const csrf = csrfOf(page.text);
    const empty = await postMultipart(fred, "/admin/import/preview", { _csrf: csrf, csv: "  " });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain("Choose a file or paste CSV text.");
    const headerOnly = await postMultipart(fred, "/admin/import/preview", {
      _csrf: csrf,
      csv: "group,question,text\n",
    });
    expect(headerOnly.status).toBe(400);
    expect(headerOnly.text).toContain(
      "The file cannot be read: the file has a header but no criteria",
    );
    const latin1 = await postMultipart(fred, "/admin/import/preview", {
      _csrf: csrf,
      file: new Blob([Buffer.from("group,question,text\nJeunes du centre,Q1,Caf\xe9\n", "latin1")]),
    });
    expect(latin1.status).toBe(400);
    expect(latin1.text).toContain('<th scope="row">Line 2</th><td>not UTF-8 text');
    const noColumns = await postMultipart(fred, "/admin/import/preview", {
      _csrf: csrf,
      csv: "name,comment\nx,y\n",
    });
    expect(noColumns.status).toBe(400);
    expect(noColumns.text).toContain("missing column(s): group, question, text");

    const csv = "group,question,text,code\nJeunes du centre,Q1,Un travail,A01\n";
    const saved = await postMultipart(fred, "/admin/import", {
      _csrf: csrf,
      csv,
      codes: "validated",
    });
    expect(saved.status).toBe(303);
    expect(savedCriteria()[0]).toMatchObject({ code: "A01", status: "validated" });
  });

  it("refuses a file over 5 MiB with a clear 413, keeping the small limit elsewhere", async () => {
    const { fred } = await signedIn();
    const page = await fred.get("/admin/import");
    const csrf = csrfOf(page.text);
    const header = "group,question,text\n";
    const row = "Jeunes du centre,Q1,Un travail qui a du sens\n";
    const big = header + row.repeat(Math.ceil((5 * 1024 * 1024 + 70 * 1024) / row.length));
    const answer = await postMultipart(fred, "/admin/import/preview", {
      _csrf: csrf,
      file: new Blob([big], { type: "text/csv" }),
    });
    expect(answer.status).toBe(413);
    expect(answer.text).toContain("larger than 5 MiB");
    expect(savedCriteria()).toEqual([]);

    // 100 KiB is fine here, but not on the other forms.
    const medium = header + row.repeat(Math.ceil((100 * 1024) / row.length));
    const checked = await postMultipart(fred, "/admin/import/preview", {
      _csrf: csrf,
      file: new Blob([medium], { type: "text/csv" }),
    });
    expect(checked.status, checked.text).toBe(200);
    const elsewhere = await postMultipart(fred, "/admin/groups", { _csrf: csrf, notes: medium });
    expect(elsewhere.status).toBe(413);
  });

  it("is for editors only: a viewer gets 403, a form without its CSRF token 403", async () => {
    const { fred, vera } = await signedIn();
    expect((await vera.get("/admin/import")).status).toBe(403);
    const veraPage = await vera.get("/admin");
    const csv = "group,question,text\nJeunes du centre,Q1,Un travail\n";
    const viewer = await postMultipart(vera, "/admin/import", {
      _csrf: csrfOf(veraPage.text),
      csv,
    });
    expect(viewer.status).toBe(403);
    const noToken = await postMultipart(fred, "/admin/import", { csv });
    expect(noToken.status).toBe(403);
    expect(savedCriteria()).toEqual([]);
  });
});
