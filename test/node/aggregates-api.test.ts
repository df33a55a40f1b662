import {
  type AggregateFilter,
  aggregate,
  DEFAULT_POLICY,
  defaultGrid,
  draftSynthesis,
  emptyState,
  type GroupTally,
  mergeRecords,
  type Period,
  periodKey,
  type Question,
  type SynthesisPayload,
  synthesisPayloadSchema,
  synthesisRecord,
} from "@spiral-network/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  addValidatedCriteria,
  createGroup,
  createTestvilleNode,
  PUBLIC_URL,
  T,
  TESTVILLE,
  type TestNode,
} from "./helpers";

// GET /api/v1/aggregates: public network figures with their coverage and fingerprint, filters,
// trust scopes, the robust figure and the CSV export.

const AGGREGATES = "/api/v1/aggregates";
const GRID = { id: defaultGrid.id, version: defaultGrid.version };
const LOCAL = `${PUBLIC_URL}/actors/${TESTVILLE.slug}`;
const H1: Period = { start: "2026-01-01", end: "2026-06-30" };
const LAST_YEAR: Period = { start: "2025-01-01", end: "2025-12-31" };
/** Up to the day before the test clock (2026-06-15): what Testville publishes. */
const OWN_PERIOD: Period = { start: "2026-01-01", end: "2026-06-14" };

interface Place {
  slug: string;
  name: string;
  country: string;
  region?: string;
}
const actor = (place: Place) => `https://${place.slug}.example/actors/${place.slug}`;

const MULHOUSE: Place = { slug: "mulhouse", name: "Mulhouse", country: "FR", region: "FR-GES" };
const PARIS: Place = { slug: "paris", name: "Paris", country: "FR", region: "FR-IDF" };
const PORTO: Place = { slug: "porto", name: "Porto", country: "PT", region: "PT-13" };
const BRAGA: Place = { slug: "braga", name: "Braga", country: "PT" };
const NAMUR: Place = { slug: "namur", name: "Namur", country: "BE", region: "BE-WAL" };
const LIEGE: Place = { slug: "liege", name: "Liège", country: "BE", region: "BE-WAL" };
/** Reports 100× the criteria of an ordinary territory of its size. */
const BIGTOWN: Place = { slug: "bigtown", name: "Bigtown", country: "FR", region: "FR-IDF" };
/** Codes its criteria with another version of the grid. */
const OLDGRID: Place = { slug: "oldgrid", name: "Oldgrid", country: "PT" };
const NORMAL = [MULHOUSE, PARIS, PORTO, BRAGA, NAMUR, LIEGE];

/** A valid payload for a place: young people and farmers, `base` sets the counts. */
function payloadOf(
  place: Place,
  options: { period?: Period; base?: number; scale?: number; grid?: typeof GRID } = {},
): SynthesisPayload {
  const base = options.base ?? 2;
  const scale = options.scale ?? 1;
  const cell = (question: Question, component: string, count: number) => ({
    question,
    component,
    count: count * scale,
  });
  const groups: GroupTally[] = [
    {
      category: "young-people",
      participants: 8,
      counts: [cell("Q1", "A05", base), cell("Q1", "D00", 2), cell("Q2", "B01", base + 1)],
    },
    {
      category: "farmers",
      participants: 6,
      counts: [cell("Q1", "A01", 1), cell("Q3", "A02", base)],
    },
    // Under k = 5: pooled into "other".
    { category: "students", participants: 5, counts: [cell("Q4", "D00", 1)] },
  ];
  const { payload, blockers } = draftSynthesis({
    territory: {
      id: actor(place),
      name: place.name,
      country: place.country,
      ...(place.region ? { region: place.region } : {}),
    },
    period: options.period ?? H1,
    grid: options.grid ?? GRID,
    groups,
    previous: null,
    correction: false,
    policy: DEFAULT_POLICY,
  });
  if (!payload) throw new Error(blockers.join("; "));
  expect(synthesisPayloadSchema.safeParse(payload).success).toBe(true);
  return payload;
}

let t: TestNode;
/** Every payload the node holds (received or own), for the reference figures. */
let held: SynthesisPayload[];

