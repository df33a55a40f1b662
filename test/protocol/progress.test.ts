import {
  aggregateProgress,
  contentHash,
  DEFAULT_POLICY,
  draftProgress,
  type LedgerVersion,
  mergeProgress,
  type ProgressInput,
  type ProgressPayload,
  type ProgressTally,
  progressDisclosureViolations,
  progressPayloadSchema,
  type SurveyPath,
} from "@spiral-network/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const PATH_A = "00000000-0000-4000-8000-00000000000a";
const PATH_B = "00000000-0000-4000-8000-00000000000b";
const CAMPAIGN = "00000000-0000-4000-8000-0000000000c1";

const path = (id: string, code: string): SurveyPath => ({
  id,
  version: 1,
  code,
  statements: [1, 2, 3, 4, 5].map((level) => ({
    level: level as 1,
    passage: level === 1 ? null : (["P", "O", "Q", "S"][level - 2] as "P"),
    text: { en: `${code} situation ${level}` },
  })),
});

type Answer = { category: string | null; a: number | null; b: number | null };

/** A campaign input from one answer per respondent (levels on paths A01 and A02). */
function input(answers: Answer[], overrides: Partial<ProgressInput> = {}): ProgressInput {
  const tallies = new Map<string, ProgressTally>();
  const add = (category: string | null, pathId: string, level: number | null) => {
    const key = `${category}|${pathId}|${level}`;
    const held = tallies.get(key) ?? { category, pathId, level: level as 1 | null, count: 0 };
    held.count += 1;
    tallies.set(key, held);
  };
  for (const r of answers) {
    add(r.category, PATH_A, r.a);
    add(r.category, PATH_B, r.b);
  }
  return {
    territory: {
      id: "https://a.example/actors/ville",
      name: "Ville",
      country: "FR",
      region: "FR-GES",
    },
    campaign: {
      id: CAMPAIGN,
      period: { start: "2026-03-01", end: "2026-04-30" },
      cycle: 1,
      phase: "ex-ante",
    },
    grid: { id: "spiral-9d", version: "2026.1-partial" },
    paths: [path(PATH_A, "A01"), path(PATH_B, "A02")],
    responses: answers.map((r, i) => ({ id: i + 1, category: r.category })),
    tallies: [...tallies.values()],
    previous: null,
    policy: DEFAULT_POLICY,
    ...overrides,
  };
}

const some = (
  n: number,
  category: string | null,
  a: number | null,
  b: number | null = a,
): Answer[] => Array.from({ length: n }, () => ({ category, a, b }));

