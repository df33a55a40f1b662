import {
  CoverageView,
  DownloadLinks,
  FigureSummary,
  type FigureView,
  type FilterChoices,
  FilterFields,
  type FilterForm,
  QuestionTables,
} from "./figures-view";
import type { Lang, Translate } from "./i18n";
import { FeedAnchor, type FeedLink, Layout } from "./layout";

export interface FiguresPageProps {
  t: Translate;
  lang: Lang;
  switchUrl: string;
  url: string;
  form: FilterForm;
  choices: FilterChoices;
  /** Absent when the filters were not valid. */
  figure?: FigureView | undefined;
  problems: string[];
  labels: Record<string, string>;
  csvUrl?: string | undefined;
  jsonUrl?: string | undefined;
  /** The Atom feed of the syntheses received from the network. */
  receivedFeed: FeedLink;
}

/** The network's figures, public: filters, totals, criteria per dimension, coverage. */
export function FiguresPage(props: FiguresPageProps) {
  const { t, lang, figure } = props;
  return (
    <Layout
      t={t}
      lang={lang}
      title={`${t("public.figures.title")} — ${t("public.site")}`}
      description={t("public.figures.intro")}
      url={props.url}
      switchUrl={props.switchUrl}
      feeds={[props.receivedFeed]}
    >
      <h1>{t("public.figures.title")}</h1>
      <p>
        {t("public.figures.intro")} <FeedAnchor t={t} feed={props.receivedFeed} />
      </p>
      <p>
        <a href="/figures/progress">{t("progress.figures")}</a>
      </p>
      <form class="figures" method="get" action="/figures">
        <input type="hidden" name="lang" value={lang} />
        <FilterFields
          t={t}
          lang={lang}
          legend={t("figures.filters")}
          form={props.form}
          choices={props.choices}
        />
        <button type="submit">{t("figures.apply")}</button>
      </form>
      {props.problems.length > 0 ? (
        <div role="alert">
          <p>{t("figures.invalid")}</p>
          <ul>
            {props.problems.map((p) => (
              <li>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {figure ? (
        <>
          <FigureSummary t={t} lang={lang} figure={figure} />
          {props.csvUrl && props.jsonUrl ? (
            <DownloadLinks t={t} csvUrl={props.csvUrl} jsonUrl={props.jsonUrl} />
          ) : null}
          <h2>{t("figures.byDimension")}</h2>
          <QuestionTables
            t={t}
            lang={lang}
            kind="dimensions"
            figures={[{ name: "", cells: figure.dimensions }]}
            label={(code) => props.labels[code] ?? code}
          />
          <CoverageView t={t} lang={lang} figure={figure} />
        </>
      ) : null}
    </Layout>
  );
}
