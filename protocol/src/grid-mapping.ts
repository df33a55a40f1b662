import type { Grid, GridEntry, GridMapping, MappingChange } from "./grid.ts";
import { contentHash } from "./hash.ts";
import { multisetElement } from "./multiset-hash.ts";
import { compareCodeUnits } from "./order.ts";
import type { QuestionCounts } from "./synthesis-payload.ts";

/**
 * Grid versions and the mappings between them (docs/protocol.md, "Grid documents"). Pure: which
 * codes of an earlier version carry over to which codes of a later one, what an import changes,
 * and the finest level at which syntheses coded with several versions can be added up.
 */

// ---------------------------------------------------------------------------------------------
// Checking a mapping against the version it comes from
// ---------------------------------------------------------------------------------------------

const asList = (codes: string | readonly string[]): readonly string[] =>
  typeof codes === "string" ? [codes] : codes;

/** The mapping a grid file gives, or "same codes, same meaning" when it gives none. */
export function mappingOf(previous: Grid, next: Grid): GridMapping {
  return (
    next.file.mapping ?? {
      from: { id: previous.id, version: previous.version },
      changes: [],
    }
  );
}

/** Where each component of `previous` sends its counts in `next`, by the mapping. */
export function carryOver(previous: Grid, mapping: GridMapping): Map<string, readonly string[]> {
  const targets = new Map<string, readonly string[]>();
  for (const change of mapping.changes) {
    for (const from of asList(change.from)) targets.set(from, asList(change.to));
  }
  const result = new Map<string, readonly string[]>();
  for (const component of previous.components) {
    result.set(component.code, targets.get(component.code) ?? [component.code]);
  }
  return result;
}

/**
 * What is wrong with moving from `previous` to `next` by `mapping` (empty when nothing): a
 * mapping from another grid, codes the earlier version does not have, a code named twice, and
 * above all counts that would be lost (a code of the earlier version that the new one neither
 * keeps nor maps). Each problem is a sentence a facilitator can act on.
 */
