import {
  carryCode,
  contentHash,
  type Grid,
  type GridCatalog,
  type GridChanges,
  GridError,
  type GridMapping,
  gridCatalog,
  gridChanges,
  loadGrid,
  mappingOf,
  mappingProblems,
} from "@spiral-network/protocol";
import { and, eq, inArray } from "drizzle-orm";
import {
  aggregateEntries,
  criteria,
  gridReviews,
  gridVersions,
  groups,
  territories,
} from "../db/schema";
import type { AuditService } from "./audit";
import type { Actor, ServiceContext } from "./context";
import { ConflictError, InvalidInputError, NotFoundError } from "./errors";

/**
 * The grid in use, readable by every service at call time: an import replaces it without a
 * restart. Everything that holds `ctx.grid` reads through this object.
 */
export interface LiveGrid {
  readonly grid: Grid;
  current(): Grid;
  set(next: Grid): void;
}

export function createLiveGrid(initial: Grid): LiveGrid {
  let current = initial;
  const grid: Grid = {
    get id() {
      return current.id;
    },
    get version() {
      return current.version;
    },
    get file() {
      return current.file;
    },
    get dimensions() {
      return current.dimensions;
    },
    get components() {
      return current.components;
    },
    entry: (code) => current.entry(code),
    componentsOf: (dimension) => current.componentsOf(dimension),
    label: (code, language) => current.label(code, language),
    hasSense: (letter) => current.hasSense(letter),
    hasBeneficiary: (letter) => current.hasBeneficiary(letter),
  };
  return {
    grid,
    current: () => current,
    set(next) {
      current = next;
    },
  };
}

type GridRow = typeof gridVersions.$inferSelect;

/** What an import would do, shown before it is applied. */
export interface GridImportPreview {
  changes: GridChanges;
  /** The mapping the import applies (the file's, or "same codes" when it gives none). */
  mapping: GridMapping;
  /** Criteria whose code a rename or merge moves to the new code. */
  criteriaMoved: number;
  /** Criteria coded with a split component, queued for review. */
  criteriaToReview: number;
  /** The content hash of the grid document as this node will hold and serve it. */
  hash: string;
}

/** A grid row as lists show it. */
export interface GridVersionView {
  id: string;
  version: string;
  hash: string;
  state: GridRow["state"];
  source: string;
  createdAt: string;
  adoptedAt: string | null;
}

const view = (row: GridRow): GridVersionView => ({
  id: row.gridId,
  version: row.version,
  hash: row.hash,
  state: row.state,
  source: row.source,
  createdAt: row.createdAt,
  adoptedAt: row.adoptedAt,
});

/**
 * Parses a grid file (text or parsed JSON) into a grid; a file that is not JSON or not a grid is
 * refused with every reason (InvalidInputError).
 */
export function parseGridFile(input: string | unknown): Grid {
  let data: unknown = input;
  if (typeof input === "string") {
    try {
      data = JSON.parse(input);
    } catch (error) {
      throw new InvalidInputError(`the grid file is not JSON: ${(error as Error).message}`);
    }
  }
  try {
    return loadGrid(data);
  } catch (error) {
    if (!(error instanceof GridError)) throw error;
    const problems = error.message.replace(/^invalid grid file: /, "").split("; ");
    throw new InvalidInputError(
      `the grid file is refused: ${problems.join("; ")}`,
      problems.map((p) => {
        const at = p.indexOf(": ");
        return at > 0
          ? { path: p.slice(0, at), message: p.slice(at + 2) }
          : { path: "(root)", message: p };
      }),
    );
  }
}

/** The grid as held: the file with the mapping from the version it replaces written in. */
const withMapping = (grid: Grid, mapping: GridMapping | undefined): Grid =>
  mapping ? loadGrid({ ...grid.file, mapping }) : grid;

/**
 * Grid versions (docs/facilitators-guide.md, "A new grid version"): the one in use, the ones
 * figures map through, the import (preview, then apply) and the criteria it queues for review.
 */
