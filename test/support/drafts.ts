import {
  DEFAULT_POLICY,
  defaultGrid,
  draftSynthesis,
  type Period,
  type SynthesisPayload,
} from "@spiral-network/protocol";

/** Syntheses of fictional territories (first versions, default policy), for the aggregation tests. */

export const GRID = { id: defaultGrid.id, version: defaultGrid.version };
export const YEAR: Period = { start: "2026-01-01", end: "2026-12-31" };
export const CYCLE: Period = { start: "2026-03-01", end: "2026-06-30", cycle: 1 };
export const JAN_OCT: Period = { start: "2026-01-01", end: "2026-10-31" };

export const actor = (name: string) => `https://${name}.example/actors/${name}`;

type Draft = Parameters<typeof draftSynthesis>[0];

/** The first version of a territory's synthesis over `period` from these groups (it must publish). */
export function firstVersion(
  territory: Draft["territory"],
  period: Period,
  groups: Draft["groups"],
  grid: Draft["grid"] = GRID,
): SynthesisPayload {
  const { payload, blockers } = draftSynthesis({
    territory,
    period,
    grid,
    groups,
    previous: null,
    correction: false,
    policy: DEFAULT_POLICY,
  });
  if (!payload) throw new Error(blockers.join("; "));
  return payload;
}

/** The first version of the synthesis of `name` (at {@link actor}) over `period`. */
export const drafted = (name: string, country: string, period: Period, groups: Draft["groups"]) =>
  firstVersion({ id: actor(name), name, country }, period, groups);
