import type { Lang, Translate } from "./i18n";
import { FeedAnchor, type FeedLink, Layout } from "./layout";

/** A published synthesis's own figures (from its payload, never live counts of the workspace). */
export interface PublishedFigures {
  groups: number;
  participants: number;
  criteria: number;
}

/**
 * What the home page is given by the node: the territories it hosts and their publications —
 * only what was published (see docs/protocol.md §6, "What is public").
 */
export interface HomePageProps {
  t: Translate;
  lang: Lang;
  nodeUrl: string;
  switchUrl: string;
  /** The Atom feed of the syntheses received from the network. */
  receivedFeed: FeedLink;
  territories: Array<{
    slug: string;
    actorUrl: string;
    calendarUrl: string;
    name: string;
    country: string;
    region?: string | undefined;
    description?: string | undefined;
    languages: string[];
    /** The Atom feed of its syntheses. */
    feed: FeedLink;
    syntheses: Array<{
      id: string;
      /** The synthesis page (same URL as its Article). */
      url: string;
      periodKey: string;
      version: number;
      publishedAt: string;
      figures: PublishedFigures;
    }>;
  }>;
}

/** The node's public home page: which territory (or territories) it hosts. */
export function HomePage(props: HomePageProps) {
  const { t, lang, nodeUrl, territories } = props;
  const single = territories.length === 1 ? territories[0] : undefined;
  const title = single ? `${single.name} — ${t("public.site")}` : t("public.home.title");
  return (
    <Layout
      t={t}
      lang={lang}
      title={title}
      description={single?.description ?? t("public.home.intro")}
      url={`${nodeUrl}/`}
      switchUrl={props.switchUrl}
      feeds={[...territories.map((territory) => territory.feed), props.receivedFeed]}
      head={
        single ? (
          <>
            <link rel="alternate" type="application/activity+json" href={single.actorUrl} />
            <link rel="alternate" type="text/calendar" href={single.calendarUrl} />
          </>
        ) : undefined
      }
    >
      <header>
        <h1>{single ? single.name : t("public.home.title")}</h1>
        <p class="muted">{t("public.home.intro")}</p>
      </header>
      {territories.length === 0 ? (
        <p>{t("public.home.none")}</p>
      ) : (
        territories.map((territory) => (
          <section>
            {single ? null : (
              <h2>
                <a href={territory.actorUrl}>{territory.name}</a>
              </h2>
            )}
            <p>
              {[territory.region, territory.country].filter(Boolean).join(", ")}
              {single ? (
                <>
                  {" · "}
                  <a href={territory.actorUrl}>{t("public.follow.title")}</a>
                </>
              ) : null}
            </p>
            {territory.description ? <p>{territory.description}</p> : null}
            {single ? <h2>{t("public.syntheses")}</h2> : <h3>{t("public.syntheses")}</h3>}
            {territory.syntheses.length === 0 ? (
              <p class="muted">{t("public.syntheses.none")}</p>
            ) : (
              <ul>
                {territory.syntheses.map((s) => (
                  <li>
                    <a href={s.url}>
                      {t("public.synthesis.item", { period: s.periodKey, version: s.version })}
                    </a>{" "}
                    <span class="muted">({s.publishedAt.slice(0, 10)})</span> ·{" "}
                    {t("public.synthesis.figures", { ...s.figures })} ·{" "}
                    <a
                      href={`${nodeUrl}/api/v1/territories/${territory.slug}/syntheses/${s.id}`}
                      type="application/json"
                    >
                      {t("public.json")}
                    </a>
                  </li>
                ))}
              </ul>
            )}
            <p>
              <FeedAnchor t={t} feed={territory.feed} />
            </p>
          </section>
        ))
      )}
      <p>
        {t("public.feed.received")} · <FeedAnchor t={t} feed={props.receivedFeed} />
      </p>
    </Layout>
  );
}
