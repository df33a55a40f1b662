import type { Grid } from "@spiral-network/protocol";
import type { Context, MiddlewareHandler } from "hono";
import type { Logger } from "../logger";
import type { Services } from "../services/index";
import { createAntiEntropy } from "./anti-entropy";
import type { FederationDeps } from "./context";
import { createSpiralFederation } from "./federation";
import { recheckFollowerKinds } from "./follower-kinds";
import { createGridFetcher, gridDocumentHandler } from "./grid-documents";
import { federationMiddleware, inboxGuard, signedDeliveryWitness } from "./hono";
import { createKeyBinding } from "./key-binding";
import { createActorKeyStore } from "./keys";
import { createNetworkService } from "./network";
import type { OutboundPolicy } from "./outbound-limits";
import { createOutboxDispatcher } from "./outbox-dispatcher";
import type { PeerRecovery } from "./peer-recovery";
import { type DeliveryWatch, UNREACHABLE_AFTER } from "./reachability";
import { createRelayHints } from "./relay-hints";
import { nodeInfoHandler, objectHandler } from "./served-json";
import type { SqliteKvStore } from "./sqlite-kv-store";
import type { SqliteMessageQueue } from "./sqlite-message-queue";

/**
 * Everything of the node that needs Fedify, built on its first use: node/src/node.ts imports
 * this module with `import()` when federation is first needed, so a node that only serves its
 * pages and workspace never loads Fedify (docs/architecture.md, "How federation is loaded").
 */
export interface FederationRuntimeInput {
  services: Services;
  db: Parameters<typeof createActorKeyStore>[0];
  grid: Grid;
  logger: Logger;
  /** The KV store (Fedify's caches, circuit breakers); the key binding wraps it here. */
  kv: SqliteKvStore;
  queue: SqliteMessageQueue;
  deliveryWatch: DeliveryWatch;
  outbound: OutboundPolicy;
  peers: PeerRecovery;
  publicUrl: string;
  now: () => Date;
  unreachableAfterFailures?: number | undefined;
  antiEntropyIntervalMs: number;
}

export function createFederationRuntime(input: FederationRuntimeInput) {
  const { services, logger: log, publicUrl, outbound } = input;
  const keyBinding = createKeyBinding({ kv: input.kv, now: () => input.now().getTime() });
  // Fedify's key cache is read through the key binding (a key the actor no longer lists stops
  // counting); everything else passes through unchanged.
  const kv = keyBinding.wrapKv(input.kv);
  const federation = createSpiralFederation({
    kv,
    keyBinding,
    queue: input.queue,
    publicUrl,
    outbound,
    deliveryWatch: input.deliveryWatch,
    onDeliveryRefused: ({ inbox, activityId, reason, permanent }) => {
      const what = permanent ? "refused delivery" : "gave up delivery";
      log
        .child("federation", "delivery")
        .warn(`${what} of ${activityId ?? "an activity"} to ${inbox}: ${reason}`);
      services.follows.recordContactFailure(
        { inbox },
        {
          reason: permanent ? `refused: ${reason}` : reason,
          permanent,
          unreachableAfter: input.unreachableAfterFailures ?? UNREACHABLE_AFTER,
        },
      );
    },
  });
  let pull: ((followingId: number) => void) | undefined;
  const deps: FederationDeps = {
    services,
    keys: createActorKeyStore(input.db),
    kv,
    keyBinding,
    grid: input.grid,
    logger: log.child("federation"),
    relayHints: createRelayHints(),
    signedDeliveries: createRelayHints(),
    requestPull: (id) => pull?.(id),
    unreachableAfter: input.unreachableAfterFailures,
    allowPrivateAddress: outbound.allowPrivateAddress,
    outbound,
    peers: input.peers,
  };
  const outbox = createOutboxDispatcher(federation, deps, publicUrl);
  const antiEntropy = createAntiEntropy(federation, deps, publicUrl, input.antiEntropyIntervalMs);
  pull = (id) => antiEntropy.request(id);
  const witness = signedDeliveryWitness(federation, deps);
  const queueController = new AbortController();
  let queueRunning: Promise<void> | undefined;
  let started = false;

  return {
    federation,
    deps,
    outbox,
    antiEntropy,
    network: createNetworkService(federation, deps, publicUrl),
    gridFetcher: createGridFetcher(services.grids, outbound),
    /** A context for work not tied to a request (sending, pulling, looking up). */
    context: () => federation.createContext(new URL(publicUrl), deps),
    /** The HTTP handlers node.ts mounts, in its order, before the pages. */
    http: {
      /** The inbox guards (size, JSON, payload), then the signed-delivery witness. */
      inbox: [...inboxGuard(input.grid), witness] as const,
      nodeInfo: nodeInfoHandler(deps),
      meeting: objectHandler(federation, deps, publicUrl, "meeting"),
      synthesis: objectHandler(federation, deps, publicUrl, "synthesis"),
      gridDocument: asMiddleware(gridDocumentHandler(services.grids, publicUrl)),
      federation: federationMiddleware(federation, deps),
    },
    /** Starts the background work: the message queue, outbox deliveries, periodic pulls. */
    start(): void {
      if (started) return;
      started = true;
      queueRunning = federation.startQueue(deps, { signal: queueController.signal });
      outbox.start();
      antiEntropy.start();
      // Followers recorded before SPIRAL nodes were told apart (see follower-kinds.ts).
      recheckFollowerKinds(federation, deps, publicUrl)
        .then((n) => {
          if (n > 0) log.child("federation").info(`${n} follower(s) recognised as SPIRAL nodes`);
        })
        .catch((error) => log.child("federation").warn("could not recheck followers", error));
    },
    async stop(): Promise<void> {
      if (!started) return;
      await outbox.stop();
      await antiEntropy.stop();
      queueController.abort();
      await queueRunning;
    },
  };
}
/** A handler that always answers, as a middleware (node.ts mounts every handler so). */
const asMiddleware =
  (handler: (c: Context) => Response | Promise<Response>): MiddlewareHandler =>
  async (c) =>
    handler(c);

export type FederationRuntime = ReturnType<typeof createFederationRuntime>;
