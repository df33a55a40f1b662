import { randomUUID } from "node:crypto";
import {
  draftSynthesis,
  type GroupTally,
  type Period,
  periodKey,
  type Question,
  type SynthesisDraft,
  type SynthesisPayload,
  unknownGridCodes,
} from "@spiral-network/protocol";
import { and, between, count, desc, eq, inArray, isNull } from "drizzle-orm";
import {
  criteria,
  groups,
  syntheses,
  synthesisVersions,
  territories as territoriesTable,
} from "../db/schema";
import type { AggregateService } from "./aggregates";
import type { AuditService } from "./audit";
import type { Actor, ServiceContext } from "./context";
import { ConflictError, GoneError, NotFoundError, refuseBeforeStart } from "./errors";
import type { OutboxService } from "./outbox";
import { createPublicationLedger, draftAnswer } from "./publication-ledger";
import { addressedSubnetworks } from "./subnetworks";
import { type TerritoryRow, type TerritoryService, territoryActorId } from "./territories";

export type SynthesisVersionRow = typeof synthesisVersions.$inferSelect;

export function synthesisVersionView(row: SynthesisVersionRow) {
  return {
    id: row.uuid,
    synthesisId: row.synthesisUuid,
    periodKey: row.periodKey,
    version: row.version,
    participants: row.participants,
    hash: row.hash,
    publishedAt: row.createdAt,
  };
}

/** The parts of a payload that say what was counted (not its place in the version chain). */
function contentOf(payload: SynthesisPayload) {
  const { version, previous, correction, hash, ...content } = payload;
  return JSON.stringify(content);
}

/** URL of a synthesis (the ActivityPub Article and its HTML page). */
export const synthesisUrl = (publicUrl: string, uuid: string) => `${publicUrl}/syntheses/${uuid}`;

