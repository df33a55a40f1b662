import type { Lang, Translate } from "../i18n";
import type { BarRow, BarSeries } from "./grouped-bar-chart";

/**
 * From counts to chart rows. Counts come as a matrix question → code → count, the shape of a
 * synthesis payload's `counts` (components) and `dimensions`, of each category breakdown, and of
 * the network figures; zero cells may be omitted. A series adds up one or more questions (e.g.
 * "actions" = Q3 + Q4).
 */

export type CountMatrix = Readonly<Partial<Record<string, Readonly<Record<string, number>>>>>;

export interface CountSeries extends BarSeries {
  /** The question codes this series adds up (e.g. ["Q3", "Q4"]). */
  questions: readonly string[];
}

export interface RowSpec {
  key: string;
  label: string;
}

const cell = (matrix: CountMatrix, question: string, code: string) => matrix[question]?.[code] ?? 0;

/**
 * One row per code (dimension or component), one value per series. With `omitEmpty`, rows whose
 * values are all zero are left out (e.g. the components nobody cited).
 */
export function codeRows(
  matrix: CountMatrix,
  rows: readonly RowSpec[],
  series: readonly CountSeries[],
  options: { omitEmpty?: boolean } = {},
): BarRow[] {
  return rows
    .map((row) => ({
      key: row.key,
      label: row.label,
      values: series.map((s) => s.questions.reduce((sum, q) => sum + cell(matrix, q, row.key), 0)),
    }))
    .filter((row) => !options.omitEmpty || row.values.some((v) => v > 0));
}

/** The total of one question over every code of the matrix. */
export function questionTotal(matrix: CountMatrix, question: string): number {
  return Object.values(matrix[question] ?? {}).reduce((a, b) => a + b, 0);
}

/** One row per group category (or any sub-population), its counts summed over all codes. */
export function breakdownRows(
  breakdowns: ReadonlyArray<RowSpec & { counts: CountMatrix }>,
  series: readonly CountSeries[],
): BarRow[] {
  return breakdowns.map((b) => ({
    key: b.key,
    label: b.label,
    values: series.map((s) => s.questions.reduce((sum, q) => sum + questionTotal(b.counts, q), 0)),
  }));
}

/** The sides of the SPIRAL questions, in the order the charts show them. */
export const SIDES = ["well-being", "ill-being", "action"] as const;
export type Side = (typeof SIDES)[number];

/**
 * The usual three series: well-being, ill-being and actions, each adding up the questions the
 * grid puts on that side (`grid.file.questions`: Q1 well-being, Q2 ill-being, Q3 and Q4 action).
 */
export function seriesBySide(
  questions: ReadonlyArray<{ code: string; side: Side }>,
  labels: Record<Side, string>,
): CountSeries[] {
  return SIDES.map((side) => ({
    key: side,
    label: labels[side],
    questions: questions.filter((q) => q.side === side).map((q) => q.code),
  }));
}

/** The three series of every count chart (well-being, ill-being, actions), labelled once here. */
export const sideSeries = (
  questions: ReadonlyArray<{ code: string; side: Side }>,
  t: Translate,
): CountSeries[] =>
  seriesBySide(questions, {
    "well-being": t("synthesis.series.wellBeing"),
    "ill-being": t("synthesis.series.illBeing"),
    action: t("synthesis.series.actions"),
  });

/** Rows for grid entries (dimensions or components), labelled "A01 · label" in the page language. */
export function gridRows(
  entries: ReadonlyArray<{
    code: string;
    label: Readonly<Record<Lang, string>>;
    /** false: the grid version has no name for it (its label is a stand-in). */
    named?: boolean;
  }>,
  lang: Lang,
  /** What an entry without a name reads ("not named in this grid version"). */
  notNamed?: string,
): RowSpec[] {
  return entries.map((e) => ({
    key: e.code,
    label: `${e.code} · ${e.named === false && notNamed ? notNamed : e.label[lang]}`,
  }));
}
