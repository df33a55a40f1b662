import { randomUUID } from "node:crypto";
import { isPublicMeeting, type MeetingPayload } from "@spiral-network/protocol";
import { and, desc, eq, inArray, isNull, lt, sql } from "drizzle-orm";
import {
  type ActivityJson,
  meetings,
  outboxActivities,
  progressVersions,
  receivedWithdrawals,
  synthesisVersions,
} from "../db/schema";
import type { ServiceContext } from "./context";

export type OutboxRow = typeof outboxActivities.$inferSelect;
export type OutboxType = OutboxRow["type"];

/**
 * Preparing a row (building and signing its activity, handing it to Fedify's queue) is retried
 * this many times; delivery itself is retried by Fedify's queue with exponential backoff.
 */
export const MAX_PREPARE_ATTEMPTS = 10;

/** URL of an activity this node sent; /activities/{uuid} serves its JSON. */
export const activityUrl = (publicUrl: string, uuid: string) => `${publicUrl}/activities/${uuid}`;

const PUBLIC_ADDRESSES = new Set(["https://www.w3.org/ns/activitystreams#Public", "as:Public"]);

/** Whether an activity (compacted JSON-LD) is addressed to everyone (to or cc). */
const addressedToPublic = (activity: ActivityJson) =>
  [activity.to, activity.cc]
    .flat()
    .some((address) => typeof address === "string" && PUBLIC_ADDRESSES.has(address));

/** An actor's publications (what its outbox collection shows), not its follow activities. */
const publicationsOf = (actor: string) =>
  and(
    eq(outboxActivities.actor, actor),
    inArray(outboxActivities.type, ["Create", "Update", "Delete"]),
  );

/**
 * From rows newest first, the newest prepared one (with its JSON) of each key; rows without a key
 * are left out.
 */
const newestOfEach = (rows: OutboxRow[], keyOf: (row: OutboxRow) => string | null): OutboxRow[] => {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const key = keyOf(row);
    if (!key || seen.has(key) || !row.json) return false;
    seen.add(key);
    return true;
  });
};

/**
 * The outbox table: activities are recorded inside the transaction of the change they announce
 * and delivered after commit by the federation's outbox dispatcher (at most one row per change,
 * stable ids, so a crash neither loses nor duplicates a publication).
 */
