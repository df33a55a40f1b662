import { groupCategoryLabel, POOLED_CATEGORY } from "@spiral-network/protocol";
import type { Lang, Translate } from "./i18n";

/** A choice of a form or a filter: a code and its label in the page's language. */
export interface CodeLabel {
  code: string;
  label: string;
}

/** A group category as the node keeps it: its label in each language it has. */
export interface CategoryNames {
  code: string;
  labelEn: string;
  labelFr: string;
}

/** A category's label in the page's language (the one place that picks it). */
export const categoryName = (category: CategoryNames, lang: Lang): string =>
  groupCategoryLabel(category, lang);

/** The categories as choices of a form, labelled in the page's language. */
export const categoryChoices = (categories: readonly CategoryNames[], lang: Lang): CodeLabel[] =>
  categories.map((category) => ({ code: category.code, label: categoryName(category, lang) }));

/**
 * Names group categories in the page's language: the pooled category reads "other", an unknown
 * code shows as itself.
 */
export function categoryLabeller(
  categories: readonly CategoryNames[],
  t: Translate,
  lang: Lang,
): (code: string) => string {
  const labels = new Map(categoryChoices(categories, lang).map((c) => [c.code, c.label]));
  return (code) => (code === POOLED_CATEGORY ? t("category.other") : (labels.get(code) ?? code));
}
