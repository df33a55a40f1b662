import type { SynthesisPayload } from "@spiral-network/protocol";
import { waitFor } from "../support/wait";
import { follow, type Peer, publishSynthesis, receivedBy, startPeers } from "./harness";
import { type HostilePeer, startHostilePeer } from "./hostile-peer";

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
