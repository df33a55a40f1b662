import {
  multisetAdd,
  multisetSubtract,
  parseMultisetHex,
  type Question,
} from "@spiral-network/protocol";
import type Database from "better-sqlite3";

/**
 * The persisted totals of the places figures have read, summed in memory (docs/architecture.md,
 * "Figures state"): a world, country or region read — or a worldwide read of one period and/or
 * one category — adds up its place's few rows here instead of a grouped SQL sum. The rows mirror
 * `aggregate_cells` and `aggregate_people` (one category, "" for the territories' totals; every
 * grid version, period and partition) of each place read so far, loaded on its first read; a
 * period's read adds up the rows of that period only.
 *
 * Only committed changes may show. A change is recorded as it is written, inside the writer's
 * transaction, stamped with the totals generation that transaction counts up in `settings`. A
 * read first reads the committed generation and applies, generation by generation, the last
 * change recorded with each one not above it: a transaction that rolled back left its
 * generations above the committed one, or reused by the next writer, recorded after it.
 */

export type SumsLevel = "world" | "country" | "region";
export interface SumsPlace {
  level: SumsLevel;
  country: string;
  region: string;
  /** The rows of one category ("": the territories' totals). */
  category: string;
  /** Only the rows of this period (start and end, every cycle of it); null: every period. */
  period: { start: string; end: string } | null;
  /** Only the rows of periods inside this range (a worldwide read of several periods). */
  range?: { from?: string | undefined; to?: string | undefined };
}

/** A change of one totals row, as the writer computes it (the scope in the tables' column order:
 * level, country, region, category, grid_id, grid_version, period_key, start, end, endorsed). */
export interface TotalsRowChange {
  scope: ReadonlyArray<string | number>;
  people: {
    participants: number;
    groups: number;
    territories: number;
    add: bigint;
    sub: bigint;
  } | null;
  cells: ReadonlyMap<string, { question: string; component: string; count: number }>;
}

interface SumsCell {
  question: Question;
  /** The figure's key of the cell (grid version and component). */
  key: string;
  count: number;
}
interface SumsRow {
  gridId: string;
  gridVersion: string;
  start: string;
  end: string;
  endorsed: number;
  /** Its counts by the place's cell slots (`LoadedPlace.slots`): what a period or range adds up. */
  vector: Float64Array;
  people: { participants: number; groups: number; territories: number; fingerprint: bigint } | null;
}
interface LoadedPlace {
  /** The committed generation it was read at: older changes are in it already. */
  at: number;
  rows: Map<string, SumsRow>;
  /**
   * Per grid version and partition, the sum of its rows over every period (a read of every
   * period adds these up: a handful however many periods the territories report on).
   */
  totals: Map<string, PeriodTotals>;
  /**
   * Each cell (grid version, question, component) met in the place, numbered: the rows' vectors
   * hold their counts at these slots, so a read of one period or a range adds up arrays of
   * numbers (a few hundred rows of ≈ 150 cells each, with periods spread over the year).
   */
  slots: Map<string, number>;
  slotCells: Array<{ question: Question; key: string }>;
}
/** What a read of every period adds up: the cells and people of the rows, summed. */
interface PeriodTotals {
  gridId: string;
  gridVersion: string;
  endorsed: number;
  cells: Map<string, SumsCell>;
  participants: number;
  groups: number;
  fingerprint: bigint;
}

const GENERATION_KEY = "aggregates.totals_generation";
/**
 * Recorded cell changes not yet applied past this: the mirror is dropped (and read again), so
 * that writes without reads (a long move between partitions) keep a bounded memory.
 */
const MAX_PENDING_CELLS = 100_000;

const placeKey = (level: unknown, country: unknown, region: unknown, category: unknown) =>
  `${level}\u0000${country}\u0000${region}\u0000${category}`;

