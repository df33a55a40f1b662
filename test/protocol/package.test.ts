/**
 * The published package (protocol/README.md): built to JavaScript and declarations, it loads in
 * plain Node (no TypeScript loader) and type-checks in a consumer's project by its name, with the
 * grid data; `npm pack` ships the built output, the grid and the README, nothing else.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
// Inside the repository, so the built files find the protocol's dependencies in node_modules.
const WORK = path.join(ROOT, ".tsbuild", "protocol-package-test");
const PACKAGE = path.join(WORK, "package");
const CONSUMER = path.join(WORK, "consumer");
const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");

beforeAll(() => {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(PACKAGE, { recursive: true });
  // The package's own build script, into a copy of the package.
  execFileSync(
    process.execPath,
    [TSC, "-p", "protocol/tsconfig.dist.json", "--outDir", path.join(PACKAGE, "dist")],
    { cwd: ROOT },
  );
  cpSync(path.join(ROOT, "protocol", "package.json"), path.join(PACKAGE, "package.json"));
  cpSync(path.join(ROOT, "protocol", "README.md"), path.join(PACKAGE, "README.md"));
  mkdirSync(path.join(CONSUMER, "node_modules", "@spiral-network"), { recursive: true });
  symlinkSync(PACKAGE, path.join(CONSUMER, "node_modules", "@spiral-network", "protocol"), "dir");
}, 120_000);

afterAll(() => rmSync(WORK, { recursive: true, force: true }));

describe("@spiral-network/protocol as published", () => {
  it("runs in plain Node from its built JavaScript, grid data included", () => {
    const script = `
      import { defaultGrid, parseSpiralCode, synthesisPayloadSchema } from "@spiral-network/protocol";
      import grid from "@spiral-network/protocol/grids/grid-spiral-9d.json" with { type: "json" };
      const code = parseSpiralCode("A01/P", defaultGrid);
      console.log(JSON.stringify({
        canonical: code.canonical,
        dimensions: defaultGrid.dimensions.length,
        gridId: grid.id,
        schema: typeof synthesisPayloadSchema.safeParse,
      }));`;
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: CONSUMER,
      encoding: "utf8",
    });
    const answer = JSON.parse(output);
    expect(answer.canonical).toBe("A01/P");
    expect(answer.dimensions).toBeGreaterThan(5);
    expect(answer.gridId).toBe(
      JSON.parse(readFileSync(path.join(ROOT, "protocol/grids/grid-spiral-9d.json"), "utf8")).id,
    );
    expect(answer.schema).toBe("function");
  });

  it("type-checks in a consumer's project (NodeNext) from its declarations", () => {
    writeFileSync(
      path.join(CONSUMER, "consumer.ts"),
      `import { defaultGrid, parseSpiralCode, type SynthesisPayload } from "@spiral-network/protocol";
export const code: string = parseSpiralCode("A01", defaultGrid).canonical;
export const criteria = (p: SynthesisPayload): number => p.totals.criteria;
// @ts-expect-error a grid is not a string
export const wrong: string = defaultGrid;
`,
    );
    writeFileSync(
      path.join(CONSUMER, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2023",
          strict: true,
          noEmit: true,
          types: [],
          skipLibCheck: false,
        },
        files: ["consumer.ts"],
      }),
    );
    const run = () =>
      execFileSync(process.execPath, [TSC, "-p", "tsconfig.json"], {
        cwd: CONSUMER,
        encoding: "utf8",
      });
    expect(run).not.toThrow();
  }, 120_000);

  it("packs the built output, the grids and the README only", () => {
    const output = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: PACKAGE,
      encoding: "utf8",
    });
    const [pack] = JSON.parse(output) as Array<{ files: Array<{ path: string }> }>;
    const files = (pack?.files ?? []).map((f) => f.path).sort();
    expect(files).toContain("dist/src/index.js");
    expect(files).toContain("dist/src/index.d.ts");
    expect(files).toContain("dist/grids/grid-spiral-9d.json");
    expect(files).toContain("dist/grids/grid-spiral-9d-2026.2-partial.json");
    expect(files).toContain("README.md");
    expect(files).toContain("package.json");
    const unexpected = files.filter(
      (f) =>
        !/^dist\/src\/[\w-]+\.(js|d\.ts)$/.test(f) &&
        ![
          "dist/grids/grid-spiral-9d.json",
          "dist/grids/grid-spiral-9d-2026.2-partial.json",
          "README.md",
          "package.json",
        ].includes(f),
    );
    expect(unexpected).toEqual([]);
  }, 120_000);
});
