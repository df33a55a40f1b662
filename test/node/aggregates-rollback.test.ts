import { createNode } from "@spiral-network/node/node";
import { expect, it } from "vitest";
import { makePayload } from "../federation/synthesis-fixtures";

const logger = { info() {}, warn() {}, error() {} };

it("a change whose transaction rolls back leaves the figures as they were", () => {
  const node = createNode({ databaseFile: ":memory:", publicUrl: "http://node.test", logger });
  const { received, aggregates, ctx } = node.services;
  const origin = "https://porto.example/actors/porto";
  const deliver = (version: number) =>
    received.accept({
      origin,
      objectId: `${origin}/syntheses/1`,
      payload: makePayload({ origin, name: "Porto", country: "PT", version }),
      activity: { type: "Create" },
      via: null,
    });
  const figure = () => aggregates.query({ scope: "verified", robust: false }, () => true);

  expect(deliver(1)).toBe("stored");
  const before = figure();
  expect(before.coverage.included).toEqual([expect.objectContaining({ origin, version: 1 })]);

  // Version 2 is applied inside a transaction that then fails: nothing of it may remain.
  expect(() =>
    ctx.db.transaction(() => {
      deliver(2);
      throw new Error("a later step failed");
    }),
  ).toThrow("a later step failed");
  expect(received.list()[0]?.version).toBe(1);
  expect(figure()).toEqual(before);

  expect(deliver(2)).toBe("replaced");
  expect(figure().coverage.included).toEqual([expect.objectContaining({ origin, version: 2 })]);
  void node.close();
});

it("the sums a read keeps in memory take committed changes only, across rollbacks", () => {
  const node = createNode({ databaseFile: ":memory:", publicUrl: "http://node.test", logger });
  const { received, aggregates, ctx } = node.services;
  const origin = (n: number) => `https://t${n}.example/actors/t`;
  const deliver = (n: number, version: number, variant: number) =>
    received.accept({
      origin: origin(n),
      objectId: `${origin(n)}/syntheses/1`,
      payload: makePayload({ origin: origin(n), name: `T${n}`, country: "PT", version, variant }),
      activity: { type: version === 1 ? "Create" : "Update" },
      via: null,
    });
  const query = () => aggregates.query({ scope: "verified", robust: false }, () => true);
  const country = () =>
    aggregates.query({ scope: "verified", robust: false, countries: ["PT"] }, () => true);
  // Inside a transaction the figure sums the persisted rows in SQL: the reference.
  const fromRows = (read: typeof query) => ctx.db.transaction(() => read());
  const failing = (work: () => void) =>
    expect(() =>
      ctx.db.transaction(() => {
        work();
        throw new Error("a later step failed");
      }),
    ).toThrow("a later step failed");

  deliver(1, 1, 0);
  deliver(2, 1, 0);
  expect(query().counts).toEqual(fromRows(query).counts);
  expect(country()).toEqual(fromRows(country));
  // Two changes in a transaction that rolls back, then one that commits in their place.
  failing(() => {
    deliver(1, 2, 5);
    deliver(2, 2, 7);
  });
  expect(query()).toEqual(fromRows(query));
  deliver(2, 2, 3);
  const after = query();
  expect(after.counts.Q1?.A05).toBe(3 + 3 + 3);
  expect(after).toEqual(fromRows(query));
  expect(country()).toEqual(fromRows(country));
  // A rollback after a commit, then two commits.
  failing(() => deliver(1, 2, 9));
  deliver(1, 2, 1);
  deliver(2, 3, 0);
  expect(query().counts.Q1?.A05).toBe(4 + 3);
  expect(query()).toEqual(fromRows(query));
  expect(country()).toEqual(fromRows(country));
  void node.close();
});