export function mappingProblems(previous: Grid, next: Grid, mapping: GridMapping): string[] {
  const problems: string[] = [];
  if (next.id !== previous.id) {
    problems.push(
      `the new grid is "${next.id}", not "${previous.id}": a grid version replaces a version of the same grid`,
    );
  }
  if (mapping.from.id !== previous.id || mapping.from.version !== previous.version) {
    problems.push(
      `the mapping starts from ${mapping.from.id} ${mapping.from.version}, but this node holds ${previous.id} ${previous.version}`,
    );
  }
  if (next.version === previous.version) {
    problems.push(`version ${next.version} is the version already in use`);
  }
  const named = new Set<string>();
  for (const change of mapping.changes) {
    for (const from of asList(change.from)) {
      if (previous.entry(from)?.kind !== "component") {
        problems.push(
          `the mapping names ${from}, which ${previous.id} ${previous.version} does not have`,
        );
      }
      if (named.has(from)) problems.push(`the mapping says twice where ${from} goes`);
      named.add(from);
    }
  }
  for (const [from, targets] of carryOver(previous, mapping)) {
    const missing = targets.filter((code) => next.entry(code)?.kind !== "component");
    if (missing.length === 0) continue;
    problems.push(
      named.has(from)
        ? `the mapping sends ${from} to ${missing.join(", ")}, which ${next.version} does not have`
        : `${from} is not in ${next.version} and the mapping does not say where its counts go (they would be lost)`,
    );
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// What an import changes (the preview)
// ---------------------------------------------------------------------------------------------

export interface GridChanges {
  from: { id: string; version: string };
  to: { id: string; version: string };
  /** Components the earlier version does not have (new, or split off an earlier one). */
  added: GridEntry[];
  /** Same code, another label (English or French). */
  relabelled: Array<{
    code: string;
    before: Record<string, string>;
    after: Record<string, string>;
  }>;
  /** Same code, another status (e.g. provisional → confirmed). */
  restated: Array<{ code: string; before: string; after: string }>;
  /** The mapping's changes: codes whose criteria move (renamed, merged) or need review (split). */
  changes: MappingChange[];
  /** Codes of the earlier version whose criteria a facilitator should look at again (split). */
  review: string[];
}

/** The preview of an import: what moving from `previous` to `next` changes. */
export function gridChanges(previous: Grid, next: Grid, mapping: GridMapping): GridChanges {
  const added = next.components.filter((c) => previous.entry(c.code)?.kind !== "component");
  const relabelled: GridChanges["relabelled"] = [];
  const restated: GridChanges["restated"] = [];
  for (const entry of [...next.dimensions, ...next.components]) {
    const before = previous.entry(entry.code);
    if (!before) continue;
    if (before.label.en !== entry.label.en || before.label.fr !== entry.label.fr) {
      relabelled.push({ code: entry.code, before: before.label, after: entry.label });
    }
    if (before.status !== entry.status) {
      restated.push({ code: entry.code, before: before.status, after: entry.status });
    }
  }
  const review = mapping.changes
    .filter((change) => change.kind === "split")
    .map((change) => change.from as string)
    .sort();
  return {
    from: { id: previous.id, version: previous.version },
    to: { id: next.id, version: next.version },
    added,
    relabelled,
    restated,
    changes: mapping.changes,
    review,
  };
}

/**
 * The code a criterion takes in the new version: a renamed or merged component's new code (with
 * the rest of the code unchanged), or the code it had. A split component keeps its code (it is
 * queued for review instead).
 */
export function carryCode(code: string, mapping: GridMapping): string {
  const component = /^[A-Z]\d{2}/.exec(code)?.[0];
  if (!component) return code;
  for (const change of mapping.changes) {
    if (change.kind === "split") continue;
    if (asList(change.from).includes(component)) return `${change.to}${code.slice(3)}`;
  }
  return code;
}

// ---------------------------------------------------------------------------------------------
// Known grids, and the level a figure over several versions shares
// ---------------------------------------------------------------------------------------------

/** The grid versions a node knows, by id and version. */
export interface GridCatalog {
  get(id: string, version: string): Grid | undefined;
  /** Every grid held, in the order given. */
  readonly grids: readonly Grid[];
}

export function gridCatalog(grids: Iterable<Grid>): GridCatalog {
  const byKey = new Map<string, Grid>();
  const list: Grid[] = [];
  for (const grid of grids) {
    const key = `${grid.id}\n${grid.version}`;
    if (byKey.has(key)) continue;
    byKey.set(key, grid);
    list.push(grid);
  }
  return { get: (id, version) => byKey.get(`${id}\n${version}`), grids: list };
}

/** How finely a figure over several grid versions counts. */
export type SharedLevel = "component" | "grouped" | "dimension";

/**
 * The level at which syntheses of several versions of one grid add up:
 * - `component`: every component carries over one to one (renamed codes read as the newest code);
 * - `grouped`: some components were split or merged; their codes count together as one group,
 *   keyed by the newest version's codes joined with "+" (`A01+A11`), the rest stays per component;
 * - `dimension`: some version is not known here (or not linked by mappings): everything counts
 *   per dimension (keys `A`…`I`), the level every version shares.
 */
export interface LevelPlan {
  gridId: string;
  level: SharedLevel;
  /** The versions in the figure, oldest first when linked, else sorted. */
  versions: string[];
  /** Each version's own level (its codes that entered a group make it `grouped`). */
  levelOf: Record<string, SharedLevel>;
  /** Group key → the codes of each version it holds (only the groups of several codes). */
  groups: Record<string, Record<string, string[]>>;
  /** The key a code of a version counts under. */
  keyOf(version: string, code: string): string;
  /** A version's code → key map (codes it lacks count under themselves); for hot loops. */
  keysOf(version: string): ReadonlyMap<string, string> | undefined;
  /** Canonical summary of the above: equal on nodes that hold the same grids. */
  basis: string;
}

/** Versions from the oldest ancestor of `version` to it, by the mappings; null if a link is unknown. */
function lineage(catalog: GridCatalog, id: string, version: string): Grid[] | null {
  const line: Grid[] = [];
  const seen = new Set<string>();
  let current = catalog.get(id, version);
  while (current) {
    if (seen.has(current.version)) return null;
    seen.add(current.version);
    line.unshift(current);
    const from = current.file.mapping?.from;
    if (!from) break;
    if (from.id !== id) break;
    const previous = catalog.get(id, from.version);
    if (!previous) break;
    current = previous;
  }
  return line.length > 0 ? line : null;
}

/** The versions linking all of `versions`, oldest first, or null when they are not one line. */
function chainOf(catalog: GridCatalog, id: string, versions: readonly string[]): Grid[] | null {
  for (const candidate of versions) {
    const line = lineage(catalog, id, candidate);
    if (!line) return null;
    const held = line.map((g) => g.version);
    if (!versions.every((v) => held.includes(v))) continue;
    const start = Math.min(...versions.map((v) => held.indexOf(v)));
    return line.slice(start);
  }
  return null;
}

function dimensionPlan(id: string, versions: string[]): LevelPlan {
  const sorted = [...versions].sort(compareCodeUnits);
  return {
    gridId: id,
    level: "dimension",
    versions: sorted,
    levelOf: Object.fromEntries(sorted.map((v) => [v, "dimension" as const])),
    groups: {},
    keyOf: (_version, code) => code.charAt(0),
    keysOf: () => undefined,
    basis: contentHash({ grid: id, level: "dimension", versions: sorted }),
  };
}

/**
 * The finest level at which syntheses coded with `versions` of grid `id` add up, through the
 * mappings the catalog holds; null when there is only one version (counts stay as they are).
 * Components linked by a split or merge anywhere between the oldest and the newest version form
 * one group (union of the links); unknown or unlinked versions fall back to dimension level.
 */
export function sharedLevel(
  catalog: GridCatalog | undefined,
  id: string,
  versions: Iterable<string>,
): LevelPlan | null {
  const wanted = [...new Set(versions)].sort(compareCodeUnits);
  if (wanted.length < 2) return null;
  const chain = catalog ? chainOf(catalog, id, wanted) : null;
  if (!chain) return dimensionPlan(id, wanted);

  // Union-find over (version, code): each step of the chain links a code to where it carries over.
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root) as string;
    parent.set(x, root);
    return root;
  };
  const node = (version: string, code: string) => `${version}\n${code}`;
  for (const grid of chain) {
    for (const c of grid.components)
      parent.set(node(grid.version, c.code), node(grid.version, c.code));
  }
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return;
    // The smaller key becomes the root, so the result does not depend on the order of links.
    const [low, high] = ra < rb ? [ra, rb] : [rb, ra];
    parent.set(high, low);
  };
  for (let i = 1; i < chain.length; i++) {
    const previous = chain[i - 1] as Grid;
    const next = chain[i] as Grid;
    for (const [from, targets] of carryOver(previous, mappingOf(previous, next))) {
      for (const to of targets) {
        if (parent.has(node(next.version, to)))
          union(node(previous.version, from), node(next.version, to));
      }
    }
  }
  const newest = chain[chain.length - 1] as Grid;
  const members = new Map<string, Map<string, string[]>>();
  for (const grid of chain) {
    for (const c of grid.components) {
      const root = find(node(grid.version, c.code));
      let byVersion = members.get(root);
      if (!byVersion) {
        byVersion = new Map();
        members.set(root, byVersion);
      }
      const list = byVersion.get(grid.version) ?? [];
      list.push(c.code);
      byVersion.set(grid.version, list);
    }
  }
  const keyOfRoot = new Map<string, string>();
  const groups: LevelPlan["groups"] = {};
  const groupedVersions = new Set<string>();
  for (const [root, byVersion] of members) {
    const newestCodes = [...(byVersion.get(newest.version) ?? [])].sort(compareCodeUnits);
    const key = newestCodes.length > 0 ? newestCodes.join("+") : (root.split("\n")[1] ?? root);
    keyOfRoot.set(root, key);
    const grouped = [...byVersion.values()].some((codes) => codes.length > 1);
    if (!grouped) continue;
    groups[key] = Object.fromEntries(
      chain
        .filter((g) => byVersion.has(g.version))
        .map((g) => [
          g.version,
          [...(byVersion.get(g.version) as string[])].sort(compareCodeUnits),
        ]),
    );
    for (const version of byVersion.keys()) groupedVersions.add(version);
  }
  const chainVersions = chain.map((g) => g.version);
  const level: SharedLevel = Object.keys(groups).length > 0 ? "grouped" : "component";
  const levelOf = Object.fromEntries(
    wanted.map((v) => [v, groupedVersions.has(v) ? ("grouped" as const) : ("component" as const)]),
  );
  const sortedGroups = Object.fromEntries(
    Object.keys(groups)
      .sort(compareCodeUnits)
      .map((k) => [k, groups[k] as Record<string, string[]>]),
  );
  // Renames, as the newest code each earlier code reads as (part of what the figure rests on).
  const renames: Array<[string, string, string]> = [];
  for (const grid of chain) {
    for (const c of grid.components) {
      const key = keyOfRoot.get(find(node(grid.version, c.code))) as string;
      if (key !== c.code && !sortedGroups[key]) renames.push([grid.version, c.code, key]);
    }
  }
  // Each version's code → key, built once: figures call keyOf for every cell they add.
  const keys = new Map<string, Map<string, string>>();
  for (const grid of chain) {
    const own = new Map<string, string>();
    for (const c of grid.components) {
      own.set(c.code, keyOfRoot.get(find(node(grid.version, c.code))) as string);
    }
    keys.set(grid.version, own);
  }
  return {
    gridId: id,
    level,
    versions: chainVersions.filter((v) => wanted.includes(v)),
    levelOf,
    groups: sortedGroups,
    keyOf: (version, code) => keys.get(version)?.get(code) ?? code,
    keysOf: (version) => keys.get(version),
    basis: contentHash({ grid: id, level, chain: chainVersions, groups: sortedGroups, renames }),
  };
}

