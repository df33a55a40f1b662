import { synthesisPayloadSchema } from "@spiral-network/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createTestvilleNode, groupInput, T, type TestNode } from "./helpers";

/**
 * docs/protocol.md §3–§4, at node level: whatever the facilitators type in, a published synthesis carries no
 * criterion text (nor group label or facilitator notes), and the payload depends only on the
 * data, not on the node that computed it or the order the data was entered in.
 */

const PERIOD = { start: "2026-01-01", end: "2026-06-14" };
const CATEGORIES = ["young-people", "elderly-people", "students", "parents", "farmers"];
const CODES = ["A", "A01", "A02", "A00-00/O-00/i", "A01-11/P15/k", "B01", "B02/R", "C", "H/S/k"];

interface GroupData {
  category: string;
  participants: number;
  sessionDate: string;
  cycle: number;
  marker: string;
}
interface CriterionData {
  group: number;
  question: "Q1" | "Q2" | "Q3" | "Q4";
  code: string;
  text: string;
  marker: string;
}

/** A unique marker per text, so "the text appears" cannot be a coincidence of short strings. */
const markers = (n: number) =>
  fc.uniqueArray(fc.stringMatching(/^[a-z]{12}$/), { minLength: n, maxLength: n });

const sentence = fc
  .array(fc.stringMatching(/^[A-Za-zÀ-ÿ]{1,12}$/), { minLength: 1, maxLength: 8 })
  .map((words) => words.join(" "));

const dataset = fc
  .record({
    groups: fc.array(
      fc.record({
        category: fc.constantFrom(...CATEGORIES),
        participants: fc.integer({ min: 1, max: 12 }),
        month: fc.integer({ min: 1, max: 5 }),
        day: fc.integer({ min: 1, max: 28 }),
        cycle: fc.integer({ min: 0, max: 3 }),
      }),
      { minLength: 1, maxLength: 5 },
    ),
    criteria: fc.array(
      fc.record({
        group: fc.nat(),
        question: fc.constantFrom("Q1" as const, "Q2" as const, "Q3" as const, "Q4" as const),
        code: fc.constantFrom(...CODES),
        sentence,
      }),
      { minLength: 1, maxLength: 25 },
    ),
    firstGroupParticipants: fc.integer({ min: 5, max: 12 }),
  })
  .chain(({ groups, criteria, firstGroupParticipants }) =>
    markers(groups.length + criteria.length).map((unique) => {
      const groupData: GroupData[] = groups.map((g, i) => ({
        category: g.category,
        // The first group holds a criterion and k participants, so the period is publishable.
        participants: i === 0 ? firstGroupParticipants : g.participants,
        sessionDate: `2026-0${g.month}-${String(g.day).padStart(2, "0")}`,
        cycle: g.cycle,
        marker: unique[i] as string,
      }));
      const criterionData: CriterionData[] = criteria.map((c, i) => {
        const marker = unique[groups.length + i] as string;
        return {
          group: i === 0 ? 0 : c.group % groups.length,
          question: c.question,
          code: c.code,
          marker,
          text: `${c.sentence} ${marker}`,
        };
      });
      return { groups: groupData, criteria: criterionData };
    }),
  );

/** Enters the data through the API, groups and criteria in the order given, all validated. */
async function enter(
  t: TestNode,
  groups: GroupData[],
  criteria: CriterionData[],
  groupOrder: number[],
): Promise<void> {
  const ids = new Map<number, number>();
  for (const index of groupOrder) {
    const g = groups[index] as GroupData;
    const response = await t.admin.post(
      `${T}/groups`,
      groupInput({
        label: `Group ${g.marker}`,
        category: g.category,
        participants: g.participants,
        sessionDates: [g.sessionDate],
        cycle: g.cycle,
        notes: `Private notes ${g.marker}`,
      }),
    );
    expect(response.status, response.text).toBe(201);
    ids.set(index, response.body.id);
  }
  for (const index of groupOrder) {
    const items = criteria
      .filter((c) => c.group === index)
      .map(({ question, text, code }) => ({ question, text, code }));
    if (items.length === 0) continue;
    const added = await t.admin.post(`${T}/groups/${ids.get(index)}/criteria`, { items });
    expect(added.status, added.text).toBe(201);
    const validated = await t.admin.post(`${T}/criteria/validation`, {
      ids: added.body.items.map((c: { id: number }) => c.id),
    });
    expect(validated.body.validated).toBe(items.length);
  }
}

describe("published syntheses (property)", () => {
  it("never contain a criterion text, group label or note, and are the same on any node", async () => {
    await fc.assert(
      fc.asyncProperty(dataset, async ({ groups, criteria }) => {
        const first = createTestvilleNode();
        const second = createTestvilleNode();
        try {
          const order = groups.map((_, i) => i);
          await enter(first, groups, criteria, order);
          // The same data entered the other way round: other ids, other insertion order.
          await enter(second, groups, [...criteria].reverse(), [...order].reverse());

          const published = await first.admin.post(`${T}/syntheses`, { period: PERIOD });
          expect(published.status, published.text).toBe(201);
          const payload = published.body.payload;
          expect(synthesisPayloadSchema.safeParse(payload).success).toBe(true);
          // Every criterion was counted: the property is not vacuously true of an empty payload.
          expect(payload.totals.criteria).toBe(criteria.length);

          const served = [
            published.text,
            (await first.anonymous.get(`${T}/syntheses`)).text,
            (await first.anonymous.get(`${T}/syntheses/${published.body.id}`)).text,
          ].join("\n");
          for (const criterion of criteria) {
            expect(served).not.toContain(criterion.text);
            expect(served).not.toContain(criterion.marker);
          }
          for (const group of groups) expect(served).not.toContain(group.marker);

          const again = await second.admin.post(`${T}/syntheses`, { period: PERIOD });
          expect(again.status, again.text).toBe(201);
          expect(again.body.hash).toBe(published.body.hash);
          expect(again.body.payload).toEqual(payload);
        } finally {
          first.close();
          second.close();
        }
      }),
      { numRuns: 15 },
    );
  });
});
