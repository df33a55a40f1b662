import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  CELL_MEMO,
  type CsvRejected,
  cellMemo,
  checkCriterionText,
  rowsFingerprint,
} from "@spiral-network/node/services/csv-import";
import type { InvalidInputError } from "@spiral-network/node/services/errors";
import { criterionTextSchema } from "@spiral-network/protocol";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { createGroup, T, useTestvilleNode } from "./helpers";

/**
 * CSV import (POST /territories/{slug}/imports/criteria, raw text/csv body).
 * Fixtures, in test/fixtures/csv/:
 * - criteria-fr-excel.csv: what a French spreadsheet exports: UTF-8 BOM, CRLF, ";" separator,
 *   French header names, a quoted newline, quoted quotes, labels in any case, one row uncoded;
 * - criteria-bad-lines.csv: "," separator, every kind of bad line, after quoted newlines (one
 *   of them CRLF) and a blank line, so the line numbers reported must count them all.
 */
const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../fixtures/csv/${name}`, import.meta.url)));

describe("CSV import of criteria", () => {
  const t = useTestvilleNode();
  let youth: number;
  let elders: number;
  beforeEach(async () => {
    youth = await createGroup(t.admin, { label: "Jeunes du centre" });
    elders = await createGroup(t.admin, { label: "Aînés du quartier", category: "elderly-people" });
  });

  const importCsv = (body: string | Uint8Array, query = "") =>
    t.admin.post(`${T}/imports/criteria${query}`, body, {
      headers: { "content-type": "text/csv; charset=utf-8" },
    });
  const allCriteria = async () => (await t.admin.get(`${T}/criteria?limit=1000`)).body;
  const lines = (body: { issues: Array<{ line: number }> }) => body.issues.map((i) => i.line);

  describe("a well-formed file", () => {
    it("imports a French spreadsheet export (BOM, CRLF, semicolons, quoted newline)", async () => {
      const response = await importCsv(fixture("criteria-fr-excel.csv"));
      expect(response.status, response.text).toBe(200);
      expect(response.body).toEqual({
        rows: 4,
        imported: 4,
        dryRun: false,
        byGroup: { "Jeunes du centre": 2, "Aînés du quartier": 2 },
      });
      const { items } = await allCriteria();
      expect(items).toEqual([
        expect.objectContaining({
          groupId: youth,
          question: "Q1",
          text: "Avoir un travail\nqui a du sens",
          language: "fr",
          code: "A01",
          status: "proposed",
        }),
        expect.objectContaining({
          groupId: youth,
          question: "Q2",
          text: "La solitude, le soir",
          code: "B02",
        }),
        expect.objectContaining({
          groupId: elders,
          question: "Q3",
          text: "Je fais du bénévolat",
          code: "A00",
          component: "A00",
          dimension: "A",
        }),
        expect.objectContaining({
          groupId: elders,
          question: "Q1",
          text: 'Des "voisins" attentifs; toujours',
          status: "unclassified",
        }),
      ]);
      // The BOM did not end up in a header name or a value.
      expect(JSON.stringify(items)).not.toContain("\uFEFF");
    });

    it("counts codes as validated with codes=validated", async () => {
      const response = await importCsv(fixture("criteria-fr-excel.csv"), "?codes=validated");
      expect(response.status).toBe(200);
      const statuses = (await allCriteria()).items.map((c: { status: string }) => c.status);
      expect(statuses).toEqual(["validated", "validated", "validated", "unclassified"]);
    });

    it("checks without saving with dryRun=true", async () => {
      const response = await importCsv(fixture("criteria-fr-excel.csv"), "?dryRun=true");
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        rows: 4,
        imported: 0,
        dryRun: true,
        byGroup: { "Jeunes du centre": 2, "Aînés du quartier": 2 },
      });
      expect((await allCriteria()).total).toBe(0);
    });

    it("names groups by id as well as by label", async () => {
      const csv = `text,group,question\nPar identifiant,${elders},Q1\nPar libellé,JEUNES DU CENTRE,Q2\n`;
      const response = await importCsv(csv);
      expect(response.status, response.text).toBe(200);
      const { items } = await allCriteria();
      expect(items.map((c: { text: string; groupId: number }) => [c.text, c.groupId])).toEqual([
        ["Par identifiant", elders],
        ["Par libellé", youth],
      ]);
    });

    it("imports a comma-separated file without BOM, with LF line ends and no final newline", async () => {
      const csv = 'group,question,text\nJeunes du centre,Q4,"Un, deux, trois"';
      const response = await importCsv(csv);
      expect(response.status).toBe(200);
      expect((await allCriteria()).items[0]).toMatchObject({
        question: "Q4",
        text: "Un, deux, trois",
      });
    });

    it("finds the separator outside quotes, on the first line alone (CR line ends too)", async () => {
      // An extra column whose name holds semicolons, in a comma-separated file.
      const commas = 'group,question,text,"Notes; a; b; c; d"\nJeunes du centre,Q1,ok,\n';
      const first = await importCsv(commas);
      expect(first.status, first.text).toBe(200);
      // Semicolons, CR line ends, and texts that hold more commas than the header has semicolons.
      const semicolons =
        "groupe;question;texte\rJeunes du centre;Q1;un, deux, trois, quatre\rJeunes du centre;Q2;cinq, six, sept, huit, neuf\r";
      const second = await importCsv(semicolons);
      expect(second.status, second.text).toBe(200);
      // Blank lines before the header, which csv-parse skips.
      const third = await importCsv(
        "\r\n\r\ngroupe;question;texte\r\nJeunes du centre;Q3;un, deux\r\n",
      );
      expect(third.status, third.text).toBe(200);
      expect((await allCriteria()).items.map((c: { text: string }) => c.text)).toEqual([
        "ok",
        "un, deux, trois, quatre",
        "cinq, six, sept, huit, neuf",
        "un, deux",
      ]);
    });

    it("keeps nothing of a row's code or language on a next row that has none", async () => {
      const csv =
        "group,question,text,code,language\nJeunes du centre,Q1,Codé,A01,fr\nJeunes du centre,Q2,Sans code,,\n";
      const response = await importCsv(csv, "?codes=validated");
      expect(response.status, response.text).toBe(200);
      const [coded, bare] = (await allCriteria()).items;
      expect(coded).toMatchObject({
        code: "A01",
        language: "fr",
        status: "validated",
        classifiedBy: expect.any(String),
        classifiedAt: expect.any(String),
      });
      expect(bare).toEqual({
        id: expect.any(Number),
        groupId: youth,
        question: "Q2",
        text: "Sans code",
        status: "unclassified",
      });
    });

    it("refuses a label used by two groups as ambiguous, and accepts their ids", async () => {
      const twin = await createGroup(t.admin, { label: "jeunes du centre", cycle: 2 });
      const ambiguous = await importCsv("group,question,text\nJeunes du centre,Q1,Qui ?\n");
      expect(ambiguous.status).toBe(400);
      expect(ambiguous.body.issues).toEqual([
        { path: "line 2", line: 2, message: expect.stringContaining("use the group id") },
      ]);
      const byId = await importCsv(`group,question,text\n${twin},Q1,Qui ?\n`);
      expect(byId.status).toBe(200);
    });
  });

  describe("a file with bad lines imports nothing and reports every bad line", () => {
    it("reports each bad line with its exact number and reason", async () => {
      const response = await importCsv(fixture("criteria-bad-lines.csv"));
      expect(response.status).toBe(400);
      expect(response.body.error).toBe("invalid_request");
      expect(response.body.message).toBe("7 bad line(s); nothing was imported");
      expect(response.body.issues).toEqual([
        { path: "line 4", line: 4, message: 'unknown question "Q5" (Q1, Q2, Q3 or Q4)' },
        {
          path: "line 5",
          line: 5,
          message: expect.stringMatching(/^invalid SPIRAL code "A99": unknown component A99/),
        },
        {
          path: "line 6",
          line: 6,
          message: expect.stringMatching(/^invalid SPIRAL code "A1": object "A1" must be/),
        },
        { path: "line 7", line: 7, message: "the criterion text is empty" },
        { path: "line 8", line: 8, message: 'unknown group "Club des martiens"' },
        {
          path: "line 12",
          line: 12,
          message: expect.stringMatching(/^invalid SPIRAL code "Z00": unknown dimension Z/),
        },
        {
          path: "line 15",
          line: 15,
          message: 'unknown question "" (Q1, Q2, Q3 or Q4); the criterion text is empty',
        },
      ]);
      expect((await allCriteria()).total).toBe(0);
    });

    it("reports the same lines on a dry run", async () => {
      const response = await importCsv(fixture("criteria-bad-lines.csv"), "?dryRun=true");
      expect(response.status).toBe(400);
      expect(lines(response.body)).toEqual([4, 5, 6, 7, 8, 12, 15]);
    });

    it("counts lines after quoted newlines, CRLF or LF, and after blank lines", async () => {
      const csv = [
        "group;question;text", // 1
        "Jeunes du centre;Q1;ok", // 2
        "", // 3
        "", // 4
        'Jeunes du centre;Q1;"three\r\nline\r\ntext"', // 5-7
        "Jeunes du centre;Q9;bad", // 8
        'Jeunes du centre;Q1;"two\nlines"', // 9-10
        "Nobody;Q1;bad", // 11
      ].join("\r\n");
      const response = await importCsv(`${csv}\r\n`);
      expect(response.status).toBe(400);
      expect(lines(response.body)).toEqual([8, 11]);
    });

    it("counts lines in a file with CR line ends (an old Mac export), and CRLF among them", async () => {
      const csv = [
        "group,question,text", // 1
        "Jeunes du centre,Q1,ok", // 2
        "Jeunes du centre,Q9,bad", // 3
        'Jeunes du centre,Q1,"two\rlines"', // 4-5
        "", // 6
        "Nobody,Q1,bad", // 7
      ].join("\r");
      const response = await importCsv(`${csv}\r`);
      expect(response.status).toBe(400);
      expect(lines(response.body)).toEqual([3, 7]);
      // The preview shows the same lines for good rows.
      const good = 'group,question,text\r\rJeunes du centre,Q1,"a\rb"\rJeunes du centre,Q2,c\r';
      const preview = t.services.imports.preview(
        "testville",
        new TextEncoder().encode(good),
        { codes: "proposed" },
        "test",
      );
      expect(preview.sample.map((s) => s.line)).toEqual([3, 5]);
    });

    it("counts lines where LF and CRLF line ends are mixed, as an editor shows them", async () => {
      // csv-parse ends records with the first line end it meets: the other kind stays in a field.
      const lf =
        "group,question,text\nJeunes du centre,Q1,ok\r\nJeunes du centre,Q9,bad\r\nNobody,Q1,x\n";
      expect(lines((await importCsv(lf)).body)).toEqual([3, 4]);
      const cr =
        "group,question,text\rJeunes du centre,Q1,ok\r\nJeunes du centre,Q9,bad\r\nNobody,Q1,x\r";
      expect(lines((await importCsv(cr)).body)).toEqual([3, 4]);
      // A CRLF blank line in an LF file is a record of its own (a CR), on its own line.
      const blank = "group,question,text\nJeunes du centre,Q1,ok\n\r\nNobody,Q1,x\n";
      expect(lines((await importCsv(blank)).body)).toEqual([3, 4]);
    });

    it("reports the line of a bad record that itself spans several lines by its first line", async () => {
      const csv =
        'group,question,text\nJeunes du centre,Q1,ok\nNobody,Q1,"first\nsecond"\nJeunes du centre,Q1,ok\n';
      const response = await importCsv(csv);
      expect(lines(response.body)).toEqual([3]);
    });

    it("reports lines that are not UTF-8 (a Latin-1 export), after a quoted newline", async () => {
      const bytes = Buffer.concat([
        Buffer.from('group,question,text\nJeunes du centre,Q1,"Un bon\ncafé"\n', "utf8"), // 1-3
        Buffer.from("Jeunes du centre,Q1,"), // 4: "café" in Latin-1
        Buffer.from([0x63, 0x61, 0x66, 0xe9]),
        Buffer.from("\nJeunes du centre,Q2,ok\n"), // 5
        Buffer.from("Aînés du quartier,Q3,", "latin1"), // 6: Latin-1 label
        Buffer.from("ok\n"),
      ]);
      const response = await importCsv(new Uint8Array(bytes));
      expect(response.status).toBe(400);
      expect(response.body.message).toContain("not UTF-8");
      expect(response.body.issues).toEqual([
        { path: "line 4", line: 4, message: "not valid UTF-8 (save the file as UTF-8)" },
        { path: "line 6", line: 6, message: "not valid UTF-8 (save the file as UTF-8)" },
      ]);
      expect((await allCriteria()).total).toBe(0);
    });

    it("reports the lines that are not UTF-8 in a file with CR line ends (Mac Roman)", async () => {
      const bytes = Buffer.concat([
        Buffer.from("group,question,text\rJeunes du centre,Q1,ok\rJeunes du centre,Q1,caf"), // 1-3
        Buffer.from([0x8e]), // "é" in Mac Roman
        Buffer.from("\r\nJeunes du centre,Q2,ok\rJeunes du centre,Q2,"), // 4-5
        Buffer.from([0x8e, 0x0d]),
      ]);
      const response = await importCsv(new Uint8Array(bytes));
      expect(response.status).toBe(400);
      expect(lines(response.body)).toEqual([3, 5]);
    });

    it("refuses every kind of invalid UTF-8 and names its line", async () => {
      const sequences = {
        overlong: [0xc0, 0xaf],
        overlong3: [0xe0, 0x80, 0xaf],
        surrogate: [0xed, 0xa0, 0x80],
        beyondUnicode: [0xf4, 0x90, 0x80, 0x80],
        truncated: [0xe2, 0x82],
        continuation: [0x80],
        invalidByte: [0xff],
      };
      for (const [name, sequence] of Object.entries(sequences)) {
        for (const end of ["x\n", "\n", ""]) {
          const bytes = Buffer.concat([
            Buffer.from("group,question,text\nJeunes du centre,Q1,ok\nJeunes du centre,Q1,"),
            Buffer.from(sequence),
            Buffer.from(end),
          ]);
          const response = await importCsv(new Uint8Array(bytes));
          expect(response.status, name).toBe(400);
          expect(response.body.issues, name).toEqual([
            { path: "line 3", line: 3, message: "not valid UTF-8 (save the file as UTF-8)" },
          ]);
        }
      }
      // A UTF-16 file (Excel's "Unicode text"), with its BOM: refused, not read as garbage.
      const utf16 = Buffer.from(
        "\uFEFFgroup,question,text\r\nJeunes du centre,Q1,ok\r\n",
        "utf16le",
      );
      const response = await importCsv(new Uint8Array(utf16));
      expect(response.status).toBe(400);
      expect(response.body.message).toBe("the file is not UTF-8 text; nothing was imported");
      // Without its BOM, UTF-16 text is valid UTF-8 with a NUL byte beside each character: it is
      // still not read as a file whose header lacks every column.
      for (const encoding of ["utf16le", "utf16be"]) {
        const text = Buffer.from("group,question,text\nJeunes du centre,Q1,ok\n", "utf16le");
        const bytes = encoding === "utf16be" ? text.swap16() : text;
        const noBom = await importCsv(new Uint8Array(bytes));
        expect(noBom.status).toBe(400);
        expect(noBom.body).toMatchObject({
          message: "the file is not UTF-8 text; nothing was imported",
          issues: [{ line: 1, message: expect.stringContaining("UTF-16") }],
        });
      }
      expect((await allCriteria()).total).toBe(0);
    });

    it("reports a row with more fields than the header", async () => {
      const response = await importCsv("group,question,text\nJeunes du centre,Q1,a,b\n");
      expect(response.status).toBe(400);
      expect(response.body.issues).toEqual([
        { path: "line 2", line: 2, message: "4 fields where the header has 3" },
      ]);
    });
  });

  describe("a file that cannot be read as criteria", () => {
    it.each([
      ["group", "groupe;texte;code\nJeunes du centre;Bien;A01\n", "question"],
      ["text", "group,question,code\nJeunes du centre,Q1,A01\n", "text"],
      ["all", "name,age\nJean,12\n", "group, question, text"],
    ])("refuses a header missing %s with 400 naming it", async (_, csv, missing) => {
      const response = await importCsv(csv);
      expect(response.status).toBe(400);
      expect(response.body.message).toContain(`missing: ${missing}`);
      expect(response.body.issues).toEqual([
        { path: "line 1", line: 1, message: `missing column(s): ${missing}` },
      ]);
    });

    it("refuses an empty file, a header alone and an unclosed quote", async () => {
      const empty = await importCsv("");
      expect(empty.status).toBe(400);
      expect(empty.body.message).toContain("empty");
      // Only white space, as trim counts it: ASCII after a BOM, or Unicode's (a no-break space).
      for (const blank of ["\uFEFF \n\t\r\n", "\uFEFF\uFEFF\u00a0\n"]) {
        const response = await importCsv(blank);
        expect(response.status).toBe(400);
        expect(response.body.message).toBe("the file is empty; nothing was imported");
      }

      const headerOnly = await importCsv("group,question,text\r\n");
      expect(headerOnly.status).toBe(400);
      expect(headerOnly.body.message).toContain("no criteria");

      const unclosed = await importCsv('group,question,text\nJeunes du centre,Q1,"never closed\n');
      expect(unclosed.status).toBe(400);
      expect(unclosed.body.message).toContain("not valid CSV");
      expect((await allCriteria()).total).toBe(0);
    });

    it("names the line of a quote error as an editor counts it, after CRLF inside quotes", async () => {
      const head = 'group,question,text\r\nJeunes du centre,Q1,"un\r\ndeux"\r\n'; // 1, 2-3
      const unclosed = await importCsv(`${head}Jeunes du centre,Q1,"jamais\r\nfermé\r\n`); // 4
      expect(unclosed.status).toBe(400);
      expect(unclosed.body.issues).toEqual([
        { path: "line 4", line: 4, message: expect.stringMatching(/opening quote at line 4$/) },
      ]);
      const stray = await importCsv(`${head}Jeunes du centre,Q1,un "petit" texte\r\n`); // 4
      expect(stray.body.issues).toEqual([
        { path: "line 4", line: 4, message: expect.stringContaining("at line 4,") },
      ]);
      expect(stray.body.message).toContain("at line 4,");
    });

    it("refuses unknown options", async () => {
      const csv = "group,question,text\nJeunes du centre,Q1,ok\n";
      expect((await importCsv(csv, "?dryRun=yes")).status).toBe(400);
      expect((await importCsv(csv, "?codes=unclassified")).status).toBe(400);
      expect((await allCriteria()).total).toBe(0);
    });
  });

  describe("the preview (a dry run that says what would be saved)", () => {
    it("counts rows per group and question and shows the first rows with their line", () => {
      const preview = t.services.imports.preview(
        "testville",
        fixture("criteria-fr-excel.csv"),
        { codes: "proposed" },
        "test",
        3,
      );
      expect(preview).toMatchObject({ rows: 4, imported: 0, dryRun: true });
      expect(preview.byGroupQuestion).toEqual({
        "Jeunes du centre": { Q1: 1, Q2: 1 },
        "Aînés du quartier": { Q3: 1, Q1: 1 },
      });
      expect(preview.sample).toEqual([
        {
          line: 2,
          group: "Jeunes du centre",
          question: "Q1",
          text: "Avoir un travail\nqui a du sens",
          language: "fr",
          code: "A01",
        },
        expect.objectContaining({ line: 4, question: "Q2", text: "La solitude, le soir" }),
        expect.objectContaining({ line: 5, group: "Aînés du quartier", question: "Q3" }),
      ]);
      expect(t.services.criteria.list("testville", { limit: 10, offset: 0 }).total).toBe(0);
    });

    it("recognises rows imported before: same group, question and text, in any order", () => {
      const preview = (csv: string) =>
        t.services.imports.preview(
          "testville",
          new TextEncoder().encode(csv),
          { codes: "proposed" },
          "test",
        ).alreadyImported;
      const rows = [
        "Jeunes du centre,Q1,Un travail",
        `${elders},Q2,Le bruit`,
        "Jeunes du centre,Q1,Un travail",
      ];
      const csv = (lines: string[]) => `group,question,text\n${lines.join("\n")}\n`;
      expect(preview(csv(rows))).toBeUndefined();
      t.services.imports.import(
        "testville",
        new TextEncoder().encode(csv(rows)),
        { dryRun: false, codes: "proposed" },
        "test",
      );
      // Reordered, the group named by id instead of label, other spaces and case: the same rows.
      expect(
        preview(
          csv([
            " Jeunes du centre ,q1,Un travail ",
            "aînés du quartier,Q2,Le bruit",
            `${youth},Q1,Un travail`,
          ]),
        ),
      ).toEqual({ at: expect.any(String), rows: 3 });
      // One row fewer, one more, or a row in another group, question or text: other rows.
      expect(preview(csv(rows.slice(0, 2)))).toBeUndefined();
      expect(preview(csv([...rows, rows[1] as string]))).toBeUndefined();
      expect(
        preview(csv([rows[0] as string, `${youth},Q2,Le bruit`, rows[2] as string])),
      ).toBeUndefined();
      expect(
        preview(csv([rows[0] as string, `${elders},Q3,Le bruit`, rows[2] as string])),
      ).toBeUndefined();
      expect(
        preview(csv([rows[0] as string, `${elders},Q2,Le bruitt`, rows[2] as string])),
      ).toBeUndefined();
    });

    it("still recognises rows whose import was recorded with the former fingerprint", () => {
      // Imports recorded before the fingerprint changed carry the SHA-256 of the rows' sorted
      // JSON keys (docs/benchmarks.md, "CSV import and synthesis").
      const keys = [`[${youth},"Q1","Un travail"]`, `[${elders},"Q2","Le bruit"]`].sort();
      const hash = createHash("sha256");
      for (const key of keys) hash.update(`${key}\n`);
      t.services.audit.record("test", "criteria.import", "territory:testville", {
        rows: 2,
        byGroup: { "Jeunes du centre": 1, "Aînés du quartier": 1 },
        rowsHash: hash.digest("hex"),
      });
      const csv =
        "group,question,text\nAînés du quartier,Q2,Le bruit\nJeunes du centre,Q1,Un travail\n";
      const preview = t.services.imports.preview(
        "testville",
        new TextEncoder().encode(csv),
        { codes: "proposed" },
        "test",
      );
      expect(preview.alreadyImported).toEqual({ at: expect.any(String), rows: 2 });
      const other = "group,question,text\nJeunes du centre,Q1,Un autre travail\n";
      expect(
        t.services.imports.preview(
          "testville",
          new TextEncoder().encode(other),
          { codes: "proposed" },
          "test",
        ).alreadyImported,
      ).toBeUndefined();
    });

    it("throws with every bad line, as an import would, and saves nothing", () => {
      const attempt = () =>
        t.services.imports.preview(
          "testville",
          fixture("criteria-bad-lines.csv"),
          { codes: "proposed" },
          "test",
        );
      expect(attempt).toThrow("7 bad line(s); nothing was imported");
      try {
        attempt();
      } catch (error) {
        expect((error as InvalidInputError).issues.map((i) => i.line)).toEqual([
          4, 5, 6, 7, 8, 12, 15,
        ]);
        // The same problems by kind, for callers that word them in another language.
        const rejected = error as CsvRejected;
        expect(rejected.badLines).toBe(7);
        expect(rejected.lines.map((l) => l.problems.map((p) => p.kind))).toEqual([
          ["unknownQuestion"],
          ["badCode"],
          ["badCode"],
          ["emptyText"],
          ["unknownGroup"],
          ["badCode"],
          ["unknownQuestion", "emptyText"],
        ]);
        expect(rejected.lines[4]?.problems[0]).toMatchObject({ group: "Club des martiens" });
      }
      expect(t.services.criteria.list("testville", { limit: 10, offset: 0 }).total).toBe(0);
    });
  });
});

