import type { Lang, Translate } from "@spiral-network/admin-ui/i18n";
import type { Grid } from "@spiral-network/protocol";

/**
 * Names grid codes for people, honestly: an entry whose name the grid does not have (or a code
 * this grid version does not hold) reads "not named in this grid version" instead of a stand-in;
 * provisional entries say so. A group of codes counted together across grid versions (`A01+A12`)
 * is named by its members; a dimension letter by its dimension.
 */
export function gridLabeller(
  grid: Grid,
  t: Translate,
  lang: Lang,
  options: {
    markProvisional?: boolean;
    /** Other grid versions known here: a code this grid lacks is named from the newest that has it. */
    known?: readonly Grid[];
  } = {},
): (code: string) => string {
  const others = [...(options.known ?? [])].reverse();
  const one = (code: string) => {
    const entry = grid.entry(code) ?? others.find((g) => g.entry(code))?.entry(code);
    if (!entry?.named) return t("grid.notNamed");
    const label = lang === "fr" ? entry.label.fr : entry.label.en;
    return options.markProvisional && entry.provisional
      ? `${label} (${t("grid.provisional")})`
      : label;
  };
  return (code) => (code.includes("+") ? code.split("+").map(one).join(" + ") : one(code));
}
