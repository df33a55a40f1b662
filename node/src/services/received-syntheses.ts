import { periodKey, type SynthesisPayload } from "@spiral-network/protocol";
import { and, desc, eq } from "drizzle-orm";
import { type ActivityJson, receivedSyntheses, receivedWithdrawals } from "../db/schema";
import type { AggregateService, EntrySource } from "./aggregates";
import type { ServiceContext } from "./context";
import { NotFoundError } from "./errors";

export type ReceivedSynthesisRow = typeof receivedSyntheses.$inferSelect;

export type AcceptOutcome =
  | "stored" // first version seen for this origin and period
  | "replaced" // a newer version replaced the one held
  | "duplicate" // the version held, again
  | "older" // an older version: ignored
  | "conflict" // same version, different content: the origin is excluded for this period
  | "withdrawn"; // kept, but its origin's Delete (received before it) withdraws it already

export type WithdrawalOutcome =
  | "withdrawn" // the synthesis held is now withdrawn
  | "already" // it was withdrawn already
  | "older" // the Delete predates the version held (a later republication): ignored
  | "unknown"; // nothing held for that object

/** The origin's Delete of an Article: when it was made, and its verified JSON (if proven). */
export interface Withdrawal {
  published?: string | null;
  activity?: ActivityJson | null;
}

/** When the origin published the activity (its signed `published`); null when unknown. */
const publishedAt = (activity: ActivityJson | null | undefined): number | null => {
  const value = activity?.published;
  const time = typeof value === "string" ? Date.parse(value) : Number.NaN;
  return Number.isNaN(time) ? null : time;
};

/**
 * Whether a Delete made at `deleted` withdraws the version an activity carries. The Delete
 * names the Article, not a version, but both times are the origin's own and a withdrawal always
 * comes after the version it withdraws: a Delete older than the version held is one of an earlier
 * version (the origin republished since), which must not withdraw the newer one (docs/protocol.md
 * §7: versions only move forward).
 */
const withdraws = (deleted: string | null | undefined, version: ActivityJson) => {
  const deletedAt = deleted ? Date.parse(deleted) : Number.NaN;
  const versionAt = publishedAt(version);
  return Number.isNaN(deletedAt) || versionAt === null || deletedAt >= versionAt;
};

export function receivedSynthesisView(row: ReceivedSynthesisRow) {
  return {
    id: row.id,
    origin: row.origin,
    periodKey: row.periodKey,
    objectId: row.objectId,
    version: row.version,
    hash: row.hash,
    via: row.via ?? undefined,
    conflicted: row.conflictedAt !== null,
    withdrawn: row.withdrawnAt !== null,
    receivedAt: row.receivedAt,
    payload: row.payload,
  };
}

/**
 * What this node received from other territories: for each (origin, period) the latest version
 * (a state-based CRDT: versions only move forward, so any order or repetition of deliveries ends
 * in the same state). Verification happens before: only proof-checked activities get here.
 */
