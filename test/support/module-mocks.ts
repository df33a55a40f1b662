import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * A call that replaces a module: vi's `mock` or `doMock` called, also with a type argument, split
 * over lines or spaced. Loose on purpose: a file taken for mocking only runs isolated.
 */
const REPLACES_A_MODULE = /\.\s*(?:mock|doMock)\s*[<(]/;

/**
 * The test files under `dir` (paths relative to it) that replace a module: vitest.config.ts
 * runs each of them in a fresh module graph, the others share their worker's loaded modules
 * (docs/development.md). A helper that replaces one is refused: the files importing it would
 * run the mock among shared modules.
 */
export function mockingTestFiles(dir: string): string[] {
  const mocking = readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => /\.[cm]?[jt]sx?$/.test(file))
    .filter((file) => REPLACES_A_MODULE.test(readFileSync(path.join(dir, file), "utf8")));
  const helpers = mocking.filter((file) => !file.endsWith(".test.ts"));
  if (helpers.length > 0) {
    throw new Error(
      `${helpers.join(", ")} replace a module (vi.mock): only a test file may, which then runs isolated`,
    );
  }
  return mocking;
}
