/**
 * The layer rules of docs/architecture.md, checked on the imports of every source file:
 * - protocol/ is pure: no `node:` or built-in module, no package of ours, and only the
 *   dependencies its manifest declares, none of which does I/O; nor does it reach the network,
 *   the process, timers, the clock or randomness through a global;
 * - admin-ui/ renders only: it imports the protocol, hono (and its JSX) and itself;
 * - node/'s services never import the API, the workspace routes or the federation, and the
 *   federation never imports the API or the workspace routes;
 * - the API's routes and the workspace's pages reach the node only through the application layer
 *   (app/): never the services' container, the service context or the database (the schema's
 *   types aside); only the files that build each door and sign people in may;
 * - no relative import crosses a package: another package is imported by its name, and declared
 *   in the importer's package.json.
 */
import { readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { run as runImportCodemod } from "../../scripts/codemods/package-imports";
import {
  ADMIN_UI,
  generatedExports,
  importsOf,
  listSources,
  NODE,
  PROTOCOL,
  packageOf,
  ROOT,
  ROOT_PACKAGE,
  resolveRelative,
  type Workspace,
} from "../../scripts/lib/workspace";

/** Packages that do I/O (storage, network, HTTP, logging, processes): never in the protocol. */
const IO_PACKAGES = [
  /^better-sqlite3$/,
  /^drizzle-(orm|kit)$/,
  /^hono$/,
  /^@hono\//,
  /^@fedify\//,
  /^@logtape\//,
  /^ical-generator$/,
  /^@touch4it\//,
  /^playwright(-core)?$/,
  /^tsx$/,
  /^undici$/,
  /^ws$/,
];
const OURS = /^@spiral-network\//;

interface Manifest {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function manifestOf(workspace: Workspace): Manifest {
  return JSON.parse(readFileSync(path.join(ROOT, workspace.dir, "package.json"), "utf8"));
}

function declared(workspace: Workspace): Set<string> {
  const manifest = manifestOf(workspace);
  return new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.devDependencies ?? {}),
  ]);
}

/** "@scope/name/sub" → "@scope/name"; "name/sub" → "name". */
function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}

const under = (file: string, dir: string) =>
  path.relative(ROOT, file).split(path.sep).join("/").startsWith(`${dir}/`);

/** The file an import of one of our packages by name points at, when it is node/ or admin-ui/. */
function resolveOurs(specifier: string): string | undefined {
  for (const workspace of [NODE, ADMIN_UI]) {
    if (specifier !== workspace.name && !specifier.startsWith(`${workspace.name}/`)) continue;
    const key = `.${specifier.slice(workspace.name.length)}`;
    const target = generatedExports(workspace)[key];
    return target && path.join(ROOT, workspace.dir, target);
  }
  return undefined;
}

/** Rules that hold whatever the target: bare specifiers per package. */
function bareViolation(file: string, specifier: string): string | undefined {
  const own = packageOf(file);
  const name = packageName(specifier);
  if (own === PROTOCOL) {
    if (specifier.startsWith("node:") || isBuiltin(specifier)) return "the protocol does no I/O";
    if (OURS.test(name)) return "the protocol depends on no other package of ours";
    if (IO_PACKAGES.some((io) => io.test(name))) return "the protocol does no I/O";
  }
  if (own === ADMIN_UI && name !== PROTOCOL.name && name !== "hono") {
    return "admin-ui imports only the protocol and hono";
  }
  if (specifier.startsWith("node:") || isBuiltin(specifier)) return undefined;
  if (name === own.name) return undefined;
  if (!declared(own).has(name)) return `${name} is not declared in ${own.dir}/package.json`;
  return undefined;
}

/**
 * The files that build a door (its middleware, sessions, the API's token check) or sign people in
 * before there is an actor: they hold the services; every other route goes through app/.
 */
const DOOR_BUILDERS = new Set([
  "node/src/admin/index.tsx",
  "node/src/admin/accounts.tsx",
  "node/src/admin/known-devices.ts",
]);
/** What only the application layer (and the door builders) may reach. */
const BEHIND_APP = ["node/src/services/index.ts", "node/src/services/context.ts"];

const relative = (file: string) => path.relative(ROOT, file).split(path.sep).join("/");

/** A route of the JSON API or a page of the workspace reaching past the application layer. */
function doorViolation(file: string, target: string): string | undefined {
  const isDoor = under(file, "node/src/api/routes") || under(file, "node/src/admin");
  if (!isDoor || DOOR_BUILDERS.has(relative(file))) return undefined;
  const to = relative(target);
  const past =
    BEHIND_APP.includes(to) || (under(target, "node/src/db") && to !== "node/src/db/schema.ts");
  return past ? "API routes and workspace pages reach the node through app/" : undefined;
}

