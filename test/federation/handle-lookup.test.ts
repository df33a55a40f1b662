import { readFileSync } from "node:fs";
import path from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, expect, it } from "vitest";
import { waitFor } from "../support/wait";
import { type Peer, startPeer } from "./harness";

// Handles (@slug@host) are looked up with WebFinger over https only: both nodes serve https with
// the self-signed fixture certificate, which this test process is told to trust.
const certificate = readFileSync(
  path.join(import.meta.dirname, "../fixtures/tls/localhost-cert.pem"),
  "utf8",
);

let namur: Peer;
let lisbon: Peer;
beforeAll(async () => {
  tls.setDefaultCACertificates([...tls.getCACertificates("default"), certificate]);
  [namur, lisbon] = await Promise.all([
    startPeer({ slug: "namur", name: "Namur", country: "BE" }, { tls: true }),
    startPeer({ slug: "lisboa", name: "Lisboa", country: "PT" }, { tls: true }),
  ]);
});
afterAll(async () => {
  await Promise.all([namur, lisbon].map((p) => p?.close()));
});

it("follows a territory by its handle over https", async () => {
  const handle = `@namur@${new URL(namur.url).host}`;
  expect(handle).toMatch(/^@namur@localhost:\d+$/);
  const response = await lisbon.api("POST", "/territories/lisboa/following", { target: handle });
  expect(response.status).toBe(202);
  expect(response.body).toMatchObject({ target: namur.actorUrl, handle, state: "pending" });
  await waitFor(
    () => lisbon.node.services.follows.following("lisboa")[0]?.state === "accepted",
    "namur to accept",
  );
  expect(namur.node.services.follows.followers("namur")).toEqual([
    expect.objectContaining({ follower: lisbon.actorUrl, state: "accepted" }),
  ]);
});

it("answers 404 with a clear message for a handle nobody serves", async () => {
  const response = await lisbon.api("POST", "/territories/lisboa/following", {
    target: `@nobody@${new URL(namur.url).host}`,
  });
  expect(response.status).toBe(404);
  expect(response.body.message).toMatch(/no reachable ActivityPub actor/);
});
