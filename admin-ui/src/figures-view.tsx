import type { Child } from "hono/jsx";
import { type Lang, languageInfo, type Translate } from "./i18n";

/**
 * The parts of a network figure shared by the public figures page, the workspace's explorer and
 * the synthesis page: filter fields, tables per dimension and component (with plain bars, the
 * numbers are always in the table), coverage and fingerprint. Props in, HTML out.
 */

/** Styles of these parts (the public layout and the workspace page both include them). */
export const FIGURE_STYLE = `
  td.num, th.num { text-align: end; white-space: nowrap; }
  .table-wrap { overflow-x: auto; max-width: 100%; }
  .figure-bar { display: block; height: 0.6rem; margin: 0.2rem 0; background: #2f5f9e; min-inline-size: 1px; border-radius: 2px; }
  .figure-bar.b { background: #a4561b; }
  .bar-cell { inline-size: 35%; min-inline-size: 4rem; }
  code.fingerprint { overflow-wrap: anywhere; }
  ul.figure-list { list-style: none; padding: 0; max-width: 32rem; }
  ul.figure-list li { margin: 0.3rem 0; }
  .filter-row { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: flex-end; }
  .filter-field { flex: 1 1 10rem; min-width: 0; max-width: 100%; }
  .filter-field.wide { flex-basis: 100%; }
  .filter-row label { display: block; font-size: 0.9rem; }
  .filter-row label.inline { display: inline; }
  .filter-row select, .filter-row input[type=date] { font: inherit; padding: 0.3rem; width: 100%; max-width: 100%; }
  .filter-field.wide select { width: auto; }
  .filter-row .hint { display: block; font-size: 0.85rem; color: #555; }
  form.figures fieldset { border: 1px solid #ccc; border-radius: 6px; margin: 0 0 0.75rem; padding: 0.5rem 0.75rem 0.75rem; min-width: 0; }
  form.figures button { font: inherit; padding: 0.4rem 1rem; }
  .compare { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 1rem; }
`;

export const QUESTION_CODES = ["Q1", "Q2", "Q3", "Q4"] as const;
type Question = (typeof QUESTION_CODES)[number];
export type Cells = Partial<Record<Question, Record<string, number>>>;

/** What the pages need of an aggregate answer (the API's JSON shape). */
export interface FigureView {
  scope: "verified" | "endorsed";
  robust: boolean;
  counts: Cells;
  dimensions: Cells;
  totals: { criteria: number; byQuestion: Partial<Record<Question, number>> };
  participants: number;
  groups: number;
  territories: number;
  coverage: {
    included: Array<{
      origin: string;
      periodKey: string;
      version: number;
      hash: string;
      name: string;
      country: string;
      /** Over several grid versions: the level this synthesis's counts entered at. */
      level?: "component" | "grouped" | "dimension" | undefined;
    }>;
    excluded: Array<{
      origin: string;
      periodKey: string;
      version: number;
      reason: "conflicted" | "implausible" | "untrusted" | "other-grid-version" | "overlapping";
    }>;
  };
  flagged: string[];
  fingerprint: string;
  /** Present when the figure adds up syntheses of several grid versions. */
  gridLevels?:
    | {
        level: "component" | "grouped" | "dimension";
        versions: string[];
        levelOf: Record<string, "component" | "grouped" | "dimension">;
      }
    | undefined;
}

const LEVEL_KEYS = {
  component: "grid.level.component",
  grouped: "grid.level.groupedShort",
  dimension: "grid.level.dimensionShort",
} as const;

/** At which level a figure over several grid versions counted, and each version's part. */
function GridLevels(props: { t: Translate; levels: NonNullable<FigureView["gridLevels"]> }) {
  const { t, levels } = props;
  return (
    <p class="grid-levels">
      {levels.level === "dimension"
        ? t("grid.level.dimension")
        : levels.level === "grouped"
          ? t("grid.level.grouped")
          : null}{" "}
      {levels.versions
        .map((version) =>
          t("grid.level.of", {
            version,
            level: t(LEVEL_KEYS[levels.levelOf[version] ?? "component"]),
          }),
        )
        .join("; ")}
    </p>
  );
}

