import { and, eq, lte } from "drizzle-orm";
import type { Db } from "../db/open";
import { criteria, deletedItems, groups } from "../db/schema";
import type { AuditService } from "./audit";
import type { Actor, ServiceContext } from "./context";
import { ConflictError, NotFoundError } from "./errors";
import type { TerritoryService } from "./territories";

/** How long a deleted criterion or group can be brought back (the Undo notice says until when). */
export const UNDO_MINUTES = 10;

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
type GroupRow = typeof groups.$inferSelect;
type CriterionRow = typeof criteria.$inferSelect;
export type DeletedItemRow = typeof deletedItems.$inferSelect;

/** What a deletion answers: the entry that undoes it, and until when. */
export interface Undoable {
  undoId: number;
  until: string;
}

/** Rows per INSERT when restoring (well under SQLite's limit of bound variables). */
const CHUNK = 500;

/**
 * Deletions that can be undone for a few minutes: the criteria and groups service move the rows
 * here in the same transaction that deletes them, so syntheses never see them again; restoring
 * puts them back with their ids; entries past their time are purged on every deletion and
 * restoration, and at start.
 */
export function createTrashService(
  ctx: ServiceContext,
  audit: AuditService,
  territories: TerritoryService,
) {
  const purge = (db: Db | Tx = ctx.db): number =>
    db.delete(deletedItems).where(lte(deletedItems.expiresAt, ctx.now().toISOString())).run()
      .changes;

  return {
    purge: () => purge(),
    /** Keeps deleted rows for undoing (inside the deleting transaction). */
    stash(
      tx: Tx,
      entry: {
        territoryId: number;
        kind: "criterion" | "group";
        label: string;
        groupId: number;
        group?: GroupRow;
        criteria: CriterionRow[];
      },
    ): Undoable {
      purge(tx);
      const now = ctx.now();
      const until = new Date(now.getTime() + UNDO_MINUTES * 60_000).toISOString();
      const row = tx
        .insert(deletedItems)
        .values({
          territoryId: entry.territoryId,
          kind: entry.kind,
          label: entry.label.slice(0, 200),
          groupId: entry.groupId,
          rows: {
            ...(entry.group ? { group: entry.group } : {}),
            criteria: entry.criteria,
          },
          deletedAt: now.toISOString(),
          expiresAt: until,
        })
        .returning({ id: deletedItems.id })
        .get();
      return { undoId: row.id, until };
    },
    /** An entry of the territory that can still be undone, or undefined. */
    find(slug: string, id: number): DeletedItemRow | undefined {
      const territory = territories.get(slug);
      const row = ctx.db
        .select()
        .from(deletedItems)
        .where(and(eq(deletedItems.id, id), eq(deletedItems.territoryId, territory.id)))
        .get();
      return row && row.expiresAt > ctx.now().toISOString() ? row : undefined;
    },
    /** Puts a deleted criterion or group (with its criteria) back, ids and all. */
    restore(slug: string, id: number, actor: Actor): DeletedItemRow {
      const entry = this.find(slug, id);
      if (!entry) throw new NotFoundError("this deletion can no longer be undone");
      ctx.db.transaction((tx) => {
        purge(tx);
        const group = entry.rows.group as GroupRow | undefined;
        if (group) tx.insert(groups).values(group).run();
        else if (
          !tx.select({ id: groups.id }).from(groups).where(eq(groups.id, entry.groupId)).get()
        ) {
          throw new ConflictError("the criterion's group was deleted since");
        }
        const rows = entry.rows.criteria as CriterionRow[];
        for (let i = 0; i < rows.length; i += CHUNK) {
          tx.insert(criteria)
            .values(rows.slice(i, i + CHUNK))
            .run();
        }
        tx.delete(deletedItems).where(eq(deletedItems.id, entry.id)).run();
        audit.record(actor, `${entry.kind}.restore`, `${entry.kind}:${group?.id ?? rows[0]?.id}`);
      });
      return entry;
    },
  };
}
export type TrashService = ReturnType<typeof createTrashService>;
