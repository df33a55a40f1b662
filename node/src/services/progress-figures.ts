import {
  aggregateProgress,
  emptyLevelCounts,
  type LevelCounts,
  mergeProgressEntry,
  type ProgressAggregate,
  type ProgressEntry,
  type ProgressFilter,
  type ProgressOutcome,
  type ProgressPayload,
} from "@spiral-network/protocol";
import { and, eq, type SQL } from "drizzle-orm";
import { type ActivityJson, progressEntries, receivedWithdrawals } from "../db/schema";
import type { ServiceContext } from "./context";

/**
 * Network figures of progress (docs/protocol.md §13): the latest progress version held per
 * (origin, campaign), own publications included, and the figures over them. Accepting follows
 * the pure merge rule (protocol/src/progress-aggregation.ts), so any order of deliveries gives
 * the same state, figures and fingerprint.
 */
export function createProgressFigureService(ctx: ServiceContext) {
  const held = (origin: string, campaignId: string) =>
    ctx.db
      .select()
      .from(progressEntries)
      .where(and(eq(progressEntries.origin, origin), eq(progressEntries.campaignId, campaignId)))
      .get();

  /** Whether the origin's Delete of the object, kept before the object arrived, is newer than it. */
  const deletedAfter = (origin: string, objectId: string, activity?: ActivityJson | null) => {
    const tombstone = ctx.db
      .select({ published: receivedWithdrawals.published })
      .from(receivedWithdrawals)
      .where(
        and(eq(receivedWithdrawals.origin, origin), eq(receivedWithdrawals.objectId, objectId)),
      )
      .get();
    const made = typeof activity?.published === "string" ? Date.parse(activity.published) : NaN;
    return (
      tombstone !== undefined && !Number.isNaN(made) && Date.parse(tombstone.published) >= made
    );
  };

  const toEntry = (row: ProgressEntry): ProgressEntry => ({
    origin: row.origin,
    campaignId: row.campaignId,
    version: row.version,
    hashes: row.hashes,
    payload: row.payload,
  });

  return {
    /** Applies a version (received, or published here) to the state; inside the caller's transaction. */
    accept(input: {
      origin: string;
      objectId: string;
      payload: ProgressPayload;
      local: boolean;
      via?: string | null;
      activity?: ActivityJson | null;
    }): ProgressOutcome | "withdrawn" {
      const { origin, payload } = input;
      const row = held(origin, payload.campaign.id);
      // Withdrawn by its origin: a late or replayed copy never brings it back, a newer one does.
      if (row?.withdrawn && payload.version <= row.version) return "withdrawn";
      // The origin's Delete came first (kept as a tombstone): a version made before it is not counted.
      if (!input.local && deletedAfter(origin, input.objectId, input.activity)) return "withdrawn";
      const { entry, outcome } = mergeProgressEntry(
        row ? toEntry(row) : undefined,
        origin,
        payload,
      );
      if (outcome === "older" || outcome === "duplicate") return outcome;
      const values = {
        origin,
        campaignId: payload.campaign.id,
        objectId: input.objectId,
        version: entry.version,
        hashes: entry.hashes,
        payload: entry.payload,
        local: input.local,
        via: input.via ?? null,
        activity: outcome === "conflict" ? (row?.activity ?? null) : (input.activity ?? null),
        country: entry.payload.territory.country,
        region: entry.payload.territory.region ?? null,
        withdrawn: false,
      };
      ctx.db
        .insert(progressEntries)
        .values(values)
        .onConflictDoUpdate({
          target: [progressEntries.origin, progressEntries.campaignId],
          set: values,
        })
        .run();
      return outcome;
    },
    /**
     * The origin withdrew a campaign's progress (a Delete of its Article, docs/protocol.md §13):
     * the entry leaves the figures, kept as a tombstone. `older` when the Delete was made before
     * the version held (the origin published again since); `unknown` when nothing is held.
     */
    withdraw(
      origin: string,
      objectId: string,
      deletedAt: string | null = null,
    ): "withdrawn" | "already" | "older" | "unknown" {
      const row = ctx.db
        .select()
        .from(progressEntries)
        .where(and(eq(progressEntries.origin, origin), eq(progressEntries.objectId, objectId)))
        .get();
      if (!row) return "unknown";
      if (row.withdrawn) return "already";
      const published = row.activity?.published;
      if (
        deletedAt !== null &&
        typeof published === "string" &&
        Date.parse(deletedAt) < Date.parse(published)
      ) {
        return "older";
      }
      ctx.db
        .update(progressEntries)
        .set({ withdrawn: true })
        .where(
          and(eq(progressEntries.origin, origin), eq(progressEntries.campaignId, row.campaignId)),
        )
        .run();
      return "withdrawn";
    },
    /** The figures over what is held, under a filter, with coverage and fingerprint. */
    query(filter: ProgressFilter = {}): ProgressAggregate {
      const where: SQL[] = [eq(progressEntries.withdrawn, false)];
      if (filter.country !== undefined) where.push(eq(progressEntries.country, filter.country));
      if (filter.region !== undefined) where.push(eq(progressEntries.region, filter.region));
      // Only what the figures read (not the stored activity, the largest column).
      const rows = ctx.db
        .select({
          origin: progressEntries.origin,
          campaignId: progressEntries.campaignId,
          version: progressEntries.version,
          hashes: progressEntries.hashes,
          payload: progressEntries.payload,
        })
        .from(progressEntries)
        .where(and(...where))
        .all();
      return aggregateProgress(rows, filter);
    },
    /** What is held (for the received list): origin, territory, campaign, version. */
    list() {
      return ctx.db
        .select({
          origin: progressEntries.origin,
          campaignId: progressEntries.campaignId,
          objectId: progressEntries.objectId,
          version: progressEntries.version,
          hashes: progressEntries.hashes,
          local: progressEntries.local,
          via: progressEntries.via,
          payload: progressEntries.payload,
        })
        .from(progressEntries)
        .where(eq(progressEntries.withdrawn, false))
        .all();
    },
  };
}
export type ProgressFigureService = ReturnType<typeof createProgressFigureService>;

const CSV_LEVELS: Array<keyof LevelCounts> = ["1", "2", "3", "4", "5", "dontKnow"];

/** The figures as CSV: one row per path code and phase, then the coverage fingerprint. */
export function progressFiguresCsv(figures: ProgressAggregate): string {
  const header = [
    "code",
    "phase",
    "level_1",
    "level_2",
    "level_3",
    "level_4",
    "level_5",
    "dont_know",
    "share_4_5",
    "territories",
  ];
  const lines = [header.join(",")];
  for (const row of figures.rows) {
    const counts = row.counts ?? emptyLevelCounts();
    lines.push(
      [
        row.code,
        row.phase,
        ...CSV_LEVELS.map((key) => String(counts[key])),
        row.share === null ? "" : row.share.toFixed(4),
        String(row.territories),
      ].join(","),
    );
  }
  lines.push("");
  lines.push(`# fingerprint,${figures.coverage.fingerprint}`);
  lines.push(`# territories included,${figures.coverage.included.length}`);
  return `${lines.join("\r\n")}\r\n`;
}
