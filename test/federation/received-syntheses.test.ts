import { createNode, type SpiralNode } from "@spiral-network/node/node";
import { periodKey, type SynthesisPayload } from "@spiral-network/protocol";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isValidPayload, makePayload } from "./synthesis-fixtures";

// The received-syntheses store is a state-based CRDT keyed by (origin, period): versions only move
// forward, the same version with another hash flags a conflict, and the order of deliveries must
// not matter.

const ORIGINS = [
  "https://mulhouse.example/actors/mulhouse",
  "https://porto.example/actors/porto",
  "https://namur.example/actors/namur",
];
const PERIODS = [
  { start: "2026-01-01", end: "2026-12-31" },
  { start: "2026-01-01", end: "2026-06-30", cycle: 1 },
];
const OBJECT = (origin: string, period: number) =>
  `${new URL(origin).origin}/syntheses/00000000-0000-4000-8000-00000000000${period}`;

let node: SpiralNode;
let clock = new Date("2026-07-01T00:00:00Z");

beforeAll(() => {
  node = createNode({
    databaseFile: ":memory:",
    publicUrl: "http://receiver.test",
    logger: { info() {}, warn() {}, error() {} },
    adminToken: "received-syntheses-test-token-0123456789",
    now: () => clock,
  });
});
afterAll(async () => {
  await node?.close();
});
const reset = () => {
  node.storage.sqlite.prepare("delete from received_syntheses").run();
  node.storage.sqlite.prepare("delete from received_withdrawals").run();
};
beforeEach(reset);

const received = () => node.services.received;
const tick = () => {
  clock = new Date(clock.getTime() + 1000);
};

const payloads = new Map<string, SynthesisPayload>();
/** A valid payload for one origin, period, version and content variant (memoised). */
function payload(origin = 0, period = 0, version = 1, variant = 0): SynthesisPayload {
  const key = `${origin}/${period}/${version}/${variant}`;
  let p = payloads.get(key);
  if (!p) {
    p = makePayload({
      origin: ORIGINS[origin],
      name: new URL(ORIGINS[origin] as string).hostname.split(".")[0],
      period: PERIODS[period],
      version,
      variant,
    });
    payloads.set(key, p);
  }
  return p;
}

/** Hands `p` to the receiver as its origin's Create (version 1) or Update, the clock unmoved. */
function accept(p: SynthesisPayload, via: string | null, published?: string) {
  const period = PERIODS.findIndex((x) => periodKey(x) === periodKey(p.period));
  return received().accept({
    origin: p.territory.id,
    objectId: OBJECT(p.territory.id, period),
    payload: p,
    activity: {
      type: p.version === 1 ? "Create" : "Update",
      hash: p.hash,
      ...(published === undefined ? {} : { published }),
    },
    via,
  });
}

function deliver(p: SynthesisPayload, via: string | null = null) {
  tick();
  return accept(p, via);
}

/** `p` from its origin, sent at `published` (what a withdrawal is compared with). */
const at = (p: SynthesisPayload, published: string) => accept(p, null, published);

const rows = () => received().list();
const only = () => {
  const all = rows();
  expect(all).toHaveLength(1);
  return all[0] as NonNullable<(typeof all)[0]>;
};

