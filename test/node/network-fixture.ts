import type { SpiralNode } from "@spiral-network/node/node";
import {
  defaultGrid,
  type GroupTally,
  type Period,
  periodKey,
  type SynthesisPayload,
} from "@spiral-network/protocol";
import { expect } from "vitest";
import { firstVersion } from "../support/drafts";

/**
 * Syntheses of other territories, delivered to a test node as if they came over the network:
 * what the figures pages and the explorer sum up.
 */

export interface Place {
  slug: string;
  name: string;
  country: string;
  region?: string;
}
export const MULHOUSE: Place = {
  slug: "mulhouse",
  name: "Mulhouse",
  country: "FR",
  region: "FR-GES",
};
export const PARIS: Place = { slug: "paris", name: "Paris", country: "FR", region: "FR-IDF" };
export const PORTO: Place = { slug: "porto", name: "Porto", country: "PT", region: "PT-13" };
export const NAMUR: Place = { slug: "namur", name: "Namur", country: "BE", region: "BE-WAL" };
const PLACES = [MULHOUSE, PARIS, PORTO, NAMUR];

export const H1: Period = { start: "2026-01-01", end: "2026-06-30" };
export const actorOf = (place: Place) => `https://${place.slug}.example/actors/${place.slug}`;

/** A valid payload for a place: young people and farmers; `base` sets the counts. */
export function payloadOf(place: Place, base = 2, grid = defaultGrid): SynthesisPayload {
  const groups: GroupTally[] = [
    {
      category: "young-people",
      participants: 8,
      counts: [
        { question: "Q1", component: "A05", count: base },
        { question: "Q1", component: "D00", count: 2 },
        { question: "Q2", component: "B01", count: base + 1 },
      ],
    },
    {
      category: "farmers",
      participants: 6,
      counts: [
        { question: "Q1", component: "A01", count: 1 },
        { question: "Q3", component: "A02", count: base },
      ],
    },
  ];
  return firstVersion(
    {
      id: actorOf(place),
      name: place.name,
      country: place.country,
      ...(place.region ? { region: place.region } : {}),
    },
    H1,
    groups,
    { id: grid.id, version: grid.version },
  );
}

/** Stores a synthesis as received from its origin. */
export function deliver(node: SpiralNode, payload: SynthesisPayload) {
  const outcome = node.services.received.accept({
    origin: payload.territory.id,
    objectId: `${new URL(payload.territory.id).origin}/syntheses/${periodKey(payload.period)}`,
    payload,
    activity: { type: "Create" },
    via: null,
  });
  expect(outcome).toBe("stored");
}

/** Every place of PLACES delivered, with different counts. */
export function deliverNetwork(node: SpiralNode) {
  PLACES.forEach((place, i) => {
    deliver(node, payloadOf(place, 2 + i));
  });
}