function deliver(payload: SynthesisPayload, via: string | null = null) {
  held.push(payload);
  return t.services.received.accept({
    origin: payload.territory.id,
    objectId: `${new URL(payload.territory.id).origin}/syntheses/${periodKey(payload.period)}`,
    payload,
    activity: { type: "Create" },
    via,
  });
}

/** Testville's own synthesis, published through the API. */
async function publishOwn(participants = 7): Promise<any> {
  const group = await createGroup(t.admin, { participants, sessionDates: ["2026-02-10"] });
  await addValidatedCriteria(t.admin, group, [
    { question: "Q1", text: "Des amis", code: "A01" },
    { question: "Q2", text: "Le bruit", code: "B01" },
  ]);
  const published = await t.admin.post(`${T}/syntheses`, { period: OWN_PERIOD, correction: false });
  expect(published.status, published.text).toBe(201);
  held.push(published.body.payload);
  return published.body;
}

/** The figure by full recomputation over what the node holds. */
function expected(filter: AggregateFilter, options: { robust?: boolean; trusted?: string[] } = {}) {
  const state = mergeRecords(emptyState(), held.map(synthesisRecord));
  return aggregate(state, filter, {
    grid: GRID,
    robust: options.robust ?? false,
    ...(options.trusted ? { trusted: (o: string) => options.trusted?.includes(o) ?? false } : {}),
  });
}

async function figure(query = "") {
  const response = await t.anonymous.get(`${AGGREGATES}${query}`);
  expect(response.status, response.text).toBe(200);
  return response.body;
}

/** The figure as the protocol computes it: without the request's echo and the coverage window. */
const sums = ({ scope: _s, filter: _f, coverageCounts, coveragePage, ...rest }: any) => {
  // A small network fits in the default window: the lists are whole, their counts their sizes.
  expect(coveragePage).toEqual({ offset: 0, limit: 100 });
  expect(coverageCounts.included).toBe(rest.coverage.included.length);
  return rest;
};

beforeEach(async () => {
  t = createTestvilleNode();
  held = [];
  NORMAL.forEach((place, i) => {
    expect(deliver(payloadOf(place, { base: 2 + (i % 3) }))).toBe("stored");
  });
  expect(deliver(payloadOf(MULHOUSE, { period: LAST_YEAR, base: 3 }))).toBe("stored");
  expect(deliver(payloadOf(BIGTOWN, { scale: 100 }))).toBe("stored");
  expect(deliver(payloadOf(OLDGRID, { grid: { id: GRID.id, version: "0.1-legacy" } }))).toBe(
    "stored",
  );
  await publishOwn();
});
afterEach(() => {
  expect(t.loggedErrors).toEqual([]);
  t.close();
});

