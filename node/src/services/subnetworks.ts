import { randomUUID } from "node:crypto";
import {
  entryKey,
  type Grid,
  type MeetingPayload,
  type SynthesisPayload,
  slug as slugSchema,
} from "@spiral-network/protocol";
import { and, desc, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/open";
import {
  followers,
  following,
  outboxActivities,
  receivedMeetings,
  receivedSyntheses,
  type SubnetworkTheme,
  subnetworkItems,
  subnetworkRemovals,
  subnetworks,
  territories,
  users,
} from "../db/schema";
import type { AuditService } from "./audit";
import type { CategoryService } from "./categories";
import type { Actor, ServiceContext } from "./context";
import { ConflictError, InvalidInputError, NotFoundError } from "./errors";
import { type FollowerRow, type FollowService, followerActorView } from "./follows";
import { territoryActorId } from "./territories";

export type SubnetworkRow = typeof subnetworks.$inferSelect;
export type SubnetworkItemRow = typeof subnetworkItems.$inferSelect;

const codeList = z.array(z.string().trim().min(1).max(64)).max(200).default([]);

export const subnetworkThemeSchema = z.strictObject({
  dimensions: codeList,
  components: codeList,
  categories: codeList,
});

/** A moderator: a local user named by id or by email. */
const moderatorRef = z.union([z.number().int().positive(), z.string().trim().email()]);

const subnetworkFields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(2000),
  theme: subnetworkThemeSchema,
  admission: z.enum(["open", "approval"]),
  moderators: z.array(moderatorRef).max(50),
};

export const subnetworkInputSchema = z.strictObject({
  slug: slugSchema,
  name: subnetworkFields.name,
  description: subnetworkFields.description.optional(),
  theme: subnetworkFields.theme.default({ dimensions: [], components: [], categories: [] }),
  // A moderator admits members unless the group says otherwise: joining is a request.
  admission: subnetworkFields.admission.default("approval"),
  moderators: subnetworkFields.moderators.default([]),
});
export type SubnetworkInput = z.input<typeof subnetworkInputSchema>;

/** A change: only the fields given change (no defaults, or a rename would reset the theme). */
export const subnetworkPatchSchema = z.strictObject(subnetworkFields).partial();
export type SubnetworkPatch = z.input<typeof subnetworkPatchSchema>;

const issuesOf = (error: z.ZodError) =>
  error.issues.map((i) => ({ path: i.path.join(".") || "(body)", message: i.message }));

/** What the API and the admin pages show of a sub-network. */
export function subnetworkView(row: SubnetworkRow, publicUrl: string) {
  return {
    slug: row.slug,
    actorId: territoryActorId(publicUrl, row.slug),
    handle: `@${row.slug}@${new URL(publicUrl).host}`,
    name: row.name,
    description: row.description ?? undefined,
    theme: row.theme,
    admission: row.admission,
    moderators: row.moderators,
    createdAt: row.createdAt,
  };
}

export function memberView(row: FollowerRow) {
  return {
    id: row.id,
    member: row.follower,
    ...followerActorView(row),
    spiral: row.spiral,
    since: row.createdAt,
  };
}

export function subnetworkItemView(row: SubnetworkItemRow) {
  return {
    id: row.id,
    subnetwork: row.subnetwork,
    origin: row.origin,
    objectId: row.objectId,
    kind: row.kind,
    periodKey: row.periodKey ?? undefined,
    activityId: row.activityId,
    deleted: row.deletedAt !== null,
    relayedAt: row.relayedAt,
  };
}

/**
 * Whether a synthesis touches a theme: for each facet the theme sets (grid codes; categories),
 * at least one of its values appears in the payload. A theme that sets nothing takes everything.
 */
export function touchesTheme(payload: SynthesisPayload, theme: SubnetworkTheme): boolean {
  const codes = new Set<string>();
  for (const byComponent of Object.values(payload.counts)) {
    for (const [component, count] of Object.entries(byComponent ?? {})) {
      if ((count ?? 0) > 0) codes.add(component);
    }
  }
  const wantsCodes = theme.dimensions.length > 0 || theme.components.length > 0;
  const codesMatch =
    [...codes].some((code) => theme.components.includes(code)) ||
    [...codes].some((code) => theme.dimensions.includes(code.charAt(0)));
  if (wantsCodes && !codesMatch) return false;
  if (theme.categories.length > 0) {
    const published = (payload.categories ?? []).map((c) => c.category);
    if (!published.some((c) => theme.categories.includes(c))) return false;
  }
  return true;
}

