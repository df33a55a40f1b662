import {
  type ClassificationStatus,
  type Criterion,
  classificationStatusSchema,
  criterionSchema,
  criterionTextSchema,
  type Grid,
  languageTag,
  parseSpiralCode,
  type Question,
  questionSchema,
  type SpiralCode,
  SpiralCodeError,
} from "@spiral-network/protocol";
import {
  and,
  asc,
  count,
  desc,
  eq,
  inArray,
  isNotNull,
  max,
  Param,
  Placeholder,
  type SQL,
  sql,
} from "drizzle-orm";
import { z } from "zod";
import type { Db, Storage } from "../db/open";
import { criteria, groups } from "../db/schema";
import type { AuditService } from "./audit";
import type { Actor, ServiceContext } from "./context";
import { type FieldIssue, InvalidInputError, NotFoundError } from "./errors";
import type { GroupService } from "./groups";
import type { TerritoryService } from "./territories";
import type { TrashService, Undoable } from "./trash";

export type CriterionRow = typeof criteria.$inferSelect;
export type CriterionInsert = typeof criteria.$inferInsert;

export function criterionView(row: CriterionRow) {
  return {
    id: row.id,
    groupId: row.groupId,
    question: row.question,
    text: row.text,
    language: row.language ?? undefined,
    code: row.code ?? undefined,
    component: row.component ?? undefined,
    dimension: row.dimension ?? undefined,
    status: row.status,
    classifiedBy: row.classifiedBy ?? undefined,
    classifiedAt: row.classifiedAt ?? undefined,
  };
}

export const classificationSchema = z.strictObject({
  code: z.string().trim().min(1).max(40).nullable(),
  status: classificationStatusSchema.exclude(["unclassified"]).default("proposed"),
});
export type Classification = z.input<typeof classificationSchema>;

export const criterionUpdateSchema = z
  .strictObject({
    question: questionSchema,
    text: criterionTextSchema,
    language: languageTag.nullable(),
  })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, "nothing to update");

/** Codes remembered by a code parser; past it the memo starts again (bounded memory). */
export const CODE_PARSER_MEMO = 10_000;

/**
 * Parses codes through the grid, memoising (bulk imports repeat the same few hundred codes).
 * The parser lives as long as its service, and files can hold any number of distinct (bad)
 * codes: the memo is emptied when it reaches CODE_PARSER_MEMO entries.
 */
export function createCodeParser(grid: Grid) {
  const cache = new Map<string, SpiralCode | SpiralCodeError>();
  // Keyed by the grid version too: an import replaces the grid in use without a restart.
  const parse = (input: string): SpiralCode => {
    const key = `${grid.version}\n${input}`;
    let result = cache.get(key);
    if (!result) {
      try {
        result = parseSpiralCode(input, grid);
      } catch (error) {
        if (!(error instanceof SpiralCodeError)) throw error;
        result = error;
      }
      if (cache.size >= CODE_PARSER_MEMO) cache.clear();
      cache.set(key, result);
    }
    if (result instanceof SpiralCodeError) throw result;
    return result;
  };
  /** How many codes the memo holds now (tests check its bound). */
  return Object.assign(parse, { memoSize: () => cache.size });
}

const BULK_COLUMNS = [
  "groupId",
  "question",
  "text",
  "language",
  "code",
  "component",
  "dimension",
  "status",
  "classifiedBy",
  "classifiedAt",
] as const;

type BulkColumn = (typeof BULK_COLUMNS)[number];

/**
 * How each bulk column is read from a row: a function of its own per column, so that each read
 * sees one property (one closure reading `row[column]` for every column makes all ten reads of
 * a row megamorphic; docs/benchmarks.md, "CSV import and synthesis").
 */
const BULK_READERS: Record<BulkColumn, (row: CriterionInsert) => unknown> = {
  groupId: (row) => row.groupId ?? null,
  question: (row) => row.question ?? null,
  text: (row) => row.text ?? null,
  language: (row) => row.language ?? null,
  code: (row) => row.code ?? null,
  component: (row) => row.component ?? null,
  dimension: (row) => row.dimension ?? null,
  status: (row) => row.status ?? null,
  classifiedBy: (row) => row.classifiedBy ?? null,
  classifiedAt: (row) => row.classifiedAt ?? null,
};

/**
 * A single-row INSERT for bulk imports, run once per row inside the caller's transaction. Drizzle
 * writes the SQL (so it follows the schema); better-sqlite3 runs it directly, which is ~6× faster
 * than multi-row inserts through the query builder (see `npm run bench`).
 */