describe("GET /api/v1/aggregates", () => {
  it("is public and answers the figure with scope, robust flag, coverage and fingerprint", async () => {
    const body = await figure();
    expect(body).toMatchObject({
      scope: "verified",
      robust: false,
      filter: {},
      fingerprint: expect.stringMatching(/^sha256-sum:[0-9a-f]{64}$/),
      coverage: { included: expect.any(Array), excluded: expect.any(Array) },
      flagged: expect.any(Array),
    });
    expect(sums(body)).toEqual(expected({}));
    // 6 ordinary territories (Mulhouse twice: two periods), Bigtown and Testville itself.
    expect(body.territories).toBe(8);
    expect(body.coverage.included).toHaveLength(9);
    expect(body.coverage.included.find((v: any) => v.origin === actor(BIGTOWN))).toEqual({
      origin: actor(BIGTOWN),
      periodKey: periodKey(H1),
      version: 1,
      hash: expect.stringMatching(/^sha256:/),
      name: "Bigtown",
      country: "FR",
    });
    // 19 participants in each received synthesis, 7 in Testville's.
    expect(body.participants).toBe(8 * 19 + 7);
    // The same answer with an admin token.
    const asAdmin = await t.admin.get(AGGREGATES);
    expect(asAdmin.body).toEqual(body);
  });

  it("counts the node's own published synthesis like any other (local entry included)", async () => {
    const before = await figure("?country=FR&region=FR-GES");
    const own = before.coverage.included.find((v: any) => v.origin === LOCAL);
    expect(own).toMatchObject({ name: "Testville", country: "FR", version: 1 });
    expect(before.coverage.included.map((v: any) => v.origin)).toEqual([
      LOCAL,
      actor(MULHOUSE),
      actor(MULHOUSE),
    ]);
    expect(sums(before)).toEqual(expected({ countries: ["FR"], regions: ["FR-GES"] }));

    // A new version of the own synthesis replaces the old one in the figure.
    const v2 = await publishOwn(6);
    expect(v2.version).toBe(2);
    const after = await figure("?country=FR&region=FR-GES");
    expect(after.coverage.included.find((v: any) => v.origin === LOCAL)).toMatchObject({
      version: 2,
      hash: v2.hash,
    });
    expect(after.participants - before.participants).toBe(6);
    expect(after.fingerprint).not.toBe(before.fingerprint);
    expect(sums(after)).toEqual(expected({ countries: ["FR"], regions: ["FR-GES"] }));

    // Withdrawn: it leaves the figure.
    const withdrawn = await t.admin.post(`${T}/syntheses/${v2.id}/withdrawal`);
    expect(withdrawn.status, withdrawn.text).toBe(204);
    const gone = await figure("?country=FR&region=FR-GES");
    expect(gone.coverage.included.map((v: any) => v.origin)).not.toContain(LOCAL);
    expect(gone.participants).toBe(before.participants - 7);
  });

  it("combines filters: country, region, category, period range and question", async () => {
    const cases: Array<[string, AggregateFilter]> = [
      ["?country=FR", { countries: ["FR"] }],
      ["?country=PT,BE", { countries: ["PT", "BE"] }],
      ["?region=BE-WAL", { regions: ["BE-WAL"] }],
      ["?country=FR&region=FR-IDF", { countries: ["FR"], regions: ["FR-IDF"] }],
      ["?category=young-people", { categories: ["young-people"] }],
      ["?category=other", { categories: ["other"] }],
      ["?category=farmers,other", { categories: ["farmers", "other"] }],
      ["?from=2026-01-01", { periodFrom: "2026-01-01" }],
      ["?to=2025-12-31", { periodTo: "2025-12-31" }],
      ["?from=2025-01-01&to=2026-06-30", { periodFrom: "2025-01-01", periodTo: "2026-06-30" }],
      ["?question=Q2", { question: "Q2" }],
      [
        "?country=FR,BE&category=young-people&question=Q1&from=2026-01-01&to=2026-12-31",
        {
          countries: ["FR", "BE"],
          categories: ["young-people"],
          question: "Q1",
          periodFrom: "2026-01-01",
          periodTo: "2026-12-31",
        },
      ],
    ];
    const fingerprints = new Set<string>();
    for (const [query, filter] of cases) {
      const body = await figure(query);
      expect(sums(body), query).toEqual(expected(filter));
      expect(body.filter, query).toEqual(filter);
      fingerprints.add(body.fingerprint);
    }
    // Narrower filters do narrow: Q1 among young people in FR and BE, this year.
    const narrow = await figure(
      "?country=FR,BE&category=young-people&question=Q1&from=2026-01-01&to=2026-12-31",
    );
    expect(Object.keys(narrow.counts)).toEqual(["Q1"]);
    expect(narrow.coverage.included.every((v: any) => ["FR", "BE"].includes(v.country))).toBe(true);
    expect(narrow.coverage.included.map((v: any) => v.periodKey)).not.toContain(
      periodKey(LAST_YEAR),
    );
    // Young people: 8 in each of Mulhouse, Paris, Bigtown, Namur and Liège, 7 in Testville.
    expect(narrow.coverage.included).toHaveLength(6);
    expect(narrow.participants).toBe(5 * 8 + 7);
    const lastYear = await figure("?to=2025-12-31");
    expect(lastYear.coverage.included.map((v: any) => v.origin)).toEqual([actor(MULHOUSE)]);
    // Country and region filters give different figures (and fingerprints) from one another.
    expect(fingerprints.size).toBeGreaterThanOrEqual(10);
  });

  it("filters by one territory (its actor URL): its syntheses only, fingerprint as recomputed", async () => {
    const mulhouse = encodeURIComponent(actor(MULHOUSE));
    const alone = await figure(`?territory=${mulhouse}`);
    expect(alone.filter).toEqual({ origins: [actor(MULHOUSE)] });
    // Both of Mulhouse's periods, nothing of its country's other territories.
    expect(alone.coverage.included.map((v: any) => [v.origin, v.periodKey])).toEqual([
      [actor(MULHOUSE), periodKey(LAST_YEAR)],
      [actor(MULHOUSE), periodKey(H1)],
    ]);
    expect(alone.territories).toBe(1);
    expect(alone.participants).toBe(2 * 19);
    expect(sums(alone)).toEqual(expected({ origins: [actor(MULHOUSE)] }));
    // One territory against its country: a part of the country's figure, with its own fingerprint.
    const country = await figure("?country=FR");
    expect(country.coverage.included).toEqual(expect.arrayContaining(alone.coverage.included));
    expect(country.coverage.included.length).toBeGreaterThan(alone.coverage.included.length);
    expect(alone.fingerprint).not.toBe(country.fingerprint);
    expect(alone.totals.criteria).toBeLessThan(country.totals.criteria);

    // Combined with the other filters, and with the node's own territory.
    const cases: Array<[string, AggregateFilter]> = [
      [
        `?territory=${mulhouse}&from=2026-01-01`,
        { origins: [actor(MULHOUSE)], periodFrom: "2026-01-01" },
      ],
      [`?territory=${mulhouse}&country=PT`, { origins: [actor(MULHOUSE)], countries: ["PT"] }],
      [
        `?territory=${encodeURIComponent(actor(PORTO))}&category=farmers&question=Q3`,
        { origins: [actor(PORTO)], categories: ["farmers"], question: "Q3" },
      ],
      [`?territory=${encodeURIComponent(LOCAL)}`, { origins: [LOCAL] }],
      [
        "?territory=https%3A%2F%2Fnowhere.example%2Factors%2Fx",
        { origins: ["https://nowhere.example/actors/x"] },
      ],
    ];
    for (const [query, filter] of cases) {
      const body = await figure(query);
      expect(sums(body), query).toEqual(expected(filter));
      expect(body.filter, query).toEqual(filter);
    }
    expect((await figure(`?territory=${mulhouse}&from=2026-01-01`)).coverage.included).toHaveLength(
      1,
    );
    expect((await figure(`?territory=${mulhouse}&country=PT`)).coverage.included).toEqual([]);
    expect((await figure(`?territory=${encodeURIComponent(LOCAL)}`)).participants).toBe(7);

    // The same exclusion rules: another grid version, and the robust figure's plausibility.
    const oldgrid = await figure(`?territory=${encodeURIComponent(actor(OLDGRID))}`);
    expect(oldgrid.coverage.included).toEqual([]);
    expect(oldgrid.coverage.excluded).toEqual([
      expect.objectContaining({ origin: actor(OLDGRID), reason: "other-grid-version" }),
    ]);
    const bigtown = encodeURIComponent(actor(BIGTOWN));
    const robust = await figure(`?territory=${bigtown}&robust=true`);
    expect(sums(robust)).toEqual(expected({ origins: [actor(BIGTOWN)] }, { robust: true }));
    expect(robust.coverage.excluded).toEqual([
      expect.objectContaining({ origin: actor(BIGTOWN), reason: "implausible" }),
    ]);
    expect(robust.participants).toBe(0);
    // The endorsed scope: a territory nobody here follows is untrusted.
    const endorsed = await figure(`?territory=${mulhouse}&scope=endorsed`);
    expect(endorsed.coverage.included).toEqual([]);
    expect(endorsed.coverage.excluded.map((e: any) => e.reason)).toEqual([
      "untrusted",
      "untrusted",
    ]);

    // CSV: the same figure's cells and fingerprint.
    const csv = await t.anonymous.get(`${AGGREGATES}?territory=${mulhouse}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("x-spiral-fingerprint")).toBe(alone.fingerprint);
    expect(csv.headers.get("x-spiral-territories")).toBe("1");
  });

  it("exports CSV: one row per question × component with labels, figure data in X-Spiral-* headers", async () => {
    for (const query of ["", "?country=PT&question=Q1", "?scope=endorsed&robust=true"]) {
      const json = await figure(query);
      const response = await t.anonymous.get(`${AGGREGATES}${query ? `${query}&` : "?"}format=csv`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
      expect(response.headers.get("x-spiral-fingerprint")).toBe(json.fingerprint);
      expect(response.headers.get("x-spiral-territories")).toBe(String(json.territories));
      expect(response.headers.get("x-spiral-scope")).toBe(
        `${json.scope}${json.robust ? "; robust" : ""}`,
      );
      const lines = response.text.trimEnd().split("\r\n");
      expect(lines[0]).toBe("question,dimension,component,label_en,label_fr,criteria");
      const rows = lines.slice(1).map((line: string) => {
        // Labels may be quoted (commas); the first three and the last fields are plain.
        const fields = line.split(",");
        return {
          question: fields[0] as string,
          dimension: fields[1] as string,
          component: fields[2] as string,
          criteria: Number(fields.at(-1)),
          labels: fields.slice(3, -1).join(","),
        };
      });
      const cells = Object.entries(json.counts).flatMap(([question, byComponent]) =>
        Object.entries(byComponent as Record<string, number>).map(([component, count]) => ({
          question,
          component,
          count,
        })),
      );
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.map((r: any) => [r.question, r.component, r.criteria])).toEqual(
        cells.map((c) => [c.question, c.component, c.count]),
      );
      for (const row of rows) {
        expect(row.dimension).toBe(row.component.charAt(0));
        expect(row.labels).toContain(defaultGrid.entry(row.component)?.label.en ?? "?");
      }
    }
    const sample = await t.anonymous.get(`${AGGREGATES}?question=Q2&format=csv`);
    expect(sample.headers.get("x-spiral-scope")).toBe("verified");
  });

  it("answers bad filters with 400 naming the field", async () => {
    for (const [query, field] of [
      ["?country=XX", "country"],
      ["?country=FR,XX", "country"],
      ["?from=2026-06-01&to=2026-01-01", "to"],
      ["?from=2026-13-01", "from"],
      ["?question=Q9", "question"],
      ["?scope=everyone", "scope"],
      ["?robust=maybe", "robust"],
      ["?format=xml", "format"],
      ["?category=Young%20People", "category"],
      ["?territory=mulhouse", "territory"],
    ] as const) {
      const response = await t.anonymous.get(`${AGGREGATES}${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.error, query).toBe("invalid_request");
      expect(
        response.body.issues.map((i: { path: string }) => i.path),
        `${query}: ${response.text}`,
      ).toContainEqual(expect.stringContaining(field));
    }
  });

  it("flags an implausible origin in every figure, and leaves it out only of the robust one", async () => {
    const raw = await figure();
    const robust = await figure("?robust=true");
    expect(raw.flagged).toEqual([actor(BIGTOWN)]);
    expect(robust.flagged).toEqual([actor(BIGTOWN)]);
    expect(raw.coverage.included.map((v: any) => v.origin)).toContain(actor(BIGTOWN));
    expect(raw.coverage.excluded.map((e: any) => e.reason)).not.toContain("implausible");
    expect(robust.coverage.included.map((v: any) => v.origin)).not.toContain(actor(BIGTOWN));
    expect(robust.coverage.excluded).toContainEqual({
      origin: actor(BIGTOWN),
      periodKey: periodKey(H1),
      version: 1,
      reason: "implausible",
    });
    expect(robust.robust).toBe(true);
    expect(robust.fingerprint).not.toBe(raw.fingerprint);
    expect(sums(robust)).toEqual(expected({}, { robust: true }));
    // Bigtown's counts are exactly the difference.
    const bigtown = held.find((p) => p.territory.id === actor(BIGTOWN)) as SynthesisPayload;
    expect(raw.totals.criteria - robust.totals.criteria).toBe(bigtown.totals.criteria);
    expect(raw.participants - robust.participants).toBe(bigtown.participants);
    // Within a filter that leaves Bigtown out, nothing is flagged.
    expect((await figure("?country=PT&robust=true")).flagged).toEqual([]);
  });

  it("leaves out a synthesis coded with another grid version (reason other-grid-version)", async () => {
    for (const query of ["", "?robust=true", "?country=PT"]) {
      const body = await figure(query);
      expect(body.coverage.excluded).toContainEqual({
        origin: actor(OLDGRID),
        periodKey: periodKey(H1),
        version: 1,
        reason: "other-grid-version",
      });
      expect(body.coverage.included.map((v: any) => v.origin)).not.toContain(actor(OLDGRID));
    }
    const portugal = await figure("?country=PT");
    expect(portugal.territories).toBe(2);
    expect(portugal.participants).toBe(38);
  });

  it("excludes a conflicted origin (reason conflicted) until a newer version", async () => {
    const other = payloadOf(NAMUR, { base: 9 });
    expect(deliver(other)).toBe("conflict");
    const body = await figure("?country=BE");
    expect(body.coverage.excluded).toContainEqual({
      origin: actor(NAMUR),
      periodKey: periodKey(H1),
      version: 1,
      reason: "conflicted",
    });
    expect(body.coverage.included.map((v: any) => v.origin)).toEqual([actor(LIEGE)]);
    expect(sums(body)).toEqual(expected({ countries: ["BE"] }));
  });

  it("the endorsed scope keeps the own territory, followed origins and what they relay", async () => {
    const untrusted = await figure("?scope=endorsed");
    expect(untrusted.scope).toBe("endorsed");
    expect(untrusted.coverage.included.map((v: any) => v.origin)).toEqual([LOCAL]);
    const reasons = new Map(untrusted.coverage.excluded.map((e: any) => [e.origin, e.reason]));
    for (const place of [...NORMAL, BIGTOWN, OLDGRID]) {
      expect(reasons.get(actor(place)), place.slug).toBe("untrusted");
    }
    expect(sums(untrusted)).toEqual(expected({}, { trusted: [LOCAL] }));
    const verified = await figure("?scope=verified");
    expect(verified.fingerprint).not.toBe(untrusted.fingerprint);

    // Testville follows Porto (accepted), which relays Namur's next version.
    const follow = t.services.follows.requestFollow({
      actor: TESTVILLE.slug,
      target: actor(PORTO),
      targetInbox: `${actor(PORTO)}/inbox`,
      followActivityId: `${LOCAL}#follows/porto`,
    });
    t.services.follows.setFollowingState(follow.id, "accepted");
    const followed = await figure("?scope=endorsed");
    expect(followed.coverage.included.map((v: any) => v.origin)).toEqual([LOCAL, actor(PORTO)]);
    expect(sums(followed)).toEqual(expected({}, { trusted: [LOCAL, actor(PORTO)] }));

    const namur = held.find((p) => p.territory.id === actor(NAMUR)) as SynthesisPayload;
    const relayed = draftSynthesis({
      territory: namur.territory,
      period: H1,
      grid: GRID,
      groups: [
        {
          category: "young-people",
          participants: 9,
          counts: [{ question: "Q1", component: "A05", count: 3 }],
        },
      ],
      previous: { version: 1, hash: namur.hash, participants: 19 },
      correction: true,
      policy: DEFAULT_POLICY,
    }).payload as SynthesisPayload;
    expect(deliver(relayed, actor(PORTO))).toBe("replaced");
    const withRelay = await figure("?scope=endorsed");
    expect(withRelay.coverage.included.map((v: any) => v.origin)).toEqual([
      LOCAL,
      actor(NAMUR),
      actor(PORTO),
    ]);
    expect(sums(withRelay)).toEqual(expected({}, { trusted: [LOCAL, actor(PORTO), actor(NAMUR)] }));
    // The verified scope counts every origin whatever the follows.
    expect((await figure()).territories).toBe(8);
  });
  it("answers a query string asked again as one never asked: encodings, order, repeats, length", async () => {
    const queries = [
      "?country=FR,PT&robust=true",
      "?robust=true&country=FR,PT",
      "?country=FR%2CPT&robust=tru%65",
      "?country=FR&country=PT",
      "?robust=true&robust=true",
      "?robust=true",
      "?robust=TRUE",
      "?country=FR",
      "?country=fr",
      "?scope=endorsed&coverage_offset=1&coverage_limit=1",
      "?coverage_limit=0",
      "?coverage_offset=100000&robust=true",
      "?region=FR-IDF&category=young-people&from=2026-01-01&to=2026-06-30",
      `?territory=${encodeURIComponent(actor(PARIS))}`,
      `?territory=${encodeURIComponent(`${actor(PARIS)}?x=1`)}`,
      `?country=FR&padding=${"y".repeat(1100)}`,
      `?territory=https://a.example/${"p".repeat(1100)}`,
    ];
    // The same query, spelt so that it was never sent before (unknown keys are ignored).
    let fresh = 0;
    const answer = async (query: string, unseen: boolean) => {
      const response = await t.anonymous.get(
        `${AGGREGATES}${query}${unseen ? `&zz${fresh++}=1` : ""}`,
      );
      return { status: response.status, body: response.body };
    };
    for (const round of ["first", "again"]) {
      for (const query of queries) {
        expect(await answer(query, false), `${query} (${round})`).toEqual(
          await answer(query, true),
        );
      }
    }
    // Another period of a territory and a new territory: the kept queries answer the new figures.
    expect(deliver(payloadOf(PARIS, { period: LAST_YEAR, base: 7 }))).toBe("stored");
    expect(deliver(payloadOf({ slug: "lyon", name: "Lyon", country: "FR" }))).toBe("stored");
    for (const query of queries) {
      expect(await answer(query, false), `${query} (after a change)`).toEqual(
        await answer(query, true),
      );
    }
    expect((await answer(queries[0] as string, false)).status).toBe(200);
  });

  it("answers a window of the coverage lists, with their whole counts and the same figure", async () => {
    const whole = await figure("?robust=true");
    const included = whole.coverage.included;
    expect(included.length).toBeGreaterThan(4);
    const first = await figure("?robust=true&coverage_limit=2");
    const next = await figure("?robust=true&coverage_offset=2&coverage_limit=2");
    expect(first.coverage.included).toEqual(included.slice(0, 2));
    expect(next.coverage.included).toEqual(included.slice(2, 4));
    expect(next.coverage.excluded).toEqual(whole.coverage.excluded.slice(2, 4));
    for (const page of [first, next]) {
      expect(page.coveragePage.limit).toBe(2);
      expect(page.coverageCounts).toEqual(whole.coverageCounts);
      expect(page.fingerprint).toBe(whole.fingerprint);
      expect(page.counts).toEqual(whole.counts);
    }
    expect(whole.coverageCounts.included).toBe(included.length);
    expect(whole.coverageCounts.excluded.implausible).toBe(1);
    // Asked again in another order (a route keeps the values of the query strings it parsed):
    // each query string still gives its own window.
    const again = await figure("?robust=true&coverage_offset=2&coverage_limit=2");
    expect(again.coverage.included).toEqual(included.slice(2, 4));
    expect(again.coveragePage).toEqual({ offset: 2, limit: 2 });
    expect((await figure("?robust=true&coverage_limit=2")).coverage.included).toEqual(
      included.slice(0, 2),
    );
    expect((await figure("?robust=true")).coverage.included).toEqual(included);
    expect((await figure("?coverage_limit=2")).robust).toBe(false);
    for (const round of [1, 2]) {
      for (const query of ["?coverage_limit=1001", "?coverage_offset=-1", "?coverage_limit=x"]) {
        const response = await t.anonymous.get(`${AGGREGATES}${query}`);
        expect(response.status, `${query} (${round})`).toBe(400);
      }
    }
  });
});
