/**
 * Rewrites every relative import that crosses a package boundary (e.g. node/ or test/ reaching
 * "../../protocol/src/index") into an import by package name ("@spiral-network/protocol"), and
 * regenerates the "exports" of node/ and admin-ui/ from their source files. Idempotent: a second
 * run changes nothing. Run it after merging a branch that still uses relative paths:
 *
 *   node --import tsx scripts/codemods/package-imports.ts          # rewrite
 *   node --import tsx scripts/codemods/package-imports.ts --check  # exit 1 if anything would change
 *
 * The rewritten files are then formatted by Biome, whose import sorting moves the new package
 * imports to their place.
 *
 * The packages and their rules: docs/architecture.md and docs/development.md.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  ADMIN_UI,
  generatedExports,
  importsOf,
  listSources,
  NODE,
  packageOf,
  packageSpecifier,
  protocolIndexModules,
  ROOT,
  resolveRelative,
  type Workspace,
} from "../lib/workspace";

interface Outcome {
  changedFiles: string[];
  problems: string[];
}

/** The text of `file` with its cross-package relative imports rewritten, and what it could not do. */
function rewriteFile(file: string, protocolModules: Set<string>, problems: string[]): string {
  const text = readFileSync(file, "utf8");
  const own = packageOf(file);
  let out = text;
  // From the end, so earlier offsets stay valid.
  for (const ref of importsOf(text).reverse()) {
    if (!ref.specifier.startsWith(".")) continue;
    const target = resolveRelative(file, ref.specifier);
    if (!target || packageOf(target) === own) continue;
    const result = packageSpecifier(target, protocolModules);
    const where = `${path.relative(ROOT, file)}:${ref.line}`;
    if ("error" in result) problems.push(`${where}: ${ref.specifier}: ${result.error}`);
    else out = out.slice(0, ref.start) + result.specifier + out.slice(ref.end);
  }
  return out;
}

/** package.json of `workspace` with its exports regenerated. */
function manifestWithExports(workspace: Workspace): {
  file: string;
  before: string;
  after: string;
} {
  const file = path.join(ROOT, workspace.dir, "package.json");
  const before = readFileSync(file, "utf8");
  const manifest = JSON.parse(before) as Record<string, unknown>;
  const ordered: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(manifest)) {
    if (key === "exports") continue;
    ordered[key] = value;
    if (key === "type") ordered.exports = generatedExports(workspace);
  }
  ordered.exports ??= generatedExports(workspace);
  return { file, before, after: `${JSON.stringify(ordered, null, 2)}\n` };
}

export function run(write: boolean): Outcome {
  const protocolModules = protocolIndexModules();
  const outcome: Outcome = { changedFiles: [], problems: [] };
  for (const file of listSources()) {
    const after = rewriteFile(file, protocolModules, outcome.problems);
    if (after === readFileSync(file, "utf8")) continue;
    outcome.changedFiles.push(path.relative(ROOT, file));
    if (write) writeFileSync(file, after);
  }
  for (const workspace of [ADMIN_UI, NODE]) {
    const { file, before, after } = manifestWithExports(workspace);
    if (before === after) continue;
    outcome.changedFiles.push(path.relative(ROOT, file));
    if (write) writeFileSync(file, after);
  }
  if (write && outcome.changedFiles.length > 0) formatWithBiome(outcome.changedFiles);
  return outcome;
}

/** Formats and sorts the imports of the rewritten files (no lint: nothing else is changed). */
function formatWithBiome(files: string[]): void {
  const biome = path.join(ROOT, "node_modules/.bin/biome");
  execFileSync(biome, ["check", "--write", "--linter-enabled=false", ...files], {
    cwd: ROOT,
    stdio: "inherit",
  });
}

if (import.meta.main) {
  const check = process.argv.includes("--check");
  const { changedFiles, problems } = run(!check);
  for (const file of changedFiles) console.log(`${check ? "would rewrite" : "rewrote"} ${file}`);
  for (const problem of problems) console.error(`cannot rewrite ${problem}`);
  console.log(`${changedFiles.length} file(s) ${check ? "to rewrite" : "rewritten"}`);
  process.exitCode = problems.length > 0 || (check && changedFiles.length > 0) ? 1 : 0;
}
