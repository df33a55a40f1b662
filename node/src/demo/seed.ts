import { randomBytes } from "node:crypto";
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

/** Local wall-clock date N days from now, as YYYY-MM-DD. */
const daysFromNow = (now: Date, days: number) =>
  new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);

/** A few upcoming meetings of the demo territory, dated from today. */
export function seedDemoMeetings(services: Services, slug: string): number {
  const now = services.ctx.now();
  const paris = { timeZone: "Europe/Paris", languages: ["fr"] };
  const drouot = {
    name: "Maison de quartier Drouot",
    street: "11 rue de Provence",
    locality: "Mulhouse",
    postalCode: "68100",
    country: "FR",
    latitude: 47.7604,
    longitude: 7.3562,
  };
  const meetings = [
    {
      title: "Groupe homogène — parents du quartier Drouot (séance 2)",
      description: "Deuxième séance : relecture des critères et pistes d'action.",
      kind: "homogeneous-group-session" as const,
      start: `${daysFromNow(now, 6)}T18:00`,
      end: `${daysFromNow(now, 6)}T20:00`,
      place: drouot,
      capacity: 12,
      ...paris,
    },
    {
      title: "Groupe de coordination SPIRAL Mulhouse",
      description: "Synthèse de l'année et choix des sessions de 2027.",
      kind: "coordination-group" as const,
      start: `${daysFromNow(now, 13)}T09:30`,
      end: `${daysFromNow(now, 13)}T12:00`,
      place: {
        ...drouot,
        name: "Hôtel de ville, salle des commissions",
        street: "2 place de la Réunion",
        latitude: 47.7467,
        longitude: 7.3386,
      },
      ...paris,
    },
    {
      title: "Online training: facilitating a homogeneous group",
      description: "For new facilitators of the TOGETHER network (in English).",
      kind: "training" as const,
      start: `${daysFromNow(now, 20)}T14:00`,
      end: `${daysFromNow(now, 20)}T16:00`,
      onlineUrl: "https://meet.example.org/spiral-training",
      registrationUrl: "https://example.org/spiral-training/register",
      timeZone: "Europe/Paris",
      languages: ["en", "fr"],
    },
  ];
  for (const meeting of meetings) services.meetings.create(slug, meeting, DEMO_ACTOR);
  return meetings.length;
}

/** The demo path of progress: leisure, culture and sport (A07), in the young people's words. */
const DEMO_PATH = [
  [
    "Il n'y a rien à faire pour les jeunes dans le quartier",
    "There is nothing for young people to do in the neighbourhood",
  ],
  [
    "Il y a un city stade, mais on n'y a pas accès le soir",
    "There is a sports ground, but it is closed in the evening",
  ],
  [
    "On peut faire du sport, mais les activités coûtent trop cher",
    "Sport is possible, but activities cost too much",
  ],
  [
    "Des activités gratuites existent et on s'y sent bien",
    "Free activities exist and people feel good there",
  ],
  [
    "Les jeunes organisent eux-mêmes des activités qui durent",
    "Young people run lasting activities themselves",
  ],
] as const;

/**
 * Two self-survey campaigns on the demo path, ex-ante then ex-post, typed in as paper answers
 * and published (docs/facilitators-guide.md, "Self-survey campaigns").
 */
export function seedDemoProgress(services: Services, slug: string): number {
  const { progress } = services;
  return services.ctx.db.transaction(() => {
    const linked = progress.criteriaFor(slug, "A07", 3).map((c) => c.id);
    const path = progress.savePath(
      slug,
      null,
      {
        code: "A07",
        statements: DEMO_PATH.map(([fr, en], i) => ({
          text: { fr, en },
          criteria: i === 0 ? linked : [],
        })),
        confirmedPublic: true,
      },
      DEMO_ACTOR,
    );
    // Dated from today, so that both have started whenever the node is first run.
    const now = services.ctx.now();
    const campaigns = [
      {
        phase: "ex-ante",
        start: daysFromNow(now, -150),
        end: daysFromNow(now, -120),
        levels: [6, 9, 7, 3, 1],
      },
      {
        phase: "ex-post",
        start: daysFromNow(now, -40),
        end: daysFromNow(now, -10),
        levels: [2, 5, 9, 8, 3],
      },
    ] as const;
    for (const [i, c] of campaigns.entries()) {
      const row = progress.createCampaign(
        slug,
        {
          label: i === 0 ? "Avant le city stade ouvert" : "Après l'ouverture le soir",
          start: c.start,
          end: c.end,
          cycle: 1,
          phase: c.phase,
          paths: [path.uuid],
        },
        DEMO_ACTOR,
      );
      const version = String(path.version.id);
      c.levels.forEach((n, level) => {
        for (let k = 0; k < n; k++) {
          progress.enterPaper(slug, row.uuid, { [version]: level + 1 }, "", DEMO_ACTOR);
        }
      });
      progress.publish(slug, row.uuid, DEMO_ACTOR);
    }
    return campaigns.length;
  });
}

/**
 * The start command's demo territory: Mulhouse, with its synthesis, upcoming meetings and two
 * published progress campaigns.
 */
export function seedDemoTerritory(services: Services) {
  const seeded = seedTerritory(services, { territory: demoTerritory, groups: demoGroups });
  const meetings = seedDemoMeetings(services, seeded.territory);
  const campaigns = seedDemoProgress(services, seeded.territory);
  return { ...seeded, meetings, campaigns };
}

/** The demo's workspace account (only the demo seed creates it). */
export const DEMO_ADMIN_EMAIL = "demo@spiral.example";

/**
 * Creates the demo admin account with a random password, while the node has no account yet;
 * returns the password (shown once by the start command) or undefined when accounts exist.
 */
export async function seedDemoAdmin(
  services: Services,
): Promise<{ email: string; password: string } | undefined> {
  if (!services.users.isEmpty()) return undefined;
  const password = randomBytes(12).toString("base64url");
  await services.users.create(
    { email: DEMO_ADMIN_EMAIL, name: "Demo admin", password, role: "admin" },
    DEMO_ACTOR,
  );
  return { email: DEMO_ADMIN_EMAIL, password };
}