describe("the import's text check", () => {
  // The import checks each row's text without zod (it runs once per row); it must accept,
  // trim and refuse exactly as the criterion schema does, with the same messages.
  const agrees = (value: string) => {
    const fast = checkCriterionText(value);
    const schema = criterionTextSchema.safeParse(value);
    expect(fast.success).toBe(schema.success);
    if (fast.success && schema.success) expect(fast.data).toBe(schema.data);
    if (!fast.success && !schema.success) {
      const issue = schema.error.issues[0];
      expect(fast.problem.message).toBe(issue?.message);
      expect(fast.problem.kind).toBe(issue?.code === "too_big" ? "longText" : "emptyText");
    }
  };

  it("agrees with criterionTextSchema at the edges", () => {
    for (const value of [
      "",
      " ",
      "\t\n\u00a0\u2003",
      "a",
      " a ",
      "x".repeat(2000),
      ` ${"x".repeat(2000)} `,
      "x".repeat(2001),
      "é".repeat(2001),
      "😀".repeat(1000),
      "😀".repeat(1001),
    ]) {
      agrees(value);
    }
  });

  it("agrees with criterionTextSchema on any text", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "grapheme", maxLength: 40 }),
          fc.string({ minLength: 1990, maxLength: 2010 }),
          fc.string({ unit: "binary", minLength: 1000, maxLength: 2010 }),
          fc
            .tuple(
              fc.constantFrom(" ", "\t", "\u00a0", "\ufeff", "\u3000"),
              fc.string({ maxLength: 2005 }),
            )
            .map(([pad, s]) => pad + s + pad),
        ),
        (value) => agrees(value),
      ),
      { numRuns: 500 },
    );
  });
});

