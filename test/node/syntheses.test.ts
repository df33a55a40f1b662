import { synthesisPayloadSchema } from "@spiral-network/protocol";
import { beforeEach, describe, expect, it } from "vitest";
import {
  addCriteria,
  addValidatedCriteria,
  createGroup,
  PUBLIC_URL,
  T,
  type TestNode,
  useTestvilleNode,
} from "./helpers";

/** The first half of 2026, up to the day before the test clock (2026-06-15). */
const PERIOD = { start: "2026-01-01", end: "2026-06-14" };
const PERIOD_KEY = "2026-01-01/2026-06-14";
const previewPath = (period: { start: string; end: string }, extra = "") =>
  `${T}/synthesis?start=${period.start}&end=${period.end}${extra}`;

/**
 * Three groups with validated criteria in the period (young people 8, students 6, elders 3),
 * plus what a synthesis must not count: a group outside the period, a group whose criteria are
 * not validated yet, and a proposed (not validated) criterion.
 */
async function seedPeriod(t: TestNode) {
  const youth = await createGroup(t.admin, {
    label: "Jeunes",
    participants: 8,
    sessionDates: ["2026-03-10"],
    margins: { gender: { female: 4, male: 4 } },
    notes: "Facilitator notes that never leave the node",
  });
  await addValidatedCriteria(t.admin, youth, [
    { question: "Q1", text: "Avoir des amis", code: "A01" },
    { question: "Q1", text: "Un travail stable", code: "A01-11/P15/k" },
    { question: "Q2", text: "Le bruit", code: "B02" },
    { question: "Q3", text: "Je jardine", code: "C" },
  ]);
  await addCriteria(t.admin, youth, [{ question: "Q1", text: "Proposed only", code: "A03" }]);

  const students = await createGroup(t.admin, {
    label: "Étudiants",
    category: "students",
    participants: 6,
    sessionDates: ["2026-04-02"],
  });
  await addValidatedCriteria(t.admin, students, [
    { question: "Q1", text: "Réussir mes études", code: "A02" },
    { question: "Q2", text: "Le stress", code: "A01" },
  ]);

  const elders = await createGroup(t.admin, {
    label: "Aînés",
    category: "elderly-people",
    participants: 3,
    sessionDates: ["2026-05-20"],
  });
  await addValidatedCriteria(t.admin, elders, [{ question: "Q1", text: "La santé", code: "A01" }]);

  const lastYear = await createGroup(t.admin, {
    label: "Last year",
    participants: 9,
    sessionDates: ["2025-11-05"],
  });
  await addValidatedCriteria(t.admin, lastYear, [
    { question: "Q1", text: "Out of the period", code: "B01" },
  ]);

  const typing = await createGroup(t.admin, {
    label: "Still being typed in",
    category: "parents",
    participants: 10,
    sessionDates: ["2026-06-01"],
  });
  await addCriteria(t.admin, typing, [{ question: "Q1", text: "Not classified yet" }]);
}

/** Adds a group of `participants` in the period with one validated criterion. */
async function addLateGroup(t: TestNode, participants: number, label: string) {
  const id = await createGroup(t.admin, {
    label,
    category: "parents",
    participants,
    sessionDates: ["2026-06-10"],
  });
  await addValidatedCriteria(t.admin, id, [{ question: "Q2", text: `${label} note`, code: "B01" }]);
}

