import { describe, expect, it } from "vitest";
import { T, useTestvilleNode } from "../node/helpers";
import { pathInput } from "./fixtures";

describe("progress through the JSON API", () => {
  const t = useTestvilleNode();

  it("writes a path, runs a campaign with paper answers, publishes and shows it in the network figures and CSV", async () => {
    const path = await t.admin.post(`${T}/paths`, pathInput("B01"));
    expect(path.status, path.text).toBe(201);
    expect(path.body.usable).toBe(true);
    const campaign = await t.admin.post(`${T}/campaigns`, {
      label: "Avant",
      start: "2026-05-01",
      end: "2026-06-10",
      cycle: 2,
      phase: "ex-ante",
      paths: [path.body.id],
    });
    expect(campaign.status, campaign.text).toBe(201);
    const base = `${T}/campaigns/${campaign.body.id}`;
    const detail = await t.admin.get(base);
    const versionId = String(detail.body.paths[0].versionId);
    for (const level of [1, 2, 4, 4, 5, "dk"]) {
      const saved = await t.admin.post(`${base}/responses`, { answers: { [versionId]: level } });
      expect(saved.status, saved.text).toBe(201);
    }
    const bad = await t.admin.post(`${base}/responses`, { answers: { [versionId]: 7 } });
    expect(bad.status).toBe(400);
    const codes = await t.admin.post(`${base}/codes`, { count: 3 });
    expect(codes.body.codes).toHaveLength(3);
    const published = await t.admin.post(`${base}/progress`, {});
    expect(published.status, published.text).toBe(201);
    expect(published.body.payload.paths[0].counts).toEqual({
      "1": 1,
      "2": 1,
      "3": 0,
      "4": 2,
      "5": 1,
      dontKnow: 1,
    });
    const again = await t.admin.post(`${base}/progress`, {});
    expect(again.status).toBe(409);

    const figures = await t.anonymous.get("/api/v1/progress/figures?code=B&cycle=2");
    expect(figures.status).toBe(200);
    expect(figures.body.rows).toEqual([
      {
        code: "B01",
        phase: "ex-ante",
        counts: { "1": 1, "2": 1, "3": 0, "4": 2, "5": 1, dontKnow: 1 },
        territories: 1,
        share: 0.6,
      },
    ]);
    expect(figures.body.coverage.included[0].name).toBe("Testville");
    const csv = await t.anonymous.get("/api/v1/progress/figures.csv?code=B01");
    expect(csv.text).toContain("B01,ex-ante,1,1,0,2,1,1,0.6000,1");
    expect(csv.text).toContain(`# fingerprint,${figures.body.coverage.fingerprint}`);
    const none = await t.anonymous.get("/api/v1/progress/figures?cycle=3");
    expect(none.body.rows).toEqual([]);

    // The public pages: the territory lists it with its headline share; the network's figures.
    const html = { headers: { accept: "text/html" } };
    const territory = await t.anonymous.get("/actors/testville", html);
    expect(territory.text).toContain('id="progress"');
    expect(territory.text).toMatch(/B01 · [^<]+: 60\u00a0% at good or ideal/);
    const page = await t.anonymous.get(`/progress/${campaign.body.id}`, html);
    expect(page.status).toBe(200);
    expect(page.text).toContain("B01: level 5");
    const network = await t.anonymous.get("/figures/progress?code=B", html);
    expect(network.text).toContain(figures.body.coverage.fingerprint);
    expect(network.text).toContain("Testville (FR), v1");
  });

  it("keeps campaigns and their answers behind a token", async () => {
    expect((await t.anonymous.get(`${T}/campaigns`)).status).toBe(401);
    expect((await t.anonymous.post(`${T}/paths`, pathInput("A01"))).status).toBe(401);
    const refused = await t.admin.post(`${T}/paths`, { ...pathInput("A01"), statements: [] });
    expect(refused.status).toBe(400);
  });
});
