import {
  LANGUAGES,
  languageAreas,
  languageInfo,
  MESSAGE_KEYS,
  pickLanguage,
  translator,
} from "@spiral-network/admin-ui/i18n";
import { describe, expect, it } from "vitest";

/** The placeholders of a string, sorted: `{name}`, `{count}`. */
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("interface languages", () => {
  it("offers English, French, Portuguese, Spanish, Italian and Arabic, Arabic right to left", () => {
    expect([...LANGUAGES].sort()).toEqual(["ar", "en", "es", "fr", "it", "pt"]);
    expect(LANGUAGES.filter((lang) => languageInfo(lang).dir === "rtl")).toEqual(["ar"]);
    // The added languages are marked as translations to review; English and French are not.
    expect(LANGUAGES.filter((lang) => languageInfo(lang).toReview).sort()).toEqual([
      "ar",
      "es",
      "it",
      "pt",
    ]);
  });

  it("keeps every placeholder of the English string in each translation, and no string empty", () => {
    const en = translator("en");
    for (const lang of LANGUAGES) {
      const t = translator(lang);
      for (const key of MESSAGE_KEYS) {
        expect(t(key).trim().length, `${lang} ${key}`).toBeGreaterThan(0);
        expect(placeholders(t(key)), `${lang} ${key}`).toEqual(placeholders(en(key)));
      }
    }
  });

  it("gives every area its own strings in each language, never the English object itself", () => {
    // An integration placeholder (`meetings: meetings.en`) type-checks and keeps every
    // placeholder, so only its identity betrays it: the area would silently show English.
    const en = languageAreas("en");
    for (const lang of LANGUAGES.filter((code) => code !== "en")) {
      const areas = languageAreas(lang);
      for (const area of Object.keys(en) as (keyof typeof en)[]) {
        expect(areas[area], `${lang} ${area}`).not.toBe(en[area]);
      }
    }
  });

  it("takes the browser's language, by quality, regional variants included", () => {
    expect(pickLanguage(undefined, "pt-BR,pt;q=0.9,en;q=0.5")).toBe("pt");
    expect(pickLanguage(undefined, "de-DE, es-MX;q=0.8, en;q=0.6")).toBe("es");
    expect(pickLanguage(undefined, "ar-MA")).toBe("ar");
    expect(pickLanguage(undefined, "it;q=0.3, fr;q=0.7")).toBe("fr");
    expect(pickLanguage("it", "fr")).toBe("it");
    expect(pickLanguage("xx", "de")).toBe("en");
  });
});
