import {
  type AggregateFilter,
  type AggregateState,
  aggregate,
  coverage,
  coverageFingerprint,
  dimensionSubtotals,
  type ExcludedVersion,
  emptyState,
  entryKey,
  type GridCatalog,
  type GridLevels,
  type IncludedVersion,
  type LevelPlan,
  mergeRecords,
  payloadCells,
  QUESTIONS,
  type Question,
  type SynthesisPayload,
  type SynthesisRecord,
  sharedLevel,
} from "@spiral-network/protocol";
import { and, eq, gte, inArray, lte, type SQL, sql } from "drizzle-orm";
import { aggregateCells, aggregateEntries, aggregatePeople } from "../db/schema";
import type { ServiceContext } from "./context";

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
  coverage: { included: IncludedVersion[]; excluded: ExcludedVersion[] };
  flagged: string[];
  fingerprint: string;
  /** Present when the figure spans several grid versions: the level each counted at. */
  gridLevels?: GridLevels;
}

const knownVersions = (grids: GridCatalog, id: string) =>
  grids.grids.filter((g) => g.id === id).map((g) => g.version);

/** The payload without its counts: enough for filters, coverage and plausibility, small in memory. */
function lightPayload(payload: SynthesisPayload): SynthesisPayload {
  return {
    ...payload,
    counts: {},
    dimensions: {},
    ...(payload.categories
      ? { categories: payload.categories.map((c) => ({ ...c, counts: {} })) }
      : {}),
  };
}

const placesOf = (
  payload: SynthesisPayload,
): Array<{ level: Level; country: string; region: string }> => [
  { level: "world", country: "", region: "" },
  { level: "country", country: payload.territory.country, region: "" },
  { level: "region", country: payload.territory.country, region: payload.territory.region ?? "" },
];

/**
 * Network aggregates (docs/protocol.md §10). The state — the latest synthesis per origin and period, own
 * territories included — lives in `aggregate_entries`; the sums live in `aggregate_cells` and
 * `aggregate_people`, maintained incrementally (subtract the old version, add the new) inside the
 * transaction that changed the state, so reading a figure is a lookup. Coverage, plausibility and
 * the fingerprint come from the pure protocol functions over an in-memory copy of the state that
 * holds payloads without their counts.
 */
