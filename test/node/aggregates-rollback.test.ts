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