export function createSynthesisService(
  ctx: ServiceContext,
  audit: AuditService,
  territories: TerritoryService,
  outbox: OutboxService,
  aggregates: AggregateService,
) {
  const ledger = createPublicationLedger(ctx);
  /** Own syntheses count in the network figures like any other territory's. */
  const countInAggregates = (payload: SynthesisPayload, withdrawn: boolean) =>
    aggregates.apply(payload.territory.id, periodKey(payload.period), {
      origin: payload.territory.id,
      periodKey: periodKey(payload.period),
      version: payload.version,
      hashes: [payload.hash],
      payload,
      withdrawn,
      local: true,
      via: null,
    });

  /** Per-group tallies of validated criteria for the groups whose first session is in the period. */
  const talliesFor = (territory: TerritoryRow, period: Period) => {
    const groupRows = ctx.db
      .select()
      .from(groups)
      .where(
        and(
          eq(groups.territoryId, territory.id),
          between(groups.firstSession, period.start, period.end),
          ...(period.cycle === undefined ? [] : [eq(groups.cycle, period.cycle)]),
        ),
      )
      .all();
    const ids = groupRows.map((g) => g.id);
    const cells =
      ids.length === 0
        ? []
        : ctx.db
            .select({
              groupId: criteria.groupId,
              question: criteria.question,
              component: criteria.component,
              count: count(),
            })
            .from(criteria)
            .where(and(eq(criteria.status, "validated"), inArray(criteria.groupId, ids)))
            .groupBy(criteria.groupId, criteria.question, criteria.component)
            .all();
    const byGroup = new Map<number, GroupTally["counts"][number][]>();
    for (const cell of cells) {
      if (!cell.component) continue;
      const list = byGroup.get(cell.groupId) ?? [];
      list.push({
        question: cell.question as Question,
        component: cell.component,
        count: cell.count,
      });
      byGroup.set(cell.groupId, list);
    }
    // Only groups with validated criteria take part: a group still being typed in is not counted.
    const tallies: GroupTally[] = groupRows
      .filter((g) => byGroup.has(g.id))
      .map((g) => ({
        id: g.id,
        category: g.category,
        participants: g.participants,
        margins: {
          ...(g.marginsGender ? { gender: g.marginsGender } : {}),
          ...(g.marginsAge ? { age: g.marginsAge } : {}),
        },
        counts: byGroup.get(g.id) ?? [],
      }));
    return { groupsInPeriod: groupRows.length, groupRows, tallies };
  };

  /** How many of the period's groups' criteria are still unclassified or only proposed. */
  const pendingIn = (groupIds: number[]) => {
    const rows =
      groupIds.length === 0
        ? []
        : ctx.db
            .select({ status: criteria.status, count: count() })
            .from(criteria)
            .where(
              and(
                inArray(criteria.groupId, groupIds),
                inArray(criteria.status, ["unclassified", "proposed"]),
              ),
            )
            .groupBy(criteria.status)
            .all();
    const of = (status: string) => rows.find((r) => r.status === status)?.count ?? 0;
    return { unclassified: of("unclassified"), proposed: of("proposed") };
  };

  const latestVersion = (territoryId: number, key: string) =>
    ctx.db
      .select()
      .from(synthesisVersions)
      .where(
        and(eq(synthesisVersions.territoryId, territoryId), eq(synthesisVersions.periodKey, key)),
      )
      .orderBy(desc(synthesisVersions.version))
      .limit(1)
      .get();

  /**
   * A draft counting a code the grid in use does not have (criteria of a component a grid import
   * split away, waiting for review) is held back: it would name this grid version and count a
   * code every node holding it refuses (docs/facilitators-guide.md, "A new grid version").
   */
  const withoutUnknownCodes = (draft: SynthesisDraft, territory: TerritoryRow): SynthesisDraft => {
    const grid = ctx.grid;
    if (!draft.payload || territory.gridId !== grid.id || territory.gridVersion !== grid.version) {
      return draft;
    }
    const unknown = unknownGridCodes(draft.payload, grid);
    if (unknown.length === 0) return draft;
    return {
      payload: null,
      blockers: [
        ...draft.blockers,
        `criteria coded ${unknown.join(", ")} wait for review: grid ${grid.id} ${grid.version} does not have ${unknown.length === 1 ? "this code" : "these codes"}; classify them again first`,
      ],
      withheld: draft.withheld,
      ledger: [],
    };
  };

  const draftFor = (territory: TerritoryRow, period: Period, correction: boolean) => {
    const key = periodKey(period);
    const previous = latestVersion(territory.id, key);
    const { groupsInPeriod, tallies } = talliesFor(territory, period);
    const drafted: SynthesisDraft = draftSynthesis({
      territory: {
        id: territoryActorId(ctx.publicUrl, territory.slug),
        name: territory.name,
        country: territory.country,
        ...(territory.region ? { region: territory.region } : {}),
      },
      period,
      grid: { id: territory.gridId, version: territory.gridVersion },
      groups: tallies,
      previous: previous ? { version: previous.version, hash: previous.hash } : null,
      correction,
      policy: ctx.policy,
      history: ledger.history(territory.id),
    });
    return {
      key,
      previous,
      groupsInPeriod,
      groupsCounted: tallies.length,
      draft: withoutUnknownCodes(drafted, territory),
    };
  };

  /**
   * The version whose content this period's synthesis still has (nothing to publish), or null
   * (checked on the correction draft, which is the one already built when correcting).
   */
  const unchangedSince = (
    territory: TerritoryRow,
    period: Period,
    correction: boolean,
    built: ReturnType<typeof draftFor>,
  ): number | null => {
    const { previous, draft } = built;
    if (!previous) return null;
    const unchanged = (correction ? draft : draftFor(territory, period, true).draft).payload;
    return unchanged && contentOf(JSON.parse(previous.payload)) === contentOf(unchanged)
      ? previous.version
      : null;
  };

  return {
    /**
     * The local figures of a period: the very per-group tallies a publication would sum (one
     * query, the one `publish` uses), with each counted group's label, and what is still pending.
     */
    figures(slug: string, period: Period) {
      const territory = territories.get(slug);
      const { groupsInPeriod, groupRows, tallies } = talliesFor(territory, period);
      const labels = new Map<unknown, string>(groupRows.map((g) => [g.id, g.label]));
      return {
        groupsInPeriod,
        groups: tallies.map((g) => ({ ...g, label: labels.get(g.id) ?? String(g.id) })),
        ...pendingIn(groupRows.map((g) => g.id)),
      };
    },
    /** What publishing now would send, what it holds back, and why it could not be sent. */
    preview(slug: string, period: Period, correction = false) {
      const territory = territories.get(slug);
      const built = draftFor(territory, period, correction);
      const { key, previous, groupsInPeriod, groupsCounted, draft } = built;
      return {
        periodKey: key,
        /** The published version nothing has changed since (publishing would be refused). */
        unchangedSince: unchangedSince(territory, period, correction, built),
        groupsInPeriod,
        groupsCounted,
        previousVersion: previous ? synthesisVersionView(previous) : null,
        ...draftAnswer(draft),
      };
    },
    /**
     * Publishes a new version of the period's synthesis; refuses when a disclosure rule forbids it.
     * `options.subnetworks` addresses it to joined sub-networks too (follow ids, group URLs or
     * handles); without it, a new version goes where the previous one went.
     */
    publish(
      slug: string,
      period: Period,
      correction: boolean,
      actor: Actor,
      options: { subnetworks?: ReadonlyArray<string | number> } = {},
    ): SynthesisVersionRow {
      const territory = territories.get(slug);
      const addressed = addressedSubnetworks(ctx.db, territory.slug, options.subnetworks);
      const today = ctx.now().toISOString().slice(0, 10);
      refuseBeforeStart(period.start, today, "the period has not started yet", "period.start");
      // Synchronous transaction: nothing can publish the same period between draft and insert.
      const published = ctx.db.transaction((tx) => {
        const built = draftFor(territory, period, correction);
        const { key, draft } = built;
        // Said first, so the answer is not "mark it as a correction" when there is nothing to correct.
        const same = unchangedSince(territory, period, correction, built);
        if (same !== null) throw new ConflictError(`nothing changed since version ${same}`);
        if (!draft.payload) {
          throw new ConflictError("this synthesis cannot be published", draft.blockers);
        }
        const payload = draft.payload;
        const series =
          tx
            .select()
            .from(syntheses)
            .where(and(eq(syntheses.territoryId, territory.id), eq(syntheses.periodKey, key)))
            .get() ??
          tx
            .insert(syntheses)
            .values({ uuid: randomUUID(), territoryId: territory.id, periodKey: key })
            .returning()
            .get();
        if (series.withdrawnAt) {
          tx.update(syntheses)
            .set({ withdrawnAt: null })
            .where(eq(syntheses.uuid, series.uuid))
            .run();
        }
        const row = tx
          .insert(synthesisVersions)
          .values({
            uuid: randomUUID(),
            synthesisUuid: series.uuid,
            territoryId: territory.id,
            periodKey: key,
            version: payload.version,
            participants: payload.participants,
            payload: JSON.stringify(payload),
            hash: payload.hash,
            publishedBy: actor,
          })
          .returning()
          .get();
        ledger.record(row.id, draft.ledger);
        countInAggregates(payload, false);
        // The first version is a Create, later ones (and a republication after withdrawal) an Update.
        outbox.record({
          actor: territory.slug,
          type: payload.version === 1 ? "Create" : "Update",
          objectId: synthesisUrl(ctx.publicUrl, series.uuid),
          synthesisUuid: series.uuid,
          synthesisVersionId: row.id,
          ...(addressed ? { recipients: addressed } : {}),
        });
        audit.record(actor, "synthesis.publish", `synthesis:${row.uuid}`, {
          period: key,
          version: row.version,
          hash: row.hash,
          ...(addressed ? { subnetworks: addressed } : {}),
        });
        return row;
      });
      ctx.notifyOutbox();
      return published;
    },
    /** Withdraws a published synthesis: it leaves the public lists and a Delete goes out. */
    withdraw(slug: string, synthesisUuid: string, actor: Actor): void {
      const territory = territories.get(slug);
      ctx.db.transaction((tx) => {
        const series = tx
          .select()
          .from(syntheses)
          .where(and(eq(syntheses.uuid, synthesisUuid), eq(syntheses.territoryId, territory.id)))
          .get();
        if (!series)
          throw new NotFoundError(`no synthesis ${synthesisUuid} in territory "${slug}"`);
        if (series.withdrawnAt) throw new ConflictError("this synthesis is already withdrawn");
        const withdrawnAt = ctx.now().toISOString();
        tx.update(syntheses).set({ withdrawnAt }).where(eq(syntheses.uuid, series.uuid)).run();
        // Every version published so far is withdrawn for good: a later republication is a new
        // version, public on its own (docs/protocol.md §6–§7, withdrawal).
        tx.update(synthesisVersions)
          .set({ withdrawnAt })
          .where(
            and(
              eq(synthesisVersions.synthesisUuid, series.uuid),
              isNull(synthesisVersions.withdrawnAt),
            ),
          )
          .run();
        const latest = tx
          .select()
          .from(synthesisVersions)
          .where(eq(synthesisVersions.synthesisUuid, series.uuid))
          .orderBy(desc(synthesisVersions.version))
          .limit(1)
          .get();
        if (latest) countInAggregates(JSON.parse(latest.payload) as SynthesisPayload, true);
        outbox.record({
          actor: territory.slug,
          type: "Delete",
          objectId: synthesisUrl(ctx.publicUrl, series.uuid),
          synthesisUuid: series.uuid,
        });
        audit.record(actor, "synthesis.withdraw", `synthesis:${series.uuid}`, {
          period: series.periodKey,
        });
      });
      ctx.notifyOutbox();
    },
    versionById(id: number): SynthesisVersionRow | undefined {
      return ctx.db.select().from(synthesisVersions).where(eq(synthesisVersions.id, id)).get();
    },
    /** A published synthesis (the Article) with its latest version; undefined when unknown. */
    series(uuid: string) {
      const series = ctx.db.select().from(syntheses).where(eq(syntheses.uuid, uuid)).get();
      if (!series) return undefined;
      const latest = ctx.db
        .select()
        .from(synthesisVersions)
        .where(eq(synthesisVersions.synthesisUuid, uuid))
        .orderBy(desc(synthesisVersions.version))
        .limit(1)
        .get();
      if (!latest) return undefined;
      const territory = ctx.db
        .select()
        .from(territoriesTable)
        .where(eq(territoriesTable.id, series.territoryId))
        .get();
      if (!territory) return undefined;
      return { series, latest, territory, payload: JSON.parse(latest.payload) as SynthesisPayload };
    },
    list(slug: string): SynthesisVersionRow[] {
      const territory = territories.get(slug);
      return ctx.db
        .select()
        .from(synthesisVersions)
        .where(eq(synthesisVersions.territoryId, territory.id))
        .orderBy(desc(synthesisVersions.createdAt), desc(synthesisVersions.id))
        .all();
    },
    /** The versions anyone may read (none withdrawn), newest first. */
    publicList(slug: string): SynthesisVersionRow[] {
      return this.list(slug).filter((row) => row.withdrawnAt === null);
    },
    /** `get` for anyone: a withdrawn version is gone (410), whoever asks. */
    publicGet(slug: string, uuid: string): { row: SynthesisVersionRow; payload: SynthesisPayload } {
      const found = this.get(slug, uuid);
      if (found.row.withdrawnAt) {
        throw new GoneError(
          `synthesis version ${uuid} was withdrawn by "${slug}" on ${found.row.withdrawnAt.slice(0, 10)}: it is no longer public`,
        );
      }
      return found;
    },
    get(slug: string, uuid: string): { row: SynthesisVersionRow; payload: SynthesisPayload } {
      const territory = territories.get(slug);
      const row = ctx.db
        .select()
        .from(synthesisVersions)
        .where(
          and(eq(synthesisVersions.territoryId, territory.id), eq(synthesisVersions.uuid, uuid)),
        )
        .get();
      if (!row) throw new NotFoundError(`no published synthesis ${uuid} in territory "${slug}"`);
      return { row, payload: JSON.parse(row.payload) as SynthesisPayload };
    },
  };
}
export type SynthesisService = ReturnType<typeof createSynthesisService>;