export function createGridService(ctx: ServiceContext, live: LiveGrid, audit: AuditService) {
  let catalogCache: { catalog: GridCatalog } | null = null;

  const rows = () => ctx.db.select().from(gridVersions).all();
  const find = (id: string, version: string) =>
    ctx.db
      .select()
      .from(gridVersions)
      .where(and(eq(gridVersions.gridId, id), eq(gridVersions.version, version)))
      .get();
  const activeRow = () =>
    ctx.db.select().from(gridVersions).where(eq(gridVersions.state, "active")).get();

  const store = (
    grid: Grid,
    state: GridRow["state"],
    source: string,
    adopted: boolean,
  ): GridRow => {
    const document = grid.file as unknown as GridRow["document"];
    const row = {
      gridId: grid.id,
      version: grid.version,
      hash: contentHash(document),
      document,
      state,
      source,
      adoptedAt: adopted ? ctx.now().toISOString() : null,
    };
    catalogCache = null;
    return ctx.db
      .insert(gridVersions)
      .values(row)
      .onConflictDoUpdate({ target: [gridVersions.gridId, gridVersions.version], set: row })
      .returning()
      .get();
  };

  /** Criteria of every territory coded with one of these components. */
  const criteriaWith = (components: string[]) =>
    components.length === 0
      ? []
      : ctx.db
          .select({ id: criteria.id, code: criteria.code, component: criteria.component })
          .from(criteria)
          .where(inArray(criteria.component, components))
          .all();

  const plan = (next: Grid) => {
    const previous = live.current();
    const mapping = mappingOf(previous, next);
    const problems = mappingProblems(previous, next, mapping);
    if (problems.length > 0) {
      throw new InvalidInputError(
        `the grid cannot replace ${previous.id} ${previous.version}: ${problems.join("; ")}`,
        problems.map((message) => ({ path: "mapping", message })),
      );
    }
    const held = withMapping(next, mapping);
    // A version is one document everywhere: a file reusing the id and version of one in use or
    // known here (the bundled one…) with other content would rewrite it, and every synthesis
    // coded with it would be read through the wrong grid. An offer nobody accepted gives way.
    const same = find(held.id, held.version);
    if (same && same.state !== "offered" && same.hash !== contentHash(held.file)) {
      throw new InvalidInputError(
        `this node already holds ${held.id} ${held.version} with other content (${same.hash}): a new version needs a new version name`,
        [{ path: "version", message: `${held.version} is held with other content` }],
      );
    }
    const changes = gridChanges(previous, held, mapping);
    const moving = mapping.changes.flatMap((c) =>
      c.kind === "split" ? [] : typeof c.from === "string" ? [c.from] : c.from,
    );
    return {
      previous,
      held,
      mapping,
      changes,
      moved: criteriaWith(moving),
      review: criteriaWith(changes.review),
    };
  };

  const service = {
    /** The grid in use. */
    active: (): Grid => live.current(),

    /**
     * At start: the grid in use is the one held as active; a node holding none records `initial`
     * (its territories' grid) and returns it. Returns the grid now in use.
     */
    start(initial: Grid): Grid {
      const row = activeRow();
      if (row) {
        const grid = loadGrid(row.document);
        live.set(grid);
        return grid;
      }
      store(initial, "active", "bundled", true);
      live.set(initial);
      return initial;
    },

    /** Every grid version held, newest first within a grid. */
    list(): GridVersionView[] {
      return rows()
        .map(view)
        .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
    },

    /**
     * Grid versions named by syntheses this node holds but not known here (not held, or only
     * offered), with the territories that use them: what an admin may fetch and look at.
     */
    unknownVersions(): Array<{
      id: string;
      version: string;
      offered: boolean;
      territories: Array<{ origin: string; name: string }>;
    }> {
      const held = new Map(rows().map((r) => [`${r.gridId}\n${r.version}`, r.state]));
      const seen = ctx.db
        .selectDistinct({
          id: aggregateEntries.gridId,
          version: aggregateEntries.gridVersion,
          origin: aggregateEntries.origin,
          name: aggregateEntries.name,
        })
        .from(aggregateEntries)
        .where(eq(aggregateEntries.withdrawn, false))
        .orderBy(aggregateEntries.gridId, aggregateEntries.gridVersion, aggregateEntries.origin)
        .all();
      const result = new Map<string, ReturnType<typeof service.unknownVersions>[number]>();
      for (const row of seen) {
        const key = `${row.id}\n${row.version}`;
        const state = held.get(key);
        if (state === "active" || state === "known") continue;
        const entry = result.get(key) ?? {
          id: row.id,
          version: row.version,
          offered: state === "offered",
          territories: [],
        };
        if (!entry.territories.some((t) => t.origin === row.origin)) {
          entry.territories.push({ origin: row.origin, name: row.name });
        }
        result.set(key, entry);
      }
      return [...result.values()];
    },

    /**
     * The grids figures may map through: the one in use and the known ones (never offered ones).
     * Read on every figure, so it is built once and rebuilt only after this service changed the
     * versions held (every change goes through it).
     */
    catalog(): GridCatalog {
      if (!catalogCache) {
        const held = rows().filter((r) => r.state !== "offered");
        catalogCache = { catalog: gridCatalog(held.map((r) => loadGrid(r.document))) };
      }
      return catalogCache.catalog;
    },

    /** The document of a grid version held (served at /grids/{id}/{version}); offered ones are not served. */
    document(id: string, version: string): { document: GridRow["document"]; hash: string } {
      const row = find(id, version);
      if (!row || row.state === "offered") {
        throw new NotFoundError(`no grid ${id} ${version} on this node`);
      }
      return { document: row.document, hash: row.hash };
    },

    /** What importing this grid file would change, without changing anything. */
    preview(input: string | unknown): GridImportPreview {
      const next = parseGridFile(input);
      const p = plan(next);
      return {
        changes: p.changes,
        mapping: p.mapping,
        criteriaMoved: p.moved.length,
        criteriaToReview: p.review.length,
        hash: contentHash(p.held.file),
      };
    },

    /**
     * Imports a grid file: it becomes the grid in use (the earlier one stays known, for figures),
     * every territory moves to it, criteria keep their codes (renamed or merged components take
     * their new code) and criteria of split components are queued for review. One transaction.
     */
    apply(input: string | unknown, actor: Actor, source = "import"): GridImportPreview {
      const next = parseGridFile(input);
      const p = plan(next);
      ctx.db.transaction((tx) => {
        tx.update(gridVersions)
          .set({ state: "known" })
          .where(eq(gridVersions.state, "active"))
          .run();
        store(p.held, "active", source, true);
        tx.update(territories).set({ gridId: p.held.id, gridVersion: p.held.version }).run();
        for (const row of p.moved) {
          if (!row.code) continue;
          const code = carryCode(row.code, p.mapping);
          tx.update(criteria)
            .set({ code, component: code.slice(0, 3), updatedAt: ctx.now().toISOString() })
            .where(eq(criteria.id, row.id))
            .run();
        }
        for (const row of p.review) {
          const change = p.mapping.changes.find(
            (c) => c.kind === "split" && c.from === row.component,
          );
          tx.insert(gridReviews)
            .values({
              criterionId: row.id,
              code: row.code ?? "",
              fromVersion: p.previous.version,
              toVersion: p.held.version,
              choices: change && Array.isArray(change.to) ? change.to : [],
            })
            .onConflictDoNothing()
            .run();
        }
        audit.record(actor, "grid.import", `grid:${p.held.id}/${p.held.version}`, {
          from: p.previous.version,
          moved: p.moved.length,
          review: p.review.length,
        });
      });
      live.set(p.held);
      catalogCache = null;
      return {
        changes: p.changes,
        mapping: p.mapping,
        criteriaMoved: p.moved.length,
        criteriaToReview: p.review.length,
        hash: contentHash(p.held.file),
      };
    },

    /** Criteria of a territory queued for review by a grid import, oldest first. */
    reviews(slug: string) {
      return ctx.db
        .select({
          criterionId: gridReviews.criterionId,
          code: gridReviews.code,
          fromVersion: gridReviews.fromVersion,
          toVersion: gridReviews.toVersion,
          choices: gridReviews.choices,
          text: criteria.text,
          question: criteria.question,
        })
        .from(gridReviews)
        .innerJoin(criteria, eq(criteria.id, gridReviews.criterionId))
        .innerJoin(groups, eq(groups.id, criteria.groupId))
        .innerJoin(territories, eq(territories.id, groups.territoryId))
        .where(eq(territories.slug, slug))
        .orderBy(gridReviews.criterionId)
        .all();
    },

    /** Takes a criterion off the review queue (it was classified again). */
    resolveReview(criterionId: number): void {
      ctx.db.delete(gridReviews).where(eq(gridReviews.criterionId, criterionId)).run();
    },

    /**
     * Holds a grid document fetched from another territory, for an admin to look at: checked
     * (a grid, hashing to what its territory announced) and stored as offered. Never adopted:
     * only `accept` (known, for figures) or an import (in use) change what the node uses.
     */
    offer(document: unknown, expectedHash: string, source: string): GridVersionView {
      const grid = parseGridFile(document);
      const hash = contentHash(grid.file);
      if (hash !== expectedHash) {
        throw new InvalidInputError(
          `the grid document from ${source} hashes to ${hash}, not the ${expectedHash} its territory announced`,
        );
      }
      const held = find(grid.id, grid.version);
      if (held) {
        if (held.hash !== hash) {
          throw new ConflictError(
            `this node holds another document for ${grid.id} ${grid.version} (${held.hash})`,
          );
        }
        return view(held);
      }
      return view(store(grid, "offered", source, false));
    },

    /** An admin accepts an offered version as known: figures may map through it. */
    accept(id: string, version: string, actor: Actor): GridVersionView {
      const row = find(id, version);
      if (!row) throw new NotFoundError(`no grid ${id} ${version} on this node`);
      if (row.state !== "offered") return view(row);
      const updated = ctx.db
        .update(gridVersions)
        .set({ state: "known", adoptedAt: ctx.now().toISOString() })
        .where(and(eq(gridVersions.gridId, id), eq(gridVersions.version, version)))
        .returning()
        .get();
      audit.record(actor, "grid.accept", `grid:${id}/${version}`);
      catalogCache = null;
      return view(updated);
    },

    /** The document of a held version (offered included), e.g. to import an offered one. */
    held(id: string, version: string): GridRow["document"] {
      const row = find(id, version);
      if (!row) throw new NotFoundError(`no grid ${id} ${version} on this node`);
      return row.document;
    },
  };
  return service;
}
export type GridService = ReturnType<typeof createGridService>;
