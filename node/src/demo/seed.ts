import type { Services } from "../services/index";
import { demoGroups, demoTerritory } from "./demo-data";

const DEMO_ACTOR = "demo-seed";
/** The demo groups met in 2026; their synthesis covers that calendar year. */
export const DEMO_PERIOD = { start: "2026-01-01", end: "2026-12-31" } as const;

/**
 * Creates the demo territory (Mulhouse) with its groups and classified criteria, then publishes
 * its synthesis, in one transaction: a failed seed leaves the node empty, not half-filled.
 */
export function seedDemoTerritory(services: Services): {
  territory: string;
  groups: number;
  criteria: number;
} {
  const { db } = services.ctx;
  return db.transaction(() => {
    const territory = services.territories.create(demoTerritory, DEMO_ACTOR);
    let criteria = 0;
    for (const demo of demoGroups) {
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
    return { territory: territory.slug, groups: demoGroups.length, criteria };
  });
}
