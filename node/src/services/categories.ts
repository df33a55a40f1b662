import { BUILTIN_GROUP_CATEGORIES } from "@spiral-network/protocol";
import { asc, sql } from "drizzle-orm";
import { groupCategories } from "../db/schema";
import type { AuditService } from "./audit";
import type { Actor, ServiceContext } from "./context";
import { ConflictError } from "./errors";

export type CategoryRow = typeof groupCategories.$inferSelect;

/** The extensible controlled list of group categories: builtins plus the node's own. */
export function createCategoryService(ctx: ServiceContext, audit: AuditService) {
  // Built and prepared once: building a Drizzle query costs more than running this one.
  const listed = ctx.db.select().from(groupCategories).orderBy(asc(groupCategories.code)).prepare();
  return {
    ensureBuiltins(): void {
      ctx.db
        .insert(groupCategories)
        .values(
          BUILTIN_GROUP_CATEGORIES.map((c) => ({
            code: c.code,
            labelEn: c.en,
            labelFr: c.fr,
            builtin: true,
          })),
        )
        .onConflictDoNothing()
        .run();
    },
    list(): CategoryRow[] {
      return listed.all();
    },
    /**
     * The categories anyone may see (public pages, the API without a token): the builtins, and a
     * node's own only once a published synthesis that is not withdrawn — its own or one received —
     * has a cell for it. Before that, its label would tell that such a group exists or is coming.
     */
    publicList(): CategoryRow[] {
      const all = this.list();
      if (all.every((c) => c.builtin)) return all;
      const used = new Set(
        ctx.db
          .all<{ code: string }>(
            sql`select distinct json_extract(c.value, '$.category') as code
                from synthesis_versions v, json_each(v.payload, '$.categories') c
                where v.withdrawn_at is null
                union
                select distinct json_extract(c.value, '$.category')
                from received_syntheses r, json_each(r.payload, '$.categories') c
                where r.withdrawn_at is null`,
          )
          .map((row) => row.code),
      );
      return all.filter((c) => c.builtin || used.has(c.code));
    },
    exists(code: string): boolean {
      return this.list().some((c) => c.code === code);
    },
    add(input: { code: string; en: string; fr: string }, actor: Actor): CategoryRow {
      if (this.exists(input.code))
        throw new ConflictError(`category "${input.code}" already exists`);
      const row = ctx.db
        .insert(groupCategories)
        .values({ code: input.code, labelEn: input.en, labelFr: input.fr, builtin: false })
        .returning()
        .get();
      audit.record(actor, "category.create", `category:${input.code}`);
      return row;
    },
  };
}
export type CategoryService = ReturnType<typeof createCategoryService>;
