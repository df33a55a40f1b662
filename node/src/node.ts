import type { Federation } from "@fedify/fedify";
import {
  bundledGrids,
  DEFAULT_POLICY,
  type DisclosurePolicy,
  type Grid,
} from "@spiral-network/protocol";
import { type Context, type Env, Hono } from "hono";
import { ensureAdminToken } from "./api/auth";
import { type Application, createApplication } from "./app/index";
import { openStorage, type Storage } from "./db/open";
import { type AntiEntropy, createAntiEntropy } from "./federation/anti-entropy";
import type { FederationDeps } from "./federation/context";
import { createSpiralFederation, SOFTWARE_VERSION } from "./federation/federation";
import { recheckFollowerKinds } from "./federation/follower-kinds";
import { createGridFetcher, gridDocumentHandler } from "./federation/grid-documents";
import { federationMiddleware, inboxGuard, signedDeliveryWitness } from "./federation/hono";
import { createKeyBinding } from "./federation/key-binding";
import { createActorKeyStore } from "./federation/keys";
import { createNetworkService, type NetworkService } from "./federation/network";
import {
  DEFAULT_OUTBOUND_LIMITS,
  type OutboundLimits,
  type OutboundPolicy,
  type Resolve,
} from "./federation/outbound";
import { createOutboxDispatcher, type OutboxDispatcher } from "./federation/outbox-dispatcher";
import { createPeerRecovery } from "./federation/peer-recovery";
import { createDeliveryWatch, UNREACHABLE_AFTER } from "./federation/reachability";
import { createRelayHints } from "./federation/relay-hints";
import { nodeInfoHandler, objectHandler } from "./federation/served-json";
import { SqliteKvStore } from "./federation/sqlite-kv-store";
import { SqliteMessageQueue } from "./federation/sqlite-message-queue";
import { createLogger, type LogCapture, type Logger } from "./logger";
import { acquireDataDirLock, type DataDirLock } from "./ops/data-dir-lock";
import { createPages } from "./pages";
import { createProgressPages } from "./progress-pages";
import { upgradeBundledGrids } from "./services/grid-upgrade";
import { createLiveGrid } from "./services/grids";
import { createServices, type Services } from "./services/index";
import { createSetupCode, type SetupCode } from "./services/setup-code";

export interface NodeOptions {
  /** Database file, or ":memory:" (tests). */
  databaseFile: string;
  /**
   * The data directory this node owns: its lock is taken (a second node on it refuses to start)
   * and the queue claims a dead process left behind are released. Omitted in most tests.
   */
  dataDir?: string;
  publicUrl: string;
  /**
   * Where the node's messages are also handed (tests collect them); they always go to LogTape,
   * under `logCategory` (["spiral"] unless told), configured once per process (node/src/logging.ts).
   */
  logger?: LogCapture;
  logCategory?: readonly string[];
  adminToken?: string | undefined;
  /**
   * The grid to use (tests, benchmarks). Without it the node uses the grid it holds, and moves
   * to each newer bundled grid through the grid import (docs/running-a-node.md, "Grid versions").
   */
  grid?: Grid;
  policy?: DisclosurePolicy;
  now?: () => Date;
  /** Let the node fetch loopback and private addresses (tests, a local demo network). */
  allowPrivateAddress?: boolean;
  /** Timeouts and size limits of outbound fetches and pulls (defaults: DEFAULT_OUTBOUND_LIMITS). */
  outbound?: Partial<OutboundLimits> & { resolve?: Resolve };
  /** How often to pull followed peers' known syntheses; 0 turns the periodic pull off. */
  antiEntropyIntervalMs?: number;
  /** How often an idle queue looks for work (ms). */
  queuePollIntervalMs?: number;
  /** Failed contacts in a row after which a followed actor or follower shows as unreachable. */
  unreachableAfterFailures?: number;
  /**
   * Where the first-run setup code is kept, owner-only (the start command: DATA_DIR/setup-code).
   * Without it the code stays in memory (tests, benchmarks), readable on `setupCode`.
   */
  setupCodeFile?: string;
  /** Believe X-Forwarded-For's last entry as the client address (TRUST_PROXY). */
  trustProxy?: boolean;
  /** How often peers with deliveries waiting are looked up (ms); 0 turns it off. Default 20 s. */
  peerProbeIntervalMs?: number;
}

