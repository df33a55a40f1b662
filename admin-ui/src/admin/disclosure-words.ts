import { AGE_BANDS, GENDER_BANDS } from "@spiral-network/protocol";
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
  m = ISOLATES.exec(blocker);
  if (m) {
    return t("blocker.isolates", {
      comparison: comparisonInWords(t, m[1] ?? ""),
      participants: number(m[2]),
      k: number(m[3]),
    });
  }
  m = /^a correction may only change classification counts: the groups behind (.+?) or their/.exec(
    blocker,
  );
  if (m) return t("blocker.correction", { version: versionInWords(t, m[1] ?? "") });
  return blocker;
}

/** The atom rule's reason (protocol/src/synthesis.ts isolationReason). */
const ISOLATES = /^(.+) would isolate (\d+) participant\(s\), fewer than k = (\d+)$/;

/** "version 2 of 2026-01-01/2026-12-31#cycle1" in the page language. */
function versionInWords(t: Translate, name: string): string {
  const m = /^version (\d+) of (\d{4}-\d{2}-\d{2})\/(\d{4}-\d{2}-\d{2})(?:#cycle(\d))?$/.exec(name);
  if (!m) return name;
  const range = t("isolation.range", { start: m[2] ?? "", end: m[3] ?? "" });
  const period = m[4] === undefined ? range : t("isolation.cycle", { range, cycle: m[4] });
  return t("isolation.name", { version: number(m[1]), period });
}

/** "comparing with version 1 of …" or "publishing it", as the start of a sentence. */
function comparisonInWords(t: Translate, comparison: string): string {
  const m = /^comparing with (.+)$/.exec(comparison);
  if (m) return t("isolation.version", { name: versionInWords(t, m[1] ?? "") });
  return comparison === "publishing it" ? t("isolation.none") : comparison;
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

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
    const isolated = ISOLATES.exec(withheld.reason.replace(/^folded into "other": /, ""));
    if (isolated && withheld.reason.startsWith('folded into "other": ')) {
      return t("withheld.foldedAtom", {
        category: categoryLabel(category),
        comparison: lowerFirst(comparisonInWords(t, isolated[1] ?? "")),
        participants: number(isolated[2]),
        k: number(isolated[3]),
      });
    }
  }
  const breakdown = ISOLATES.exec(withheld.reason.replace(/^not published: /, ""));
  if (withheld.what === "category breakdown" && breakdown) {
    return t("withheld.breakdown", {
      comparison: lowerFirst(comparisonInWords(t, breakdown[1] ?? "")),
      participants: number(breakdown[2]),
      k: number(breakdown[3]),
    });
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
  const marginAtom = /^(.+) would isolate margin cells under (\d+): (.+)$/.exec(withheld.reason);
  if (margin && marginAtom) {
    return t("withheld.marginAtom", {
      margin: t(`margin.${margin}`),
      comparison: lowerFirst(comparisonInWords(t, marginAtom[1] ?? "")),
      minimum: number(marginAtom[2]),
      cells: (marginAtom[3] ?? "")
        .split(", ")
        .map((band) => bandInWords(t, margin, band))
        .join(", "),
    });
  }
  return `${withheld.what}: ${withheld.reason}`;
}
