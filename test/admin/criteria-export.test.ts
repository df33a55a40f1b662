import { parse } from "csv-parse/sync";
import { afterEach, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  type AdminTestNode,
  addFredAndVera,
  createGroup,
  signInFredAndVera,
  startSignedIn,
} from "./browser";

/**
 * The export of the territory's own criteria as CSV: admins only, in the workspace and through
 * the API (the application layer's `export`), never public, and safe to open in a spreadsheet.
 */

const GROUP = {
  label: 'Jeunes, "quartier" Nord',
  category: "young-people",
  sessionDates: "2026-05-12",
  participants: "12",
  cycle: "0",
};
/** Texts a spreadsheet would run as formulas, and ordinary ones with quotes and commas. */
const HOSTILE = [
  '=HYPERLINK("https://evil.example","clic")',
  "+33 6 12 34 56 78",
  "-le bruit la nuit",
  "@SUM(A1:A9)",
];
const ORDINARY = 'Un logement "correct", pas trop cher';

let t: AdminTestNode;
afterEach(async () => {
  await t?.close();
});

async function territoryWithCriteria() {
  const started = await startSignedIn();
  t = started.t;
  const admin = started.admin;
  const groupId = await createGroup(admin, GROUP);
  const added = await admin.submit(
    `/admin/groups/${groupId}/criteria?question=Q2&mode=paste`,
    `/admin/groups/${groupId}/criteria`,
    { question: "Q2", mode: "paste", lines: [...HOSTILE, ORDINARY].join("\n"), language: "fr" },
  );
  expect(added.status, added.text).toBe(303);
  const [first] = t.node.services.criteria.list("testville", { limit: 10, offset: 0 }).items;
  if (!first) throw new Error("criteria expected");
  t.node.services.criteria.classify(
    "testville",
    first.id,
    { code: "B01", status: "validated" },
    "test",
  );
  await addFredAndVera(t.node);
  return { admin, ...(await signInFredAndVera(t.node)) };
}

/** The rows of an exported file, header first (fetch's text() already dropped the BOM). */
function rowsOf(text: string): string[][] {
  return parse(text.replace(/^\uFEFF/, ""), { relax_column_count: false });
}

describe("criteria export (CSV)", () => {
  it("gives an admin every criterion with group, question, text, code, language and status", async () => {
    const { admin } = await territoryWithCriteria();
    const page = await admin.get("/admin/groups");
    expect(page.text).toContain('href="/admin/criteria/export"');
    const answer = await admin.get("/admin/criteria/export");
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(answer.headers.get("content-disposition")).toBe(
      'attachment; filename="testville-criteria.csv"',
    );
    expect(answer.headers.get("cache-control")).toBe("no-store");
    const [header, ...rows] = rowsOf(answer.text);
    expect(header).toEqual(["group", "question", "text", "code", "language", "status"]);
    expect(rows).toHaveLength(5);
    expect(rows[0]).toEqual([GROUP.label, "Q2", `'${HOSTILE[0]}`, "B01", "fr", "validated"]);
    expect(rows.at(-1)).toEqual([GROUP.label, "Q2", ORDINARY, "", "fr", "unclassified"]);
  });

  it("neutralises every cell a spreadsheet would run as a formula, and only those", async () => {
    const { admin } = await territoryWithCriteria();
    const [, ...rows] = rowsOf((await admin.get("/admin/criteria/export")).text);
    const texts = rows.map((row) => row[2]);
    expect(texts).toEqual([...HOSTILE.map((text) => `'${text}`), ORDINARY]);
    for (const row of rows) {
      for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    }
  });

  it("is the admins' alone: facilitators and viewers get 403 and no button; the API asks the same rule", async () => {
    const { fred, vera } = await territoryWithCriteria();
    for (const browser of [fred, vera]) {
      expect((await browser.get("/admin/criteria/export")).status).toBe(403);
      expect((await browser.get("/admin/groups")).text).not.toContain("/admin/criteria/export");
    }
    const api = (headers: Record<string, string>) =>
      t.node.app.request("/api/v1/territories/testville/criteria/export", { headers });
    const asAdmin = await api({ authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(asAdmin.status).toBe(200);
    // UTF-8 with a byte-order mark, so a spreadsheet reads the accents.
    const bytes = new Uint8Array(await asAdmin.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header] = rowsOf(new TextDecoder().decode(bytes));
    expect(header?.[0]).toBe("group");
    const fredAccount = t.node.services.users.list().find((u) => u.role === "facilitator");
    if (!fredAccount) throw new Error("Fred expected");
    const { token } = t.node.services.apiTokens.create(fredAccount.id, "fred", "test");
    const asFred = await api({ authorization: `Bearer ${token}` });
    expect(asFred.status).toBe(403);
    expect(await asFred.text()).not.toContain(ORDINARY);
    // Never public: no token, no file.
    const anonymous = await api({});
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain(ORDINARY);
  });
});
