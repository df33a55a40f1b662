import { Layout } from "./layout";

export interface TerritoryPageProps {
  actorUrl: string;
  calendarUrl: string;
  handle: string;
  territory: {
    name: string;
    country: string;
    region?: string | undefined;
    description?: string | undefined;
    languages: string[];
  };
  syntheses: Array<{ url: string; title: string; version: number; publishedAt: string }>;
  meetings: Array<{ url: string; title: string; when: string }>;
}

/** A territory's public page: the HTML face of its ActivityPub actor (same URL). */
export function TerritoryPage(props: TerritoryPageProps) {
  const { actorUrl, calendarUrl, handle, territory, syntheses, meetings } = props;
  return (
    <Layout
      title={`${territory.name} — Spiral Network`}
      lang={territory.languages[0] ?? "en"}
      head={
        <>
          <link rel="alternate" type="application/activity+json" href={actorUrl} />
          <link rel="alternate" type="text/calendar" href={calendarUrl} />
        </>
      }
    >
      <h1>{territory.name}</h1>
      <p class="muted">
        {[territory.region, territory.country].filter(Boolean).join(", ")} · territory of
        co-responsibility (SPIRAL method)
      </p>
      {territory.description ? <p>{territory.description}</p> : null}
      <p>
        Follow it from Mastodon or another Spiral Network node: <code>{handle}</code>
      </p>
      <h2>Upcoming meetings</h2>
      {meetings.length === 0 ? (
        <p class="muted">None announced.</p>
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
        Subscribe in your calendar app: <a href={calendarUrl}>{calendarUrl}</a>
      </p>
      <h2>Published syntheses</h2>
      {syntheses.length === 0 ? (
        <p class="muted">None yet.</p>
      ) : (
        <ul>
          {syntheses.map((s) => (
            <li>
              <a href={s.url}>{s.title}</a>{" "}
              <span class="muted">
                (version {s.version}, {s.publishedAt.slice(0, 10)})
              </span>
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}