/** Rules on what a file may reach inside node/. */
function layerViolation(file: string, target: string): string | undefined {
  const reaches = (dir: string) => under(target, `node/src/${dir}`);
  const door = doorViolation(file, target);
  if (door) return door;
  if (under(file, "node/src/services")) {
    const layer = ["api", "admin", "federation"].find(reaches);
    if (layer) return `services never import ${layer}/`;
  }
  if (under(file, "node/src/federation")) {
    const layer = ["api", "admin"].find(reaches);
    if (layer) return `the federation never imports ${layer}/`;
  }
  return undefined;
}

/** The broken rules of one import of `file`, or undefined. */
function importViolation(file: string, specifier: string): string | undefined {
  const own = packageOf(file);
  if (specifier.startsWith(".")) {
    const target = resolveRelative(file, specifier);
    if (!target) return undefined; // tsc reports a missing module
    const other = packageOf(target);
    if (other !== own) return `crosses into ${other.dir}/: import it as ${other.name}`;
    return layerViolation(file, target);
  }
  const violation = bareViolation(file, specifier);
  if (violation) return violation;
  const target = resolveOurs(specifier);
  return target ? layerViolation(file, target) : undefined;
}

/** Every broken rule of a source text, as "path:line: specifier: rule". */
function violationsOf(file: string, text: string): string[] {
  const found: string[] = [];
  for (const ref of importsOf(text)) {
    const violation = importViolation(file, ref.specifier);
    if (violation) {
      found.push(`${path.relative(ROOT, file)}:${ref.line}: "${ref.specifier}": ${violation}`);
    }
  }
  return found;
}

/** Globals through which code does I/O, waits, or reads the clock or randomness. */
const AMBIENT = new Set([
  "fetch",
  "XMLHttpRequest",
  "WebSocket",
  "EventSource",
  "localStorage",
  "sessionStorage",
  "indexedDB",
  "process",
  "require",
  "Deno",
  "Bun",
  "setTimeout",
  "setInterval",
  "setImmediate",
  "queueMicrotask",
  "performance",
  "crypto",
]);

/** The global an expression reads, when it is one the protocol must not touch. */
function ambientUse(node: ts.Node): string | undefined {
  if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
    const use = `${node.expression.text}.${node.name.text}`;
    if (use === "Date.now" || use === "Math.random" || use.startsWith("globalThis.")) return use;
  }
  if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) {
    if (node.expression.text === "Date" && (node.arguments?.length ?? 0) === 0) return "new Date()";
  }
  if (!ts.isIdentifier(node) || !AMBIENT.has(node.text)) return undefined;
  const parent = node.parent;
  // A property name (`x.fetch`, `{ fetch: … }`) or a declaration of one's own is not the global.
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return undefined;
  const names = [
    ts.isPropertyAssignment,
    ts.isPropertySignature,
    ts.isPropertyDeclaration,
    ts.isMethodDeclaration,
    ts.isMethodSignature,
  ];
  if (names.some((is) => is(parent)) && (parent as ts.NamedDeclaration).name === node) {
    return undefined;
  }
  return node.text;
}

