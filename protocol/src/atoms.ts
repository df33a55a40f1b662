import type { GroupMargins } from "./schemas.ts";

/**
 * The atom rule (docs/protocol.md §4). Every public cell — the total of a version, or one of its
 * category cells, `other` included, of any version, any period, withdrawn ones included — is a
 * sum over a set of groups. An outsider who subtracts cells from one another can isolate any
 * atom of these sets (their Venn regions: groups sorted by the exact set of cells containing
 * them), so every atom must hold 0 or at least k participants, and every margin cell of every
 * atom of the cells that carry margins 0 or at least the margin minimum.
 *
 * What two cells say about the same atom may differ (a group edited between them): their
 * difference is public too, so it must also be 0 or at least the minimum.
 *
 * Groups are compared two ways, and both must pass:
 * - by ledger identity (group id + participants + category + margins as published): a group
 *   edited after publication counts as a different group;
 * - by group id alone, with each cell's own participants: a group's counts follow its criteria,
 *   not its participants, so editing a group does not hide what was added next to it.
 */

export const MARGIN_NAMES = ["gender", "age"] as const;
export type MarginName = (typeof MARGIN_NAMES)[number];

/** A group as it stood when a version was published (or as it stands in a draft). */
export interface LedgerGroup {
  /** The node's id for the group (never published). */
  id: number | string;
  participants: number;
  category: string;
  margins?: GroupMargins | undefined;
  /** The public category cell it was counted in (`other` when pooled); null without breakdown. */
  cell: string | null;
}

/** One published version (or the draft): the groups behind its cells and the margins it carries. */
export interface LedgerVersion {
  periodKey: string;
  version: number;
  groups: readonly LedgerGroup[];
  margins: readonly MarginName[];
}

/** An atom that a draft would newly isolate. */
export interface AtomViolation {
  /** The smallest value an outsider could isolate (participants, or a margin cell). */
  value: number;
  /** Margin bands isolated under the minimum (margin checks only; "unrecorded" included). */
  bands: string[];
  /** The published version the draft would be compared with, e.g. "version 1 of 2026-01-01/2026-12-31". */
  against: string | null;
}

interface Cell {
  version: number;
  members: Map<string, LedgerGroup>;
}

type KeyOf = (group: LedgerGroup) => string;

const canonicalMargins = (margins: GroupMargins | undefined) =>
  MARGIN_NAMES.map((name) =>
    Object.entries(margins?.[name] ?? {})
      .filter(([, n]) => (n ?? 0) > 0)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([band, n]) => `${band}=${n}`)
      .join(","),
  ).join(";");

/** The ledger identity: a group whose participants, category or margins changed is another group. */
export const ledgerIdentity: KeyOf = (g) =>
  `${g.id}|${g.participants}|${g.category}|${canonicalMargins(g.margins)}`;
const groupId: KeyOf = (g) => String(g.id);

export const versionLabel = (v: Pick<LedgerVersion, "version" | "periodKey">) =>
  `version ${v.version} of ${v.periodKey}`;

/** The public participant cells of a version: its total and each category cell. */
function participantCells(version: LedgerVersion, index: number, keyOf: KeyOf): Cell[] {
  const total: Cell = { version: index, members: new Map() };
  const byCell = new Map<string, Cell>();
  for (const group of version.groups) {
    total.members.set(keyOf(group), group);
    if (group.cell === null) continue;
    const cell = byCell.get(group.cell) ?? { version: index, members: new Map() };
    cell.members.set(keyOf(group), group);
    byCell.set(group.cell, cell);
  }
  return [total, ...byCell.values()];
}

/** Groups the keys by the exact set of cells that contain them. */
function atomsOf(cells: readonly Cell[]): Array<{ keys: string[]; cells: number[] }> {
  const signatures = new Map<string, number[]>();
  cells.forEach((cell, index) => {
    for (const key of cell.members.keys()) {
      const list = signatures.get(key) ?? [];
      list.push(index);
      signatures.set(key, list);
    }
  });
  const atoms = new Map<string, { keys: string[]; cells: number[] }>();
  for (const [key, list] of signatures) {
    const signature = list.join(",");
    const atom = atoms.get(signature) ?? { keys: [], cells: list };
    atom.keys.push(key);
    atoms.set(signature, atom);
  }
  return [...atoms.values()].map((a) => ({ ...a, keys: a.keys.sort() }));
}

/** What one cell says about an atom: its participants and, for a margin, each band. */
function atomValues(cell: Cell, keys: readonly string[], margin: MarginName | null) {
  let participants = 0;
  const bands: Record<string, number> = {};
  for (const key of keys) {
    const group = cell.members.get(key);
    if (!group) continue;
    participants += group.participants;
    if (!margin) continue;
    for (const [band, n] of Object.entries(group.margins?.[margin] ?? {})) {
      bands[band] = (bands[band] ?? 0) + (n ?? 0);
    }
  }
  if (margin) {
    const recorded = Object.values(bands).reduce((a, b) => a + b, 0);
    bands.unrecorded = participants - recorded;
  }
  return { participants, bands };
}

interface SmallAtom {
  keys: string[];
  cells: number[];
  value: number;
  bands: string[];
}

