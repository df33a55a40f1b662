import { Hono } from "hono";
import { HomePage } from "../../admin-ui/src/home-page";
import { SynthesisPage } from "../../admin-ui/src/synthesis-page";
import { TerritoryPage } from "../../admin-ui/src/territory-page";
import type { SynthesisPayload } from "../../protocol/src/index";
import { synthesisHtml, synthesisName, synthesisSummary } from "./federation/synthesis-mapper";
import type { Services } from "./services/index";
import { synthesisUrl, synthesisVersionView } from "./services/syntheses";
import { territoryActorId } from "./services/territories";

/**
 * Public pages. Federation clients get ActivityStreams at these URLs (Fedify answers first);
 * browsers fall through to here. The admin UI renders; this module only gathers what it shows.
 */
export function createPages(services: Services) {
  const pages = new Hono();
  const { publicUrl, grid } = services.ctx;

  /** The latest version of each published, not withdrawn synthesis of a territory. */
  const publishedSyntheses = (slug: string) => {
    const seen = new Set<string>();
    return services.syntheses
      .list(slug)
      .filter((v) => !seen.has(v.synthesisUuid) && seen.add(v.synthesisUuid))
      .map((v) => ({ version: v, found: services.syntheses.series(v.synthesisUuid) }))
      .filter(({ found }) => found && !found.series.withdrawnAt)
      .map(({ version }) => version);
  };

  pages.get("/", (c) => {
    const territories = services.territories.list().map((t) => {
      const groups = services.groups.list(t.slug);
      return {
        slug: t.slug,
        actorUrl: territoryActorId(publicUrl, t.slug),
        name: t.name,
        country: t.country,
        region: t.region ?? undefined,
        description: t.description ?? undefined,
        languages: t.languages,
        groups: groups.length,
        criteria: groups.reduce((sum, g) => sum + (g.criteria ?? 0), 0),
        syntheses: publishedSyntheses(t.slug).map(synthesisVersionView),
      };
    });
    return c.html(<HomePage nodeUrl={publicUrl} territories={territories} />);
  });

  pages.get("/actors/:slug", (c) => {
    const territory = services.territories.list().find((t) => t.slug === c.req.param("slug"));
    if (!territory) return c.notFound();
    const syntheses = publishedSyntheses(territory.slug).map((v) => {
      const payload = JSON.parse(v.payload) as SynthesisPayload;
      return {
        url: synthesisUrl(publicUrl, v.synthesisUuid),
        title: synthesisName(payload),
        version: v.version,
        publishedAt: v.createdAt,
      };
    });
    return c.html(
      <TerritoryPage
        actorUrl={territoryActorId(publicUrl, territory.slug)}
        handle={`@${territory.slug}@${new URL(publicUrl).host}`}
        territory={{
          name: territory.name,
          country: territory.country,
          region: territory.region ?? undefined,
          description: territory.description ?? undefined,
          languages: territory.languages,
        }}
        syntheses={syntheses}
      />,
    );
  });

  pages.get("/syntheses/:uuid", (c) => {
    const found = services.syntheses.series(c.req.param("uuid"));
    if (!found) return c.notFound();
    if (found.series.withdrawnAt)
      return c.text("This synthesis was withdrawn by its territory.", 410);
    const { payload, territory, latest } = found;
    return c.html(
      <SynthesisPage
        title={synthesisName(payload)}
        summary={synthesisSummary(payload, grid)}
        contentHtml={synthesisHtml(payload, grid)}
        territory={{ name: territory.name, url: territoryActorId(publicUrl, territory.slug) }}
        version={latest.version}
        hash={latest.hash}
        publishedAt={latest.createdAt}
        articleUrl={synthesisUrl(publicUrl, found.series.uuid)}
      />,
    );
  });

  // Every activity this node sent stays dereferenceable, exactly as sent.
  pages.get("/activities/:uuid", (c) => {
    const row = services.outbox.get(c.req.param("uuid"));
    if (!row?.json) return c.notFound();
    return c.body(JSON.stringify(row.json), 200, {
      "Content-Type": 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
    });
  });

  return pages;
}
