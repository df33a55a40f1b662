import { translator } from "@spiral-network/admin-ui/i18n";
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
});
