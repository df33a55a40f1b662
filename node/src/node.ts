import {
  bundledGrids,
  DEFAULT_POLICY,
  type DisclosurePolicy,
  type Grid,
} from "@spiral-network/protocol";
import { type Context, type Env, Hono, type MiddlewareHandler } from "hono";
import { ensureAdminToken } from "./api/auth";
import { type Application, createApplication } from "./app/index";
import { openStorage, type Storage } from "./db/open";
import { hasActorKeys } from "./federation/key-rows";
import { lazyNetworkService } from "./federation/lazy-network";
import type { NetworkService } from "./federation/network";
import {
  DEFAULT_OUTBOUND_LIMITS,
  type OutboundLimits,
  type OutboundPolicy,
  type Resolve,
} from "./federation/outbound-limits";
import { createPeerRecovery } from "./federation/peer-recovery";
import { createDeliveryWatch } from "./federation/reachability";
import { createFederationRouting, notAcceptable, wantsActivityJson } from "./federation/routes";
import type { FederationRuntime } from "./federation/runtime";
import { SqliteKvStore } from "./federation/sqlite-kv-store";
import { SqliteMessageQueue } from "./federation/sqlite-message-queue";
import { SOFTWARE_VERSION } from "./federation/version";
import { federationWorkAtStart } from "./federation/work-waiting";
import { createLogger, type LogCapture, type Logger } from "./logger";
import { acquireDataDirLock, type DataDirLock } from "./ops/data-dir-lock";
import { createPages } from "./pages";
import { createProgressPages } from "./progress-pages";
import { upgradeBundledGrids } from "./services/grid-upgrade";
import { createLiveGrid } from "./services/grids";
import { createServices, type Services } from "./services/index";
import { createSetupCode, type SetupCode } from "./services/setup-code";
import { checkedPasswordCost, type PasswordCost } from "./services/users";

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
  /**
   * The scrypt cost of the password hashes this node writes. Only the test suite sets it (a
   * cheap cost, so that signing in hundreds of times stays fast); the start command never does,
   * so a node uses DEFAULT_PASSWORD_COST. Each hash records its cost, so a password is checked
   * at the cost it was hashed with.
   */
  passwordCost?: PasswordCost;
}

/** Fedify's part of the node, loaded once on first need. */
export interface LazyFederation {
  /** Loads federation (once; a failed load is tried again on the next call). */
  get(): Promise<FederationRuntime>;
  /** Whether it is loaded. */
  readonly loaded: boolean;
}

export interface SpiralNode {
  app: Hono;
  services: Services;
  storage: Storage;
  /** The node's root logger (["spiral"]); each part logs under its own sub-category. */
  logger: Logger;
  /**
   * Fedify and everything that needs it, loaded on first need (docs/architecture.md, "How
   * federation is loaded"): `await node.federation.get()`.
   */
  federation: LazyFederation;
  /** Fedify's persistent queue (inbox and outbox tasks); tests watch it to know it is idle. */
  queue: SqliteMessageQueue;
  /** The network service the application uses (it loads federation when it contacts peers). */
  network: NetworkService;
  /** The application layer the API and the workspace call (docs/architecture.md). */
  application: Application;
  /** Set when this start generated the admin token (first start without ADMIN_TOKEN). */
  generatedAdminToken?: string | undefined;
  /** The first-run setup code (its file, or in memory for a node without one). */
  setupCode: SetupCode;
  /**
   * Makes the key pairs of territories that have none yet (before anything is signed with them);
   * loads federation only then.
   */
  prepareKeys(): Promise<void>;
  /**
   * Starts the background work: purges, peer look-ups, and federation's (message queue, outbox
   * deliveries, periodic pulls) once it is loaded — at once when work is waiting.
   */
  start(): void;
  /** Stops the background work and closes the database. */
  close(): Promise<void>;
}

