import {
  type AtomViolation,
  correctionViolation,
  type LedgerGroup,
  type LedgerVersion,
  MARGIN_NAMES,
  marginAtomViolations,
  participantAtomViolations,
} from "./atoms.ts";
import {
  type DisclosurePolicy,
  disclosableMargin,
  partitionCategories,
  type Withheld,
} from "./disclosure.ts";
import { contentHash } from "./hash.ts";
import type { GroupMargins } from "./schemas.ts";
import {
  dimensionSubtotals,
  type Period,
  periodKey,
  SYNTHESIS_SCHEMA_ID,
  type SynthesisBody,
  type SynthesisPayload,
} from "./synthesis-payload.ts";
import { POOLED_CATEGORY, type Question } from "./vocabulary.ts";

/**
 * What a synthesis is built from: per-group tallies of validated criteria by question and
 * component. The type has no place for a criterion's text, so no text can reach a payload.
 */
export interface GroupTally {
  /** The node's id for the group (never published): the atom rule follows a group across versions. */
  id?: number | string;
  category: string;
  participants: number;
  margins?: GroupMargins | undefined;
  counts: ReadonlyArray<{ question: Question; component: string; count: number }>;
}

export interface SynthesisInput {
  territory: SynthesisBody["territory"];
  period: Period;
  grid: { id: string; version: string };
  groups: readonly GroupTally[];
  /** The latest published version of the same period, if any. */
  previous: { version: number; hash: string; participants?: number } | null;
  correction: boolean;
  policy: DisclosurePolicy;
  /**
   * The publication ledger: every version the territory ever published (any period, corrections
   * and withdrawn ones included) with the groups behind its cells. The atom rule checks the
   * draft against it; without it, only the rules of one payload apply.
   */
  history?: readonly LedgerVersion[];
}

export interface SynthesisDraft {
  /** The payload, ready to sign and send; null when a blocker forbids publishing. */
  payload: SynthesisPayload | null;
  /** Why it cannot be published (empty when it can). */
  blockers: string[];
  /** What the payload holds back and why. */
  withheld: Withheld[];
  /** The groups behind the payload's cells, for the publication ledger (empty when blocked). */
  ledger: LedgerGroup[];
}

type Counts = Record<string, Record<string, number>>;

function addCounts(target: Counts, tally: GroupTally): void {
  for (const { question, component, count } of tally.counts) {
    if (count <= 0) continue;
    const cells = target[question] ?? {};
    cells[component] = (cells[component] ?? 0) + count;
    target[question] = cells;
  }
}

function sumMargins(
  groups: readonly GroupTally[],
  margin: "gender" | "age",
): Record<string, number> {
  const result: Record<string, number> = {};
  for (const group of groups) {
    for (const [band, n] of Object.entries(group.margins?.[margin] ?? {})) {
      result[band] = (result[band] ?? 0) + (n ?? 0);
    }
  }
  return result;
}

/** The atom rule's reason, in the words the admin pages translate (admin-ui disclosure-words). */
export function isolationReason(violation: AtomViolation, k: number): string {
  const where = violation.against ? `comparing with ${violation.against}` : "publishing it";
  return `${where} would isolate ${violation.value} participant(s), fewer than k = ${k}`;
}

function marginIsolationReason(found: readonly AtomViolation[], minimum: number): string {
  const bands = [...new Set(found.flatMap((v) => v.bands))].sort();
  const where = found[0]?.against ? `comparing with ${found[0].against}` : "publishing it";
  return `${where} would isolate margin cells under ${minimum}: ${bands.join(", ")}`;
}

const groupKey = (group: GroupTally, index: number) => group.id ?? `draft-${index}`;

/** The groups behind a draft's cells; `published` null = no category breakdown. */
function ledgerFor(groups: readonly GroupTally[], published: readonly string[] | null) {
  return groups.map(
    (g, i): LedgerGroup => ({
      id: groupKey(g, i),
      participants: g.participants,
      category: g.category,
      ...(g.margins ? { margins: g.margins } : {}),
      cell:
        published === null ? null : published.includes(g.category) ? g.category : POOLED_CATEGORY,
    }),
  );
}

/**
 * The finest category breakdown the atom rule allows: the usual one, then the smallest published
 * categories folded into "other" one by one, then no breakdown at all; blocked if none passes.
 */
function chooseBreakdown(
  input: SynthesisInput,
  published: readonly string[],
  participantsOf: (category: string) => number,
) {
  const history = input.history ?? [];
  const draft = (cells: readonly string[] | null): LedgerVersion => ({
    periodKey: periodKey(input.period),
    version: (input.previous?.version ?? 0) + 1,
    groups: ledgerFor(input.groups, cells),
    margins: [],
  });
  const bySize = [...published].sort(
    (a, b) => participantsOf(a) - participantsOf(b) || a.localeCompare(b),
  );
  // Folding every category leaves "other" equal to the total: that level is "no breakdown".
  const levels: Array<string[] | null> = [
    [...published].sort(),
    ...bySize.slice(1).map((_, folded) => bySize.slice(folded + 1).sort()),
    null,
  ];
  let first: AtomViolation | undefined;
  let last: AtomViolation[] = [];
  for (const cells of levels) {
    last = participantAtomViolations(history, draft(cells), input.policy.k);
    if (last.length > 0) {
      first ??= last[0];
      continue;
    }
    const withheld: Withheld[] = [];
    if (first && cells === null) {
      withheld.push({
        what: "category breakdown",
        reason: `not published: ${isolationReason(first, input.policy.k)}`,
      });
    } else if (first) {
      for (const category of published.filter((c) => !cells?.includes(c))) {
        withheld.push({
          what: `category ${category}`,
          reason: `folded into "other": ${isolationReason(first, input.policy.k)}`,
        });
      }
    }
    return { cells, withheld, blockers: [] as string[], draft };
  }
  const blockers = [...new Set(last.map((v) => isolationReason(v, input.policy.k)))];
  return { cells: null, withheld: [] as Withheld[], blockers, draft };
}

