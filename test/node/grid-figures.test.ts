import { readFileSync } from "node:fs";
import {
  type AggregateFilter,
  aggregate,
  contentHash,
  DEFAULT_POLICY,
  defaultGrid,
  draftSynthesis,
  emptyState,
  type GroupTally,
  mergeRecords,
  type Period,
  periodKey,
  type SynthesisPayload,
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

/**
 * Figures over syntheses of two grid versions, from the node's incremental totals, against the
 * protocol's reference recomputation with the same known grids: every filter, the robust figure
 * (an implausible synthesis subtracted) and the endorsed scope (untrusted ones subtracted), with
 * overlapping periods and a version the node does not know.
 */

const V2 = { id: defaultGrid.id, version: defaultGrid.version };
const V3 = { id: defaultGrid.id, version: "3-test" };
const H1: Period = { start: "2026-01-01", end: "2026-06-30" };
const YEAR: Period = { start: "2026-01-01", end: "2026-12-31" };
const LOCAL = `${PUBLIC_URL}/actors/${TESTVILLE.slug}`;
const grid3 = JSON.parse(
  readFileSync(new URL("../fixtures/grid-spiral-9d-3-test.json", import.meta.url), "utf8"),
);

interface Place {
  slug: string;
  country: string;
  region?: string;
}
const actor = (place: Place) => `https://${place.slug}.example/actors/${place.slug}`;

function payloadOf(
  place: Place,
  grid: typeof V2,
  options: { period?: Period; scale?: number; previous?: SynthesisPayload } = {},
): SynthesisPayload {
  const scale = options.scale ?? 1;
  const newCodes = grid.version === V3.version;
  const groups: GroupTally[] = [
    {
      category: "young-people",
      participants: 8,
      counts: [
        { question: "Q1", component: "A01", count: 2 * scale },
        { question: "Q1", component: newCodes ? "A12" : "A05", count: 3 * scale },
        { question: "Q2", component: newCodes ? "C01" : "C00", count: scale },
      ],
    },
    {
      category: "farmers",
      participants: 6,
      counts: [
        { question: "Q2", component: "B01", count: 2 * scale },
        { question: "Q3", component: "A02", count: scale },
      ],
    },
  ];
  const { payload, blockers } = draftSynthesis({
    territory: {
      id: actor(place),
      name: place.slug,
      country: place.country,
      ...(place.region ? { region: place.region } : {}),
    },
    period: options.period ?? H1,
    grid,
    groups,
    previous: options.previous
      ? { version: options.previous.version, hash: options.previous.hash }
      : null,
    correction: false,
    policy: DEFAULT_POLICY,
  });
  if (!payload) throw new Error(blockers.join("; "));
  return payload;
}

let t: TestNode;
let held: SynthesisPayload[];

function deliver(payload: SynthesisPayload) {
  held.push(payload);
  return t.services.received.accept({
    origin: payload.territory.id,
    objectId: `${new URL(payload.territory.id).origin}/syntheses/${periodKey(payload.period)}`,
    payload,
    activity: { type: "Create" },
    via: null,
  });
}

function expected(filter: AggregateFilter, options: { robust?: boolean; trusted?: string[] }) {
  const state = mergeRecords(emptyState(), held.map(synthesisRecord));
  return aggregate(state, filter, {
    grid: V2,
    grids: t.services.grids.catalog(),
    robust: options.robust ?? false,
    ...(options.trusted ? { trusted: (o: string) => options.trusted?.includes(o) ?? false } : {}),
  });
}

/** The answer without what the reference does not compute (scope, filter, coverage window). */
const sums = ({ scope: _s, filter: _f, coverageCounts: _c, coveragePage: _p, ...rest }: any) =>
  rest;

beforeEach(async () => {
  t = createTestvilleNode();
  held = [];
  // Grid 3 is known here (fetched and accepted), the node still codes with 2026.2.
  const hash = contentHash(grid3);
  t.services.grids.offer(grid3, hash, "https://elsewhere.example/grids/spiral-9d/3-test");
  t.services.grids.accept("spiral-9d", "3-test", "test");
  const places: Place[] = [
    { slug: "mulhouse", country: "FR", region: "FR-GES" },
    { slug: "paris", country: "FR", region: "FR-IDF" },
    { slug: "porto", country: "PT", region: "PT-13" },
    { slug: "braga", country: "PT" },
    { slug: "namur", country: "BE", region: "BE-WAL" },
    { slug: "liege", country: "BE", region: "BE-WAL" },
  ];
  places.forEach((place, i) => {
    expect(deliver(payloadOf(place, i % 2 === 0 ? V2 : V3))).toBe("stored");
  });
  // Overlapping periods of one territory on grid 3, an implausible one, an unknown version.
  expect(deliver(payloadOf({ slug: "paris", country: "FR" }, V3, { period: YEAR }))).toBe("stored");
  expect(deliver(payloadOf({ slug: "bigtown", country: "FR" }, V3, { scale: 100 }))).toBe("stored");
  const unknown = { id: V2.id, version: "9-unknown" };
  expect(deliver(payloadOf({ slug: "oldgrid", country: "PT" }, unknown))).toBe("stored");
  const group = await createGroup(t.admin, { participants: 7, sessionDates: ["2026-02-10"] });
  await addValidatedCriteria(t.admin, group, [
    { question: "Q1", text: "Manger", code: "A01" },
    { question: "Q2", text: "Le bruit", code: "B01" },
  ]);
  const published = await t.admin.post(`${T}/syntheses`, {
    period: { start: "2026-01-01", end: "2026-06-14" },
    correction: false,
  });
  expect(published.status, published.text).toBe(201);
  held.push(published.body.payload);
});
afterEach(() => {
  expect(t.loggedErrors).toEqual([]);
  t.close();
});

describe("figures over two grid versions", () => {
  it("match the reference recomputation for every filter, scope and the robust figure", async () => {
    const cases: Array<[string, AggregateFilter, { robust?: boolean; trusted?: string[] }]> = [
      ["", {}, {}],
      ["?robust=true", {}, { robust: true }],
      ["?country=FR", { countries: ["FR"] }, {}],
      ["?region=BE-WAL", { regions: ["BE-WAL"] }, {}],
      ["?category=farmers", { categories: ["farmers"] }, {}],
      ["?question=Q1", { question: "Q1" }, {}],
      ["?scope=endorsed", {}, { trusted: [LOCAL] }],
      [
        "?territory=https%3A%2F%2Fparis.example%2Factors%2Fparis",
        { origins: [actor({ slug: "paris", country: "FR" })] },
        {},
      ],
    ];
    for (const [query, filter, options] of cases) {
      const response = await t.anonymous.get(`/api/v1/aggregates${query}`);
      expect(response.status, response.text).toBe(200);
      const reference = expected(filter, options);
      expect(sums(response.body), query).toEqual(reference);
      expect(response.body.coverageCounts.included, query).toBe(reference.coverage.included.length);
    }
  });

  it("stay equal to the recomputation after each change, as a territory migrates", async () => {
    const check = async (step: string) => {
      const cases: Array<[string, AggregateFilter, { robust?: boolean }]> = [
        ["", {}, {}],
        ["?robust=true", {}, { robust: true }],
        ["?category=young-people", { categories: ["young-people"] }, {}],
      ];
      for (const [query, filter, options] of cases) {
        const response = await t.anonymous.get(`/api/v1/aggregates${query}`);
        expect(response.status, response.text).toBe(200);
        expect(sums(response.body), `${step} ${query}`).toEqual(expected(filter, options));
      }
    };
    await check("before");
    // Mulhouse moves from 2026.2 to grid 3: its next version is coded with the new codes.
    const mulhouse = { slug: "mulhouse", country: "FR", region: "FR-GES" };
    const first = held.find((p) => p.territory.id === actor(mulhouse)) as SynthesisPayload;
    const moved = payloadOf(mulhouse, V3, { previous: first, scale: 2 });
    expect(deliver(moved)).toBe("replaced");
    held.splice(held.indexOf(first), 1);
    await check("after a migration");
    // Porto follows; Namur and this node's own territory still code with 2026.2.
    const porto = held.find((p) => p.territory.id.includes("porto")) as SynthesisPayload;
    const portoMoved = payloadOf({ slug: "porto", country: "PT", region: "PT-13" }, V3, {
      previous: porto,
    });
    expect(deliver(portoMoved)).toBe("replaced");
    held.splice(held.indexOf(porto), 1);
    await check("after a second migration");
    const body = (await t.anonymous.get("/api/v1/aggregates")).body;
    expect(body.gridLevels.versions).toEqual([V2.version, V3.version]);
  });

  it("count a version once an admin accepts it, with no synthesis changing", async () => {
    const before = (await t.anonymous.get("/api/v1/aggregates")).body;
    expect(before.coverageCounts.excluded["other-grid-version"]).toBe(1);
    // The version Oldgrid codes with, mapped from grid 3 with no change, becomes known.
    const file = {
      ...grid3,
      version: "9-unknown",
      mapping: { from: { id: V3.id, version: V3.version }, changes: [] },
    };
    t.services.grids.offer(file, contentHash(file), "https://oldgrid.example/grids/spiral-9d/9");
    t.services.grids.accept("spiral-9d", "9-unknown", "test");
    const after = (await t.anonymous.get("/api/v1/aggregates")).body;
    expect(after.coverageCounts.excluded["other-grid-version"]).toBe(0);
    expect(after.coverageCounts.included).toBe(before.coverageCounts.included + 1);
    expect(after.gridLevels.versions).toEqual([V2.version, V3.version, "9-unknown"]);
    expect(after.fingerprint).not.toBe(before.fingerprint);
    expect(sums(after)).toEqual(expected({}, {}));
  });

  it("counts split components together, says so, and leaves out the unknown version", async () => {
    const response = await t.anonymous.get("/api/v1/aggregates");
    const body = response.body;
    expect(body.gridLevels).toEqual({
      level: "grouped",
      versions: [V2.version, V3.version],
      levelOf: { [V2.version]: "grouped", [V3.version]: "grouped" },
      groups: expect.objectContaining({ "A01+A12": expect.any(Object) }),
    });
    expect(Object.keys(body.counts.Q1).sort()).toEqual(["A01+A12", "A05"]);
    expect(body.coverage.excluded).toContainEqual(
      expect.objectContaining({
        origin: "https://oldgrid.example/actors/oldgrid",
        reason: "other-grid-version",
      }),
    );
    // The subtracted cases happened: an overlapping period, and (robust) an implausible one,
    // both coded with grid 3, so their cells were re-keyed before being taken away.
    expect(body.coverage.excluded.map((e: any) => e.reason)).toContain("overlapping");
    // Each included synthesis says the level it counted at, in the API and on the public page.
    expect(new Set(body.coverage.included.map((v: any) => v.level))).toEqual(new Set(["grouped"]));
    const page = await t.anonymous.get("/figures");
    expect(page.status).toBe(200);
    const table = /<table class="included">[\s\S]*?<\/table>/.exec(page.text)?.[0] ?? "";
    expect(table).toContain('<th scope="col">Counted</th>');
    expect(table.match(/<td>components grouped<\/td>/g)).toHaveLength(
      body.coverage.included.length,
    );
    // The spreadsheet names the level and the versions, and labels a group by its codes' labels.
    const csv = await t.anonymous.get("/api/v1/aggregates?format=csv");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("x-spiral-grid-level")).toBe(`grouped; ${V2.version}, ${V3.version}`);
    const a01 = defaultGrid.label("A01", "en");
    expect(csv.text).toContain(`Q1,A,A01+A12,${a01} + `);
    const robust = (await t.anonymous.get("/api/v1/aggregates?robust=true")).body;
    expect(robust.coverage.excluded).toContainEqual(
      expect.objectContaining({
        origin: "https://bigtown.example/actors/bigtown",
        reason: "implausible",
      }),
    );
  });
});
