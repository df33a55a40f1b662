import type { MeetingPayload } from "@spiral-network/protocol";
import { and, asc, eq, gte, inArray, isNull, lte, type SQL } from "drizzle-orm";
import { type ActivityJson, receivedMeetings } from "../db/schema";
import type { ServiceContext } from "./context";

export type ReceivedMeetingRow = typeof receivedMeetings.$inferSelect;

export interface MeetingFilter {
  kinds?: string[] | undefined;
  countries?: string[] | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/**
 * Meetings received from other territories (verified like syntheses): for each Event the latest
 * state, ordered by the iCalendar sequence the origin raises on every change.
 */
export function createReceivedMeetingService(ctx: ServiceContext) {
  return {
    accept(input: {
      origin: string;
      objectId: string;
      payload: MeetingPayload;
      activity: ActivityJson;
      via: string | null;
    }): "stored" | "updated" | "older" {
      const values = {
        origin: input.origin,
        objectId: input.objectId,
        payload: input.payload,
        activity: input.activity,
        sequence: input.payload.sequence,
        startUtc: input.payload.startUtc,
        endUtc: input.payload.endUtc,
        country: input.payload.territory.country,
        kind: input.payload.kind,
        via: input.via,
        deletedAt: null,
        receivedAt: ctx.now().toISOString(),
      };
      return ctx.db.transaction((tx) => {
        const held = tx
          .select()
          .from(receivedMeetings)
          .where(eq(receivedMeetings.objectId, input.objectId))
          .get();
        if (!held) {
          tx.insert(receivedMeetings).values(values).run();
          return "stored";
        }
        if (held.origin !== input.origin || input.payload.sequence <= held.sequence) return "older";
        tx.update(receivedMeetings).set(values).where(eq(receivedMeetings.id, held.id)).run();
        return "updated";
      });
    },
    remove(origin: string, objectId: string): boolean {
      return (
        ctx.db
          .update(receivedMeetings)
          .set({ deletedAt: ctx.now().toISOString() })
          .where(and(eq(receivedMeetings.origin, origin), eq(receivedMeetings.objectId, objectId)))
          .run().changes > 0
      );
    },
    /** Upcoming received meetings (not over yet), filtered; `from`/`to` bound the start date. */
    upcoming(filter: MeetingFilter = {}): ReceivedMeetingRow[] {
      const conditions: SQL[] = [
        isNull(receivedMeetings.deletedAt),
        gte(receivedMeetings.endUtc, ctx.now().toISOString()),
      ];
      if (filter.kinds?.length) conditions.push(inArray(receivedMeetings.kind, filter.kinds));
      if (filter.countries?.length)
        conditions.push(inArray(receivedMeetings.country, filter.countries));
      if (filter.from) conditions.push(gte(receivedMeetings.startUtc, filter.from));
      if (filter.to) conditions.push(lte(receivedMeetings.startUtc, `${filter.to}T23:59:59.999Z`));
      return ctx.db
        .select()
        .from(receivedMeetings)
        .where(and(...conditions))
        .orderBy(asc(receivedMeetings.startUtc))
        .all();
    },
    all(): ReceivedMeetingRow[] {
      return ctx.db.select().from(receivedMeetings).orderBy(asc(receivedMeetings.startUtc)).all();
    },
  };
}
export type ReceivedMeetingService = ReturnType<typeof createReceivedMeetingService>;
