import {
  contentHash,
  DEFAULT_POLICY,
  defaultGrid,
  draftSynthesis,
  periodKey,
  type SynthesisPayload,
  synthesisPayloadSchema,
  unknownGridCodes,
} from "@spiral-network/protocol";
import { describe, expect, it } from "vitest";

/** A valid payload: 12 participants in two groups, criteria under A01, A02 and B02. */
function validPayload(): SynthesisPayload {
  const { payload } = draftSynthesis({
    territory: { id: "https://node.example/territory", name: "Testville", country: "FR" },
    period: { start: "2025-01-01", end: "2025-06-30", cycle: 1 },
    grid: { id: defaultGrid.id, version: defaultGrid.version },
    groups: [
      {
        category: "women",
        participants: 6,
        counts: [
          { question: "Q1", component: "A01", count: 3 },
          { question: "Q1", component: "A02", count: 2 },
          { question: "Q2", component: "B02", count: 4 },
        ],
      },
      {
        category: "farmers",
        participants: 6,
        counts: [{ question: "Q1", component: "A01", count: 1 }],
      },
    ],
    previous: null,
    correction: false,
    policy: DEFAULT_POLICY,
  });
  if (!payload) throw new Error("the fixture should be publishable");
  return structuredClone(payload);
}

/** Recomputes the hash after a change, so that only the change itself is wrong. */
function rehash(payload: SynthesisPayload): SynthesisPayload {
  const { hash: _old, ...body } = payload;
  return { ...body, hash: contentHash(body) };
}

