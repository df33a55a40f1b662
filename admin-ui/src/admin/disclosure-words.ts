import { AGE_BANDS, GENDER_BANDS } from "../../../protocol/src/vocabulary";
import type { Translate } from "../i18n";

/**
 * The disclosure rules (protocol/src/disclosure.ts, synthesis.ts) give their reasons as English
 * sentences. The preview says them in plain words in the page language; a sentence this file
 * does not know is shown as it came, so a new rule is never hidden.
 */

const number = (text: string | undefined) => Number(text ?? "0");

/**
 * A margin's cell (a gender or age band, or "unrecorded") in the page language; a band this
 * file does not know is shown as it came.
 */
export function bandInWords(t: Translate, margin: "gender" | "age", band: string): string {
  if (band === "unrecorded") return t("margin.unrecorded");
  if (margin === "gender" && (GENDER_BANDS as readonly string[]).includes(band)) {
    return t(`gender.${band as (typeof GENDER_BANDS)[number]}`);
  }
  if (margin === "age" && (AGE_BANDS as readonly string[]).includes(band)) {
    return t(`age.${band as (typeof AGE_BANDS)[number]}`);
  }
  return band;
}

/** Why a synthesis cannot be published, in the page language. */
export function blockerInWords(t: Translate, blocker: string): string {
  if (blocker === "no group in this period has validated criteria") return t("blocker.noGroups");
  if (blocker === "no validated criteria to publish") return t("blocker.noCriteria");
  let m = /^the period has (\d+) participant\(s\); at least k = (\d+) are needed$/.exec(blocker);
  if (m) return t("blocker.fewParticipants", { participants: number(m[1]), k: number(m[2]) });
  m = /^a new version must add at least k = (\d+) participants \(it adds (-?\d+)\)/.exec(blocker);
  if (m) return t("blocker.versionRule", { k: number(m[1]), added: number(m[2]) });
  return blocker;
}

/** What the payload holds back and why, in the page language. */
export function withheldInWords(
  t: Translate,
  withheld: { what: string; reason: string },
  categoryLabel: (code: string) => string,
): string {
  const category = /^category (.+)$/.exec(withheld.what)?.[1];
  if (category !== undefined) {
    const pooled = /^(\d+) participant\(s\), fewer than k = (\d+)/.exec(withheld.reason);
    if (pooled) {
      return t("withheld.pooled", {
        category: categoryLabel(category),
        participants: number(pooled[1]),
        k: number(pooled[2]),
      });
    }
    const folded = /^folded into "other" so that "other" holds at least k = (\d+)/.exec(
      withheld.reason,
    );
    if (folded) {
      return t("withheld.folded", { category: categoryLabel(category), k: number(folded[1]) });
    }
  }
  const margin = /^(gender|age) margin$/.exec(withheld.what)?.[1] as "gender" | "age" | undefined;
  const cells = /^cells under (\d+): (.+)$/.exec(withheld.reason);
  if (margin && cells) {
    return t("withheld.margin", {
      margin: t(`margin.${margin}`),
      minimum: number(cells[1]),
      cells: (cells[2] ?? "")
        .split(", ")
        .map((band) => bandInWords(t, margin, band))
        .join(", "),
    });
  }
  return `${withheld.what}: ${withheld.reason}`;
}
