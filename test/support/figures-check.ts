import { endorsement } from "@spiral-network/node/figures";
import type { SpiralNode } from "@spiral-network/node/node";
import type { AggregateResult, CoveragePage } from "@spiral-network/node/services/aggregates";
import {
  type AggregateFilter,
  type AggregateState,
  aggregate,
  defaultGrid,
} from "@spiral-network/protocol";
import { expect } from "vitest";

/**
 * The node's figures against the protocol's `aggregate()` recomputed from `state`: every filter,
 * both scopes (the node's own endorsement), raw and robust, whole and in each coverage window —
 * sums, fingerprint, flagged, the coverage lists (sliced as the window asks) and their counts.
 */
export function expectFiguresAsRecomputed(
  node: SpiralNode,
  state: AggregateState,
  filters: ReadonlyArray<AggregateFilter>,
  label: string,
  pages: ReadonlyArray<CoveragePage | undefined>,
): void {
  const grid = { id: defaultGrid.id, version: defaultGrid.version };
  const trusted = endorsement(node.services);
  const grids = node.services.grids.catalog();
  for (const filter of filters) {
    for (const scope of ["verified", "endorsed"] as const) {
      for (const robust of [false, true]) {
        const expected = aggregate(state, filter, {
          grid,
          grids,
          robust,
          ...(scope === "endorsed" ? { trusted } : {}),
        });
        for (const page of pages) {
          const answer: AggregateResult = node.services.aggregates.query(
            { ...filter, scope, robust },
            trusted,
            page,
          );
          const what = `${label} ${scope} robust=${robust} ${JSON.stringify(filter)} ${JSON.stringify(page)}`;
          const { scope: _s, filter: _f, coverageCounts, coverage, ...rest } = answer;
          const { coverage: whole, ...expectedRest } = expected;
          expect(rest, what).toEqual(expectedRest);
          const cut = <T>(list: T[]) =>
            page ? list.slice(page.offset, page.offset + page.limit) : list;
          expect(coverage, what).toEqual({
            included: cut(whole.included),
            excluded: cut(whole.excluded),
          });
          expect(coverageCounts.included, what).toBe(whole.included.length);
          for (const [reason, n] of Object.entries(coverageCounts.excluded)) {
            expect(n, `${what} ${reason}`).toBe(
              whole.excluded.filter((e) => e.reason === reason).length,
            );
          }
        }
      }
    }
  }
}
