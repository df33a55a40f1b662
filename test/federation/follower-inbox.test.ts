import { randomUUID } from "node:crypto";
import { CryptographicKey, Organization } from "@fedify/vocab";
import { afterAll, beforeAll, expect, it } from "vitest";
import { waitFor } from "../support/wait";
import { closePeers } from "./harness";
import { AS } from "./hostile-peer";
import { type HostileScene, startHostileScene } from "./hostile-scene";

// A follower's inboxes are on its own origin (docs/protocol.md §9): an actor naming another
// host's inbox would turn every publication and every passing-on (§8) into traffic at that host.

let scene: HostileScene;
beforeAll(async () => {
  scene = await startHostileScene();
}, 60_000);
afterAll(async () => {
  await closePeers(scene?.victim, scene?.receiver);
  await scene?.hostile.close();
});

it("refuses a follower whose inbox or shared inbox is on another origin", async () => {
  const { hostile, receiver, victim } = scene;
  const elsewhere = `${victim.url}/actors/${victim.slug}/inbox`;
  hostile.serve(
    new URL(hostile.actorUrl).pathname,
    await new Organization({
      id: new URL(hostile.actorUrl),
      preferredUsername: "evil",
      inbox: new URL(elsewhere),
      endpoints: null,
      streams: [new URL(`${hostile.actorUrl}/known-syntheses`)],
      publicKey: new CryptographicKey({
        id: hostile.ownRsa.keyId,
        owner: new URL(hostile.actorUrl),
        publicKey: hostile.ownRsa.pair.publicKey,
      }),
    }).toJsonLd(),
  );
  const follow = {
    "@context": AS,
    id: `${hostile.url}/follows/${randomUUID()}`,
    type: "Follow",
    actor: hostile.actorUrl,
    object: receiver.actorUrl,
  };
  const response = await hostile.post(`${receiver.actorUrl}/inbox`, follow, hostile.ownRsa);
  expect(response.status, response.text).toBe(202);
  await waitFor(
    () => receiver.logs.some((l) => l.includes(`ignored Follow ${follow.id}`)),
    "gent to refuse the Follow",
  );
  const followers = receiver.node.services.follows.acceptedFollowers(receiver.slug);
  expect(followers.map((f) => f.follower)).not.toContain(hostile.actorUrl);
});
