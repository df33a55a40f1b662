import type { Lang, Translate } from "@spiral-network/admin-ui/i18n";
import { groupCategoryLabel, POOLED_CATEGORY } from "@spiral-network/protocol";

/** A group category as the services list it (both languages). */
interface CategoryLabels {
  code: string;
  labelEn: string;
  labelFr: string;
}

/**
 * Names group categories in the page's language: the one place the workspace maps category rows
 * to labels (the pooled category reads "other"; an unknown code shows as itself).
 */
export function categoryLabeller(
  categories: readonly CategoryLabels[],
  t: Translate,
  lang: Lang,
): (code: string) => string {
  const labels = new Map(categories.map((c) => [c.code, groupCategoryLabel(c, lang)]));
  return (code) => (code === POOLED_CATEGORY ? t("category.other") : (labels.get(code) ?? code));
}
