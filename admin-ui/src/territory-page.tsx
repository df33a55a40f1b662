import { Layout } from "./layout";

export interface TerritoryPageProps {
  actorUrl: string;
  handle: string;
  territory: {
    name: string;
    country: string;
    region?: string | undefined;
    description?: string | undefined;
    languages: string[];
  };
  syntheses: Array<{ url: string; title: string; version: number; publishedAt: string }>;
}

/** A territory's public page: the HTML face of its ActivityPub actor (same URL). */
export function TerritoryPage({ actorUrl, handle, territory, syntheses }: TerritoryPageProps) {
  return (
    <Layout
      title={`${territory.name} — Spiral Network`}
      lang={territory.languages[0] ?? "en"}
      head={<link rel="alternate" type="application/activity+json" href={actorUrl} />}
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
