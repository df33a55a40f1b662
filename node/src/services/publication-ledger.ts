import {
  type LedgerGroup,
  type LedgerVersion,
  MARGIN_NAMES,
  type SynthesisPayload,
} from "@spiral-network/protocol";
import { asc, eq } from "drizzle-orm";
import { publishedGroups, synthesisVersions } from "../db/schema";
import type { ServiceContext } from "./context";

/** What a preview says of a draft: whether it can go out, what stops it, what it holds back. */
export function draftAnswer<P, W>(draft: { payload: P | null; blockers: string[]; withheld: W[] }) {
  return {
    publishable: draft.payload !== null,
    blockers: draft.blockers,
    withheld: draft.withheld,
    payload: draft.payload,
  };
}

/**
 * The publication ledger (docs/protocol.md §4): which groups, as they were then, stand behind
 * every public cell of every version a territory published. Read by the atom rule before each
 * publication, written in the publication's transaction; never served.
 */
export function createPublicationLedger(ctx: ServiceContext) {
  return {
    /** Every version the territory published, any period, withdrawn ones included, oldest first. */
    history(territoryId: number): LedgerVersion[] {
      const rows = ctx.db
        .select({ version: synthesisVersions, group: publishedGroups })
        .from(synthesisVersions)
        .leftJoin(publishedGroups, eq(publishedGroups.versionId, synthesisVersions.id))
        .where(eq(synthesisVersions.territoryId, territoryId))
        .orderBy(asc(synthesisVersions.id), asc(publishedGroups.groupId))
        .all();
      const versions = new Map<number, LedgerVersion & { groups: LedgerGroup[] }>();
      for (const { version, group } of rows) {
        let entry = versions.get(version.id);
        if (!entry) {
          const payload = JSON.parse(version.payload) as SynthesisPayload;
          entry = {
            periodKey: version.periodKey,
            version: version.version,
            groups: [],
            margins: MARGIN_NAMES.filter((name) => payload.margins?.[name] !== undefined),
          };
          versions.set(version.id, entry);
        }
        if (group) entry.groups.push(ledgerGroup(group));
      }
      return [...versions.values()];
    },
    /** Records the groups behind a version just published (same transaction as the version). */
    record(versionId: number, groups: readonly LedgerGroup[]): void {
      if (groups.length === 0) return;
      ctx.db
        .insert(publishedGroups)
        .values(
          groups.map((g) => ({
            versionId,
            groupId: Number(g.id),
            participants: g.participants,
            category: g.category,
            cell: g.cell,
            marginsGender: (g.margins?.gender as Record<string, number> | undefined) ?? null,
            marginsAge: (g.margins?.age as Record<string, number> | undefined) ?? null,
          })),
        )
        .run();
    },
  };
}
export type PublicationLedger = ReturnType<typeof createPublicationLedger>;

function ledgerGroup(row: typeof publishedGroups.$inferSelect): LedgerGroup {
  const margins = {
    ...(row.marginsGender ? { gender: row.marginsGender } : {}),
    ...(row.marginsAge ? { age: row.marginsAge } : {}),
  };
  return {
    id: row.groupId,
    participants: row.participants,
    category: row.category,
    ...(Object.keys(margins).length > 0 ? { margins } : {}),
    cell: row.cell,
  };
}