describe("spiral/progress@1 payload", () => {
  it("counts every respondent once per path, unanswered as don't know, and hashes its content", () => {
    const draft = draftProgress(input([...some(3, null, 4, null), ...some(3, null, 2, 5)]));
    const payload = progressPayloadSchema.parse(draft.payload);
    expect(payload.respondents).toBe(6);
    expect(payload.paths.map((p) => p.counts)).toEqual([
      { "1": 0, "2": 3, "3": 0, "4": 3, "5": 0, dontKnow: 0 },
      { "1": 0, "2": 0, "3": 0, "4": 0, "5": 3, dontKnow: 3 },
    ]);
    const { hash, ...body } = payload;
    expect(hash).toBe(contentHash(body));
  });

  it("is refused under k respondents, and by receivers whatever the origin's policy", () => {
    const draft = draftProgress(input(some(4, null, 3)));
    expect(draft.payload).toBeNull();
    expect(draft.blockers).toEqual(["the campaign has 4 respondent(s), fewer than k = 5"]);
    const lax = draftProgress(input(some(4, null, 3), { policy: { ...DEFAULT_POLICY, k: 1 } }));
    expect(progressDisclosureViolations(lax.payload as ProgressPayload, 5)).toEqual([
      "the campaign has 4 respondent(s), fewer than k = 5",
    ]);
  });

  it("refuses levels outside 1–5, counts that do not add up and a forged hash", () => {
    const payload = draftProgress(input(some(6, null, 3))).payload as ProgressPayload;
    const withLevel6 = structuredClone(payload) as unknown as {
      paths: Array<{ counts: Record<string, number> }>;
    };
    (withLevel6.paths[0] as { counts: Record<string, number> }).counts["6"] = 1;
    expect(progressPayloadSchema.safeParse(withLevel6).success).toBe(false);
    const level0 = structuredClone(payload) as unknown as {
      paths: Array<{ counts: Record<string, number> }>;
    };
    (level0.paths[0] as { counts: Record<string, number> }).counts["0"] = 0;
    expect(progressPayloadSchema.safeParse(level0).success).toBe(false);
    const inflated = structuredClone(payload);
    (inflated.paths[0] as { counts: { "3": number } }).counts["3"] += 1;
    const issues = progressPayloadSchema.safeParse(inflated).error?.issues.map((i) => i.message);
    expect(issues).toContain(
      "a path's counts (levels and don't know) do not add up to the respondents",
    );
    expect(issues).toContain("the content hash does not match the payload");
  });

  it("pools small categories into other, with complementary suppression", () => {
    const draft = draftProgress(
      input([...some(6, "women", 4), ...some(5, "farmers", 2), ...some(2, "students", 5)]),
    );
    const cells = draft.payload?.categories?.map((c) => [c.category, c.respondents]);
    // students (2) alone would make "other" 2: farmers (the smallest published) fold in.
    expect(cells).toEqual([
      ["other", 7],
      ["women", 6],
    ]);
    expect(draft.withheld.map((w) => w.what)).toEqual(["category students", "category farmers"]);
  });

  it("never publishes a payload whose cells isolate fewer than k respondents across versions (property)", () => {
    const answer = fc.record({
      category: fc.constantFrom(null, "women", "farmers", "students"),
      a: fc.constantFrom(null, 1, 2, 3, 4, 5),
      b: fc.constantFrom(null, 1, 2, 3, 4, 5),
    });
    fc.assert(
      fc.property(
        fc.array(answer, { maxLength: 30 }),
        fc.array(answer, { maxLength: 12 }),
        (first, more) => {
          const v1 = draftProgress(input(first));
          const history: LedgerVersion[] = v1.payload
            ? [{ periodKey: `campaign:${CAMPAIGN}`, version: 1, groups: v1.ledger, margins: [] }]
            : [];
          const all = [...first, ...more];
          const v2 = draftProgress(
            input(all, {
              history,
              previous: v1.payload ? { version: 1, hash: v1.payload.hash } : null,
            }),
          );
          for (const draft of [v1, v2]) {
            if (!draft.payload) continue;
            expect(progressPayloadSchema.safeParse(draft.payload).success).toBe(true);
            expect(progressDisclosureViolations(draft.payload, 5)).toEqual([]);
          }
          if (v1.payload && v2.payload) {
            // What v2 adds to the total is public by subtraction: 0 or at least k respondents.
            const added = v2.payload.respondents - v1.payload.respondents;
            expect(added === 0 || added >= 5).toBe(true);
            // …and so is what it adds to each category cell that both versions publish.
            for (const cell of v2.payload.categories ?? []) {
              const before = v1.payload.categories?.find((c) => c.category === cell.category);
              if (!before) continue;
              const diff = cell.respondents - before.respondents;
              expect(diff === 0 || diff >= 5, `${cell.category}: ${diff}`).toBe(true);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("progress aggregation", () => {
  /** A territory's published payload: `n` respondents at `level` on A01, version `version`. */
  function published(
    origin: number,
    n: number,
    level: number,
    version = 1,
    campaign = CAMPAIGN,
  ): ProgressPayload {
    const draft = draftProgress(
      input(some(n, null, level), {
        territory: {
          id: `https://n${origin}.example/actors/t`,
          name: `T${origin}`,
          country: origin % 2 ? "FR" : "PT",
        },
        campaign: {
          id: campaign,
          period: { start: "2026-03-01", end: "2026-04-30" },
          cycle: 1,
          phase: "ex-ante",
        },
        ...(version > 1
          ? { previous: { version: version - 1, hash: `sha256:${"0".repeat(64)}` } }
          : {}),
      }),
    );
    return draft.payload as ProgressPayload;
  }
  const deliveries = [
    published(1, 6, 4),
    published(2, 7, 2),
    published(3, 5, 5),
    published(1, 8, 5, 2),
    published(4, 9, 1),
  ].map((payload) => ({ origin: payload.territory.id, payload }));

  it("sums the latest version of each territory's campaign, per path code, with the share at 4–5", () => {
    const figures = aggregateProgress(mergeProgress(new Map(), deliveries).values(), {
      code: "A01",
    });
    expect(figures.rows).toHaveLength(1);
    expect(figures.rows[0]?.counts).toEqual({
      "1": 9,
      "2": 7,
      "3": 0,
      "4": 0,
      "5": 13,
      dontKnow: 0,
    });
    expect(figures.rows[0]?.share).toBeCloseTo(13 / 29);
    expect(figures.rows[0]?.territories).toBe(4);
    expect(figures.coverage.included.map((v) => v.version)).toEqual([2, 1, 1, 1]);
    const french = aggregateProgress(mergeProgress(new Map(), deliveries).values(), {
      country: "FR",
    });
    expect(french.coverage.included.map((v) => v.name)).toEqual(["T1", "T3"]);
  });

  it("excludes a conflicted campaign (two contents under one version) and says so", () => {
    const twin = { origin: deliveries[1]?.origin as string, payload: published(2, 6, 3) };
    const figures = aggregateProgress(mergeProgress(new Map(), [...deliveries, twin]).values(), {});
    expect(figures.coverage.excluded.map((e) => e.reason)).toEqual([
      "conflicted: several contents under one version",
    ]);
  });

  it("gives the same figures and fingerprint whatever the order and repetition of deliveries (property)", () => {
    const twin = { origin: deliveries[1]?.origin as string, payload: published(2, 6, 3) };
    const all = [...deliveries, twin];
    const reference = aggregateProgress(mergeProgress(new Map(), all).values(), { code: "A" });
    fc.assert(
      fc.property(
        fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }),
        fc.array(fc.nat(all.length - 1), { maxLength: 6 }),
        (order, repeats) => {
          const replayed = [...order, ...repeats.map((i) => all[i] as (typeof all)[number])];
          const figures = aggregateProgress(mergeProgress(new Map(), replayed).values(), {
            code: "A",
          });
          expect(figures).toEqual(reference);
        },
      ),
      { numRuns: 200 },
    );
  });
});
