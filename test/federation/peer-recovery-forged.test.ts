import { signRequest } from "@fedify/fedify/sig";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait";
import { type Peer, publishSynthesis, startPeer } from "./harness";

// Only a delivery the peer itself made (HTTP-signed by its actor's key) shows it is alive (README
// "Operations", delivery retries). Its activities are public and carry proofs, so anyone can
// post a copy: that copy is accepted (the proof verifies) but must not reset the breaker held
// for the peer.

let mulhouse: Peer;
let porto: Peer;
let lyon: Peer;
let create: Record<string, unknown>;
const circuit = () => ["_fedify", "circuit", new URL(porto.url).host] as const;

beforeEach(async () => {
  mulhouse = await startPeer({ slug: "mulhouse", name: "Mulhouse", country: "FR" });
  porto = await startPeer({ slug: "porto", name: "Porto", country: "PT" });
  lyon = await startPeer({ slug: "lyon", name: "Lyon", country: "FR" });
  // Porto publishes to no one; its Create, with its proof, is public at its id.
  await publishSynthesis(porto);
  const id = await waitFor(
    () => porto.node.services.outbox.latestPublications("porto")[0]?.json?.id,
    "Porto's Create",
  );
  const served = await fetch(String(id), { headers: { accept: "application/activity+json" } });
  create = await served.json();
  expect(create).toMatchObject({ type: "Create", proof: expect.anything() });
  // Mulhouse holds its deliveries to Porto (its breaker is open).
  await (await mulhouse.node.federation.get()).deps.kv.set(circuit(), {
    state: "open",
    failures: [],
  });
});
afterEach(async () => {
  await Promise.all([mulhouse, porto, lyon].map((p) => p.close()));
});

/** Posts Porto's Create to Mulhouse's inbox, HTTP-signed by `signer`'s main key, or unsigned. */
async function postCopy(signer?: Peer): Promise<void> {
  let request = new Request(`${mulhouse.url}/inbox`, {
    method: "POST",
    headers: { "content-type": "application/activity+json" },
    body: JSON.stringify(create),
  });
  if (signer) {
    const [rsa] = await (await signer.node.federation.get()).deps.keys.keyPairs(signer.slug);
    if (!rsa) throw new Error("no key");
    request = await signRequest(request, rsa.privateKey, new URL(`${signer.actorUrl}#main-key`));
  }
  const response = await fetch(request);
  expect(response.status).toBeLessThan(300);
  // Accepted on the strength of its proof.
  await waitFor(() => mulhouse.node.services.received.list().length === 1, "the copy");
}

describe("a peer's breaker and a copy of its activity", () => {
  it("is not reset by an unsigned copy whose proof verifies", async () => {
    await postCopy();
    expect(await (await mulhouse.node.federation.get()).deps.kv.get(circuit())).toEqual({
      state: "open",
      failures: [],
    });
  }, 30_000);

  it("is not reset by a copy another node signed (a relay, an attacker)", async () => {
    await postCopy(lyon);
    expect(await (await mulhouse.node.federation.get()).deps.kv.get(circuit())).toEqual({
      state: "open",
      failures: [],
    });
  }, 30_000);

  it("is reset by the peer's own signed delivery", async () => {
    await postCopy(porto);
    await waitFor(
      async () =>
        (await (await mulhouse.node.federation.get()).deps.kv.get(circuit())) === undefined,
      "reset",
    );
  }, 30_000);
});