export function createAggregateService(ctx: ServiceContext, knownGrids?: () => GridCatalog) {
  let state: AggregateState | null = null;
  let generation = 0;
  const fingerprintCache = new Map<
    string,
    {
      generation: number;
      coverage: ReturnType<typeof coverage>;
      /** How counts of several grid versions are re-keyed (null: one version, as they are). */
      plan?: LevelPlan | null;
      fingerprint: string;
      /** The whole answer, once computed for this state: a repeated read is a lookup. */
      result?: AggregateResult;
    }
  >();

  // The origins in the state (sorted), for the cache key of "endorsed" figures.
  let originsCache: { generation: number; origins: string[] } | null = null;
  const stateOrigins = (): string[] => {
    if (originsCache?.generation !== generation) {
      const origins = new Set([...loadState().values()].map((entry) => entry.origin));
      originsCache = { generation, origins: [...origins].sort() };
    }
    return originsCache.origins;
  };

  const rowToRecord = (row: EntryRow) => ({
    origin: row.origin,
    periodKey: row.periodKey,
    version: row.version,
    hash: row.hash,
    payload: row.payload,
  });

  /** The in-memory state: every entry that is not withdrawn, conflicts kept as several hashes. */
  /** One light record per hash held: several hashes under one version is how the state says "conflicted". */
  const recordsOf = (row: EntryRow): SynthesisRecord[] =>
    row.hashes.map((hash) => ({
      ...rowToRecord(row),
      hash,
      payload: lightPayload({ ...row.payload, hash }),
    }));

  /**
   * Entries changed since the in-memory state was last brought up to date. They are re-read from
   * the database when the state is next used, so a change whose transaction rolled back leaves
   * no trace in memory (the database is the only source of truth).
   */
  const dirty = new Set<string>();

  /**
   * The in-memory state: every entry that is not withdrawn (built once, then kept in step).
   * Read it only outside write transactions (queries are), or uncommitted rows would enter it.
   */
  const loadState = (): AggregateState => {
    if (!state) {
      const rows = ctx.db
        .select()
        .from(aggregateEntries)
        .where(eq(aggregateEntries.withdrawn, false))
        .all();
      state = mergeRecords(emptyState(), rows.flatMap(recordsOf));
      dirty.clear();
      return state;
    }
    if (dirty.size > 0) {
      const next = new Map(state);
      const changed: SynthesisRecord[] = [];
      for (const key of dirty) {
        next.delete(key);
        const [origin = "", periodKey = ""] = key.split("\n");
        const row = ctx.db
          .select()
          .from(aggregateEntries)
          .where(
            and(eq(aggregateEntries.origin, origin), eq(aggregateEntries.periodKey, periodKey)),
          )
          .get();
        if (row && !row.withdrawn) changed.push(...recordsOf(row));
      }
      dirty.clear();
      state = mergeRecords(next, changed);
    }
    return state;
  };

  // Hand-written upserts on the hottest path (every cell of every level on each new version).
  const upsertCell = ctx.storage.sqlite.prepare(
    `insert into aggregate_cells (level, country, region, category, grid_id, grid_version, period_key, period_start, period_end, question, component, count)
     values (@level, @country, @region, @category, @gridId, @gridVersion, @periodKey, @periodStart, @periodEnd, @question, @component, @count)
     on conflict (level, country, region, category, grid_id, grid_version, period_key, question, component)
     do update set count = count + excluded.count`,
  );
  const upsertPeople = ctx.storage.sqlite.prepare(
    `insert into aggregate_people (level, country, region, category, grid_id, grid_version, period_key, period_start, period_end, participants, groups, territories)
     values (@level, @country, @region, @category, @gridId, @gridVersion, @periodKey, @periodStart, @periodEnd, @participants, @groups, @territories)
     on conflict (level, country, region, category, grid_id, grid_version, period_key)
     do update set participants = participants + excluded.participants, groups = groups + excluded.groups,
       territories = territories + excluded.territories`,
  );
  const dropEmpty = [
    ctx.storage.sqlite.prepare("delete from aggregate_cells where count = 0"),
    ctx.storage.sqlite.prepare("delete from aggregate_people where territories = 0"),
  ];

  const applyCells = (row: EntryRow, sign: 1 | -1) => {
    const payload = row.payload;
    const base = {
      gridId: row.gridId,
      gridVersion: row.gridVersion,
      periodKey: row.periodKey,
      periodStart: row.periodStart,
      periodEnd: row.periodEnd,
    };
    const breakdowns = [
      { category: "", participants: payload.participants, groups: payload.groups },
      ...(payload.categories ?? []).map((c) => ({
        category: c.category,
        participants: c.participants,
        groups: c.groups,
      })),
    ];
    for (const place of placesOf(payload)) {
      for (const { category, participants, groups } of breakdowns) {
        const cells = payloadCells(payload, category === "" ? {} : { category });
        for (const cell of cells) {
          upsertCell.run({ ...place, ...base, category, ...cell, count: sign * cell.count });
        }
        upsertPeople.run({
          ...place,
          ...base,
          category,
          participants: sign * participants,
          groups: sign * groups,
          territories: sign,
        });
      }
    }
    if (sign < 0) for (const statement of dropEmpty) statement.run();
  };

  const counts = (row: EntryRow) => !row.conflicted && !row.withdrawn;

  /**
   * The figure over named entries or named territories only, from their full payloads (see
   * `query`); the protocol's filter decides, the reads below only leave out what it would.
   */
  const entriesFigure = (
    query: AggregateQuery,
    options: Parameters<typeof aggregate>[2],
  ): AggregateResult => {
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
          ...rowToRecord(row),
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

  return {
    /**
     * Brings one (origin, period) entry in line with its sources; call inside the transaction that
     * changed them. `source` null means the entry is gone.
     */
    apply(origin: string, periodKey: string, source: EntrySource | null): void {
      const old = ctx.db
        .select()
        .from(aggregateEntries)
        .where(and(eq(aggregateEntries.origin, origin), eq(aggregateEntries.periodKey, periodKey)))
        .get();
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
          name: payload.territory.name,
          country: payload.territory.country,
          region: payload.territory.region ?? "",
          gridId: payload.grid.id,
          gridVersion: payload.grid.version,
          participants: payload.participants,
          groups: payload.groups,
          criteria: payload.totals.criteria,
          payload: payload,
        };
      }
      const unchanged =
        old &&
        next &&
        old.version === next.version &&
        old.hash === next.hash &&
        old.conflicted === next.conflicted &&
        old.withdrawn === next.withdrawn &&
        old.via === next.via;
      if (unchanged || (!old && !next)) return;
      if (old && counts(old)) applyCells(old, -1);
      if (next && counts(next)) applyCells(next, 1);
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

    /** A figure with its coverage: sums are looked up, exclusions subtracted, coverage computed. */
    query(query: AggregateQuery, trusted: (origin: string) => boolean): AggregateResult {
      const { scope, robust, ...filter } = query;
      const grid = filter.grid ?? { id: ctx.grid.id, version: ctx.grid.version };
      const grids = knownGrids?.();
      const options = {
        grid,
        robust,
        ...(grids ? { grids } : {}),
        ...(scope === "endorsed" ? { trusted } : {}),
      };
      // An endorsed figure depends on which origins are trusted (follows change without any new
      // version): the trust decision for every origin held is part of the key.
      const trust =
        scope === "endorsed"
          ? stateOrigins()
              .map((o) => (trusted(o) ? 1 : 0))
              .join("")
          : "";
      // The known grids decide the level of a figure over several versions.
      const gridKey = grids?.grids.map((g) => `${g.id} ${g.version}`).join(",") ?? "";
      const cacheKey = JSON.stringify([filter, scope, robust, grid, trust, gridKey]);
      let cached = fingerprintCache.get(cacheKey);
      if (cached?.generation === generation && cached.result) return cached.result;
      if (filter.entries !== undefined || filter.origins?.length) {
        // A sub-network's or a territory's figure (a handful of entries): recomputed by the
        // protocol's reference function over those entries' full payloads rather than looked up
        // in the rolled-up totals, which cannot tell territories apart.
        const result = entriesFigure(query, options);
        fingerprintCache.set(cacheKey, {
          generation,
          coverage: { ...result.coverage, flagged: result.flagged },
          fingerprint: result.fingerprint,
          result,
        });
        return result;
      }
      if (!cached || cached.generation !== generation) {
        const cov = coverage(loadState(), filter, options);
        const plan = cov.gridLevels ? sharedLevel(grids, grid.id, cov.gridLevels.versions) : null;
        cached = {
          generation,
          coverage: cov,
          plan,
          fingerprint: coverageFingerprint(cov.included, plan),
        };
        fingerprintCache.set(cacheKey, cached);
        if (fingerprintCache.size > 500)
          fingerprintCache.delete(fingerprintCache.keys().next().value as string);
      }

      // Sums of everything that counts in scope (a lookup at the right level)…
      const level: Level = filter.regions?.length
        ? "region"
        : filter.countries?.length
          ? "country"
          : "world";
      // A region filter also names the regions' countries, so the lookup uses the key's prefix.
      const countries = filter.countries?.length
        ? filter.countries
        : filter.regions?.length
          ? [
              ...new Set(
                [...loadState().values()].flatMap((e) => {
                  const territory = e.records[0]?.payload.territory;
                  return territory?.region && filter.regions?.includes(territory.region)
                    ? [territory.country]
                    : [];
                }),
              ),
            ]
          : [];
      // Each category once (category=other,other must not subtract an exclusion twice).
      const categories = filter.categories?.length ? [...new Set(filter.categories)] : [""];
      const where = (table: typeof aggregateCells | typeof aggregatePeople): SQL[] => [
        eq(table.level, level),
        eq(table.gridId, grid.id),
        // With known grids, every known version of the grid counts (re-keyed below); else this one.
        grids
          ? inArray(table.gridVersion, [grid.version, ...knownVersions(grids, grid.id)])
          : eq(table.gridVersion, grid.version),
        inArray(table.category, categories),
        ...(countries.length ? [inArray(table.country, countries)] : []),
        ...(filter.regions?.length ? [inArray(table.region, filter.regions)] : []),
        ...(filter.periodFrom ? [gte(table.periodStart, filter.periodFrom)] : []),
        ...(filter.periodTo ? [lte(table.periodEnd, filter.periodTo)] : []),
      ];
      const cellRows = ctx.db
        .select({
          version: aggregateCells.gridVersion,
          question: aggregateCells.question,
          component: aggregateCells.component,
          count: sql<number>`sum(${aggregateCells.count})`,
        })
        .from(aggregateCells)
        .where(
          and(
            ...where(aggregateCells),
            ...(filter.question ? [eq(aggregateCells.question, filter.question)] : []),
          ),
        )
        .groupBy(aggregateCells.gridVersion, aggregateCells.question, aggregateCells.component)
        .all();
      // Where cells of several grid versions enter: re-keyed at the level they share.
      const plan = cached.plan ?? null;
      const keyOf = (version: string, code: string) => (plan ? plan.keyOf(version, code) : code);
      const people = ctx.db
        .select({
          participants: sql<number>`coalesce(sum(${aggregatePeople.participants}), 0)`,
          groups: sql<number>`coalesce(sum(${aggregatePeople.groups}), 0)`,
        })
        .from(aggregatePeople)
        .where(and(...where(aggregatePeople)))
        .get() ?? { participants: 0, groups: 0 };

      const sums: Record<string, Record<string, number>> = {};
      for (const row of cellRows) {
        if (row.count === 0) continue;
        const cells = sums[row.question] ?? {};
        const key = keyOf(row.version, row.component);
        cells[key] = (cells[key] ?? 0) + row.count;
        sums[row.question] = cells;
      }
      let { participants, groups } = people;

      // …minus the entries that are summed there but excluded here (untrusted, implausible, and
      // the periods of a territory that overlap the one that counts).
      const subtract = cached.coverage.excluded.filter(
        (e) => e.reason === "untrusted" || e.reason === "implausible" || e.reason === "overlapping",
      );
      for (const excluded of subtract) {
        const row = ctx.db
          .select()
          .from(aggregateEntries)
          .where(
            and(
              eq(aggregateEntries.origin, excluded.origin),
              eq(aggregateEntries.periodKey, excluded.periodKey),
            ),
          )
          .get();
        if (!row || !counts(row) || row.gridId !== grid.id) continue;
        if (row.gridVersion !== grid.version && !grids?.get(grid.id, row.gridVersion)) continue;
        const payload = row.payload;
        for (const category of categories) {
          const breakdown =
            category === "" ? payload : payload.categories?.find((c) => c.category === category);
          if (!breakdown) continue;
          for (const cell of payloadCells(payload, category === "" ? {} : { category })) {
            if (filter.question && cell.question !== filter.question) continue;
            const cells = sums[cell.question] ?? {};
            const key = keyOf(row.gridVersion, cell.component);
            cells[key] = (cells[key] ?? 0) - cell.count;
            if (cells[key] === 0) delete cells[key];
            sums[cell.question] = cells;
          }
          participants -= breakdown.participants;
          groups -= breakdown.groups;
        }
      }

      const ordered: Partial<Record<Question, Record<string, number>>> = {};
      const byQuestion: Partial<Record<Question, number>> = {};
      let criteria = 0;
      for (const question of QUESTIONS) {
        const cells = sums[question];
        if (!cells || Object.keys(cells).length === 0) continue;
        ordered[question] = Object.fromEntries(
          Object.entries(cells).sort(([a], [b]) => (a < b ? -1 : 1)),
        );
        const total = Object.values(cells).reduce((a, b) => a + b, 0);
        byQuestion[question] = total;
        criteria += total;
      }
      const result: AggregateResult = {
        scope,
        robust,
        filter,
        counts: ordered,
        dimensions: dimensionSubtotals(ordered) as AggregateResult["dimensions"],
        totals: { criteria, byQuestion },
        participants,
        groups,
        territories: new Set(cached.coverage.included.map((v) => v.origin)).size,
        coverage: { included: cached.coverage.included, excluded: cached.coverage.excluded },
        flagged: cached.coverage.flagged,
        fingerprint: cached.fingerprint,
        ...(cached.coverage.gridLevels ? { gridLevels: cached.coverage.gridLevels } : {}),
      };
      cached.result = result;
      return result;
    },

    /** Every entry held (tests compare the incremental state against it). */
    entries(): EntryRow[] {
      return ctx.db.select().from(aggregateEntries).all();
    },
    /** What the "endorsed" scope needs to know of each entry (no payloads). */
    trustFacts(): Array<{ origin: string; local: boolean; via: string | null }> {
      return ctx.db
        .select({
          origin: aggregateEntries.origin,
          local: aggregateEntries.local,
          via: aggregateEntries.via,
        })
        .from(aggregateEntries)
        .all();
    },
    generation: () => generation,
  };
}
export type AggregateService = ReturnType<typeof createAggregateService>;
