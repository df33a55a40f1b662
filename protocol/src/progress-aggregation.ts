import { fingerprint, type VersionRef } from "./aggregation.ts";
import { compareCodeUnits } from "./order.ts";
import { shareGood } from "./progress.ts";
import {
  type CampaignPhase,
  campaignKey,
  emptyLevelCounts,
  type LevelCounts,
  type ProgressPayload,
} from "./progress-payload.ts";

/**
 * Network figures of progress (docs/protocol.md §13): the state is, per (origin, campaign), the
 * latest version received — a map from key to highest version, where two contents under one
 * version mark the entry conflicted — so any order or repetition of deliveries gives the same
 * state, the same figures and the same fingerprint.
 */

export interface ProgressEntry {
  origin: string;
  campaignId: string;
  version: number;
  /** Every content hash held under that version, sorted; more than one = conflicted. */
  hashes: string[];
  payload: ProgressPayload;
}

export type ProgressOutcome = "stored" | "newer" | "older" | "duplicate" | "conflict";

/** Merges one received payload into the entry held for its (origin, campaign). */
export function mergeProgressEntry(
  held: ProgressEntry | undefined,
  origin: string,
  payload: ProgressPayload,
): { entry: ProgressEntry; outcome: ProgressOutcome } {
  const fresh: ProgressEntry = {
    origin,
    campaignId: payload.campaign.id,
    version: payload.version,
    hashes: [payload.hash],
    payload,
  };
  if (!held) return { entry: fresh, outcome: "stored" };
  if (payload.version > held.version) return { entry: fresh, outcome: "newer" };
  if (payload.version < held.version) return { entry: held, outcome: "older" };
  if (held.hashes.includes(payload.hash)) return { entry: held, outcome: "duplicate" };
  const hashes = [...held.hashes, payload.hash].sort();
  // The smallest hash's payload is kept, so every node holds the same one.
  const keep = hashes[0] === payload.hash ? payload : held.payload;
  return { entry: { ...held, hashes, payload: keep }, outcome: "conflict" };
}

export const progressEntryKey = (origin: string, campaignId: string) =>
  `${origin}\n${campaignKey(campaignId)}`;

/** Folds deliveries into a state (any order, any repetition: the same state). */
export function mergeProgress(
  state: ReadonlyMap<string, ProgressEntry>,
  deliveries: ReadonlyArray<{ origin: string; payload: ProgressPayload }>,
): Map<string, ProgressEntry> {
  const next = new Map(state);
  for (const { origin, payload } of deliveries) {
    const key = progressEntryKey(origin, payload.campaign.id);
    next.set(key, mergeProgressEntry(next.get(key), origin, payload).entry);
  }
  return next;
}

export interface ProgressFilter {
  /** A component (A01): its paths; a dimension letter (A): every path in it. */
  code?: string;
  country?: string;
  region?: string;
  /** A published category cell (`other` included). */
  category?: string;
  cycle?: number;
  phase?: CampaignPhase;
  /** Only payloads coded with this grid id (paths roll up to dimensions across versions). */
  gridId?: string;
}

export interface ProgressRow {
  code: string;
  phase: CampaignPhase;
  counts: LevelCounts;
  /** Territories whose campaign counts in this row. */
  territories: number;
  /** Share at 4–5 among those who answered (the headline indicator). */
  share: number | null;
}

export interface ProgressCoverage {
  included: Array<VersionRef & { name: string; country: string; region?: string }>;
  excluded: Array<{ origin: string; periodKey: string; version: number; reason: string }>;
  fingerprint: string;
}

export interface ProgressAggregate {
  filter: ProgressFilter;
  rows: ProgressRow[];
  coverage: ProgressCoverage;
}

const codeMatches = (code: string, wanted: string | undefined) =>
  wanted === undefined || code === wanted || (wanted.length === 1 && code.charAt(0) === wanted);

/**
 * Which campaign counts for a territory, cycle, phase and path code when it ran several: the one
 * that ended last (then started last, then the smallest campaign id) — the same on every node.
 */
const later = (a: ProgressPayload, b: ProgressPayload) =>
  compareCodeUnits(a.campaign.period.end, b.campaign.period.end) ||
  compareCodeUnits(a.campaign.period.start, b.campaign.period.start) ||
  compareCodeUnits(b.campaign.id, a.campaign.id);

function addCounts(into: LevelCounts, from: LevelCounts): void {
  for (const key of Object.keys(into) as Array<keyof LevelCounts>) into[key] += from[key];
}

