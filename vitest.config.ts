import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const protocolSource = (path: string) =>
  fileURLToPath(new URL(`./protocol/${path}`, import.meta.url));

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
    include: ["test/**/*.test.ts"],
    // Generous, for a busy machine (two shared cores): a passing test takes no longer for it.
    // Waits (test/support/wait.ts) give up sooner, so a failing wait says what it waited for.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Every test must check something: a test with no assertion cannot fail.
    expect: { requireAssertions: true },
  },
});