/** The filter fields' current text, as sent (the API's parameter names). */
export type FilterForm = Record<
  | "country"
  | "region"
  | "category"
  | "from"
  | "to"
  | "question"
  | "territory"
  | "subnetwork"
  | "scope"
  | "robust",
  string
>;

/** What a filter form offers. */
export interface FilterChoices {
  countries: string[];
  regions: Array<{ region: string; country: string }>;
  /** Territories by actor URL: one territory's figure (to set against its country, say). */
  territories: Array<{ url: string; name: string; country: string }>;
  categories: Array<{ code: string; label: Record<Lang, string> }>;
  /** Sub-networks by actor URL: a figure of the syntheses one of them relayed. */
  subnetworks: Array<{ url: string; name: string }>;
}

const pct = (part: number, whole: number) => (whole > 0 ? (100 * part) / whole : 0);
export const percent = (value: number, lang: Lang) =>
  `${value.toLocaleString(languageInfo(lang).locale, { maximumFractionDigits: 1 })} %`;
const number = (value: number, lang: Lang) => value.toLocaleString(languageInfo(lang).locale);

/** One set of filters; `prefix` names the fields of a second set ("b_"). */
export function FilterFields(props: {
  t: Translate;
  lang: Lang;
  legend: string;
  prefix?: string;
  form: FilterForm;
  choices: FilterChoices;
}) {
  const { t, lang, form, choices } = props;
  const prefix = props.prefix ?? "";
  const id = (name: string) => `f-${prefix}${name}`;
  const name = (field: string) => `${prefix}${field}`;
  const option = (value: string, label: string, current: string) => (
    <option value={value} selected={value === current}>
      {label}
    </option>
  );
  /** A value given in the address but not among the choices stays selected, as typed. */
  const typed = (current: string, known: string[]) =>
    current && !known.includes(current) ? option(current, current, current) : null;
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      <div class="filter-row">
        <div class="filter-field">
          <label for={id("country")}>{t("figures.country")}</label>
          <select id={id("country")} name={name("country")}>
            {option("", t("figures.any"), form.country)}
            {choices.countries.map((c) => option(c, c, form.country))}
            {typed(form.country, choices.countries)}
          </select>
        </div>
        <div class="filter-field">
          <label for={id("region")}>{t("figures.region")}</label>
          <select id={id("region")} name={name("region")}>
            {option("", t("figures.any"), form.region)}
            {choices.regions.map((r) =>
              option(r.region, `${r.region} (${r.country})`, form.region),
            )}
            {typed(
              form.region,
              choices.regions.map((r) => r.region),
            )}
          </select>
        </div>
        <div class="filter-field">
          <label for={id("territory")}>{t("figures.territory")}</label>
          <select id={id("territory")} name={name("territory")}>
            {option("", t("figures.any"), form.territory)}
            {choices.territories.map((r) =>
              option(r.url, `${r.name} (${r.country})`, form.territory),
            )}
            {typed(
              form.territory,
              choices.territories.map((r) => r.url),
            )}
          </select>
        </div>
        <div class="filter-field">
          <label for={id("category")}>{t("figures.category")}</label>
          <select id={id("category")} name={name("category")}>
            {option("", t("figures.any"), form.category)}
            {choices.categories.map((c) => option(c.code, c.label[lang], form.category))}
            {typed(
              form.category,
              choices.categories.map((c) => c.code),
            )}
          </select>
        </div>
        <div class="filter-field">
          <label for={id("question")}>{t("figures.question")}</label>
          <select id={id("question")} name={name("question")}>
            {option("", t("figures.any"), form.question)}
            {QUESTION_CODES.map((q) => option(q, t(`figures.question.${q}`), form.question))}
          </select>
        </div>
        {choices.subnetworks.length > 0 || form.subnetwork ? (
          <div class="filter-field">
            <label for={id("subnetwork")}>{t("figures.subnetwork")}</label>
            <select id={id("subnetwork")} name={name("subnetwork")}>
              {option("", t("figures.any"), form.subnetwork)}
              {choices.subnetworks.map((s) => option(s.url, s.name, form.subnetwork))}
              {typed(
                form.subnetwork,
                choices.subnetworks.map((s) => s.url),
              )}
            </select>
          </div>
        ) : null}
        <div class="filter-field">
          <label for={id("from")}>{t("figures.from")}</label>
          <input type="date" id={id("from")} name={name("from")} value={form.from} />
        </div>
        <div class="filter-field">
          <label for={id("to")}>{t("figures.to")}</label>
          <input type="date" id={id("to")} name={name("to")} value={form.to} />
        </div>
        <div class="filter-field wide">
          <label for={id("scope")}>{t("figures.trust")}</label>
          <select id={id("scope")} name={name("scope")} aria-describedby={id("scope-hint")}>
            {option("verified", t("figures.trust.option.verified"), form.scope || "verified")}
            {option("endorsed", t("figures.trust.option.endorsed"), form.scope || "verified")}
          </select>
          <span class="hint" id={id("scope-hint")}>
            {t("figures.trust.verified")}. {t("figures.trust.endorsed")}.
          </span>
        </div>
        <div class="filter-field wide">
          <input
            type="checkbox"
            id={id("robust")}
            name={name("robust")}
            value="true"
            checked={form.robust === "true" || form.robust === "on"}
          />{" "}
          <label for={id("robust")} class="inline">
            {t("figures.robust")}
          </label>
        </div>
      </div>
    </fieldset>
  );
}

