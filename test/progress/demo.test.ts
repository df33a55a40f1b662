import { seedDemoTerritory } from "@spiral-network/node/demo/seed";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type AdminTestNode,
  addUser,
  createAdminTestNode,
  PASSWORD,
  signIn,
  VERA,
} from "../admin/browser";
import { createTestNode, type TestNode } from "../node/helpers";

describe("the demo territory's progress", () => {
  let t: TestNode;
  beforeEach(() => {
    t = createTestNode();
    seedDemoTerritory(t.services);
  });
  afterEach(() => t.close());

  it("publishes a path on A07 measured ex-ante and ex-post, shown in the network figures", async () => {
    const figures = await t.anonymous.get("/api/v1/progress/figures?code=A07");
    expect(
      figures.body.rows.map((r: { phase: string; share: number }) => [r.phase, r.share]),
    ).toEqual([
      ["ex-ante", 4 / 26],
      ["ex-post", 11 / 27],
    ]);
    expect(figures.body.coverage.included).toHaveLength(2);
    const paths = t.services.progress.listPaths("mulhouse");
    expect(paths[0]?.latest.statements[0]?.criteria.length).toBeGreaterThan(0);
  });
});

describe("the ex-ante/ex-post comparison in the workspace", () => {
  let node: AdminTestNode | undefined;
  afterEach(async () => {
    await node?.close();
  });

  it("sets the demo's two campaigns side by side as shares of those who answered", async () => {
    node = createAdminTestNode();
    seedDemoTerritory(node.node.services);
    await addUser(node.node, VERA);
    const vera = await signIn(node.node, VERA.email, PASSWORD);
    const [before, after] = node.node.services.progress
      .listCampaigns("mulhouse")
      .sort((a, b) => a.periodStart.localeCompare(b.periodStart));
    const page = await vera.get(`/admin/progress/campaigns/${after?.uuid}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`ex-ante ${before?.periodStart.slice(0, 7)}: ${before?.label}`);
    // Bars by level then campaign: level 4 (good) is the 7th and 8th: 3 of 26 before, 8 of 27 after.
    const compare = page.text.slice(page.text.indexOf('id="compare-0"'));
    const level4 = [...compare.matchAll(/data-series="(\d)" data-value="([\d.]+)"/g)]
      .slice(6, 8)
      .map((m) => Number(m[2]));
    expect(level4[0]).toBeCloseTo(3 / 26);
    expect(level4[1]).toBeCloseTo(8 / 27);
  });
});