/**
 * The smallest of 1 … minimum−1 among what the cells say about one atom and the differences
 * between them (Infinity when none): a group whose participants or margins changed between two
 * cells gives the change away — a person who joined, with their gender and age.
 */
function smallestSeen(values: readonly number[], minimum: number): number {
  const distinct = [...new Set(values)];
  let smallest = Number.POSITIVE_INFINITY;
  for (const [i, a] of distinct.entries()) {
    for (const n of [a, ...distinct.slice(i + 1).map((b) => Math.abs(a - b))]) {
      if (n > 0 && n < minimum) smallest = Math.min(smallest, n);
    }
  }
  return smallest;
}

/**
 * Atoms holding 1 … minimum−1 (participants, or in any margin band when `margin` is given), in
 * one cell or as the difference between two cells that contain them.
 */
function smallAtoms(cells: readonly Cell[], minimum: number, margin: MarginName | null) {
  const small: SmallAtom[] = [];
  for (const atom of atomsOf(cells)) {
    const seen = atom.cells.map((index) => atomValues(cells[index] as Cell, atom.keys, margin));
    const series = new Map<string, number[]>();
    if (margin) {
      const names = new Set(seen.flatMap((values) => Object.keys(values.bands)));
      for (const band of names)
        series.set(
          band,
          seen.map((values) => values.bands[band] ?? 0),
        );
    } else
      series.set(
        "",
        seen.map((values) => values.participants),
      );
    let value = Number.POSITIVE_INFINITY;
    const bands = new Set<string>();
    for (const [band, values] of series) {
      const n = smallestSeen(values, minimum);
      if (n === Number.POSITIVE_INFINITY) continue;
      value = Math.min(value, n);
      if (margin) bands.add(band);
    }
    if (value !== Number.POSITIVE_INFINITY)
      small.push({ ...atom, value, bands: [...bands].sort() });
  }
  return small;
}

/** The published version an outsider would compare the draft with to isolate the atom. */
function comparedWith(
  history: readonly LedgerVersion[],
  draft: LedgerVersion,
  atomIds: ReadonlySet<string>,
): string | null {
  const near = new Set([...draft.groups.map((g) => String(g.id)), ...atomIds]);
  let best: { score: number; version: LedgerVersion } | null = null;
  for (const version of history) {
    const score = version.groups.filter((g) => near.has(String(g.id))).length;
    if (score > 0 && (!best || score >= best.score)) best = { score, version };
  }
  return best ? versionLabel(best.version) : null;
}

function violations(
  history: readonly LedgerVersion[],
  draft: LedgerVersion,
  cellsOf: (version: LedgerVersion, index: number, keyOf: KeyOf) => Cell[],
  minimum: number,
  margin: MarginName | null,
): AtomViolation[] {
  const found: AtomViolation[] = [];
  for (const keyOf of [ledgerIdentity, groupId]) {
    const before = history.flatMap((v, i) => cellsOf(v, i, keyOf));
    const after = [...before, ...cellsOf(draft, history.length, keyOf)];
    // Atoms that were already public cannot be hidden again: only what the draft adds counts.
    const known = new Set(smallAtoms(before, minimum, margin).map((a) => a.keys.join("\n")));
    for (const atom of smallAtoms(after, minimum, margin)) {
      if (known.has(atom.keys.join("\n"))) continue;
      const ids = new Set(
        atom.keys.map((key) =>
          String((after[atom.cells[0] as number] as Cell).members.get(key)?.id),
        ),
      );
      found.push({
        value: atom.value,
        bands: atom.bands,
        against: comparedWith(history, draft, ids),
      });
    }
  }
  // Both ways of telling groups apart often find the same atom: say it once.
  const unique = new Map(found.map((v) => [JSON.stringify(v), v]));
  return [...unique.values()];
}

/** Atoms of participants the draft would newly isolate (1 … k−1), across everything published. */
export function participantAtomViolations(
  history: readonly LedgerVersion[],
  draft: LedgerVersion,
  k: number,
): AtomViolation[] {
  return violations(history, draft, participantCells, k, null);
}

/**
 * Margin cells the draft would newly isolate (1 … minimum−1) if it carried margin `name`: the
 * cells are the totals of the versions that carry that margin, the draft's included.
 */
export function marginAtomViolations(
  history: readonly LedgerVersion[],
  draft: LedgerVersion,
  name: MarginName,
  minimum: number,
): AtomViolation[] {
  const totals = (version: LedgerVersion, index: number, keyOf: KeyOf): Cell[] =>
    version === draft || version.margins.includes(name)
      ? [{ version: index, members: new Map(version.groups.map((g) => [keyOf(g), g])) }]
      : [];
  return violations(history, draft, totals, minimum, name);
}

/**
 * A correction may change classification counts only: the same groups with the same
 * participants, category and margins as the version it corrects.
 */
export function correctionViolation(
  previous: LedgerVersion | undefined,
  draft: readonly LedgerGroup[],
): string | null {
  if (!previous) return null;
  const before = previous.groups.map(ledgerIdentity).sort().join("\n");
  const now = draft.map(ledgerIdentity).sort().join("\n");
  if (before === now) return null;
  return `a correction may only change classification counts: the groups behind ${versionLabel(previous)} or their participants, category or margins changed; publish it as a new version`;
}
