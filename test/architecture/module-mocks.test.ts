import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { mockingTestFiles } from "../support/module-mocks";

// vitest.config.ts shares loaded modules between test files (isolate: false) except those that
// replace a module: a file it misses would run its mock in a shared module graph, where the
// module may already be loaded (the mock silently not applying) or stay replaced for the files
// after it.
describe("the test files that replace a module, found for vitest.config.ts", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const tree = (files: Record<string, string>) => {
    dir = mkdtempSync(path.join(tmpdir(), "spiral-mocks-"));
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    return dir;
  };

  it("finds vi.mock and vi.doMock however they are spelled, and nothing else", () => {
    const found = mockingTestFiles(
      tree({
        "a/plain.test.ts": 'vi.mock("x", () => ({}));',
        "a/typed.test.ts": 'vi.mock<typeof import("x")>("x", () => ({}));',
        "b/chained.test.ts": 'vi\n  .doMock("x", () => ({}));',
        "b/spaced.test.ts": 'vi.mock ("x");',
        "c/mocked-only.test.ts": "const f = vi.mocked(g); vi.fn(); vi.spyOn(o, 'm');",
        "c/none.test.ts": 'it("runs", () => {});',
      }),
    ).sort();
    expect(found).toEqual([
      path.join("a", "plain.test.ts"),
      path.join("a", "typed.test.ts"),
      path.join("b", "chained.test.ts"),
      path.join("b", "spaced.test.ts"),
    ]);
  });

  it("refuses a helper that replaces a module (the files importing it would share the mock)", () => {
    const root = tree({
      "helpers.ts": 'vi.mock("x", () => ({}));',
      "uses.test.ts": 'import "./helpers";',
    });
    expect(() => mockingTestFiles(root)).toThrow("helpers.ts");
  });
});
