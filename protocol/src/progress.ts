import {
  type AtomViolation,
  type LedgerGroup,
  type LedgerVersion,
  participantAtomViolations,
} from "./atoms.ts";
import { type DisclosurePolicy, partitionCategories, type Withheld } from "./disclosure.ts";
import { contentHash } from "./hash.ts";
import {
  type CampaignPhase,
  campaignKey,
  emptyLevelCounts,
  type LevelCounts,
  PROGRESS_SCHEMA_ID,
  type ProgressBody,
  type ProgressLevel,
  type ProgressPayload,
  type Statement,
} from "./progress-payload.ts";
import { POOLED_CATEGORY } from "./vocabulary.ts";

/**
 * Building a `spiral/progress@1` payload from a campaign's tallies under disclosure control
 * (docs/protocol.md §13): at least k respondents, categories pooled as for syntheses, and the
 * atom rule across every progress version the territory published (each respondent is one unit
 * of the ledger, so a new version never isolates fewer than k new answers).
 */

/** A path as a campaign uses it (the version it was started with). */
export interface SurveyPath {
  id: string;
  version: number;
  code: string;
  statements: Statement[];
}

/** One cell of a campaign's tallies: respondents of a category who chose a level on a path. */
export interface ProgressTally {
  /** The response's group category; null when none was given (pooled into "other"). */
  category: string | null;
  pathId: string;
  /** null: "don't know", or the path left unanswered. */
  level: ProgressLevel | null;
  count: number;
}

export interface ProgressInput {
  territory: ProgressBody["territory"];
  campaign: {
    id: string;
    period: { start: string; end: string };
    cycle: number;
    phase: CampaignPhase;
  };
  grid: { id: string; version: string };
  paths: readonly SurveyPath[];
  /** Every response counted: its id (never published) and its category. */
  responses: ReadonlyArray<{ id: number | string; category: string | null }>;
  tallies: readonly ProgressTally[];
  previous: { version: number; hash: string } | null;
  policy: DisclosurePolicy;
  /** Every progress version the territory published (any campaign, oldest first). */
  history?: readonly LedgerVersion[];
}

export interface ProgressDraft {
  payload: ProgressPayload | null;
  blockers: string[];
  withheld: Withheld[];
  /** The respondents behind the draft's cells, for the publication ledger. */
  ledger: LedgerGroup[];
}

const levelKey = (level: ProgressLevel | null): keyof LevelCounts =>
  level === null ? "dontKnow" : (String(level) as keyof LevelCounts);

const categoryOf = (category: string | null) => category ?? POOLED_CATEGORY;

/**
 * Level counts per path (and per category cell when `cells` is given): responses that left a
 * path unanswered count as "don't know" on it, so every path adds up to the respondents.
 */
function countsFor(
  input: ProgressInput,
  include: (category: string) => boolean,
  respondents: number,
): Map<string, LevelCounts> {
  const byPath = new Map(input.paths.map((p) => [p.id, emptyLevelCounts()]));
  for (const tally of input.tallies) {
    const counts = byPath.get(tally.pathId);
    if (!counts || !include(categoryOf(tally.category))) continue;
    counts[levelKey(tally.level)] += tally.count;
  }
  for (const counts of byPath.values()) {
    const answered = Object.values(counts).reduce((a, b) => a + b, 0);
    counts.dontKnow += respondents - answered;
  }
  return byPath;
}

const isolationWords = (violation: AtomViolation, k: number) => {
  const where = violation.against
    ? `comparing with ${violation.against.replace("campaign:", "campaign ")}`
    : "publishing it";
  return `${where} would isolate ${violation.value} respondent(s), fewer than k = ${k}`;
};

function ledgerFor(input: ProgressInput, cells: readonly string[] | null): LedgerGroup[] {
  return input.responses.map((r) => {
    const category = categoryOf(r.category);
    return {
      id: r.id,
      participants: 1,
      category,
      cell: cells === null ? null : cells.includes(category) ? category : POOLED_CATEGORY,
    };
  });
}

/**
 * The finest category breakdown the atom rule allows: the usual partition, then the smallest
 * published categories folded into "other" one by one, then no breakdown at all.
 */
