import {
  buildSuggestionModel,
  type Suggestion,
  type SuggestionModel,
} from "@spiral-network/protocol";
import { and, count, eq, max, sql } from "drizzle-orm";
import { criteria, groups } from "../db/schema";
import type { ServiceContext } from "./context";
import type { TerritoryService } from "./territories";

/**
 * Classification suggestions for a territory (protocol/src/suggest.ts says how they are
 * computed), learnt from its validated criteria. The model is built once and kept until the
 * validated criteria change: a cheap aggregate over them is the cache key (how many, the sum of
 * their ids, the latest change; every edit, classification and validation sets `updated_at`), so
 * a validation, an edit, a deletion or a reclassification rebuilds it on the next request.
 */
export function createSuggestionService(ctx: ServiceContext, territories: TerritoryService) {
  const cache = new Map<number, { version: string; model: SuggestionModel }>();

  const validatedOf = (territoryId: number) =>
    and(eq(groups.territoryId, territoryId), eq(criteria.status, "validated"));

  const versionOf = (territoryId: number): string => {
    const row = ctx.db
      .select({
        n: count(),
        ids: sql<number>`total(${criteria.id})`,
        changed: max(sql<string>`coalesce(${criteria.updatedAt}, ${criteria.createdAt})`),
      })
      .from(criteria)
      .innerJoin(groups, eq(groups.id, criteria.groupId))
      .where(validatedOf(territoryId))
      .get();
    // The grid version too: an import changes the components the model suggests.
    return JSON.stringify([row ?? null, ctx.grid.version]);
  };

  const modelOf = (territoryId: number): SuggestionModel => {
    const version = versionOf(territoryId);
    const cached = cache.get(territoryId);
    if (cached?.version === version) return cached.model;
    const rows = ctx.db
      .select({ id: criteria.id, text: criteria.text, component: criteria.component })
      .from(criteria)
      .innerJoin(groups, eq(groups.id, criteria.groupId))
      .where(validatedOf(territoryId))
      .orderBy(criteria.id)
      .all();
    const model = buildSuggestionModel(
      rows.flatMap((r) =>
        r.component ? [{ id: r.id, text: r.text, component: r.component }] : [],
      ),
      ctx.grid.components,
    );
    cache.set(territoryId, { version, model });
    return model;
  };

  return {
    /** The components most likely for a criterion's text, best first (3 by default). */
    suggest(slug: string, text: string, limit = 3): Suggestion[] {
      const territory = territories.get(slug);
      return modelOf(territory.id).suggest(text, { limit });
    },
    /** How many validated criteria the current model learnt from. */
    modelSize(slug: string): number {
      return modelOf(territories.get(slug).id).size;
    },
  };
}
export type SuggestionService = ReturnType<typeof createSuggestionService>;