/** Builds a node: storage, services, federation and the HTTP app. The one place that wires them. */
export function createNode(given: NodeOptions): SpiralNode {
  // Checked before anything is opened, and copied: the node hashes at the cost it checked.
  const options = given.passwordCost
    ? { ...given, passwordCost: Object.freeze({ ...checkedPasswordCost(given.passwordCost) }) }
    : given;
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
    { passwordCost: options.passwordCost },
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

  const kv = new SqliteKvStore(storage.sqlite);
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
  const peers = createPeerRecovery({
    kv,
    queue,
    follows: services.follows,
    probeIntervalMs: options.peerProbeIntervalMs ?? 20_000,
    logger: log.child("federation", "peer-recovery"),
    async lookUp(actor) {
      const fed = await federation.get();
      // Fresh, not from the document cache (KV key: Fedify's remoteDocument prefix + URL).
      await fed.deps.kv.delete(["_fedify", "remoteDocument", actor]);
      await fed.context().documentLoader(actor, { signal: AbortSignal.timeout(10_000) });
      return true;
    },
  });
  const antiEntropyIntervalMs = options.antiEntropyIntervalMs ?? 6 * 60 * 60 * 1000;

  // Fedify (≈ 26 MiB of an idle node and ≈ 0.65 s of CPU) is loaded when federation is first
  // needed: a request on its routes, a publication to send, work waiting at start, a timer with
  // work (docs/architecture.md, "How federation is loaded").
  let runtime: FederationRuntime | undefined;
  let loading: Promise<FederationRuntime> | undefined;
  const federation: LazyFederation = {
    get() {
      loading ??= import("./federation/runtime")
        .then(({ createFederationRuntime }) => {
          const built = createFederationRuntime({
            services,
            db: storage.db,
            grid,
            logger: log,
            kv,
            queue,
            deliveryWatch,
            outbound,
            peers,
            publicUrl: options.publicUrl,
            now: clock,
            unreachableAfterFailures: options.unreachableAfterFailures,
            antiEntropyIntervalMs,
          });
          if (started) built.start();
          runtime = built;
          return built;
        })
        .catch((error: unknown) => {
          // Whether the import or the build failed: the next call tries again.
          loading = undefined;
          throw error;
        });
      return loading;
    },
    get loaded() {
      return runtime !== undefined;
    },
  };
  /** Loads federation in the background (its start then does the waiting work). */
  const loadFederation = (why: string) => {
    if (runtime) return;
    log.child("federation").debug(`loading federation: ${why}`);
    federation
      .get()
      .catch((error) => log.child("federation").error("could not load federation", error));
  };

  const network = lazyNetworkService(
    services,
    outbound,
    async () => (await federation.get()).network,
  );
  const application = createApplication(services, network, {
    fetchGrid: async (actorUrl) => (await federation.get()).gridFetcher.fetchGrid(actorUrl),
  });
  wakeOutbox = () => {
    if (!started) return;
    if (runtime) void runtime.outbox.drain();
    else loadFederation("a publication to send");
  };

  const app = new Hono();
  mountFederation(app, federation);
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

  let antiEntropyTimer: NodeJS.Timeout | undefined;
  return {
    app,
    services,
    storage,
    logger: log,
    federation,
    queue,
    network,
    application,
    generatedAdminToken: generated,
    setupCode,
    async prepareKeys() {
      const missing = services.territories
        .list()
        .filter((territory) => !hasActorKeys(storage.db, territory.slug));
      if (missing.length === 0) return;
      const { deps } = await federation.get();
      for (const territory of missing) await deps.keys.keyPairs(territory.slug);
    },
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
      peers.start();
      if (runtime) {
        runtime.start();
        return;
      }
      federationWorkAtStart(services, kv, queue).then(
        (why) => why && loadFederation(why),
        (error) => log.child("federation").error("could not look for federation work", error),
      );
      // Until federation is loaded, the periodic pull loads it when there are peers to pull
      // (once loaded, anti-entropy keeps its own timer).
      if (antiEntropyIntervalMs > 0) {
        antiEntropyTimer = setInterval(() => {
          if (services.follows.acceptedFollowing().length > 0) loadFederation("a periodic pull");
        }, antiEntropyIntervalMs);
        antiEntropyTimer.unref();
      }
    },
    async close() {
      clearInterval(trashTimer);
      clearInterval(antiEntropyTimer);
      const wasStarted = started;
      // A federation load still under way does not start its work now.
      started = false;
      if (wasStarted) {
        const fed = await loading?.catch(() => undefined);
        await fed?.stop();
        await peers.stop();
      }
      storage.close();
      lock?.release();
    },
  };
}

/** The methods an inbox answers: reads of the collection, and deliveries (POST). */
const INBOX_METHODS = ["GET", "HEAD", "POST"];

