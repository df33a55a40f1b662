import { BUILTIN_GROUP_CATEGORIES } from "@spiral-network/protocol";
import { asc } from "drizzle-orm";
import { groupCategories } from "../db/schema";
import type { AuditService } from "./audit";
import type { Actor, ServiceContext } from "./context";
import { ConflictError } from "./errors";

export type CategoryRow = typeof groupCategories.$inferSelect;

/** The extensible controlled list of group categories: builtins plus the node's own. */
export function createCategoryService(ctx: ServiceContext, audit: AuditService) {
  // Built and prepared once: building a Drizzle query costs more than running this one.
  const listed = ctx.db.select().from(groupCategories).orderBy(asc(groupCategories.code)).prepare();
  // The node's own categories that a public synthesis uses, from the uses the database keeps
  // (table public_category_uses, written by triggers): a look-up per own category, where a scan of
  // every payload took 0.14 s over 10 000 received syntheses. A use counts only while its row
  // exists and is not withdrawn.
  const usedOwn = ctx.storage.sqlite
    .prepare<[], string>(
      `select g.code from group_categories g
       where g.builtin = 0 and exists (
         select 1 from public_category_uses u
         left join received_syntheses r on r.id = u.received_id and r.withdrawn_at is null
         left join synthesis_versions v on v.id = u.version_id and v.withdrawn_at is null
         where u.code = g.code and (r.id is not null or v.id is not null))`,
    )
    .pluck();
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
      const used = new Set(usedOwn.all());
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
