import { type MessageKey, translator } from "@spiral-network/admin-ui/i18n";
import grid from "@spiral-network/protocol/grids/grid-spiral-9d.json" with { type: "json" };
import { describe, expect, it } from "vitest";

describe("workspace wording", () => {
  it("names the network the same way in the workspace and on the public pages", () => {
    for (const lang of ["en", "fr"] as const) {
      const t = translator(lang);
      expect(t("app.node"), lang).toBe(t("public.site"));
    }
  });

  it("puts a non-breaking space before a colon in French only", () => {
    expect(translator("en")("punct.colon")).toBe(":");
    expect(translator("fr")("punct.colon")).toBe("\u00a0:");
  });

  it("words Q1–Q4 as the grid data does, in every language", () => {
    for (const lang of ["en", "fr"] as const) {
      const t = translator(lang);
      for (const question of grid.questions) {
        // The grid notes that a territory may reword Q4: that note is not part of the question.
        const wording = question[lang].replace(/\s*\([^)]*\)\s*$/, "");
        expect(t(`question.${question.code}` as MessageKey), lang).toBe(
          `${question.code} — ${wording}`,
        );
      }
    }
  });
});