export function prepareCriterionInsert(storage: Storage) {
  const placeholders = Object.fromEntries(
    BULK_COLUMNS.map((c) => [c, sql.placeholder(c)]),
  ) as Record<BulkColumn, Placeholder>;
  const query = storage.db.insert(criteria).values(placeholders).toSQL();
  const statement = storage.sqlite.prepare(query.sql);
  // Each bound parameter is one of our placeholders (by name) or a constant column default.
  const binders = query.params.map((param) => {
    const value = param instanceof Param ? param.value : param;
    if (value instanceof Placeholder) return BULK_READERS[value.name as BulkColumn];
    return () => value;
  });
  // One array for every row (better-sqlite3 copies the values when it binds them).
  const values: unknown[] = new Array(binders.length);
  return (row: CriterionInsert) => {
    for (let i = 0; i < binders.length; i++)
      values[i] = (binders[i] as (r: CriterionInsert) => unknown)(row);
    return statement.run(values);
  };
}

/** The columns a classification sets: the canonical code and its roll-up, or all cleared. */
export function classificationColumns(
  code: SpiralCode | null,
  status: ClassificationStatus,
  actor: Actor,
  at: string,
) {
  if (!code) {
    return {
      code: null,
      component: null,
      dimension: null,
      status: "unclassified" as const,
      classifiedBy: null,
      classifiedAt: null,
    };
  }
  return {
    code: code.canonical,
    component: code.component,
    dimension: code.dimension,
    status,
    classifiedBy: actor,
    classifiedAt: at,
  };
}

/** The ids among `ids` of the territory's criteria that have the given status. */
export function territoryCriterionIds(
  db: Db,
  territoryId: number,
  ids: number[],
  status: CriterionRow["status"],
): number[] {
  return db
    .select({ id: criteria.id })
    .from(criteria)
    .innerJoin(groups, eq(groups.id, criteria.groupId))
    .where(
      and(
        inArray(criteria.id, ids),
        eq(groups.territoryId, territoryId),
        eq(criteria.status, status),
      ),
    )
    .all()
    .map((r) => r.id);
}

export interface CriteriaFilter {
  groupId?: number | undefined;
  question?: Question | undefined;
  status?: ClassificationStatus | undefined;
  limit: number;
  offset: number;
}

