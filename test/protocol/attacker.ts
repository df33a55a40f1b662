/**
 * An outsider's view of everything a territory ever published, written independently of
 * protocol/src/atoms.ts so that tests check the atom rule against a second implementation.
 * The outsider reads every public cell (each version's total and category cells, and the margins
 * of the versions that carry them) and — knowing which groups stand behind each cell, the worst
 * case — subtracts cells to isolate every atom (groups sorted by the exact set of cells that
 * contain them), and compares what two cells say about the same atom (a group edited between
 * them). It reports every atom, atom margin cell or such difference holding 1 … minimum−1. Margins are
 * published on totals only, so margin atoms are those of the totals that carry the margin.
 */

export interface SeenGroup {
  /** The node's group id. */
  id: number | string;
  participants: number;
  category: string;
  margins?: {
    gender?: Record<string, number | undefined>;
    age?: Record<string, number | undefined>;
  };
  /** The category cell it was counted in; null when the version had no breakdown. */
  cell: string | null;
}

export interface SeenVersion {
  name: string;
  groups: readonly SeenGroup[];
  margins: ReadonlyArray<"gender" | "age">;
}

export interface Isolation {
  what: string;
  value: number;
  groups: string[];
}

type Member = SeenGroup;
type Cell = { name: string; members: Map<string, Member> };

const byId = (g: SeenGroup) => String(g.id);
const byIdentity = (g: SeenGroup) =>
  JSON.stringify([
    g.id,
    g.participants,
    g.category,
    ...(["gender", "age"] as const).map((m) =>
      Object.entries(g.margins?.[m] ?? {})
        .filter(([, n]) => (n ?? 0) > 0)
        .sort(),
    ),
  ]);

function cellsFor(versions: readonly SeenVersion[], key: (g: SeenGroup) => string): Cell[] {
  const cells: Cell[] = [];
  for (const v of versions) {
    cells.push({ name: `${v.name} total`, members: new Map(v.groups.map((g) => [key(g), g])) });
    const names = new Set(v.groups.map((g) => g.cell).filter((c): c is string => c !== null));
    for (const name of names) {
      const members = v.groups.filter((g) => g.cell === name).map((g) => [key(g), g] as const);
      cells.push({ name: `${v.name} ${name}`, members: new Map(members) });
    }
  }
  return cells;
}

function marginCellsFor(
  versions: readonly SeenVersion[],
  margin: "gender" | "age",
  key: (g: SeenGroup) => string,
): Cell[] {
  return versions
    .filter((v) => v.margins.includes(margin))
    .map((v) => ({
      name: `${v.name} ${margin}`,
      members: new Map(v.groups.map((g) => [key(g), g])),
    }));
}

function atoms(cells: readonly Cell[]): Map<string, string[]> {
  const where = new Map<string, string[]>();
  for (const [i, cell] of cells.entries()) {
    for (const member of cell.members.keys())
      where.set(member, [...(where.get(member) ?? []), String(i)]);
  }
  const result = new Map<string, string[]>();
  for (const [member, list] of where) {
    const signature = list.join("+");
    result.set(signature, [...(result.get(signature) ?? []), member]);
  }
  return result;
}

/** Every atom (of participants, or of margin cells) an outsider can isolate below `minimum`. */
export function isolations(
  versions: readonly SeenVersion[],
  k: number,
  marginMinimum: number,
): Isolation[] {
  const found: Isolation[] = [];
  for (const key of [byId, byIdentity]) {
    const cells = cellsFor(versions, key);
    for (const [signature, members] of atoms(cells)) {
      const seen: Array<{ name: string; n: number }> = [];
      for (const i of signature.split("+")) {
        const cell = cells[Number(i)] as Cell;
        const n = members.reduce((sum, m) => sum + (cell.members.get(m)?.participants ?? 0), 0);
        if (n > 0 && n < k) found.push({ what: `atom of ${cell.name}`, value: n, groups: members });
        seen.push({ name: cell.name, n });
      }
      found.push(...differences(seen, k, "participants", members));
    }
    for (const margin of ["gender", "age"] as const) {
      const cells = marginCellsFor(versions, margin, key);
      for (const [signature, members] of atoms(cells)) {
        const seen: Array<{ name: string; bands: Record<string, number> }> = [];
        for (const i of signature.split("+")) {
          const cell = cells[Number(i)] as Cell;
          const bands: Record<string, number> = { unrecorded: 0 };
          for (const m of members) {
            const g = cell.members.get(m) as Member;
            let recorded = 0;
            for (const [band, n] of Object.entries(g.margins?.[margin] ?? {})) {
              bands[band] = (bands[band] ?? 0) + (n ?? 0);
              recorded += n ?? 0;
            }
            bands.unrecorded = (bands.unrecorded ?? 0) + g.participants - recorded;
          }
          for (const [band, n] of Object.entries(bands)) {
            if (n > 0 && n < marginMinimum) {
              found.push({ what: `${band} in ${cell.name}`, value: n, groups: members });
            }
          }
          seen.push({ name: cell.name, bands });
        }
        for (const band of new Set(seen.flatMap((s) => Object.keys(s.bands)))) {
          const values = seen.map((s) => ({ name: s.name, n: s.bands[band] ?? 0 }));
          found.push(...differences(values, marginMinimum, band, members));
        }
      }
    }
  }
  return found;
}

/** Two cells that say different things about one atom (a group edited between them): a − b. */
function differences(
  seen: ReadonlyArray<{ name: string; n: number }>,
  minimum: number,
  what: string,
  groups: string[],
): Isolation[] {
  const found: Isolation[] = [];
  for (const [i, a] of seen.entries()) {
    for (const b of seen.slice(i + 1)) {
      const d = Math.abs(a.n - b.n);
      if (d > 0 && d < minimum) {
        found.push({ what: `${what}: ${a.name} − ${b.name}`, value: d, groups });
      }
    }
  }
  return found;
}
