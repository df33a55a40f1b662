import type { PublishedFigures } from "./home-page";
import type { Lang, Translate } from "./i18n";
import { FeedAnchor, type FeedLink, Layout } from "./layout";

export interface TerritoryPageProps {
  t: Translate;
  lang: Lang;
  switchUrl: string;
  actorUrl: string;
  calendarUrl: string;
  /** `@slug@host`, what Mastodon users paste into their search box. */
  handle: string;
  /** The public figures of the territory's country. */
  countryFiguresUrl: string;
  territory: {
    name: string;
    country: string;
    region?: string | undefined;
    description?: string | undefined;
    languages: string[];
  };
  syntheses: Array<{
    url: string;
    title: string;
    version: number;
    publishedAt: string;
    figures: PublishedFigures;
  }>;
  meetings: Array<{ url: string; title: string; when: string }>;
  /** The Atom feeds of its syntheses and of its meetings. */
  feeds: { syntheses: FeedLink; meetings: FeedLink };
  /** Published progress indicators: each campaign's page and its headline share per path. */
  progress?: Array<{ url: string; title: string; paths: Array<{ label: string; share: string }> }>;
}

/** A territory's public page: the HTML face of its ActivityPub actor (same URL). */
export function TerritoryPage(props: TerritoryPageProps) {
  const { t, lang, actorUrl, calendarUrl, handle, territory, syntheses, meetings } = props;
  const place = [territory.region, territory.country].filter(Boolean).join(", ");
  return (
    <Layout
      t={t}
      lang={lang}
      title={`${territory.name} — ${t("public.site")}`}
      description={
        territory.description ?? t("public.territory.description", { name: territory.name, place })
      }
      url={actorUrl}
      ogType="profile"
      switchUrl={props.switchUrl}
      feeds={[props.feeds.syntheses, props.feeds.meetings]}
      head={
        <>
          <link rel="alternate" type="application/activity+json" href={actorUrl} />
          <link rel="alternate" type="text/calendar" href={calendarUrl} />
        </>
      }
    >
      <h1>{territory.name}</h1>
      <p class="muted">
        {place} · {t("public.territory.kind")}
      </p>
      {territory.description ? <p>{territory.description}</p> : null}
      <section aria-labelledby="follow">
        <h2 id="follow">{t("public.follow.title")}</h2>
        <p>
          <code class="handle">{handle}</code>
        </p>
        <p>{t("public.follow.howto")}</p>
      </section>
      <h2>{t("public.meetings")}</h2>
      {meetings.length === 0 ? (
        <p class="muted">{t("public.meetings.none")}</p>
      ) : (
        <ul>
          {meetings.map((m) => (
            <li>
              <a href={m.url}>{m.title}</a> <span class="muted">— {m.when}</span>
            </li>
          ))}
        </ul>
      )}
      <p>
        {t("public.calendar")} <a href={calendarUrl}>{calendarUrl}</a> ·{" "}
        <FeedAnchor t={t} feed={props.feeds.meetings} />
      </p>
      <h2>{t("public.syntheses")}</h2>
      {syntheses.length === 0 ? (
        <p class="muted">{t("public.syntheses.none")}</p>
      ) : (
        <ul>
          {syntheses.map((s) => (
            <li>
              <a href={s.url}>{s.title}</a>{" "}
              <span class="muted">
                (
                {t("public.synthesis.meta", {
                  version: s.version,
                  date: s.publishedAt.slice(0, 10),
                })}
                ) · {t("public.synthesis.figures", { ...s.figures })}
              </span>
            </li>
          ))}
        </ul>
      )}
      {props.progress && props.progress.length > 0 ? (
        <>
          <h2>{t("public.progress")}</h2>
          <ul id="progress">
            {props.progress.map((p) => (
              <li>
                <a href={p.url}>{p.title}</a>
                <ul>
                  {p.paths.map((path) => (
                    <li>
                      {path.label}: {t("progress.results.share", { share: path.share })}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <p>
        <FeedAnchor t={t} feed={props.feeds.syntheses} />
      </p>
      <p>
        <a href={props.countryFiguresUrl}>
          {t("public.territory.figures", { country: territory.country })}
        </a>
      </p>
    </Layout>
  );
}
