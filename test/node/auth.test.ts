import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  addValidatedCriteria,
  createGroup,
  createTestvilleNode,
  groupInput,
  T,
  type TestNode,
} from "./helpers";

/**
 * The admin token guards every write and every private read (groups, criteria, drafts);
 * the territory profile, the grid, the categories and published syntheses are public.
 */
describe("admin token", () => {
  let t: TestNode;
  let groupId: number;
  let criterionId: number;
  let synthesisId: string;

  beforeAll(async () => {
    t = createTestvilleNode();
    groupId = await createGroup(t.admin);
    [criterionId] = (await addValidatedCriteria(t.admin, groupId, [
      { question: "Q1", text: "Private sticky note", code: "A01" },
    ])) as [number];
    const published = await t.admin.post(`${T}/syntheses`, {
      period: { start: "2026-01-01", end: "2026-06-30" },
    });
    expect(published.status).toBe(201);
    synthesisId = published.body.id;
  });
  afterAll(() => t.close());

  const writesAndPrivateReads = (): Array<[string, string, unknown?]> => [
    ["PATCH", T, { name: "Hijacked" }],
    ["POST", "/api/v1/categories", { code: "sailors", en: "Sailors", fr: "Marins" }],
    ["GET", `${T}/groups`],
    ["POST", `${T}/groups`, groupInput({ label: "Intruders" })],
    ["GET", `${T}/groups/${groupId}`],
    ["PATCH", `${T}/groups/${groupId}`, { participants: 9 }],
    ["DELETE", `${T}/groups/${groupId}`],
    ["GET", `${T}/criteria`],
    ["GET", `${T}/criteria?status=unclassified`],
    ["POST", `${T}/groups/${groupId}/criteria`, { question: "Q1", text: "Injected" }],
    ["PATCH", `${T}/criteria/${criterionId}`, { text: "Rewritten" }],
    ["DELETE", `${T}/criteria/${criterionId}`],
    ["PUT", `${T}/criteria/${criterionId}/classification`, { code: null }],
    ["POST", `${T}/criteria/validation`, { ids: [criterionId] }],
    ["POST", `${T}/imports/criteria`, "group,question,text\n1,Q1,Injected\n"],
    ["GET", `${T}/synthesis?start=2026-01-01&end=2026-06-30`],
    ["POST", `${T}/syntheses`, { period: { start: "2026-01-01", end: "2026-06-30" } }],
  ];

  it("refuses every write and private read without a token with 401 and a Bearer challenge", async () => {
    for (const [method, path, body] of writesAndPrivateReads()) {
      const response = await t.anonymous.send(method, path, { body });
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(response.body).toMatchObject({ error: "unauthorized" });
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer /);
    }
  });

  it("refuses a wrong token, another scheme and a token in the query string", async () => {
    const attempts: Array<Record<string, string>> = [
      { authorization: "Bearer not-the-admin-token-at-all-000" },
      { authorization: `Bearer ${ADMIN_TOKEN}x` },
      { authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString("base64")}` },
      { authorization: ADMIN_TOKEN },
    ];
    for (const headers of attempts) {
      const response = await t.anonymous.get(`${T}/groups`, { headers });
      expect(response.status, JSON.stringify(headers)).toBe(401);
    }
    expect((await t.anonymous.get(`${T}/groups?token=${ADMIN_TOKEN}`)).status).toBe(401);
  });

  it("changed nothing while refusing", async () => {
    const profile = await t.anonymous.get(T);
    expect(profile.body.name).toBe("Testville");
    const groups = await t.admin.get(`${T}/groups`);
    expect(groups.body).toHaveLength(1);
    expect(groups.body[0]).toMatchObject({ participants: 8, criteria: 1 });
    const criteria = await t.admin.get(`${T}/criteria`);
    expect(criteria.body.items).toEqual([
      expect.objectContaining({ text: "Private sticky note", status: "validated" }),
    ]);
    expect((await t.anonymous.get("/api/v1/categories")).body).not.toContainEqual(
      expect.objectContaining({ code: "sailors" }),
    );
    expect((await t.anonymous.get(`${T}/syntheses`)).body).toHaveLength(1);
  });

  it("lets anyone read the public profile, grid, categories, API description and syntheses", async () => {
    const publicReads = [
      "/api/v1/territories",
      T,
      "/api/v1/grid",
      "/api/v1/categories",
      "/api/v1/openapi.json",
      `${T}/syntheses`,
      `${T}/syntheses/${synthesisId}`,
    ];
    for (const path of publicReads) {
      const response = await t.anonymous.get(path);
      expect(response.status, path).toBe(200);
    }
  });

  it("accepts the token with any case of the Bearer keyword", async () => {
    const response = await t.anonymous.get(`${T}/groups`, {
      headers: { authorization: `bearer ${ADMIN_TOKEN}` },
    });
    expect(response.status).toBe(200);
  });
});