function chooseBreakdown(
  input: ProgressInput,
  published: readonly string[],
  sizes: Map<string, number>,
) {
  const history = input.history ?? [];
  const version = (input.previous?.version ?? 0) + 1;
  const draft = (cells: readonly string[] | null): LedgerVersion => ({
    periodKey: campaignKey(input.campaign.id),
    version,
    groups: ledgerFor(input, cells),
    margins: [],
  });
  const bySize = [...published].sort(
    (a, b) => (sizes.get(a) ?? 0) - (sizes.get(b) ?? 0) || a.localeCompare(b),
  );
  const levels: Array<string[] | null> = [
    ...(published.length > 0 ? [[...published].sort()] : []),
    ...bySize.slice(1).map((_, folded) => bySize.slice(folded + 1).sort()),
    null,
  ];
  let first: AtomViolation | undefined;
  let last: AtomViolation[] = [];
  for (const cells of levels) {
    const candidate = draft(cells);
    last = participantAtomViolations(history, candidate, input.policy.k);
    if (last.length > 0) {
      first ??= last[0];
      continue;
    }
    const withheld: Withheld[] = [];
    if (first) {
      withheld.push({
        what: cells === null ? "category breakdown" : "categories",
        reason: `${cells === null ? "not published" : 'folded into "other"'}: ${isolationWords(first, input.policy.k)}`,
      });
    }
    return { cells, withheld, blockers: [] as string[], ledger: candidate.groups };
  }
  const blockers = [...new Set(last.map((v) => isolationWords(v, input.policy.k)))];
  return { cells: null, withheld: [] as Withheld[], blockers, ledger: [] as LedgerGroup[] };
}

/** Builds the publishable progress payload of a campaign, applying every disclosure rule. */
export function draftProgress(input: ProgressInput): ProgressDraft {
  const k = input.policy.k;
  const respondents = input.responses.length;
  const blockers: string[] = [];
  if (input.paths.length === 0) blockers.push("the campaign has no path");
  if (respondents < k) {
    blockers.push(`the campaign has ${respondents} respondent(s), fewer than k = ${k}`);
  }
  if (blockers.length > 0) return { payload: null, blockers, withheld: [], ledger: [] };

  const sizes = new Map<string, number>();
  for (const r of input.responses) {
    const category = categoryOf(r.category);
    sizes.set(category, (sizes.get(category) ?? 0) + 1);
  }
  const partition = partitionCategories(
    [...sizes].map(([category, participants]) => ({ category, participants })),
    k,
  );
  const withheld = partition.withheld.map((w) => ({
    ...w,
    reason: w.reason
      .replace("participant(s)", "respondent(s)")
      .replace("participants", "respondents"),
  }));
  const chosen = chooseBreakdown(input, partition.published, sizes);
  if (chosen.blockers.length > 0) {
    return { payload: null, blockers: chosen.blockers, withheld, ledger: [] };
  }
  withheld.push(...chosen.withheld);

  const totals = countsFor(input, () => true, respondents);
  const body: ProgressBody = {
    schema: PROGRESS_SCHEMA_ID,
    territory: input.territory,
    campaign: {
      id: input.campaign.id,
      period: { start: input.campaign.period.start, end: input.campaign.period.end },
      cycle: input.campaign.cycle,
      phase: input.campaign.phase,
    },
    grid: { id: input.grid.id, version: input.grid.version },
    respondents,
    paths: [...input.paths]
      .sort((a, b) => a.code.localeCompare(b.code) || a.id.localeCompare(b.id))
      .map((p) => ({
        id: p.id,
        version: p.version,
        code: p.code,
        statements: p.statements,
        counts: totals.get(p.id) ?? emptyLevelCounts(),
      })),
    version: (input.previous?.version ?? 0) + 1,
    previous: input.previous?.hash ?? null,
  };
  const cells = chosen.cells;
  if (cells !== null) {
    const cellOf = (category: string) => (cells.includes(category) ? category : POOLED_CATEGORY);
    const cellSizes = new Map<string, number>();
    for (const [category, n] of sizes) {
      cellSizes.set(cellOf(category), (cellSizes.get(cellOf(category)) ?? 0) + n);
    }
    body.categories = [...cellSizes]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([cell, n]) => {
        const counts = countsFor(input, (category) => cellOf(category) === cell, n);
        return {
          category: cell,
          respondents: n,
          paths: body.paths.map((p) => ({
            id: p.id,
            counts: counts.get(p.id) ?? emptyLevelCounts(),
          })),
        };
      });
  }
  const payload: ProgressPayload = { ...body, hash: contentHash(body) };
  return { payload, blockers: [], withheld, ledger: [...chosen.ledger] };
}

/** Share of respondents who placed themselves at 4 or 5 among those who answered (null if none). */
export function shareGood(counts: LevelCounts): number | null {
  const answered = counts["1"] + counts["2"] + counts["3"] + counts["4"] + counts["5"];
  return answered === 0 ? null : (counts["4"] + counts["5"]) / answered;
}
