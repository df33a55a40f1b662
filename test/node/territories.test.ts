import { DEMO_PERIOD, seedDemoTerritory } from "@spiral-network/node/demo/seed";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestNode, createTestvilleNode, PUBLIC_URL, T, type TestNode } from "./helpers";

describe("territory profile", () => {
  let t: TestNode;
  beforeEach(() => {
    t = createTestvilleNode();
  });
  afterEach(() => t.close());

  it("lists the territories the node hosts, with their actor URL and grid", async () => {
    const response = await t.anonymous.get("/api/v1/territories");
    expect(response.status).toBe(200);
    expect(response.body).toEqual([
      {
        slug: "testville",
        name: "Testville",
        country: "FR",
        region: "FR-GES",
        languages: ["fr", "en"],
        grid: { id: t.services.ctx.grid.id, version: t.services.ctx.grid.version },
        manualApproval: false,
        actorId: `${PUBLIC_URL}/actors/testville`,
      },
    ]);
  });

  it("creates another territory (admin only), refusing a taken slug and bad fields", async () => {
    const profile = { slug: "porto", name: "Porto", country: "PT", languages: ["pt"] };
    expect((await t.anonymous.post("/api/v1/territories", profile)).status).toBe(401);
    const created = await t.admin.post("/api/v1/territories", profile);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ slug: "porto", actorId: `${PUBLIC_URL}/actors/porto` });
    expect((await t.admin.post("/api/v1/territories", profile)).status).toBe(409);
    const bad = await t.admin.post("/api/v1/territories", {
      ...profile,
      slug: "x",
      country: "PRT",
    });
    expect(bad.status).toBe(400);
    expect(bad.body.issues).toEqual([expect.objectContaining({ path: "country" })]);
    expect((await t.anonymous.get("/api/v1/territories")).body).toHaveLength(2);
  });

  it("shows one territory's profile, and 404 for a slug it does not host", async () => {
    const found = await t.anonymous.get(T);
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ slug: "testville", name: "Testville", country: "FR" });

    const missing = await t.anonymous.get("/api/v1/territories/atlantis");
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: "not_found" });
    expect(missing.body.message).toContain("atlantis");
  });

  it("rejects a slug that is not a slug with 400", async () => {
    const response = await t.anonymous.get("/api/v1/territories/Not_A_Slug");
    expect(response.status).toBe(400);
    expect(response.body.issues).toEqual([expect.objectContaining({ path: "slug" })]);
  });

  it("updates the profile with PATCH and keeps what was not sent", async () => {
    const response = await t.admin.patch(T, {
      name: "Testville-sur-Ill",
      description: "A small town",
      population: 12_345,
      localityType: "peri-urban",
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      slug: "testville",
      name: "Testville-sur-Ill",
      description: "A small town",
      population: 12_345,
      localityType: "peri-urban",
      region: "FR-GES",
      languages: ["fr", "en"],
    });
    const reread = await t.anonymous.get(T);
    expect(reread.body).toEqual(response.body);
  });

  it("refuses invalid profile fields and the slug itself, field by field, changing nothing", async () => {
    const response = await t.admin.patch(T, { country: "XX", latitude: 123, slug: "elsewhere" });
    expect(response.status).toBe(400);
    const paths = response.body.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["country", "latitude"]));
    expect(response.body.message).toContain("slug");
    expect((await t.anonymous.get(T)).body.country).toBe("FR");
    expect((await t.anonymous.get("/api/v1/territories/elsewhere")).status).toBe(404);
  });

  it("answers 404 to a PATCH of a territory the node does not host", async () => {
    const response = await t.admin.patch("/api/v1/territories/atlantis", { name: "Atlantis" });
    expect(response.status).toBe(404);
  });
});

