import {
  type DisclosurePolicy,
  disclosableMargin,
  partitionCategories,
  versionRuleViolation,
  type Withheld,
} from "./disclosure";
import { contentHash } from "./hash";
import type { GroupMargins } from "./schemas";
import {
  dimensionSubtotals,
  type Period,
  SYNTHESIS_SCHEMA_ID,
  type SynthesisBody,
  type SynthesisPayload,
} from "./synthesis-payload";
import { POOLED_CATEGORY, type Question } from "./vocabulary";

/**
 * What a synthesis is built from: per-group tallies of validated criteria by question and
 * component. The type has no place for a criterion's text, so no text can reach a payload.
 */
export interface GroupTally {
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
  previous: { version: number; hash: string; participants: number } | null;
  correction: boolean;
  policy: DisclosurePolicy;
}

export interface SynthesisDraft {
  /** The payload, ready to sign and send; null when a blocker forbids publishing. */
  payload: SynthesisPayload | null;
  /** Why it cannot be published (empty when it can). */
  blockers: string[];
  /** What the payload holds back and why. */
  withheld: Withheld[];
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

  // Group-category breakdown with pooling and complementary suppression.
  const byCategory = new Map<string, GroupTally[]>();
  for (const group of input.groups) {
    byCategory.set(group.category, [...(byCategory.get(group.category) ?? []), group]);
  }
  const partition = partitionCategories(
    [...byCategory].map(([category, groups]) => ({
      category,
      participants: groups.reduce((sum, g) => sum + g.participants, 0),
    })),
    k,
  );
  withheld.push(...partition.withheld);
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
  const categories = partition.published.map((c) => breakdownFor(c, byCategory.get(c) ?? []));
  const pooledGroups = partition.pooled.flatMap((c) => byCategory.get(c) ?? []);
  if (pooledGroups.length > 0) categories.push(breakdownFor(POOLED_CATEGORY, pooledGroups));

  // Margins: territory level only, every cell at least the margin minimum.
  const margins: NonNullable<SynthesisBody["margins"]> = {};
  for (const name of ["gender", "age"] as const) {
    const result = disclosableMargin(
      name,
      sumMargins(input.groups, name),
      participants,
      marginMinimum,
    );
    if (result.cells) margins[name] = result.cells;
    if (result.withheld) withheld.push(result.withheld);
  }

  const versionProblem = versionRuleViolation(
    input.previous?.participants ?? null,
    participants,
    input.correction,
    k,
  );
  if (versionProblem) blockers.push(versionProblem);

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
  if (blockers.length > 0) return { payload: null, blockers, withheld };
  return { payload: { ...body, hash: contentHash(body) }, blockers, withheld };
}
