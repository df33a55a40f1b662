import { and, desc, eq } from "drizzle-orm";
import { periodKey, type SynthesisPayload } from "../../../protocol/src/index";
import { receivedSyntheses } from "../db/schema";
import type { AggregateService } from "./aggregates";
import type { ServiceContext } from "./context";
import { NotFoundError } from "./errors";

export type ReceivedSynthesisRow = typeof receivedSyntheses.$inferSelect;

export type AcceptOutcome =
  | "stored" // first version seen for this origin and period
  | "replaced" // a newer version replaced the one held
  | "duplicate" // the version held, again
  | "older" // an older version: ignored
  | "conflict"; // same version, different content: the origin is excluded for this period

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
    payload: row.payload as unknown as SynthesisPayload,
  };
}

/**
 * What this node received from other territories: for each (origin, period) the latest version
 * (a state-based CRDT: versions only move forward, so any order or repetition of deliveries ends
 * in the same state). Verification happens before: only proof-checked activities get here.
 */
export function createReceivedSynthesisService(ctx: ServiceContext, aggregates: AggregateService) {
  /** Keeps the aggregation state in step with the row of (origin, period). */
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
            payload: row.payload as unknown as SynthesisPayload,
            withdrawn: row.withdrawnAt !== null,
            local: false,
            via: row.via,
          }
        : null,
    );
  };

  const find = (origin: string, key: string) =>
    ctx.db
      .select()
      .from(receivedSyntheses)
      .where(and(eq(receivedSyntheses.origin, origin), eq(receivedSyntheses.periodKey, key)))
      .get();

  return {
    accept(input: {
      origin: string;
      objectId: string;
      payload: SynthesisPayload;
      activity: Record<string, unknown>;
      via: string | null;
    }): AcceptOutcome {
      const key = periodKey(input.payload.period);
      const now = ctx.now().toISOString();
      const values = {
        origin: input.origin,
        periodKey: key,
        objectId: input.objectId,
        version: input.payload.version,
        hash: input.payload.hash,
        payload: input.payload as unknown as Record<string, unknown>,
        activity: input.activity,
        via: input.via,
        conflictedAt: null,
        conflictingHash: null,
        conflictingActivity: null,
        withdrawnAt: null,
        receivedAt: now,
      };
      return ctx.db.transaction((tx) => {
        const outcome = ((): AcceptOutcome => {
          const held = find(input.origin, key);
          if (!held) {
            tx.insert(receivedSyntheses).values(values).run();
            return "stored";
          }
          if (input.payload.version > held.version) {
            tx.update(receivedSyntheses).set(values).where(eq(receivedSyntheses.id, held.id)).run();
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
          const copies = new Map<string, Record<string, unknown>>([[held.hash, held.activity]]);
          if (held.conflictingHash && held.conflictingActivity) {
            copies.set(held.conflictingHash, held.conflictingActivity);
          }
          copies.set(input.payload.hash, input.activity);
          const hashes = [...copies.keys()].sort();
          const conflictingHash = hashes.at(-1) as string;
          tx.update(receivedSyntheses)
            .set({
              ...(input.payload.hash < held.hash ? values : {}),
              withdrawnAt: held.withdrawnAt,
              conflictedAt: held.conflictedAt ?? now,
              conflictingHash,
              conflictingActivity: copies.get(conflictingHash) ?? null,
            })
            .where(eq(receivedSyntheses.id, held.id))
            .run();
          return "conflict";
        })();
        if (outcome !== "older" && outcome !== "duplicate") syncAggregates(input.origin, key);
        return outcome;
      });
    },
    /** The origin withdrew the synthesis (Delete of the Article): kept, marked withdrawn. */
    withdraw(origin: string, objectId: string): boolean {
      return ctx.db.transaction(() => {
        const rows = ctx.db
          .update(receivedSyntheses)
          .set({ withdrawnAt: ctx.now().toISOString() })
          .where(
            and(eq(receivedSyntheses.origin, origin), eq(receivedSyntheses.objectId, objectId)),
          )
          .returning()
          .all();
        for (const row of rows) syncAggregates(row.origin, row.periodKey);
        return rows.length > 0;
      });
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