/** The issues the schema finds, as "path: message". */
function issues(payload: unknown): string[] {
  const result = synthesisPayloadSchema.safeParse(payload);
  return (result.error?.issues ?? []).map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("synthesisPayloadSchema", () => {
  it("accepts a payload produced by draftSynthesis", () => {
    const payload = validPayload();
    expect(payload.counts).toEqual({ Q1: { A01: 4, A02: 2 }, Q2: { B02: 4 } });
    expect(payload.dimensions).toEqual({ Q1: { A: 6 }, Q2: { B: 4 } });
    expect(payload.totals).toEqual({ criteria: 10, byQuestion: { Q1: 6, Q2: 4 } });
    expect(issues(payload)).toEqual([]);
  });

  it("rejects a count changed without re-hashing", () => {
    const payload = validPayload();
    payload.counts.Q1 = { A01: 5, A02: 2 };
    payload.dimensions.Q1 = { A: 7 };
    payload.totals = { criteria: 11, byQuestion: { Q1: 7, Q2: 4 } };
    const farmers = payload.categories?.find((c) => c.category === "farmers");
    if (!farmers) throw new Error("the fixture has a farmers category");
    farmers.counts.Q1 = { A01: 2 };
    expect(issues(payload)).toEqual(["hash: the content hash does not match the payload"]);
    expect(issues(rehash(payload))).toEqual([]);
  });

  it("rejects a category breakdown whose counts do not add up to the territory's", () => {
    const payload = validPayload();
    const farmers = payload.categories?.find((c) => c.category === "farmers");
    if (!farmers) throw new Error("the fixture has a farmers category");
    farmers.counts.Q1 = { A01: 100 };
    expect(issues(rehash(payload))).toEqual([
      "categories: the category breakdown's counts do not add up to the territory's counts",
    ]);
  });

  it("rejects dimension subtotals that do not match the counts", () => {
    const payload = validPayload();
    payload.dimensions.Q1 = { A: 5 };
    expect(issues(rehash(payload))).toEqual([
      "dimensions.Q1: dimension subtotals do not match the component counts",
    ]);
  });

  it("rejects totals that do not match the counts", () => {
    const payload = validPayload();
    payload.totals.criteria = 9;
    expect(issues(rehash(payload))).toEqual(["totals.criteria: expected 10 criteria in total"]);
  });

  it("rejects a category breakdown that does not add up", () => {
    const payload = validPayload();
    const [first] = payload.categories ?? [];
    if (first) first.participants += 1;
    expect(issues(rehash(payload))).toEqual([
      "categories: the category breakdown does not add up to the territory's groups and participants",
    ]);
  });

  it.each([
    ["negative", -1],
    ["zero", 0],
    ["fractional", 1.5],
    ["absurdly large", 1e9],
  ])("rejects a %s count", (_name, count) => {
    const payload = validPayload();
    payload.counts.Q2 = { B02: count };
    payload.dimensions.Q2 = { B: count };
    expect(issues(rehash(payload))).toContainEqual(expect.stringMatching(/^counts\.Q2\.B02: /));
  });

  it("rejects an unknown extra property (strict)", () => {
    const withText = rehash({ ...validPayload(), criteria: ["a text"] } as SynthesisPayload);
    expect(issues(withText)).toContainEqual(
      expect.stringMatching(/^: Unrecognized key.*"criteria"/),
    );
    const territory = { ...validPayload().territory, population: 1200 };
    expect(issues(rehash({ ...validPayload(), territory }))).toContainEqual(
      expect.stringMatching(/^territory: Unrecognized key.*"population"/),
    );
  });

  const withCountry = (country: string) => {
    const payload = validPayload();
    payload.territory.country = country;
    return rehash(payload);
  };

  it.each(["XX", "QQ", "AA", "fr", "123"])("rejects the country %j", (country) => {
    const found = issues(withCountry(country));
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((issue) => issue.startsWith("territory.country: "))).toBe(true);
  });

  // Regression: a format regex does not stop zod 4 from running a later refine, and
  // Intl.DisplayNames.of throws a RangeError on anything that is not a region subtag.
  it("reports a malformed country as an issue instead of throwing", () => {
    const throwing = ["FRA", "F", "F1", ""].filter((country) => {
      try {
        synthesisPayloadSchema.safeParse(withCountry(country));
        return false;
      } catch {
        return true;
      }
    });
    expect(throwing).toEqual([]);
  });

  // Regression: Intl.DisplayNames knows every CLDR region, not only ISO 3166-1 countries:
  // "ZZ" is "Unknown Region", "EU" the European Union, "UK" is not ISO (GB is).
  it("rejects region codes that are not ISO 3166-1 countries", () => {
    const accepted = ["ZZ", "EU", "UN", "EZ", "QO", "XA", "UK"].filter(
      (country) => issues(withCountry(country)).length === 0,
    );
    expect(accepted).toEqual([]);
  });

  it("rejects version 1 with a previous hash, and a later version without one", () => {
    const first = validPayload();
    first.previous = `sha256:${"0".repeat(64)}`;
    expect(issues(rehash(first))).toEqual(["previous: version 1 has no previous version"]);
    const second = validPayload();
    second.version = 2;
    expect(issues(rehash(second))).toEqual([
      "previous: a later version names the hash of the previous one",
    ]);
  });

  it("rejects a period that ends before it starts", () => {
    const payload = validPayload();
    payload.period = { start: "2025-06-30", end: "2025-01-01" };
    expect(issues(rehash(payload))).toEqual(["period.end: the period ends before it starts"]);
  });

  it("rejects a malformed hash", () => {
    expect(issues({ ...validPayload(), hash: "md5:abc" })[0]).toMatch(/^hash: /);
  });
});

describe("unknownGridCodes", () => {
  it("finds nothing in a payload coded with the grid", () => {
    expect(unknownGridCodes(validPayload(), defaultGrid)).toEqual([]);
  });

  it("lists the component codes the grid does not have, in counts and categories", () => {
    const payload = validPayload();
    payload.counts.Q3 = { A08: 1, Z99: 2, A01: 1 };
    const [category] = payload.categories ?? [];
    if (category) category.counts.Q4 = { C03: 1, A08: 1 };
    expect(unknownGridCodes(payload, defaultGrid)).toEqual(["A08", "C03", "Z99"]);
  });
});

describe("periodKey", () => {
  it("is start/end, with the cycle when there is one", () => {
    expect(periodKey({ start: "2025-01-01", end: "2025-06-30" })).toBe("2025-01-01/2025-06-30");
    expect(periodKey({ start: "2025-01-01", end: "2025-06-30", cycle: 2 })).toBe(
      "2025-01-01/2025-06-30#cycle2",
    );
    expect(periodKey({ start: "2025-01-01", end: "2025-06-30", cycle: 0 })).toBe(
      "2025-01-01/2025-06-30#cycle0",
    );
  });
});
