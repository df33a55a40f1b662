import type { KvStore } from "@fedify/fedify";
import type { Grid } from "@spiral-network/protocol";
import type { Logger } from "../logger";
import type { Services } from "../services/index";
import type { KeyBinding } from "./key-binding";
import type { ActorKeyStore } from "./keys";
import type { OutboundPolicy } from "./outbound";
import type { PeerRecovery } from "./peer-recovery";
import type { RelayHints } from "./relay-hints";

/** Fedify's context data: everything dispatchers and inbox handlers need, passed in. */
export interface FederationDeps {
  services: Services;
  keys: ActorKeyStore;
  kv: KvStore;
  /** Which keys count for which actor (docs/protocol.md §5, "Who may speak for an actor"). */
  keyBinding: KeyBinding;
  grid: Grid;
  logger: Logger;
  /** Which relay handed over an activity that is being routed (for "via"). */
  relayHints: RelayHints;
  /** Activities their own actor delivered, HTTP-signed (./hono.ts signedDeliveryWitness). */
  signedDeliveries: RelayHints;
  /** Starts an anti-entropy pull from a peer (after a follow is accepted). */
  requestPull(followingId: number): void;
  /** Failed contacts in a row after which a peer shows as unreachable (default 3). */
  unreachableAfter?: number | undefined;
  /** Resets a peer's delivery delays as soon as it is seen alive (see peer-recovery.ts). */
  peers?: PeerRecovery | undefined;
  /** Loopback and private-network addresses may be contacted (tests, a local demo network). */
  allowPrivateAddress?: boolean;
  /** Limits of every outbound fetch (timeouts, sizes, pulls); see outbound.ts. */
  outbound: OutboundPolicy;
}
