import { describe, expect, it } from "vitest";
import { addCriteria, createGroup, groupInput, T, useTestvilleNode } from "./helpers";

describe("homogeneous groups", () => {
  const t = useTestvilleNode();

  it("creates a group and returns it with its id, session dates sorted", async () => {
    const response = await t.admin.post(
      `${T}/groups`,
      groupInput({
        label: "Aînés du quartier",
        category: "elderly-people",
        sessionDates: ["2026-04-20", "2026-04-06"],
        participants: 11,
        cycle: 2,
        margins: { gender: { female: 7, male: 4 }, age: { "65-plus": 11 } },
        notes: "Met at the social centre; two people left early.",
      }),
    );
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.any(Number),
      label: "Aînés du quartier",
      category: "elderly-people",
      sessionDates: ["2026-04-06", "2026-04-20"],
      participants: 11,
      cycle: 2,
      margins: { gender: { female: 7, male: 4 }, age: { "65-plus": 11 } },
      notes: "Met at the social centre; two people left early.",
    });
    const reread = await t.admin.get(`${T}/groups/${response.body.id}`);
    expect(reread.status).toBe(200);
    expect(reread.body).toEqual(response.body);
  });

  it("lists the territory's groups with their number of criteria", async () => {
    const youth = await createGroup(t.admin, { label: "Jeunes", sessionDates: ["2026-02-01"] });
    const elders = await createGroup(t.admin, {
      label: "Aînés",
      category: "elderly-people",
      sessionDates: ["2026-01-15"],
    });
    await addCriteria(t.admin, youth, [
      { question: "Q1", text: "Avoir des amis" },
      { question: "Q2", text: "Le chômage" },
      { question: "Q3", text: "Je fais du sport" },
    ]);
    const response = await t.admin.get(`${T}/groups`);
    expect(response.status).toBe(200);
    // In order of first session.
    expect(response.body.map((g: { id: number; criteria: number }) => [g.id, g.criteria])).toEqual([
      [elders, 0],
      [youth, 3],
    ]);
  });

  it("refuses an invalid group with one issue per bad field", async () => {
    const response = await t.admin.post(`${T}/groups`, {
      label: "",
      category: "young-people",
      sessionDates: ["2026-02-30"],
      participants: 0,
      cycle: 4,
      margins: { gender: { female: 3 } },
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe("invalid_request");
    const paths = response.body.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(["label", "sessionDates.0", "participants", "cycle"]),
    );
    expect((await t.admin.get(`${T}/groups`)).body).toEqual([]);
  });

  it("refuses margins that add up to more than the participants", async () => {
    const response = await t.admin.post(
      `${T}/groups`,
      groupInput({ participants: 5, margins: { age: { "18-29": 4, "30-44": 3 } } }),
    );
    expect(response.status).toBe(400);
    expect(response.body.issues).toEqual([
      { path: "margins.age", message: "the age counts add up to more than the 5 participants" },
    ]);
  });

  it("refuses an unknown category with 400 on create and on update", async () => {
    const created = await t.admin.post(`${T}/groups`, groupInput({ category: "astronauts" }));
    expect(created.status).toBe(400);
    expect(created.body.issues).toEqual([expect.objectContaining({ path: "category" })]);
    expect(created.body.message).toContain("astronauts");

    const id = await createGroup(t.admin);
    const updated = await t.admin.patch(`${T}/groups/${id}`, { category: "astronauts" });
    expect(updated.status).toBe(400);
    expect(updated.body.issues).toEqual([expect.objectContaining({ path: "category" })]);
    expect((await t.admin.get(`${T}/groups/${id}`)).body.category).toBe("young-people");
  });

  it("accepts a category the node added to its list", async () => {
    const added = await t.admin.post("/api/v1/categories", {
      code: "fishermen",
      en: "Fishermen",
      fr: "Pêcheurs",
    });
    expect(added.status).toBe(201);
    const response = await t.admin.post(`${T}/groups`, groupInput({ category: "fishermen" }));
    expect(response.status).toBe(201);
  });

  it("patches some fields and keeps the others", async () => {
    const id = await createGroup(t.admin, {
      margins: { gender: { female: 5, male: 3 } },
      notes: "first notes",
    });
    const response = await t.admin.patch(`${T}/groups/${id}`, {
      label: "Jeunes du centre-ville",
      participants: 10,
      sessionDates: ["2026-05-02", "2026-03-01"],
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id,
      label: "Jeunes du centre-ville",
      category: "young-people",
      sessionDates: ["2026-03-01", "2026-05-02"],
      participants: 10,
      cycle: 1,
      margins: { gender: { female: 5, male: 3 } },
      notes: "first notes",
    });
  });

  it("validates the group as merged: lowering participants below the stored margins is refused", async () => {
    const id = await createGroup(t.admin, {
      participants: 9,
      margins: { gender: { female: 5, male: 4 } },
    });
    // Each field is valid alone; together with the stored margins the group is not.
    const response = await t.admin.patch(`${T}/groups/${id}`, { participants: 6 });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error: "invalid_request",
      issues: [
        {
          path: "margins.gender",
          message: "the gender counts add up to more than the 6 participants",
        },
      ],
    });
    expect((await t.admin.get(`${T}/groups/${id}`)).body.participants).toBe(9);

    const raised = await t.admin.patch(`${T}/groups/${id}`, {
      margins: { gender: { female: 5, male: 5 } },
    });
    expect(raised.status).toBe(400);
    expect(raised.body.issues).toEqual([expect.objectContaining({ path: "margins.gender" })]);

    const both = await t.admin.patch(`${T}/groups/${id}`, {
      participants: 6,
      margins: { gender: { female: 3, male: 3 } },
    });
    expect(both.status).toBe(200);
    expect(both.body).toMatchObject({ participants: 6, margins: { gender: { female: 3 } } });
  });

  it("refuses an empty patch and unknown fields", async () => {
    const id = await createGroup(t.admin);
    const empty = await t.admin.patch(`${T}/groups/${id}`, {});
    expect(empty.status).toBe(400);
    expect(empty.body.message).toContain("nothing to update");
    const unknown = await t.admin.patch(`${T}/groups/${id}`, { territoryId: 2 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain("territoryId");
  });

  it("deletes a group with its criteria, and only its criteria", async () => {
    const doomed = await createGroup(t.admin, { label: "Doomed" });
    const kept = await createGroup(t.admin, { label: "Kept" });
    await addCriteria(t.admin, doomed, [
      { question: "Q1", text: "one" },
      { question: "Q2", text: "two" },
    ]);
    const [keptCriterion] = await addCriteria(t.admin, kept, [{ question: "Q1", text: "three" }]);

    const response = await t.admin.delete(`${T}/groups/${doomed}`);
    expect(response.status).toBe(204);
    expect(response.text).toBe("");
    expect((await t.admin.get(`${T}/groups/${doomed}`)).status).toBe(404);
    expect((await t.admin.get(`${T}/groups/${doomed}`)).body.error).toBe("not_found");

    const remaining = await t.admin.get(`${T}/criteria`);
    expect(remaining.body.total).toBe(1);
    expect(remaining.body.items.map((c: { id: number }) => c.id)).toEqual([keptCriterion]);
    // And the rows are gone from the database, not only hidden.
    const rows = t.node.storage.sqlite.prepare("select count(*) as n from criteria").get();
    expect(rows).toEqual({ n: 1 });

    expect((await t.admin.delete(`${T}/groups/${doomed}`)).status).toBe(404);
  });

  it("answers 404 for an unknown group id on every route", async () => {
    const answers = [
      await t.admin.get(`${T}/groups/4242`),
      await t.admin.patch(`${T}/groups/4242`, { label: "x" }),
      await t.admin.delete(`${T}/groups/4242`),
      await t.admin.post(`${T}/groups/4242/criteria`, { question: "Q1", text: "x" }),
      await t.admin.get(`${T}/criteria?groupId=4242`),
    ];
    for (const response of answers) {
      expect(response.status, response.text).toBe(404);
      expect(response.body.error).toBe("not_found");
    }
  });

  it("answers 404 for a group of another territory, and leaves it alone", async () => {
    t.services.territories.create(
      { slug: "otherville", name: "Otherville", country: "BE", languages: ["fr"] },
      "test-setup",
    );
    const other = "/api/v1/territories/otherville";
    const foreign = await createGroup(t.admin, { label: "Not yours" }, other);
    await addCriteria(t.admin, foreign, [{ question: "Q1", text: "foreign note" }], other);

    const answers = [
      await t.admin.get(`${T}/groups/${foreign}`),
      await t.admin.patch(`${T}/groups/${foreign}`, { label: "Stolen" }),
      await t.admin.delete(`${T}/groups/${foreign}`),
      await t.admin.post(`${T}/groups/${foreign}/criteria`, { question: "Q1", text: "x" }),
      await t.admin.get(`${T}/criteria?groupId=${foreign}`),
    ];
    for (const response of answers) {
      expect(response.status, response.text).toBe(404);
    }
    expect((await t.admin.get(`${T}/groups`)).body).toEqual([]);
    const untouched = await t.admin.get(`${other}/groups/${foreign}`);
    expect(untouched.body).toMatchObject({ label: "Not yours" });
    expect((await t.admin.get(`${other}/criteria`)).body.total).toBe(1);
  });
});