describe("demo territory", () => {
  let t: TestNode;
  beforeEach(() => {
    t = createTestNode();
    seedDemoTerritory(t.services);
  });
  afterEach(() => t.close());

  it("is served with its profile and its published synthesis", async () => {
    const profile = await t.anonymous.get("/api/v1/territories/mulhouse");
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({ name: "Mulhouse", country: "FR", region: "FR-GES" });

    const syntheses = await t.anonymous.get("/api/v1/territories/mulhouse/syntheses");
    expect(syntheses.status).toBe(200);
    expect(syntheses.body).toHaveLength(1);
    expect(syntheses.body[0]).toMatchObject({
      periodKey: `${DEMO_PERIOD.start}/${DEMO_PERIOD.end}`,
      version: 1,
    });
  });

  it("home page names the territory and links its synthesis", async () => {
    const response = await t.node.app.request("/");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    const html = await response.text();
    expect(html).toContain("<title>Mulhouse — Spiral Network</title>");
    expect(html).toContain("<h1>Mulhouse</h1>");
    const [version] = (await t.anonymous.get("/api/v1/territories/mulhouse/syntheses")).body;
    expect(html).toContain(`${PUBLIC_URL}/api/v1/territories/mulhouse/syntheses/${version.id}`);
  });
});

describe("home page and API description", () => {
  let t: TestNode;
  beforeEach(() => {
    t = createTestvilleNode();
  });
  afterEach(() => t.close());

  it("home page of a fresh node names its territory", async () => {
    const response = await t.node.app.request("/");
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("<h1>Testville</h1>");
  });

  it("home page of a node without territory says so", async () => {
    const empty = createTestNode();
    try {
      const response = await empty.node.app.request("/");
      expect(response.status).toBe(200);
      expect(await response.text()).toContain("does not host a territory yet");
    } finally {
      empty.close();
    }
  });

  it("describes the API as OpenAPI 3.1 with every route and the bearer scheme", async () => {
    const response = await t.anonymous.get("/api/v1/openapi.json");
    expect(response.status).toBe(200);
    const doc = response.body;
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers).toEqual([{ url: `${PUBLIC_URL}/api/v1` }]);
    expect(doc.components.securitySchemes.bearer).toMatchObject({
      type: "http",
      scheme: "bearer",
    });
    const operations = Object.entries(doc.paths as Record<string, object>).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        "GET /grid",
        "GET /categories",
        "POST /categories",
        "GET /territories",
        "POST /territories",
        "GET /territories/{slug}",
        "PATCH /territories/{slug}",
        "GET /territories/{slug}/groups",
        "POST /territories/{slug}/groups",
        "GET /territories/{slug}/groups/{groupId}",
        "PATCH /territories/{slug}/groups/{groupId}",
        "DELETE /territories/{slug}/groups/{groupId}",
        "GET /territories/{slug}/criteria",
        "GET /territories/{slug}/criteria/export",
        "POST /territories/{slug}/groups/{groupId}/criteria",
        "PATCH /territories/{slug}/criteria/{criterionId}",
        "DELETE /territories/{slug}/criteria/{criterionId}",
        "PUT /territories/{slug}/criteria/{criterionId}/classification",
        "POST /territories/{slug}/criteria/validation",
        "POST /territories/{slug}/imports/criteria",
        "GET /territories/{slug}/synthesis",
        "POST /territories/{slug}/syntheses",
        "GET /territories/{slug}/syntheses",
        "GET /territories/{slug}/syntheses/{id}",
        "POST /territories/{slug}/syntheses/{id}/withdrawal",
        "GET /territories/{slug}/following",
        "POST /territories/{slug}/following",
        "DELETE /territories/{slug}/following/{id}",
        "GET /territories/{slug}/followers",
        "POST /territories/{slug}/followers/{id}/approval",
        "DELETE /territories/{slug}/followers/{id}",
        "POST /territories/{slug}/relays",
        "GET /received-syntheses",
        "GET /aggregates",
        "GET /grids",
        "POST /grids/preview",
        "POST /grids",
        "POST /grids/fetch",
        "POST /grids/{id}/{version}/accept",
        "GET /territories/{slug}/grid-reviews",
        "GET /territories/{slug}/meetings",
        "POST /territories/{slug}/meetings",
        "GET /territories/{slug}/meetings/{id}",
        "PATCH /territories/{slug}/meetings/{id}",
        "DELETE /territories/{slug}/meetings/{id}",
        "GET /meetings",
        "GET /received-syntheses/{id}",
        "GET /subnetworks",
        "POST /subnetworks",
        "GET /subnetworks/{slug}",
        "PATCH /subnetworks/{slug}",
        "GET /subnetworks/{slug}/members",
        "POST /subnetworks/{slug}/members/{id}/approval",
        "DELETE /subnetworks/{slug}/members/{id}",
        "GET /subnetworks/{slug}/relayed",
        "GET /territories/{slug}/subnetworks",
        "POST /territories/{slug}/subnetworks",
        "DELETE /territories/{slug}/subnetworks/{id}",
        "POST /territories/{slug}/subnetworks/{id}/shares",
        "GET /territories/{slug}/subnetworks/{id}/feed",
        "GET /territories/{slug}/paths",
        "POST /territories/{slug}/paths",
        "PUT /territories/{slug}/paths/{id}",
        "GET /territories/{slug}/campaigns",
        "POST /territories/{slug}/campaigns",
        "GET /territories/{slug}/campaigns/{id}",
        "POST /territories/{slug}/campaigns/{id}/codes",
        "POST /territories/{slug}/campaigns/{id}/responses",
        "GET /territories/{slug}/campaigns/{id}/progress",
        "POST /territories/{slug}/campaigns/{id}/progress",
        "POST /territories/{slug}/campaigns/{id}/progress/withdrawal",
        "GET /progress/figures",
        "GET /progress/figures.csv",
      ].sort(),
    );
    // Writes say they need the token; public reads do not.
    expect(doc.paths["/territories/{slug}/groups"].post.security).toEqual([{ bearer: [] }]);
    expect(doc.paths["/territories/{slug}"].get.security).toBeUndefined();
    expect(
      Object.keys(doc.paths["/territories/{slug}/imports/criteria"].post.requestBody.content),
    ).toEqual(["text/csv"]);
  });

  it("describes each route's path and query parameters, and checks them before its body", async () => {
    const doc = (await t.anonymous.get("/api/v1/openapi.json")).body;
    const named = (operation: { parameters?: Array<{ in: string; name: string }> }) =>
      (operation.parameters ?? []).map((p) => `${p.in}:${p.name}`).sort();
    expect(named(doc.paths["/aggregates"].get)).toEqual(
      expect.arrayContaining(["query:scope", "query:coverage_limit", "query:country"]),
    );
    expect(named(doc.paths["/territories/{slug}"].patch)).toEqual(["path:slug"]);
    expect(doc.paths["/territories/{slug}"].patch.requestBody).toBeDefined();
    // A bad query answers with the query's fields; a repeated key is a list.
    const query = await t.anonymous.get("/api/v1/aggregates?scope=none&robust=true&robust=false");
    expect(query.status).toBe(400);
    expect(query.body.message).toMatch(/^invalid query: /);
    expect(query.body.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      "robust",
      "scope",
    ]);
    // The path's parameters are checked before the body, which is then not read.
    const both = await t.admin.patch("/api/v1/territories/Not_A_Slug", { country: "PRT" });
    expect(both.status).toBe(400);
    expect(both.body.message).toMatch(/^invalid param: /);
    const body = await t.admin.patch(T, { country: "PRT" });
    expect(body.status).toBe(400);
    expect(body.body.issues).toEqual([expect.objectContaining({ path: "country" })]);
    // Valid parts reach the handler parsed (defaults filled in).
    const figure = await t.anonymous.get("/api/v1/aggregates?coverage_limit=3");
    expect(figure.status).toBe(200);
    expect(figure.body).toMatchObject({ scope: "verified", coveragePage: { offset: 0, limit: 3 } });
  });

  it("serves the grid publicly, with dimensions and components in English and French", async () => {
    const response = await t.anonymous.get("/api/v1/grid");
    expect(response.status).toBe(200);
    expect(response.body.id).toBe(t.services.ctx.grid.id);
    const a = response.body.dimensions.find((d: { code: string }) => d.code === "A");
    expect(a.components.map((c: { code: string }) => c.code)).toContain("A01");
    expect(a.components[0]).toEqual(
      expect.objectContaining({ en: expect.any(String), fr: expect.any(String) }),
    );
    // The ninth dimension's name is not known: the API says so beside its stand-in label.
    const i = response.body.dimensions.find((d: { code: string }) => d.code === "I");
    expect(i).toMatchObject({ provisional: true, named: false });
    expect(a).toMatchObject({ provisional: false, named: true });
    // Labels in every interface language, and the search keywords, for other clients.
    const housing = a.components.find((c: { code: string }) => c.code === "A03");
    expect(housing.labels).toMatchObject({ pt: "Habitação / mobiliário", ar: "السكن / الأثاث" });
    expect(housing.keywords.fr).toContain("loyer");
  });
});