describe("received syntheses: versions only move forward", () => {
  it("the fixtures are valid payloads with distinct hashes per version and variant", () => {
    const all = [payload(0, 0, 1, 0), payload(0, 0, 1, 1), payload(0, 0, 2, 0), payload(0, 1, 1)];
    expect(all.every(isValidPayload)).toBe(true);
    expect(new Set(all.map((p) => p.hash)).size).toBe(4);
  });

  it("stores the first version, with payload, activity and relay", () => {
    const p = payload();
    expect(deliver(p, "https://relay.example/actors/relay")).toBe("stored");
    expect(only()).toMatchObject({
      origin: ORIGINS[0],
      periodKey: "2026-01-01/2026-12-31",
      objectId: OBJECT(ORIGINS[0] as string, 0),
      version: 1,
      hash: p.hash,
      payload: p,
      activity: { type: "Create", hash: p.hash },
      via: "https://relay.example/actors/relay",
      conflictedAt: null,
      withdrawnAt: null,
    });
  });

  it("a newer version replaces it; an older one is ignored", () => {
    expect(deliver(payload(0, 0, 1))).toBe("stored");
    expect(deliver(payload(0, 0, 3))).toBe("replaced");
    expect(only()).toMatchObject({ version: 3, hash: payload(0, 0, 3).hash });
    expect(deliver(payload(0, 0, 2))).toBe("older");
    expect(deliver(payload(0, 0, 1))).toBe("older");
    expect(only()).toMatchObject({
      version: 3,
      hash: payload(0, 0, 3).hash,
      payload: payload(0, 0, 3),
      activity: { type: "Update" },
    });
  });

  it("the same version with the same hash is a duplicate and changes nothing", () => {
    deliver(payload());
    const before = only();
    expect(deliver(payload(), "https://relay.example/actors/relay")).toBe("duplicate");
    expect(only()).toEqual(before);
  });

  it("periods and origins are kept apart", () => {
    expect(deliver(payload(0, 0, 2))).toBe("stored");
    expect(deliver(payload(0, 1, 1))).toBe("stored");
    expect(deliver(payload(1, 0, 1))).toBe("stored");
    expect(
      rows()
        .map((r) => `${r.origin} ${r.periodKey} v${r.version}`)
        .sort(),
    ).toEqual([
      `${ORIGINS[0]} 2026-01-01/2026-06-30#cycle1 v1`,
      `${ORIGINS[0]} 2026-01-01/2026-12-31 v2`,
      `${ORIGINS[1]} 2026-01-01/2026-12-31 v1`,
    ]);
    const v2 = payload(0, 0, 2);
    const year = "2026-01-01/2026-12-31";
    expect(received().holds(ORIGINS[0] as string, year, 1, "sha256:any")).toBe(true);
    expect(received().holds(ORIGINS[0] as string, year, 2, v2.hash)).toBe(true);
    // The same version with another content is not "held": it must be routed (a conflict).
    expect(received().holds(ORIGINS[0] as string, year, 2, payload(0, 0, 2, 1).hash)).toBe(false);
    expect(received().holds(ORIGINS[0] as string, year, 3, "sha256:any")).toBe(false);
    expect(received().holds(ORIGINS[2] as string, year, 1, "sha256:any")).toBe(false);
  });
});

describe("received syntheses: conflicts", () => {
  it("the same version with another hash flags a conflict, which stays until a newer version", () => {
    deliver(payload(0, 0, 2, 0));
    expect(deliver(payload(0, 0, 2, 1))).toBe("conflict");
    const flagged = only();
    expect(flagged.version).toBe(2);
    expect(flagged.conflictedAt).toEqual(expect.any(String));
    expect(flagged.conflictingHash).toEqual(expect.stringMatching(/^sha256:/));
    expect([flagged.hash, flagged.conflictingHash].sort()).toEqual(
      [payload(0, 0, 2, 0).hash, payload(0, 0, 2, 1).hash].sort(),
    );

    // Neither copy clears it, however often it comes again; an older version does not either.
    expect(deliver(payload(0, 0, 2, 0))).not.toBe("stored");
    expect(deliver(payload(0, 0, 2, 1))).not.toBe("stored");
    expect(deliver(payload(0, 0, 1))).toBe("older");
    expect(only().conflictedAt).toBe(flagged.conflictedAt);

    // The conflicted row is not re-served to others (anti-entropy).
    expect(
      received()
        .list()
        .filter((r) => !r.conflictedAt),
    ).toHaveLength(0);

    // A newer version resolves it.
    expect(deliver(payload(0, 0, 3))).toBe("replaced");
    expect(only()).toMatchObject({
      version: 3,
      hash: payload(0, 0, 3).hash,
      conflictedAt: null,
      conflictingHash: null,
    });
  });

  it("a conflict for one period leaves the other periods and origins alone", () => {
    deliver(payload(0, 0, 1, 0));
    deliver(payload(0, 1, 1, 0));
    deliver(payload(1, 0, 1, 0));
    expect(deliver(payload(0, 0, 1, 1))).toBe("conflict");
    const flagged = rows().filter((r) => r.conflictedAt);
    expect(flagged.map((r) => `${r.origin} ${r.periodKey}`)).toEqual([
      `${ORIGINS[0]} 2026-01-01/2026-12-31`,
    ]);
  });
});

