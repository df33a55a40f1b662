import { and, eq } from "drizzle-orm";
import { followers, following } from "../db/schema";
import type { ServiceContext } from "./context";
import { NotFoundError } from "./errors";

export type FollowingRow = typeof following.$inferSelect;
export type FollowerRow = typeof followers.$inferSelect;

export function followingView(row: FollowingRow) {
  return {
    id: row.id,
    target: row.target,
    handle: row.targetHandle ?? undefined,
    name: row.targetName ?? undefined,
    type: row.targetType ?? undefined,
    state: row.state,
    lastPulledAt: row.lastPulledAt ?? undefined,
    since: row.createdAt,
  };
}

export function followerView(row: FollowerRow) {
  return {
    id: row.id,
    follower: row.follower,
    handle: row.handle ?? undefined,
    name: row.name ?? undefined,
    state: row.state,
    since: row.createdAt,
  };
}

/** Follows both ways, as stored; the federation layer sends the activities. */
export function createFollowService(ctx: ServiceContext) {
  const now = () => ctx.now().toISOString();
  return {
    following(actor: string): FollowingRow[] {
      return ctx.db
        .select()
        .from(following)
        .where(eq(following.actor, actor))
        .orderBy(following.id)
        .all();
    },
    followingById(actor: string, id: number): FollowingRow {
      const row = ctx.db
        .select()
        .from(following)
        .where(and(eq(following.actor, actor), eq(following.id, id)))
        .get();
      if (!row) throw new NotFoundError(`${actor} does not follow #${id}`);
      return row;
    },
    followingByActivity(followActivityId: string): FollowingRow | undefined {
      return ctx.db
        .select()
        .from(following)
        .where(eq(following.followActivityId, followActivityId))
        .get();
    },
    followingByTarget(actor: string, target: string): FollowingRow | undefined {
      return ctx.db
        .select()
        .from(following)
        .where(and(eq(following.actor, actor), eq(following.target, target)))
        .get();
    },
    /** All accepted follows of every local actor (the peers anti-entropy pulls from). */
    acceptedFollowing(): FollowingRow[] {
      return ctx.db.select().from(following).where(eq(following.state, "accepted")).all();
    },
    /** Records (or renews) a follow request; a repeated request keeps one row. */
    requestFollow(
      values: Omit<typeof following.$inferInsert, "state" | "id" | "createdAt" | "updatedAt">,
    ): FollowingRow {
      return ctx.db
        .insert(following)
        .values({ ...values, state: "pending" })
        .onConflictDoUpdate({
          target: [following.actor, following.target],
          set: { ...values, state: "pending", updatedAt: now() },
        })
        .returning()
        .get();
    },
    setFollowingState(id: number, state: FollowingRow["state"]): void {
      ctx.db.update(following).set({ state, updatedAt: now() }).where(eq(following.id, id)).run();
    },
    markPulled(id: number): void {
      ctx.db.update(following).set({ lastPulledAt: now() }).where(eq(following.id, id)).run();
    },
    removeFollowing(id: number): void {
      ctx.db.delete(following).where(eq(following.id, id)).run();
    },

    followers(actor: string): FollowerRow[] {
      return ctx.db
        .select()
        .from(followers)
        .where(eq(followers.actor, actor))
        .orderBy(followers.id)
        .all();
    },
    acceptedFollowers(actor: string): FollowerRow[] {
      return ctx.db
        .select()
        .from(followers)
        .where(and(eq(followers.actor, actor), eq(followers.state, "accepted")))
        .all();
    },
    followerById(actor: string, id: number): FollowerRow {
      const row = ctx.db
        .select()
        .from(followers)
        .where(and(eq(followers.actor, actor), eq(followers.id, id)))
        .get();
      if (!row) throw new NotFoundError(`no follower #${id} of ${actor}`);
      return row;
    },
    addFollower(
      values: Omit<typeof followers.$inferInsert, "id" | "createdAt" | "updatedAt">,
    ): FollowerRow {
      return ctx.db
        .insert(followers)
        .values(values)
        .onConflictDoUpdate({
          target: [followers.actor, followers.follower],
          set: { ...values, updatedAt: now() },
        })
        .returning()
        .get();
    },
    setFollowerState(id: number, state: FollowerRow["state"]): void {
      ctx.db.update(followers).set({ state, updatedAt: now() }).where(eq(followers.id, id)).run();
    },
    removeFollower(actor: string, follower: string): boolean {
      return (
        ctx.db
          .delete(followers)
          .where(and(eq(followers.actor, actor), eq(followers.follower, follower)))
          .run().changes > 0
      );
    },
    /** Delivery to this inbox failed for good (404/410): its followers are pruned. */
    pruneInbox(inbox: string): number {
      return ctx.db.delete(followers).where(eq(followers.inbox, inbox)).run().changes;
    },
  };
}
export type FollowService = ReturnType<typeof createFollowService>;