/** The figure's size, trust scope and fingerprint. */
export function FigureSummary(props: { t: Translate; lang: Lang; figure: FigureView }) {
  const { t, lang, figure } = props;
  const scope = [
    t(`figures.scopeUsed.${figure.scope}`),
    ...(figure.robust ? [t("figures.scopeUsed.robust")] : []),
  ].join(", ");
  return (
    <div class="figure-summary">
      <p>
        <strong>
          {t("figures.summary", {
            territories: number(figure.territories, lang),
            participants: number(figure.participants, lang),
            groups: number(figure.groups, lang),
            criteria: number(figure.totals.criteria, lang),
          })}
        </strong>
      </p>
      <p>{t("figures.scopeUsed", { scope })}</p>
      {figure.gridLevels ? <GridLevels t={t} levels={figure.gridLevels} /> : null}
      <p>
        {t("figures.fingerprint")}
        {t("punct.colon")} <code class="fingerprint">{figure.fingerprint}</code>
        <br />
        <span class="muted">{t("figures.fingerprint.help")}</span>
      </p>
      {figure.flagged.length > 0 ? (
        <p>{t("figures.flagged", { list: figure.flagged.join(", ") })}</p>
      ) : null}
    </div>
  );
}

/**
 * Criteria per dimension (or component) for each question, one table per question: each figure
 * gives a count and its share of the question's criteria, with a bar per figure.
 */
