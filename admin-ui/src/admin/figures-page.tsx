import { type CountMatrix, type CountSeries, codeRows, questionTotal } from "../charts/count-rows";
import { GroupedBarChart } from "../charts/grouped-bar-chart";
import {
  CoverageView,
  DownloadLinks,
  FIGURE_STYLE,
  FigureSummary,
  type FigureView,
  type FilterChoices,
  FilterFields,
  type FilterForm,
  percent,
  QuestionTables,
} from "../figures-view";
import type { Lang, Translate } from "../i18n";
import type { CodeLabel } from "../labels";
import { AdminLayout, type SignedIn } from "./layout";

/** One filter set and what it gave: a figure, or the problems of its filters. */
export interface ScopeResult {
  form: FilterForm;
  figure?: FigureView | undefined;
  problems: string[];
  csvUrl?: string | undefined;
  jsonUrl?: string | undefined;
}

export interface FiguresExplorerProps {
  t: Translate;
  lang: Lang;
  user: SignedIn | undefined;
  path: string;
  choices: FilterChoices;
  a: ScopeResult;
  /** The second scope, when comparing. */
  b?: ScopeResult | undefined;
  /** The query of scope A alone (the link that ends a comparison). */
  aloneUrl: string;
  /** The grid's dimensions and components in the page language, in grid order. */
  dimensions: CodeLabel[];
  components: CodeLabel[];
  /** Which questions make each side of the charts (from the grid). */
  sides: Array<{ key: string; label: string; questions: string[] }>;
}

/** The series of the charts: well-being, ill-being, actions (questions added up per side). */
const seriesOf = (sides: FiguresExplorerProps["sides"]): CountSeries[] =>
  sides.map((s) => ({ key: s.key, label: s.label, questions: s.questions }));

const share = (part: number, whole: number) =>
  whole > 0 ? Math.round((1000 * part) / whole) / 10 : 0;

/** The workspace's aggregates explorer: filters, figures, charts, coverage, comparison. */
export function FiguresExplorerPage(props: FiguresExplorerProps) {
  const { t, lang, a, b } = props;
  const series = seriesOf(props.sides);
  const dimensionRows = (figure: FigureView) =>
    codeRows(
      figure.dimensions,
      props.dimensions.map((d) => ({ key: d.code, label: `${d.code} · ${d.label}` })),
      series,
      { omitEmpty: true },
    );
  const componentRows = (figure: FigureView) =>
    codeRows(
      figure.counts,
      props.components.map((d) => ({ key: d.code, label: `${d.code} · ${d.label}` })),
      series,
      { omitEmpty: true },
    );
  const labels = Object.fromEntries(
    [...props.dimensions, ...props.components].map((d) => [d.code, d.label]),
  );
  return (
    <AdminLayout t={t} lang={lang} title={t("figures.title")} path={props.path} user={props.user}>
      <style>{FIGURE_STYLE}</style>
      <p>{t("figures.intro")}</p>
      <p>
        <a href="/admin/progress/figures">{t("progress.figures")}</a>
      </p>
      <form class="figures" method="get" action="/admin/figures">
        <FilterFields
          t={t}
          lang={lang}
          legend={b ? t("figures.scopeA") : t("figures.filters")}
          form={a.form}
          choices={props.choices}
        />
        {b ? (
          <>
            <input type="hidden" name="compare" value="1" />
            <FilterFields
              t={t}
              lang={lang}
              legend={t("figures.scopeB")}
              prefix="b_"
              form={b.form}
              choices={props.choices}
            />
          </>
        ) : null}
        <p>
          <button type="submit" class="primary">
            {t("figures.apply")}
          </button>{" "}
          {b ? (
            <a href={props.aloneUrl}>{t("figures.compare.off")}</a>
          ) : (
            <button type="submit" name="compare" value="1">
              {t("figures.compare")}
            </button>
          )}
        </p>
      </form>
      {b ? (
        <Comparison {...props} a={a} b={b} series={series} labels={labels} />
      ) : (
        <Single
          t={t}
          lang={lang}
          scope={a}
          dimensionRows={dimensionRows}
          componentRows={componentRows}
          series={series}
        />
      )}
    </AdminLayout>
  );
}

function Problems(props: { t: Translate; problems: string[] }) {
  return props.problems.length > 0 ? (
    <div class="error-summary" role="alert">
      <p>{props.t("figures.invalid")}</p>
      <ul>
        {props.problems.map((p) => (
          <li>{p}</li>
        ))}
      </ul>
    </div>
  ) : null;
}

