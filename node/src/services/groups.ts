import { type HomogeneousGroup, homogeneousGroupSchema } from "@spiral-network/protocol";
import { and, count, eq, sql } from "drizzle-orm";
import { criteria, groups } from "../db/schema";
import type { AuditService } from "./audit";
import type { CategoryService } from "./categories";
import type { Actor, ServiceContext } from "./context";
import { InvalidInputError, NotFoundError } from "./errors";
import type { TerritoryService } from "./territories";
import type { TrashService, Undoable } from "./trash";

export type GroupRow = typeof groups.$inferSelect;

export function groupView(row: GroupRow, criteriaCount?: number) {
  return {
    id: row.id,
    label: row.label,
    category: row.category,
    sessionDates: row.sessionDates,
    participants: row.participants,
    cycle: row.cycle,
    margins: {
      ...(row.marginsGender ? { gender: row.marginsGender } : {}),
      ...(row.marginsAge ? { age: row.marginsAge } : {}),
    },
    notes: row.notes ?? undefined,
    ...(criteriaCount === undefined ? {} : { criteria: criteriaCount }),
  };
}

function toColumns(group: HomogeneousGroup) {
  const sessionDates = [...group.sessionDates].sort();
  return {
    label: group.label,
    category: group.category,
    sessionDates,
    firstSession: sessionDates[0] ?? "",
    participants: group.participants,
    cycle: group.cycle,
    marginsGender: (group.margins?.gender as Record<string, number> | undefined) ?? null,
    marginsAge: (group.margins?.age as Record<string, number> | undefined) ?? null,
    notes: group.notes ?? null,
  };
}

export function createGroupService(
  ctx: ServiceContext,
  audit: AuditService,
  territories: TerritoryService,
  categories: CategoryService,
  trash: TrashService,
) {
  const requireCategory = (code: string) => {
    if (!categories.exists(code)) {
      throw new InvalidInputError(`unknown group category "${code}"`, [
        {
          path: "category",
          message: `unknown category "${code}"; add it first or pick a listed one`,
        },
      ]);
    }
  };

  return {
    list(slug: string) {
      const territory = territories.get(slug);
      const rows = ctx.db
        .select({ group: groups, criteria: count(criteria.id) })
        .from(groups)
        .leftJoin(criteria, eq(criteria.groupId, groups.id))
        .where(eq(groups.territoryId, territory.id))
        .groupBy(groups.id)
        .orderBy(groups.firstSession, groups.id)
        .all();
      return rows.map((r) => groupView(r.group, r.criteria));
    },
    /** A group of the territory; 404 when it does not exist or belongs to another territory. */
    get(slug: string, id: number): GroupRow {
      const territory = territories.get(slug);
      const row = ctx.db
        .select()
        .from(groups)
        .where(and(eq(groups.id, id), eq(groups.territoryId, territory.id)))
        .get();
      if (!row) throw new NotFoundError(`no group ${id} in territory "${slug}"`);
      return row;
    },
    create(slug: string, input: HomogeneousGroup, actor: Actor): GroupRow {
      const territory = territories.get(slug);
      const group = homogeneousGroupSchema.parse(input);
      requireCategory(group.category);
      return ctx.db.transaction((tx) => {
        const row = tx
          .insert(groups)
          .values({ territoryId: territory.id, ...toColumns(group) })
          .returning()
          .get();
        audit.record(actor, "group.create", `group:${row.id}`);
        return row;
      });
    },
    update(slug: string, id: number, patch: Partial<HomogeneousGroup>, actor: Actor): GroupRow {
      const current = groupView(this.get(slug, id));
      const merged = homogeneousGroupSchema.safeParse({
        label: current.label,
        category: current.category,
        sessionDates: current.sessionDates,
        participants: current.participants,
        cycle: current.cycle,
        ...(Object.keys(current.margins).length > 0 ? { margins: current.margins } : {}),
        ...(current.notes === undefined ? {} : { notes: current.notes }),
        ...patch,
      });
      if (!merged.success) {
        throw new InvalidInputError(
          "the updated group is not valid",
          merged.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
        );
      }
      requireCategory(merged.data.category);
      return ctx.db.transaction((tx) => {
        const row = tx
          .update(groups)
          .set({
            ...toColumns(merged.data),
            updatedAt: sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`,
          })
          .where(eq(groups.id, id))
          .returning()
          .get();
        audit.record(actor, "group.update", `group:${id}`, { fields: Object.keys(patch) });
        return row;
      });
    },
    /** Deletes a group and its criteria; they can be restored for a few minutes (services/trash.ts). */
    delete(slug: string, id: number, actor: Actor): Undoable {
      const group = this.get(slug, id);
      return ctx.db.transaction((tx) => {
        const rows = tx.select().from(criteria).where(eq(criteria.groupId, id)).all();
        tx.delete(groups).where(eq(groups.id, id)).run();
        audit.record(actor, "group.delete", `group:${id}`);
        return trash.stash(tx, {
          territoryId: group.territoryId,
          kind: "group",
          label: group.label,
          groupId: id,
          group,
          criteria: rows,
        });
      });
    },
  };
}
export type GroupService = ReturnType<typeof createGroupService>;
