import {
  type AggregateFilter,
  aggregate,
  dimensionSubtotals,
  type ExcludedVersion,
  type ExclusionReason,
  emptyState,
  entryKey,
  fingerprintOf,
  type GridCatalog,
  type GridLevels,
  gridLevels,
  type IncludedVersion,
  type LevelPlan,
  levelElement,
  mergeRecords,
  multisetAdd,
  multisetHex,
  multisetSubtract,
  parseMultisetHex,
  payloadCells,
  plausibilityOutliers,
  QUESTIONS,
  type Question,
  type SynthesisPayload,
  sharedLevel,
  versionElement,
} from "@spiral-network/protocol";
import type { Statement } from "better-sqlite3";
import { and, eq, inArray } from "drizzle-orm";
import { boundedMemo } from "../bounded-memo";
import { changeStamp } from "../db/change-stamp";
import { aggregateEntries, settings } from "../db/schema";
import type { ServiceContext } from "./context";
import {
  createFigureCoverage,
  emptyPlace,
  implausibleOf,
  overlapLosers,
  type Place,
  type SlicePeriod,
  unchangedThrough,
} from "./figure-coverage";
import { createPeriodLists } from "./period-lists";
import { createPlaceSums, type SumsPlace } from "./place-sums";

export type TrustScope = "verified" | "endorsed";
type EntryRow = typeof aggregateEntries.$inferSelect;
type Level = "world" | "country" | "region";

/** What an entry of the aggregation state is made of, as the sources (received, own) say. */
export interface EntrySource {
  origin: string;
  periodKey: string;
  version: number;
  /** The hashes held for that version (several = conflicted), and the payload of the smallest. */
  hashes: string[];
  payload: SynthesisPayload;
  withdrawn: boolean;
  local: boolean;
  via: string | null;
}

export interface AggregateQuery extends AggregateFilter {
  scope: TrustScope;
  robust: boolean;
}

/** Which window of the coverage lists an answer carries (both lists, each from `offset`). */
export interface CoveragePage {
  offset: number;
  limit: number;
}

/** How many versions a figure includes, and excludes for each reason (the whole lists, not a page). */
export interface CoverageCounts {
  included: number;
  excluded: Record<ExclusionReason, number>;
}

export interface AggregateResult {
  scope: TrustScope;
  robust: boolean;
  filter: AggregateFilter;
  counts: Partial<Record<Question, Record<string, number>>>;
  dimensions: Partial<Record<Question, Record<string, number>>>;
  totals: { criteria: number; byQuestion: Partial<Record<Question, number>> };
  participants: number;
  groups: number;
  territories: number;
  /** The coverage lists, sorted by (origin, periodKey); a window of them when a page was asked. */
  coverage: { included: IncludedVersion[]; excluded: ExcludedVersion[] };
  coverageCounts: CoverageCounts;
  flagged: string[];
  fingerprint: string;
  /** Present when the figure spans several grid versions: the level each counted at. */
  gridLevels?: GridLevels;
}

/**
 * What the persisted figures state is made of. Stored in `settings` under DEFINITION_KEY: a node
 * that finds another value (an older node's database) rebuilds the totals once from the entries.
 * 2: totals in endorsed/other partitions, multiset-hash fingerprints per row, categories column.
 */
const DEFINITION = "2";
const DEFINITION_KEY = "aggregates.definition";

/** The accepted follows at one stamp of `following` (`changeStamp`), and their canonical form. */
interface Follows {
  stamp: string;
  followed: ReadonlySet<string>;
  signature: string;
}

/** The reasons in the order coverage lists them for a count (every reason present, maybe 0). */
const noExclusions = (): Record<ExclusionReason, number> => ({
  untrusted: 0,
  conflicted: 0,
  "other-grid-version": 0,
  overlapping: 0,
  implausible: 0,
});

/**
 * One entry of the in-memory index: the columns of `aggregate_entries` a read needs, without
 * the payload (counts stay in SQLite), and the entry's fingerprint element.
 */
interface IndexEntry {
  key: string;
  origin: string;
  periodKey: string;
  start: string;
  end: string;
  version: number;
  hash: string;
  conflicted: boolean;
  local: boolean;
  via: string | null;
  name: string;
  country: string;
  region: string;
  gridId: string;
  gridVersion: string;
  participants: number;
  criteria: number;
  categories: readonly string[];
  endorsed: boolean;
  /** `versionElement` of (origin, periodKey, version, hash): what it adds to a fingerprint. */
  element: bigint;
  /** Its origin's trust as the coverage last saw it (figure-coverage.ts writes it). */
  originTrusted: boolean;
}

/** What one entry adds to the totals, per category ("" = the territory's totals). */
interface Contribution {
  category: string;
  participants: number;
  groups: number;
  cells: Array<{ question: Question; component: string; count: number }>;
}

const placesOf = (entry: {
  country: string;
  region: string;
}): Array<{ level: Level; country: string; region: string }> => [
  { level: "world", country: "", region: "" },
  { level: "country", country: entry.country, region: "" },
  { level: "region", country: entry.country, region: entry.region },
];

/** The breakdowns an entry's payload adds: its territory totals and each published category. */
function contributionsOf(payload: SynthesisPayload): Contribution[] {
  return [
    {
      category: "",
      participants: payload.participants,
      groups: payload.groups,
      cells: payloadCells(payload),
    },
    ...(payload.categories ?? []).map((c) => ({
      category: c.category,
      participants: c.participants,
      groups: c.groups,
      cells: payloadCells(payload, { category: c.category }),
    })),
  ];
}

const indexColumns = {
  origin: aggregateEntries.origin,
  periodKey: aggregateEntries.periodKey,
  periodStart: aggregateEntries.periodStart,
  periodEnd: aggregateEntries.periodEnd,
  version: aggregateEntries.version,
  hash: aggregateEntries.hash,
  conflicted: aggregateEntries.conflicted,
  withdrawn: aggregateEntries.withdrawn,
  local: aggregateEntries.local,
  via: aggregateEntries.via,
  name: aggregateEntries.name,
  country: aggregateEntries.country,
  region: aggregateEntries.region,
  gridId: aggregateEntries.gridId,
  gridVersion: aggregateEntries.gridVersion,
  participants: aggregateEntries.participants,
  criteria: aggregateEntries.criteria,
  categories: aggregateEntries.categories,
  endorsed: aggregateEntries.endorsed,
};
type IndexRow = Pick<EntryRow, keyof typeof indexColumns>;

function indexEntry(row: IndexRow, element = versionElement): IndexEntry {
  return {
    key: entryKey(row.origin, row.periodKey),
    origin: row.origin,
    periodKey: row.periodKey,
    start: row.periodStart,
    end: row.periodEnd,
    version: row.version,
    hash: row.hash,
    conflicted: row.conflicted,
    local: row.local,
    via: row.via,
    name: row.name,
    country: row.country,
    region: row.region,
    gridId: row.gridId,
    gridVersion: row.gridVersion,
    participants: row.participants,
    criteria: row.criteria,
    categories: row.categories,
    endorsed: row.endorsed,
    element: element(row),
    // Set as the coverage takes the entry in (figure-coverage.ts).
    originTrusted: false,
  };
}

/** A cell of one grid version, before the versions are brought to their shared level. */
const cellKey = (version: string, component: string) => `${version}\u0000${component}`;
/** The component of a cell key (one grid version's figure keys its cells by component). */
const componentOfKey = (key: string) => key.slice(key.indexOf("\u0000") + 1);
const splitCellKey = (key: string): [string, string] => {
  const at = key.indexOf("\u0000");
  return [key.slice(0, at), key.slice(at + 1)];
};

const restricts = (list: readonly string[] | undefined): list is readonly string[] =>
  list !== undefined && list.length > 0;

/**
 * How long one transaction of a repartition may hold the event loop (ms): a request that comes
 * in meanwhile waits at most about this long. Each chunk moves as many entries as fit in it,
 * by the cost per entry the chunks before measured (it grows on a busy machine).
 */
export const MOVE_BUDGET_MS = 50;
/** The cost per entry assumed before a chunk was measured (a large synthesis's, on 2 cores). */
export const INITIAL_MOVE_COST_MS = 10;
/** The most entries one transaction moves, however cheap they are. */
export const MAX_MOVE_CHUNK = 200;
/** Coverage windows remembered per place (reads asking other windows, pages, scopes). */
const MAX_WINDOW_MEMOS = 8;

/** Entries the next chunk of a repartition moves, for a cost of `costMs` each: 1 at least. */
export function moveChunkSize(costMs: number): number {
  if (!(costMs > 0)) return MAX_MOVE_CHUNK;
  return Math.max(1, Math.min(MAX_MOVE_CHUNK, Math.floor(MOVE_BUDGET_MS / costMs)));
}

/** The cost per entry after a chunk measured `measuredMs` per entry (half old, half new). */
export function learntMoveCost(previousMs: number, measuredMs: number): number {
  return Number.isFinite(measuredMs) && measuredMs >= 0
    ? (previousMs + measuredMs) / 2
    : previousMs;
}

/** The protocol's scope test (`inScope` of protocol/src/aggregation.ts) on an index entry. */
function matches(entry: IndexEntry, filter: AggregateFilter): boolean {
  if (restricts(filter.countries) && !filter.countries.includes(entry.country)) return false;
  if (restricts(filter.regions) && (entry.region === "" || !filter.regions.includes(entry.region)))
    return false;
  if (filter.periodFrom !== undefined && entry.start < filter.periodFrom) return false;
  if (filter.periodTo !== undefined && entry.end > filter.periodTo) return false;
  if (restricts(filter.categories)) {
    const wanted = filter.categories;
    if (!entry.categories.some((c) => wanted.includes(c))) return false;
  }
  return true;
}

