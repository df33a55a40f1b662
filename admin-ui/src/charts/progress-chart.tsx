import type { Translate } from "../i18n";
import { GroupedBarChart } from "./grouped-bar-chart";

/** Level counts of one path in one campaign (or one scope of network figures). */
export interface LevelCountsView {
  "1": number;
  "2": number;
  "3": number;
  "4": number;
  "5": number;
  dontKnow: number;
}

const LEVEL_KEYS = ["1", "2", "3", "4", "5"] as const;

/** "46 %" in the page's language (a non-breaking space before % in both). */
export const percentText = (share: number | null) =>
  share === null ? "–" : `${Math.round(share * 100)}\u00a0%`;

/**
 * The distribution over the five levels (and "don't know") of one path, one bar per series: a
 * campaign, or ex-ante beside ex-post. With `shares`, each series shows the share of those who
 * answered at each level, so campaigns of different sizes compare ("don't know" is left out).
 * Readable without colour: every bar carries its series name and value, and a table follows.
 */
export function ProgressChart(props: {
  id: string;
  t: Translate;
  title: string;
  series: ReadonlyArray<{ label: string; counts: LevelCountsView }>;
  shares?: boolean;
}) {
  const { t, series } = props;
  const shares = props.shares ?? false;
  const answered = series.map((s) => LEVEL_KEYS.reduce((sum, key) => sum + s.counts[key], 0));
  const value = (index: number, key: (typeof LEVEL_KEYS)[number] | "dontKnow") => {
    const counts = (series[index] as { counts: LevelCountsView }).counts;
    if (!shares) return counts[key];
    const total = answered[index] ?? 0;
    return total === 0 ? 0 : counts[key] / total;
  };
  const keys = shares ? LEVEL_KEYS : ([...LEVEL_KEYS, "dontKnow"] as const);
  const rows = keys.map((key) => ({
    key,
    label: t(key === "dontKnow" ? "progress.level.dk" : `progress.level.${key}`),
    values: series.map((_, index) => value(index, key)),
  }));
  const empty = answered.every((n) => n === 0) && series.every((s) => s.counts.dontKnow === 0);
  return (
    <GroupedBarChart
      id={props.id}
      title={props.title}
      description={t(shares ? "progress.compare.help" : "progress.chart.desc")}
      series={series.map((s, index) => ({ key: String(index), label: s.label }))}
      rows={empty ? [] : rows}
      rowHeader={t("progress.chart.level")}
      tableLabel={t("progress.chart.table")}
      emptyText={t("progress.chart.empty")}
      {...(shares ? { formatValue: (v: number) => percentText(v) } : {})}
    />
  );
}
