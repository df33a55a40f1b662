import { createNode } from "@spiral-network/node/node";
import { expect, it } from "vitest";

it("the outbox dispatcher only picks publications, never follow activities or relays", () => {
  const node = createNode({
    databaseFile: ":memory:",
    publicUrl: "http://node.test",
    logger: { info() {}, warn() {}, error() {} },
  });
  const { outbox } = node.services;
  for (const type of ["Follow", "Accept", "Reject", "Undo", "Announce"] as const) {
    outbox.record({ actor: "t", type, objectId: `http://peer.test/${type}` });
  }
  const create = outbox.record({
    actor: "t",
    type: "Create",
    objectId: "http://node.test/syntheses/1",
  });
  expect(outbox.pending().map((row) => row.uuid)).toEqual([create.uuid]);
  void node.close();
});
