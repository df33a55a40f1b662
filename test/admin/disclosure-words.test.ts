import {
  bandInWords,
  blockerInWords,
  withheldInWords,
} from "@spiral-network/admin-ui/admin/disclosure-words";
import { translator } from "@spiral-network/admin-ui/i18n";
import {
  DEFAULT_POLICY,
  draftSynthesis,
  type GroupTally,
  type LedgerVersion,
  type Period,
} from "@spiral-network/protocol";
import { describe, expect, it } from "vitest";

/** Drafts with the real disclosure rules, so a change of their wording fails here. */
const draft = (
  groups: GroupTally[],
  options: { history?: LedgerVersion[]; correction?: boolean; period?: Period } = {},
) =>
  draftSynthesis({
    territory: { id: "http://node.test/actors/t", name: "T", country: "FR" },
    period: options.period ?? { start: "2026-01-01", end: "2026-12-31" },
    grid: { id: "spiral-9d", version: "1" },
    groups,
    previous: options.history?.length ? { version: 1, hash: `sha256:${"0".repeat(64)}` } : null,
    correction: options.correction ?? false,
    policy: DEFAULT_POLICY,
    ...(options.history ? { history: options.history } : {}),
  });

const tally = (category: string, participants: number, count = 1, id?: number): GroupTally => ({
  ...(id === undefined ? {} : { id }),
  category,
  participants,
  margins: { gender: { female: Math.min(participants, 7) } },
  counts: count > 0 ? [{ question: "Q1", component: "A01", count }] : [],
});

/** Version 1 of the year, as the ledger holds it, with the groups given. */
const published = (...groups: GroupTally[]): LedgerVersion[] => [
  {
    periodKey: "2026-01-01/2026-12-31",
    version: 1,
    margins: ["gender", "age"],
    groups: draft(groups).ledger,
  },
];
const tenParents = tally("parents", 10, 1, 1);
const threeYoung = tally("young-people", 3, 1, 2);
const history = published(tenParents, threeYoung);

const blockers = [
  ...draft([]).blockers,
  ...draft([tally("parents", 3)]).blockers,
  ...draft([tally("parents", 10, 0)]).blockers,
  // A new small group: comparing with version 1 would isolate it.
  ...draft([tenParents, threeYoung, tally("farmers", 2, 1, 3)], { history }).blockers,
  // A correction that adds a group.
  ...draft([tenParents, threeYoung, tally("farmers", 20, 1, 3)], { history, correction: true })
    .blockers,
];
const group = (
  id: number,
  category: string,
  participants: number,
  margins?: GroupTally["margins"],
): GroupTally => ({
  id,
  category,
  participants,
  ...(margins ? { margins } : {}),
  counts: [{ question: "Q1", component: "A01", count: 1 }],
});
// "other" held parents 3, farmers 3, students 3; five more parents would take "parents" out of it.
const otherBefore = [
  group(11, "young-people", 10),
  group(12, "parents", 3),
  group(13, "farmers", 3),
  group(14, "students", 3),
];
const mixed = { female: 10, male: 10 };
const withheld = [
  ...draft([tally("parents", 3), tally("elderly-people", 8), tally("young-people", 12)]).withheld,
  ...draft([...otherBefore, group(15, "parents", 5)], { history: published(...otherBefore) })
    .withheld,
  // Version 1 had no breakdown: any breakdown now would isolate the 3 young people.
  ...draft([tenParents, threeYoung, tally("young-people", 5, 1, 4)], { history }).withheld,
  // Version 1 carried the gender margin of 20 people: with 7 more, the difference is their split.
  ...draft(
    [
      group(21, "parents", 20, { gender: mixed }),
      group(22, "parents", 7, { gender: { female: 3, male: 4 } }),
    ],
    {
      history: published(group(21, "parents", 20, { gender: mixed })),
    },
  ).withheld,
];

