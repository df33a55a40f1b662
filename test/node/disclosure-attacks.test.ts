import type { SynthesisPayload } from "@spiral-network/protocol";
import { describe, expect, it } from "vitest";
import { addValidatedCriteria, createGroup, T, useTestvilleNode } from "./helpers";

/**
 * Five ways an outsider with no login, reading only the public syntheses, recovered the whole
 * counts table (or the margins) of a small group by differencing two published versions. Each
 * must now be refused, or published pooled so that the difference no longer isolates the group
 * (docs/protocol.md §4, the atom rule).
 */

const YEAR = { start: "2026-01-01", end: "2026-06-14" };

type Counts = SynthesisPayload["counts"];

/** a − b, cell by cell (zero cells dropped), what an attacker computes from two payloads. */
function difference(a: Counts, b: Counts): Record<string, Record<string, number>> {
  const result: Record<string, Record<string, number>> = {};
  for (const question of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const left = (a as Record<string, Record<string, number>>)[question] ?? {};
    const right = (b as Record<string, Record<string, number>>)[question] ?? {};
    for (const component of new Set([...Object.keys(left), ...Object.keys(right)])) {
      const n = (left[component] ?? 0) - (right[component] ?? 0);
      if (n !== 0) result[question] = { ...result[question], [component]: n };
    }
  }
  return result;
}

