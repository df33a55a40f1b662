import { type TerritoryProfile, territoryProfileSchema } from "@spiral-network/protocol";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { subnetworks, territories } from "../db/schema";
import type { AuditService } from "./audit";
import type { Actor, ServiceContext } from "./context";
import { ConflictError, InvalidInputError, NotFoundError } from "./errors";

export type TerritoryRow = typeof territories.$inferSelect;

/** The public view of a territory: its profile, grid and actor URL. */
export function territoryView(row: TerritoryRow, publicUrl: string) {
  return {
    slug: row.slug,
    name: row.name,
    country: row.country,
    region: row.region ?? undefined,
    localityType: row.localityType ?? undefined,
    languages: row.languages,
    description: row.description ?? undefined,
    links: row.links ?? undefined,
    population: row.population ?? undefined,
    latitude: row.latitude ?? undefined,
    longitude: row.longitude ?? undefined,
    grid: { id: row.gridId, version: row.gridVersion },
    manualApproval: row.manualApproval,
    actorId: territoryActorId(publicUrl, row.slug),
  };
}

/** The ActivityPub actor URL of a territory, also its id in synthesis payloads. */
export function territoryActorId(publicUrl: string, slug: string): string {
  return `${publicUrl}/actors/${slug}`;
}

/** A change of profile: the fields given change; `null` clears the description or the region. */
export const territoryUpdateSchema = territoryProfileSchema
  .omit({ slug: true })
  .extend({
    manualApproval: z.boolean(),
    description: territoryProfileSchema.shape.description.unwrap().nullable(),
    region: territoryProfileSchema.shape.region.unwrap().nullable(),
  })
  .partial();

export function createTerritoryService(ctx: ServiceContext, audit: AuditService) {
  const find = (slug: string) =>
    ctx.db.select().from(territories).where(eq(territories.slug, slug)).get();

  return {
    list(): TerritoryRow[] {
      return ctx.db.select().from(territories).orderBy(territories.id).all();
    },
    get(slug: string): TerritoryRow {
      const row = find(slug);
      if (!row) throw new NotFoundError(`no territory "${slug}" on this node`);
      return row;
    },
    create(profile: TerritoryProfile, actor: Actor): TerritoryRow {
      const data = territoryProfileSchema.parse(profile);
      if (find(data.slug)) throw new ConflictError(`territory "${data.slug}" already exists`);
      // Sub-networks share /actors/{slug} (and the actor's keys) with territories.
      if (ctx.db.select().from(subnetworks).where(eq(subnetworks.slug, data.slug)).get()) {
        throw new ConflictError(`the name "${data.slug}" is taken by a sub-network of this node`);
      }
      return ctx.db.transaction((tx) => {
        const row = tx
          .insert(territories)
          .values({ ...data, gridId: ctx.grid.id, gridVersion: ctx.grid.version })
          .returning()
          .get();
        audit.record(actor, "territory.create", `territory:${row.slug}`);
        return row;
      });
    },
    update(slug: string, patch: z.infer<typeof territoryUpdateSchema>, actor: Actor): TerritoryRow {
      const current = this.get(slug);
      const parsed = territoryUpdateSchema.safeParse(patch);
      if (!parsed.success) {
        throw new InvalidInputError(
          "the profile is not valid",
          parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
        );
      }
      return ctx.db.transaction((tx) => {
        const row = tx
          .update(territories)
          .set({ ...parsed.data, updatedAt: ctx.now().toISOString() })
          .where(eq(territories.id, current.id))
          .returning()
          .get();
        audit.record(actor, "territory.update", `territory:${slug}`, {
          fields: Object.keys(patch),
        });
        return row;
      });
    },
  };
}
export type TerritoryService = ReturnType<typeof createTerritoryService>;
