import type { SynthesisPayload } from "@spiral-network/protocol";
import { waitFor } from "../support/wait";
import { follow, type Peer, publishSynthesis, receivedBy, startPeer, startPeers } from "./harness";
import { type HostilePeer, type KeyPairWithId, startHostilePeer } from "./hostile-peer";

/**
 * The scene of the hostile-peer suites, on loopback: Mulhouse (the victim), Gent (a real
 * receiver that follows Mulhouse, accepted) and a hostile peer aiming at Mulhouse.
 */
export interface HostileScene {
  victim: Peer;
  receiver: Peer;
  hostile: HostilePeer;
  /** Gent's own inbox. */
  gentInbox: string;
  /** The receiver node's shared inbox. */
  sharedInbox: string;
}

export async function startHostileScene(): Promise<HostileScene> {
  const [victim, receiver] = await startPeers("mulhouse", "gent");
  const hostile = await startHostilePeer(victim.actorUrl);
  await follow(receiver, victim);
  return {
    victim,
    receiver,
    hostile,
    gentInbox: `${receiver.actorUrl}/inbox`,
    sharedInbox: `${receiver.url}/inbox`,
  };
}

/** The victim publishes a synthesis; returns its Create as the receiver got it, and the payload. */
export async function genuineSynthesis(victim: Peer, receiver: Peer) {
  await publishSynthesis(victim, 8);
  const held = await waitFor(() => receivedBy(receiver)[0], "the receiver to get the synthesis");
  const activity = held.activity as Record<string, any>;
  const payload: SynthesisPayload = JSON.parse(activity.object.source.content);
  return { activity, payload };
}

/** The victim's own signing keys (RSA `#main-key`, Ed25519 `#multikey-2`), to sign as it would. */
export async function victimKeys(victim: Peer): Promise<{ rsa: KeyPairWithId; ed: KeyPairWithId }> {
  const [rsa, ed] = await (await victim.node.federation.get()).deps.keys.keyPairs(victim.slug);
  if (!rsa || !ed) throw new Error("the victim has keys");
  return {
    rsa: { keyId: new URL(`${victim.actorUrl}#main-key`), pair: rsa },
    ed: { keyId: new URL(`${victim.actorUrl}#multikey-2`), pair: ed },
  };
}

/**
 * Tartu, a receiver on the clock `now`, and a server (the hostile peer's, aiming at nobody) that
 * serves whatever actor documents a test needs.
 */
export async function startClockedReceiver(now: () => Date) {
  const receiver = await startPeer({ slug: "tartu", name: "Tartu", country: "EE" }, { now });
  const server = await startHostilePeer(`${receiver.url}/actors/nobody`);
  return { receiver, server };
}
