import { shareGood } from "@spiral-network/protocol";
import { type ProgressFiguresProps, ProgressFiguresView } from "./admin/progress-page";
import { type LevelCountsView, ProgressChart, percentText } from "./charts/progress-chart";
import type { Lang, Translate } from "./i18n";
import { Layout } from "./layout";

/** A campaign's published progress indicators, as anyone may read them (no login). */
export interface ProgressPublicPageProps {
  t: Translate;
  lang: Lang;
  switchUrl: string;
  url: string;
  territory: { name: string; url: string };
  period: string;
  phase: "ex-ante" | "ex-post";
  respondents: number;
  version: number;
  hash: string;
  paths: Array<{ code: string; label: string; statements: string[]; counts: LevelCountsView }>;
}

export function ProgressPublicPage(props: ProgressPublicPageProps) {
  const { t, lang } = props;
  const title = t("public.progress.title", { territory: props.territory.name });
  const summary = `${props.period} · ${t(`progress.phase.${props.phase}`)} · ${t("progress.results.respondents", { n: props.respondents })}`;
  return (
    <Layout
      t={t}
      lang={lang}
      title={title}
      description={summary}
      url={props.url}
      ogType="article"
      switchUrl={props.switchUrl}
    >
      <p>
        <a href={props.territory.url}>{props.territory.name}</a>
      </p>
      <h1>{title}</h1>
      <p>{summary}</p>
      {props.paths.map((p, index) => (
        <section data-code={p.code}>
          <h2>
            {p.code} · {p.label}
          </h2>
          <p>{t("progress.results.share", { share: percentText(shareGood(p.counts)) })}</p>
          <ol>
            {p.statements.map((s) => (
              <li>{s}</li>
            ))}
          </ol>
          <ProgressChart
            id={`progress-${index}`}
            t={t}
            title={t("progress.chart.title", { path: `${p.code} · ${p.label}` })}
            series={[{ label: t(`progress.phase.short.${props.phase}`), counts: p.counts }]}
          />
        </section>
      ))}
      <p class="muted">
        v{props.version} · <code>{props.hash}</code>
      </p>
    </Layout>
  );
}

/** The network's progress figures, public (the same view as the workspace's explorer). */
export function ProgressFiguresPublicPage(
  props: Omit<ProgressFiguresProps, "user" | "filter"> & { switchUrl: string; url: string },
) {
  const { t, lang } = props;
  return (
    <Layout
      t={t}
      lang={lang}
      title={t("progress.figures")}
      description={t("progress.figures.intro")}
      url={props.url}
      switchUrl={props.switchUrl}
    >
      <h1>{t("progress.figures")}</h1>
      <ProgressFiguresView {...props} />
    </Layout>
  );
}