describe("disclosure reasons in plain words", () => {
  it("knows every reason the rules give (none falls back to the English sentence)", () => {
    expect(blockers).toHaveLength(6);
    expect(withheld.map((w) => w.what)).toEqual([
      "category parents",
      "category elderly-people",
      "gender margin",
      "category farmers",
      "category students",
      "category parents",
      "category breakdown",
      "gender margin",
      "gender margin",
    ]);
    for (const lang of ["en", "fr"] as const) {
      const t = translator(lang);
      for (const blocker of blockers) expect(blockerInWords(t, blocker)).not.toBe(blocker);
      for (const w of withheld) {
        expect(withheldInWords(t, w, (code) => code.toUpperCase())).not.toContain(w.reason);
      }
    }
  });

  it("carries the numbers of the rule into the sentence", () => {
    const t = translator("fr");
    expect(blockers.map((b) => blockerInWords(t, b))).toContain(
      "La période compte 3 participant(s) ; il en faut au moins k = 5 pour que personne ne puisse être reconnu.",
    );
    expect(withheldInWords(t, withheld[0] ?? { what: "", reason: "" }, () => "Parents")).toBe(
      "Catégorie « Parents » : 3 participant(s), moins que k = 5. Ses critères sont comptés dans « autre ».",
    );
  });

  it("names the margin's small cells in the page language, not by their codes", () => {
    const t = translator("fr");
    const margin = { what: "age margin", reason: "cells under 10: under-18, 30-44, unrecorded" };
    expect(withheldInWords(t, margin, (c) => c)).toBe(
      "Marge âge non publiée : certaines cases comptent moins de 10 personnes (Moins de 18 ans, 30–44 ans, non renseigné).",
    );
    expect(bandInWords(translator("en"), "gender", "other-or-undisclosed")).toBe(
      "Other or not said",
    );
    expect(bandInWords(t, "gender", "a band added later")).toBe("a band added later");
  });

  it("shows an unknown reason as it came", () => {
    const t = translator("en");
    expect(blockerInWords(t, "a rule added later")).toBe("a rule added later");
    expect(withheldInWords(t, { what: "age margin", reason: "new reason" }, (c) => c)).toBe(
      "age margin: new reason",
    );
  });
});

describe("the atom rule in plain words", () => {
  it("names the version compared with, its period and what it would isolate, in en and fr", () => {
    const isolate = blockers[4] ?? "";
    const correction = blockers[5] ?? "";
    expect(blockerInWords(translator("en"), isolate)).toBe(
      "Comparing it with version 1 (2026-01-01 to 2026-12-31) would single out 2 participant(s), fewer than k = 5: by subtracting one from the other, anyone could read what this small group said. Wait for more groups, or choose another period.",
    );
    expect(blockerInWords(translator("fr"), isolate)).toBe(
      "La comparer avec la version 1 (du 2026-01-01 au 2026-12-31) isolerait 2 participant(s), moins que k = 5 : en soustrayant l'une de l'autre, n'importe qui lirait ce qu'a dit ce petit groupe. Attendez d'autres groupes, ou choisissez une autre période.",
    );
    expect(blockerInWords(translator("fr"), correction)).toBe(
      "Une correction ne peut changer que le classement des critères, or depuis la version 1 (du 2026-01-01 au 2026-12-31) des groupes ont été ajoutés, retirés ou modifiés (participants, catégorie ou marges). Publiez-la comme une nouvelle version.",
    );
    const cycle =
      "comparing with version 3 of 2026-01-01/2026-12-31#cycle2 would isolate 4 participant(s), fewer than k = 5";
    expect(blockerInWords(translator("en"), cycle)).toMatch(
      /^Comparing it with version 3 \(2026-01-01 to 2026-12-31, cycle 2\) would single out 4 participant/,
    );
  });

  it("says why a category, the breakdown or a margin is held back", () => {
    const en = translator("en");
    const fr = translator("fr");
    const label = (code: string) => (code === "parents" ? "Parents" : code);
    const [folded, breakdown, , margin] = withheld.slice(5);
    expect(withheldInWords(en, folded ?? { what: "", reason: "" }, label)).toBe(
      "Category “Parents”: counted in “other”. Shown on its own, comparing it with version 1 (2026-01-01 to 2026-12-31) would single out 3 participant(s) (fewer than k = 5).",
    );
    expect(withheldInWords(fr, breakdown ?? { what: "", reason: "" }, label)).toBe(
      "Pas de répartition par catégorie. Avec elle, la comparer avec la version 1 (du 2026-01-01 au 2026-12-31) isolerait 3 participant(s) (moins que k = 5).",
    );
    expect(withheldInWords(fr, margin ?? { what: "", reason: "" }, label)).toBe(
      "Marge genre non publiée : la comparer avec la version 1 (du 2026-01-01 au 2026-12-31) isolerait des cases de moins de 10 personnes (Femmes, Hommes).",
    );
  });
});