describe("differencing attacks on published syntheses", () => {
  const t = useTestvilleNode();

  const publish = (body: unknown) => t.admin.post(`${T}/syntheses`, body);
  /** Every payload an anonymous visitor can read, oldest first. */
  const publicPayloads = async (): Promise<SynthesisPayload[]> => {
    const list = (await t.anonymous.get(`${T}/syntheses`)).body as Array<{ id: string }>;
    const payloads: SynthesisPayload[] = [];
    for (const { id } of list.reverse()) {
      payloads.push((await t.anonymous.get(`${T}/syntheses/${id}`)).body.payload);
    }
    return payloads;
  };
  const group = async (
    category: string,
    participants: number,
    date: string,
    code: string,
    margins?: { gender?: Record<string, number>; age?: Record<string, number> },
  ) => {
    const id = await createGroup(t.admin, {
      label: `${category} ${participants}`,
      category,
      participants,
      sessionDates: [date],
      ...(margins ? { margins } : {}),
    });
    await addValidatedCriteria(t.admin, id, [
      { question: "Q1", text: `criterion of ${id}`, code },
      { question: "Q2", text: `other criterion of ${id}`, code: "A01" },
    ]);
    return id;
  };

  it("attack 1: a correction cannot add a small group (v2 − v1 would be the new group)", async () => {
    await group("young-people", 10, "2026-02-01", "A01");
    expect((await publish({ period: YEAR })).status).toBe(201);
    await group("parents", 2, "2026-03-01", "B02");

    const correction = await publish({ period: YEAR, correction: true });
    expect(correction.status, correction.text).toBe(409);
    expect(correction.body.reasons.join(" ")).toMatch(/a correction may only change/);
    const asNewVersion = await publish({ period: YEAR });
    expect(asNewVersion.status, asNewVersion.text).toBe(409);
    expect(asNewVersion.body.reasons).toContain(
      "comparing with version 1 of 2026-01-01/2026-06-14 would isolate 2 participant(s), fewer than k = 5",
    );
    expect(await publicPayloads()).toHaveLength(1);
  });

  it("attack 2: raising a group and adding a small one cannot pass on the total", async () => {
    const young = await group("young-people", 10, "2026-02-01", "A01");
    expect((await publish({ period: YEAR })).status).toBe(201);
    const edited = await t.admin.patch(`${T}/groups/${young}`, { participants: 15 });
    expect(edited.status).toBe(200);
    await group("parents", 2, "2026-03-01", "B02");

    const preview = (await t.admin.get(`${T}/synthesis?start=${YEAR.start}&end=${YEAR.end}`)).body;
    expect(preview.publishable).toBe(false);
    expect(preview.blockers).toContain(
      "comparing with version 1 of 2026-01-01/2026-06-14 would isolate 2 participant(s), fewer than k = 5",
    );
    expect((await publish({ period: YEAR })).status).toBe(409);
    expect(await publicPayloads()).toHaveLength(1);
  });

  it("attack 3: a category leaving “other” does not expose what “other” held", async () => {
    await group("young-people", 10, "2026-02-01", "A01");
    const small = await group("parents", 3, "2026-02-02", "B02");
    await group("farmers", 3, "2026-02-03", "A02");
    await group("students", 3, "2026-02-04", "A03");
    expect((await publish({ period: YEAR })).status).toBe(201);
    // Five more parents: "parents" (8) would be published on its own, "other" keeps the rest.
    await group("parents", 5, "2026-03-01", "B01");

    const v2 = await publish({ period: YEAR });
    expect(v2.status, v2.text).toBe(201);
    const [first, second] = await publicPayloads();
    const other = (p?: SynthesisPayload) =>
      p?.categories?.find((c) => c.category === "other")?.counts ?? {};
    const smallGroupCounts = { Q1: { B02: 1 }, Q2: { A01: 1 } };
    expect(difference(other(first), other(second))).not.toEqual(smallGroupCounts);
    // What was held back says so: "parents" stays in "other" in version 2.
    expect(second?.categories?.map((c) => c.category)).not.toContain("parents");
    expect(small).toBeGreaterThan(0);
  });

  it("attack 4: overlapping periods are compared with each other", async () => {
    await group("young-people", 10, "2026-02-01", "A01");
    const november = await createGroup(t.admin, {
      label: "Late parents",
      category: "parents",
      participants: 2,
      sessionDates: ["2026-05-20"],
      cycle: 2,
    });
    await addValidatedCriteria(t.admin, november, [{ question: "Q1", text: "late", code: "B02" }]);
    expect((await publish({ period: YEAR })).status).toBe(201);

    // A range inside the published one: their difference would be the late 2-participant group.
    const earlier = await publish({ period: { start: "2026-01-01", end: "2026-04-30" } });
    expect(earlier.status, earlier.text).toBe(409);
    expect(earlier.body.reasons).toContain(
      "comparing with version 1 of 2026-01-01/2026-06-14 would isolate 2 participant(s), fewer than k = 5",
    );
    // A cycle inside the same range is another overlapping chain: refused the same way.
    const cycle = await publish({ period: { ...YEAR, cycle: 1 } });
    expect(cycle.status, cycle.text).toBe(409);
    expect(cycle.body.reasons).toContain(
      "comparing with version 1 of 2026-01-01/2026-06-14 would isolate 2 participant(s), fewer than k = 5",
    );
    expect((await publicPayloads()).map((p) => p.participants)).toEqual([12]);
  });

  it("attack 5: margins of two versions do not give a new group's gender and age split", async () => {
    await group("young-people", 20, "2026-02-01", "A01", {
      gender: { female: 10, male: 10 },
      age: { "18-29": 20 },
    });
    expect((await publish({ period: YEAR })).status).toBe(201);
    await group("parents", 7, "2026-03-01", "B02", {
      gender: { female: 3, male: 4 },
      age: { "18-29": 7 },
    });
    // On its own, version 2 passes every margin cell (female 13, male 14): only the difference leaks.
    const v2 = await publish({ period: YEAR });
    expect(v2.status, v2.text).toBe(201);
    expect(v2.body.payload.margins).toBeUndefined();
    const preview = (await t.admin.get(`${T}/synthesis?start=${YEAR.start}&end=${YEAR.end}`)).body;
    expect(preview.withheld.map((w: { what: string }) => w.what)).toEqual(
      expect.arrayContaining(["gender margin", "age margin"]),
    );
  });
  it("attack 6: a group that grows by one between versions does not give the newcomer away", async () => {
    const young = await group("young-people", 20, "2026-02-01", "A01", {
      gender: { female: 10, male: 10 },
      age: { "18-29": 20 },
    });
    expect((await publish({ period: YEAR })).status).toBe(201);
    // One more person joins for the second session, which adds criteria.
    const grown = await t.admin.patch(`${T}/groups/${young}`, {
      participants: 21,
      margins: { gender: { female: 11, male: 10 }, age: { "18-29": 21 } },
    });
    expect(grown.status, grown.text).toBe(200);
    await addValidatedCriteria(t.admin, young, [
      { question: "Q3", text: "second session", code: "B02" },
    ]);

    // Version 2 − version 1 would be 1 participant, a woman aged 18-29, and what the session added.
    const v2 = await publish({ period: YEAR });
    expect(v2.status, v2.text).toBe(409);
    expect(v2.body.reasons).toContain(
      "comparing with version 1 of 2026-01-01/2026-06-14 would isolate 1 participant(s), fewer than k = 5",
    );
    expect(await publicPayloads()).toHaveLength(1);
  });

  it("attack 7: re-recording one person's gender does not show in the margins of the next version", async () => {
    const young = await group("young-people", 30, "2026-02-01", "A01", {
      gender: { female: 10, male: 20 },
    });
    expect((await publish({ period: YEAR })).status).toBe(201);
    const edited = await t.admin.patch(`${T}/groups/${young}`, {
      margins: { gender: { female: 11, male: 19 } },
    });
    expect(edited.status, edited.text).toBe(200);
    await addValidatedCriteria(t.admin, young, [{ question: "Q3", text: "later", code: "B02" }]);

    const v2 = await publish({ period: YEAR });
    expect(v2.status, v2.text).toBe(201);
    expect(v2.body.payload.margins?.gender).toBeUndefined();
    const [first] = await publicPayloads();
    expect(first?.margins?.gender).toEqual({ female: 10, male: 20 });
  });
});
