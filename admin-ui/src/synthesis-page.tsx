import { type Cells, QuestionLists, QuestionTables } from "./figures-view";
import type { Lang, Translate } from "./i18n";
import { type FeedLink, Layout } from "./layout";

export interface SynthesisPageProps {
  t: Translate;
  lang: Lang;
  switchUrl: string;
  title: string;
  /** One sentence with the key figures (also the link preview's description). */
  summary: string;
  territory: { name: string; url: string };
  dimensions: Cells;
  /** Criteria per question and component (the payload's counts). */
  components: Cells;
  /** What the synthesis covers: its period and how many groups, citizens and criteria. */
  coverage: { period: string; groups: number; participants: number; criteria: number };
  /** Dimension and component labels in the page's language. */
  labels: Record<string, string>;
  version: number;
  hash: string;
  publishedAt: string;
  articleUrl: string;
  /** The Atom feed of the territory's syntheses. */
  feed: FeedLink;
  /** The grid id and version it was coded with. */
  grid?: string | undefined;
}

/** The HTML face of a published synthesis (the URL its Article points to). */
export function SynthesisPage(props: SynthesisPageProps) {
  const { t, lang } = props;
  return (
    <Layout
      t={t}
      lang={lang}
      title={props.title}
      description={props.summary}
      url={props.articleUrl}
      ogType="article"
      switchUrl={props.switchUrl}
      feeds={[props.feed]}
      head={<link rel="alternate" type="application/activity+json" href={props.articleUrl} />}
    >
      <p>
        <a href={props.territory.url}>{props.territory.name}</a>
      </p>
      <h1>{props.title}</h1>
      <p>{props.summary}</p>
      <section aria-labelledby="coverage">
        <h2 id="coverage">{t("public.synthesis.coverage")}</h2>
        <dl class="coverage">
          <dt>{t("public.synthesis.period")}</dt>
          <dd>{props.coverage.period}</dd>
          <dt>{t("public.synthesis.groups")}</dt>
          <dd>{props.coverage.groups}</dd>
          <dt>{t("public.synthesis.participants")}</dt>
          <dd>{props.coverage.participants}</dd>
          <dt>{t("public.synthesis.criteria")}</dt>
          <dd>{props.coverage.criteria}</dd>
        </dl>
      </section>
      <h2>{t("figures.byDimension")}</h2>
      <QuestionLists
        t={t}
        lang={lang}
        cells={props.dimensions}
        label={(code) => props.labels[code] ?? code}
      />
      <h2>{t("figures.byComponent")}</h2>
      <QuestionTables
        t={t}
        lang={lang}
        kind="counts"
        figures={[{ name: "", cells: props.components }]}
        label={(code) => props.labels[code] ?? code}
      />
      <p class="hash">
        {t("public.synthesis.version", {
          version: props.version,
          date: props.publishedAt.slice(0, 10),
        })}{" "}
        <code>{props.hash}</code>
        {props.grid ? (
          <>
            <br />
            {t("grid.codedWith", { grid: props.grid })}
          </>
        ) : null}
      </p>
      <p class="muted no-print">{t("public.synthesis.print")}</p>
      <p class="print-only">{t("public.synthesis.source", { url: props.articleUrl })}</p>
    </Layout>
  );
}
