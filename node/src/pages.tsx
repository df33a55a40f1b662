import { Hono } from "hono";
import { HomePage } from "../../admin-ui/src/home-page";
import type { Services } from "./services/index";
import { synthesisVersionView } from "./services/syntheses";

/** Public HTML pages. The admin UI renders; this module only gathers what it shows. */
export function createPages(services: Services) {
  const pages = new Hono();
  pages.get("/", (c) => {
    const territories = services.territories.list().map((t) => {
      const groups = services.groups.list(t.slug);
      return {
        slug: t.slug,
        name: t.name,
        country: t.country,
        region: t.region ?? undefined,
        description: t.description ?? undefined,
        languages: t.languages,
        groups: groups.length,
        criteria: groups.reduce((sum, g) => sum + (g.criteria ?? 0), 0),
        syntheses: services.syntheses.list(t.slug).map(synthesisVersionView),
      };
    });
    return c.html(<HomePage nodeUrl={services.ctx.publicUrl} territories={territories} />);
  });
  return pages;
}