describe("received syntheses: withdrawal", () => {
  it("withdraw marks the synthesis withdrawn; a newer version brings it back", () => {
    deliver(payload(0, 0, 1));
    deliver(payload(0, 1, 1));
    expect(received().withdraw(ORIGINS[0] as string, OBJECT(ORIGINS[0] as string, 0))).toBe(true);
    const [withdrawn, kept] = [0, 1].map((period) =>
      rows().find((r) => r.objectId === OBJECT(ORIGINS[0] as string, period)),
    );
    expect(withdrawn?.withdrawnAt).toEqual(expect.any(String));
    expect(kept?.withdrawnAt).toBeNull();

    // An older or equal version does not bring it back.
    expect(deliver(payload(0, 0, 1))).toBe("duplicate");
    expect(rows().find((r) => r.objectId === OBJECT(ORIGINS[0] as string, 0))?.withdrawnAt).toEqual(
      withdrawn?.withdrawnAt,
    );

    expect(deliver(payload(0, 0, 2))).toBe("replaced");
    expect(rows().find((r) => r.objectId === OBJECT(ORIGINS[0] as string, 0))).toMatchObject({
      version: 2,
      withdrawnAt: null,
    });
  });

  it("only the origin can withdraw, and only what it holds", () => {
    deliver(payload(0, 0, 1));
    expect(received().withdraw(ORIGINS[1] as string, OBJECT(ORIGINS[0] as string, 0))).toBe(false);
    expect(received().withdraw(ORIGINS[0] as string, OBJECT(ORIGINS[0] as string, 1))).toBe(false);
    expect(only().withdrawnAt).toBeNull();
  });

  it("a Delete older than the version held changes nothing; its tombstone is kept until a newer version", () => {
    const origin = ORIGINS[0] as string;
    const objectId = OBJECT(origin, 0);
    const deleteOfV1 = { type: "Delete", published: "2026-03-01T00:00:00.000Z", proof: {} };
    expect(at(payload(0, 0, 2), "2026-04-01T00:00:00.000Z")).toBe("stored");
    expect(
      received().applyWithdrawal(origin, objectId, {
        published: deleteOfV1.published,
        activity: deleteOfV1,
      }),
    ).toBe("older");
    expect(only()).toMatchObject({ version: 2, withdrawnAt: null, withdrawal: null });
    expect(received().withdrawalSettled(origin, objectId, deleteOfV1.published)).toBe(true);

    const deleteOfV2 = { ...deleteOfV1, published: "2026-05-01T00:00:00.000Z" };
    expect(received().withdrawalSettled(origin, objectId, deleteOfV2.published)).toBe(false);
    expect(
      received().applyWithdrawal(origin, objectId, {
        published: deleteOfV2.published,
        activity: deleteOfV2,
      }),
    ).toBe("withdrawn");
    expect(only()).toMatchObject({ withdrawnAt: expect.any(String), withdrawal: deleteOfV2 });
    expect(received().withdrawalSettled(origin, objectId, deleteOfV2.published)).toBe(true);
    expect(received().applyWithdrawal(origin, objectId, { published: deleteOfV2.published })).toBe(
      "already",
    );
    expect(only().withdrawal).toEqual(deleteOfV2);
    // Another copy of version 2 (a conflict) keeps the withdrawal and its tombstone.
    expect(at(payload(0, 0, 2, 1), "2026-04-01T00:00:00.000Z")).toBe("conflict");
    expect(only()).toMatchObject({ withdrawnAt: expect.any(String), withdrawal: deleteOfV2 });
    // A newer version brings it back, without the tombstone.
    expect(at(payload(0, 0, 3), "2026-06-01T00:00:00.000Z")).toBe("replaced");
    expect(only()).toMatchObject({ version: 3, withdrawnAt: null, withdrawal: null });
    expect(received().applyWithdrawal(origin, OBJECT(origin, 1), {})).toBe("unknown");
    expect(received().withdrawalSettled(origin, OBJECT(origin, 1), null)).toBe(true);
  });
});

describe("received syntheses: a withdrawal before the synthesis", () => {
  it("the Delete kept first withdraws every version published before it, not a later one", () => {
    const origin = ORIGINS[0] as string;
    const objectId = OBJECT(origin, 0);
    const del = { type: "Delete", published: "2026-05-01T00:00:00.000Z", proof: {} };
    expect(received().withdrawalSettled(origin, objectId, del.published)).toBe(false);
    received().keepEarlyWithdrawal(origin, objectId, { published: del.published, activity: del });
    expect(received().withdrawalSettled(origin, objectId, del.published)).toBe(true);
    // Version 1, then version 2 (both before the Delete) arrive late: kept, withdrawn, not counted.
    expect(at(payload(0, 0, 1), "2026-03-01T00:00:00.000Z")).toBe("withdrawn");
    expect(only()).toMatchObject({ version: 1, withdrawnAt: expect.any(String), withdrawal: del });
    expect(at(payload(0, 0, 2), "2026-04-01T00:00:00.000Z")).toBe("withdrawn");
    expect(only()).toMatchObject({ version: 2, withdrawnAt: expect.any(String), withdrawal: del });
    const entry = node.services.aggregates
      .entries()
      .find((e) => e.origin === origin && e.periodKey === only().periodKey);
    expect(entry).toMatchObject({ version: 2, withdrawn: true });
    // A republication after the Delete is public again.
    expect(at(payload(0, 0, 3), "2026-06-01T00:00:00.000Z")).toBe("replaced");
    expect(only()).toMatchObject({ version: 3, withdrawnAt: null, withdrawal: null });
  });

  it("an unproven Delete of an object not held is not kept", () => {
    const origin = ORIGINS[0] as string;
    received().keepEarlyWithdrawal(origin, OBJECT(origin, 0), {
      published: "2026-05-01T00:00:00.000Z",
      activity: null,
    });
    expect(
      received().withdrawalSettled(origin, OBJECT(origin, 0), "2026-05-01T00:00:00.000Z"),
    ).toBe(false);
    expect(
      received().accept({
        origin,
        objectId: OBJECT(origin, 0),
        payload: payload(0, 0, 1),
        activity: { type: "Create", published: "2026-03-01T00:00:00.000Z" },
        via: null,
      }),
    ).toBe("stored");
  });
});

