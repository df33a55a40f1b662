import { readFileSync } from "node:fs";
import {
  aggregate,
  bundledGrids,
  carryCode,
  contentHash,
  emptyState,
  fingerprint,
  fingerprintOf,
  type Grid,
  GridError,
  type GridFile,
  gridCatalog,
  gridChanges,
  type LevelPlan,
  levelElement,
  loadGrid,
  mappingOf,
  mappingProblems,
  mergeRecords,
  multisetAdd,
  multisetHash,
  multisetHex,
  normaliseCounts,
  parseMultisetHex,
  type SynthesisPayload,
  sharedLevel,
  synthesisRecord,
} from "@spiral-network/protocol";
import { describe, expect, it } from "vitest";

const [v1, v2] = bundledGrids as [Grid, Grid];
const grid3File = JSON.parse(
  readFileSync(new URL("../fixtures/grid-spiral-9d-3-test.json", import.meta.url), "utf8"),
) as GridFile;
const v3 = loadGrid(grid3File);
/** 2026.2 as a node holds it after the import: the (empty) mapping from 2026.1 written in. */
const v2held = loadGrid({ ...v2.file, mapping: mappingOf(v1, v2) });

describe("grid files with a mapping", () => {
  it("ships 2026.1 then 2026.2-partial, which renames nothing and keeps every code", () => {
    expect(bundledGrids.map((g) => g.version)).toEqual(["2026.1-partial", "2026.2-partial"]);
    expect(mappingProblems(v1, v2, mappingOf(v1, v2))).toEqual([]);
    const changes = gridChanges(v1, v2, mappingOf(v1, v2));
    expect(changes.added).toEqual([]);
    expect(changes.review).toEqual([]);
    expect(changes.changes).toEqual([]);
  });

  it("accepts keywords and labels in more languages on dimensions and components", () => {
    const file = structuredClone(v2.file) as GridFile & Record<string, unknown>;
    const a = file.dimensions[0] as Record<string, unknown>;
    Object.assign(a, { pt: "Acesso", ar: "الوصول", keywords: { fr: ["logement", "santé"] } });
    const grid = loadGrid(file);
    expect(grid.file.dimensions[0]).toMatchObject({
      pt: "Acesso",
      keywords: { fr: ["logement", "santé"] },
    });
  });

  it("keeps every key of the file, so the document a node serves is the file it imported", () => {
    const raw = JSON.parse(
      readFileSync(
        new URL("../../protocol/grids/grid-spiral-9d-2026.2-partial.json", import.meta.url),
        "utf8",
      ),
    );
    raw.dimensions[0].components[1].note = "kept";
    expect(contentHash(loadGrid(raw).file)).toBe(contentHash(raw));
  });

  it("marks a label that is only a stand-in as not named", () => {
    expect(v2.entry("I")?.named).toBe(false);
    expect(v2.entry("I00")?.named).toBe(false);
    expect(v2.entry("A")?.named).toBe(true);
  });

  it("refuses a mapping to a code the grid does not have, or across dimensions, with the reason", () => {
    const bad = structuredClone(grid3File);
    bad.mapping = {
      from: { id: "spiral-9d", version: "2026.2-partial" },
      changes: [
        { kind: "split", from: "A01", to: ["A01", "A13"] },
        { kind: "renamed", from: "A02", to: "B02" },
      ],
    };
    expect(() => loadGrid(bad)).toThrow(GridError);
    expect(() => loadGrid(bad)).toThrow(/sends counts to A13, which this grid does not have/);
    expect(() => loadGrid(bad)).toThrow(/moves counts from dimension A to B/);
  });

  it("finds a mapping that loses counts, or starts from another version", () => {
    const file = structuredClone(grid3File);
    const a = file.dimensions[0] as GridFile["dimensions"][number];
    a.components = a.components.filter((c) => c.code !== "A05");
    const lossy = loadGrid(file);
    expect(mappingProblems(v2held, lossy, mappingOf(v2held, lossy))).toContain(
      "A05 is not in 3-test and the mapping does not say where its counts go (they would be lost)",
    );
    expect(mappingProblems(v1, v3, mappingOf(v1, v3))[0]).toMatch(
      /starts from spiral-9d 2026.2-partial, but this node holds spiral-9d 2026.1-partial/,
    );
  });

  it("previews a made-up grid 3: new components, relabelled A01, A01 and C00 to review", () => {
    const changes = gridChanges(v2held, v3, mappingOf(v2held, v3));
    expect(changes.added.map((c) => c.code)).toEqual(["A12", "C01", "C02"]);
    expect(changes.relabelled.map((r) => r.code)).toEqual(["A01"]);
    expect(changes.review).toEqual(["A01", "C00"]);
    // A split keeps the criterion's code (it is reviewed); a rename moves it.
    expect(carryCode("A01/O10", mappingOf(v2held, v3))).toBe("A01/O10");
    expect(
      carryCode("A05-02/O/f", {
        from: { id: "spiral-9d", version: "x" },
        changes: [{ kind: "renamed", from: "A05", to: "A06" }],
      }),
    ).toBe("A06-02/O/f");
  });
});

