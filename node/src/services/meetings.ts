import { randomUUID } from "node:crypto";
import {
  buildMeetingPayload,
  type MeetingPayload,
  meetingInputSchema,
  meetingStartsInPast,
} from "@spiral-network/protocol";
import { and, asc, eq, gte, isNull } from "drizzle-orm";
import type { z } from "zod";
import { meetings } from "../db/schema";
import type { AuditService } from "./audit";
import type { Actor, ServiceContext } from "./context";
import { ConflictError, InvalidInputError, NotFoundError } from "./errors";
import type { OutboxService } from "./outbox";
import { resolveJoinedSubnetworks } from "./subnetworks";
import { type TerritoryService, territoryActorId } from "./territories";

export type MeetingRow = typeof meetings.$inferSelect;
export type MeetingInput = z.input<typeof meetingInputSchema>;
/** `subnetworks`: joined sub-networks (follow ids, group URLs or handles) to address it to. */
export interface MeetingOptions {
  subnetworks?: ReadonlyArray<string | number>;
}

/** URL of a meeting (the ActivityPub Event and its HTML page). */
export const meetingUrl = (publicUrl: string, uuid: string) => `${publicUrl}/meetings/${uuid}`;

export function meetingView(row: MeetingRow, publicUrl: string) {
  return {
    ...row.payload,
    id: row.uuid,
    url: meetingUrl(publicUrl, row.uuid),
    deleted: row.deletedAt !== null,
  };
}

const issuesOf = (error: z.ZodError) =>
  error.issues.map((i) => ({ path: i.path.join(".") || "(body)", message: i.message }));

/**
 * Meetings of the local territories. Every change is recorded with its outgoing activity in one
 * transaction: a new meeting goes out as Create(Event), a change or cancellation as Update (with
 * the iCalendar sequence raised), a deletion as Delete.
 */
