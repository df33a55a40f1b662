import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { mockingTestFiles } from "./test/support/module-mocks.ts";

const protocolSource = (path: string) =>
  fileURLToPath(new URL(`./protocol/${path}`, import.meta.url));

const TESTS = "test/**/*.test.ts";

/**
 * Test files that replace a module (`vi.mock`): they run each in a fresh module graph. Every
 * other file shares its worker's loaded modules with the files before it (`isolate: false`),
 * which saves loading Fedify, Drizzle and the node again for each of them (a quarter of the
 * suite's time). They can: the node has no module-level state (one composition root), and each
 * test file builds its own nodes.
 */
const testDir = fileURLToPath(new URL("./test/", import.meta.url));
const mocking = mockingTestFiles(testDir).map((file) => `test/${file}`);

export default defineConfig({
  // The repository runs the protocol from its sources, as tsx and tsc do (tsconfig.base.json's
  // paths); its package's exports name the built output for other projects (protocol/README.md).
  resolve: {
    alias: [
      { find: /^@spiral-network\/protocol$/, replacement: protocolSource("src/index.ts") },
      { find: /^@spiral-network\/protocol\/grids\/(.*)$/, replacement: protocolSource("grids/$1") },
    ],
  },
  test: {
    projects: [
      {
        extends: true,
        test: { name: "shared", include: [TESTS], exclude: mocking, isolate: false },
      },
      ...(mocking.length > 0
        ? [{ extends: true, test: { name: "isolated", include: mocking } }]
        : []),
    ],
    // Both cores: most tests wait on sockets and timers as much as they compute.
    maxWorkers: 2,
    // Generous, for a busy machine (two shared cores): a passing test takes no longer for it.
    // Waits (test/support/wait.ts) give up sooner, so a failing wait says what it waited for.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Every test must check something: a test with no assertion cannot fail.
    expect: { requireAssertions: true },
  },
});
