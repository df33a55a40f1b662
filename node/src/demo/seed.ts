import type { Services } from "../services/index";
import { type DemoGroup, type DemoTerritory, demoGroups, demoTerritory } from "./demo-data";

const DEMO_ACTOR = "demo-seed";
/** The demo groups met in 2026; their synthesis covers that calendar year. */
export const DEMO_PERIOD = { start: "2026-01-01", end: "2026-12-31" } as const;

/**
 * Creates a territory with its groups and classified (validated) criteria, then publishes its
 * synthesis for the demo period, in one transaction: a failed seed leaves nothing half-made.
 */
export function seedTerritory(
  services: Services,
  data: { territory: DemoTerritory; groups: DemoGroup[] },
): { territory: string; groups: number; criteria: number } {
  return services.ctx.db.transaction(() => {
    const territory = services.territories.create(data.territory, DEMO_ACTOR);
    let criteria = 0;
    for (const demo of data.groups) {
      const { criteria: items, language, ...group } = demo;
      const row = services.groups.create(territory.slug, group, DEMO_ACTOR);
      const added = services.criteria.add(
        territory.slug,
        row.id,
        items.map((c) => ({ ...c, language })),
        DEMO_ACTOR,
      );
      services.criteria.validate(
        territory.slug,
        added.map((c) => c.id),
        DEMO_ACTOR,
      );
      criteria += added.length;
    }
    services.syntheses.publish(territory.slug, DEMO_PERIOD, false, DEMO_ACTOR);
    return { territory: territory.slug, groups: data.groups.length, criteria };
  });
}

/** The start command's demo territory: Mulhouse. */
export function seedDemoTerritory(services: Services) {
  return seedTerritory(services, { territory: demoTerritory, groups: demoGroups });
}
