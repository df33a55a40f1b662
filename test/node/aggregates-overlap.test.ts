import {
  aggregate,
  emptyState,
  mergeRecords,
  type Period,
  periodKey,
  type SynthesisPayload,
  synthesisRecord,
} from "@spiral-network/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { actor, CYCLE, drafted, GRID, JAN_OCT, YEAR } from "../support/drafts";
import { createTestNode, type TestNode } from "./helpers";

// Two nodes receive the same syntheses in different orders, among them overlapping periods of
// one territory (a year and a cycle inside it; Jan–Dec and Jan–Oct). Both show the same figures
// and fingerprint, each territory counted once, the other period listed as "overlapping" — from
// the incremental totals (a lookup) as from the protocol's full recomputation.

const H1: Period = { start: "2026-01-01", end: "2026-05-31" };

function payload(
  name: string,
  country: string,
  period: Period,
  participants: number,
  criteria: number,
): SynthesisPayload {
  return drafted(name, country, period, [
    {
      category: "young-people",
      participants,
      counts: [
        { question: "Q1", component: "A01", count: criteria },
        { question: "Q2", component: "B01", count: 1 },
      ],
    },
  ]);
}

const PAYLOADS = [
  payload("mulhouse", "FR", YEAR, 20, 30),
  payload("mulhouse", "FR", CYCLE, 8, 12),
  payload("porto", "PT", YEAR, 10, 15),
  payload("porto", "PT", JAN_OCT, 9, 14),
  payload("paris", "FR", H1, 7, 3),
];

const nodes: TestNode[] = [];
afterEach(() => {
  for (const node of nodes.splice(0)) {
    expect(node.loggedErrors).toEqual([]);
    node.close();
  }
});

function nodeHolding(order: SynthesisPayload[]): TestNode {
  const t = createTestNode();
  nodes.push(t);
  for (const p of order) {
    const outcome = t.services.received.accept({
      origin: p.territory.id,
      objectId: `${new URL(p.territory.id).origin}/syntheses/${encodeURIComponent(periodKey(p.period))}`,
      payload: p,
      activity: { type: "Create" },
      via: null,
    });
    expect(outcome).toBe("stored");
  }
  return t;
}

const QUERIES = [
  "",
  "country=FR",
  "country=PT",
  "category=young-people",
  "from=2026-01-01&to=2026-06-30",
  "robust=true",
];

describe("aggregates: one territory counts once", () => {
  it("two nodes, two orders: same figures, same fingerprint, counted once, the other listed", async () => {
    const a = nodeHolding(PAYLOADS);
    const b = nodeHolding([...PAYLOADS].reverse());
    const world = (await a.anonymous.get("/api/v1/aggregates")).body;
    expect(world.participants).toBe(20 + 10 + 7);
    expect(world.counts.Q1.A01).toBe(30 + 15 + 3);
    expect(world.territories).toBe(3);
    expect(world.coverage.excluded).toEqual([
      { origin: actor("mulhouse"), periodKey: periodKey(CYCLE), version: 1, reason: "overlapping" },
      {
        origin: actor("porto"),
        periodKey: periodKey(JAN_OCT),
        version: 1,
        reason: "overlapping",
      },
    ]);
    for (const query of QUERIES) {
      const [fromA, fromB] = await Promise.all(
        [a, b].map((t) => t.anonymous.get(`/api/v1/aggregates?${query}`)),
      );
      expect(fromA?.status, `${query}: ${fromA?.text}`).toBe(200);
      expect(fromB?.body, query).toEqual(fromA?.body);
      // The lookup agrees with the protocol's recomputation over the same syntheses.
      const params = new URLSearchParams(query);
      const reference = aggregate(
        mergeRecords(emptyState(), PAYLOADS.map(synthesisRecord)),
        {
          ...(params.get("country") ? { countries: [params.get("country") as string] } : {}),
          ...(params.get("category") ? { categories: [params.get("category") as string] } : {}),
          ...(params.get("from") ? { periodFrom: params.get("from") as string } : {}),
          ...(params.get("to") ? { periodTo: params.get("to") as string } : {}),
        },
        { grid: GRID, robust: params.get("robust") === "true" },
      );
      expect(fromA?.body.fingerprint, query).toBe(reference.fingerprint);
      expect(fromA?.body.counts, query).toEqual(reference.counts);
      expect(fromA?.body.participants, query).toBe(reference.participants);
      expect(fromA?.body.groups, query).toBe(reference.groups);
      expect(fromA?.body.coverage, query).toEqual(JSON.parse(JSON.stringify(reference.coverage)));
    }
    // Within the first half of 2026 only Mulhouse's cycle and Paris's H1 are in range: both count.
    const half = (await a.anonymous.get("/api/v1/aggregates?from=2026-01-01&to=2026-06-30")).body;
    expect(half.participants).toBe(8 + 7);
    expect(half.coverage.excluded).toEqual([]);
  });
});