export function QuestionTables(props: {
  t: Translate;
  lang: Lang;
  kind: "dimensions" | "counts";
  /** One or two figures (a comparison); `name` heads its columns. */
  figures: Array<{ name: string; cells: Cells }>;
  label: (code: string) => string;
  headingLevel?: 3 | 4;
}) {
  const { t, lang, figures } = props;
  const questions = QUESTION_CODES.filter((q) =>
    figures.some((f) => Object.keys(f.cells[q] ?? {}).length > 0),
  );
  if (questions.length === 0) return <p class="muted">{t("figures.empty")}</p>;
  const Heading = props.headingLevel === 4 ? "h4" : "h3";
  const several = figures.length > 1;
  return (
    <>
      {questions.map((question) => {
        const codes = [
          ...new Set(figures.flatMap((f) => Object.keys(f.cells[question] ?? {}))),
        ].sort();
        const totals = figures.map((f) =>
          Object.values(f.cells[question] ?? {}).reduce((a, b) => a + b, 0),
        );
        return (
          <section>
            <Heading>{t(`figures.question.${question}`)}</Heading>
            <TableWrap label={t(`figures.question.${question}`)}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">
                      {t(props.kind === "dimensions" ? "figures.dimension" : "figures.component")}
                    </th>
                    {figures.map((f) => (
                      <>
                        <th scope="col" class="num">
                          {several ? `${f.name} · ` : ""}
                          {t("figures.criteria")}
                        </th>
                        <th scope="col" class="num">
                          {several ? `${f.name} · ` : ""}
                          {t("figures.share")}
                        </th>
                      </>
                    ))}
                    <td class="bar-cell" aria-hidden="true" />
                  </tr>
                </thead>
                <tbody>
                  {codes.map((code) => (
                    <tr>
                      <th scope="row">
                        {props.label(code)} <span class="muted">({code})</span>
                      </th>
                      {figures.map((f, i) => {
                        const count = f.cells[question]?.[code] ?? 0;
                        return (
                          <>
                            <td class="num">{number(count, lang)}</td>
                            <td class="num">{percent(pct(count, totals[i] ?? 0), lang)}</td>
                          </>
                        );
                      })}
                      <td class="bar-cell" aria-hidden="true">
                        {figures.map((f, i) => (
                          <span
                            class={i === 0 ? "figure-bar" : "figure-bar b"}
                            style={`width: ${pct(f.cells[question]?.[code] ?? 0, totals[i] ?? 0).toFixed(1)}%`}
                          />
                        ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          </section>
        );
      })}
    </>
  );
}

/**
 * One figure's criteria per dimension as lists, one per question (the synthesis page: the same
 * reading as the Article that federates, which has no tables), each item with its share and a bar.
 */
export function QuestionLists(props: {
  t: Translate;
  lang: Lang;
  cells: Cells;
  label: (code: string) => string;
}) {
  const { t, lang, cells } = props;
  const questions = QUESTION_CODES.filter((q) => Object.keys(cells[q] ?? {}).length > 0);
  if (questions.length === 0) return <p class="muted">{t("figures.empty")}</p>;
  return (
    <>
      {questions.map((question) => {
        const entries = Object.entries(cells[question] ?? {}).sort(
          ([a, x], [b, y]) => y - x || a.localeCompare(b),
        );
        const total = entries.reduce((sum, [, count]) => sum + count, 0);
        return (
          <section>
            <h3>
              {t(`figures.question.${question}`)} —{" "}
              {total === 1
                ? t("figures.criteriaCount.one")
                : t("figures.criteriaCount", { count: number(total, lang) })}
            </h3>
            <ul class="figure-list">
              {entries.map(([code, count]) => (
                <li>
                  {props.label(code)} <span class="muted">({code})</span>
                  {t("punct.colon")} {number(count, lang)} ({percent(pct(count, total), lang)})
                  <span class="figure-bar" style={`width: ${pct(count, total).toFixed(1)}%`} />
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </>
  );
}

/** Which syntheses a figure covers and which it leaves out (with why), and a bar per country. */
export function CoverageView(props: {
  t: Translate;
  lang: Lang;
  figure: FigureView;
  headingLevel?: 2 | 3;
}) {
  const { t, lang, figure } = props;
  const { included, excluded } = figure.coverage;
  // Over several grid versions, a column says at which level each synthesis counted.
  const levels = figure.gridLevels !== undefined;
  const Heading = props.headingLevel === 3 ? "h3" : "h2";
  const Sub = props.headingLevel === 3 ? "h4" : "h3";
  const perCountry = new Map<string, Set<string>>();
  for (const version of included) {
    const set = perCountry.get(version.country) ?? new Set<string>();
    set.add(version.origin);
    perCountry.set(version.country, set);
  }
  const countries = [...perCountry]
    .map(([country, origins]) => ({ country, territories: origins.size }))
    .sort((a, b) => b.territories - a.territories || a.country.localeCompare(b.country));
  const most = Math.max(1, ...countries.map((c) => c.territories));
  return (
    <section class="coverage">
      <Heading>{t("figures.coverage")}</Heading>
      <Sub>{t("figures.byCountry")}</Sub>
      {countries.length === 0 ? (
        <p class="muted">{t("figures.none")}</p>
      ) : (
        <TableWrap label={t("figures.byCountry")}>
          <table class="by-country">
            <thead>
              <tr>
                <th scope="col">{t("figures.country")}</th>
                <th scope="col" class="num">
                  {t("figures.territories")}
                </th>
                <td class="bar-cell" aria-hidden="true" />
              </tr>
            </thead>
            <tbody>
              {countries.map((c) => (
                <tr>
                  <th scope="row">{c.country}</th>
                  <td class="num">{number(c.territories, lang)}</td>
                  <td class="bar-cell" aria-hidden="true">
                    <span
                      class="figure-bar"
                      style={`width: ${pct(c.territories, most).toFixed(1)}%`}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <Sub>{t("figures.included", { count: included.length })}</Sub>
      {included.length === 0 ? (
        <p class="muted">{t("figures.none")}</p>
      ) : (
        <TableWrap label={t("figures.included", { count: included.length })}>
          <table class="included">
            <thead>
              <tr>
                <th scope="col">{t("figures.territory")}</th>
                <th scope="col">{t("figures.country")}</th>
                <th scope="col">{t("figures.period")}</th>
                <th scope="col" class="num">
                  {t("figures.version")}
                </th>
                <th scope="col">{t("figures.hash")}</th>
                {levels ? <th scope="col">{t("grid.col.level")}</th> : null}
              </tr>
            </thead>
            <tbody>
              {included.map((v) => (
                <tr>
                  <td>
                    <a href={v.origin}>{v.name}</a>
                  </td>
                  <td>{v.country}</td>
                  <td>{v.periodKey}</td>
                  <td class="num">{v.version}</td>
                  <td>
                    <code title={v.hash}>{v.hash.slice(0, 12)}…</code>
                  </td>
                  {levels ? <td>{v.level ? t(LEVEL_KEYS[v.level]) : ""}</td> : null}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <Sub>{t("figures.excluded", { count: excluded.length })}</Sub>
      {excluded.length === 0 ? (
        <p class="muted">{t("figures.none")}</p>
      ) : (
        <TableWrap label={t("figures.excluded", { count: excluded.length })}>
          <table class="excluded">
            <thead>
              <tr>
                <th scope="col">{t("figures.territory")}</th>
                <th scope="col">{t("figures.period")}</th>
                <th scope="col" class="num">
                  {t("figures.version")}
                </th>
                <th scope="col">{t("figures.reason")}</th>
              </tr>
            </thead>
            <tbody>
              {excluded.map((v) => (
                <tr>
                  <td>
                    <a href={v.origin}>{v.origin}</a>
                  </td>
                  <td>{v.periodKey}</td>
                  <td class="num">{v.version}</td>
                  <td>{t(`figures.reason.${v.reason}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}

/**
 * A table that scrolls sideways on narrow screens. The scrolling region takes the keyboard focus
 * (arrow keys scroll it) and is named for screen readers.
 */
function TableWrap(props: { label: string; children: Child }) {
  return (
    <section class="table-wrap" aria-label={props.label} tabindex={0}>
      {props.children}
    </section>
  );
}

/** Links to the same figure from the API, as CSV and JSON. */
export function DownloadLinks(props: { t: Translate; csvUrl: string; jsonUrl: string }) {
  const { t } = props;
  return (
    <p class="downloads">
      {t("figures.download")} <a href={props.csvUrl}>{t("figures.csv")}</a> ·{" "}
      <a href={props.jsonUrl}>{t("figures.json")}</a>
    </p>
  );
}
