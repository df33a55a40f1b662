/**
 * The npm workspaces of the repository and the imports of their source files, shared by the
 * import codemod (scripts/codemods/package-imports.ts) and the boundary test
 * (test/architecture/boundaries.test.ts). The layers are described in docs/architecture.md.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

export const ROOT = path.resolve(import.meta.dirname, "../..");

/** A workspace package of ours: its folder (relative to the root) and its npm name. */
export interface Workspace {
  dir: string;
  name: string;
}

export const PROTOCOL: Workspace = { dir: "protocol", name: "@spiral-network/protocol" };
export const ADMIN_UI: Workspace = { dir: "admin-ui", name: "@spiral-network/admin-ui" };
export const NODE: Workspace = { dir: "node", name: "@spiral-network/node" };
export const WORKSPACES = [PROTOCOL, ADMIN_UI, NODE] as const;
/** Everything else (test/, scripts/, the root configuration files) is the root package. */
export const ROOT_PACKAGE: Workspace = { dir: ".", name: "spiral-network" };

const SKIPPED = new Set([
  "node_modules",
  ".git",
  ".tools",
  ".tsbuild",
  "dist",
  "data",
  "coverage",
  "test-artifacts",
  ".bench",
]);
const SOURCE = /\.(ts|tsx|mts)$/;

/** Every TypeScript source file under `dir` (absolute paths, sorted). */
export function listSources(dir: string = ROOT): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...listSources(full));
    else if (SOURCE.test(entry.name) && !entry.name.endsWith(".d.ts")) found.push(full);
  }
  return found.sort();
}

/** The package a file belongs to. */
export function packageOf(file: string): Workspace {
  const rel = path.relative(ROOT, file).split(path.sep).join("/");
  return WORKSPACES.find((w) => rel.startsWith(`${w.dir}/`)) ?? ROOT_PACKAGE;
}

/** One import of a source file: the specifier as written and where its text sits. */
export interface ImportRef {
  specifier: string;
  /** Offsets of the specifier's text (without the quotes) in the file. */
  start: number;
  end: number;
  line: number;
}

/** Static imports, re-exports, `import()` calls and `import("…")` types of a source text. */
export function importsOf(text: string): ImportRef[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((ref) => {
    // The reference's range starts at the opening quote.
    const start = text.indexOf(ref.fileName, ref.pos);
    if (start < 0 || start > ref.pos + 1) throw new Error(`cannot locate import "${ref.fileName}"`);
    return {
      specifier: ref.fileName,
      start,
      end: start + ref.fileName.length,
      line: text.slice(0, start).split("\n").length,
    };
  });
}

const CANDIDATES = ["", ".ts", ".tsx", ".mts", "/index.ts", "/index.tsx"];

/** The file a relative specifier points at, or undefined when none exists. */
export function resolveRelative(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  for (const suffix of CANDIDATES) {
    const candidate = base + suffix;
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** The subpath (without "./") under which a node/ or admin-ui/ source file is exported. */
export function subpathOf(workspace: Workspace, file: string): string {
  const rel = path
    .relative(path.join(ROOT, workspace.dir, "src"), file)
    .split(path.sep)
    .join("/")
    .replace(SOURCE, "");
  return rel === "index" ? "" : rel.replace(/\/index$/, "");
}

/**
 * The package exports of node/ or admin-ui/: every source file under src/ by its path without
 * extension (a folder's index.ts by the folder's name), so another package imports
 * "@spiral-network/node/services/users" and nothing else.
 */
export function generatedExports(workspace: Workspace): Record<string, string> {
  const exports: Record<string, string> = {};
  for (const file of listSources(path.join(ROOT, workspace.dir, "src"))) {
    const key = subpathOf(workspace, file);
    const entry = key === "" ? "." : `./${key}`;
    const target = `./${path.relative(path.join(ROOT, workspace.dir), file).split(path.sep).join("/")}`;
    if (exports[entry])
      throw new Error(`${workspace.name}: ${entry} is both ${exports[entry]} and ${target}`);
    exports[entry] = target;
  }
  return Object.fromEntries(Object.entries(exports).sort(([a], [b]) => a.localeCompare(b)));
}

/** The modules protocol/src/index.ts re-exports (`export * from "./x"`), as absolute paths. */
export function protocolIndexModules(): Set<string> {
  const index = path.join(ROOT, PROTOCOL.dir, "src/index.ts");
  const modules = new Set<string>([index]);
  for (const ref of importsOf(readFileSync(index, "utf8"))) {
    const file = resolveRelative(index, ref.specifier);
    if (file) modules.add(file);
  }
  return modules;
}

/** The package-name specifier for `target` (a file of another package), or an error. */
export function packageSpecifier(
  target: string,
  protocolModules: Set<string>,
): { specifier: string } | { error: string } {
  const workspace = packageOf(target);
  const rel = path.relative(path.join(ROOT, workspace.dir), target).split(path.sep).join("/");
  if (workspace === PROTOCOL) {
    if (protocolModules.has(target)) return { specifier: PROTOCOL.name };
    if (rel.startsWith("grids/")) return { specifier: `${PROTOCOL.name}/${rel}` };
    return {
      error: `${rel} is not exported by ${PROTOCOL.name} (add it to protocol/src/index.ts)`,
    };
  }
  if (workspace === ROOT_PACKAGE) return { error: `${rel} belongs to the root package` };
  if (!rel.startsWith("src/") || !SOURCE.test(rel)) {
    return { error: `${rel} is not a source file of ${workspace.name}` };
  }
  const subpath = subpathOf(workspace, target);
  return { specifier: subpath === "" ? workspace.name : `${workspace.name}/${subpath}` };
}