export function createCriteriaService(
  ctx: ServiceContext,
  audit: AuditService,
  territories: TerritoryService,
  groupService: GroupService,
  trash: TrashService,
) {
  const parseCode = createCodeParser(ctx.grid);

  const codeOrIssue = (code: string, path: string): SpiralCode => {
    try {
      return parseCode(code);
    } catch (error) {
      if (error instanceof SpiralCodeError) {
        throw new InvalidInputError(error.message, [{ path, message: error.reason }]);
      }
      throw error;
    }
  };

  /** Rows ready to insert; a code given at entry counts as a proposal to review. */
  const toRows = (groupId: number, items: Criterion[], actor: Actor): CriterionInsert[] => {
    const at = ctx.now().toISOString();
    const issues: FieldIssue[] = [];
    const rows: CriterionInsert[] = [];
    for (const [index, raw] of items.entries()) {
      const parsed = criterionSchema.safeParse(raw);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          issues.push({ path: [index, ...issue.path].join("."), message: issue.message });
        }
        continue;
      }
      const item = parsed.data;
      let code: SpiralCode | null = null;
      if (item.code) {
        try {
          code = parseCode(item.code);
        } catch (error) {
          if (!(error instanceof SpiralCodeError)) throw error;
          issues.push({ path: `${index}.code`, message: error.reason });
          continue;
        }
      }
      rows.push({
        groupId,
        question: item.question,
        text: item.text,
        language: item.language ?? null,
        ...classificationColumns(code, "proposed", actor, at),
      });
    }
    if (issues.length > 0) {
      throw new InvalidInputError(`${issues.length} problem(s); nothing was saved`, issues);
    }
    return rows;
  };

  const getOwned = (slug: string, id: number): CriterionRow => {
    const territory = territories.get(slug);
    const row = ctx.db
      .select({ criterion: criteria })
      .from(criteria)
      .innerJoin(groups, eq(groups.id, criteria.groupId))
      .where(and(eq(criteria.id, id), eq(groups.territoryId, territory.id)))
      .get();
    if (!row) throw new NotFoundError(`no criterion ${id} in territory "${slug}"`);
    return row.criterion;
  };

  return {
    get: getOwned,
    list(slug: string, filter: CriteriaFilter) {
      const territory = territories.get(slug);
      if (filter.groupId !== undefined) groupService.get(slug, filter.groupId);
      const conditions: SQL[] = [eq(groups.territoryId, territory.id)];
      if (filter.groupId !== undefined) conditions.push(eq(criteria.groupId, filter.groupId));
      if (filter.question) conditions.push(eq(criteria.question, filter.question));
      if (filter.status) conditions.push(eq(criteria.status, filter.status));
      const where = and(...conditions);
      const total =
        ctx.db
          .select({ n: count() })
          .from(criteria)
          .innerJoin(groups, eq(groups.id, criteria.groupId))
          .where(where)
          .get()?.n ?? 0;
      const rows = ctx.db
        .select({ criterion: criteria })
        .from(criteria)
        .innerJoin(groups, eq(groups.id, criteria.groupId))
        .where(where)
        .orderBy(asc(criteria.id))
        .limit(filter.limit)
        .offset(filter.offset)
        .all();
      return { total, items: rows.map((r) => criterionView(r.criterion)) };
    },
    /**
     * Every criterion of the territory with its group's label, group by group (for the CSV
     * export): what the import reads back, plus the status.
     */
    exportRows(slug: string) {
      const territory = territories.get(slug);
      return ctx.db
        .select({
          group: groups.label,
          question: criteria.question,
          text: criteria.text,
          code: criteria.code,
          language: criteria.language,
          status: criteria.status,
        })
        .from(criteria)
        .innerJoin(groups, eq(groups.id, criteria.groupId))
        .where(eq(groups.territoryId, territory.id))
        .orderBy(asc(groups.id), asc(criteria.id))
        .all();
    },
    /** The codes this territory classified most recently, newest first, each once. */
    recentCodes(slug: string, limit: number): string[] {
      const territory = territories.get(slug);
      const latest = max(criteria.classifiedAt);
      return ctx.db
        .select({ code: criteria.code, at: latest })
        .from(criteria)
        .innerJoin(groups, eq(groups.id, criteria.groupId))
        .where(and(eq(groups.territoryId, territory.id), isNotNull(criteria.code)))
        .groupBy(criteria.code)
        .orderBy(desc(latest), desc(max(criteria.id)))
        .limit(limit)
        .all()
        .flatMap((r) => (r.code ? [r.code] : []));
    },
    /** Adds criteria to a group, all or nothing. */
    add(slug: string, groupId: number, items: Criterion[], actor: Actor): CriterionRow[] {
      groupService.get(slug, groupId);
      const rows = toRows(groupId, items, actor);
      return ctx.db.transaction((tx) => {
        const inserted: CriterionRow[] = [];
        for (let i = 0; i < rows.length; i += 500) {
          inserted.push(
            ...tx
              .insert(criteria)
              .values(rows.slice(i, i + 500))
              .returning()
              .all(),
          );
        }
        audit.record(actor, "criteria.add", `group:${groupId}`, { count: rows.length });
        return inserted;
      });
    },
    update(
      slug: string,
      id: number,
      patch: z.infer<typeof criterionUpdateSchema>,
      actor: Actor,
    ): CriterionRow {
      getOwned(slug, id);
      return ctx.db.transaction((tx) => {
        const row = tx
          .update(criteria)
          .set({ ...patch, updatedAt: ctx.now().toISOString() })
          .where(eq(criteria.id, id))
          .returning()
          .get();
        audit.record(actor, "criterion.update", `criterion:${id}`, { fields: Object.keys(patch) });
        return row;
      });
    },
    /** Deletes a criterion; it can be restored for a few minutes (services/trash.ts). */
    delete(slug: string, id: number, actor: Actor): Undoable {
      const row = getOwned(slug, id);
      const territory = territories.get(slug);
      return ctx.db.transaction((tx) => {
        tx.delete(criteria).where(eq(criteria.id, id)).run();
        audit.record(actor, "criterion.delete", `criterion:${id}`);
        return trash.stash(tx, {
          territoryId: territory.id,
          kind: "criterion",
          label: row.text,
          groupId: row.groupId,
          criteria: [row],
        });
      });
    },
    /** Sets or clears a code; clearing returns the criterion to the unclassified queue. */
    classify(slug: string, id: number, input: Classification, actor: Actor): CriterionRow {
      getOwned(slug, id);
      const { code, status } = classificationSchema.parse(input);
      const parsed = code === null ? null : codeOrIssue(code, "code");
      const at = ctx.now().toISOString();
      return ctx.db.transaction((tx) => {
        const row = tx
          .update(criteria)
          .set({ ...classificationColumns(parsed, status, actor, at), updatedAt: at })
          .where(eq(criteria.id, id))
          .returning()
          .get();
        audit.record(actor, "criterion.classify", `criterion:${id}`, {
          code: row.code,
          status: row.status,
        });
        return row;
      });
    },
    /** Validates proposed classifications in one go (e.g. after a facilitators' review). */
    validate(slug: string, ids: number[], actor: Actor): number {
      const territory = territories.get(slug);
      const owned = territoryCriterionIds(ctx.db, territory.id, ids, "proposed");
      const at = ctx.now().toISOString();
      return ctx.db.transaction((tx) => {
        let changed = 0;
        for (let i = 0; i < owned.length; i += 500) {
          changed += tx
            .update(criteria)
            .set({ status: "validated", classifiedBy: actor, classifiedAt: at, updatedAt: at })
            .where(inArray(criteria.id, owned.slice(i, i + 500)))
            .run().changes;
        }
        audit.record(actor, "criteria.validate", `territory:${slug}`, { count: changed });
        return changed;
      });
    },
  };
}
export type CriteriaService = ReturnType<typeof createCriteriaService>;
