import type { Translate } from "../i18n";
import { type BarRow, type BarSeries, GroupedBarChart } from "./grouped-bar-chart";

/**
 * The usual charts of a synthesis: per dimension, per component (optional) and per group
 * category, each with well-being, ill-being and actions side by side. Rows come from
 * `codeRows` / `breakdownRows` (count-rows.ts), so a local synthesis, a received payload or
 * network figures draw the same way.
 */
export function SynthesisCharts(props: {
  t: Translate;
  /** Prefix of the chart ids, unique on the page. */
  id: string;
  series: readonly BarSeries[];
  dimensions: readonly BarRow[];
  components?: readonly BarRow[] | undefined;
  /** Absent: no category section (e.g. a received synthesis that publishes no breakdown). */
  categories?: readonly BarRow[] | undefined;
  /** Heading level of the chart headings. */
  level?: 2 | 3;
}) {
  const { t, series } = props;
  const Heading = props.level === 3 ? "h3" : "h2";
  const chart = (
    key: "dimensions" | "components" | "categories",
    rows: readonly BarRow[],
    rowHeader: string,
  ) => (
    <GroupedBarChart
      id={`${props.id}-${key}`}
      title={t(`synthesis.chart.${key}.title`)}
      description={t(`synthesis.chart.${key}.desc`)}
      series={series}
      rows={rows}
      rowHeader={rowHeader}
      tableLabel={t("synthesis.table")}
      emptyText={t("synthesis.empty")}
    />
  );
  return (
    <>
      <Heading>{t("synthesis.byDimension")}</Heading>
      {chart("dimensions", props.dimensions, t("synthesis.col.dimension"))}
      {props.components ? (
        <>
          <Heading>{t("synthesis.byComponent")}</Heading>
          {chart("components", props.components, t("synthesis.col.component"))}
        </>
      ) : null}
      {props.categories ? (
        <>
          <Heading>{t("synthesis.byCategory")}</Heading>
          {chart("categories", props.categories, t("synthesis.col.category"))}
        </>
      ) : null}
    </>
  );
}
