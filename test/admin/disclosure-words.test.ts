import { describe, expect, it } from "vitest";
import {
  bandInWords,
  blockerInWords,
  withheldInWords,
} from "../../admin-ui/src/admin/disclosure-words";
import { translator } from "../../admin-ui/src/i18n";
import { DEFAULT_POLICY, draftSynthesis, type GroupTally } from "../../protocol/src/index";

/** Drafts with the real disclosure rules, so a change of their wording fails here. */
const draft = (groups: GroupTally[], previousParticipants: number | null = null) =>
  draftSynthesis({
    territory: { id: "http://node.test/actors/t", name: "T", country: "FR" },
    period: { start: "2026-01-01", end: "2026-12-31" },
    grid: { id: "spiral-9d", version: "1" },
    groups,
    previous:
      previousParticipants === null
        ? null
        : { version: 1, hash: `sha256:${"0".repeat(64)}`, participants: previousParticipants },
    correction: false,
    policy: DEFAULT_POLICY,
  });

const tally = (category: string, participants: number, count = 1): GroupTally => ({
  category,
  participants,
  margins: { gender: { female: Math.min(participants, 7) } },
  counts: count > 0 ? [{ question: "Q1", component: "A01", count }] : [],
});

const blockers = [
  ...draft([]).blockers,
  ...draft([tally("parents", 3)]).blockers,
  ...draft([tally("parents", 10, 0)]).blockers,
  ...draft([tally("parents", 12)], 10).blockers,
];
const withheld = draft([
  tally("parents", 3),
  tally("elderly-people", 8),
  tally("young-people", 12),
]).withheld;

describe("disclosure reasons in plain words", () => {
  it("knows every reason the rules give (none falls back to the English sentence)", () => {
    expect(blockers).toHaveLength(5);
    expect(withheld.map((w) => w.what)).toEqual([
      "category parents",
      "category elderly-people",
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