export function createPlaceSums(
  sqlite: Database.Database,
  cellKey: (version: string, component: string) => string,
) {
  const stamp = sqlite.prepare(
    `insert into settings (key, value) values (?, '1')
     on conflict (key) do update set value = cast(value as integer) + 1 returning value`,
  );
  const generationRow = sqlite.prepare("select value from settings where key = ?");
  const cellsOf = sqlite.prepare(
    `select grid_id as gridId, grid_version as gridVersion, period_key as periodKey,
       period_start as start, period_end as end, endorsed, question, component, count
     from aggregate_cells where level = ? and country = ? and region = ? and category = ?`,
  );
  const peopleOf = sqlite.prepare(
    `select grid_id as gridId, grid_version as gridVersion, period_key as periodKey,
       period_start as start, period_end as end, endorsed, participants, groups, territories,
       fingerprint
     from aggregate_people where level = ? and country = ? and region = ? and category = ?`,
  );
  const places = new Map<string, LoadedPlace>();
  let pending: Array<{ generation: number; changes: TotalsRowChange[] }> = [];
  let pendingCells = 0;

  const committed = () =>
    Number((generationRow.get(GENERATION_KEY) as { value: string } | undefined)?.value ?? 0);

  /** The row of a loaded place for one (grid, version, period, partition). */
  interface RowScope {
    gridId: string;
    gridVersion: string;
    periodKey: string;
    start: string;
    end: string;
    endorsed: number;
  }
  const rowOf = (place: LoadedPlace, scope: RowScope) => {
    const { gridId, gridVersion, periodKey, start, end, endorsed } = scope;
    const key = `${gridId}\u0000${gridVersion}\u0000${periodKey}\u0000${endorsed}`;
    let row = place.rows.get(key);
    if (!row) {
      row = {
        gridId,
        gridVersion,
        start,
        end,
        endorsed,
        vector: new Float64Array(0),
        people: null,
      };
      place.rows.set(key, row);
    }
    return row;
  };

  /** Adds to a row's count of one cell in its vector (the slot numbered on first sight). */
  const addToVector = (
    place: LoadedPlace,
    row: SumsRow,
    question: string,
    component: string,
    count: number,
  ) => {
    const id = `${row.gridVersion}\u0000${question}\u0000${component}`;
    let slot = place.slots.get(id);
    if (slot === undefined) {
      slot = place.slotCells.length;
      place.slots.set(id, slot);
      place.slotCells.push({
        question: question as Question,
        key: cellKey(row.gridVersion, component),
      });
    }
    if (slot >= row.vector.length) {
      const grown = new Float64Array(Math.max(slot + 1, row.vector.length * 2, 16));
      grown.set(row.vector);
      row.vector = grown;
    }
    row.vector[slot] = (row.vector[slot] as number) + count;
  };

  /** The all-periods totals a row adds to. */
  const totalsOf = (place: LoadedPlace, row: SumsRow) => {
    const key = `${row.gridId}\u0000${row.gridVersion}\u0000${row.endorsed}`;
    let totals = place.totals.get(key);
    if (!totals) {
      totals = {
        gridId: row.gridId,
        gridVersion: row.gridVersion,
        endorsed: row.endorsed,
        cells: new Map(),
        participants: 0,
        groups: 0,
        fingerprint: 0n,
      };
      place.totals.set(key, totals);
    }
    return totals;
  };
  /** Adds a row's people (sign 1) or takes them back (-1) from its totals. */
  const tallyPeople = (totals: PeriodTotals, people: SumsRow["people"], sign: 1 | -1) => {
    if (!people) return;
    totals.participants += sign * people.participants;
    totals.groups += sign * people.groups;
    totals.fingerprint =
      sign > 0
        ? multisetAdd(totals.fingerprint, people.fingerprint)
        : multisetSubtract(totals.fingerprint, people.fingerprint);
  };

  /** Adds to the all-periods totals' count of one cell. */
  const addCell = (totals: PeriodTotals, question: string, component: string, count: number) => {
    const id = `${question}\u0000${component}`;
    const held = totals.cells.get(id);
    const n = (held?.count ?? 0) + count;
    if (n === 0) totals.cells.delete(id);
    else if (held) held.count = n;
    else
      totals.cells.set(id, {
        question: question as Question,
        key: cellKey(totals.gridVersion, component),
        count: n,
      });
  };

  const load = (place: SumsPlace): LoadedPlace => {
    const loaded: LoadedPlace = {
      at: committed(),
      rows: new Map(),
      totals: new Map(),
      slots: new Map(),
      slotCells: [],
    };
    const where = [place.level, place.country, place.region, place.category];
    for (const r of cellsOf.all(...where) as Array<
      RowScope & { question: string; component: string; count: number }
    >) {
      const row = rowOf(loaded, r);
      addToVector(loaded, row, r.question, r.component, r.count);
      addCell(totalsOf(loaded, row), r.question, r.component, r.count);
    }
    for (const r of peopleOf.all(...where) as Array<
      RowScope & {
        participants: number;
        groups: number;
        territories: number;
        fingerprint: string;
      }
    >) {
      rowOf(loaded, r).people = {
        participants: r.participants,
        groups: r.groups,
        territories: r.territories,
        fingerprint: r.fingerprint ? parseMultisetHex(r.fingerprint) : 0n,
      };
    }
    for (const row of loaded.rows.values()) tallyPeople(totalsOf(loaded, row), row.people, 1);
    places.set(placeKey(place.level, place.country, place.region, place.category), loaded);
    return loaded;
  };

  /** One committed change on a loaded place, as the writer did it on the tables. */
  const apply = (generation: number, change: TotalsRowChange) => {
    const [level, country, region, category, gridId, gridVersion, periodKey, start, end, endorsed] =
      change.scope;
    const place = places.get(placeKey(level, country, region, category));
    if (!place || generation <= place.at) return;
    const row = rowOf(place, {
      gridId: String(gridId),
      gridVersion: String(gridVersion),
      periodKey: String(periodKey),
      start: String(start),
      end: String(end),
      endorsed: Number(endorsed),
    });
    const totals = totalsOf(place, row);
    for (const cell of change.cells.values()) {
      if (cell.count === 0) continue;
      addToVector(place, row, cell.question, cell.component, cell.count);
      addCell(totals, cell.question, cell.component, cell.count);
    }
    const p = change.people;
    if (!p || (p.territories === 0 && p.participants === 0 && p.groups === 0 && p.add === p.sub)) {
      return;
    }
    const held = row.people;
    const territories = (held?.territories ?? 0) + p.territories;
    tallyPeople(totals, held, -1);
    row.people =
      territories <= 0
        ? null
        : {
            participants: (held?.participants ?? 0) + p.participants,
            groups: (held?.groups ?? 0) + p.groups,
            territories,
            fingerprint: multisetSubtract(multisetAdd(held?.fingerprint ?? 0n, p.add), p.sub),
          };
    tallyPeople(totals, row.people, 1);
  };

  /** Applies the committed changes recorded since the last read; drops the rolled-back ones. */
  const settle = () => {
    if (pending.length === 0) return;
    const generation = committed();
    const last = new Map<number, TotalsRowChange[]>();
    for (const recorded of pending) last.set(recorded.generation, recorded.changes);
    pending = [];
    pendingCells = 0;
    for (const [g, changes] of [...last].sort(([a], [b]) => a - b)) {
      if (g > generation) continue;
      for (const change of changes) apply(g, change);
    }
  };

  const forget = () => {
    places.clear();
    pending = [];
    pendingCells = 0;
  };

  return {
    /** Called by the writer with the rows it changes, inside its transaction. */
    record(rows: Iterable<TotalsRowChange>) {
      if (places.size === 0) return;
      const changes = [...rows].filter((row) =>
        places.has(placeKey(row.scope[0], row.scope[1], row.scope[2], row.scope[3])),
      );
      if (changes.length === 0) return;
      const generation = Number((stamp.get(GENERATION_KEY) as { value: string }).value);
      pending.push({ generation, changes });
      for (const change of changes) pendingCells += change.cells.size + 1;
      if (pendingCells > MAX_PENDING_CELLS) forget();
    },

    /**
     * Applies the changes committed so far to the mirror and lets go of them (a writer that
     * goes on without reads calls it between its transactions). Outside write transactions only.
     */
    catchUp: () => {
      // Inside a transaction the generation read would count its own uncommitted changes.
      if (!sqlite.inTransaction) settle();
    },

    /** The tables were rewritten another way (a rebuild): everything is read again. */
    forget,

    /**
     * A place's sums over the given grid versions and partitions (one question, or all): what
     * the grouped sum of its rows gives. Read outside write transactions only.
     */
    sum(
      place: SumsPlace,
      gridId: string,
      versions: readonly string[],
      partitions: readonly number[],
      question?: string,
    ) {
      settle();
      const loaded =
        places.get(placeKey(place.level, place.country, place.region, place.category)) ??
        load(place);
      const { period, range } = place;
      const sums = new Map<Question, Map<string, number>>();
      let participants = 0;
      let groups = 0;
      let fingerprint = 0n;
      const add = (q: Question, key: string, n: number) => {
        if (question && q !== question) return;
        let cells = sums.get(q);
        if (!cells) {
          cells = new Map();
          sums.set(q, cells);
        }
        cells.set(key, (cells.get(key) ?? 0) + n);
      };
      const addPeople = (
        people: Omit<PeriodTotals, "gridId" | "gridVersion" | "endorsed" | "cells">,
      ) => {
        participants += people.participants;
        groups += people.groups;
        fingerprint = multisetAdd(fingerprint, people.fingerprint);
      };
      const counts = (row: { gridId: string; gridVersion: string; endorsed: number }) =>
        row.gridId === gridId &&
        versions.includes(row.gridVersion) &&
        partitions.includes(row.endorsed);
      const from = range?.from;
      const to = range?.to;
      if (!period && from === undefined && to === undefined) {
        // Every period: each version and partition's totals.
        for (const totals of loaded.totals.values()) {
          if (!counts(totals)) continue;
          for (const cell of totals.cells.values()) add(cell.question, cell.key, cell.count);
          addPeople(totals);
        }
        return { sums, participants, groups, fingerprint };
      }
      // One period, or the periods inside a range: their rows' vectors, added up.
      const inScope = period
        ? (r: SumsRow) => r.start === period.start && r.end === period.end
        : (r: SumsRow) =>
            (from === undefined || r.start >= from) && (to === undefined || r.end <= to);
      const sum = new Float64Array(loaded.slotCells.length);
      for (const row of loaded.rows.values()) {
        if (!inScope(row) || !counts(row)) continue;
        const { vector } = row;
        for (let slot = 0; slot < vector.length; slot++) {
          sum[slot] = (sum[slot] as number) + (vector[slot] as number);
        }
        if (row.people) addPeople(row.people);
      }
      for (let slot = 0; slot < sum.length; slot++) {
        const n = sum[slot] as number;
        if (n === 0) continue;
        const cell = loaded.slotCells[slot] as { question: Question; key: string };
        add(cell.question, cell.key, n);
      }
      return { sums, participants, groups, fingerprint };
    },
  };
}

export type PlaceSums = ReturnType<typeof createPlaceSums>;
