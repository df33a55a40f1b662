import { type Cells, QuestionLists } from "./figures-view";
import type { Lang, Translate } from "./i18n";
import { Layout } from "./layout";

export interface SynthesisPageProps {
  t: Translate;
  lang: Lang;
  switchUrl: string;
  title: string;
  /** One sentence with the key figures (also the link preview's description). */
  summary: string;
  territory: { name: string; url: string };
  dimensions: Cells;
  /** Dimension and component labels in the page's language. */
  labels: Record<string, string>;
  version: number;
  hash: string;
  publishedAt: string;
  articleUrl: string;
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
      head={<link rel="alternate" type="application/activity+json" href={props.articleUrl} />}
    >
      <p>
        <a href={props.territory.url}>{props.territory.name}</a>
      </p>
      <h1>{props.title}</h1>
      <p>{props.summary}</p>
      <h2>{t("figures.byDimension")}</h2>
      <QuestionLists
        t={t}
        lang={lang}
        cells={props.dimensions}
        label={(code) => props.labels[code] ?? code}
      />
      <p class="muted">
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
    </Layout>
  );
}