export function createReceivedSynthesisService(ctx: ServiceContext, aggregates: AggregateService) {
  /** Keeps the aggregation state in step with the row of (origin, period), read back. */
  const syncAggregates = (origin: string, key: string) => {
    const row = find(origin, key);
    aggregates.apply(
      origin,
      key,
      row
        ? {
            origin,
            periodKey: key,
            version: row.version,
            hashes: row.conflictingHash ? [row.hash, row.conflictingHash] : [row.hash],
            payload: row.payload,
            withdrawn: row.withdrawnAt !== null,
            local: false,
            via: row.via,
          }
        : null,
    );
  };

  // The hot path of `accept` (a version stored or replaced) on prepared statements: only what
  // decides the outcome is read, and the row is written with its JSON serialised once.
  const heldOf = ctx.storage.sqlite.prepare(
    "select id, version, hash, conflicting_hash as conflictingHash from received_syntheses where origin = ? and period_key = ?",
  );
  const tombstonePublished = ctx.storage.sqlite.prepare(
    "select published from received_withdrawals where origin = ? and object_id = ?",
  );
  const replaceRow = ctx.storage.sqlite.prepare(
    `update received_syntheses set origin = ?, period_key = ?, object_id = ?, version = ?, hash = ?,
       payload = ?, activity = ?, via = ?, conflicted_at = null, conflicting_hash = null,
       conflicting_activity = null, withdrawn_at = ?, withdrawal = ?, received_at = ? where id = ?`,
  );

  const find = (origin: string, key: string) =>
    ctx.db
      .select()
      .from(receivedSyntheses)
      .where(and(eq(receivedSyntheses.origin, origin), eq(receivedSyntheses.periodKey, key)))
      .get();

  const byObject = (origin: string, objectId: string) =>
    ctx.db
      .select()
      .from(receivedSyntheses)
      .where(and(eq(receivedSyntheses.origin, origin), eq(receivedSyntheses.objectId, objectId)))
      .all();

  const tombstoneOf = (origin: string, objectId: string) =>
    ctx.db
      .select()
      .from(receivedWithdrawals)
      .where(
        and(eq(receivedWithdrawals.origin, origin), eq(receivedWithdrawals.objectId, objectId)),
      )
      .get();

  /**
   * Keeps the origin's Delete of an object (the newest one), whether or not the synthesis is held:
   * what arrives later about that object is checked against it (see `accept`).
   */
  const keepTombstone = (origin: string, objectId: string, withdrawal: Withdrawal) => {
    // An undated Delete cannot be ordered against what comes later: not kept.
    const published = withdrawal.published;
    if (!published || Number.isNaN(Date.parse(published))) return;
    const now = ctx.now().toISOString();
    const held = tombstoneOf(origin, objectId);
    const newer = !held || Date.parse(published) > Date.parse(held.published);
    if (!newer && (held.activity || !withdrawal.activity || held.published !== published)) return;
    ctx.db
      .insert(receivedWithdrawals)
      .values({
        origin,
        objectId,
        published,
        activity: withdrawal.activity ?? null,
        receivedAt: now,
      })
      .onConflictDoUpdate({
        target: [receivedWithdrawals.origin, receivedWithdrawals.objectId],
        set: { published, activity: withdrawal.activity ?? null, receivedAt: now },
      })
      .run();
  };

  return {
    accept(input: {
      origin: string;
      objectId: string;
      payload: SynthesisPayload;
      activity: ActivityJson;
      via: string | null;
    }): AcceptOutcome {
      const key = periodKey(input.payload.period);
      const now = ctx.now().toISOString();
      // Its origin withdrew it already (the Delete came first): kept, but withdrawn.
      const versionAt = publishedAt(input.activity);
      const deletedAt = (
        tombstonePublished.get(input.origin, input.objectId) as { published: string } | undefined
      )?.published;
      const withdrawnBy =
        deletedAt !== undefined && versionAt !== null && Date.parse(deletedAt) >= versionAt
          ? (tombstoneOf(input.origin, input.objectId) ?? null)
          : null;
      const values = {
        origin: input.origin,
        periodKey: key,
        objectId: input.objectId,
        version: input.payload.version,
        hash: input.payload.hash,
        payload: input.payload,
        activity: input.activity,
        via: input.via,
        conflictedAt: null,
        conflictingHash: null,
        conflictingActivity: null,
        withdrawnAt: withdrawnBy ? now : null,
        withdrawal: withdrawnBy?.activity ?? null,
        receivedAt: now,
      };
      /** The entry as the row now holds it, when it is exactly `values` (stored or replaced). */
      const asStored = (): EntrySource => ({
        origin: input.origin,
        periodKey: key,
        version: input.payload.version,
        hashes: [input.payload.hash],
        payload: input.payload,
        withdrawn: withdrawnBy !== null,
        local: false,
        via: input.via,
      });
      const outcome = ctx.db.transaction((tx) => {
        const outcome = ((): AcceptOutcome => {
          const held = heldOf.get(input.origin, key) as
            | { id: number; version: number; hash: string; conflictingHash: string | null }
            | undefined;
          if (!held) {
            tx.insert(receivedSyntheses).values(values).run();
            return "stored";
          }
          if (input.payload.version > held.version) {
            replaceRow.run(
              values.origin,
              values.periodKey,
              values.objectId,
              values.version,
              values.hash,
              JSON.stringify(values.payload),
              JSON.stringify(values.activity),
              values.via,
              values.withdrawnAt,
              values.withdrawal === null ? null : JSON.stringify(values.withdrawal),
              values.receivedAt,
              held.id,
            );
            return "replaced";
          }
          if (input.payload.version < held.version) return "older";
          // Either copy of a conflict, again, is a duplicate too.
          if (input.payload.hash === held.hash || input.payload.hash === held.conflictingHash) {
            return "duplicate";
          }
          // Same version, other content: flagged. Which copy the row keeps must not depend on the
          // order of arrival (or the state would not converge): the smallest hash is kept, the
          // largest other one noted beside it, with its activity (peers must learn of the conflict).
          const row = find(input.origin, key) as ReceivedSynthesisRow;
          const copies = new Map<string, ActivityJson>([[row.hash, row.activity]]);
          if (row.conflictingHash && row.conflictingActivity) {
            copies.set(row.conflictingHash, row.conflictingActivity);
          }
          copies.set(input.payload.hash, input.activity);
          const hashes = [...copies.keys()].sort();
          const conflictingHash = hashes.at(-1) as string;
          tx.update(receivedSyntheses)
            .set({
              ...(input.payload.hash < row.hash ? values : {}),
              withdrawnAt: row.withdrawnAt,
              withdrawal: row.withdrawal,
              conflictedAt: row.conflictedAt ?? now,
              conflictingHash,
              conflictingActivity: copies.get(conflictingHash) ?? null,
            })
            .where(eq(receivedSyntheses.id, row.id))
            .run();
          return "conflict";
        })();
        if (outcome === "stored" || outcome === "replaced") {
          aggregates.apply(input.origin, key, asStored());
        }
        if (outcome === "conflict") syncAggregates(input.origin, key);
        return withdrawnBy && (outcome === "stored" || outcome === "replaced")
          ? "withdrawn"
          : outcome;
      });
      // The figures take the committed version in now: the next read does not wait on it.
      aggregates.settle();
      return outcome;
    },
    /**
     * The origin withdrew the synthesis (Delete of the Article): kept, marked withdrawn, with the
     * Delete kept as its tombstone when its proof verified. A Delete older than the version held
     * changes nothing.
     */
    applyWithdrawal(
      origin: string,
      objectId: string,
      withdrawal: Withdrawal = {},
    ): WithdrawalOutcome {
      return ctx.db.transaction((tx) => {
        const rows = byObject(origin, objectId);
        if (rows.length === 0) return "unknown";
        keepTombstone(origin, objectId, withdrawal);
        let outcome: WithdrawalOutcome = "older";
        for (const row of rows) {
          if (!withdraws(withdrawal.published, row.activity)) continue;
          const tombstone = withdrawal.activity ?? row.withdrawal;
          if (row.withdrawnAt) {
            outcome = outcome === "withdrawn" ? outcome : "already";
            // A proven copy of the Delete arriving later (withdrawn by an unsigned delivery).
            if (!row.withdrawal && tombstone) {
              tx.update(receivedSyntheses)
                .set({ withdrawal: tombstone })
                .where(eq(receivedSyntheses.id, row.id))
                .run();
            }
            continue;
          }
          tx.update(receivedSyntheses)
            .set({ withdrawnAt: ctx.now().toISOString(), withdrawal: tombstone })
            .where(eq(receivedSyntheses.id, row.id))
            .run();
          syncAggregates(row.origin, row.periodKey);
          outcome = "withdrawn";
        }
        return outcome;
      });
    },
    /**
     * A proven Delete of an object not held (yet): kept as a tombstone, so that the synthesis,
     * delivered or pulled later, arrives withdrawn (docs/protocol.md §6–§7, withdrawal).
     */
    keepEarlyWithdrawal(origin: string, objectId: string, withdrawal: Withdrawal): void {
      if (!withdrawal.activity) return;
      ctx.db.transaction(() => keepTombstone(origin, objectId, withdrawal));
    },
    /** `applyWithdrawal` without a date or proof: whether the origin held anything to withdraw. */
    withdraw(origin: string, objectId: string): boolean {
      const outcome = this.applyWithdrawal(origin, objectId);
      return outcome === "withdrawn" || outcome === "already";
    },
    /**
     * Whether a Delete made at `published` would change nothing here (withdrawn already with its
     * tombstone, a newer version held, or nothing held but this Delete kept): anti-entropy skips
     * those.
     */
    withdrawalSettled(origin: string, objectId: string, published: string | null): boolean {
      const rows = byObject(origin, objectId);
      if (rows.length === 0) {
        // Nothing held: settled once this Delete (or a later one) is kept as a tombstone; an
        // undated one would not be kept (nothing to do).
        const kept = tombstoneOf(origin, objectId);
        if (published === null || Number.isNaN(Date.parse(published))) return true;
        return (
          kept !== undefined &&
          kept.activity !== null &&
          Date.parse(kept.published) >= Date.parse(published)
        );
      }
      return rows.every(
        (row) =>
          (row.withdrawnAt !== null && row.withdrawal !== null) ||
          !withdraws(published, row.activity),
      );
    },
    /** Whether a synthesis of this origin with this Article id is held (withdrawn or not). */
    holdsObject(origin: string, objectId: string): boolean {
      return byObject(origin, objectId).length > 0;
    },
    list(): ReceivedSynthesisRow[] {
      return ctx.db
        .select()
        .from(receivedSyntheses)
        .orderBy(desc(receivedSyntheses.receivedAt))
        .all();
    },
    get(id: number): ReceivedSynthesisRow {
      const row = ctx.db.select().from(receivedSyntheses).where(eq(receivedSyntheses.id, id)).get();
      if (!row) throw new NotFoundError(`no received synthesis ${id}`);
      return row;
    },
    /** Whether this exact content (or a newer version) is already held: anti-entropy skips those. */
    holds(origin: string, key: string, version: number, hash: string): boolean {
      const held = find(origin, key);
      if (!held) return false;
      if (held.version !== version) return held.version > version;
      return held.hash === hash || held.conflictingHash === hash;
    },
  };
}
export type ReceivedSynthesisService = ReturnType<typeof createReceivedSynthesisService>;
