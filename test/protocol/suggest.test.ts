import {
  buildSuggestionModel,
  defaultGrid,
  type LabelledText,
  stemWord,
  textWords,
} from "@spiral-network/protocol";
import { describe, expect, it } from "vitest";

const VALIDATED: LabelledText[] = [
  { id: 1, text: "Un logement trop petit pour la famille", component: "A03" },
  { id: 2, text: "Payer le loyer du logement chaque mois", component: "A03" },
  { id: 3, text: "Trouver un emploi stable", component: "A06" },
  { id: 4, text: "Des voisins qui se parlent dans la cage d'escalier", component: "D00" },
  { id: 5, text: "Manger à sa faim tous les jours", component: "A01" },
  { id: 6, text: "Le bus passe trop rarement le dimanche", component: "B02" },
];
const codes = (suggestions: { component: string }[]) => suggestions.map((s) => s.component);

describe("words", () => {
  it("folds case and accents, drops short and stop words, stems plurals and suffixes", () => {
    expect(textWords("Les LOGEMENTS décents, et le logement")).toEqual(["log", "decen"]);
    expect(textWords("the houses and a house")).toEqual(["hous"]);
    expect(textWords("Être écouté")).toEqual(["ecout"]);
    expect(textWords("à la de un")).toEqual([]);
    expect(stemWord("familles")).toBe(stemWord("famille"));
    expect(stemWord("family")).toBe(stemWord("famille"));
    // A stem keeps at least 3 letters.
    expect(stemWord("bus")).toBe("bus");
    expect(stemWord("ment")).toBe("ment");
  });
});

describe("suggestions from validated criteria", () => {
  const model = buildSuggestionModel(VALIDATED, defaultGrid.components);

  it("puts first the component of the validated criteria sharing words, with them as reason", () => {
    const [first, ...rest] = model.suggest("Un logement insalubre et un loyer trop cher");
    expect(first?.component).toBe("A03");
    expect(first?.because.map((b) => b.id)).toEqual([2, 1]);
    expect(first?.because[0]?.text).toBe("Payer le loyer du logement chaque mois");
    // "loyer" is one of the grid's keywords for A03, so it counts with the label's words.
    expect(first?.labelWords).toEqual(["logement", "loyer"]);
    expect(rest.every((s) => s.score < (first?.score ?? 0))).toBe(true);
    expect(model.size).toBe(VALIDATED.length);

    expect(codes(model.suggest("Avoir un emploi")).at(0)).toBe("A06");
    expect(codes(model.suggest("Les voisins sympas")).at(0)).toBe("D00");
  });

  it("ignores accents, case and plurals", () => {
    const plain = model.suggest("voisin qui parle");
    const marked = model.suggest("VOISINS qui se PARLÈRENT");
    expect(codes(plain)[0]).toBe("D00");
    expect(codes(marked)).toEqual(codes(plain));
    expect(marked[0]?.because.map((b) => b.id)).toEqual([4]);
  });

  it("returns at most `limit` components, best first, and nothing for unknown words", () => {
    const many = model.suggest("logement loyer emploi voisins manger bus", { limit: 10 });
    expect(many.length).toBeGreaterThan(3);
    expect(model.suggest("logement loyer emploi voisins manger bus")).toHaveLength(3);
    for (let i = 1; i < many.length; i += 1) {
      expect(many[i]?.score).toBeLessThanOrEqual(many[i - 1]?.score ?? 0);
    }
    expect(model.suggest("zzz qwerty")).toEqual([]);
    expect(model.suggest("")).toEqual([]);
  });

  it("orders ties by code, whatever the order of the validated criteria", () => {
    const tied: LabelledText[] = [
      { text: "Jardiner au potager partagé", component: "H00" },
      { text: "Jardiner au potager partagé", component: "B00" },
      { text: "Jardiner au potager partagé", component: "D00" },
    ];
    const forward = buildSuggestionModel(tied, []).suggest("jardiner au potager");
    const backward = buildSuggestionModel([...tied].reverse(), []).suggest("jardiner au potager");
    expect(codes(forward)).toEqual(["B00", "D00", "H00"]);
    expect(forward[0]?.score).toBe(forward[2]?.score);
    expect(codes(backward)).toEqual(codes(forward));
  });
});

describe("suggestions with no validated criteria", () => {
  const empty = buildSuggestionModel([], defaultGrid.components);

  it("fall back to the words of the grid labels, in English and French", () => {
    expect(empty.size).toBe(0);
    const housing = empty.suggest("Un logement décent");
    expect(codes(housing)).toEqual(["A03"]);
    expect(housing[0]?.because).toEqual([]);
    expect(housing[0]?.labelWords).toEqual(["logement"]);
    expect(codes(empty.suggest("Medicines cost too much"))[0]).toBe("A02");
    expect(codes(empty.suggest("Des soins de santé"))[0]).toBe("A02");
    expect(codes(empty.suggest("Pollution de l'air"))[0]).toBe("B01");
    expect(empty.suggest("Des potes")).toEqual([]);
  });

  it("weigh grid labels less than validated criteria", () => {
    // "formation" is in the label of A05, but a validated criterion says otherwise.
    const model = buildSuggestionModel(
      [{ text: "Une formation de secouriste pour aider les voisins", component: "H00" }],
      defaultGrid.components,
    );
    expect(codes(model.suggest("formation secouriste"))[0]).toBe("H00");
    expect(codes(model.suggest("formation"))).toContain("A05");
  });
});
