import { z } from "zod";
import { POOLED_CATEGORY } from "./vocabulary.ts";

/**
 * Disclosure control (docs/protocol.md §4). Defaults are the minimums: a node may only make
 * them stricter.
 * - k: fewest participants a published cell (synthesis, category) or atom (protocol/src/atoms.ts)
 *   may describe;
 * - marginMinimum: fewest participants in any published margin cell (gender, age).
 */
export const MIN_K = 5;
export const MIN_MARGIN_CELL = 10;

export const disclosurePolicySchema = z.strictObject({
  k: z.number().int().min(MIN_K, `k can only be raised above ${MIN_K}`).max(1000).default(MIN_K),
  marginMinimum: z
    .number()
    .int()
    .min(MIN_MARGIN_CELL, `the margin minimum can only be raised above ${MIN_MARGIN_CELL}`)
    .max(10_000)
    .default(MIN_MARGIN_CELL),
});
export type DisclosurePolicy = z.infer<typeof disclosurePolicySchema>;
export const DEFAULT_POLICY: DisclosurePolicy = { k: MIN_K, marginMinimum: MIN_MARGIN_CELL };

/** Something the synthesis holds back, with the reason, for the publish preview. */
export interface Withheld {
  what: string;
  reason: string;
}

export interface CategoryTotals {
  category: string;
  participants: number;
}

/**
 * Decides which group categories are published on their own and which are pooled into "other".
 * Categories under k are pooled; if "other" would then hold 1 … k−1 participants, the smallest
 * published categories are folded in until it holds ≥ k (complementary suppression), so that
 * "total − published categories" never isolates a small group.
 */
export function partitionCategories(
  categories: readonly CategoryTotals[],
  k: number,
): { published: string[]; pooled: string[]; withheld: Withheld[] } {
  const withheld: Withheld[] = [];
  const sorted = [...categories].sort(
    (a, b) => a.participants - b.participants || a.category.localeCompare(b.category),
  );
  // A category literally called "other" is always pooled, so "other" appears once at most.
  const isPooled = (c: CategoryTotals) => c.participants < k || c.category === POOLED_CATEGORY;
  const published = sorted.filter((c) => !isPooled(c));
  const pooled = sorted.filter(isPooled);
  for (const c of pooled) {
    if (c.category === POOLED_CATEGORY) continue;
    withheld.push({
      what: `category ${c.category}`,
      reason: `${c.participants} participant(s), fewer than k = ${k}: pooled into "other"`,
    });
  }
  let otherParticipants = pooled.reduce((sum, c) => sum + c.participants, 0);
  while (otherParticipants > 0 && otherParticipants < k) {
    const smallest = published.shift();
    if (!smallest) break;
    pooled.push(smallest);
    otherParticipants += smallest.participants;
    withheld.push({
      what: `category ${smallest.category}`,
      reason: `folded into "other" so that "other" holds at least k = ${k} participants (complementary suppression)`,
    });
  }
  return {
    published: published.map((c) => c.category).sort(),
    pooled: pooled.map((c) => c.category).sort(),
    withheld,
  };
}

/**
 * A margin (gender or age counts) is published only when every cell — including the
 * participants whose band is not recorded — is 0 or at least the margin minimum.
 */
export function disclosableMargin(
  name: string,
  cells: Record<string, number>,
  participants: number,
  minimum: number,
): { cells?: Record<string, number>; withheld?: Withheld } {
  const nonZero = Object.fromEntries(Object.entries(cells).filter(([, n]) => n > 0));
  if (Object.keys(nonZero).length === 0) return {};
  const unrecorded = participants - Object.values(nonZero).reduce((a, b) => a + b, 0);
  const small = Object.entries(nonZero).filter(([, n]) => n < minimum);
  if (unrecorded > 0 && unrecorded < minimum) small.push(["unrecorded", unrecorded]);
  if (small.length > 0) {
    return {
      withheld: {
        what: `${name} margin`,
        reason: `cells under ${minimum}: ${small.map(([band]) => band).join(", ")}`,
      },
    };
  }
  return { cells: nonZero };
}

/** The figures of a received payload that the per-payload disclosure rules look at. */
export interface DisclosedFigures {
  participants: number;
  categories?: ReadonlyArray<{ category: string; participants: number }> | undefined;
  margins?:
    | {
        gender?: Partial<Record<string, number>> | undefined;
        age?: Partial<Record<string, number>> | undefined;
      }
    | undefined;
}

/**
 * Why a received payload breaks the disclosure floors (k = MIN_K, margin cells MIN_MARGIN_CELL),
 * whatever its origin's own settings: a total under k, a category of 1 … k−1 participants, a
 * margin cell of 1 … minimum−1 — the participants with no recorded band counting as a cell, as
 * when publishing. Empty when the payload may be stored, counted and re-served.
 */
export function disclosureViolations(
  payload: DisclosedFigures,
  k: number = MIN_K,
  marginMinimum: number = MIN_MARGIN_CELL,
): string[] {
  const problems: string[] = [];
  if (payload.participants < k) {
    problems.push(
      `the synthesis describes ${payload.participants} participant(s), fewer than k = ${k}`,
    );
  }
  for (const { category, participants } of payload.categories ?? []) {
    if (participants > 0 && participants < k) {
      problems.push(`category ${category} has ${participants} participant(s), fewer than k = ${k}`);
    }
  }
  for (const name of ["gender", "age"] as const) {
    const cells = Object.entries(payload.margins?.[name] ?? {}).map(
      ([band, n]) => [band, n ?? 0] as const,
    );
    if (cells.length === 0) continue;
    const unrecorded = payload.participants - cells.reduce((sum, [, n]) => sum + n, 0);
    const small = [...cells, ["unrecorded", unrecorded] as const].filter(
      ([, n]) => n > 0 && n < marginMinimum,
    );
    if (small.length > 0) {
      const list = small.map(([band, n]) => `${band} = ${n}`).join(", ");
      problems.push(`${name} margin has cells under ${marginMinimum}: ${list}`);
    }
  }
  return problems;
}