export interface SpiralNode {
  app: Hono;
  services: Services;
  storage: Storage;
  /** The node's root logger (["spiral"]); each part logs under its own sub-category. */
  logger: Logger;
  federation: Federation<FederationDeps>;
  /** Fedify's persistent queue (inbox and outbox tasks); tests watch it to know it is idle. */
  queue: SqliteMessageQueue;
  deps: FederationDeps;
  network: NetworkService;
  /** The application layer the API and the workspace call (docs/architecture.md). */
  application: Application;
  outbox: OutboxDispatcher;
  antiEntropy: AntiEntropy;
  /** Set when this start generated the admin token (first start without ADMIN_TOKEN). */
  generatedAdminToken?: string | undefined;
  /** The first-run setup code (its file, or in memory for a node without one). */
  setupCode: SetupCode;
  /** Starts the background work: the message queue, outbox deliveries, periodic pulls. */
  start(): void;
  /** Stops the background work and closes the database. */
  close(): Promise<void>;
}

/** Builds a node: storage, services, federation and the HTTP app. The one place that wires them. */
export function createNode(options: NodeOptions): SpiralNode {
  const lock = options.dataDir ? acquireDataDirLock(options.dataDir) : undefined;
  try {
    return buildNode(options, lock);
  } catch (error) {
    lock?.release();
    throw error;
  }
}