export function createOutboxService(ctx: ServiceContext) {
  return {
    /** Records an activity to send; call inside the domain change's transaction. */
    record(entry: {
      actor: string;
      type: OutboxType;
      objectId: string;
      synthesisUuid?: string;
      synthesisVersionId?: number;
      meetingUuid?: string;
      meetingPayload?: MeetingPayload;
      progressVersionId?: number;
      recipients?: string[];
      json?: ActivityJson;
    }): OutboxRow {
      return ctx.db
        .insert(outboxActivities)
        .values({ uuid: randomUUID(), ...entry })
        .returning()
        .get();
    },
    /** Rows still to send; a row that failed MAX_PREPARE_ATTEMPTS times waits for an operator. */
    pending(limit = 50): OutboxRow[] {
      return ctx.db
        .select()
        .from(outboxActivities)
        .where(
          and(
            isNull(outboxActivities.sentAt),
            lt(outboxActivities.attempts, MAX_PREPARE_ATTEMPTS),
            // Only publications: follow activities and relays are sent where they are made.
            inArray(outboxActivities.type, ["Create", "Update", "Delete"]),
          ),
        )
        .orderBy(sql`rowid`)
        .limit(limit)
        .all();
    },
    get(uuid: string): OutboxRow | undefined {
      return ctx.db.select().from(outboxActivities).where(eq(outboxActivities.uuid, uuid)).get();
    },
    /** Keeps the activity as prepared (signed) so it is sent and served identically every time. */
    setJson(uuid: string, json: ActivityJson): void {
      ctx.db.update(outboxActivities).set({ json }).where(eq(outboxActivities.uuid, uuid)).run();
    },
    markSent(uuid: string): void {
      ctx.db
        .update(outboxActivities)
        .set({ sentAt: ctx.now().toISOString(), lastError: null })
        .where(eq(outboxActivities.uuid, uuid))
        .run();
    },
    markFailed(uuid: string, attempts: number, error: string): void {
      ctx.db
        .update(outboxActivities)
        .set({ attempts, lastError: error.slice(0, 2000) })
        .where(eq(outboxActivities.uuid, uuid))
        .run();
    },
    /**
     * The latest publication activity (Create, Update or Delete) of each synthesis of an actor,
     * and of each campaign's progress (what anti-entropy serves, docs/protocol.md §8 and §13).
     */
    latestPublications(actor: string): OutboxRow[] {
      const rows = ctx.db
        .select()
        .from(outboxActivities)
        .where(publicationsOf(actor))
        .orderBy(desc(sql`rowid`))
        .all();
      return newestOfEach(
        rows,
        (row) => row.synthesisUuid ?? (row.progressVersionId !== null ? row.objectId : null),
      );
    },
    /** The last prepared activity (Create or Update) of each of these meetings. */
    latestMeetingActivities(actor: string, meetingUuids: string[]): OutboxRow[] {
      if (meetingUuids.length === 0) return [];
      const rows = ctx.db
        .select()
        .from(outboxActivities)
        .where(and(publicationsOf(actor), inArray(outboxActivities.meetingUuid, meetingUuids)))
        .orderBy(desc(sql`rowid`))
        .all();
      return newestOfEach(rows, (row) => row.meetingUuid).filter((row) => row.type !== "Delete");
    },
    /**
     * The actor's publications anyone may see (newest first), for its outbox collection: a
     * withdrawn version's Create/Update is left out (its Delete, about a Tombstone, stays).
     */
    listByActor(actor: string, limit: number, offset: number): OutboxRow[] {
      return ctx.db
        .select()
        .from(outboxActivities)
        .where(publicationsOf(actor))
        .orderBy(desc(sql`rowid`))
        .all()
        .filter((row) => this.isPublic(row))
        .slice(offset, offset + limit);
    },
    /**
     * When the synthesis version a Create/Update published was withdrawn; null when it was not
     * (or the row is not a synthesis publication). A withdrawn version is served as a Tombstone.
     */
    withdrawnAt(row: OutboxRow): string | null {
      if (row.type !== "Create" && row.type !== "Update") return null;
      if (row.progressVersionId !== null) {
        const progress = ctx.db
          .select({ withdrawnAt: progressVersions.withdrawnAt })
          .from(progressVersions)
          .where(eq(progressVersions.id, row.progressVersionId))
          .get();
        return progress?.withdrawnAt ?? null;
      }
      if (row.synthesisVersionId === null) return null;
      const version = ctx.db
        .select({ withdrawnAt: synthesisVersions.withdrawnAt })
        .from(synthesisVersions)
        .where(eq(synthesisVersions.id, row.synthesisVersionId))
        .get();
      return version?.withdrawnAt ?? null;
    },
    /**
     * Whether an Announce relays a Create/Update its origin has withdrawn since: the relaying
     * actor announced the origin's Delete of that object later, or this node holds the origin's
     * Delete, made after that activity (docs/protocol.md §6, "Withdrawal unpublishes").
     */
    announcesWithdrawn(row: OutboxRow, inner: ActivityJson): boolean {
      if (inner.type !== "Create" && inner.type !== "Update") return false;
      const deletedLater = ctx.db.get<{ n: number }>(
        sql`select count(*) as n from outbox_activities
            where actor = ${row.actor} and type = 'Announce' and object_id = ${row.objectId}
              and json_extract(json, '$.object.type') = 'Delete'
              and rowid > (select rowid from outbox_activities where uuid = ${row.uuid})`,
      );
      if ((deletedLater?.n ?? 0) > 0) return true;
      const published = typeof inner.published === "string" ? Date.parse(inner.published) : NaN;
      const origin = typeof inner.actor === "string" ? inner.actor : null;
      if (!origin || Number.isNaN(published)) return false;
      const tombstone = ctx.db
        .select({ published: receivedWithdrawals.published })
        .from(receivedWithdrawals)
        .where(
          and(
            eq(receivedWithdrawals.origin, origin),
            eq(receivedWithdrawals.objectId, row.objectId),
          ),
        )
        .get();
      return tombstone !== undefined && Date.parse(tombstone.published) >= published;
    },
    /**
     * Whether an activity may be served to anyone (outbox, /activities/{uuid}, catch-up): not
     * the publication of a withdrawn synthesis version, and for a meeting only an activity sent
     * while the meeting was public (the visibility recorded with it), as long as the meeting
     * has not become followers-only since. A followers-only version never becomes public.
     */
    isPublic(row: OutboxRow): boolean {
      // A group's Announce is as public as the activity inside it (older nodes relayed
      // followers-only meetings: those stay hidden).
      if (row.type === "Announce") {
        const inner = row.json?.object;
        if (typeof inner !== "object" || inner === null) return true;
        return (
          addressedToPublic(inner as ActivityJson) &&
          !this.announcesWithdrawn(row, inner as ActivityJson)
        );
      }
      if (this.withdrawnAt(row) !== null) return false;
      if (!row.meetingUuid) return true;
      const whenSent = row.meetingPayload
        ? isPublicMeeting(row.meetingPayload)
        : row.json !== null && addressedToPublic(row.json);
      if (!whenSent) return false;
      const meeting = ctx.db
        .select()
        .from(meetings)
        .where(eq(meetings.uuid, row.meetingUuid))
        .get();
      return !meeting || isPublicMeeting(meeting.payload);
    },
  };
}
export type OutboxService = ReturnType<typeof createOutboxService>;
