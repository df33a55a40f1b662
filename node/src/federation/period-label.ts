import type { SynthesisPayload } from "@spiral-network/protocol";

// Apart from ./synthesis-mapper.ts so that the public pages name periods without loading Fedify
// (docs/architecture.md, "How federation is loaded").

/** "2026" for a calendar year, otherwise "2026-01-01 – 2026-06-30" (plus the cycle, if any). */
export function periodLabel(period: SynthesisPayload["period"]): string {
  const year = period.start.slice(0, 4);
  const wholeYear = period.start === `${year}-01-01` && period.end === `${year}-12-31`;
  const range = wholeYear ? year : `${period.start} – ${period.end}`;
  return period.cycle === undefined ? range : `${range}, cycle ${period.cycle}`;
}