function buildNode(options: NodeOptions, lock: DataDirLock | undefined): SpiralNode {
  const log = createLogger({ capture: options.logger, category: options.logCategory });
  const storage = openStorage(options.databaseFile);
  const clock = options.now ?? (() => new Date());
  const live = createLiveGrid(options.grid ?? (bundledGrids[0] as Grid));
  const grid = live.grid;
  let started = false;
  /** Purges deletions past their undo time (their texts must not outlive the Undo notice). */
  let trashTimer: NodeJS.Timeout | undefined;
  let wakeOutbox = () => {};
  const services = createServices(
    {
      storage,
      db: storage.db,
      grid,
      policy: options.policy ?? DEFAULT_POLICY,
      publicUrl: options.publicUrl,
      now: clock,
      notifyOutbox: () => wakeOutbox(),
    },
    live,
  );
  services.categories.ensureBuiltins();
  services.grids.start(live.current());
  if (!options.grid) upgradeBundledGrids(services.grids, bundledGrids, log.child("grid"));
  const { generated } = ensureAdminToken(storage.db, options.adminToken);
  const setupCode = createSetupCode({
    file: options.setupCodeFile,
    isOpen: () => services.users.isEmpty(),
  });
  setupCode.prepare();

  const rawKv = new SqliteKvStore(storage.sqlite);
  const keyBinding = createKeyBinding({ kv: rawKv, now: () => clock().getTime() });
  // Fedify's key cache is read through the key binding (a key the actor no longer lists stops
  // counting); everything else passes through unchanged.
  const kv = keyBinding.wrapKv(rawKv);
  const queue = new SqliteMessageQueue(storage.sqlite, {
    ...(options.queuePollIntervalMs ? { pollIntervalMs: options.queuePollIntervalMs } : {}),
    onError: (error) =>
      log.child("federation", "queue").error("queued federation task failed", error),
  });
  // The lock is ours: claims in the queue belong to a process that died (docs/running-a-node.md, "Operations").
  const released = lock ? queue.releaseAllLeases() : 0;
  if (released > 0) {
    log
      .child("federation", "queue")
      .info(`released ${released} queued task(s) claimed by a stopped process`);
  }
  const deliveryWatch = createDeliveryWatch(services.follows, {
    unreachableAfter: options.unreachableAfterFailures,
    onError: (message, error) => log.child("federation", "delivery").error(message, error),
  });
  const outbound: OutboundPolicy = {
    ...DEFAULT_OUTBOUND_LIMITS,
    ...options.outbound,
    allowPrivateAddress: options.allowPrivateAddress ?? false,
    userAgent: `SpiralNetwork/${SOFTWARE_VERSION} (+${options.publicUrl})`,
  };
  const federation = createSpiralFederation({
    kv,
    keyBinding,
    queue,
    publicUrl: options.publicUrl,
    outbound,
    deliveryWatch,
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
          unreachableAfter: options.unreachableAfterFailures ?? UNREACHABLE_AFTER,
        },
      );
    },
  });
  let antiEntropy: AntiEntropy | undefined;
  const deps: FederationDeps = {
    services,
    keys: createActorKeyStore(storage.db),
    kv,
    keyBinding,
    grid,
    logger: log.child("federation"),
    relayHints: createRelayHints(),
    signedDeliveries: createRelayHints(),
    requestPull: (id) => antiEntropy?.request(id),
    unreachableAfter: options.unreachableAfterFailures,
    allowPrivateAddress: options.allowPrivateAddress ?? false,
    outbound,
  };
  const peers = createPeerRecovery({
    kv,
    queue,
    follows: services.follows,
    probeIntervalMs: options.peerProbeIntervalMs ?? 20_000,
    logger: log.child("federation", "peer-recovery"),
    async lookUp(actor) {
      // Fresh, not from the document cache (KV key: Fedify's remoteDocument prefix + URL).
      await kv.delete(["_fedify", "remoteDocument", actor]);
      const ctx = federation.createContext(new URL(options.publicUrl), deps);
      await ctx.documentLoader(actor, { signal: AbortSignal.timeout(10_000) });
      return true;
    },
  });
  deps.peers = peers;
  const outbox = createOutboxDispatcher(federation, deps, options.publicUrl);
  antiEntropy = createAntiEntropy(
    federation,
    deps,
    options.publicUrl,
    options.antiEntropyIntervalMs ?? 6 * 60 * 60 * 1000,
  );
  const network = createNetworkService(federation, deps, options.publicUrl);
  const application = createApplication(
    services,
    network,
    createGridFetcher(services.grids, outbound),
  );
  wakeOutbox = () => {
    if (started) void outbox.drain();
  };

  const app = new Hono();
  const witness = signedDeliveryWitness(federation, deps);
  app.use("/inbox", ...inboxGuard(grid), witness);
  app.use("/actors/:slug/inbox", ...inboxGuard(grid), witness);
  app.get("/nodeinfo/2.1", nodeInfoHandler(deps));
  app.get("/meetings/:uuid", objectHandler(federation, deps, options.publicUrl, "meeting"));
  app.get("/syntheses/:uuid", objectHandler(federation, deps, options.publicUrl, "synthesis"));
  app.get("/grids/:id/:version", gridDocumentHandler(services.grids, options.publicUrl));
  // Fedify serves none of the JSON API's or the workspace's paths: their requests skip it (its
  // routing, tracing span and logging context cost a read of the API ≈ 0.5 ms, docs/benchmarks.md).
  const federated = federationMiddleware(federation, deps);
  app.use((c, next) => (ownPath(c.req.path) ? next() : federated(c, next)));
  // The JSON API and the workspace are loaded on their first request: a node that only
  // federates never reads their code (docs/benchmarks.md, "A light node").
  lazyRoute(app, "/api/v1", async () => {
    const { createApi } = await import("./api/index");
    return createApi(services, application, log.child("api"));
  });
  lazyRoute(app, "/admin", async () => {
    const { createAdmin } = await import("./admin");
    return createAdmin(services, application, {
      secureCookies: options.publicUrl.startsWith("https:"),
      logger: log.child("admin"),
      setupCode,
      trustProxy: options.trustProxy ?? false,
    });
  });
  app.route("/", createProgressPages(services, { trustProxy: options.trustProxy ?? false }));
  app.route("/", createPages(services));

  const queueController = new AbortController();
  let queueRunning: Promise<void> | undefined;
  const ae = antiEntropy;
  return {
    app,
    services,
    storage,
    logger: log,
    federation,
    queue,
    deps,
    network,
    application,
    outbox,
    antiEntropy: ae,
    generatedAdminToken: generated,
    setupCode,
    start() {
      if (started) return;
      started = true;
      // Deletions whose undo time passed while the node was down, then every minute.
      services.trash.purge();
      trashTimer = setInterval(() => {
        try {
          services.trash.purge();
        } catch (error) {
          // A full disk, say: the next minute tries again; the entries are no longer restorable.
          log.error("purging expired deletions failed", error);
        }
      }, 60_000);
      trashTimer.unref();
      queueRunning = federation.startQueue(deps, { signal: queueController.signal });
      outbox.start();
      ae.start();
      peers.start();
      // Followers recorded before SPIRAL nodes were told apart (see follower-kinds.ts).
      recheckFollowerKinds(federation, deps, options.publicUrl)
        .then((n) => {
          if (n > 0) log.child("federation").info(`${n} follower(s) recognised as SPIRAL nodes`);
        })
        .catch((error) => log.child("federation").warn("could not recheck followers", error));
    },
    async close() {
      clearInterval(trashTimer);
      if (started) {
        await outbox.stop();
        await ae.stop();
        await peers.stop();
        queueController.abort();
        await queueRunning;
      }
      storage.close();
      lock?.release();
    },
  };
}

/**
 * Mounts the sub-app `load` builds under `prefix`, building it on the first request there (its
 * modules are imported then; a failed load is tried again on the next request). The sub-app sees
 * the request exactly as `app.route(prefix, sub)` would show it: same path, same bindings.
 */
/** Paths under the JSON API or the workspace (lazily loaded below), never Fedify's. */
const ownPath = (path: string) =>
  ["/api/v1", "/admin"].some((prefix) => path === prefix || path.startsWith(`${prefix}/`));

function lazyRoute<E extends Env>(app: Hono, prefix: string, load: () => Promise<Hono<E>>): void {
  let loading: Promise<Hono<E>> | undefined;
  const mounted = () => {
    loading ??= load().then(
      (sub) => new Hono<E>().route(prefix, sub),
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };
  const handler = async (c: Context) => (await mounted()).fetch(c.req.raw, c.env);
  app.all(prefix, handler);
  app.all(`${prefix}/*`, handler);
}
