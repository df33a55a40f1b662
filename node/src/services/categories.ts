import { BUILTIN_GROUP_CATEGORIES } from "@spiral-network/protocol";
import { asc, sql } from "drizzle-orm";
import { changeStamp } from "../db/change-stamp";
import { groupCategories } from "../db/schema";
import type { AuditService } from "./audit";
import type { Actor, ServiceContext } from "./context";
import { ConflictError } from "./errors";

export type CategoryRow = typeof groupCategories.$inferSelect;

/** The extensible controlled list of group categories: builtins plus the node's own. */
export function createCategoryService(ctx: ServiceContext, audit: AuditService) {
  // Built and prepared once: building a Drizzle query costs more than running this one.
  const listed = ctx.db.select().from(groupCategories).orderBy(asc(groupCategories.code)).prepare();
  // The categories public syntheses use: a scan of every payload (0.14 s over 10 000 received
  // syntheses), so kept between reads until a synthesis may have changed (`changeStamp`).
  const { sqlite } = ctx.storage;
  const published = changeStamp(sqlite, "synthesis_versions", ["payload", "withdrawn_at"]);
  const received = changeStamp(sqlite, "received_syntheses", ["payload", "withdrawn_at"]);
  let kept: { stamp: string; used: ReadonlySet<string> } | null = null;
  const usedCategories = (): ReadonlySet<string> => {
    const stamp = `${published()}|${received()}`;
    if (kept?.stamp === stamp) return kept.used;
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
    if (!sqlite.inTransaction) kept = { stamp, used };
    return used;
  };
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
      const used = usedCategories();
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