/**
 * Mounts federation's HTTP side, in the order Fedify's handlers had when they were built at
 * start: each loads federation when the request needs it (docs/architecture.md, "How federation
 * is loaded"), and answers a browser as it would without loading it.
 */
function mountFederation(app: Hono, federation: LazyFederation): void {
  /** A handler of the federation runtime, loading it first. */
  const loaded =
    (pick: (fed: FederationRuntime) => MiddlewareHandler): MiddlewareHandler =>
    async (c, next) =>
      pick(await federation.get())(c, next);
  // Inbox POSTs: the guards (size, JSON, payload) and the signed-delivery witness, then Fedify.
  const inbox = ([0, 1, 2] as const).map(
    (i): MiddlewareHandler =>
      async (c, next) => {
        if (c.req.method !== "POST" && !federation.loaded) return next();
        return loaded((fed) => fed.http.inbox[i])(c, next);
      },
  );
  // Activities are delivered by POST. Fedify's shared inbox takes a body sent with any other
  // method as a delivery too, past the guards above (they read POSTs): refused here.
  const postOnly: MiddlewareHandler = async (c, next) =>
    INBOX_METHODS.includes(c.req.method)
      ? next()
      : new Response("Method not allowed", {
          status: 405,
          headers: { Allow: INBOX_METHODS.join(", "), "Content-Type": "text/plain" },
        });
  app.use("/inbox", postOnly, ...inbox);
  app.use("/actors/:slug/inbox", postOnly, ...inbox);
  app.get(
    "/nodeinfo/2.1",
    loaded((fed) => fed.http.nodeInfo),
  );
  // Meetings and syntheses as ActivityStreams for federation clients; browsers go on to the page.
  const object =
    (kind: "meeting" | "synthesis"): MiddlewareHandler =>
    async (c, next) => {
      if (!federation.loaded && !wantsActivityJson(c.req.header("accept"))) return next();
      return loaded((fed) => fed.http[kind])(c, next);
    };
  app.get("/meetings/:uuid", object("meeting"));
  app.get("/syntheses/:uuid", object("synthesis"));
  app.get(
    "/grids/:id/:version",
    loaded((fed) => fed.http.gridDocument),
  );
  // Fedify's routes (actors, collections, WebFinger, NodeInfo, inboxes): a browser asking one
  // for HTML is answered as Fedify would (the page, or 406) without loading it.
  const routing = createFederationRouting();
  // Fedify serves none of the JSON API's or the workspace's paths: their requests skip it (its
  // routing, tracing span and logging context cost a read of the API ≈ 0.5 ms, docs/benchmarks.md).
  app.use(async (c, next) => {
    const route = ownPath(c.req.path)
      ? "elsewhere"
      : federation.loaded
        ? "federation"
        : routing(c.req.raw);
    if (route === "elsewhere") return next();
    if (route === "not-acceptable") {
      await next();
      return c.res.status !== 404 ? c.res : notAcceptable();
    }
    return loaded((fed) => fed.http.federation)(c, next);
  });
}

/** Paths under the JSON API or the workspace (lazily loaded below), never Fedify's. */
const ownPath = (path: string) =>
  ["/api/v1", "/admin"].some((prefix) => path === prefix || path.startsWith(`${prefix}/`));

/**
 * Mounts the sub-app `load` builds under `prefix`, building it on the first request there (its
 * modules are imported then; a failed load is tried again on the next request). The sub-app sees
 * the request exactly as `app.route(prefix, sub)` would show it: same path, same bindings.
 */
function lazyRoute<E extends Env>(app: Hono, prefix: string, load: () => Promise<Hono<E>>): void {
  let loading: Promise<Hono<E>> | undefined;
  // Once built, requests go to it without waiting on the load's promise.
  let built: Hono<E> | undefined;
  const mounted = () => {
    loading ??= load()
      .then((sub) => {
        built = new Hono<E>().route(prefix, sub);
        return built;
      })
      .catch((error: unknown) => {
        loading = undefined;
        throw error;
      });
    return loading;
  };
  const handler = (c: Context) =>
    built ? built.fetch(c.req.raw, c.env) : mounted().then((sub) => sub.fetch(c.req.raw, c.env));
  app.all(prefix, handler);
  app.all(`${prefix}/*`, handler);
}
