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
import { and, eq, inArray, sql } from "drizzle-orm";
import { aggregateEntries, settings } from "../db/schema";
import type { ServiceContext } from "./context";
import {
  createFigureCoverage,
  emptyCell,
  implausibleOf,
  overlapLosers,
  type Place,
} from "./figure-coverage";

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

function indexEntry(row: IndexRow): IndexEntry {
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
    element: versionElement(row),
  };
}

/** A cell of one grid version, before the versions are brought to their shared level. */
const cellKey = (version: string, component: string) => `${version}\u0000${component}`;
const splitCellKey = (key: string): [string, string] => {
  const at = key.indexOf("\u0000");
  return [key.slice(0, at), key.slice(at + 1)];
};

const restricts = (list: readonly string[] | undefined): list is readonly string[] =>
  list !== undefined && list.length > 0;

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
  const plans = new Map<string, LevelPlan | null>();
  const planFor = (grids: GridCatalog, gridId: string, versions: ReadonlySet<string>) => {
    if (versions.size < 2) return null;
    if (plansOf !== grids) {
      plansOf = grids;
      plans.clear();
    }
    const key = `${gridId}\n${[...versions].sort().join("\n")}`;
    let plan = plans.get(key);
    if (plan === undefined) {
      plan = sharedLevel(grids, gridId, versions);
      if (plans.size >= 100) plans.delete(plans.keys().next().value as string);
      plans.set(key, plan);
    }
    return plan;
  };

  // ---------------------------------------------------------------------------------------
  // Persisted totals

  const upsertCell = sqlite.prepare(
    `insert into aggregate_cells (level, country, region, category, grid_id, grid_version, period_key, period_start, period_end, endorsed, question, component, count)
     values (@level, @country, @region, @category, @gridId, @gridVersion, @periodKey, @periodStart, @periodEnd, @endorsed, @question, @component, @count)
     on conflict (level, country, region, category, grid_id, grid_version, period_key, endorsed, question, component)
     do update set count = count + excluded.count`,
  );
  const dropEmptyCells = sqlite.prepare("delete from aggregate_cells where count = 0");
  const peopleKey = `level = @level and country = @country and region = @region and category = @category
     and grid_id = @gridId and grid_version = @gridVersion and period_key = @periodKey and endorsed = @endorsed`;
  const getPeople = sqlite.prepare(
    `select participants, groups, territories, fingerprint from aggregate_people where ${peopleKey}`,
  );
  const putPeople = sqlite.prepare(
    `insert into aggregate_people (level, country, region, category, grid_id, grid_version, period_key, period_start, period_end, endorsed, participants, groups, territories, fingerprint)
     values (@level, @country, @region, @category, @gridId, @gridVersion, @periodKey, @periodStart, @periodEnd, @endorsed, @participants, @groups, @territories, @fingerprint)
     on conflict (level, country, region, category, grid_id, grid_version, period_key, endorsed)
     do update set participants = excluded.participants, groups = excluded.groups,
       territories = excluded.territories, fingerprint = excluded.fingerprint`,
  );
  const deletePeople = sqlite.prepare(`delete from aggregate_people where ${peopleKey}`);

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

  const countedOf = (row: EntryRow, endorsed: boolean): Counted => ({
    country: row.country,
    region: row.region,
    gridId: row.gridId,
    gridVersion: row.gridVersion,
    periodKey: row.periodKey,
    periodStart: row.periodStart,
    periodEnd: row.periodEnd,
    endorsed,
    element: versionElement(row),
    contributions: contributionsOf(row.payload),
  });

  /**
   * Writes the difference between what `before` and `after` add to the totals: a new version of
   * the same place changes few cells, and only those are written.
   */
  const writeDelta = (before: readonly Counted[], after: readonly Counted[]) => {
    const cells = new Map<string, { row: Record<string, unknown>; count: number }>();
    const people = new Map<
      string,
      {
        row: Record<string, unknown>;
        participants: number;
        groups: number;
        territories: number;
        add: bigint;
        sub: bigint;
      }
    >();
    const collect = (counted: Counted, sign: 1 | -1) => {
      const base = {
        gridId: counted.gridId,
        gridVersion: counted.gridVersion,
        periodKey: counted.periodKey,
        periodStart: counted.periodStart,
        periodEnd: counted.periodEnd,
        endorsed: counted.endorsed ? 1 : 0,
      };
      for (const place of placesOf(counted)) {
        for (const contribution of counted.contributions) {
          const row = { ...place, ...base, category: contribution.category };
          const rowKey = [
            place.level,
            place.country,
            place.region,
            contribution.category,
            base.gridId,
            base.gridVersion,
            base.periodKey,
            base.endorsed,
          ].join("\u0000");
          for (const cell of contribution.cells) {
            const key = `${rowKey}\u0000${cell.question}\u0000${cell.component}`;
            const held = cells.get(key);
            if (held) held.count += sign * cell.count;
            else cells.set(key, { row: { ...row, ...cell }, count: sign * cell.count });
          }
          let p = people.get(rowKey);
          if (!p) {
            p = { row, participants: 0, groups: 0, territories: 0, add: 0n, sub: 0n };
            people.set(rowKey, p);
          }
          p.participants += sign * contribution.participants;
          p.groups += sign * contribution.groups;
          p.territories += sign;
          if (sign > 0) p.add = multisetAdd(p.add, counted.element);
          else p.sub = multisetAdd(p.sub, counted.element);
        }
      }
    };
    for (const counted of before) collect(counted, -1);
    for (const counted of after) collect(counted, 1);
    let negative = false;
    for (const { row, count } of cells.values()) {
      if (count === 0) continue;
      if (count < 0) negative = true;
      upsertCell.run({ ...row, count });
    }
    if (negative) dropEmptyCells.run();
    for (const p of people.values()) {
      if (p.territories === 0 && p.participants === 0 && p.groups === 0 && p.add === p.sub) {
        continue;
      }
      const held = getPeople.get(p.row) as
        | { participants: number; groups: number; territories: number; fingerprint: string }
        | undefined;
      const territories = (held?.territories ?? 0) + p.territories;
      if (territories <= 0) {
        deletePeople.run(p.row);
        continue;
      }
      const sum = multisetSubtract(
        multisetAdd(held?.fingerprint ? parseMultisetHex(held.fingerprint) : 0n, p.add),
        p.sub,
      );
      putPeople.run({
        ...p.row,
        participants: (held?.participants ?? 0) + p.participants,
        groups: (held?.groups ?? 0) + p.groups,
        territories,
        fingerprint: multisetHex(sum),
      });
    }
  };

  /** Whether an entry counts in the totals at all (trust and filters aside). */
  const countsInTotals = (row: { conflicted: boolean; withdrawn: boolean }) =>
    !row.conflicted && !row.withdrawn;

  // ---------------------------------------------------------------------------------------
  // Endorsement: which partition an entry is counted in

  const acceptedTargets = sqlite.prepare("select target from following where state = 'accepted'");
  const followedNow = () =>
    new Set((acceptedTargets.all() as Array<{ target: string }>).map((r) => r.target));
  const signatureOf = (followed: ReadonlySet<string>) => [...followed].sort().join("\n");
  const endorsedBy = (
    followed: ReadonlySet<string>,
    entry: { origin: string; local: boolean; via: string | null },
  ) => entry.local || followed.has(entry.origin) || (entry.via !== null && followed.has(entry.via));
  /** The accepted follows the partitions were last reconciled with (null: not this run). */
  let reconciledWith: string | null = null;

  const selectRow = (origin: string, periodKey: string) =>
    ctx.db
      .select()
      .from(aggregateEntries)
      .where(and(eq(aggregateEntries.origin, origin), eq(aggregateEntries.periodKey, periodKey)))
      .get();

  /**
   * Moves the entries whose endorsement changed (a follow accepted or undone since) to their
   * partition. O(entries) comparisons, and writes only for the entries that moved.
   */
  const setEndorsed = sqlite.prepare(
    "update aggregate_entries set endorsed = ? where origin = ? and period_key = ?",
  );
  /** Entries whose totals are written together when many move or are rebuilt at once. */
  const BATCH = 500;

  const reconcileEndorsement = () => {
    const followed = followedNow();
    const signature = signatureOf(followed);
    if (signature === reconciledWith) return;
    const moved = [...loadIndex().values()].filter(
      (entry) => endorsedBy(followed, entry) !== entry.endorsed,
    );
    if (moved.length > 0) {
      sqlite.transaction(() => {
        // In batches: the moves of many entries add up in memory, each row is written once.
        for (let at = 0; at < moved.length; at += BATCH) {
          const before: Counted[] = [];
          const after: Counted[] = [];
          for (const entry of moved.slice(at, at + BATCH)) {
            const row = selectRow(entry.origin, entry.periodKey);
            if (!row) continue;
            if (countsInTotals(row)) {
              before.push(countedOf(row, row.endorsed));
              after.push(countedOf(row, !row.endorsed));
            }
            setEndorsed.run(row.endorsed ? 0 : 1, row.origin, row.periodKey);
          }
          writeDelta(before, after);
        }
      })();
      // Committed: the index follows.
      for (const entry of moved) {
        countOrigin(entry, -1);
        entry.endorsed = !entry.endorsed;
        countOrigin(entry, 1);
      }
      generation++;
    }
    reconciledWith = signature;
  };

  // ---------------------------------------------------------------------------------------
  // The persisted state's definition, and the rebuild path

  let definitionChecked = false;
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
        let batch: Counted[] = [];
        for (const row of ctx.db.select().from(aggregateEntries).all()) {
          const endorsed = endorsedBy(followed, row);
          const categories = (row.payload.categories ?? []).map((c) => c.category);
          ctx.db
            .update(aggregateEntries)
            .set({ endorsed, categories })
            .where(
              and(
                eq(aggregateEntries.origin, row.origin),
                eq(aggregateEntries.periodKey, row.periodKey),
              ),
            )
            .run();
          if (countsInTotals(row)) batch.push(countedOf(row, endorsed));
          if (batch.length >= BATCH) {
            writeDelta([], batch);
            batch = [];
          }
        }
        writeDelta([], batch);
        ctx.db
          .insert(settings)
          .values({ key: DEFINITION_KEY, value: DEFINITION })
          .onConflictDoUpdate({ target: settings.key, set: { value: DEFINITION } })
          .run();
      })();
      index = null;
      // Rebuilt inside a caller's transaction: checked again until that one has committed
      // (a rollback takes the rebuild with it).
      definitionChecked = !sqlite.inTransaction;
      return;
    }
    definitionChecked = true;
  };

  // ---------------------------------------------------------------------------------------
  // The in-memory index

  let index: Map<string, IndexEntry> | null = null;
  /** The index's keys, sorted (code-unit order): reads scan in the order coverage lists. */
  let sortedKeys: string[] = [];
  /** The index's entries in the order of `sortedKeys`. */
  let sortedEntries: IndexEntry[] = [];
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
    } else {
      sortedKeys.splice(at, 0, entry.key);
      sortedEntries.splice(at, 0, entry);
    }
    countOrigin(entry, 1);
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
    countOrigin(held, -1);
  };

  /** One entry's index columns, by key (prepared once: the first read after a change runs it). */
  const indexRowOf = ctx.db
    .select(indexColumns)
    .from(aggregateEntries)
    .where(
      and(
        eq(aggregateEntries.origin, sql.placeholder("origin")),
        eq(aggregateEntries.periodKey, sql.placeholder("periodKey")),
      ),
    )
    .prepare();

  /**
   * The index of every entry that is not withdrawn: read from the columns once (no payload is
   * parsed), then kept in step entry by entry. Read it only outside write transactions (queries
   * are), or uncommitted rows would enter it.
   */
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
      coverage.rebuild(new Set(sortedEntries.map((e) => e.origin)));
      dirty.clear();
      return index;
    }
    for (const key of dirty) {
      const [origin = "", periodKey = ""] = key.split("\n");
      const row = indexRowOf.get({ origin, periodKey });
      if (row && !row.withdrawn) indexPut(indexEntry(row));
      else indexDrop(key);
    }
    dirty.clear();
    return index;
  };

  // ---------------------------------------------------------------------------------------
  // Corrections: what one entry adds, read from its payload (bounded cache by content hash)

  const payloadOf = sqlite.prepare(
    "select payload from aggregate_entries where origin = ? and period_key = ?",
  );
  const contributionCache = new Map<string, Contribution[]>();
  const CONTRIBUTION_CACHE = 1_000;
  const contributionsFor = (entry: IndexEntry): Contribution[] => {
    const cacheKey = `${entry.key}\n${entry.hash}`;
    const held = contributionCache.get(cacheKey);
    if (held) return held;
    const row = payloadOf.get(entry.origin, entry.periodKey) as { payload: string } | undefined;
    const contributions = row ? contributionsOf(JSON.parse(row.payload) as SynthesisPayload) : [];
    if (contributionCache.size >= CONTRIBUTION_CACHE) {
      contributionCache.delete(contributionCache.keys().next().value as string);
    }
    contributionCache.set(cacheKey, contributions);
    return contributions;
  };

  // ---------------------------------------------------------------------------------------
  // Sums of the persisted rows for a filter

  /** Prepared statements by SQL text (a filter's shape gives one text; at most 200 kept). */
  const statements = new Map<string, Statement<unknown[]>>();
  const statement = (text: string): Statement<unknown[]> => {
    let prepared = statements.get(text);
    if (!prepared) {
      if (statements.size >= 200) statements.delete(statements.keys().next().value as string);
      prepared = sqlite.prepare<unknown[]>(text);
      statements.set(text, prepared);
    }
    return prepared;
  };

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
    /** With a category filter: the included versions' fingerprint elements, added up. */
    categorySum: bigint;
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
    return { inWindow: (at: number) => at >= from && at < to, full: (at: number) => at >= to };
  };
  const excludedVersion = (entry: IndexEntry, reason: ExclusionReason): ExcludedVersion => ({
    origin: entry.origin,
    periodKey: entry.periodKey,
    version: entry.version,
    reason,
  });

  const noPlace: Place<IndexEntry> = {
    level: "world",
    country: "",
    sorted: [],
    all: emptyCell(),
    trusted: emptyCell(),
  };

  /**
   * The place whose maintained cell answers this read (figure-coverage.ts), or null when the
   * read needs a scan: a period range, categories, several places, another grid version, or a
   * trust decision other than the node's endorsement.
   */
  const maintainedPlace = (ask: Ask): Place<IndexEntry> | null => {
    const { filter, grid } = ask;
    if (filter.periodFrom !== undefined || filter.periodTo !== undefined) return null;
    if (restricts(filter.categories)) return null;
    if (grid.id !== coverage.grid.id || grid.version !== coverage.grid.version) return null;
    if (coverage.holdsOtherVersion(grid.id, ask.versions)) return null;
    if (ask.endorsedScope && ask.trusted !== isEndorsed) return null;
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

  /** The coverage of a world, country or region figure from its maintained cell. */
  const maintainedSelection = (ask: Ask, place: Place<IndexEntry>): Selection => {
    const { robust, endorsedScope, trusted, grid } = ask;
    const all = place.all;
    const cell = endorsedScope ? place.trusted : all;
    const implausible = implausibleOf(cell);
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
    // The window: the place's entries in key order, until both lists' windows are full.
    const { inWindow, full } = windowed(ask.page);
    const includedWindow: IndexEntry[] = [];
    const excluded: ExcludedVersion[] = [];
    let included = 0;
    let excludedAt = 0;
    for (const entry of place.sorted) {
      if (full(included) && full(excludedAt)) break;
      const reason: ExclusionReason | undefined =
        endorsedScope && !trusted(entry.origin)
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
      if (reason) {
        if (inWindow(excludedAt++)) excluded.push(excludedVersion(entry, reason));
      } else if (inWindow(included++)) includedWindow.push(entry);
    }
    const anyCounted = all.counted + all.losers.size > 0;
    return {
      present: anyCounted ? [grid.version] : [],
      countries: place.level === "world" || all.entries === 0 ? [] : [place.country],
      minus: [...late].filter((e) => !endorsedScope || e.endorsed),
      plus: endorsedScope ? [...cell.offPartition].filter((e) => !late.has(e)) : [],
      flagged: [...new Set([...implausible].map((e) => e.origin))].sort(),
      coverageCounts,
      includedWindow,
      excluded,
      includedVersions: new Set(coverageCounts.included > 0 ? [grid.version] : []),
      territories,
      categorySum: 0n,
    };
  };

  /** The entries of the places a filter names (all entries without a place filter), by key. */
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
    } else return sortedEntries;
    return lists.length === 1 ? (lists[0] as IndexEntry[]) : lists.flat().sort(byEntryKey);
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
      categorySum,
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
    const categories = restricts(filter.categories) ? [...new Set(filter.categories)] : [""];
    const { cellRows, peopleRows } = sumRows(
      filter,
      grid.id,
      selection.present,
      endorsedScope ? [1] : [0, 1],
      categories,
      selection.countries,
    );
    // Cells keyed by grid version and component (`cellKey`) until the level is known.
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
    let fingerprintSum = 0n;
    for (const row of peopleRows) {
      participants += row.participants;
      groups += row.groups;
      if (row.category === "" && row.fingerprint) {
        fingerprintSum = multisetAdd(fingerprintSum, parseMultisetHex(row.fingerprint));
      }
    }
    const correct = (entry: IndexEntry, sign: 1 | -1) => {
      for (const contribution of contributionsFor(entry)) {
        if (!categories.includes(contribution.category)) continue;
        participants += sign * contribution.participants;
        groups += sign * contribution.groups;
        for (const cell of contribution.cells) {
          if (filter.question && cell.question !== filter.question) continue;
          let cells = sums.get(cell.question);
          if (!cells) {
            cells = new Map();
            sums.set(cell.question, cells);
          }
          const key = cellKey(entry.gridVersion, cell.component);
          cells.set(key, (cells.get(key) ?? 0) + sign * cell.count);
        }
      }
      fingerprintSum =
        sign > 0
          ? multisetAdd(fingerprintSum, entry.element)
          : multisetSubtract(fingerprintSum, entry.element);
    };
    for (const entry of selection.minus) correct(entry, -1);
    for (const entry of selection.plus) correct(entry, 1);
    // With a category filter a version counts in the row of each selected category it
    // publishes: its fingerprint element is added once, from the coverage itself.
    if (categories[0] !== "") fingerprintSum = selection.categorySum;

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
        const [version, component] = splitCellKey(key);
        const code = plan ? plan.keyOf(version, component) : component;
        keyed.set(code, (keyed.get(code) ?? 0) + n);
      }
      const nonZero = [...keyed].filter(([, n]) => n !== 0).sort(([a], [b]) => (a < b ? -1 : 1));
      if (nonZero.length === 0) continue;
      figureCounts[question] = Object.fromEntries(nonZero);
      const total = nonZero.reduce((sum, [, n]) => sum + n, 0);
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
      const followed = followedNow();
      // Follows changed since the partitions were reconciled: the next read checks them all
      // (this entry is placed by the follows of now, the others by those of their time).
      if (signatureOf(followed) !== reconciledWith) reconciledWith = null;
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
      if (next) {
        ctx.db
          .insert(aggregateEntries)
          .values(next)
          .onConflictDoUpdate({
            target: [aggregateEntries.origin, aggregateEntries.periodKey],
            set: next,
          })
          .run();
      } else {
        ctx.db
          .delete(aggregateEntries)
          .where(
            and(eq(aggregateEntries.origin, origin), eq(aggregateEntries.periodKey, periodKey)),
          )
          .run();
      }
      dirty.add(entryKey(origin, periodKey));
      generation++;
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
      if (scope === "endorsed") reconcileEndorsement();
      return indexedFigure(query, trusted, grid, page, grids);
    },

    /**
     * The node's "endorsed" trust scope (docs/architecture.md): its own territories, the actors
     * they follow (accepted), and syntheses relayed by one of those. From the index, no payload.
     */
    endorsement(): (origin: string) => boolean {
      // Once the partitions agree with the follows, an origin is endorsed when one of its
      // entries is in the endorsed partition: nothing to compute per request.
      reconcileEndorsement();
      return isEndorsed;
    },

    /** Every entry held (tests compare the incremental state against it). */
    entries(): EntryRow[] {
      return ctx.db.select().from(aggregateEntries).all();
    },
    generation: () => generation,
  };
}
export type AggregateService = ReturnType<typeof createAggregateService>;