describe("received syntheses: the order of deliveries does not matter (CRDT)", () => {
  type Delivery = { origin: number; period: number; version: number; variant: number };
  const delivery = fc.record({
    origin: fc.integer({ min: 0, max: ORIGINS.length - 1 }),
    period: fc.integer({ min: 0, max: PERIODS.length - 1 }),
    version: fc.integer({ min: 1, max: 3 }),
    // Two contents for the same version now and then: conflicts are part of the game.
    variant: fc.integer({ min: 0, max: 1 }),
  });

  /** What the store must hold once every delivery arrived, in any order. */
  function expected(deliveries: Delivery[]): string[] {
    const state = new Map<string, { version: number; hashes: Set<string> }>();
    for (const d of deliveries) {
      const p = payload(d.origin, d.period, d.version, d.variant);
      const key = `${p.territory.id} ${periodKey(p.period)}`;
      const held = state.get(key);
      if (!held || held.version < d.version) {
        state.set(key, { version: d.version, hashes: new Set([p.hash]) });
      } else if (held.version === d.version) held.hashes.add(p.hash);
    }
    return [...state].map(([key, { version, hashes }]) =>
      // A conflicted row holds one of the contents; the smallest hash, so all orders agree.
      [key, version, [...hashes].sort()[0], hashes.size > 1].join(" "),
    );
  }

  const state = () =>
    rows()
      .map((r) =>
        [`${r.origin} ${r.periodKey}`, r.version, r.hash, r.conflictedAt !== null].join(" "),
      )
      .sort();

  function run(order: Delivery[]): string[] {
    reset();
    for (const d of order) deliver(payload(d.origin, d.period, d.version, d.variant));
    return state();
  }

  it("any permutation, with repetitions, of the same deliveries ends in the same state", () => {
    const scenario = fc.array(delivery, { minLength: 1, maxLength: 12 }).chain((deliveries) =>
      fc.record({
        deliveries: fc.constant(deliveries),
        shuffled: fc.shuffledSubarray(deliveries, {
          minLength: deliveries.length,
          maxLength: deliveries.length,
        }),
        repeats: fc.array(
          fc.tuple(fc.constantFrom(...deliveries), fc.nat({ max: deliveries.length })),
          { maxLength: 6 },
        ),
      }),
    );
    fc.assert(
      fc.property(scenario, ({ deliveries, shuffled, repeats }) => {
        const reordered = [...shuffled];
        for (const [d, at] of repeats) reordered.splice(at, 0, d);
        const inOrder = run(deliveries);
        expect(inOrder).toEqual(expected(deliveries).sort());
        expect(run(reordered)).toEqual(inOrder);
        expect(run([...deliveries].reverse())).toEqual(inOrder);
      }),
      { numRuns: 150 },
    );
  });

  it("a conflict resolves the same way whichever copy came first", () => {
    const [a, b] = [payload(2, 0, 1, 0), payload(2, 0, 1, 1)];
    const first = run([
      { origin: 2, period: 0, version: 1, variant: 0 },
      { origin: 2, period: 0, version: 1, variant: 1 },
    ]);
    const second = run([
      { origin: 2, period: 0, version: 1, variant: 1 },
      { origin: 2, period: 0, version: 1, variant: 0 },
    ]);
    expect(second).toEqual(first);
    expect(first).toEqual([
      `${ORIGINS[2]} 2026-01-01/2026-12-31 1 ${[a.hash, b.hash].sort()[0]} true`,
    ]);
  });
});
