import type { AsyncLocalStorage } from "node:async_hooks";
import type { KvStore } from "@fedify/fedify";
import type { Grid } from "../../../protocol/src/index";
import type { Logger } from "../api/problem";
import type { Services } from "../services/index";
import type { ActorKeyStore } from "./keys";

/** Fedify's context data: everything dispatchers and inbox handlers need, passed in. */
export interface FederationDeps {
  services: Services;
  keys: ActorKeyStore;
  kv: KvStore;
  grid: Grid;
  logger: Logger;
  /** Set while an activity taken out of an Announce is routed, to record which relay brought it. */
  relayedBy: AsyncLocalStorage<string>;
  /** Starts an anti-entropy pull from a peer (after a follow is accepted). */
  requestPull(followingId: number): void;
}