function Single(props: {
  t: Translate;
  lang: Lang;
  scope: ScopeResult;
  series: CountSeries[];
  dimensionRows: (figure: FigureView) => ReturnType<typeof codeRows>;
  componentRows: (figure: FigureView) => ReturnType<typeof codeRows>;
}) {
  const { t, lang, scope } = props;
  const figure = scope.figure;
  if (!figure) return <Problems t={t} problems={scope.problems} />;
  const components = props.componentRows(figure);
  return (
    <>
      <FigureSummary t={t} lang={lang} figure={figure} />
      {scope.csvUrl && scope.jsonUrl ? (
        <DownloadLinks t={t} csvUrl={scope.csvUrl} jsonUrl={scope.jsonUrl} />
      ) : null}
      <h2>{t("figures.byDimension")}</h2>
      <GroupedBarChart
        id="figures-dimensions"
        title={t("figures.byDimension")}
        description={t("figures.chart.desc")}
        series={props.series}
        rows={props.dimensionRows(figure)}
        rowHeader={t("figures.dimension")}
        tableLabel={t("figures.chart.table")}
        emptyText={t("figures.empty")}
      />
      <h2>{t("figures.byComponent")}</h2>
      <details>
        <summary>{t("figures.components.show", { count: components.length })}</summary>
        <GroupedBarChart
          id="figures-components"
          title={t("figures.byComponent")}
          description={t("figures.chart.desc")}
          series={props.series}
          rows={components}
          rowHeader={t("figures.component")}
          tableLabel={t("figures.chart.table")}
          emptyText={t("figures.empty")}
        />
      </details>
      <CoverageView t={t} lang={lang} figure={figure} />
    </>
  );
}

/** Two scopes side by side: size, fingerprint and coverage of each; shares per dimension. */
function Comparison(
  props: FiguresExplorerProps & {
    b: ScopeResult;
    series: CountSeries[];
    labels: Record<string, string>;
  },
) {
  const { t, lang, a, b } = props;
  const scopes = [
    { key: "a", name: t("figures.scopeA"), scope: a },
    { key: "b", name: t("figures.scopeB"), scope: b },
  ];
  const both = a.figure && b.figure ? { a: a.figure, b: b.figure } : undefined;
  return (
    <>
      <div class="compare">
        {scopes.map(({ key, name, scope }) => (
          <section aria-labelledby={`scope-${key}`}>
            <h2 id={`scope-${key}`}>{name}</h2>
            {scope.figure ? (
              <>
                <FigureSummary t={t} lang={lang} figure={scope.figure} />
                {scope.csvUrl && scope.jsonUrl ? (
                  <DownloadLinks t={t} csvUrl={scope.csvUrl} jsonUrl={scope.jsonUrl} />
                ) : null}
              </>
            ) : (
              <Problems t={t} problems={scope.problems} />
            )}
          </section>
        ))}
      </div>
      {both ? (
        <>
          <h2>{t("figures.byDimension")}</h2>
          <p class="muted">{t("figures.compare.shares")}</p>
          {props.series.map((side) => {
            const cells = (figure: FigureView) => figure.dimensions as CountMatrix;
            const total = (figure: FigureView) =>
              side.questions.reduce((n, q) => n + questionTotal(cells(figure), q), 0);
            const totals = { a: total(both.a), b: total(both.b) };
            const sum = (figure: FigureView, code: string) =>
              side.questions.reduce((n, q) => n + (cells(figure)[q]?.[code] ?? 0), 0);
            const rows = props.dimensions
              .map((d) => ({
                key: d.code,
                label: `${d.code} · ${d.label}`,
                values: [
                  share(sum(both.a, d.code), totals.a),
                  share(sum(both.b, d.code), totals.b),
                ],
              }))
              .filter((row) => row.values.some((v) => v > 0));
            return (
              <section>
                <h3>{side.label}</h3>
                <GroupedBarChart
                  id={`compare-${side.key}`}
                  title={t("figures.compare.chart", { side: side.label })}
                  description={t("figures.compare.shares")}
                  series={[
                    { key: "a", label: t("figures.scopeA") },
                    { key: "b", label: t("figures.scopeB") },
                  ]}
                  rows={rows}
                  rowHeader={t("figures.dimension")}
                  tableLabel={t("figures.chart.table")}
                  emptyText={t("figures.empty")}
                  formatValue={(value) => percent(value, lang)}
                />
              </section>
            );
          })}
          <h2>{t("figures.compare.counts")}</h2>
          <QuestionTables
            t={t}
            lang={lang}
            kind="dimensions"
            figures={[
              { name: "A", cells: both.a.dimensions },
              { name: "B", cells: both.b.dimensions },
            ]}
            label={(code) => props.labels[code] ?? code}
          />
        </>
      ) : null}
      <div class="compare">
        {scopes.map(({ key, name, scope }) =>
          scope.figure ? (
            <section aria-labelledby={`coverage-${key}`}>
              <h2 id={`coverage-${key}`}>{name}</h2>
              <CoverageView t={t} lang={lang} figure={scope.figure} headingLevel={3} />
            </section>
          ) : null,
        )}
      </div>
    </>
  );
}