/** Builds the publishable payload for one period, applying every disclosure rule. */
export function draftSynthesis(input: SynthesisInput): SynthesisDraft {
  const { k, marginMinimum } = input.policy;
  const blockers: string[] = [];
  const withheld: Withheld[] = [];
  const participants = input.groups.reduce((sum, g) => sum + g.participants, 0);

  if (input.groups.length === 0) blockers.push("no group in this period has validated criteria");
  if (participants < k) {
    blockers.push(`the period has ${participants} participant(s); at least k = ${k} are needed`);
  }

  const counts: Counts = {};
  for (const group of input.groups) addCounts(counts, group);
  const byQuestion: Record<string, number> = {};
  let criteria = 0;
  for (const [question, cells] of Object.entries(counts)) {
    const total = Object.values(cells).reduce((a, b) => a + b, 0);
    byQuestion[question] = total;
    criteria += total;
  }
  if (criteria === 0 && input.groups.length > 0) blockers.push("no validated criteria to publish");

  // Group-category breakdown with pooling and complementary suppression, then the atom rule.
  const byCategory = new Map<string, GroupTally[]>();
  for (const group of input.groups) {
    byCategory.set(group.category, [...(byCategory.get(group.category) ?? []), group]);
  }
  const participantsOf = (category: string) =>
    (byCategory.get(category) ?? []).reduce((sum, g) => sum + g.participants, 0);
  const partition = partitionCategories(
    [...byCategory.keys()].map((category) => ({
      category,
      participants: participantsOf(category),
    })),
    k,
  );
  withheld.push(...partition.withheld);
  const chosen =
    blockers.length > 0
      ? { cells: partition.published, withheld: [], blockers: [], draft: undefined }
      : chooseBreakdown(input, partition.published, participantsOf);
  withheld.push(...chosen.withheld);
  blockers.push(...chosen.blockers);
  const breakdownFor = (category: string, groups: GroupTally[]) => {
    const cells: Counts = {};
    for (const g of groups) addCounts(cells, g);
    return {
      category,
      groups: groups.length,
      participants: groups.reduce((sum, g) => sum + g.participants, 0),
      counts: cells,
    };
  };
  const shown = chosen.cells;
  const categories =
    shown === null ? [] : shown.map((c) => breakdownFor(c, byCategory.get(c) ?? []));
  const pooledGroups = input.groups.filter((g) => !shown?.includes(g.category));
  if (shown !== null && pooledGroups.length > 0) {
    categories.push(breakdownFor(POOLED_CATEGORY, pooledGroups));
  }

  // Margins: territory level only, every cell (and every atom's cell) at least the margin minimum.
  const margins: NonNullable<SynthesisBody["margins"]> = {};
  for (const name of MARGIN_NAMES) {
    const result = disclosableMargin(
      name,
      sumMargins(input.groups, name),
      participants,
      marginMinimum,
    );
    if (result.withheld) withheld.push(result.withheld);
    if (!result.cells) continue;
    const draft = chosen.draft?.(shown);
    const found = draft
      ? marginAtomViolations(input.history ?? [], draft, name, marginMinimum)
      : [];
    if (found.length === 0) margins[name] = result.cells;
    else
      withheld.push({
        what: `${name} margin`,
        reason: marginIsolationReason(found, marginMinimum),
      });
  }

  const ledger = ledgerFor(input.groups, shown);
  if (input.correction && input.previous) {
    const corrected = input.history?.find(
      (v) => v.periodKey === periodKey(input.period) && v.version === input.previous?.version,
    );
    const problem = correctionViolation(corrected, ledger);
    if (problem) blockers.push(problem);
  }

  const body: SynthesisBody = {
    schema: SYNTHESIS_SCHEMA_ID,
    territory: input.territory,
    period: input.period,
    grid: input.grid,
    counts,
    dimensions: dimensionSubtotals(counts),
    totals: { criteria, byQuestion },
    groups: input.groups.length,
    participants,
    ...(categories.length > 0 ? { categories } : {}),
    ...(Object.keys(margins).length > 0 ? { margins } : {}),
    version: (input.previous?.version ?? 0) + 1,
    previous: input.previous?.hash ?? null,
    correction: input.correction,
  };
  if (blockers.length > 0) return { payload: null, blockers, withheld, ledger: [] };
  return { payload: { ...body, hash: contentHash(body) }, blockers, withheld, ledger };
}