describe("syntheses", () => {
  const t = useTestvilleNode();
  beforeEach(async () => {
    await seedPeriod(t);
  });

  const publish = (body: unknown) => t.admin.post(`${T}/syntheses`, body);

  describe("preview", () => {
    it("is not publishable with fewer than k = 5 participants, and says why", async () => {
      const response = await t.admin.get(previewPath({ start: "2026-05-01", end: "2026-05-31" }));
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        periodKey: "2026-05-01/2026-05-31",
        groupsInPeriod: 1,
        groupsCounted: 1,
        previousVersion: null,
        publishable: false,
        payload: null,
      });
      expect(response.body.blockers).toEqual([
        "the period has 3 participant(s); at least k = 5 are needed",
      ]);
    });

    it("is not publishable when no group of the period has validated criteria", async () => {
      const response = await t.admin.get(previewPath({ start: "2026-06-01", end: "2026-06-14" }));
      expect(response.body).toMatchObject({ groupsInPeriod: 1, groupsCounted: 0 });
      expect(response.body.publishable).toBe(false);
      expect(response.body.blockers).toContain("no group in this period has validated criteria");
    });

    it("shows exactly what would leave the node, and what is held back", async () => {
      const response = await t.admin.get(previewPath(PERIOD));
      expect(response.status).toBe(200);
      const { payload, ...draft } = response.body;
      expect(draft).toEqual({
        periodKey: PERIOD_KEY,
        groupsInPeriod: 4,
        groupsCounted: 3,
        previousVersion: null,
        // Nothing published yet, so nothing it is unchanged since.
        unchangedSince: null,
        publishable: true,
        blockers: [],
        withheld: [
          {
            what: "category elderly-people",
            reason: '3 participant(s), fewer than k = 5: pooled into "other"',
          },
          {
            what: "category students",
            reason: expect.stringContaining("complementary suppression"),
          },
          { what: "gender margin", reason: "cells under 10: female, male, unrecorded" },
        ],
      });
      expect(synthesisPayloadSchema.safeParse(payload).success).toBe(true);
      expect(payload).toMatchObject({
        schema: "spiral/synthesis@1",
        territory: {
          id: `${PUBLIC_URL}/actors/testville`,
          name: "Testville",
          country: "FR",
          region: "FR-GES",
        },
        period: PERIOD,
        counts: { Q1: { A01: 3, A02: 1 }, Q2: { A01: 1, B02: 1 }, Q3: { C00: 1 } },
        dimensions: { Q1: { A: 4 }, Q2: { A: 1, B: 1 }, Q3: { C: 1 } },
        totals: { criteria: 7, byQuestion: { Q1: 4, Q2: 2, Q3: 1 } },
        groups: 3,
        participants: 17,
        // The elders (3) are pooled; "other" would then hold 3 < k, so the students join them.
        categories: [
          {
            category: "young-people",
            groups: 1,
            participants: 8,
            counts: { Q1: { A01: 2 }, Q2: { B02: 1 }, Q3: { C00: 1 } },
          },
          {
            category: "other",
            groups: 2,
            participants: 9,
            counts: { Q1: { A01: 1, A02: 1 }, Q2: { A01: 1 } },
          },
        ],
        version: 1,
        previous: null,
        correction: false,
      });
      expect(payload.margins).toBeUndefined();
    });

    it("counts only the groups of the cycle asked for", async () => {
      const response = await t.admin.get(previewPath(PERIOD, "&cycle=2"));
      expect(response.body).toMatchObject({ periodKey: `${PERIOD_KEY}#cycle2`, groupsInPeriod: 0 });
      expect(response.body.publishable).toBe(false);
    });

    it("refuses a malformed period with 400", async () => {
      for (const query of [
        "start=2026-01-01",
        "start=2026-02-30&end=2026-03-01",
        "start=2026-06-01&end=2026-01-01",
        "start=2026-01-01&end=2026-06-14&cycle=7",
        "start=2026-01-01&end=2026-06-14&correction=maybe",
      ]) {
        const response = await t.admin.get(`${T}/synthesis?${query}`);
        expect(response.status, query).toBe(400);
        expect(response.body.error).toBe("invalid_request");
      }
    });
  });

  describe("publishing", () => {
    it("publishes version 1 with a payload that passes the protocol schema", async () => {
      const preview = (await t.admin.get(previewPath(PERIOD))).body;
      const response = await publish({ period: PERIOD });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        synthesisId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        periodKey: PERIOD_KEY,
        version: 1,
        participants: 17,
        hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        publishedAt: expect.any(String),
        payload: expect.any(Object),
      });
      const parsed = synthesisPayloadSchema.safeParse(response.body.payload);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      expect(response.body.payload.hash).toBe(response.body.hash);
      // What was previewed is exactly what was published.
      expect(response.body.payload).toEqual(preview.payload);
    });

    it("serves published versions publicly, in a list and one by one", async () => {
      const published = (await publish({ period: PERIOD })).body;
      const list = await t.anonymous.get(`${T}/syntheses`);
      expect(list.status).toBe(200);
      const { payload, ...version } = published;
      expect(list.body).toEqual([version]);

      const one = await t.anonymous.get(`${T}/syntheses/${published.id}`);
      expect(one.status).toBe(200);
      expect(one.body).toEqual(published);
      expect(synthesisPayloadSchema.safeParse(one.body.payload).success).toBe(true);
    });

    it("answers 404 for a version that does not exist or belongs to another territory", async () => {
      const published = (await publish({ period: PERIOD })).body;
      t.services.territories.create(
        { slug: "otherville", name: "Otherville", country: "BE", languages: ["fr"] },
        "test-setup",
      );
      const elsewhere = await t.anonymous.get(
        `/api/v1/territories/otherville/syntheses/${published.id}`,
      );
      expect(elsewhere.status).toBe(404);
      const unknown = await t.anonymous.get(`${T}/syntheses/00000000-0000-4000-8000-000000000000`);
      expect(unknown.status).toBe(404);
      expect(unknown.body.error).toBe("not_found");
    });

    it("refuses a period with fewer than k participants with 409 and the reason", async () => {
      const response = await publish({ period: { start: "2026-05-01", end: "2026-05-31" } });
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({
        error: "conflict",
        reasons: ["the period has 3 participant(s); at least k = 5 are needed"],
      });
      expect((await t.anonymous.get(`${T}/syntheses`)).body).toEqual([]);
    });

    it("refuses to republish an unchanged synthesis, even as a correction", async () => {
      await publish({ period: PERIOD });
      const again = await publish({ period: PERIOD });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ message: "nothing changed since version 1" });

      const asCorrection = await publish({ period: PERIOD, correction: true });
      expect(asCorrection.status).toBe(409);
      expect(asCorrection.body).toMatchObject({
        error: "conflict",
        message: "nothing changed since version 1",
      });
      expect((await t.anonymous.get(`${T}/syntheses`)).body).toHaveLength(1);
    });

    it("refuses a new version that would single out a small group, even as a correction", async () => {
      const v1 = (await publish({ period: PERIOD })).body;
      await addLateGroup(t, 3, "Small late group");

      const reason =
        "comparing with version 1 of 2026-01-01/2026-06-14 would isolate 3 participant(s), fewer than k = 5";
      const preview = (await t.admin.get(previewPath(PERIOD))).body;
      expect(preview.publishable).toBe(false);
      expect(preview.blockers).toEqual([reason]);
      expect(preview.previousVersion).toMatchObject({ id: v1.id, version: 1 });

      const refused = await publish({ period: PERIOD });
      expect(refused.status).toBe(409);
      expect(refused.body.reasons).toEqual([reason]);

      const correctionPreview = (await t.admin.get(previewPath(PERIOD, "&correction=true"))).body;
      expect(correctionPreview.publishable).toBe(false);
      expect(correctionPreview.blockers).toContain(
        "a correction may only change classification counts: the groups behind version 1 of 2026-01-01/2026-06-14 or their participants, category or margins changed; publish it as a new version",
      );
      expect((await publish({ period: PERIOD, correction: true })).status).toBe(409);
      const list = (await t.anonymous.get(`${T}/syntheses`)).body;
      expect(list.map((v: { version: number }) => v.version)).toEqual([1]);
    });

    it("publishes a correction that only changes classifications", async () => {
      const v1 = (await publish({ period: PERIOD })).body;
      const [criterion] = t.services.criteria.list("testville", {
        status: "validated",
        limit: 1,
        offset: 0,
      }).items;
      const reclassified = t.services.criteria.classify(
        "testville",
        criterion?.id ?? 0,
        { code: "B01", status: "validated" },
        "test",
      );
      expect(reclassified.code).toBe("B01");
      const v2 = await publish({ period: PERIOD, correction: true });
      expect(v2.status, v2.text).toBe(201);
      expect(v2.body).toMatchObject({ version: 2, participants: v1.participants });
      expect(v2.body.payload).toMatchObject({ version: 2, previous: v1.hash, correction: true });
      expect(v2.body.hash).not.toBe(v1.hash);
      expect(synthesisPayloadSchema.safeParse(v2.body.payload).success).toBe(true);
      // Version 1 is kept as it was published.
      expect((await t.anonymous.get(`${T}/syntheses/${v1.id}`)).body).toEqual(v1);
    });

    it("publishes a new version adding at least k participants without correction", async () => {
      const v1 = (await publish({ period: PERIOD })).body;
      await addLateGroup(t, 5, "Late group");
      const v2 = await publish({ period: PERIOD });
      expect(v2.status).toBe(201);
      expect(v2.body.payload).toMatchObject({
        version: 2,
        previous: v1.hash,
        correction: false,
        participants: 22,
      });
    });

    it("keeps one version chain per period", async () => {
      await publish({ period: PERIOD });
      const firstQuarter = await publish({ period: { start: "2026-01-01", end: "2026-03-31" } });
      expect(firstQuarter.status).toBe(201);
      expect(firstQuarter.body).toMatchObject({
        periodKey: "2026-01-01/2026-03-31",
        version: 1,
        participants: 8,
      });
      expect(firstQuarter.body.payload.previous).toBeNull();
    });

    it("refuses a period starting in the future with 400", async () => {
      const response = await publish({ period: { start: "2026-06-16", end: "2026-12-31" } });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        error: "invalid_request",
        message: "the period has not started yet",
        issues: [{ path: "period.start", message: "starts after today (2026-06-15)" }],
      });
      expect((await t.anonymous.get(`${T}/syntheses`)).body).toEqual([]);
    });

    it("refuses a malformed publish request with 400", async () => {
      for (const body of [
        {},
        { period: { start: "2026-01-01" } },
        { period: { start: "2026-06-01", end: "2026-01-01" } },
        { period: PERIOD, correction: "yes" },
        { period: PERIOD, version: 7 },
      ]) {
        const response = await publish(body);
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.body.error).toBe("invalid_request");
      }
    });
  });
});
