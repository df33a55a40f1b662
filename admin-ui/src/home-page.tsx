import { Layout } from "./layout";

/** What the home page is given by the node: the territories it hosts and their publications. */
export interface HomePageProps {
  nodeUrl: string;
  territories: Array<{
    slug: string;
    actorUrl: string;
    calendarUrl: string;
    name: string;
    country: string;
    region?: string | undefined;
    description?: string | undefined;
    languages: string[];
    groups: number;
    criteria: number;
    syntheses: Array<{ id: string; periodKey: string; version: number; publishedAt: string }>;
  }>;
}

/** The node's public home page: which territory (or territories) it hosts. */
export function HomePage({ nodeUrl, territories }: HomePageProps) {
  const single = territories.length === 1 ? territories[0] : undefined;
  const title = single ? `${single.name} — Spiral Network` : "Spiral Network node";
  return (
    <Layout
      title={title}
      lang={single?.languages[0] ?? "en"}
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
        <h1>{single ? single.name : "Spiral Network node"}</h1>
        <p class="muted">
          A territory of co-responsibility on the Spiral Network: citizens' well-being criteria
          (SPIRAL method), shared as anonymised syntheses.
        </p>
      </header>
      {territories.length === 0 ? (
        <p>This node does not host a territory yet.</p>
      ) : (
        territories.map((t) => (
          <section>
            {single ? null : (
              <h2>
                <a href={t.actorUrl}>{t.name}</a>
              </h2>
            )}
            <p>
              {[t.region, t.country].filter(Boolean).join(", ")} · {t.groups} groups · {t.criteria}{" "}
              criteria
            </p>
            {t.description ? <p>{t.description}</p> : null}
            <h3>Published syntheses</h3>
            {t.syntheses.length === 0 ? (
              <p class="muted">None yet.</p>
            ) : (
              <ul>
                {t.syntheses.map((s) => (
                  <li>
                    <a href={`${nodeUrl}/api/v1/territories/${t.slug}/syntheses/${s.id}`}>
                      {s.periodKey} — version {s.version}
                    </a>{" "}
                    <span class="muted">({s.publishedAt.slice(0, 10)})</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        ))
      )}
      <footer>
        <p class="muted">
          API: <a href={`${nodeUrl}/api/v1/openapi.json`}>OpenAPI description</a>
        </p>
      </footer>
    </Layout>
  );
}