/** How the codes of one version are re-keyed at the plan's level (one map lookup per code). */
export function rekeyer(plan: LevelPlan, version: string): (code: string) => string {
  const keys = plan.keysOf(version);
  if (keys) return (code) => keys.get(code) ?? code;
  return (code) => plan.keyOf(version, code);
}

/** A synthesis's counts (question → code → n) re-keyed at the plan's level. */
export function normaliseCounts(
  plan: LevelPlan,
  version: string,
  counts: QuestionCounts,
): Record<string, Record<string, number>> {
  const result: Record<string, Record<string, number>> = {};
  const byQuestion = counts as Record<string, Record<string, number> | undefined>;
  for (const question in byQuestion) {
    const cells = byQuestion[question];
    if (!cells) continue;
    let out: Record<string, number> | undefined;
    for (const code in cells) {
      const n = cells[code];
      if (!n) continue;
      const key = plan.keyOf(version, code);
      out ??= {};
      out[key] = (out[key] ?? 0) + n;
    }
    if (out) result[question] = out;
  }
  return result;
}

/**
 * What the level of a figure over several grid versions adds to its fingerprint
 * (docs/protocol.md §10): one more element of the multiset, the multiset element of
 * `{"gridLevel":"<basis>"}`. Two nodes holding the same syntheses and the same grids agree; a node
 * that knows fewer grids, and so counts at a coarser level, shows another fingerprint. A figure
 * over one version adds nothing (its fingerprint is the plain one). The text cannot be the
 * canonical form of an included version (those have other keys), so it never cancels one out.
 */
export function levelElementText(plan: LevelPlan): string {
  return `{"gridLevel":${JSON.stringify(plan.basis)}}`;
}

/** The integer `levelElementText` adds to a fingerprint's multiset hash. */
export function levelElement(plan: LevelPlan): bigint {
  return multisetElement(levelElementText(plan));
}