/** Every global the protocol must not touch, as "path:line: use". */
function ambientViolationsOf(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    const use = ambientUse(node);
    if (use) {
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      found.push(`${path.relative(ROOT, file)}:${line}: ${use}: the protocol does no I/O`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const at = (rel: string) => path.join(ROOT, rel);

describe("layer boundaries", () => {
  it("every source file keeps the rules", () => {
    const files = listSources();
    expect(files.length).toBeGreaterThan(100);
    const violations = files.flatMap((file) => violationsOf(file, readFileSync(file, "utf8")));
    expect(violations).toEqual([]);
  });

  it("the protocol reads no clock or randomness and does no I/O through a global", () => {
    const files = listSources(path.join(ROOT, PROTOCOL.dir));
    expect(files.length).toBeGreaterThan(10);
    const violations = files.flatMap((f) => ambientViolationsOf(f, readFileSync(f, "utf8")));
    expect(violations).toEqual([]);
  });

  it.each([
    "export const now = () => Date.now();",
    "export const stamp = () => new Date().toISOString();",
    "export const pick = () => Math.random();",
    "export const get = (u: string) => fetch(u);",
    "export const env = () => process.env.K;",
    "export const later = (f: () => void) => setTimeout(f, 1);",
    "export const id = () => crypto.randomUUID();",
    "export const g = () => globalThis.fetch;",
  ])("catches the protocol using a global: `%s`", (source) => {
    expect(ambientViolationsOf(at("protocol/src/x.ts"), source)).toHaveLength(1);
  });

  it("lets the protocol name a property or parse a given date", () => {
    const source =
      "const o = { fetch: 1, process(x: number) { return x; } };\n" +
      "export const f = (r: { fetch: number }) => r.fetch + o.fetch;\n" +
      'export const d = new Date("2026-01-01T00:00:00Z");';
    expect(ambientViolationsOf(at("protocol/src/x.ts"), source)).toEqual([]);
  });

  it("the protocol's manifest declares no I/O package and no package of ours", () => {
    const dependencies = [...declared(PROTOCOL)];
    expect(dependencies.length).toBeGreaterThan(0);
    const forbidden = dependencies.filter(
      (d) => OURS.test(d) || IO_PACKAGES.some((r) => r.test(d)),
    );
    expect(forbidden).toEqual([]);
  });

  it("no import is left for the codemod to rewrite, and the generated exports are current", () => {
    const outcome = runImportCodemod(false);
    expect(outcome).toEqual({ changedFiles: [], problems: [] });
  });

  // Each case breaks one rule: the check above would fail on it.
  it.each([
    ["protocol/src/hash.ts", 'import { readFileSync } from "node:fs";', "no I/O"],
    ["protocol/src/hash.ts", 'import { createHash } from "crypto";', "no I/O"],
    ["protocol/src/grid.ts", 'import Database from "better-sqlite3";', "no I/O"],
    ["protocol/src/grid.ts", 'import { Hono } from "hono";', "no I/O"],
    ["protocol/src/grid.ts", 'import { t } from "@spiral-network/admin-ui/i18n";', "no other"],
    ["protocol/src/grid.ts", 'import { t } from "../../admin-ui/src/i18n";', "crosses"],
    ["protocol/src/grid.ts", 'import left from "left-pad";', "not declared"],
    ["admin-ui/src/layout.tsx", 'import { eq } from "drizzle-orm";', "only the protocol"],
    ["admin-ui/src/layout.tsx", 'import { z } from "zod";', "only the protocol"],
    [
      "admin-ui/src/layout.tsx",
      'import type { Services } from "@spiral-network/node/services";',
      "only",
    ],
    ["admin-ui/src/layout.tsx", 'import { grid } from "../../protocol/src/index";', "crosses"],
    ["node/src/services/users.ts", 'import { problem } from "../api/problem";', "services"],
    ["node/src/services/users.ts", 'import type { AdminKit } from "../admin/kit";', "services"],
    ["node/src/services/users.ts", 'export * from "../federation/outbound";', "services"],
    ["node/src/services/users.ts", 'type F = import("../federation/context").X;', "services"],
    [
      "node/src/services/users.ts",
      'import { x } from "@spiral-network/node/api/problem";',
      "services",
    ],
    ["node/src/federation/inbox.ts", 'import { problem } from "../api/problem";', "federation"],
    ["node/src/federation/inbox.ts", 'import type { AdminKit } from "../admin/kit";', "federation"],
    ["node/src/node.ts", 'import { grid } from "../../protocol/src/index";', "crosses"],
    [
      "node/src/api/routes/groups.ts",
      'import type { Services } from "../../services/index";',
      "through app/",
    ],
    ["node/src/admin/groups.tsx", 'import type { Services } from "../services/index";', "app/"],
    ["node/src/admin/figures.tsx", 'import { openStorage } from "../db/open";', "app/"],
    [
      "node/src/admin/network.tsx",
      'import type { ServiceContext } from "@spiral-network/node/services/context";',
      "app/",
    ],
    ["test/node/x.test.ts", 'import { createNode } from "../../node/src/node";', "crosses"],
  ])("catches %s importing `%s`", (file, source, rule) => {
    const violations = violationsOf(at(file), source);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain(rule);
  });

  it.each([
    ["protocol/src/hash.ts", 'import canonicalize from "canonicalize";'],
    ["protocol/src/grid.ts", 'import { z } from "zod";'],
    ["admin-ui/src/layout.tsx", 'import { html } from "hono/html";'],
    ["admin-ui/src/layout.tsx", 'import type { Grid } from "@spiral-network/protocol";'],
    ["node/src/services/users.ts", 'import type { Logger } from "../logger";'],
    ["node/src/api/problem.ts", 'import { x } from "../services/errors";'],
    ["node/src/admin/kit.ts", 'import { Layout } from "@spiral-network/admin-ui/admin/layout";'],
    ["node/src/admin/groups.tsx", 'import type { Application } from "../app/index";'],
    ["node/src/admin/groups.tsx", 'import { groupView } from "../services/groups";'],
    ["node/src/admin/index.tsx", 'import type { Services } from "../services/index";'],
    ["node/src/api/routes/groups.ts", 'import { settings } from "../../db/schema";'],
    ["test/node/x.test.ts", 'import { createNode } from "@spiral-network/node/node";'],
  ])("lets %s import `%s`", (file, source) => {
    expect(violationsOf(at(file), source)).toEqual([]);
  });

  it("puts test/ and scripts/ in the root package", () => {
    expect(packageOf(at("test/node/helpers.ts"))).toBe(ROOT_PACKAGE);
    expect(packageOf(at("node/src/node.ts"))).toBe(NODE);
  });
});
