import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait";
import {
  closePeers,
  follow,
  networkFigure,
  type Peer,
  publishSynthesis,
  startPeers,
} from "./harness";

const grid3 = JSON.parse(
  readFileSync(new URL("../fixtures/grid-spiral-9d-3-test.json", import.meta.url), "utf8"),
);

interface Figure {
  counts: Record<string, Record<string, number>>;
  dimensions: Record<string, Record<string, number>>;
  participants: number;
  coverage: {
    included: Array<{ origin: string }>;
    excluded: Array<{ origin: string; reason: string }>;
  };
  fingerprint: string;
  gridLevels?: { level: string; versions: string[]; levelOf: Record<string, string> };
}

/**
 * Two territories on different grid versions: Mulhouse imports a made-up grid 3 (A01 split into
 * A01 and A12, C00 into C00, C01, C02) while Porto stays on 2026.2-partial. Porto learns the
 * version from Mulhouse's actor, and only counts it once its admin accepts it; then both nodes
 * show the same figures and fingerprint, at the level the versions share.
 */
describe("figures across grid versions", () => {
  let mulhouse: Peer;
  let porto: Peer;

  beforeAll(async () => {
    [mulhouse, porto] = await startPeers("mulhouse", "porto");
    const imported = await mulhouse.api("POST", "/grids", grid3);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    await follow(porto, mulhouse);
    await follow(mulhouse, porto);
    await publishSynthesis(porto);
    // Mulhouse codes with the new components.
    const group = await mulhouse.api("POST", `/territories/${mulhouse.slug}/groups`, {
      label: "Jeunes",
      category: "young-people",
      sessionDates: ["2026-01-01"],
      participants: 9,
      cycle: 1,
    });
    const added = await mulhouse.api(
      "POST",
      `/territories/${mulhouse.slug}/groups/${group.body.id}/criteria`,
      {
        items: [
          { question: "Q1", text: "Eau potable", code: "A12" },
          { question: "Q1", text: "Manger", code: "A01" },
          { question: "Q1", text: "Services publics", code: "C01" },
          { question: "Q2", text: "Bruit", code: "B01" },
        ],
      },
    );
    await mulhouse.api("POST", `/territories/${mulhouse.slug}/criteria/validation`, {
      ids: added.body.items.map((c: { id: number }) => c.id),
    });
    const published = await mulhouse.api("POST", `/territories/${mulhouse.slug}/syntheses`, {
      period: { start: "2026-01-01", end: "2026-12-31" },
      correction: false,
    });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    await waitFor(
      () =>
        porto.node.services.aggregates.entries().length === 2 &&
        mulhouse.node.services.aggregates.entries().length === 2,
      "both syntheses to reach both nodes",
    );
    const versions = porto.node.services.aggregates.entries().map((e) => [e.origin, e.gridVersion]);
    expect(versions).toContainEqual([mulhouse.actorUrl, "3-test"]);
    expect(versions).toContainEqual([porto.actorUrl, "2026.2-partial"]);
  }, 60_000);
  afterAll(() => closePeers(mulhouse, porto));

  it("counts a version nobody accepted nowhere, and offers it to the admins", async () => {
    const figure = await networkFigure<Figure>(porto);
    expect(figure.coverage.excluded).toEqual([
      expect.objectContaining({ origin: mulhouse.actorUrl, reason: "other-grid-version" }),
    ]);
    const grids = await porto.api("GET", "/grids");
    expect(grids.body.unknown).toEqual([
      {
        id: "spiral-9d",
        version: "3-test",
        offered: false,
        territories: [{ origin: mulhouse.actorUrl, name: "Mulhouse" }],
      },
    ]);
  });

  it("fetches the grid Mulhouse's actor links, checks it, and holds it as offered only", async () => {
    const fetched = await porto.api("POST", "/grids/fetch", { actor: mulhouse.actorUrl });
    expect(fetched.status, JSON.stringify(fetched.body)).toBe(200);
    expect(fetched.body).toMatchObject({ version: "3-test", state: "offered" });
    expect(fetched.body.source).toBe(`${mulhouse.url}/grids/spiral-9d/3-test`);
    // Never adopted automatically: Porto still codes with 2026.2 and still leaves Mulhouse out.
    expect(porto.node.services.grids.active().version).toBe("2026.2-partial");
    const figure = await networkFigure<Figure>(porto);
    expect(figure.coverage.included.map((v) => v.origin)).toEqual([porto.actorUrl]);
    const bad = await porto.api("POST", "/grids/fetch", { actor: `${porto.url}/nothing` });
    expect(bad.status).toBe(400);
  });

  it("agrees with Mulhouse on the figures and the fingerprint once the version is accepted", async () => {
    const accepted = await porto.api("POST", "/grids/spiral-9d/3-test/accept");
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    const atPorto = await networkFigure<Figure>(porto);
    const atMulhouse = await networkFigure<Figure>(mulhouse);
    expect(atPorto.coverage.included.map((v) => v.origin).sort()).toEqual(
      [mulhouse.actorUrl, porto.actorUrl].sort(),
    );
    expect(atPorto.gridLevels).toMatchObject({
      level: "grouped",
      versions: ["2026.2-partial", "3-test"],
    });
    // Split components count together; the rest stays per component.
    expect(atPorto.counts.Q1).toMatchObject({ "A01+A12": 2, "C00+C01+C02": 1, A05: 1 });
    expect(atPorto.counts).toEqual(atMulhouse.counts);
    expect(atPorto.dimensions).toEqual(atMulhouse.dimensions);
    expect(atPorto.participants).toBe(atMulhouse.participants);
    expect(atPorto.fingerprint).toBe(atMulhouse.fingerprint);
  });
});