describe("the import's memo of cell values", () => {
  it("keeps at most CELL_MEMO values, so a file of distinct bad cells keeps no zod error per line", () => {
    let parsed = 0;
    const questionOf = cellMemo((value: string) => {
      parsed++;
      return criterionTextSchema.safeParse(value.length > 3 ? "" : value);
    });
    for (let i = 0; i < 3 * CELL_MEMO; i++) {
      expect(questionOf(`bad ${i}`).success).toBe(false);
      expect(questionOf.memoSize()).toBeLessThanOrEqual(CELL_MEMO);
    }
    // A value met again is parsed once while it is kept.
    const before = parsed;
    expect(questionOf("Q1").success).toBe(true);
    expect(questionOf("Q1").success).toBe(true);
    expect(parsed).toBe(before + 1);
  });
});

describe("the rows' fingerprint", () => {
  const row = fc.record({
    groupId: fc.integer({ min: 1, max: 2 ** 40 }),
    question: fc.constantFrom("Q1", "Q2", "Q3", "Q4"),
    text: fc.string({ minLength: 1, unit: "grapheme" }),
  });
  type Row = { groupId: number; question: string; text: string };
  const digest = (rows: Row[]) => {
    const fingerprint = rowsFingerprint();
    for (const r of rows) fingerprint.add(r.groupId, r.question, r.text);
    return fingerprint.digest();
  };

  it("is the same for the same rows in any order", () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 30 }), fc.integer(), (rows, seed) => {
        const shuffled = fc.sample(fc.shuffledSubarray(rows, { minLength: rows.length }), {
          seed,
          numRuns: 1,
        })[0] as Row[];
        expect(digest(shuffled)).toBe(digest(rows));
      }),
    );
  });

  it("differs when a row is added, dropped or changed", () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 30 }), row, (rows, other) => {
        const first = rows[0] as Row;
        expect(digest([...rows, first])).not.toBe(digest(rows));
        expect(digest(rows.slice(1))).not.toBe(digest(rows));
        fc.pre(JSON.stringify(other) !== JSON.stringify(first));
        expect(digest([other, ...rows.slice(1)])).not.toBe(digest(rows));
      }),
    );
  });
});