/** The level counts of a path in the filtered cell of a payload (its category cell, if asked). */
function pathCounts(payload: ProgressPayload, pathId: string, category: string | undefined) {
  if (category === undefined) return payload.paths.find((p) => p.id === pathId)?.counts;
  const cell = payload.categories?.find((c) => c.category === category);
  return cell?.paths.find((p) => p.id === pathId)?.counts;
}

function exclusion(entry: ProgressEntry, filter: ProgressFilter): string | null {
  const { payload } = entry;
  if (entry.hashes.length > 1) return "conflicted: several contents under one version";
  if (filter.gridId !== undefined && payload.grid.id !== filter.gridId) return "another grid";
  if (
    filter.category !== undefined &&
    !payload.categories?.some((c) => c.category === filter.category)
  ) {
    return `no published ${filter.category} cell`;
  }
  return null;
}

/** Aggregates the state under a filter, with its coverage and fingerprint. */
export function aggregateProgress(
  entries: Iterable<ProgressEntry>,
  filter: ProgressFilter = {},
): ProgressAggregate {
  const excluded: ProgressCoverage["excluded"] = [];
  // (origin, cycle, phase, code) → the campaign that counts, and its paths with that code.
  const chosen = new Map<string, { entry: ProgressEntry; pathIds: string[] }>();
  for (const entry of entries) {
    const { payload } = entry;
    if (filter.country !== undefined && payload.territory.country !== filter.country) continue;
    if (filter.region !== undefined && payload.territory.region !== filter.region) continue;
    if (filter.cycle !== undefined && payload.campaign.cycle !== filter.cycle) continue;
    if (filter.phase !== undefined && payload.campaign.phase !== filter.phase) continue;
    if (!payload.paths.some((p) => codeMatches(p.code, filter.code))) continue;
    const reason = exclusion(entry, filter);
    if (reason) {
      excluded.push({
        origin: entry.origin,
        periodKey: campaignKey(entry.campaignId),
        version: entry.version,
        reason,
      });
      continue;
    }
    for (const path of payload.paths) {
      if (!codeMatches(path.code, filter.code)) continue;
      const key = [entry.origin, payload.campaign.cycle, payload.campaign.phase, path.code].join(
        "\n",
      );
      const held = chosen.get(key);
      if (!held || later(payload, held.entry.payload) > 0) {
        chosen.set(key, { entry, pathIds: [path.id] });
      } else if (held.entry === entry) {
        held.pathIds.push(path.id);
      }
    }
  }
  const rows = new Map<string, ProgressRow & { origins: Set<string> }>();
  const counted = new Map<string, ProgressEntry>();
  for (const { entry, pathIds } of chosen.values()) {
    counted.set(progressEntryKey(entry.origin, entry.campaignId), entry);
    for (const pathId of pathIds) {
      const path = entry.payload.paths.find((p) => p.id === pathId);
      const counts = pathCounts(entry.payload, pathId, filter.category);
      if (!path || !counts) continue;
      const key = `${path.code}\n${entry.payload.campaign.phase}`;
      const row = rows.get(key) ?? {
        code: path.code,
        phase: entry.payload.campaign.phase,
        counts: emptyLevelCounts(),
        territories: 0,
        share: null,
        origins: new Set<string>(),
      };
      addCounts(row.counts, counts);
      row.origins.add(entry.origin);
      rows.set(key, row);
    }
  }
  const included = [...counted.values()].map((e) => ({
    origin: e.origin,
    periodKey: campaignKey(e.campaignId),
    version: e.version,
    hash: e.payload.hash,
    name: e.payload.territory.name,
    country: e.payload.territory.country,
    ...(e.payload.territory.region ? { region: e.payload.territory.region } : {}),
  }));
  included.sort(
    (a, b) => compareCodeUnits(a.origin, b.origin) || compareCodeUnits(a.periodKey, b.periodKey),
  );
  excluded.sort(
    (a, b) => compareCodeUnits(a.origin, b.origin) || compareCodeUnits(a.periodKey, b.periodKey),
  );
  return {
    filter,
    rows: [...rows.values()]
      .map(({ origins, ...row }) => ({
        ...row,
        territories: origins.size,
        share: shareGood(row.counts),
      }))
      .sort((a, b) => compareCodeUnits(a.code, b.code) || compareCodeUnits(a.phase, b.phase)),
    coverage: { included, excluded, fingerprint: fingerprint(included) },
  };
}