const byEntryKey = (a: IndexEntry, b: IndexEntry) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Index of the first key ≥ `key` in a sorted array (code-unit order, as `Array#sort`). */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((keys[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Network aggregates (docs/protocol.md §10, docs/architecture.md "Figures"). The state — the
 * latest synthesis per origin and period, own territories included — lives in
 * `aggregate_entries`. Everything a figure adds up is kept incrementally inside the transaction
 * that changed the state: `aggregate_cells` (counts) and `aggregate_people` (participants,
 * groups, number of versions and their multiset-hash fingerprint) rolled up per level, place,
 * category, grid, period and trust partition (endorsed or not). Applying a version writes only
 * the rows whose totals it changes.
 *
 * A read scans a compact in-memory index of the entries (no payloads) to decide the coverage —
 * scope, exclusions, overlaps, plausibility — then sums the rows of the filter and corrects them
 * for the few entries the rows hold but the figure leaves out (overlapping, implausible in the
 * robust figure, or whose trust differs from their partition). The fingerprint is the sum of
 * the rows' hashes with the same corrections, so no figure is recomputed from the payloads.
 *
 * Entries enter only through `apply` (one (origin, period) brought in line with its sources):
 * a pre-aggregation step plugs in there, by handing `apply` the entry as it should count.
 *
 * Entries of other grid versions keep their own codes in the rows: with `knownGrids`, a read
 * sums the rows of each known version of the figure's grid that has entries in scope, keyed by
 * version, and re-keys them
 * at the level the included versions share (docs/architecture.md, "Figures state"), which
 * depends on the versions included and the grids known, not on any one entry.
 */
export function createAggregateService(ctx: ServiceContext, knownGrids?: () => GridCatalog) {
  const sqlite = ctx.storage.sqlite;
  let generation = 0;

  /**
   * The level plans of the catalog in use, by the versions a figure includes: computed once per
   * set of versions (the catalog is rebuilt only when the versions held change).
   */
  let plansOf: GridCatalog | null = null;
  const plans = boundedMemo<string, LevelPlan | null>(100);
  const planFor = (grids: GridCatalog, gridId: string, versions: ReadonlySet<string>) => {
    if (versions.size < 2) return null;
    if (plansOf !== grids) {
      plansOf = grids;
      plans.clear();
    }
    const key = `${gridId}\n${[...versions].sort().join("\n")}`;
    return plans.get(key, () => sharedLevel(grids, gridId, versions));
  };

  // ---------------------------------------------------------------------------------------
  // Persisted totals

  /** The columns that place a row (both tables), in the order of their primary keys. */
  const scopeColumns =
    "level, country, region, category, grid_id, grid_version, period_key, period_start, period_end, endorsed";
  const cellsKey =
    "level, country, region, category, grid_id, grid_version, period_key, endorsed, question, component";
  /** Cells written per statement: a large delta goes in groups of rows (fewer native calls). */
  const CELLS_PER_STATEMENT = 50;
  const upsertCellsText = (rows: number) =>
    `insert into aggregate_cells (${scopeColumns}, question, component, count)
     values ${Array.from({ length: rows }, () => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}
     on conflict (${cellsKey}) do update set count = count + excluded.count`;
  const upsertCell = sqlite.prepare(upsertCellsText(1));
  const upsertCells = sqlite.prepare(upsertCellsText(CELLS_PER_STATEMENT));
  const dropEmptyCells = sqlite.prepare("delete from aggregate_cells where count = 0");
  /** The read places' rows summed in memory, kept in step with what commits (place-sums.ts). */
  const placeSums = createPlaceSums(sqlite, cellKey);
  const peopleWhere = `level = ? and country = ? and region = ? and category = ?
     and grid_id = ? and grid_version = ? and period_key = ? and endorsed = ?`;
  const getPeople = sqlite.prepare(
    `select participants, groups, territories, fingerprint from aggregate_people where ${peopleWhere}`,
  );
  const putPeople = sqlite.prepare(
    `insert into aggregate_people (${scopeColumns}, participants, groups, territories, fingerprint)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (level, country, region, category, grid_id, grid_version, period_key, endorsed)
     do update set participants = excluded.participants, groups = excluded.groups,
       territories = excluded.territories, fingerprint = excluded.fingerprint`,
  );
  const deletePeople = sqlite.prepare(`delete from aggregate_people where ${peopleWhere}`);

  /** The rows an entry counts in (its place at each level, grid, period, partition). */
  interface Counted {
    country: string;
    region: string;
    gridId: string;
    gridVersion: string;
    periodKey: string;
    periodStart: string;
    periodEnd: string;
    endorsed: boolean;
    element: bigint;
    contributions: Contribution[];
  }

  /** What `countedOf` reads of an entry. */
  type CountedRow = Pick<
    EntryRow,
    | "origin"
    | "periodKey"
    | "periodStart"
    | "periodEnd"
    | "version"
    | "hash"
    | "country"
    | "region"
    | "gridId"
    | "gridVersion"
    | "payload"
  >;

  /**
   * `versionElement` by its inputs, for the last 1 000 versions (one SHA-256 each): applying a
   * version and the index's re-read of it after the commit compute the same one.
   */
  const elements = boundedMemo<string, bigint>(1_000);
  const elementOf = (ref: Parameters<typeof versionElement>[0]): bigint =>
    elements.get(`${ref.origin}\n${ref.periodKey}\n${ref.version}\n${ref.hash}`, () =>
      versionElement(ref),
    );

  const countedOf = (
    row: CountedRow,
    endorsed: boolean,
    contributions: Contribution[] = contributionsOf(row.payload),
  ): Counted => ({
    country: row.country,
    region: row.region,
    gridId: row.gridId,
    gridVersion: row.gridVersion,
    periodKey: row.periodKey,
    periodStart: row.periodStart,
    periodEnd: row.periodEnd,
    endorsed,
    element: elementOf(row),
    contributions,
  });

  /** Separates the parts of a row's key (sorts below every other character). */
  const SEP = "\u0000";

  /** What changes in one row of `aggregate_people` (or, per entry place, before the levels). */
  interface PeopleDelta {
    /** The row's scope columns, in the order of `scopeColumns`. */
    scope: Array<string | number>;
    participants: number;
    groups: number;
    territories: number;
    add: bigint;
    sub: bigint;
  }
  interface CellDelta {
    question: string;
    component: string;
    count: number;
  }
  const peopleUnchanged = (p: PeopleDelta) =>
    p.territories === 0 && p.participants === 0 && p.groups === 0 && p.add === p.sub;

  /**
   * What `before` and `after` change, per place of an entry, partition and category, before
   * the levels: a new version of the same place mostly cancels out here (a few cells change).
   */
  const placeDeltas = (before: readonly Counted[], after: readonly Counted[]) => {
    const deltas = new Map<
      string,
      { counted: Counted; category: string; people: PeopleDelta; cells: Map<string, CellDelta> }
    >();
    const collect = (counted: Counted, sign: 1 | -1) => {
      const base = `${counted.country}${SEP}${counted.region}${SEP}${counted.gridId}${SEP}${counted.gridVersion}${SEP}${counted.periodKey}${SEP}${counted.endorsed ? 1 : 0}`;
      for (const contribution of counted.contributions) {
        const key = `${base}${SEP}${contribution.category}`;
        let delta = deltas.get(key);
        if (!delta) {
          delta = {
            counted,
            category: contribution.category,
            people: { scope: [], participants: 0, groups: 0, territories: 0, add: 0n, sub: 0n },
            cells: new Map(),
          };
          deltas.set(key, delta);
        }
        const { people, cells } = delta;
        people.participants += sign * contribution.participants;
        people.groups += sign * contribution.groups;
        people.territories += sign;
        if (sign > 0) people.add = multisetAdd(people.add, counted.element);
        else people.sub = multisetAdd(people.sub, counted.element);
        for (const cell of contribution.cells) {
          const cellKey = `${cell.question}${SEP}${cell.component}`;
          const held = cells.get(cellKey);
          if (held) held.count += sign * cell.count;
          else cells.set(cellKey, { ...cell, count: sign * cell.count });
        }
      }
    };
    for (const counted of before) collect(counted, -1);
    for (const counted of after) collect(counted, 1);
    return deltas.values();
  };

  /** What changes in one row: its people (if they change) and its cells, by question/component. */
  interface RowDelta {
    scope: Array<string | number>;
    people: PeopleDelta | null;
    cells: Map<string, CellDelta>;
  }

  /**
   * The difference between what `before` and `after` add to the totals, per row: each place
   * delta rolled up to its three levels, keyed in the order of the tables' primary keys.
   */
  const rowDeltas = (before: readonly Counted[], after: readonly Counted[]) => {
    const rows = new Map<string, RowDelta>();
    for (const { counted, category, people: placePeople, cells: placeCells } of placeDeltas(
      before,
      after,
    )) {
      const changed = [...placeCells].filter(([, cell]) => cell.count !== 0);
      const peopleChange = !peopleUnchanged(placePeople);
      if (!peopleChange && changed.length === 0) continue;
      const endorsed = counted.endorsed ? 1 : 0;
      for (const place of placesOf(counted)) {
        const rowKey = `${place.level}${SEP}${place.country}${SEP}${place.region}${SEP}${category}${SEP}${counted.gridId}${SEP}${counted.gridVersion}${SEP}${counted.periodKey}${SEP}${endorsed}`;
        let row = rows.get(rowKey);
        if (!row) {
          const scope = [
            place.level,
            place.country,
            place.region,
            category,
            counted.gridId,
            counted.gridVersion,
            counted.periodKey,
            counted.periodStart,
            counted.periodEnd,
            endorsed,
          ];
          row = { scope, people: null, cells: new Map() };
          rows.set(rowKey, row);
        }
        if (peopleChange) {
          const held = row.people;
          if (held) {
            held.participants += placePeople.participants;
            held.groups += placePeople.groups;
            held.territories += placePeople.territories;
            held.add = multisetAdd(held.add, placePeople.add);
            held.sub = multisetAdd(held.sub, placePeople.sub);
          } else row.people = { ...placePeople, scope: row.scope };
        }
        for (const [cellKey, cell] of changed) {
          const held = row.cells.get(cellKey);
          if (held) held.count += cell.count;
          else row.cells.set(cellKey, { ...cell });
        }
      }
    }
    return rows;
  };

  /** The values of a map in the order of its keys (the primary key's: neighbours share pages). */
  const inKeyOrder = <T>(map: Map<string, T>): T[] =>
    [...map.keys()].sort().map((key) => map.get(key) as T);

  /**
   * Writes the difference between what `before` and `after` add to the totals: a new version of
   * the same place changes few cells, and only those are written; many entries at once (a change
   * of follows, a rebuild) add up in memory first and each row is written once, in key order.
   */
  const writeDelta = (before: readonly Counted[], after: readonly Counted[]) => {
    const deltas = rowDeltas(before, after);
    placeSums.record(deltas.values());
    const rows = inKeyOrder(deltas);
    const changed: Array<string | number>[] = [];
    let negative = false;
    for (const row of rows) {
      for (const cell of inKeyOrder(row.cells)) {
        if (cell.count === 0) continue;
        if (cell.count < 0) negative = true;
        changed.push([...row.scope, cell.question, cell.component, cell.count]);
      }
    }
    let at = 0;
    for (; at + CELLS_PER_STATEMENT <= changed.length; at += CELLS_PER_STATEMENT) {
      upsertCells.run(changed.slice(at, at + CELLS_PER_STATEMENT).flat());
    }
    for (; at < changed.length; at++) upsertCell.run(changed[at]);
    if (negative) dropEmptyCells.run();
    for (const { people: p } of rows) {
      if (!p || peopleUnchanged(p)) continue;
      const key = [...p.scope.slice(0, 7), p.scope[9]];
      const held = getPeople.get(key) as
        | { participants: number; groups: number; territories: number; fingerprint: string }
        | undefined;
      const territories = (held?.territories ?? 0) + p.territories;
      if (territories <= 0) {
        deletePeople.run(key);
        continue;
      }
      const sum = multisetSubtract(
        multisetAdd(held?.fingerprint ? parseMultisetHex(held.fingerprint) : 0n, p.add),
        p.sub,
      );
      putPeople.run([
        ...p.scope,
        (held?.participants ?? 0) + p.participants,
        (held?.groups ?? 0) + p.groups,
        territories,
        multisetHex(sum),
      ]);
    }
  };

  /** Whether an entry counts in the totals at all (trust and filters aside). */
  const countsInTotals = (row: { conflicted: boolean; withdrawn: boolean }) =>
    !row.conflicted && !row.withdrawn;

  // ---------------------------------------------------------------------------------------
  // Endorsement: which partition an entry is counted in

  const acceptedTargets = sqlite.prepare("select target from following where state = 'accepted'");
  // The accepted follows are read again only after `following` may have changed (a write of a
  // follow's target or state, here or by another connection): the follows kept are committed
  // ones only, read outside a transaction.
  const followsStamp = changeStamp(sqlite, "following", ["target", "state"]);
  let kept: Follows | null = null;
  const currentFollows = (): Follows => {
    const stamp = followsStamp();
    if (kept?.stamp === stamp) return kept;
    const followed = new Set(
      (acceptedTargets.all() as Array<{ target: string }>).map((r) => r.target),
    );
    const read = { stamp, followed, signature: [...followed].sort().join("\n") };
    if (!sqlite.inTransaction) kept = read;
    return read;
  };
  const followedNow = () => currentFollows().followed;
  const endorsedBy = (
    followed: ReadonlySet<string>,
    entry: { origin: string; local: boolean; via: string | null },
  ) => entry.local || followed.has(entry.origin) || (entry.via !== null && followed.has(entry.via));
  /** The accepted follows the partitions were last reconciled with (null: not this run). */
  let reconciledWith: string | null = null;

  // One entry read and written on prepared statements (the path of every applied version).
  const entryColumns = `origin, period_key as periodKey, period_start as periodStart,
    period_end as periodEnd, version, hash, hashes, conflicted, withdrawn, local, via, endorsed,
    categories, name, country, region, grid_id as gridId, grid_version as gridVersion,
    participants, groups, criteria, payload`;
  const selectEntry = sqlite.prepare(
    `select ${entryColumns} from aggregate_entries where origin = ? and period_key = ?`,
  );
  /** An entry as SQLite returns it: booleans as 0/1, JSON columns as text. */
  type RawEntry = Omit<
    EntryRow,
    "hashes" | "conflicted" | "withdrawn" | "local" | "endorsed" | "categories" | "payload"
  > & {
    hashes: string;
    conflicted: number;
    withdrawn: number;
    local: number;
    endorsed: number;
    categories: string;
    payload: string;
  };
  const entryOf = (raw: RawEntry): EntryRow => ({
    ...raw,
    hashes: JSON.parse(raw.hashes) as string[],
    conflicted: raw.conflicted === 1,
    withdrawn: raw.withdrawn === 1,
    local: raw.local === 1,
    endorsed: raw.endorsed === 1,
    categories: JSON.parse(raw.categories) as string[],
    payload: JSON.parse(raw.payload) as SynthesisPayload,
  });
  const selectRow = (origin: string, periodKey: string): EntryRow | undefined => {
    const raw = selectEntry.get(origin, periodKey) as RawEntry | undefined;
    return raw ? entryOf(raw) : undefined;
  };
  const entryWritten = [
    "period_start",
    "period_end",
    "version",
    "hash",
    "hashes",
    "conflicted",
    "withdrawn",
    "local",
    "via",
    "endorsed",
    "categories",
    "name",
    "country",
    "region",
    "grid_id",
    "grid_version",
    "participants",
    "groups",
    "criteria",
    "payload",
  ];
  const putEntry = sqlite.prepare(
    `insert into aggregate_entries (origin, period_key, ${entryWritten.join(", ")})
     values (${["origin", "period_key", ...entryWritten].map(() => "?").join(", ")})
     on conflict (origin, period_key) do update set
       ${entryWritten.map((column) => `${column} = excluded.${column}`).join(", ")}`,
  );
  const writeEntry = (row: EntryRow) =>
    putEntry.run(
      row.origin,
      row.periodKey,
      row.periodStart,
      row.periodEnd,
      row.version,
      row.hash,
      JSON.stringify(row.hashes),
      row.conflicted ? 1 : 0,
      row.withdrawn ? 1 : 0,
      row.local ? 1 : 0,
      row.via,
      row.endorsed ? 1 : 0,
      JSON.stringify(row.categories),
      row.name,
      row.country,
      row.region,
      row.gridId,
      row.gridVersion,
      row.participants,
      row.groups,
      row.criteria,
      JSON.stringify(row.payload),
    );
  const deleteEntry = sqlite.prepare(
    "delete from aggregate_entries where origin = ? and period_key = ?",
  );

  const setEndorsed = sqlite.prepare(
    "update aggregate_entries set endorsed = ? where origin = ? and period_key = ?",
  );
  /** Entries whose totals are written together in a rebuild (sorted by place). */
  const BATCH = 500;
  const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  /** Entries of one region (and period) side by side: a batch then writes each row once. */
  const byPlace = <
    T extends { country: string; region: string; periodKey: string; origin: string },
  >(
    a: T,
    b: T,
  ) =>
    compareText(a.country, b.country) ||
    compareText(a.region, b.region) ||
    compareText(a.periodKey, b.periodKey) ||
    compareText(a.origin, b.origin);

  /**
   * Moves these entries to the partition `followed` places them in, in one transaction: what
   * they move adds up in memory and each row is written once. An entry already in place (applied
   * since, under the same follows) is left alone. Returns how many moved.
   */
  const moveEntries = (
    entries: ReadonlyArray<{ origin: string; periodKey: string }>,
    followed: ReadonlySet<string>,
  ): number => {
    const moved: Array<{ key: string; endorsed: boolean }> = [];
    sqlite.transaction(() => {
      const before: Counted[] = [];
      const after: Counted[] = [];
      for (const entry of entries) {
        const row = selectRow(entry.origin, entry.periodKey);
        if (!row) continue;
        const endorsed = endorsedBy(followed, row);
        if (endorsed === row.endorsed) continue;
        if (countsInTotals(row)) {
          const counted = countedOf(row, row.endorsed);
          before.push(counted);
          after.push({ ...counted, endorsed });
        }
        setEndorsed.run(endorsed ? 1 : 0, row.origin, row.periodKey);
        moved.push({ key: entryKey(row.origin, row.periodKey), endorsed });
      }
      writeDelta(before, after);
    })();
    // Committed: the index follows (an entry changed since is re-read from the database anyway).
    for (const { key, endorsed } of moved) {
      const entry = index?.get(key);
      if (!entry || entry.endorsed === endorsed) continue;
      countOrigin(entry, -1);
      entry.endorsed = endorsed;
      countOrigin(entry, 1);
    }
    if (moved.length > 0) generation++;
    return moved.length;
  };

  // A change of follows moves entries between the partitions in the background, a chunk per
  // transaction with the event loop free in between: no read waits for it. Until it is done a
  // read answers from the partitions as they are, corrected for the entries not moved yet (the
  // trust decision comes from the follows, see `endorsement`), so the figure is exact meanwhile.

  /** What moving one entry costs, in ms, as the last chunks measured it (sizes the next one). */
  let moveCostMs = INITIAL_MOVE_COST_MS;
  /** The repartition under way: the follows it places entries by, what is left to move. */
  let pending: {
    signature: string;
    followed: ReadonlySet<string>;
    entries: IndexEntry[];
    at: number;
  } | null = null;
  let scheduled = false;
  let settled: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];

  /** The entries the follows place in another partition than the one they are counted in. */
  const misplaced = (followed: ReadonlySet<string>) =>
    [...loadIndex().values()]
      .filter((entry) => endorsedBy(followed, entry) !== entry.endorsed)
      .sort(byPlace);

  /**
   * One step of the repartition: (re)plans it when the follows differ from the ones it was
   * planned with, or moves its next chunk. Returns whether more is left to do.
   */
  const repartitionStep = (): boolean => {
    const { followed, signature } = currentFollows();
    if (signature === reconciledWith) {
      pending = null;
      return false;
    }
    if (pending?.signature !== signature) {
      // Entries are about to move: the partitions no longer agree with the follows they were
      // reconciled with (follows undone before the move ends make it move the entries back).
      // Planning (a pass over the index, sorted) is a step of its own: the event loop runs
      // between it and the first chunk.
      reconciledWith = null;
      pending = { signature, followed, entries: misplaced(followed), at: 0 };
      if (pending.entries.length > 0) return true;
    }
    const size = moveChunkSize(moveCostMs);
    const chunk = pending.entries.slice(pending.at, pending.at + size);
    if (chunk.length > 0) {
      const started = performance.now();
      const moved = moveEntries(chunk, pending.followed);
      // Committed: the in-memory sums take the chunk in now, not at the next read (a move of
      // thousands of entries would otherwise hold every chunk's changes until then).
      placeSums.catchUp();
      // Per entry moved: entries found in place (applied since the plan) cost next to nothing,
      // and chunks of them would otherwise teach a cost that lets the next chunks grow to the
      // cap whatever moving costs. A chunk that moved nothing teaches nothing.
      if (moved > 0) {
        moveCostMs = learntMoveCost(moveCostMs, (performance.now() - started) / moved);
      }
    }
    pending.at += chunk.length;
    if (pending.at < pending.entries.length) return true;
    reconciledWith = signature;
    pending = null;
    return false;
  };

  /** Tells who waits for the repartition that it is done (or failed: `error`). */
  const wake = (error?: unknown) => {
    const waiting = settled;
    settled = [];
    for (const { resolve, reject } of waiting) {
      if (error === undefined) resolve();
      else reject(error);
    }
  };
  /** Runs the repartition chunk by chunk on the event loop, until the follows are met. */
  const scheduleRepartition = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      // The node closed meanwhile: nothing to do any more.
      if (!sqlite.open) return wake();
      try {
        // Never inside a caller's transaction (uncommitted rows would enter the index).
        if (sqlite.inTransaction || repartitionStep()) scheduleRepartition();
        else wake();
      } catch (error) {
        // A chunk that failed rolled back whole: reads stay exact (corrected), the next read or
        // change of follows starts the move again; whoever waits for it learns why it stopped.
        pending = null;
        wake(error);
      }
    });
  };

  /** Whether the partitions are known to agree with the follows of now (no move pending). */
  const reconciled = () => currentFollows().signature === reconciledWith;

  /** The origins the follows of now endorse (while a repartition is under way), by generation. */
  let trustCache: { key: string; origins: ReadonlySet<string> } | null = null;
  const endorsedOrigins = ({ followed, signature }: Follows): ReadonlySet<string> => {
    // The index first: entries it reads again (a rollback) count up the generation.
    const entries = loadIndex();
    const key = `${signature}\n${generation}`;
    if (trustCache?.key !== key) {
      const origins = new Set<string>();
      for (const entry of entries.values()) {
        if (endorsedBy(followed, entry)) origins.add(entry.origin);
      }
      trustCache = { key, origins };
    }
    return trustCache.origins;
  };

  // ---------------------------------------------------------------------------------------
  // The persisted state's definition, and the rebuild path

  let definitionChecked = false;
  /** Rebuilt inside a caller's transaction, not yet seen committed (a rollback undoes it). */
  let rebuiltUncommitted = false;
  const allEntries = sqlite.prepare(`select ${entryColumns} from aggregate_entries`);
  const setPlacement = sqlite.prepare(
    "update aggregate_entries set endorsed = ?, categories = ? where origin = ? and period_key = ?",
  );
  /**
   * Rebuilds the totals from the entries (a database written by an older definition): once,
   * in one transaction, before anything reads or changes them.
   */
  const ensureDefinition = () => {
    if (definitionChecked) return;
    const held = ctx.db.select().from(settings).where(eq(settings.key, DEFINITION_KEY)).get();
    if (held?.value !== DEFINITION) {
      sqlite.transaction(() => {
        sqlite.prepare("delete from aggregate_cells").run();
        sqlite.prepare("delete from aggregate_people").run();
        const followed = followedNow();
        // By place, so the rows of a region are written once; payloads parsed batch by batch.
        const raws = (allEntries.all() as RawEntry[]).sort(byPlace);
        for (let at = 0; at < raws.length; at += BATCH) {
          const batch: Counted[] = [];
          for (const raw of raws.slice(at, at + BATCH)) {
            const row = entryOf(raw);
            const endorsed = endorsedBy(followed, row);
            const categories = (row.payload.categories ?? []).map((c) => c.category);
            setPlacement.run(
              endorsed ? 1 : 0,
              JSON.stringify(categories),
              row.origin,
              row.periodKey,
            );
            if (countsInTotals(row)) batch.push(countedOf(row, endorsed));
          }
          writeDelta([], batch);
        }
        ctx.db
          .insert(settings)
          .values({ key: DEFINITION_KEY, value: DEFINITION })
          .onConflictDoUpdate({ target: settings.key, set: { value: DEFINITION } })
          .run();
      })();
      index = null;
      placeSums.forget();
      // Rebuilt inside a caller's transaction: checked again until that one has committed
      // (a rollback takes the rebuild with it).
      rebuiltUncommitted = sqlite.inTransaction;
      definitionChecked = !rebuiltUncommitted;
      return;
    }
    // Inside a transaction after a rebuild of its own, the definition read is its uncommitted
    // one: checked again outside.
    if (rebuiltUncommitted && sqlite.inTransaction) return;
    rebuiltUncommitted = false;
    definitionChecked = true;
  };

  // ---------------------------------------------------------------------------------------
  // The in-memory index

  let index: Map<string, IndexEntry> | null = null;
  /** The index's keys, sorted (code-unit order): reads scan in the order coverage lists. */
  let sortedKeys: string[] = [];
  /** The index's entries in the order of `sortedKeys`. */
  let sortedEntries: IndexEntry[] = [];
  /** The same entries by period and category (a period range or one category, no place). */
  const byPeriod = createPeriodLists<IndexEntry>();
  /**
   * Entries changed since the index was last brought up to date. They are re-read from the
   * database when the index is next used, so a change whose transaction rolled back leaves no
   * trace in memory (the database is the only source of truth).
   */
  const dirty = new Set<string>();

  /** Entries per origin in the endorsed partition: the node's endorsement, origin by origin. */
  const endorsedPerOrigin = new Map<string, number>();
  const countIn = (counts: Map<string, number>, origin: string, delta: number) => {
    const n = (counts.get(origin) ?? 0) + delta;
    if (n > 0) counts.set(origin, n);
    else counts.delete(origin);
  };
  /** The endorsed scope's trust: one function, so a read can tell it is the node's own. */
  const isEndorsed = (origin: string) => endorsedPerOrigin.has(origin);
  /** An origin's entries in the index (consecutive: keys sort by origin first). */
  const entriesOfOrigin = (origin: string): IndexEntry[] => {
    const list: IndexEntry[] = [];
    for (let at = lowerBound(sortedKeys, `${origin}\n`); at < sortedEntries.length; at++) {
      const entry = sortedEntries[at] as IndexEntry;
      if (entry.origin !== origin) break;
      list.push(entry);
    }
    return list;
  };
  /** What reads of a world, country or region figure need, kept per place (figure-coverage.ts). */
  const coverage = createFigureCoverage<IndexEntry>(ctx.grid, isEndorsed, entriesOfOrigin);
  const countOrigin = (entry: IndexEntry, delta: 1 | -1) => {
    if (entry.endorsed) countIn(endorsedPerOrigin, entry.origin, delta);
    // Its entries or its trust changed: the origin's cells are redone before the next read.
    coverage.touch(entry.origin);
  };
  const indexPut = (entry: IndexEntry) => {
    const map = index as Map<string, IndexEntry>;
    const at = lowerBound(sortedKeys, entry.key);
    const held = map.get(entry.key);
    if (held) {
      countOrigin(held, -1);
      sortedEntries[at] = entry;
      byPeriod.drop(held);
    } else {
      sortedKeys.splice(at, 0, entry.key);
      sortedEntries.splice(at, 0, entry);
    }
    countOrigin(entry, 1);
    byPeriod.put(entry);
    map.set(entry.key, entry);
  };
  const indexDrop = (key: string) => {
    const map = index as Map<string, IndexEntry>;
    const held = map.get(key);
    if (!held) return;
    map.delete(key);
    const at = lowerBound(sortedKeys, key);
    sortedKeys.splice(at, 1);
    sortedEntries.splice(at, 1);
    byPeriod.drop(held);
    countOrigin(held, -1);
  };

  /** One entry's index columns, by key (prepared once: the first read after a change runs it). */
  const selectIndexRow = sqlite.prepare(
    `select origin, period_key as periodKey, period_start as periodStart,
       period_end as periodEnd, version, hash, conflicted, withdrawn, local, via, name, country,
       region, grid_id as gridId, grid_version as gridVersion, participants, criteria,
       categories, endorsed
     from aggregate_entries where origin = ? and period_key = ?`,
  );
  type RawIndexRow = Omit<
    IndexRow,
    "conflicted" | "withdrawn" | "local" | "endorsed" | "categories"
  > & {
    conflicted: number;
    withdrawn: number;
    local: number;
    endorsed: number;
    categories: string;
  };
  const indexRowOf = (origin: string, periodKey: string): IndexRow | undefined => {
    const raw = selectIndexRow.get(origin, periodKey) as RawIndexRow | undefined;
    if (!raw) return undefined;
    return {
      ...raw,
      conflicted: raw.conflicted === 1,
      withdrawn: raw.withdrawn === 1,
      local: raw.local === 1,
      endorsed: raw.endorsed === 1,
      categories: JSON.parse(raw.categories) as string[],
    };
  };

  /**
   * The index of every entry that is not withdrawn: read from the columns once (no payload is
   * parsed), then kept in step entry by entry. Read inside a write transaction, it takes in that
   * transaction's uncommitted rows (as the SQL sums of such a read do): the entries changed stay
   * marked until a read outside one, which reads them again as they were committed.
   */
  const clearDirtyOutsideTransactions = () => {
    if (!sqlite.inTransaction) dirty.clear();
  };
  const loadIndex = (): Map<string, IndexEntry> => {
    ensureDefinition();
    if (!index) {
      index = new Map();
      sortedKeys = [];
      sortedEntries = [];
      endorsedPerOrigin.clear();
      const rows = ctx.db
        .select(indexColumns)
        .from(aggregateEntries)
        .where(eq(aggregateEntries.withdrawn, false))
        .all();
      for (const row of rows) {
        const entry = indexEntry(row);
        index.set(entry.key, entry);
        countOrigin(entry, 1);
      }
      sortedKeys = [...index.keys()].sort();
      sortedEntries = sortedKeys.map(
        (key) => (index as Map<string, IndexEntry>).get(key) as IndexEntry,
      );
      byPeriod.reset(sortedEntries);
      coverage.rebuild(new Set(sortedEntries.map((e) => e.origin)));
      clearDirtyOutsideTransactions();
      return index;
    }
    // Entries read again (after a rollback, as committed): what is kept per generation is redone.
    if (dirty.size > 0) generation++;
    for (const key of dirty) {
      const [origin = "", periodKey = ""] = key.split("\n");
      const row = indexRowOf(origin, periodKey);
      if (row && !row.withdrawn) indexPut(indexEntry(row, elementOf));
      else indexDrop(key);
    }
    clearDirtyOutsideTransactions();
    return index;
  };

  // ---------------------------------------------------------------------------------------
  // Corrections: what one entry adds, read from its payload (bounded cache by content hash)

  const payloadOf = sqlite.prepare(
    "select payload from aggregate_entries where origin = ? and period_key = ?",
  );
  const contributionCache = boundedMemo<string, Contribution[]>(1_000);
  const contributionsFor = (entry: IndexEntry): Contribution[] =>
    contributionCache.get(`${entry.key}\n${entry.hash}`, () => {
      const row = payloadOf.get(entry.origin, entry.periodKey) as { payload: string } | undefined;
      return row ? contributionsOf(JSON.parse(row.payload) as SynthesisPayload) : [];
    });

  /** What a list of entries adds to a figure, summed (their cells keyed as the figure's sums). */
  interface Correction {
    participants: number;
    groups: number;
    cells: Map<Question, Map<string, number>>;
    element: bigint;
  }
  /**
   * Summed corrections by the entries' keys and content hashes (and the categories and question
   * read): the same entries left out again after a change of another one (the implausible ones
   * of a robust figure, say) are not added up again. At most 20 kept.
   */
  const corrections = boundedMemo<string, Correction>(20);
  const correctionOf = (
    entries: readonly IndexEntry[],
    categories: readonly string[],
    question: string | undefined,
  ): Correction => {
    const sorted = [...entries].sort(byEntryKey);
    const id = `${categories.join(",")}\n${question ?? ""}\n${sorted.map((e) => `${e.key}\n${e.hash}`).join("\n")}`;
    return corrections.get(id, () => {
      const correction: Correction = { participants: 0, groups: 0, cells: new Map(), element: 0n };
      for (const entry of sorted) addCorrection(correction, entry, categories, question);
      return correction;
    });
  };
  const addCorrection = (
    correction: Correction,
    entry: IndexEntry,
    categories: readonly string[],
    question: string | undefined,
  ) => {
    for (const contribution of contributionsFor(entry)) {
      if (!categories.includes(contribution.category)) continue;
      correction.participants += contribution.participants;
      correction.groups += contribution.groups;
      for (const cell of contribution.cells) {
        if (question && cell.question !== question) continue;
        let cells = correction.cells.get(cell.question);
        if (!cells) {
          cells = new Map();
          correction.cells.set(cell.question, cells);
        }
        const key = cellKey(entry.gridVersion, cell.component);
        cells.set(key, (cells.get(key) ?? 0) + cell.count);
      }
    }
    correction.element = multisetAdd(correction.element, entry.element);
  };

  // ---------------------------------------------------------------------------------------
  // Sums of the persisted rows for a filter

  /** Prepared statements by SQL text (a filter's shape gives one text; at most 200 kept). */
  const statements = boundedMemo<string, Statement<unknown[]>>(200);
  const statement = (text: string): Statement<unknown[]> =>
    statements.get(text, () => sqlite.prepare<unknown[]>(text));

  const sumRows = (
    filter: AggregateFilter,
    gridId: string,
    /** The grid versions whose rows are summed (those of the counted entries in scope). */
    versions: readonly string[],
    partitions: readonly number[],
    categories: readonly string[],
    countries: readonly string[],
  ) => {
    const level: Level = restricts(filter.regions)
      ? "region"
      : restricts(filter.countries)
        ? "country"
        : "world";
    if ((level !== "world" && countries.length === 0) || versions.length === 0) {
      return { cellRows: [], peopleRows: [] };
    }
    const where: string[] = [
      "level = ?",
      "grid_id = ?",
      versions.length === 1
        ? "grid_version = ?"
        : `grid_version in (${versions.map(() => "?").join(",")})`,
      `endorsed in (${partitions.map(() => "?").join(",")})`,
      `category in (${categories.map(() => "?").join(",")})`,
    ];
    const args: Array<string | number> = [level, gridId, ...versions, ...partitions, ...categories];
    // Every level names its place columns, so the lookup uses the whole key prefix.
    if (level === "world") where.splice(1, 0, "country = ''", "region = ''");
    else {
      where.splice(1, 0, `country in (${countries.map(() => "?").join(",")})`);
      args.splice(1, 0, ...countries);
    }
    if (level === "country") where.push("region = ''");
    if (level === "region") {
      const regions = filter.regions as string[];
      where.push(`region in (${regions.map(() => "?").join(",")})`);
      args.push(...regions);
    }
    if (filter.periodFrom) {
      where.push("period_start >= ?");
      args.push(filter.periodFrom);
    }
    if (filter.periodTo) {
      where.push("period_end <= ?");
      args.push(filter.periodTo);
    }
    const clause = where.join(" and ");
    const questionClause = filter.question ? " and question = ?" : "";
    const cellRows = statement(
      `select grid_version as version, question, component, sum(count) as count from aggregate_cells
         where ${clause}${questionClause} group by grid_version, question, component`,
    ).all(...args, ...(filter.question ? [filter.question] : [])) as Array<{
      version: string;
      question: Question;
      component: string;
      count: number;
    }>;
    const peopleRows = statement(
      `select category, participants, groups, fingerprint from aggregate_people where ${clause}`,
    ).all(...args) as Array<{
      category: string;
      participants: number;
      groups: number;
      fingerprint: string;
    }>;
    return { cellRows, peopleRows };
  };

  /**
   * The figure over named entries or named territories only, from their full payloads (see
   * `query`); the protocol's filter decides, the reads below only leave out what it would.
   */
  const entriesFigure = (
    query: AggregateQuery,
    options: Parameters<typeof aggregate>[2],
  ): Omit<AggregateResult, "coverageCounts"> => {
    const { scope, robust, ...filter } = query;
    const wanted = filter.entries ? new Set(filter.entries) : null;
    const records = ctx.db
      .select()
      .from(aggregateEntries)
      .where(
        and(
          eq(aggregateEntries.withdrawn, false),
          ...(filter.origins?.length ? [inArray(aggregateEntries.origin, filter.origins)] : []),
        ),
      )
      .all()
      .filter((row) => !wanted || wanted.has(entryKey(row.origin, row.periodKey)))
      .flatMap((row) =>
        row.hashes.map((hash) => ({
          origin: row.origin,
          periodKey: row.periodKey,
          version: row.version,
          hash,
          payload: { ...row.payload, hash },
        })),
      );
    const figure = aggregate(mergeRecords(emptyState(), records), filter, options);
    return {
      scope,
      robust,
      filter,
      counts: figure.counts,
      dimensions: figure.dimensions,
      totals: figure.totals,
      participants: figure.participants,
      groups: figure.groups,
      territories: figure.territories,
      coverage: figure.coverage,
      flagged: figure.flagged,
      fingerprint: figure.fingerprint,
      ...(figure.gridLevels ? { gridLevels: figure.gridLevels } : {}),
    };
  };

  const window = <T>(list: T[], page: CoveragePage | undefined): T[] =>
    page ? list.slice(page.offset, page.offset + page.limit) : list;

  /**
   * What a figure covers, decided from the index: the rows to sum (grid versions present,
   * countries), the corrections to them, the flagged origins and the coverage (counts, window).
   */
  interface Selection {
    present: string[];
    countries: string[];
    /** Entries the rows hold that the figure leaves out. */
    minus: IndexEntry[];
    /** Counted entries the rows do not hold (trust differing from their partition). */
    plus: IndexEntry[];
    flagged: string[];
    coverageCounts: CoverageCounts;
    includedWindow: IndexEntry[];
    excluded: ExcludedVersion[];
    includedVersions: Set<string>;
    territories: number;
    /**
     * A scan with a category filter: the included versions' fingerprint elements, added up
     * (null: the rows' fingerprints, corrected, are the figure's — one category's rows hold each
     * version once, as the territories' totals do).
     */
    categorySum: bigint | null;
    /** The one place whose rows are summed, when a maintained place answers (else a scan). */
    sumsPlace: SumsPlace | null;
  }

  /** What a read asks, once the grid versions that count are known. */
  interface Ask {
    filter: AggregateFilter;
    robust: boolean;
    endorsedScope: boolean;
    trusted: (origin: string) => boolean;
    grid: { id: string; version: string };
    versions: readonly string[];
    page: CoveragePage | undefined;
  }

  /** One step of the coverage lists' window: an entry listed (in the window) or only counted. */
  const windowed = (page: CoveragePage | undefined) => {
    const from = page?.offset ?? 0;
    const to = page ? page.offset + page.limit : Number.POSITIVE_INFINITY;
    return {
      from,
      to,
      inWindow: (at: number) => at >= from && at < to,
      full: (at: number) => at >= to,
    };
  };
  const excludedVersion = (entry: IndexEntry, reason: ExclusionReason): ExcludedVersion => ({
    origin: entry.origin,
    periodKey: entry.periodKey,
    version: entry.version,
    reason,
  });

  const noPlace = emptyPlace<IndexEntry>("world", "", "", null);

  /**
   * The place whose maintained cell answers this read (figure-coverage.ts), or null when the
   * read needs a scan: several places, several categories or periods, a place with a period or
   * a category, another grid version, or a trust decision other than the node's endorsement.
   */
  const maintainedPlace = (ask: Ask): Place<IndexEntry> | null => {
    const { filter, grid } = ask;
    if (grid.id !== coverage.grid.id || grid.version !== coverage.grid.version) return null;
    if (coverage.holdsOtherVersion(grid.id, ask.versions)) return null;
    if (ask.endorsedScope && ask.trusted !== isEndorsed) return null;
    const slice = sliceOf(filter);
    if (slice === null) return null;
    if (slice !== undefined) {
      if (restricts(filter.countries) || restricts(filter.regions)) return null;
      if (slice === "none") return noPlace;
      const { period, category } = slice;
      const origins = () => byPeriod.slice(period, category).flatMap((l) => l.map((e) => e.origin));
      const kept = coverage.slice(period, category, origins);
      return kept === "empty" ? noPlace : kept === "full" ? null : kept;
    }
    const countries = restricts(filter.countries) ? [...new Set(filter.countries)] : null;
    if (countries && countries.length > 1) return null;
    if (restricts(filter.regions)) {
      const regions = [...new Set(filter.regions)];
      if (regions.length > 1) return null;
      const region = regions[0] as string;
      const within = coverage
        .regionCountries(region)
        .filter((c) => !countries || countries.includes(c));
      if (within.length > 1) return null;
      return within[0] === undefined
        ? noPlace
        : (coverage.place("region", within[0], region) ?? noPlace);
    }
    if (countries) return coverage.place("country", countries[0] as string, "") ?? noPlace;
    return coverage.place("world", "", "") ?? noPlace;
  };

  /**
   * The worldwide slice a period range and categories name: undefined when they name none
   * (a range holding every period held names none), "none" when the range holds no period,
   * null when it takes several periods (not all) or several categories (a scan answers).
   */
  const sliceOf = (
    filter: AggregateFilter,
  ): { period: SlicePeriod | null; category: string } | "none" | null | undefined => {
    const categories = restricts(filter.categories) ? [...new Set(filter.categories)] : [];
    // No breakdown is named "" (the slices' "every category"): a scan finds none in scope.
    if (categories.length > 1 || categories[0] === "") return null;
    let period: SlicePeriod | null = null;
    if (filter.periodFrom !== undefined || filter.periodTo !== undefined) {
      const { within, held } = byPeriod.periodsWithin(filter.periodFrom, filter.periodTo);
      if (within.length === 0) return "none";
      if (within.length < held) {
        if (within.length > 1) return null;
        period = within[0] as SlicePeriod;
      }
    }
    const category = categories[0] ?? "";
    return period === null && category === "" ? undefined : { period, category };
  };

  /** The coverage lists' window of a read (`maintainedWindow`). */
  interface CoverageWindow {
    includedWindow: IndexEntry[];
    excluded: ExcludedVersion[];
  }
  /** A window as a read found it, and what it depended on (`maintainedWindow`). */
  interface WindowMemo extends CoverageWindow {
    /** The place's edit count then (`unchangedThrough`). */
    edits: number;
    /** The last entry walked: entries after it were not read (null: the whole place was). */
    lastKey: string | null;
    implausible: ReadonlySet<IndexEntry>;
  }
  /** Per place, the windows of the last reads, by what they asked (a few kept). */
  const windowMemos = new WeakMap<Place<IndexEntry>, Map<string, WindowMemo>>();

  /**
   * The coverage lists' window of a maintained place: its entries in key order until both
   * windows are full. Once the included window is full and every untrusted, conflicted and
   * other-version entry has been met, the excluded entries left are overlap losers and
   * implausible ones, which the cells hold as sets: they are taken from there in key order
   * instead of scanning the rest of the place.
   */
  const maintainedWindow = (
    ask: Ask,
    place: Place<IndexEntry>,
    implausible: ReadonlySet<IndexEntry>,
    counts: CoverageCounts,
  ): CoverageWindow => {
    const { robust, endorsedScope, grid } = ask;
    const { from, to, inWindow, full } = windowed(ask.page);
    // The window of the last read that asked the same, while the entries it walked are unchanged
    // (and, robust, the implausible ones are the same): most changes are further on in key order.
    const memos = windowMemos.get(place) ?? new Map<string, WindowMemo>();
    windowMemos.set(place, memos);
    const asked = [endorsedScope, robust, grid.id, grid.version, from, to].join("\u0000");
    const memo = memos.get(asked);
    if (
      memo &&
      (!robust || memo.implausible === implausible) &&
      (memo.lastKey === null
        ? memo.edits === place.edits
        : unchangedThrough(place, memo.edits, memo.lastKey))
    ) {
      // Checked up to now: the next read checks only the edits after this one.
      memo.edits = place.edits;
      return { includedWindow: [...memo.includedWindow], excluded: [...memo.excluded] };
    }
    const { all, sorted } = place;
    // A maintained place answers the node's own endorsement only (`maintainedPlace`): the
    // coverage marks each entry with its origin's trust as it refreshes the origin's cells.
    const reasonOf = (entry: IndexEntry): ExclusionReason | undefined =>
      endorsedScope && !entry.originTrusted
        ? "untrusted"
        : entry.conflicted
          ? "conflicted"
          : entry.gridId !== grid.id || entry.gridVersion !== grid.version
            ? "other-grid-version"
            : all.losers.has(entry)
              ? "overlapping"
              : robust && implausible.has(entry)
                ? "implausible"
                : undefined;
    const { excluded: by } = counts;
    const scannedOnly = by.untrusted + by.conflicted + by["other-grid-version"];
    const includedWindow: IndexEntry[] = [];
    const excluded: ExcludedVersion[] = [];
    let included = 0;
    let excludedAt = 0;
    let met = 0;
    let at = 0;
    for (; at < sorted.length; at++) {
      if (full(included) && (full(excludedAt) || met === scannedOnly)) break;
      const entry = sorted[at] as IndexEntry;
      const reason = reasonOf(entry);
      if (reason) {
        if (reason !== "overlapping" && reason !== "implausible") met++;
        if (inWindow(excludedAt++)) excluded.push(excludedVersion(entry, reason));
      } else if (inWindow(included++)) includedWindow.push(entry);
    }
    // Both windows filled before the end: they depend on the entries walked only. Otherwise on
    // the whole place (the rest below, or the end reached: any change of it makes them stale).
    const walked = at < sorted.length && full(included) && full(excludedAt);
    if (at < sorted.length && !full(excludedAt)) {
      // The rest of the place holds no untrusted, conflicted or other-version entry.
      const from = (sorted[at] as IndexEntry).key;
      const rest = [...all.losers, ...(robust ? implausible : [])]
        .filter((entry) => entry.key >= from && reasonOf(entry) !== undefined)
        .sort(byEntryKey);
      for (const entry of rest) {
        if (full(excludedAt)) break;
        if (inWindow(excludedAt++)) {
          excluded.push(excludedVersion(entry, reasonOf(entry) as ExclusionReason));
        }
      }
    }
    if (memos.size >= MAX_WINDOW_MEMOS) memos.clear();
    memos.set(asked, {
      edits: place.edits,
      lastKey: walked ? ((sorted[at - 1] as IndexEntry | undefined)?.key ?? "") : null,
      implausible,
      includedWindow: [...includedWindow],
      excluded: [...excluded],
    });
    return { includedWindow, excluded };
  };

  /**
   * The world's rows a scan sums in memory, as a place's (every period, or those inside the
   * filter's range): a worldwide read of one category, or of none. Null when the filter names
   * places or several categories, or names the breakdown "" (none in scope): SQL sums those.
   */
  const worldSumsPlace = (filter: AggregateFilter): SumsPlace | null => {
    if (restricts(filter.countries) || restricts(filter.regions)) return null;
    const categories = restricts(filter.categories) ? [...new Set(filter.categories)] : [""];
    if (categories.length !== 1 || (restricts(filter.categories) && categories[0] === "")) {
      return null;
    }
    return {
      level: "world",
      country: "",
      region: "",
      category: categories[0] as string,
      period: null,
      range: { from: filter.periodFrom, to: filter.periodTo },
    };
  };

  /** Which place's rows a maintained place sums (none for a place that holds nothing). */
  const sumsPlaceOf = (ask: Ask, place: Place<IndexEntry>): SumsPlace | null => {
    if (place === noPlace) return null;
    const region = place.level === "region" ? (ask.filter.regions?.[0] as string) : "";
    return {
      level: place.level,
      country: place.level === "world" ? "" : place.country,
      region,
      category: place.category,
      period: place.period,
    };
  };

  /** The coverage of a world, country or region figure from its maintained cell. */
  const maintainedSelection = (ask: Ask, place: Place<IndexEntry>): Selection => {
    const { robust, endorsedScope, grid } = ask;
    const all = place.all;
    const cell = endorsedScope ? place.trusted : all;
    const { entries: implausible, origins: flagged } = implausibleOf(cell);
    const late = new Set([...cell.losers, ...(robust ? implausible : [])]);
    const coverageCounts: CoverageCounts = {
      included: cell.counted - (robust ? implausible.size : 0),
      excluded: {
        untrusted: endorsedScope ? all.entries - cell.entries : 0,
        conflicted: cell.conflicted,
        "other-grid-version": cell.otherGrid,
        overlapping: cell.losers.size,
        implausible: robust ? implausible.size : 0,
      },
    };
    // The origins whose every counted entry is left out as implausible no longer count.
    let territories = cell.origins.size;
    if (robust) {
      const out = new Map<string, number>();
      for (const e of implausible) out.set(e.origin, (out.get(e.origin) ?? 0) + 1);
      for (const [origin, n] of out) if (cell.origins.get(origin) === n) territories--;
    }
    const { includedWindow, excluded } = maintainedWindow(ask, place, implausible, coverageCounts);
    const anyCounted = all.counted + all.losers.size > 0;
    return {
      present: anyCounted ? [grid.version] : [],
      countries: place.level === "world" || all.entries === 0 ? [] : [place.country],
      minus: [...late].filter((e) => !endorsedScope || e.endorsed),
      plus: endorsedScope ? [...cell.offPartition].filter((e) => !late.has(e)) : [],
      flagged: [...flagged],
      coverageCounts,
      includedWindow,
      excluded,
      includedVersions: new Set(coverageCounts.included > 0 ? [grid.version] : []),
      territories,
      categorySum: null,
      sumsPlace: sumsPlaceOf(ask, place),
    };
  };

  /**
   * The entries of the places a filter names, by key; without a place filter, those of the
   * periods inside the filter's range that publish its one category (`byPeriodOf`), or all.
   */
  const placeEntries = (filter: AggregateFilter): readonly IndexEntry[] => {
    const countries = restricts(filter.countries) ? [...new Set(filter.countries)] : null;
    let lists: ReadonlyArray<readonly IndexEntry[]>;
    if (restricts(filter.regions)) {
      lists = [...new Set(filter.regions)].flatMap((region) =>
        coverage
          .regionCountries(region)
          .filter((c) => !countries || countries.includes(c))
          .map((c) => coverage.place("region", c, region)?.sorted ?? []),
      );
    } else if (countries) {
      lists = countries.map((c) => coverage.place("country", c, "")?.sorted ?? []);
    } else return byPeriodOf(filter) ?? sortedEntries;
    return lists.length === 1 ? (lists[0] as IndexEntry[]) : lists.flat().sort(byEntryKey);
  };

  /** The entries of the filter's period range and its one category, if it names either. */
  const byPeriodOf = (filter: AggregateFilter): readonly IndexEntry[] | null => {
    const categories = restricts(filter.categories) ? new Set(filter.categories) : null;
    const category = categories?.size === 1 ? (filter.categories?.[0] as string) : undefined;
    const ranged = filter.periodFrom !== undefined || filter.periodTo !== undefined;
    if (!ranged && category === undefined) return null;
    return byPeriod.within(filter.periodFrom, filter.periodTo, category);
  };

  /** The coverage by a scan of the entries of the filter's places (see `maintainedPlace`). */
  const scannedSelection = (ask: Ask): Selection => {
    const { filter, robust, endorsedScope, trusted, grid, versions } = ask;
    const counts = (entry: IndexEntry) =>
      entry.gridId === grid.id &&
      (entry.gridVersion === grid.version ||
        (versions.length > 1 && versions.includes(entry.gridVersion)));

    // 1. Scope and the exclusions decided entry by entry (in coverage order). `reasonAt[i]` is
    // the reason `inScope[i]` is left out, if it is (the late reasons of step 2 in `late`).
    const inScope: IndexEntry[] = [];
    const reasonAt: Array<ExclusionReason | undefined> = [];
    const candidates: IndexEntry[] = [];
    // Candidates of one origin are consecutive (keys sort by origin first): runs of two or
    // more are the only places periods can overlap.
    const runs: IndexEntry[][] = [];
    let run: IndexEntry[] = [];
    const countries = new Set<string>();
    // The grid versions whose rows hold entries in scope (the rows of a filter hold only
    // entries in its scope): usually one, so a read sums one version's rows.
    const present = new Set<string>();
    for (const entry of placeEntries(filter)) {
      if (!matches(entry, filter)) continue;
      inScope.push(entry);
      countries.add(entry.country);
      if (!entry.conflicted && counts(entry)) present.add(entry.gridVersion);
      if (endorsedScope && !trusted(entry.origin)) reasonAt.push("untrusted");
      else if (entry.conflicted) reasonAt.push("conflicted");
      else if (!counts(entry)) reasonAt.push("other-grid-version");
      else {
        reasonAt.push(undefined);
        candidates.push(entry);
        if (run.length > 0 && (run[0] as IndexEntry).origin === entry.origin) run.push(entry);
        else {
          if (run.length > 1) runs.push(run);
          run = [entry];
        }
      }
    }
    if (run.length > 1) runs.push(run);

    // 2. A territory counts once per range (overlapping periods), then plausibility.
    const losers = new Set<IndexEntry>();
    for (const list of runs) overlapLosers(list, losers);
    const late = new Map<IndexEntry, ExclusionReason>();
    for (const entry of losers) late.set(entry, "overlapping");
    const counted = losers.size === 0 ? candidates : candidates.filter((e) => !losers.has(e));
    const implausible = plausibilityOutliers(counted).map((i) => counted[i] as IndexEntry);
    if (robust) for (const entry of implausible) late.set(entry, "implausible");

    // 3. The corrections: entries the rows hold that the figure leaves out (untrusted entries
    // of the endorsed partition, overlapping ones, implausible ones when robust), and entries
    // the figure counts that the rows do not hold (trusted, outside the endorsed partition).
    const inRows = (entry: IndexEntry) =>
      !entry.conflicted && counts(entry) && (!endorsedScope || entry.endorsed);
    const minus = [
      ...(endorsedScope ? inScope.filter((e, i) => reasonAt[i] === "untrusted" && inRows(e)) : []),
      ...[...late.keys()].filter(inRows),
    ];
    const plus = endorsedScope ? counted.filter((e) => !e.endorsed && !late.has(e)) : [];

    // 4. Coverage (counts, and the asked window of each list) in one pass.
    const { inWindow } = windowed(ask.page);
    const includedWindow: IndexEntry[] = [];
    const excluded: ExcludedVersion[] = [];
    const coverageCounts: CoverageCounts = { included: 0, excluded: noExclusions() };
    let territories = 0;
    let lastOrigin: string | null = null;
    let categorySum = 0n;
    let excludedAt = 0;
    const includedVersions = new Set<string>();
    const byCategory = restricts(filter.categories);
    for (let i = 0; i < inScope.length; i++) {
      const entry = inScope[i] as IndexEntry;
      const reason = reasonAt[i] ?? (late.size > 0 ? late.get(entry) : undefined);
      if (reason) {
        coverageCounts.excluded[reason]++;
        if (inWindow(excludedAt++)) excluded.push(excludedVersion(entry, reason));
        continue;
      }
      const at = coverageCounts.included++;
      includedVersions.add(entry.gridVersion);
      if (entry.origin !== lastOrigin) {
        territories++;
        lastOrigin = entry.origin;
      }
      if (byCategory) categorySum = multisetAdd(categorySum, entry.element);
      if (inWindow(at)) includedWindow.push(entry);
    }
    return {
      present: [...present],
      countries: [...countries],
      minus,
      plus,
      flagged: [...new Set(implausible.map((e) => e.origin))].sort(),
      coverageCounts,
      includedWindow,
      excluded,
      includedVersions,
      territories,
      categorySum: byCategory ? categorySum : null,
      // Nothing in scope sums nothing (SQL answers at once): a category no row holds, named by
      // any reader, loads no place into the memory (which keeps every place it loads).
      sumsPlace: present.size > 0 ? worldSumsPlace(filter) : null,
    };
  };

  /** The figure from the persisted rows and the index (see the service's comment). */
  const indexedFigure = (
    query: AggregateQuery,
    trusted: (origin: string) => boolean,
    grid: { id: string; version: string },
    page: CoveragePage | undefined,
    grids: GridCatalog | undefined,
  ): AggregateResult => {
    const { scope, robust, ...filter } = query;
    loadIndex();
    coverage.sync();
    const endorsedScope = scope === "endorsed";
    // The grid versions that count: the query's, and with known grids every other version of
    // the same grid this node holds (their counts meet at the level they share, step 5). A
    // version not known stays out ("other-grid-version").
    const versions = [
      grid.version,
      ...(grids?.grids ?? [])
        .filter((g) => g.id === grid.id && g.version !== grid.version)
        .map((g) => g.version),
    ];
    const ask: Ask = { filter, robust, endorsedScope, trusted, grid, versions, page };
    const place = maintainedPlace(ask);
    const selection = place ? maintainedSelection(ask, place) : scannedSelection(ask);
    return figureOf(query, ask, selection, grids);
  };

  /** The grouped SQL sums as the figure adds them up: cells by question, then `cellKey`. */
  const sqlSums = ({ cellRows, peopleRows }: ReturnType<typeof sumRows>) => {
    const sums = new Map<Question, Map<string, number>>();
    for (const row of cellRows) {
      let cells = sums.get(row.question);
      if (!cells) {
        cells = new Map();
        sums.set(row.question, cells);
      }
      cells.set(cellKey(row.version, row.component), row.count);
    }
    let participants = 0;
    let groups = 0;
    let fingerprint = 0n;
    for (const row of peopleRows) {
      participants += row.participants;
      groups += row.groups;
      // One category's rows hold each version once (the territories' totals too); with several
      // categories a version is in the row of each, and the scan's `categorySum` replaces this.
      if (row.fingerprint) {
        fingerprint = multisetAdd(fingerprint, parseMultisetHex(row.fingerprint));
      }
    }
    return { sums, participants, groups, fingerprint };
  };

  /** Sums the rows a selection names, corrects them, and shapes the answer. */
  const figureOf = (
    query: AggregateQuery,
    ask: Ask,
    selection: Selection,
    grids: GridCatalog | undefined,
  ): AggregateResult => {
    const { scope, robust, ...filter } = query;
    const { grid, endorsedScope } = ask;
    // The rows' sums, corrected for the entries they hold but the figure leaves out and the
    // entries the figure counts that they do not hold.
    // "" names no breakdown (its rows are the territories' totals): a filter naming it adds none.
    const categories = restricts(filter.categories)
      ? [...new Set(filter.categories)].filter((c) => c !== "")
      : [""];
    const partitions = endorsedScope ? [1] : [0, 1];
    // A maintained place's rows are summed in memory (outside a write transaction only: the
    // memory holds committed changes); any other read sums them in SQL.
    const summed =
      selection.sumsPlace && !sqlite.inTransaction
        ? placeSums.sum(
            selection.sumsPlace,
            grid.id,
            selection.present,
            partitions,
            filter.question,
          )
        : sqlSums(
            sumRows(
              filter,
              grid.id,
              selection.present,
              partitions,
              categories,
              selection.countries,
            ),
          );
    const { sums } = summed;
    let { participants, groups, fingerprint: fingerprintSum } = summed;
    const correct = (entries: readonly IndexEntry[], sign: 1 | -1) => {
      if (entries.length === 0) return;
      const correction = correctionOf(entries, categories, filter.question);
      participants += sign * correction.participants;
      groups += sign * correction.groups;
      for (const [question, byKey] of correction.cells) {
        let cells = sums.get(question);
        if (!cells) {
          cells = new Map();
          sums.set(question, cells);
        }
        for (const [key, n] of byKey) cells.set(key, (cells.get(key) ?? 0) + sign * n);
      }
      fingerprintSum =
        sign > 0
          ? multisetAdd(fingerprintSum, correction.element)
          : multisetSubtract(fingerprintSum, correction.element);
    };
    correct(selection.minus, -1);
    correct(selection.plus, 1);
    // With several categories a version counts in the row of each selected category it
    // publishes: a scan adds its fingerprint element once, from the coverage itself.
    if (selection.categorySum !== null) fingerprintSum = selection.categorySum;

    // Several grid versions included: their cells meet at the finest level they share, and
    // that level enters the fingerprint as one more element (docs/protocol.md §10).
    const plan = grids ? planFor(grids, grid.id, selection.includedVersions) : null;
    if (plan) fingerprintSum = multisetAdd(fingerprintSum, levelElement(plan));
    const included: IncludedVersion[] = selection.includedWindow.map((entry) => ({
      origin: entry.origin,
      periodKey: entry.periodKey,
      version: entry.version,
      hash: entry.hash,
      name: entry.name,
      country: entry.country,
      // Over several grid versions, the level this synthesis's counts entered at.
      ...(plan ? { level: plan.levelOf[entry.gridVersion] ?? plan.level } : {}),
    }));

    const figureCounts: Partial<Record<Question, Record<string, number>>> = {};
    const byQuestion: Partial<Record<Question, number>> = {};
    let criteria = 0;
    for (const question of QUESTIONS) {
      const cells = sums.get(question);
      if (!cells) continue;
      const keyed = new Map<string, number>();
      for (const [key, n] of cells) {
        if (n === 0) continue;
        const code = plan ? plan.keyOf(...splitCellKey(key)) : componentOfKey(key);
        keyed.set(code, (keyed.get(code) ?? 0) + n);
      }
      const counts: Record<string, number> = {};
      let total = 0;
      let nonZero = 0;
      for (const code of [...keyed.keys()].sort()) {
        const n = keyed.get(code) as number;
        if (n === 0) continue;
        counts[code] = n;
        total += n;
        nonZero++;
      }
      if (nonZero === 0) continue;
      figureCounts[question] = counts;
      byQuestion[question] = total;
      criteria += total;
    }
    return {
      scope,
      robust,
      filter,
      counts: figureCounts,
      dimensions: dimensionSubtotals(figureCounts) as AggregateResult["dimensions"],
      totals: { criteria, byQuestion },
      participants,
      groups,
      territories: selection.territories,
      coverage: { included, excluded: selection.excluded },
      coverageCounts: selection.coverageCounts,
      flagged: selection.flagged,
      fingerprint: fingerprintOf(fingerprintSum),
      ...(plan ? { gridLevels: gridLevels(plan) } : {}),
    };
  };

  return {
    /**
     * Brings one (origin, period) entry in line with its sources; call inside the transaction
     * that changed them. `source` null means the entry is gone. This is the one door into the
     * figures state: a step that must transform entries before they count hands `apply` the
     * entry as it should count (other grid versions are brought together at read time).
     */
    apply(origin: string, periodKey: string, source: EntrySource | null): void {
      ensureDefinition();
      const old = selectRow(origin, periodKey);
      const { followed, signature } = currentFollows();
      // Follows changed since the partitions were reconciled: the next read checks them all
      // (this entry is placed by the follows of now, the others by those of their time).
      if (signature !== reconciledWith) reconciledWith = null;
      // Placed by other follows than the move under way places entries by: it is planned again
      // (this entry is in no plan, and the follows may come back to the plan's).
      if (pending && pending.signature !== signature) pending = null;
      let next: EntryRow | undefined;
      if (source) {
        const { payload } = source;
        next = {
          origin,
          periodKey,
          periodStart: payload.period.start,
          periodEnd: payload.period.end,
          version: source.version,
          hash: [...source.hashes].sort()[0] ?? payload.hash,
          hashes: [...new Set(source.hashes)].sort(),
          conflicted: new Set(source.hashes).size > 1,
          withdrawn: source.withdrawn,
          local: source.local,
          via: source.via,
          endorsed: endorsedBy(followed, { origin, local: source.local, via: source.via }),
          categories: (payload.categories ?? []).map((c) => c.category),
          name: payload.territory.name,
          country: payload.territory.country,
          region: payload.territory.region ?? "",
          gridId: payload.grid.id,
          gridVersion: payload.grid.version,
          participants: payload.participants,
          groups: payload.groups,
          criteria: payload.totals.criteria,
          payload,
        };
      }
      const unchanged =
        old &&
        next &&
        old.version === next.version &&
        old.hash === next.hash &&
        old.conflicted === next.conflicted &&
        old.withdrawn === next.withdrawn &&
        old.via === next.via &&
        old.local === next.local;
      if (unchanged || (!old && !next)) return;
      writeDelta(
        old && countsInTotals(old) ? [countedOf(old, old.endorsed)] : [],
        next && countsInTotals(next) ? [countedOf(next, next.endorsed)] : [],
      );
      if (next) writeEntry(next);
      else deleteEntry.run(origin, periodKey);
      dirty.add(entryKey(origin, periodKey));
      generation++;
    },

    /**
     * Takes the changes committed since the last read into the index, the coverage cells and
     * the in-memory sums now — a writer calls it once its transaction is over, so that the
     * first read after a change finds them done (reads take them in anyway). Nothing happens
     * inside a transaction (its changes are not committed yet) or before the index is loaded.
     */
    settle(): void {
      if (sqlite.inTransaction || !index) return;
      loadIndex();
      coverage.sync();
      placeSums.catchUp();
    },

    /**
     * A figure with its coverage. `trusted` is the endorsed scope's trust decision (ignored for
     * "verified"); `page` limits the coverage lists to a window (the counts are always whole).
     */
    query(
      query: AggregateQuery,
      trusted: (origin: string) => boolean,
      page?: CoveragePage,
    ): AggregateResult {
      const { scope, robust, ...filter } = query;
      const grid = filter.grid ?? { id: ctx.grid.id, version: ctx.grid.version };
      const grids = knownGrids?.();
      if (filter.entries !== undefined || filter.origins?.length) {
        // A sub-network's or a territory's figure (a handful of entries): recomputed by the
        // protocol's reference function over those entries' full payloads rather than looked up
        // in the rolled-up totals, which cannot tell territories apart.
        const options = {
          grid,
          robust,
          ...(grids ? { grids } : {}),
          ...(scope === "endorsed" ? { trusted } : {}),
        };
        const result = entriesFigure(query, options);
        const coverageCounts: CoverageCounts = {
          included: result.coverage.included.length,
          excluded: noExclusions(),
        };
        for (const e of result.coverage.excluded) coverageCounts.excluded[e.reason]++;
        return {
          ...result,
          coverage: {
            included: window(result.coverage.included, page),
            excluded: window(result.coverage.excluded, page),
          },
          coverageCounts,
        };
      }
      // Follows changed: the entries move in the background, this read does not wait. The
      // node's own endorsement is handed out only while nothing moves (`endorsement`, called
      // just before): no need to read the follows' stamp again.
      if (scope === "endorsed" && trusted !== isEndorsed && !reconciled()) scheduleRepartition();
      return indexedFigure(query, trusted, grid, page, grids);
    },

    /**
     * The node's "endorsed" trust scope (docs/architecture.md): its own territories, the actors
     * they follow (accepted), and syntheses relayed by one of those. From the index, no payload.
     */
    endorsement(): (origin: string) => boolean {
      // Once the partitions agree with the follows, an origin is endorsed when one of its
      // entries is in the endorsed partition: nothing to compute per request. While they move
      // (follows changed), from the follows over the index. Either way the index first takes
      // in the entries applied since the last read (or is loaded: the counts live in it).
      if (reconciled()) {
        loadIndex();
        return isEndorsed;
      }
      scheduleRepartition();
      const origins = endorsedOrigins(currentFollows());
      return (origin) => origins.has(origin);
    },

    /**
     * The follows changed (a follow accepted, undone or removed): the entries they place in
     * the other partition start moving, in the background (see `scheduleRepartition`).
     */
    followsChanged(): void {
      scheduleRepartition();
    },

    /** Resolves once no repartition is pending (the partitions agree with the follows). */
    repartitioned(): Promise<void> {
      if (!sqlite.open || (pending === null && reconciled())) return Promise.resolve();
      scheduleRepartition();
      return new Promise((resolve, reject) => settled.push({ resolve, reject }));
    },

    /** Finishes a pending repartition now, synchronously (tests, and before comparing totals). */
    repartitionNow(): void {
      // Outside transactions only: a chunk's changes count as committed once its transaction
      // ends (the index and the in-memory sums take them in), which inside a caller's
      // transaction they are not (its rollback would leave both ahead of the tables).
      if (sqlite.inTransaction) throw new Error("repartitionNow: inside a transaction");
      while (repartitionStep()) {}
      wake();
    },

    /** Every entry held (tests compare the incremental state against it). */
    entries(): EntryRow[] {
      return ctx.db.select().from(aggregateEntries).all();
    },
    generation: () => generation,
    /** Entries changed that the index has not yet read back as committed (tests). */
    backlog: () => dirty.size,
  };
}
export type AggregateService = ReturnType<typeof createAggregateService>;