export function createMeetingService(
  ctx: ServiceContext,
  audit: AuditService,
  territories: TerritoryService,
  outbox: OutboxService,
) {
  const find = (territoryId: number, uuid: string) =>
    ctx.db
      .select()
      .from(meetings)
      .where(and(eq(meetings.uuid, uuid), eq(meetings.territoryId, territoryId)))
      .get();

  const parseInput = (input: unknown) => {
    const parsed = meetingInputSchema.safeParse(input);
    if (!parsed.success)
      throw new InvalidInputError("the meeting is not valid", issuesOf(parsed.error));
    return parsed.data;
  };

  const territoryOf = (slug: string) => {
    const territory = territories.get(slug);
    return {
      row: territory,
      ref: {
        id: territoryActorId(ctx.publicUrl, territory.slug),
        name: territory.name,
        country: territory.country,
      },
    };
  };

  const record = (
    slug: string,
    uuid: string,
    type: "Create" | "Update" | "Delete",
    payload: MeetingPayload,
    subnetworks?: string[],
  ) =>
    outbox.record({
      actor: slug,
      type,
      objectId: meetingUrl(ctx.publicUrl, uuid),
      meetingUuid: uuid,
      meetingPayload: payload,
      // Sub-networks it is addressed to; left out, a change goes where the last one went.
      ...(subnetworks ? { recipients: subnetworks } : {}),
    });

  /**
   * The joined sub-networks a meeting is addressed to, when the caller names them. Groups relay
   * publicly, so a followers-only meeting is never sent to one: naming groups for it is a mistake
   * said plainly rather than silently ignored.
   */
  const addressedTo = (slug: string, options: MeetingOptions, visibility: string) => {
    if (options.subnetworks === undefined) return undefined;
    if (visibility !== "public" && options.subnetworks.length > 0) {
      throw new InvalidInputError("a followers-only meeting cannot be addressed to sub-networks", [
        {
          path: "subnetworks",
          message: "sub-networks relay to everyone; make the meeting public or name no sub-network",
        },
      ]);
    }
    return resolveJoinedSubnetworks(ctx.db, slug, options.subnetworks);
  };

  return {
    list(slug: string, options: { upcoming?: boolean } = {}): MeetingRow[] {
      const { row } = territoryOf(slug);
      return ctx.db
        .select()
        .from(meetings)
        .where(
          and(
            eq(meetings.territoryId, row.id),
            isNull(meetings.deletedAt),
            ...(options.upcoming ? [gte(meetings.endUtc, ctx.now().toISOString())] : []),
          ),
        )
        .orderBy(asc(meetings.startUtc))
        .all();
    },
    get(slug: string, uuid: string): MeetingRow {
      const { row } = territoryOf(slug);
      const meeting = find(row.id, uuid);
      if (!meeting || meeting.deletedAt)
        throw new NotFoundError(`no meeting ${uuid} in territory "${slug}"`);
      return meeting;
    },
    /** A meeting by its id alone (public pages, the Event dispatcher), deleted ones included. */
    byUuid(uuid: string) {
      const meeting = ctx.db.select().from(meetings).where(eq(meetings.uuid, uuid)).get();
      if (!meeting) return undefined;
      const territory = territories.list().find((t) => t.id === meeting.territoryId);
      return territory ? { meeting, territory } : undefined;
    },
    /** Upcoming meetings of every local territory (for the node's feed). */
    upcomingEverywhere(): MeetingRow[] {
      return ctx.db
        .select()
        .from(meetings)
        .where(and(isNull(meetings.deletedAt), gte(meetings.endUtc, ctx.now().toISOString())))
        .orderBy(asc(meetings.startUtc))
        .all();
    },
    create(
      slug: string,
      input: MeetingInput,
      actor: Actor,
      options: MeetingOptions = {},
    ): MeetingRow {
      const { row: territory, ref } = territoryOf(slug);
      const data = parseInput(input);
      const subnetworks = addressedTo(territory.slug, options, data.visibility);
      if (meetingStartsInPast(data, ctx.now())) {
        throw new InvalidInputError("a new meeting cannot start in the past", [
          { path: "start", message: "this time has already passed in the meeting's time zone" },
        ]);
      }
      const payload = buildMeetingPayload(data, ref, {
        sequence: 0,
        updated: ctx.now().toISOString(),
      });
      const uuid = randomUUID();
      const created = ctx.db.transaction((tx) => {
        const row = tx
          .insert(meetings)
          .values({
            uuid,
            territoryId: territory.id,
            payload: payload,
            startUtc: payload.startUtc,
            endUtc: payload.endUtc,
            sequence: 0,
          })
          .returning()
          .get();
        record(slug, uuid, "Create", payload, subnetworks);
        audit.record(actor, "meeting.create", `meeting:${uuid}`);
        return row;
      });
      ctx.notifyOutbox();
      return created;
    },
    /** Changes fields of a meeting (a cancellation is `{status: "cancelled"}`); goes out as Update. */
    update(
      slug: string,
      uuid: string,
      patch: Partial<MeetingInput>,
      actor: Actor,
      options: MeetingOptions = {},
    ): MeetingRow {
      const current = this.get(slug, uuid);
      const { ref } = territoryOf(slug);
      const held = current.payload;
      const {
        schema: _s,
        territory: _t,
        startUtc: _a,
        endUtc: _b,
        updated: _u,
        sequence: _q,
        ...input
      } = held;
      const data = parseInput({ ...input, ...patch });
      const subnetworks = addressedTo(slug, options, data.visibility);
      const sequence = current.sequence + 1;
      const payload = buildMeetingPayload(data, ref, {
        sequence,
        updated: ctx.now().toISOString(),
      });
      if (
        JSON.stringify({ ...payload, updated: "", sequence: 0 }) ===
        JSON.stringify({ ...held, updated: "", sequence: 0 })
      ) {
        throw new ConflictError("nothing changed");
      }
      const updated = ctx.db.transaction((tx) => {
        const row = tx
          .update(meetings)
          .set({
            payload: payload,
            startUtc: payload.startUtc,
            endUtc: payload.endUtc,
            sequence,
            updatedAt: ctx.now().toISOString(),
          })
          .where(eq(meetings.uuid, uuid))
          .returning()
          .get();
        record(slug, uuid, "Update", payload, subnetworks);
        audit.record(actor, "meeting.update", `meeting:${uuid}`, { fields: Object.keys(patch) });
        return row;
      });
      ctx.notifyOutbox();
      return updated;
    },
    delete(slug: string, uuid: string, actor: Actor): void {
      const current = this.get(slug, uuid);
      ctx.db.transaction((tx) => {
        tx.update(meetings)
          .set({ deletedAt: ctx.now().toISOString() })
          .where(eq(meetings.uuid, uuid))
          .run();
        record(slug, uuid, "Delete", current.payload);
        audit.record(actor, "meeting.delete", `meeting:${uuid}`);
      });
      ctx.notifyOutbox();
    },
  };
}
export type MeetingService = ReturnType<typeof createMeetingService>;