/**
 * The sub-networks a local territory addresses a publication to, from what a facilitator gave
 * (the id of the follow, the group's actor URL or its handle): each must be a group the
 * territory has joined (Follow accepted). Returns the groups' actor URLs, without repeats.
 */
export function resolveJoinedSubnetworks(
  db: Db,
  territorySlug: string,
  refs: ReadonlyArray<string | number>,
): string[] {
  const joined = db
    .select()
    .from(following)
    .where(and(eq(following.actor, territorySlug), eq(following.state, "accepted")))
    .all()
    .filter((f) => f.targetType === "Group");
  const urls = new Set<string>();
  refs.forEach((ref, index) => {
    const wanted = typeof ref === "string" ? ref.trim().replace(/^@/, "") : ref;
    const match = joined.find(
      (f) =>
        f.id === wanted ||
        String(f.id) === wanted ||
        f.target === wanted ||
        f.targetHandle?.replace(/^@/, "") === wanted,
    );
    if (!match) {
      throw new InvalidInputError(`"${ref}" is not a sub-network this territory has joined`, [
        { path: `subnetworks.${index}`, message: "not a joined sub-network (accepted follow)" },
      ]);
    }
    urls.add(match.target);
  });
  return [...urls];
}

/** The optional parameter publications take to be addressed to joined sub-networks. */
export const subnetworkRefsSchema = z
  .array(z.union([z.number().int().positive(), z.string().trim().min(1).max(500)]))
  .max(20);

/**
 * Sub-networks hosted by this node (docs/protocol.md §12, FEP-1b12), their members (the group's followers)
 * and what they relayed; also what arrived here through sub-networks local territories joined.
 * The federation layer sends the activities.
 */
