import { QUESTIONS, type Question } from "./vocabulary.ts";

/**
 * Minority views (SPIRAL): the components only one group cited. A synthesis sums groups, so a
 * view held by a single group is easily lost among the large counts; SPIRAL asks facilitators
 * to call these out. Pure, on local per-group tallies (never on a published payload, which
 * holds no per-group data).
 */

/** One group's validated criteria, counted by question and component. */
export interface GroupCitations<Id> {
  group: Id;
  counts: ReadonlyArray<{ question: Question; component: string; count: number }>;
}

export interface MinorityView<Id> {
  component: string;
  /** The one group that cited the component. */
  group: Id;
  /** Its criteria on that component, by question (zero questions omitted). */
  byQuestion: Partial<Record<Question, number>>;
  total: number;
}

/** Components cited (count > 0, any question) by exactly one group, in code order. */
export function minorityViews<Id>(groups: ReadonlyArray<GroupCitations<Id>>): MinorityView<Id>[] {
  const citedBy = new Map<string, Map<Id, Partial<Record<Question, number>>>>();
  for (const { group, counts } of groups) {
    for (const { question, component, count } of counts) {
      if (count <= 0) continue;
      const byGroup = citedBy.get(component) ?? new Map<Id, Partial<Record<Question, number>>>();
      const byQuestion = byGroup.get(group) ?? {};
      byQuestion[question] = (byQuestion[question] ?? 0) + count;
      byGroup.set(group, byQuestion);
      citedBy.set(component, byGroup);
    }
  }
  const views: MinorityView<Id>[] = [];
  for (const [component, byGroup] of citedBy) {
    if (byGroup.size !== 1) continue;
    const [[group, counts]] = [...byGroup] as [[Id, Partial<Record<Question, number>>]];
    // Rebuilt in question order so the result does not depend on the order of the tallies.
    const byQuestion: Partial<Record<Question, number>> = {};
    for (const q of QUESTIONS) if (counts[q]) byQuestion[q] = counts[q];
    const total = Object.values(byQuestion).reduce((a, b) => a + b, 0);
    views.push({ component, group, byQuestion, total });
  }
  return views.sort((a, b) => (a.component < b.component ? -1 : a.component > b.component ? 1 : 0));
}
