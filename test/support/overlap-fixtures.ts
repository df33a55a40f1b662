import {
  DEFAULT_POLICY,
  defaultGrid,
  draftSynthesis,
  type Period,
  type SynthesisPayload,
} from "@spiral-network/protocol";

/** Syntheses of fictional territories over overlapping periods, for the aggregation tests. */

export const GRID = { id: defaultGrid.id, version: defaultGrid.version };
export const YEAR: Period = { start: "2026-01-01", end: "2026-12-31" };
export const CYCLE: Period = { start: "2026-03-01", end: "2026-06-30", cycle: 1 };
export const JAN_OCT: Period = { start: "2026-01-01", end: "2026-10-31" };

export const actor = (name: string) => `https://${name}.example/actors/${name}`;

/** The first version of `name`'s synthesis over `period` from these groups (it must publish). */
export function drafted(
  name: string,
  country: string,
  period: Period,
  groups: Parameters<typeof draftSynthesis>[0]["groups"],
): SynthesisPayload {
  const { payload, blockers } = draftSynthesis({
    territory: { id: actor(name), name, country },
    period,
    grid: GRID,
    groups,
    previous: null,
    correction: false,
    policy: DEFAULT_POLICY,
  });
  if (!payload) throw new Error(blockers.join("; "));
  return payload;
}
