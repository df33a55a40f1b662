import { Activity } from "@fedify/vocab";
import { proofsVerify } from "@spiral-network/node/federation/integrity";
import { createKeyCache } from "@spiral-network/node/federation/key-cache";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait";
import { follow, type Peer, publishSynthesis, receivedBy, startPeer } from "./harness";

describe("integrity proofs of received activities", () => {
  let origin: Peer;
  let reader: Peer;
  let stored: Record<string, unknown>;

  beforeAll(async () => {
    [origin, reader] = await Promise.all([
      startPeer({ slug: "grenoble", name: "Grenoble", country: "FR" }),
      startPeer({ slug: "evora", name: "Évora", country: "PT" }),
    ]);
    await follow(reader, origin);
    await publishSynthesis(origin, 6);
    stored = (await waitFor(() => receivedBy(reader)[0], "the synthesis to arrive")).activity;
  });
  afterAll(async () => {
    await Promise.all([origin, reader].map((p) => p?.close()));
  });

  const check = async (json: Record<string, unknown>) => {
    const ctx = (await reader.node.federation.get()).context();
    const activity = await Activity.fromJsonLd(json, ctx);
    return proofsVerify(activity, json, {
      documentLoader: ctx.documentLoader,
      contextLoader: ctx.contextLoader,
      keyCache: createKeyCache((await reader.node.federation.get()).deps.kv),
      binds: (await reader.node.federation.get()).deps.keyBinding.binds,
    });
  };

  it("accepts the stored activity as received", async () => {
    expect(await check(stored)).toBe(true);
  });

  it("refuses it without its proof", async () => {
    const { proof: _proof, ...unproven } = stored;
    expect(await check(unproven)).toBe(false);
  });

  it("refuses it once its content is altered", async () => {
    const altered = structuredClone(stored) as any;
    altered.object.name = `${altered.object.name} (edited)`;
    expect(await check(altered)).toBe(false);
  });

  it("refuses a proof made by another actor than the activity's", async () => {
    const impostor = structuredClone(stored) as any;
    impostor.actor = reader.actorUrl;
    expect(await check(impostor)).toBe(false);
  });
});
