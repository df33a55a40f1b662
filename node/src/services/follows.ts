import { and, eq, isNotNull, or, type SQL, sql } from "drizzle-orm";
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
    ...reachabilityView(row),
    since: row.createdAt,
  };
}

export function followerView(row: FollowerRow) {
  return {
    id: row.id,
    follower: row.follower,
    ...followerActorView(row),
    ...reachabilityView(row),
    since: row.createdAt,
  };
}

/** A follower (a territory's, or a sub-network's member) as it named itself, and where it stands. */
export function followerActorView(row: FollowerRow) {
  return { handle: row.handle ?? undefined, name: row.name ?? undefined, state: row.state };
}

/** Unreachable since when and why (absent while the peer answers). */
function reachabilityView(row: FollowingRow | FollowerRow) {
  return row.unreachableSince
    ? { unreachableSince: row.unreachableSince, lastError: row.lastError ?? undefined }
    : {};
}

/** A peer as a contact names it: the inbox a delivery went to, or the actor pulled or looked up. */
export type Peer = { inbox: string } | { actor: string };

/** How a failed contact counts (see `reachability` in the schema). */
export interface ContactFailure {
  reason: string;
  /** The peer said it is gone (404/410), or delivery was given up: unreachable at once. */
  permanent: boolean;
  /** Failures in a row after which the peer is unreachable. */
  unreachableAfter: number;
}

/** Follows both ways, as stored; the federation layer sends the activities. */
/**
 * `followsChanged` is told after the accepted follows may have changed (the figures' endorsed
 * partitions start moving then, in the background: docs/architecture.md, "Figures state").
 */
export function createFollowService(ctx: ServiceContext, followsChanged: () => void = () => {}) {
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
      const row = ctx.db
        .insert(following)
        .values({ ...values, state: "pending" })
        .onConflictDoUpdate({
          target: [following.actor, following.target],
          set: { ...values, state: "pending", updatedAt: now() },
        })
        .returning()
        .get();
      // A renewed request of an accepted follow puts it back to pending.
      followsChanged();
      return row;
    },
    setFollowingState(id: number, state: FollowingRow["state"]): void {
      ctx.db.update(following).set({ state, updatedAt: now() }).where(eq(following.id, id)).run();
      followsChanged();
    },
    markPulled(id: number): void {
      ctx.db.update(following).set({ lastPulledAt: now() }).where(eq(following.id, id)).run();
    },
    removeFollowing(id: number): void {
      ctx.db.delete(following).where(eq(following.id, id)).run();
      followsChanged();
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
    /** Records whether a follower is a SPIRAL node's actor (docs/protocol.md §6). */
    setFollowerSpiral(id: number, spiral: boolean): void {
      ctx.db.update(followers).set({ spiral, updatedAt: now() }).where(eq(followers.id, id)).run();
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
    /**
     * A contact with a peer failed: every follow row behind it (both ways) counts one more
     * failure; the peer is unreachable from the `unreachableAfter`th in a row, or at once when the
     * failure is permanent. Returns how many rows it touched.
     */
    recordContactFailure(peer: Peer, failure: ContactFailure): number {
      const at = now();
      const reason = failure.reason.slice(0, 500);
      const changes = (
        table: typeof following | typeof followers,
        match: SQL | undefined,
      ): number => {
        const unreachable = failure.permanent
          ? sql`coalesce(${table.unreachableSince}, ${at})`
          : sql`case when ${table.unreachableSince} is null and ${table.failures} + 1 >= ${failure.unreachableAfter} then ${at} else ${table.unreachableSince} end`;
        return ctx.db
          .update(table)
          .set({
            failures: sql`${table.failures} + 1`,
            lastError: reason,
            lastErrorAt: at,
            unreachableSince: unreachable,
          })
          .where(match)
          .run().changes;
      };
      return changes(following, followingMatch(peer)) + changes(followers, followerMatch(peer));
    },
    /** A contact with a peer succeeded: whatever failed before is forgotten. */
    recordContactSuccess(peer: Peer): void {
      const clear = { failures: 0, lastError: null, lastErrorAt: null, unreachableSince: null };
      for (const [table, match] of [
        [following, followingMatch(peer)],
        [followers, followerMatch(peer)],
      ] as const) {
        ctx.db
          .update(table)
          .set(clear)
          .where(and(match, or(sql`${table.failures} > 0`, isNotNull(table.unreachableSince))))
          .run();
      }
    },
    /** An actor that receives at this inbox (a follower, or a followed actor), to look up. */
    actorBehindInbox(inbox: string): string | undefined {
      const follower = ctx.db
        .select({ actor: followers.follower })
        .from(followers)
        .where(followerMatch({ inbox }))
        .get();
      if (follower) return follower.actor;
      return ctx.db
        .select({ actor: following.target })
        .from(following)
        .where(followingMatch({ inbox }))
        .get()?.actor;
    },
    /** Delivery to this inbox failed for good (404/410): its followers are pruned. */
    pruneInbox(inbox: string): number {
      return ctx.db.delete(followers).where(eq(followers.inbox, inbox)).run().changes;
    },
  };
}
export type FollowService = ReturnType<typeof createFollowService>;

const followingMatch = (peer: Peer) =>
  "inbox" in peer
    ? or(eq(following.targetInbox, peer.inbox), eq(following.targetSharedInbox, peer.inbox))
    : eq(following.target, peer.actor);
const followerMatch = (peer: Peer) =>
  "inbox" in peer
    ? or(eq(followers.inbox, peer.inbox), eq(followers.sharedInbox, peer.inbox))
    : eq(followers.follower, peer.actor);
