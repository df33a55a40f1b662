import { describe, expect, it } from "vitest";
import { createGroup, groupInput, T, useTestvilleNode } from "./helpers";

/** Bad input at the HTTP boundary gets a 4xx JSON answer saying what is wrong, never a 500. */
describe("bad input at the HTTP boundary", () => {
  const t = useTestvilleNode();

  const expectJsonError = (response: { headers: Headers; body: unknown }, error: string) => {
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(response.body).toMatchObject({ error, message: expect.any(String) });
  };

  it("answers malformed JSON with 400", async () => {
    for (const body of ['{"label": "Jeunes",', "", "not json", "{'single': 'quotes'}"]) {
      const response = await t.admin.post(`${T}/groups`, body, {
        headers: { "content-type": "application/json" },
      });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expectJsonError(response, "bad_request");
    }
    expect((await t.admin.get(`${T}/groups`)).body).toEqual([]);
  });

  it("answers JSON that is not an object with 400 naming the body", async () => {
    for (const body of ["[]", "null", "42", '"text"']) {
      const response = await t.admin.post(`${T}/groups`, body, {
        headers: { "content-type": "application/json" },
      });
      expect(response.status, body).toBe(400);
      expectJsonError(response, "invalid_request");
      expect(response.body.issues).toEqual([expect.objectContaining({ path: "(body)" })]);
    }
  });

  it("answers a JSON body sent without Content-Type, or as text/plain, with 415", async () => {
    const json = JSON.stringify(groupInput());
    const missing = await t.admin.post(`${T}/groups`, json);
    expect(missing.status).toBe(415);
    expectJsonError(missing, "unsupported_media_type");

    const plain = await t.admin.post(`${T}/groups`, json, {
      headers: { "content-type": "text/plain" },
    });
    expect(plain.status).toBe(415);
    expectJsonError(plain, "unsupported_media_type");

    const charset = await t.admin.post(`${T}/groups`, json, {
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    expect(charset.status).toBe(201);
  });

  it("answers a JSON body over 1 MiB with 413 and saves nothing", async () => {
    const groupId = await createGroup(t.admin);
    const items = Array.from({ length: 600 }, (_, i) => ({
      question: "Q1",
      text: `${i} ${"x".repeat(1900)}`,
    }));
    const body = JSON.stringify({ items });
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const response = await t.admin.post(`${T}/groups/${groupId}/criteria`, body, {
      headers: { "content-type": "application/json" },
    });
    expect(response.status).toBe(413);
    expectJsonError(response, "payload_too_large");
    expect((await t.admin.get(`${T}/criteria`)).body.total).toBe(0);
  });

  it("lets a CSV import be larger than a JSON body (its own limit)", async () => {
    await createGroup(t.admin, { label: "Big group" });
    const line = `Big group,Q1,${"y".repeat(1000)}\n`;
    const csv = `group,question,text\n${line.repeat(1200)}`;
    expect(csv.length).toBeGreaterThan(1024 * 1024);
    const response = await t.admin.post(`${T}/imports/criteria?dryRun=true`, csv, {
      headers: { "content-type": "text/csv" },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ rows: 1200, imported: 0, dryRun: true });
  });

  it("answers an unknown API route with a JSON 404", async () => {
    for (const [method, path] of [
      ["GET", "/api/v1/nothing-here"],
      ["POST", `${T}/assemblies`],
      ["DELETE", T],
      ["GET", `${T}/groups/1/criteria/extra`],
    ] as const) {
      const response = await t.admin.send(method, path);
      expect(response.status, `${method} ${path}`).toBe(404);
      expectJsonError(response, "not_found");
    }
  });

  it("answers a non-numeric or non-positive id with 400 naming the parameter", async () => {
    for (const [path, parameter] of [
      [`${T}/groups/abc`, "groupId"],
      [`${T}/groups/0`, "groupId"],
      [`${T}/groups/-3`, "groupId"],
      [`${T}/groups/1.5`, "groupId"],
      [`${T}/groups/99999999999999999999999`, "groupId"],
      [`${T}/criteria/abc`, "criterionId"],
      [`${T}/syntheses/not-a-uuid`, "id"],
    ] as const) {
      const response = path.includes("/criteria/")
        ? await t.admin.patch(path, { text: "x" })
        : await t.admin.get(path);
      expect(response.status, path).toBe(400);
      expectJsonError(response, "invalid_request");
      expect(response.body.issues).toContainEqual(expect.objectContaining({ path: parameter }));
    }
  });

  it("answers an unknown territory with 404 on every kind of route", async () => {
    const other = "/api/v1/territories/atlantis";
    const answers = [
      await t.admin.get(`${other}/groups`),
      await t.admin.post(`${other}/groups`, groupInput()),
      await t.admin.get(`${other}/criteria`),
      await t.admin.post(`${other}/imports/criteria`, "group,question,text\na,Q1,b\n"),
      await t.admin.get(`${other}/synthesis?start=2026-01-01&end=2026-03-31`),
      await t.anonymous.get(`${other}/syntheses`),
    ];
    for (const response of answers) {
      expect(response.status, response.text).toBe(404);
      expectJsonError(response, "not_found");
    }
  });

  it("answers bad query parameters with 400", async () => {
    for (const query of ["limit=0", "limit=abc", "offset=-1", "status=done", "question=Q9"]) {
      const response = await t.admin.get(`${T}/criteria?${query}`);
      expect(response.status, query).toBe(400);
      expectJsonError(response, "invalid_request");
    }
  });
});