export function createSubnetworkService(
  ctx: ServiceContext,
  audit: AuditService,
  categories: CategoryService,
  follows: FollowService,
) {
  const find = (slug: string) =>
    ctx.db.select().from(subnetworks).where(eq(subnetworks.slug, slug)).get();
  const actorUrl = (slug: string) => territoryActorId(ctx.publicUrl, slug);
  /**
   * The origin withdrew or deleted the object: its items not yet withdrawn are, in one
   * sub-network's feed or (no `subnetwork`) in all of them. How many were.
   */
  const markWithdrawn = (origin: string, objectId: string, subnetwork?: string) =>
    ctx.db
      .update(subnetworkItems)
      .set({ deletedAt: ctx.now().toISOString() })
      .where(
        and(
          subnetwork === undefined ? undefined : eq(subnetworkItems.subnetwork, subnetwork),
          eq(subnetworkItems.origin, origin),
          eq(subnetworkItems.objectId, objectId),
          isNull(subnetworkItems.deletedAt),
        ),
      )
      .run().changes;

  const checkTheme = (theme: SubnetworkTheme, grid: Grid) => {
    const issues: Array<{ path: string; message: string }> = [];
    theme.dimensions.forEach((code, i) => {
      if (grid.entry(code)?.kind !== "dimension") {
        issues.push({ path: `theme.dimensions.${i}`, message: `${code} is not a grid dimension` });
      }
    });
    theme.components.forEach((code, i) => {
      if (grid.entry(code)?.kind !== "component") {
        issues.push({ path: `theme.components.${i}`, message: `${code} is not a grid component` });
      }
    });
    theme.categories.forEach((code, i) => {
      if (!categories.exists(code)) {
        issues.push({ path: `theme.categories.${i}`, message: `${code} is not a group category` });
      }
    });
    if (issues.length > 0) throw new InvalidInputError("the theme is not valid", issues);
    return {
      dimensions: [...new Set(theme.dimensions)].sort(),
      components: [...new Set(theme.components)].sort(),
      categories: [...new Set(theme.categories)].sort(),
    };
  };

  /** The distinct ids of the moderators named by id or e-mail; each must be an active local user. */
  const moderatorIds = (refs: ReadonlyArray<string | number>) => {
    const ids = refs.map((ref, i) => {
      const user =
        typeof ref === "number"
          ? ctx.db.select().from(users).where(eq(users.id, ref)).get()
          : ctx.db.select().from(users).where(eq(users.email, ref.toLowerCase())).get();
      if (!user || user.disabled) {
        throw new InvalidInputError("a moderator must be an active local user", [
          { path: `moderators.${i}`, message: `no active user ${ref}` },
        ]);
      }
      return user.id;
    });
    return [...new Set(ids)];
  };

  return {
    list(): SubnetworkRow[] {
      return ctx.db.select().from(subnetworks).orderBy(subnetworks.slug).all();
    },
    find(slug: string): SubnetworkRow | undefined {
      return find(slug);
    },
    get(slug: string): SubnetworkRow {
      const row = find(slug);
      if (!row) throw new NotFoundError(`no sub-network "${slug}" on this node`);
      return row;
    },
    /** The sub-network whose actor URL this is, if this node hosts it. */
    byActorUrl(url: string): SubnetworkRow | undefined {
      const prefix = `${ctx.publicUrl}/actors/`;
      return url.startsWith(prefix) ? find(url.slice(prefix.length)) : undefined;
    },
    create(input: SubnetworkInput, actor: Actor): SubnetworkRow {
      const parsed = subnetworkInputSchema.safeParse(input);
      if (!parsed.success) {
        throw new InvalidInputError("the sub-network is not valid", issuesOf(parsed.error));
      }
      const data = parsed.data;
      const theme = checkTheme(data.theme, ctx.grid);
      const moderators = moderatorIds(data.moderators);
      return ctx.db.transaction((tx) => {
        // Territories and sub-networks share /actors/{slug}.
        const taken =
          tx.select().from(territories).where(eq(territories.slug, data.slug)).get() ??
          tx.select().from(subnetworks).where(eq(subnetworks.slug, data.slug)).get();
        if (taken) throw new ConflictError(`the name "${data.slug}" is already taken on this node`);
        const row = tx
          .insert(subnetworks)
          .values({
            slug: data.slug,
            name: data.name,
            description: data.description ?? null,
            theme,
            admission: data.admission,
            moderators,
          })
          .returning()
          .get();
        audit.record(actor, "subnetwork.create", `subnetwork:${row.slug}`, { theme });
        return row;
      });
    },
    update(slug: string, patch: SubnetworkPatch, actor: Actor): SubnetworkRow {
      const current = this.get(slug);
      const parsed = subnetworkPatchSchema.safeParse(patch);
      if (!parsed.success) {
        throw new InvalidInputError("the sub-network is not valid", issuesOf(parsed.error));
      }
      const data = parsed.data;
      const set = {
        ...(data.name !== undefined ? { name: data.name } : {}),
        ...(data.description !== undefined ? { description: data.description || null } : {}),
        ...(data.theme !== undefined ? { theme: checkTheme(data.theme, ctx.grid) } : {}),
        ...(data.admission !== undefined ? { admission: data.admission } : {}),
        ...(data.moderators !== undefined ? { moderators: moderatorIds(data.moderators) } : {}),
        updatedAt: ctx.now().toISOString(),
      };
      return ctx.db.transaction((tx) => {
        const row = tx
          .update(subnetworks)
          .set(set)
          .where(eq(subnetworks.id, current.id))
          .returning()
          .get();
        audit.record(actor, "subnetwork.update", `subnetwork:${slug}`, {
          fields: Object.keys(patch),
        });
        return row;
      });
    },
    /** Whether this local user may approve and remove members. */
    isModerator(slug: string, userId: number): boolean {
      return this.get(slug).moderators.includes(userId);
    },

    /** Members and pending requests (the group's followers). */
    members(slug: string): FollowerRow[] {
      this.get(slug);
      return follows.followers(slug);
    },
    /** Whether this actor is an accepted member who was not removed. */
    isMember(slug: string, actorId: string): boolean {
      const row = ctx.db
        .select()
        .from(followers)
        .where(and(eq(followers.actor, slug), eq(followers.follower, actorId)))
        .get();
      return row?.state === "accepted" && !this.isRemoved(slug, actorId);
    },
    isRemoved(slug: string, member: string): boolean {
      return (
        ctx.db
          .select()
          .from(subnetworkRemovals)
          .where(
            and(eq(subnetworkRemovals.subnetwork, slug), eq(subnetworkRemovals.member, member)),
          )
          .get() !== undefined
      );
    },
    markRemoved(slug: string, member: string, actor: Actor): void {
      ctx.db.transaction((tx) => {
        tx.insert(subnetworkRemovals)
          .values({ subnetwork: slug, member, removedBy: actor })
          .onConflictDoNothing()
          .run();
        tx.delete(followers)
          .where(and(eq(followers.actor, slug), eq(followers.follower, member)))
          .run();
        audit.record(actor, "subnetwork.member.remove", `subnetwork:${slug}`, { member });
      });
    },
    /** A moderator admits a member again (after a removal): the removal is forgotten. */
    clearRemoval(slug: string, member: string): void {
      ctx.db
        .delete(subnetworkRemovals)
        .where(and(eq(subnetworkRemovals.subnetwork, slug), eq(subnetworkRemovals.member, member)))
        .run();
    },

    /**
     * Records that a sub-network relayed (or, on a member's node, brought) this object. A
     * withdrawn item stays withdrawn (a replayed copy must not bring it back) unless `restore`:
     * the origin published a newer version after withdrawing.
     */
    recordItem(
      item: {
        subnetwork: string;
        origin: string;
        objectId: string;
        kind: "synthesis" | "meeting" | "progress";
        periodKey: string | null;
        activityId: string;
      },
      options: { restore?: boolean } = {},
    ): void {
      const values = { ...item, relayedAt: ctx.now().toISOString() };
      ctx.db
        .insert(subnetworkItems)
        .values({ ...values, deletedAt: null })
        .onConflictDoUpdate({
          target: [subnetworkItems.subnetwork, subnetworkItems.objectId],
          set: options.restore ? { ...values, deletedAt: null } : values,
        })
        .run();
    },
    /**
     * The origin withdrew or deleted the object: true when the sub-network had it (not yet
     * withdrawn), so a replayed Delete is not relayed twice.
     */
    markItemDeleted(subnetwork: string, origin: string, objectId: string): boolean {
      return markWithdrawn(origin, objectId, subnetwork) > 0;
    },
    /** What the sub-network holds about the object (relayed, perhaps withdrawn since). */
    relayedItem(subnetwork: string, objectId: string): SubnetworkItemRow | undefined {
      return ctx.db
        .select()
        .from(subnetworkItems)
        .where(
          and(eq(subnetworkItems.subnetwork, subnetwork), eq(subnetworkItems.objectId, objectId)),
        )
        .get();
    },
    /**
     * The hosted sub-networks (actor URLs) that relayed this object of this origin and have not
     * relayed its withdrawal yet, whether the origin is still a member or not.
     */
    hostedHolders(origin: string, objectId: string): string[] {
      const prefix = `${ctx.publicUrl}/actors/`;
      return ctx.db
        .select({ subnetwork: subnetworkItems.subnetwork })
        .from(subnetworkItems)
        .where(
          and(
            eq(subnetworkItems.origin, origin),
            eq(subnetworkItems.objectId, objectId),
            isNull(subnetworkItems.deletedAt),
          ),
        )
        .all()
        .map((row) => row.subnetwork)
        .filter((url) => url.startsWith(prefix) && find(url.slice(prefix.length)) !== undefined);
    },
    /**
     * What this node received with this object id (a synthesis or a meeting), looked up by id:
     * its origin, the activity held and whether it was withdrawn since.
     */
    receivedObject(objectId: string):
      | {
          kind: "synthesis" | "meeting";
          origin: string;
          periodKey: string | null;
          activityId: unknown;
          withdrawn: boolean;
          payload: SynthesisPayload | MeetingPayload;
          version: number | undefined;
        }
      | undefined {
      const synthesis = ctx.db
        .select()
        .from(receivedSyntheses)
        .where(eq(receivedSyntheses.objectId, objectId))
        .orderBy(desc(receivedSyntheses.version))
        .get();
      if (synthesis) {
        return {
          kind: "synthesis",
          origin: synthesis.origin,
          periodKey: synthesis.periodKey,
          activityId: synthesis.activity.id,
          withdrawn: synthesis.withdrawnAt !== null,
          payload: synthesis.payload,
          version: synthesis.version,
        };
      }
      const meeting = ctx.db
        .select()
        .from(receivedMeetings)
        .where(eq(receivedMeetings.objectId, objectId))
        .get();
      if (!meeting) return undefined;
      return {
        kind: "meeting",
        origin: meeting.origin,
        periodKey: null,
        activityId: meeting.activity.id,
        withdrawn: meeting.deletedAt !== null,
        payload: meeting.payload,
        version: undefined,
      };
    },
    /**
     * A territory shares an earlier publication with a joined sub-network: a new Update of the
     * same object (same version), addressed to the group as well as where the object went
     * before, which the territory signs (the group relays only what its origin addressed to it).
     */
    recordShare(publication: typeof outboxActivities.$inferSelect, subnetwork: string) {
      const recipients = [...new Set([...this.addressedSubnetworks(publication), subnetwork])];
      const row = ctx.db
        .insert(outboxActivities)
        .values({
          uuid: randomUUID(),
          actor: publication.actor,
          type: "Update",
          objectId: publication.objectId,
          synthesisUuid: publication.synthesisUuid,
          synthesisVersionId: publication.synthesisVersionId,
          meetingUuid: publication.meetingUuid,
          meetingPayload: publication.meetingPayload,
          recipients,
        })
        .returning()
        .get();
      ctx.notifyOutbox();
      return row;
    },
    /** The origin withdrew or deleted the object: it leaves every sub-network's feed here. */
    markDeletedEverywhere(origin: string, objectId: string): void {
      markWithdrawn(origin, objectId);
    },
    /** What a sub-network relayed (newest first); its feed. */
    items(subnetwork: string, options: { includeDeleted?: boolean } = {}): SubnetworkItemRow[] {
      return ctx.db
        .select()
        .from(subnetworkItems)
        .where(
          and(
            eq(subnetworkItems.subnetwork, subnetwork),
            ...(options.includeDeleted ? [] : [isNull(subnetworkItems.deletedAt)]),
          ),
        )
        .orderBy(desc(subnetworkItems.relayedAt), desc(subnetworkItems.id))
        .all();
    },
    /** The (origin, period) entries of the syntheses a sub-network relayed: its aggregate scope. */
    relayedEntries(subnetwork: string): string[] {
      const keys = this.items(subnetwork)
        .filter((item) => item.kind === "synthesis" && item.periodKey)
        .map((item) => entryKey(item.origin, item.periodKey as string));
      return [...new Set(keys)].sort();
    },
    /** The Announce activities a hosted sub-network sent (its outbox), newest first. */
    announces(slug: string, limit: number, offset: number) {
      return ctx.db
        .select()
        .from(outboxActivities)
        .where(and(eq(outboxActivities.actor, slug), eq(outboxActivities.type, "Announce")))
        .orderBy(desc(sql`rowid`))
        .limit(limit)
        .offset(offset)
        .all();
    },
    /**
     * The sub-networks an outgoing publication is addressed to: those recorded with it and those
     * of every earlier activity about the same object (a new version, a change or a withdrawal
     * goes everywhere the object went, even to a group the territory has left since).
     */
    addressedSubnetworks(row: typeof outboxActivities.$inferSelect): string[] {
      const earlier = ctx.db
        .select({ recipients: outboxActivities.recipients })
        .from(outboxActivities)
        .where(
          and(
            eq(outboxActivities.actor, row.actor),
            eq(outboxActivities.objectId, row.objectId),
            isNotNull(outboxActivities.recipients),
            sql`rowid < (select rowid from outbox_activities where uuid = ${row.uuid})`,
          ),
        )
        .all();
      return [
        ...new Set([...earlier.flatMap((e) => e.recipients ?? []), ...(row.recipients ?? [])]),
      ];
    },
    countAnnounces(slug: string): number {
      return (
        ctx.db
          .select({ n: sql<number>`count(*)` })
          .from(outboxActivities)
          .where(and(eq(outboxActivities.actor, slug), eq(outboxActivities.type, "Announce")))
          .get()?.n ?? 0
      );
    },
    actorUrl,
  };
}
export type SubnetworkService = ReturnType<typeof createSubnetworkService>;

/**
 * The sub-networks a publication is addressed to: undefined when none are named (a new version
 * goes where the previous one went), else the joined groups the refs name.
 */
export function addressedSubnetworks(
  db: Db,
  territorySlug: string,
  refs: ReadonlyArray<string | number> | undefined,
): string[] | undefined {
  return refs === undefined ? undefined : resolveJoinedSubnetworks(db, territorySlug, refs);
}
