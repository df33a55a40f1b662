/** A day `days` from now (YYYY-MM-DD, UTC), for a meeting that must lie in the future. */
export const inDays = (days: number): string =>
  new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/**
 * A valid body for POST /territories/{slug}/meetings: a homogeneous-group session at Mulhouse's
 * social centre, 18:00–20:00 Paris time on `day`; override what the test is about.
 */
export function meetingInput(day: string, overrides: Record<string, unknown> = {}) {
  return {
    title: "Groupe homogène",
    kind: "homogeneous-group-session",
    start: `${day}T18:00`,
    end: `${day}T20:00`,
    timeZone: "Europe/Paris",
    place: { name: "Centre social", locality: "Mulhouse", country: "FR" },
    languages: ["fr"],
    ...overrides,
  };
}
