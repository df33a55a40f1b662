import { seedDemoTerritory } from "@spiral-network/node/demo/seed";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
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