describe("the level syntheses of several versions share", () => {
  const catalog = gridCatalog([v1, v2held, v3]);

  it("stays per component across versions that change nothing", () => {
    const plan = sharedLevel(catalog, "spiral-9d", ["2026.1-partial", "2026.2-partial"]);
    expect(plan?.level).toBe("component");
    expect(plan?.keyOf("2026.1-partial", "A01")).toBe("A01");
    expect(sharedLevel(catalog, "spiral-9d", ["2026.2-partial"])).toBeNull();
  });

  it("groups what a split links, and keeps the rest per component", () => {
    const plan = sharedLevel(catalog, "spiral-9d", ["2026.1-partial", "3-test"]);
    expect(plan?.level).toBe("grouped");
    expect(plan?.versions).toEqual(["2026.1-partial", "3-test"]);
    expect(plan?.groups).toEqual({
      "A01+A12": { "2026.1-partial": ["A01"], "2026.2-partial": ["A01"], "3-test": ["A01", "A12"] },
      "C00+C01+C02": {
        "2026.1-partial": ["C00"],
        "2026.2-partial": ["C00"],
        "3-test": ["C00", "C01", "C02"],
      },
    });
    expect(plan?.keyOf("3-test", "A12")).toBe("A01+A12");
    expect(plan?.keyOf("2026.1-partial", "A02")).toBe("A02");
    const counts = normaliseCounts(plan as NonNullable<typeof plan>, "3-test", {
      Q1: { A01: 2, A12: 3, A02: 1, C01: 4 },
    });
    expect(counts).toEqual({ Q1: { "A01+A12": 5, A02: 1, "C00+C01+C02": 4 } });
  });

  it("falls back to dimensions for versions not on one line of mappings", () => {
    const branch = loadGrid({
      ...v3.file,
      version: "3-branch",
      mapping: { ...v3.file.mapping, from: { id: "spiral-9d", version: "2026.1-partial" } },
    });
    const plan = sharedLevel(gridCatalog([v1, v2held, v3, branch]), "spiral-9d", [
      "3-test",
      "3-branch",
    ]);
    expect(plan?.level).toBe("dimension");
    expect(plan?.keyOf("3-test", "A12")).toBe("A");
  });

  it("adds up syntheses of 2026.2 and grid 3 instead of leaving one out", () => {
    const payload = (origin: string, version: string, counts: Record<string, number>) =>
      ({
        territory: { id: origin, name: origin, country: "FR" },
        period: { start: "2026-01-01", end: "2026-12-31" },
        version: 1,
        hash: `sha256:${origin.length}${version}`,
        grid: { id: "spiral-9d", version },
        participants: 10,
        groups: 2,
        counts: { Q1: counts },
        dimensions: {},
        totals: { criteria: Object.values(counts).reduce((a, b) => a + b, 0) },
      }) as unknown as SynthesisPayload;
    const state = mergeRecords(emptyState(), [
      synthesisRecord(payload("https://a.example/actors/a", "2026.2-partial", { A01: 5, A02: 1 })),
      synthesisRecord(payload("https://b.example/actors/b", "3-test", { A01: 2, A12: 3, C01: 1 })),
    ]);
    const onV2 = { grid: { id: "spiral-9d", version: "2026.2-partial" }, grids: catalog };
    const onV3 = { grid: { id: "spiral-9d", version: "3-test" }, grids: catalog };
    const a = aggregate(state, {}, onV2);
    const b = aggregate(state, {}, onV3);
    expect(a.counts).toEqual({ Q1: { "A01+A12": 10, A02: 1, "C00+C01+C02": 1 } });
    expect(a.coverage.included).toHaveLength(2);
    expect(a.gridLevels?.levelOf).toEqual({ "2026.2-partial": "grouped", "3-test": "grouped" });
    // Coverage says at which level each synthesis contributed.
    expect(a.coverage.included.map((v) => v.level)).toEqual(["grouped", "grouped"]);
    // Two nodes on different versions, holding the same syntheses and grids, agree.
    expect(b.counts).toEqual(a.counts);
    expect(b.fingerprint).toBe(a.fingerprint);
    // Without the known grids, the other version is left out, as before.
    const alone = aggregate(state, {}, { grid: onV2.grid });
    expect(alone.coverage.excluded.map((e) => e.reason)).toEqual(["other-grid-version"]);
    expect(alone.fingerprint).not.toBe(a.fingerprint);
    // A node that does not know grid 3 leaves it out too (never lowered to a stranger's grid).
    const v2only = aggregate(state, {}, { ...onV2, grids: gridCatalog([v1, v2held]) });
    expect(v2only.coverage.excluded.map((e) => e.reason)).toEqual(["other-grid-version"]);

    // The fingerprint over several versions, from its definition (docs/protocol.md §10): the
    // multiset hash of the included versions' canonical forms plus one element naming the level.
    const basis = sharedLevel(catalog, "spiral-9d", ["2026.2-partial", "3-test"])?.basis;
    expect(basis).toMatch(/^sha256:[0-9a-f]{64}$/);
    const texts = a.coverage.included.map(
      (v) =>
        `{"hash":${JSON.stringify(v.hash)},"origin":${JSON.stringify(v.origin)},` +
        `"periodKey":${JSON.stringify(v.periodKey)},"version":${v.version}}`,
    );
    const levelText = `{"gridLevel":"${basis}"}`;
    expect(a.fingerprint).toBe(`sha256-sum:${multisetHex(multisetHash([...texts, levelText]))}`);
    expect(a.fingerprint).toBe(
      fingerprintOf(
        multisetAdd(
          parseFingerprint(fingerprint(a.coverage.included)),
          levelElement(
            sharedLevel(catalog, "spiral-9d", ["3-test", "2026.2-partial"]) as LevelPlan,
          ),
        ),
      ),
    );
    // A node that knows fewer links counts at another level, and says so in its fingerprint.
    const unlinked = gridCatalog([v1, v2held, loadGrid({ ...grid3File, mapping: undefined })]);
    const coarse = aggregate(state, {}, { ...onV2, grids: unlinked });
    expect(coarse.gridLevels?.level).toBe("dimension");
    const refs = (list: typeof a.coverage.included) => list.map(({ level: _, ...ref }) => ref);
    expect(refs(coarse.coverage.included)).toEqual(refs(a.coverage.included));
    expect(coarse.coverage.included.map((v) => v.level)).toEqual(["dimension", "dimension"]);
    expect(coarse.fingerprint).not.toBe(a.fingerprint);
  });
});

const parseFingerprint = (text: string) => parseMultisetHex(text.slice("sha256-sum:".length));
