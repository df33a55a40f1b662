import { defineConfig } from "vitest/config";

export default defineConfig({
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
