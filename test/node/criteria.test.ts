import { beforeEach, describe, expect, it } from "vitest";
import { addCriteria, createGroup, NOW, T, useTestvilleNode } from "./helpers";

describe("criteria", () => {
  const t = useTestvilleNode();
  let groupId: number;
  beforeEach(async () => {
    groupId = await createGroup(t.admin);
  });

  const criteriaCount = async () => (await t.admin.get(`${T}/criteria`)).body.total;

  describe("adding", () => {
    it("adds one criterion, unclassified when it has no code", async () => {
      const response = await t.admin.post(`${T}/groups/${groupId}/criteria`, {
        question: "Q1",
        text: "  Avoir un logement décent  ",
        language: "fr",
      });
      expect(response.status).toBe(201);
      expect(response.body.items).toEqual([
        {
          id: expect.any(Number),
          groupId,
          question: "Q1",
          text: "Avoir un logement décent",
          language: "fr",
          status: "unclassified",
        },
      ]);
    });

    it("adds one criterion with a code as a proposal, stored in canonical form", async () => {
      const response = await t.admin.post(`${T}/groups/${groupId}/criteria`, {
        question: "Q2",
        text: "Le bruit la nuit",
        code: "B01/O/i",
      });
      expect(response.status).toBe(201);
      expect(response.body.items[0]).toMatchObject({
        code: "B01",
        component: "B01",
        dimension: "B",
        status: "proposed",
        classifiedBy: "admin",
        classifiedAt: NOW.toISOString(),
      });
    });

    it("adds many criteria at once with {items: [...]}", async () => {
      const response = await t.admin.post(`${T}/groups/${groupId}/criteria`, {
        items: [
          { question: "Q1", text: "La santé" },
          { question: "Q2", text: "La solitude", code: "A02" },
          { question: "Q3", text: "Je cuisine pour mes voisins", language: "fr" },
        ],
      });
      expect(response.status).toBe(201);
      expect(response.body.items.map((c: { text: string }) => c.text)).toEqual([
        "La santé",
        "La solitude",
        "Je cuisine pour mes voisins",
      ]);
      expect(await criteriaCount()).toBe(3);
    });

    it("saves nothing when one item of a bulk is invalid, and names its index", async () => {
      const response = await t.admin.post(`${T}/groups/${groupId}/criteria`, {
        items: [
          { question: "Q1", text: "fine" },
          { question: "Q1", text: "also fine" },
          { question: "Q1", text: "   " },
          { question: "Q3", text: "fine again" },
        ],
      });
      expect(response.status).toBe(400);
      expect(response.body.issues).toEqual([
        { path: "items.2.text", message: "the criterion text is empty" },
      ]);
      expect(await criteriaCount()).toBe(0);
    });

    it("names every bad item of a bulk, whatever is wrong with it", async () => {
      const response = await t.admin.post(`${T}/groups/${groupId}/criteria`, {
        items: [
          { question: "Q5", text: "bad question" },
          { question: "Q1", text: "fine" },
          { question: "Q1", text: "x".repeat(2001) },
          { question: "Q1", text: "unknown field", author: "Jean" },
        ],
      });
      expect(response.status).toBe(400);
      const paths = response.body.issues.map((i: { path: string }) => i.path);
      expect(paths).toEqual(["items.0.question", "items.2.text", "items.3"]);
      expect(await criteriaCount()).toBe(0);
    });

    it("saves nothing when one item of a bulk has a bad code, and names its index", async () => {
      const response = await t.admin.post(`${T}/groups/${groupId}/criteria`, {
        items: [
          { question: "Q1", text: "fine", code: "A01" },
          { question: "Q1", text: "bad code", code: "A08" },
          { question: "Q1", text: "malformed code", code: "A1" },
        ],
      });
      expect(response.status).toBe(400);
      expect(response.body.issues).toEqual([
        { path: "items.1.code", message: expect.stringContaining("unknown component A08") },
        { path: "items.2.code", message: expect.stringContaining("must be a dimension letter") },
      ]);
      expect(response.body.message).toContain("nothing was saved");
      expect(await criteriaCount()).toBe(0);
    });

    it("names the bad field of a single criterion without an index", async () => {
      const badQuestion = await t.admin.post(`${T}/groups/${groupId}/criteria`, {
        question: "Q7",
        text: "x",
      });
      expect(badQuestion.status).toBe(400);
      expect(badQuestion.body.issues).toEqual([expect.objectContaining({ path: "question" })]);

      const badCode = await t.admin.post(`${T}/groups/${groupId}/criteria`, {
        question: "Q1",
        text: "x",
        code: "Z01",
      });
      expect(badCode.status).toBe(400);
      expect(badCode.body.issues).toEqual([
        { path: "code", message: expect.stringContaining("unknown dimension Z") },
      ]);
      expect(await criteriaCount()).toBe(0);
    });

    it("refuses an empty bulk", async () => {
      const response = await t.admin.post(`${T}/groups/${groupId}/criteria`, { items: [] });
      expect(response.status).toBe(400);
      expect(response.body.issues).toEqual([expect.objectContaining({ path: "items" })]);
    });
  });

  describe("listing", () => {
    let other: number;
    beforeEach(async () => {
      other = await createGroup(t.admin, { label: "Parents", category: "parents" });
      await addCriteria(t.admin, groupId, [
        { question: "Q1", text: "g1 q1 coded", code: "A01" },
        { question: "Q1", text: "g1 q1 plain" },
        { question: "Q2", text: "g1 q2 plain" },
      ]);
      await addCriteria(t.admin, other, [
        { question: "Q1", text: "g2 q1 plain" },
        { question: "Q2", text: "g2 q2 coded", code: "B02" },
      ]);
    });

    const texts = (body: { items: Array<{ text: string }> }) => body.items.map((c) => c.text);

    it("lists every criterion of the territory in entry order", async () => {
      const response = await t.admin.get(`${T}/criteria`);
      expect(response.status).toBe(200);
      expect(response.body.total).toBe(5);
      expect(texts(response.body)).toEqual([
        "g1 q1 coded",
        "g1 q1 plain",
        "g1 q2 plain",
        "g2 q1 plain",
        "g2 q2 coded",
      ]);
    });

    it("gives the classification queue with status=unclassified", async () => {
      const response = await t.admin.get(`${T}/criteria?status=unclassified`);
      expect(response.body.total).toBe(3);
      expect(texts(response.body)).toEqual(["g1 q1 plain", "g1 q2 plain", "g2 q1 plain"]);
      const proposed = await t.admin.get(`${T}/criteria?status=proposed`);
      expect(texts(proposed.body)).toEqual(["g1 q1 coded", "g2 q2 coded"]);
    });

    it("filters by question and by group, and combines filters", async () => {
      const q2 = await t.admin.get(`${T}/criteria?question=Q2`);
      expect(texts(q2.body)).toEqual(["g1 q2 plain", "g2 q2 coded"]);
      const byGroup = await t.admin.get(`${T}/criteria?groupId=${other}`);
      expect(texts(byGroup.body)).toEqual(["g2 q1 plain", "g2 q2 coded"]);
      const combined = await t.admin.get(
        `${T}/criteria?groupId=${groupId}&question=Q1&status=unclassified`,
      );
      expect(combined.body).toMatchObject({ total: 1, items: [{ text: "g1 q1 plain" }] });
    });

    it("pages with limit and offset, total counting every match", async () => {
      const first = await t.admin.get(`${T}/criteria?limit=2`);
      expect(first.body.total).toBe(5);
      expect(texts(first.body)).toEqual(["g1 q1 coded", "g1 q1 plain"]);
      const second = await t.admin.get(`${T}/criteria?limit=2&offset=2`);
      expect(second.body.total).toBe(5);
      expect(texts(second.body)).toEqual(["g1 q2 plain", "g2 q1 plain"]);
      const past = await t.admin.get(`${T}/criteria?limit=2&offset=10`);
      expect(past.body).toEqual({ total: 5, items: [] });
    });

    it("does not list another territory's criteria", async () => {
      t.services.territories.create(
        { slug: "otherville", name: "Otherville", country: "PT", languages: ["pt"] },
        "test-setup",
      );
      const foreignGroup = await createGroup(t.admin, {}, "/api/v1/territories/otherville");
      await addCriteria(
        t.admin,
        foreignGroup,
        [{ question: "Q1", text: "foreign" }],
        "/api/v1/territories/otherville",
      );
      const response = await t.admin.get(`${T}/criteria?limit=1000`);
      expect(response.body.total).toBe(5);
      expect(texts(response.body)).not.toContain("foreign");
    });
  });

  describe("editing and deleting", () => {
    let id: number;
    beforeEach(async () => {
      [id] = (await addCriteria(t.admin, groupId, [
        { question: "Q1", text: "Avoir du temps", code: "A01", language: "fr" },
      ])) as [number];
    });

    it("edits the text, the question and the language, keeping the classification", async () => {
      const response = await t.admin.patch(`${T}/criteria/${id}`, {
        text: "Avoir du temps libre",
        question: "Q3",
        language: "en",
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        id,
        text: "Avoir du temps libre",
        question: "Q3",
        language: "en",
        code: "A01",
        status: "proposed",
      });
      const cleared = await t.admin.patch(`${T}/criteria/${id}`, { language: null });
      expect(cleared.body.language).toBeUndefined();
    });

    it("refuses an empty text, an unknown question and fields that are not editable", async () => {
      for (const patch of [
        {},
        { text: " " },
        { question: "Q0" },
        { code: "A02" },
        { groupId: 9 },
      ]) {
        const response = await t.admin.patch(`${T}/criteria/${id}`, patch);
        expect(response.status, JSON.stringify(patch)).toBe(400);
        expect(response.body.error).toBe("invalid_request");
      }
      const reread = await t.admin.get(`${T}/criteria`);
      expect(reread.body.items[0]).toMatchObject({ text: "Avoir du temps", code: "A01" });
    });

    it("deletes a criterion; a second delete and edits then answer 404", async () => {
      expect((await t.admin.delete(`${T}/criteria/${id}`)).status).toBe(204);
      expect(await criteriaCount()).toBe(0);
      expect((await t.admin.delete(`${T}/criteria/${id}`)).status).toBe(404);
      expect((await t.admin.patch(`${T}/criteria/${id}`, { text: "back" })).status).toBe(404);
      const classify = await t.admin.put(`${T}/criteria/${id}/classification`, { code: "A01" });
      expect(classify.status).toBe(404);
    });

    it("answers 404 for a criterion of another territory", async () => {
      t.services.territories.create(
        { slug: "otherville", name: "Otherville", country: "PT", languages: ["pt"] },
        "test-setup",
      );
      const other = "/api/v1/territories/otherville";
      expect((await t.admin.patch(`${other}/criteria/${id}`, { text: "mine" })).status).toBe(404);
      expect((await t.admin.delete(`${other}/criteria/${id}`)).status).toBe(404);
      const classify = await t.admin.put(`${other}/criteria/${id}/classification`, { code: null });
      expect(classify.status).toBe(404);
      expect(await criteriaCount()).toBe(1);
    });
  });

  describe("classification", () => {
    let id: number;
    beforeEach(async () => {
      [id] = (await addCriteria(t.admin, groupId, [{ question: "Q1", text: "Bien manger" }])) as [
        number,
      ];
    });

    const classify = (body: unknown) => t.admin.put(`${T}/criteria/${id}/classification`, body);
    const stored = async () =>
      (await t.admin.get(`${T}/criteria`)).body.items.find((c: { id: number }) => c.id === id);

    it.each([
      ["A00-00/O-00/i", "A00", "A00", "A"],
      ["A", "A", "A00", "A"],
      ["C", "C", "C00", "C"],
      ["A01", "A01", "A01", "A"],
      ["A01-00/O", "A01", "A01", "A"],
      ["A01-11/P15/k", "A01-11/P15/k", "A01", "A"],
      ["B02/R", "B02/R", "B02", "B"],
      [" B01/O/k ", "B01/O/k", "B01", "B"],
    ])(
      "stores %s as %s, counted under %s (dimension %s)",
      async (input, canonical, component, dimension) => {
        const response = await classify({ code: input });
        expect(response.status).toBe(200);
        expect(response.body).toMatchObject({
          code: canonical,
          component,
          dimension,
          status: "proposed",
          classifiedBy: "admin",
          classifiedAt: NOW.toISOString(),
        });
        expect(await stored()).toEqual(response.body);
      },
    );

    it("sets the status to validated when asked", async () => {
      const response = await classify({ code: "A02", status: "validated" });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ code: "A02", status: "validated" });
    });

    it.each([
      ["A1", 'object "A1" must be a dimension letter'],
      ["a1", 'object "a1" must be a dimension letter'],
      ["A01/P/k/x", "found more than 3 parts"],
      ["A01/PP", 'sense "PP" must be a category letter'],
      ["A01/O/kk", 'beneficiary "kk" must be one letter'],
      ["A08", "unknown component A08"],
      ["Z", "unknown dimension Z"],
      ["A01/X", "unknown sense category X"],
      ["A01/O/z", "unknown beneficiary z"],
    ])("refuses %s with 400 saying why, keeping the stored code", async (input, reason) => {
      await classify({ code: "A01" });
      const response = await classify({ code: input });
      expect(response.status).toBe(400);
      expect(response.body.error).toBe("invalid_request");
      expect(response.body.message).toContain(`invalid SPIRAL code "${input}"`);
      expect(response.body.message).toContain(reason);
      expect(response.body.issues).toEqual([
        { path: "code", message: expect.stringContaining(reason) },
      ]);
      expect(await stored()).toMatchObject({ code: "A01", status: "proposed" });
    });

    it("refuses a body without code, an empty code and the status unclassified", async () => {
      for (const body of [{}, { code: "" }, { code: "A01", status: "unclassified" }]) {
        const response = await classify(body);
        expect(response.status, JSON.stringify(body)).toBe(400);
      }
      expect((await stored()).status).toBe("unclassified");
    });

    it("returns the criterion to the unclassified queue with code null", async () => {
      await classify({ code: "A01-11/P15/k", status: "validated" });
      const response = await classify({ code: null });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        id,
        groupId,
        question: "Q1",
        text: "Bien manger",
        status: "unclassified",
      });
      const queue = await t.admin.get(`${T}/criteria?status=unclassified`);
      expect(queue.body.items.map((c: { id: number }) => c.id)).toEqual([id]);
    });
  });

  describe("validation of proposals", () => {
    it("validates the given proposed criteria of the territory and nothing else", async () => {
      const [coded1, coded2, plain, codedKept] = await addCriteria(t.admin, groupId, [
        { question: "Q1", text: "one", code: "A01" },
        { question: "Q2", text: "two", code: "B02" },
        { question: "Q1", text: "three" },
        { question: "Q1", text: "four", code: "A02" },
      ]);
      t.services.territories.create(
        { slug: "otherville", name: "Otherville", country: "PT", languages: ["pt"] },
        "test-setup",
      );
      const other = "/api/v1/territories/otherville";
      const foreignGroup = await createGroup(t.admin, {}, other);
      const [foreign] = await addCriteria(
        t.admin,
        foreignGroup,
        [{ question: "Q1", text: "foreign", code: "A01" }],
        other,
      );

      const response = await t.admin.post(`${T}/criteria/validation`, {
        ids: [coded1, coded2, plain, foreign, 999_999],
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ validated: 2 });

      const statuses = Object.fromEntries(
        (await t.admin.get(`${T}/criteria`)).body.items.map((c: { id: number; status: string }) => [
          c.id,
          c.status,
        ]),
      );
      expect(statuses).toEqual({
        [coded1 as number]: "validated",
        [coded2 as number]: "validated",
        [plain as number]: "unclassified",
        [codedKept as number]: "proposed",
      });
      const foreignStatus = (await t.admin.get(`${other}/criteria`)).body.items[0].status;
      expect(foreignStatus).toBe("proposed");

      // Validating again changes nothing.
      const again = await t.admin.post(`${T}/criteria/validation`, { ids: [coded1] });
      expect(again.body).toEqual({ validated: 0 });
    });

    it("refuses an empty or malformed list of ids", async () => {
      for (const body of [{ ids: [] }, { ids: ["1"] }, { ids: [0] }, {}]) {
        const response = await t.admin.post(`${T}/criteria/validation`, body);
        expect(response.status, JSON.stringify(body)).toBe(400);
      }
    });
  });
});
