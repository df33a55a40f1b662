import { afterEach, describe, expect, it, vi } from "vitest";
import { createTestvilleNode, TESTVILLE, type TestNode } from "../node/helpers";

// A load of federation that fails (docs/architecture.md, "How federation is loaded") is tried
// again on the next need: the node is never left answering 500 for good.

const failing = vi.hoisted(() => ({ builds: 0 }));
vi.mock("@spiral-network/node/federation/runtime", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@spiral-network/node/federation/runtime")>();
  return {
    ...actual,
    createFederationRuntime: (...args: Parameters<typeof actual.createFederationRuntime>) => {
      if (failing.builds > 0) {
        failing.builds--;
        throw new Error("federation could not be built");
      }
      return actual.createFederationRuntime(...args);
    },
  };
});

describe("a failed federation load", () => {
  let t: TestNode;
  afterEach(() => t.close());

  it("is tried again on the next need", async () => {
    t = createTestvilleNode();
    failing.builds = 1;
    await expect(t.node.federation.get()).rejects.toThrow("could not be built");
    expect(t.node.federation.loaded).toBe(false);
    await t.node.federation.get();
    expect(t.node.federation.loaded).toBe(true);
  });

  it("answers a peer's request once it can load", async () => {
    t = createTestvilleNode();
    failing.builds = 1;
    const ask = () =>
      t.node.app.request(`/actors/${TESTVILLE.slug}`, {
        headers: { accept: "application/activity+json" },
      });
    expect((await ask()).status).toBe(500);
    expect((await ask()).status).toBe(200);
  });
});
