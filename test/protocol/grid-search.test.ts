import {
  createGridSearch,
  defaultGrid,
  GRID_LANGUAGES,
  GridError,
  type GridFile,
  loadGrid,
} from "@spiral-network/protocol";
import partialFile from "@spiral-network/protocol/grids/grid-spiral-9d-2026.2-partial.json" with {
  type: "json",
};
import { describe, expect, it } from "vitest";

const grids = {
  "2026.1-partial (default)": defaultGrid,
  "2026.2-partial": loadGrid(partialFile),
};

/**
 * Everyday words a facilitator types, in the interface's languages, with the entry the grid has
 * for each: the ten the first field test named (bus, transport, friends, job, school, doctor,
 * money, noise, loyer, médecin) and 23 more of the same kind. The grid has no transport or
 * mobility component (A08 and A10 are not recovered), so bus and transport find B02, basic
 * infrastructure; for C–I only the "in general" entries exist, so words find those.
 */
const EVERYDAY: ReadonlyArray<[word: string, code: string]> = [
  ["bus", "B02"],
  ["transport", "B02"],
  ["friends", "D00"],
  ["job", "A06"],
  ["school", "A05"],
  ["doctor", "A02"],
  ["money", "A00"],
  ["noise", "B01"],
  ["loyer", "A03"],
  ["médecin", "A02"],
  ["rent", "A03"],
  ["hospital", "A02"],
  ["family", "D00"],
  ["neighbours", "D00"],
  ["loneliness", "D00"],
  ["salary", "A06"],
  ["unemployment", "A06"],
  ["heating", "A03"],
  ["internet", "A11"],
  ["safety", "B00"],
  ["sport", "A07"],
  ["holidays", "A07"],
  ["déchets", "B01"],
  ["clothes", "A04"],
  ["happiness", "G00"],
  ["stress", "F00"],
  ["confiance", "G00"],
  ["bénévolat", "H00"],
  ["mairie", "C00"],
  ["racisme", "E00"],
  ["autocarro", "B02"],
  ["ospedale", "A02"],
  ["طبيب", "A02"],
];

describe("grid search", () => {
  for (const [name, grid] of Object.entries(grids)) {
    const search = createGridSearch(grid);
    const codes = (q: string) => search.search(q).map((entry) => entry.code);

    it(`finds the 33 everyday words, first, in the ${name} grid`, () => {
      expect(EVERYDAY).toHaveLength(33);
      const missed = EVERYDAY.filter(([word, code]) => codes(word)[0] !== code).map(
        ([word, code]) => `${word} → ${code} (found ${codes(word).join(" ") || "nothing"})`,
      );
      expect(missed).toEqual([]);
    });
  }

  const search = createGridSearch(defaultGrid);
  const codes = (q: string) => search.search(q).map((entry) => entry.code);

  it("ignores case and accents, and compares stems (plurals, other forms)", () => {
    for (const q of ["médecin", "MEDECIN", "Médecins", "medecins"]) expect(codes(q)[0]).toBe("A02");
    expect(codes("logements")).toEqual(["A03"]);
    expect(codes("Transports")).toEqual(["B02"]);
    expect(codes("écoles")[0]).toBe("A05");
    expect(codes("amigos")).toEqual(["D00"]);
  });

  it("searches labels in every language, descriptions and keywords", () => {
    // Portuguese label, found as written before fr "habits" (A04), whose stem it shares.
    expect(codes("Habitação")[0]).toBe("A03");
    expect(codes("vivienda")).toEqual(["A03"]); // Spanish label
    expect(codes("abbigliamento")).toEqual(["A04"]); // Italian label
    expect(codes("surgery")).toEqual(["A02"]); // English description
    expect(codes("relations personnelles")).toEqual(["D00"]); // a dimension's label → X00
  });

  it("needs every word of the query, and ranks labels and keywords before descriptions", () => {
    expect(codes("health care")).toEqual(["A02"]);
    expect(codes("bus médecin")).toEqual([]);
    expect(codes("zzzz")).toEqual([]);
    expect(codes("pollu")).toEqual(["B01"]); // the beginning of a word, for typing
    expect(codes("of the")).toEqual([]); // stop words alone find nothing
  });

  it("takes codes in any case, listing the components they start", () => {
    expect(codes("a03")).toEqual(["A03"]);
    expect(codes("A0")).toEqual(["A00", "A01", "A02", "A03", "A04", "A05", "A06", "A07", "A09"]);
    expect(codes("b0")).toEqual(["B00", "B01", "B02"]);
    expect(codes("a01/p15/k")).toEqual(["A01"]);
    expect(codes("")).toHaveLength(defaultGrid.components.length);
  });
});

describe("grid keywords and labels in more languages", () => {
  it("are part of the grid data, marked as translations to review", () => {
    expect(defaultGrid.entry("A03")?.keywords.fr).toContain("loyer");
    expect(defaultGrid.entry("A03")?.label.pt).toBe("Habitação / mobiliário");
    expect(defaultGrid.entry("D")?.label.ar).toBe("العلاقات الشخصية");
    expect(defaultGrid.file.translation_status).toEqual({
      pt: "to-review",
      es: "to-review",
      it: "to-review",
      ar: "to-review",
    });
    // Every language labels every entry of both grids.
    for (const grid of Object.values(grids)) {
      for (const entry of [...grid.dimensions, ...grid.components]) {
        for (const lang of GRID_LANGUAGES) expect(entry.label[lang], entry.code).not.toBe("");
      }
    }
  });

  it("shows the English label for a language a grid does not give", () => {
    const file = structuredClone(defaultGrid.file) as GridFile;
    const a = file.dimensions[0];
    if (!a) throw new Error("no dimension A");
    delete a.pt;
    expect(loadGrid(file).entry("A")?.label.pt).toBe(a.en);
  });

  it("refuses keywords that are not lists of words per known language", () => {
    const broken = (keywords: unknown) => {
      const file = structuredClone(defaultGrid.file) as GridFile & Record<string, unknown>;
      const component = file.dimensions[0]?.components[0] as Record<string, unknown>;
      component.keywords = keywords;
      return () => loadGrid(file);
    };
    expect(broken({ xx: ["bus"] })).toThrow(GridError);
    expect(broken({ fr: "bus" })).toThrow(/dimensions\.0\.components\.0\.keywords\.fr/);
    expect(broken({ fr: [""] })).toThrow(GridError);
    expect(broken({ fr: ["bus"] })).not.toThrow();
  });
});
