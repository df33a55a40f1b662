/**
 * `npm run bench:federation` (node --import tsx scripts/bench-federation.ts): federation figures
 * (docs/benchmarks.md, printed, not asserted), all traffic over real HTTP on 127.0.0.1 with
 * ephemeral ports, each figure beside its baseline measured in the same run and its goal.
 *
 * 1. Verified ingest. SENDERS real Spiral nodes (one territory each) that the receiver node
 *    follows publish PERIODS syntheses each (distinct monthly periods ending with the current
 *    month, one group of 8 participants with validated criteria per period), their delivery held
 *    (outbox dispatcher stopped). Timed: from releasing the deliveries until the receiver holds
 *    them all. The same count of Creates then goes from SENDERS bare Fedify senders to a bare
 *    Fedify listener that counts plain `Note` Creates, with the same queue implementation and
 *    polling. RUNS runs of each, in turn; the ratio printed is the median of the runs' ratios
 *    (goal ≥ 0.8), by Creates/s and by CPU time per Create.
 * 2. Fan-out. One synthesis to 1 000 followers on 100 small HTTP servers (10 actors each sharing
 *    one shared inbox): SAMPLES publications, each timed until the 100th POST arrived (p50/p99);
 *    the same to followers that are SPIRAL nodes (no Linked Data signature); PER_ACTOR_ROUNDS
 *    rounds without shared inboxes (1 000 POSTs each, mean only); and the baseline, a bare Fedify
 *    sender's Create(Note) to the same 1 000 followers, SAMPLES times.
 * 3. Propagation. A chain of 9 nodes with the node's default settings (a pull every 6 hours,
 *    the queue's default polling), each following the previous one: SAMPLES publications at the
 *    head (after one warm-up), each timed until the last node holds it (goal: within 30 s),
 *    beside the time until the first follower holds it (one hop).
 *
 * The bare side uses the project's SqliteMessageQueue (same polling and workers as a node, so
 * the queue is not what differs) and MemoryKvStore; a second bare row uses Fedify's
 * InProcessMessageQueue (×4 workers) for reference. Everything runs in one process per case, so
 * the rate is bounded by the CPU that senders and receiver share; CPU time per Create is printed
 * too, as it is steadier than wall time on a busy machine.
 *
 * Each case runs in its own child process (fresh heap and JIT, as in scripts/bench.ts) with its
 * own watchdog (BENCH_CASE_TIMEOUT_MS, default 240 s); a case that fails or times out is printed
 * as FAILED with its reason where its figures would be. Progress goes to stderr. Knobs:
 * BENCH_SENDERS (5), BENCH_PERIODS (40), BENCH_RUNS (3), BENCH_SAMPLES (20, at least 20),
 * BENCH_PER_ACTOR_ROUNDS (3), BENCH_DB=disk (temp files with WAL and synchronous=FULL, as in
 * production, instead of ":memory:"), BENCH_VERBOSE=1 (node logs and Fedify debug logs on stderr).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  createFederation,
  type Federation,
  generateCryptoKeyPair,
  InProcessMessageQueue,
  MemoryKvStore,
  type MessageQueue,
  ParallelMessageQueue,
} from "@fedify/fedify";
import { Create, Endpoints, Note, Organization, PUBLIC_COLLECTION } from "@fedify/vocab";
import { getRequestListener } from "@hono/node-server";
import { configure } from "@logtape/logtape";
import { openStorage } from "@spiral-network/node/db/open";
import { SqliteMessageQueue } from "@spiral-network/node/federation/sqlite-message-queue";
import { createNode, type SpiralNode } from "@spiral-network/node/node";
import type { Period } from "@spiral-network/protocol";
import { Temporal } from "temporal-polyfill";
import {
  closeServer,
  listen,
  mean,
  median,
  medianRun,
  pairedRuns,
  percentile,
  pollUntil,
  progress,
  runCase,
  sleep,
  tableLine,
  watchdog,
} from "./lib/harness";

const SENDERS = Number(process.env.BENCH_SENDERS ?? 5);
const PERIODS = Number(process.env.BENCH_PERIODS ?? 40);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** Samples behind every printed p50/p99 (fan-out rounds, chain crossings). */
const SAMPLES = Math.max(20, Number(process.env.BENCH_SAMPLES ?? 20));
/** Rounds of the 1 000-POST fan-out without shared inboxes (mean only: too few for percentiles). */
const PER_ACTOR_ROUNDS = Number(process.env.BENCH_PER_ACTOR_ROUNDS ?? 3);
const ON_DISK = process.env.BENCH_DB === "disk";
/** Each case's own limit (a case that hits it is printed as FAILED, with why). */
const CASE_TIMEOUT_MS = Number(process.env.BENCH_CASE_TIMEOUT_MS ?? 240_000);
/** Nodes in the propagation chain, and the goal for the last one to hold a synthesis. */
const CHAIN_NODES = 9;
const CHAIN_GOAL_MS = 30_000;
/** Idle poll of every message queue (the test harness uses the same). */
const QUEUE_POLL_MS = 20;
/** Workers per message queue: SqliteMessageQueue's default, and the in-process variant's. */
const QUEUE_WORKERS = 4;
/** How often the benchmark checks whether the receiver has everything. */
const CHECK_MS = 5;
const FANOUT_HOSTS = 100;
const FOLLOWERS_PER_HOST = 10;
const ACTOR = "bench";
/** BENCH_VERBOSE=1: node info logs and Fedify debug logs on stderr (diagnostics only). */
const VERBOSE = process.env.BENCH_VERBOSE === "1";

type CaseName = "ours" | "bare-sqlite" | "bare-inprocess" | "fanout" | "bare-fanout" | "chain";
const CASES: readonly CaseName[] = [
  "ours",
  "bare-sqlite",
  "bare-inprocess",
  "fanout",
  "bare-fanout",
  "chain",
];

// ---------------------------------------------------------------------------------------------
// Helpers shared by the child processes

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Polls `check` every CHECK_MS until it is true; bounded; reports progress every second. */
async function until(
  check: () => boolean,
  what: string,
  timeoutMs: number,
  report?: () => string,
): Promise<void> {
  const held = await pollUntil(check, {
    timeoutMs,
    intervalMs: CHECK_MS,
    ...(report ? { report } : {}),
  });
  if (!held) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

let tempDir: string | undefined;
/** A database file for `name`: ":memory:" unless BENCH_DB=disk. */
function databaseFile(name: string): string {
  if (!ON_DISK) return ":memory:";
  tempDir ??= mkdtempSync(path.join(tmpdir(), "spiral-bench-federation-"));
  return path.join(tempDir, `${name}.db`);
}

/** Inbox POSTs seen by a receiver's HTTP server: count, bytes, handling time (request → response). */
interface InboxStats {
  posts: number;
  bytes: number;
  handlingMs: number;
  /** performance.now() when the latest POST was answered. */
  lastAt: number;
  statuses: Record<string, number>;
}
const emptyStats = (): InboxStats => ({
  posts: 0,
  bytes: 0,
  handlingMs: 0,
  lastAt: 0,
  statuses: {},
});

function instrumented(
  listener: http.RequestListener,
  stats: { current: InboxStats },
): http.RequestListener {
  return (req, res) => {
    if (req.method === "POST") {
      const start = performance.now();
      const bytes = Number(req.headers["content-length"] ?? 0);
      res.on("finish", () => {
        const s = stats.current;
        s.posts++;
        s.bytes += bytes;
        s.lastAt = performance.now();
        s.handlingMs += s.lastAt - start;
        s.statuses[res.statusCode] = (s.statuses[res.statusCode] ?? 0) + 1;
      });
    }
    listener(req, res);
  };
}

/** Collects Fedify's warnings and errors (LogTape), so surprises are visible but not noisy. */
const fedifyIssues: string[] = [];
async function configureLogging(): Promise<void> {
  await configure({
    contextLocalStorage: new AsyncLocalStorage(),
    sinks: {
      collect: (record) => {
        const line = `${record.level} ${record.category.join(".")}: ${record.message.map(String).join("")}`;
        if (VERBOSE) progress(line);
        if (record.level === "warning" || record.level === "error" || record.level === "fatal") {
          fedifyIssues.push(line);
        }
      },
    },
    loggers: [
      { category: "fedify", lowestLevel: VERBOSE ? "debug" : "warning", sinks: ["collect"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["collect"] },
    ],
  });
}

/** The node logger: silent, but warnings and errors are kept (and printed in the summary). */
const nodeIssues: string[] = [];
const quietLogger = {
  info: (message: string) => {
    if (VERBOSE) progress(`info ${message}`);
  },
  warn: (message: string) => nodeIssues.push(`warn ${message}`),
  error: (message: string, error?: unknown) =>
    nodeIssues.push(`error ${message}${error ? ` ${String(error)}` : ""}`),
};

function reportIssues(): void {
  for (const [label, list] of [
    ["node", nodeIssues],
    ["fedify", fedifyIssues],
  ] as const) {
    if (list.length === 0) continue;
    progress(`${list.length} ${label} warning(s)/error(s), first: ${list.slice(0, 3).join(" | ")}`);
  }
}

/** The `count` most recent calendar months, oldest first, ending with the current one. */
function monthlyPeriods(count: number): Period[] {
  const today = new Date();
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  return range(count)
    .reverse()
    .map((back) => {
      const first = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - back, 1));
      const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0));
      return { start: iso(first), end: iso(last) };
    });
}

// ---------------------------------------------------------------------------------------------
// Real Spiral nodes (as test/federation/harness.ts starts them: in this process, 127.0.0.1,
// allowPrivateAddress, no periodic anti-entropy, queue polling every 20 ms)

interface SpiralPeer {
  node: SpiralNode;
  url: string;
  slug: string;
  actorUrl: string;
  inbox: { current: InboxStats };
  close(): Promise<void>;
}

/**
 * A node as the tests start one (no periodic pull, queue polled every 20 ms), or, with
 * `defaults`, with the node's own settings (a pull every 6 hours, the queue's default polling).
 */
async function startSpiralNode(slug: string, defaults = false): Promise<SpiralPeer> {
  const server = http.createServer();
  const url = await listen(server);
  const node = createNode({
    databaseFile: databaseFile(slug),
    publicUrl: url,
    logger: quietLogger,
    adminToken: "federation-bench-admin-token-0123456789",
    allowPrivateAddress: true,
    ...(defaults ? {} : { antiEntropyIntervalMs: 0, queuePollIntervalMs: QUEUE_POLL_MS }),
  });
  const inbox = { current: emptyStats() };
  server.on("request", instrumented(getRequestListener(node.app.fetch), inbox));
  addTerritory(node, slug);
  await (await node.federation.get()).deps.keys.keyPairs(slug); // key generation: before anything is timed
  node.start();
  return {
    node,
    url,
    slug,
    actorUrl: `${url}/actors/${slug}`,
    inbox,
    async close() {
      await closeServer(server);
      await node.close();
    },
  };
}

function addTerritory(node: SpiralNode, slug: string): void {
  node.services.territories.create(
    { slug, name: `Bench ${slug}`, country: "FR", languages: ["fr"] },
    ACTOR,
  );
}

/** Publish preparation (untimed): one group of 8 whose first session opens the period, with
 * three validated criteria, so `publish(period)` has exactly one group to count. */
function prepareSynthesis(node: SpiralNode, slug: string, period: Period): void {
  const { groups, criteria } = node.services;
  const group = groups.create(
    slug,
    {
      label: `Group ${period.start}`,
      category: "young-people",
      sessionDates: [period.start],
      participants: 8,
      cycle: 1,
    },
    ACTOR,
  );
  const added = criteria.add(
    slug,
    group.id,
    [
      { question: "Q1", text: "Having a job I like", code: "A05" },
      { question: "Q1", text: "Friends nearby", code: "D00" },
      { question: "Q2", text: "Noise at night", code: "B01" },
    ],
    ACTOR,
  );
  criteria.validate(
    slug,
    added.map((c) => c.id),
    ACTOR,
  );
}

// ---------------------------------------------------------------------------------------------
// Case 1a: verified ingest between real Spiral nodes

interface IngestResult {
  creates: number;
  /** First publish → all stored / counted. */
  totalMs: number;
  /** Time spent in the timed loop before anything went out (~0). */
  issueMs: number;
  /** Spiral only: the publish() calls made before the timed part (their delivery held). */
  publishMs?: number;
  /** First send → the receiver answered the last inbox POST (the rest is its queue backlog). */
  lastPostMs: number;
  /** CPU time of the whole process (all threads) during the timed part. */
  cpuMs: number;
  inboxPosts: number;
  meanInboxMs: number;
  meanBytes: number;
  statuses: Record<string, number>;
  issues: number;
}

async function runOurs(): Promise<IngestResult> {
  progress(`starting 1 receiver and ${SENDERS} sender nodes`);
  const receiver = await startSpiralNode("receiver");
  const senders = await Promise.all(range(SENDERS).map((i) => startSpiralNode(`sender-${i + 1}`)));
  const peers = [receiver, ...senders];
  try {
    const periods = monthlyPeriods(PERIODS + 1); // [0] warms up, the rest is timed
    progress(
      `preparing ${periods.length} periods × ${SENDERS} senders (${periods[1]?.start} … ${periods.at(-1)?.end})`,
    );
    for (const sender of senders) {
      for (const period of periods) prepareSynthesis(sender.node, sender.slug, period);
    }

    progress("receiver follows every sender (Follow → Accept → one-off anti-entropy pull)");
    for (const sender of senders) await receiver.node.network.follow("receiver", sender.actorUrl);
    await until(
      () =>
        receiver.node.services.follows
          .following("receiver")
          .every((f) => f.state === "accepted" && f.lastPulledAt),
      "the follows to be accepted and pulled",
      15_000,
    );

    const stored = receiver.node.storage.sqlite.prepare<[], { n: number }>(
      "SELECT count(*) AS n FROM received_syntheses",
    );
    const count = () => stored.get()?.n ?? 0;

    progress("warm-up: one synthesis per sender (caches the senders' keys, warms the JIT)");
    for (const sender of senders) {
      sender.node.services.syntheses.publish(sender.slug, periods[0] as Period, false, ACTOR);
    }
    await until(() => count() >= SENDERS, "the warm-up syntheses", 15_000);
    receiver.inbox.current = emptyStats();

    const expected = SENDERS * (PERIODS + 1);
    // The publications are made first, their delivery held (the outbox dispatcher stopped): the
    // timed part starts when the senders start sending, as the bare senders' prebuilt Creates do.
    progress(`untimed: ${SENDERS} × ${PERIODS} publications, held in the outboxes`);
    for (const sender of senders) await (await sender.node.federation.get()).outbox.stop();
    const p0 = performance.now();
    for (const period of periods.slice(1)) {
      for (const sender of senders) {
        sender.node.services.syntheses.publish(sender.slug, period, false, ACTOR);
      }
    }
    const publishMs = performance.now() - p0;
    progress(`timed: ${SENDERS} × ${PERIODS} deliveries`);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const sender of senders) (await sender.node.federation.get()).outbox.start();
    const issued = performance.now();
    await until(
      () => count() >= expected,
      `${expected - SENDERS} stored syntheses`,
      CASE_TIMEOUT_MS - 10_000,
      () => `${count() - SENDERS}/${expected - SENDERS} stored`,
    );
    const done = performance.now();
    const held = receiver.node.services.received.list().length;
    if (held !== expected) throw new Error(`received.list() has ${held}, expected ${expected}`);
    const cpu = process.cpuUsage(cpu0);
    const result = ingestResult(PERIODS * SENDERS, t0, done, issued, cpu, receiver.inbox.current);
    return { ...result, publishMs };
  } finally {
    for (const peer of peers) await peer.close();
  }
}

function ingestResult(
  creates: number,
  t0: number,
  done: number,
  issued: number,
  cpu: NodeJS.CpuUsage,
  stats: InboxStats,
): IngestResult {
  return {
    creates,
    cpuMs: (cpu.user + cpu.system) / 1000,
    totalMs: done - t0,
    issueMs: issued - t0,
    lastPostMs: stats.lastAt - t0,
    inboxPosts: stats.posts,
    meanInboxMs: stats.handlingMs / Math.max(1, stats.posts),
    meanBytes: stats.bytes / Math.max(1, stats.posts),
    statuses: stats.statuses,
    issues: nodeIssues.length + fedifyIssues.length,
  };
}

// ---------------------------------------------------------------------------------------------
// Case 1b: the bare Fedify baseline (same harness: 127.0.0.1, node-server adapter, same queue)

interface BareInstance {
  url: string;
  actorUrl: string;
  federation: Federation<void>;
  inbox: { current: InboxStats };
  notes: { count: number };
  close(): Promise<void>;
}

/**
 * A minimal Fedify instance with one actor (RSA + Ed25519 keys generated here, untimed), an
 * inbox that counts Note Creates, MemoryKvStore, and either the project's SqliteMessageQueue (on
 * its own database, same polling and workers as a node) or Fedify's InProcessMessageQueue.
 */
async function startBare(name: string, queueKind: "sqlite" | "inprocess"): Promise<BareInstance> {
  const server = http.createServer();
  const url = await listen(server);
  const storage = queueKind === "sqlite" ? openStorage(databaseFile(`bare-${name}`)) : undefined;
  const queue: MessageQueue = storage
    ? new SqliteMessageQueue(storage.sqlite, { pollIntervalMs: QUEUE_POLL_MS })
    : new ParallelMessageQueue(
        new InProcessMessageQueue({ pollInterval: { milliseconds: QUEUE_POLL_MS } }),
        QUEUE_WORKERS,
      );
  const keys = [
    await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"),
    await generateCryptoKeyPair("Ed25519"),
  ];
  const federation = createFederation<void>({
    kv: new MemoryKvStore(),
    queue,
    manuallyStartQueue: true,
    origin: url,
    allowPrivateAddress: true,
  });
  federation
    .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
      if (identifier !== name) return null;
      const pairs = await ctx.getActorKeyPairs(identifier);
      return new Organization({
        id: ctx.getActorUri(identifier),
        preferredUsername: identifier,
        inbox: ctx.getInboxUri(identifier),
        endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
        ...(pairs[0] ? { publicKey: pairs[0].cryptographicKey } : {}),
        assertionMethods: pairs.map((k) => k.multikey),
      });
    })
    .setKeyPairsDispatcher((_ctx, identifier) => (identifier === name ? keys : []))
    .mapHandle((_ctx, username) => (username === name ? username : null));
  const notes = { count: 0 };
  federation.setInboxListeners("/users/{identifier}/inbox", "/inbox").on(Create, async (ctx, c) => {
    if ((await c.getObject(ctx)) instanceof Note) notes.count++;
  });
  const inbox = { current: emptyStats() };
  server.on(
    "request",
    instrumented(
      getRequestListener((request) => federation.fetch(request, { contextData: undefined })),
      inbox,
    ),
  );
  const controller = new AbortController();
  const running = federation.startQueue(undefined, { signal: controller.signal });
  return {
    url,
    actorUrl: `${url}/users/${name}`,
    federation,
    inbox,
    notes,
    async close() {
      await closeServer(server);
      controller.abort();
      await running;
      storage?.close();
    },
  };
}

async function runBare(queueKind: "sqlite" | "inprocess"): Promise<IngestResult> {
  progress(`starting 1 bare listener and ${SENDERS} bare senders (${queueKind} queue)`);
  const receiver = await startBare("receiver", queueKind);
  const senders = await Promise.all(
    range(SENDERS).map((i) => startBare(`sender-${i + 1}`, queueKind)),
  );
  try {
    const recipient = {
      id: new URL(receiver.actorUrl),
      inboxId: new URL(`${receiver.actorUrl}/inbox`),
      endpoints: { sharedInbox: new URL(`${receiver.url}/inbox`) },
    };
    // Publish preparation (untimed): every Create(Note) is built beforehand.
    const creates = senders.map((sender) =>
      range(PERIODS + 1).map((i) => {
        const published = Temporal.Now.instant();
        const note = new Note({
          id: new URL(`/notes/${randomUUID()}`, sender.url),
          attribution: new URL(sender.actorUrl),
          content: `<p>Note ${i} from ${sender.actorUrl}</p>`,
          to: PUBLIC_COLLECTION,
          published,
        });
        return new Create({
          id: new URL(`/activities/${randomUUID()}`, sender.url),
          actor: new URL(sender.actorUrl),
          object: note,
          to: PUBLIC_COLLECTION,
          published,
        });
      }),
    );
    // Like our outbox dispatcher: each sender sends its activities one after the other, the
    // senders in parallel; Fedify adds the Ed25519 proof, the LD signature and HTTP signatures.
    const send = (index: number, from: number, to: number) => async () => {
      const sender = senders[index] as BareInstance;
      const ctx = sender.federation.createContext(new URL(sender.url), undefined);
      for (const create of (creates[index] ?? []).slice(from, to)) {
        await ctx.sendActivity({ identifier: `sender-${index + 1}` }, recipient, create, {
          orderingKey: create.objectId?.href ?? "",
          preferSharedInbox: true,
        });
      }
    };
    progress("warm-up: one Create per sender");
    await Promise.all(range(SENDERS).map((i) => send(i, 0, 1)()));
    await until(() => receiver.notes.count >= SENDERS, "the warm-up Creates", 15_000);
    receiver.inbox.current = emptyStats();

    const expected = SENDERS * (PERIODS + 1);
    progress(`timed: ${SENDERS} × ${PERIODS} Creates`);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const sending = Promise.all(range(SENDERS).map((i) => send(i, 1, PERIODS + 1)()));
    const issued = performance.now();
    await until(
      () => receiver.notes.count >= expected,
      `${expected - SENDERS} counted Creates`,
      CASE_TIMEOUT_MS - 10_000,
      () => `${receiver.notes.count - SENDERS}/${expected - SENDERS} counted`,
    );
    const done = performance.now();
    await sending;
    const cpu = process.cpuUsage(cpu0);
    return ingestResult(PERIODS * SENDERS, t0, done, issued, cpu, receiver.inbox.current);
  } finally {
    for (const instance of [receiver, ...senders]) await instance.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Case 2: fan-out of one synthesis to 1 000 followers on 100 hosts, against bare Fedify

interface Host {
  url: string;
  posts: { at: number; path: string; signed: boolean }[];
  others: number;
  close(): Promise<void>;
}

/** A server that answers 202 to every POST (after reading the body) and 404 to anything else. */
async function startCountingHost(): Promise<Host> {
  const server = http.createServer();
  const host: Host = { url: "", posts: [], others: 0, close: () => closeServer(server) };
  server.on("request", (req, res) => {
    if (req.method !== "POST") {
      host.others++;
      res.writeHead(404).end();
      return;
    }
    req.resume();
    req.on("end", () => {
      host.posts.push({
        at: performance.now(),
        path: req.url ?? "",
        signed: Boolean(req.headers.signature || req.headers["signature-input"]),
      });
      res.writeHead(202).end();
    });
  });
  host.url = await listen(server);
  return host;
}

/** Rounds of one fan-out: ms from the send to the last expected POST, one value per round. */
interface FanoutSeries {
  lastMs: number[];
  firstMs: number[];
  /** POSTs per round (all rounds should equal `expected`). */
  posts: number[];
  expected: number;
  unsigned: number;
  others: number;
}

/** Followers as rows (or recipients): FOLLOWERS_PER_HOST actors on each host. */
const followersOn = (hosts: Host[]) =>
  hosts.flatMap((host) =>
    range(FOLLOWERS_PER_HOST).map((j) => ({
      id: `${host.url}/users/f${j}`,
      inbox: `${host.url}/users/f${j}/inbox`,
      sharedInbox: `${host.url}/inbox`,
      j,
      host,
    })),
  );

/** Runs `rounds` sends, each timed from `send()` until `expected` POSTs arrived. */
async function fanoutSeries(
  hosts: Host[],
  rounds: number,
  expected: number,
  label: string,
  send: (round: number) => void | Promise<void>,
): Promise<FanoutSeries> {
  const series: FanoutSeries = {
    lastMs: [],
    firstMs: [],
    posts: [],
    expected,
    unsigned: 0,
    others: 0,
  };
  const all = () => hosts.flatMap((h) => h.posts);
  for (let round = 0; round < rounds; round++) {
    for (const host of hosts) {
      host.posts = [];
      host.others = 0;
    }
    const t0 = performance.now();
    await send(round);
    await until(
      () => all().length >= expected,
      `${label}: ${expected} POSTs (round ${round + 1})`,
      60_000,
      () => `${label}, round ${round + 1}/${rounds}: ${all().length}/${expected} POSTs`,
    );
    await sleep(100); // a POST beyond the expected count (a duplicate, a retry) shows up
    const times = all()
      .map((p) => p.at - t0)
      .sort((a, b) => a - b);
    series.lastMs.push(times[expected - 1] ?? Number.NaN);
    series.firstMs.push(times[0] ?? Number.NaN);
    series.posts.push(times.length);
    series.unsigned += all().filter((p) => !p.signed).length;
    series.others += hosts.reduce((n, h) => n + h.others, 0);
  }
  return series;
}

interface FanoutResult {
  followers: number;
  hosts: number;
  cold: FanoutSeries;
  shared: FanoutSeries;
  /** The same to followers that are SPIRAL nodes (no Linked Data signature). */
  spiral: FanoutSeries;
  perActor: FanoutSeries;
  issues: number;
}

async function runFanout(): Promise<FanoutResult> {
  progress(`starting ${FANOUT_HOSTS} follower hosts and the origin node`);
  const hosts = await Promise.all(range(FANOUT_HOSTS).map(() => startCountingHost()));
  const origin = await startSpiralNode("origin");
  const noShared = "origin-no-shared-inbox";
  const toSpiral = "origin-spiral-followers";
  try {
    for (const slug of [noShared, toSpiral]) {
      addTerritory(origin.node, slug);
      await (await origin.node.federation.get()).deps.keys.keyPairs(slug);
    }
    const periods = monthlyPeriods(SAMPLES + 1);
    for (const period of periods) prepareSynthesis(origin.node, origin.slug, period);
    for (const period of periods.slice(0, SAMPLES)) prepareSynthesis(origin.node, toSpiral, period);
    for (const period of periods.slice(0, PER_ACTOR_ROUNDS)) {
      prepareSynthesis(origin.node, noShared, period);
    }
    // Followers as rows, as onFollow stores them: Fedify takes inbox and sharedInbox from the
    // rows and fetches nothing (the hosts count any GET). `origin` and `noShared` are followed by
    // servers that are not SPIRAL nodes (Mastodon: Linked Data signature added), `toSpiral` by
    // SPIRAL nodes (none).
    for (const slug of [origin.slug, noShared, toSpiral]) {
      for (const f of followersOn(hosts)) {
        origin.node.services.follows.addFollower({
          actor: slug,
          follower: f.id,
          inbox: f.inbox,
          sharedInbox: slug === noShared ? null : f.sharedInbox,
          handle: null,
          name: null,
          followActivityId: `${f.host.url}/follows/${slug}/${f.j}`,
          state: "accepted",
          spiral: slug === toSpiral,
        });
      }
    }
    const publish = (slug: string) => (round: number) => {
      origin.node.services.syntheses.publish(slug, periods[round] as Period, false, ACTOR);
    };
    const cold = await fanoutSeries(hosts, 1, FANOUT_HOSTS, "cold", publish(origin.slug));
    const shared = await fanoutSeries(hosts, SAMPLES, FANOUT_HOSTS, "shared", (round) =>
      publish(origin.slug)(round + 1),
    );
    const spiral = await fanoutSeries(
      hosts,
      SAMPLES,
      FANOUT_HOSTS,
      "SPIRAL followers",
      publish(toSpiral),
    );
    const perActor = await fanoutSeries(
      hosts,
      PER_ACTOR_ROUNDS,
      FANOUT_HOSTS * FOLLOWERS_PER_HOST,
      "no shared inbox",
      publish(noShared),
    );
    return {
      followers: FANOUT_HOSTS * FOLLOWERS_PER_HOST,
      hosts: FANOUT_HOSTS,
      cold,
      shared,
      spiral,
      perActor,
      issues: nodeIssues.length + fedifyIssues.length,
    };
  } finally {
    await origin.close();
    for (const host of hosts) await host.close();
  }
}

/** The baseline: a bare Fedify sender's Create(Note) to the same 1 000 followers. */
async function runBareFanout(): Promise<FanoutSeries> {
  progress(`starting ${FANOUT_HOSTS} follower hosts and a bare Fedify sender`);
  const hosts = await Promise.all(range(FANOUT_HOSTS).map(() => startCountingHost()));
  const sender = await startBare("sender", "sqlite");
  try {
    const recipients = followersOn(hosts).map((f) => ({
      id: new URL(f.id),
      inboxId: new URL(f.inbox),
      endpoints: { sharedInbox: new URL(f.sharedInbox) },
    }));
    const ctx = sender.federation.createContext(new URL(sender.url), undefined);
    const send = async () => {
      const published = Temporal.Now.instant();
      const note = new Note({
        id: new URL(`/notes/${randomUUID()}`, sender.url),
        attribution: new URL(sender.actorUrl),
        content: "<p>A note to every follower</p>",
        to: PUBLIC_COLLECTION,
        published,
      });
      const create = new Create({
        id: new URL(`/activities/${randomUUID()}`, sender.url),
        actor: new URL(sender.actorUrl),
        object: note,
        to: PUBLIC_COLLECTION,
        published,
      });
      await ctx.sendActivity({ identifier: "sender" }, recipients, create, {
        preferSharedInbox: true,
      });
    };
    await fanoutSeries(hosts, 1, FANOUT_HOSTS, "bare, cold", send);
    return await fanoutSeries(hosts, SAMPLES, FANOUT_HOSTS, "bare", send);
  } finally {
    await sender.close();
    for (const host of hosts) await host.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Case 3: propagation along a chain of 9 nodes, with the node's default settings

interface ChainResult {
  nodes: number;
  /** Publish → the last node of the chain holds that version, per publication (ms). */
  endMs: number[];
  /** Publish → the first follower holds it (one hop: the baseline), per publication (ms). */
  hopMs: number[];
  issues: number;
}

async function runChain(): Promise<ChainResult> {
  progress(`starting ${CHAIN_NODES} nodes with default settings (pull every 6 h, default polling)`);
  const chain: SpiralPeer[] = [];
  for (const i of range(CHAIN_NODES)) chain.push(await startSpiralNode(`chain-${i + 1}`, true));
  try {
    const [origin, first] = chain as [SpiralPeer, SpiralPeer];
    const last = chain.at(-1) as SpiralPeer;
    const periods = monthlyPeriods(SAMPLES + 1);
    for (const period of periods) prepareSynthesis(origin.node, origin.slug, period);
    progress("each node follows the previous one");
    for (const i of range(CHAIN_NODES - 1)) {
      const follower = chain[i + 1] as SpiralPeer;
      await follower.node.network.follow(follower.slug, (chain[i] as SpiralPeer).actorUrl);
    }
    await until(
      () =>
        chain
          .slice(1)
          .every((p) =>
            p.node.services.follows
              .following(p.slug)
              .every((f) => f.state === "accepted" && f.lastPulledAt),
          ),
      "the follows to be accepted",
      60_000,
    );
    const holds = (peer: SpiralPeer, period: Period) =>
      peer.node.services.received
        .list()
        .some((r) => r.origin === origin.actorUrl && r.payload.period.start === period.start);
    const endMs: number[] = [];
    const hopMs: number[] = [];
    for (const [round, period] of periods.entries()) {
      const t0 = performance.now();
      origin.node.services.syntheses.publish(origin.slug, period, false, ACTOR);
      let hop = Number.NaN;
      await until(
        () => {
          if (Number.isNaN(hop) && holds(first, period)) hop = performance.now() - t0;
          return holds(last, period);
        },
        `publication ${round + 1} at the end of the chain`,
        CHAIN_GOAL_MS * 2,
        () => `publication ${round + 1}/${periods.length} on its way`,
      );
      // The first one warms up (keys fetched and cached along the chain): not counted.
      if (round === 0) continue;
      endMs.push(performance.now() - t0);
      hopMs.push(Number.isNaN(hop) ? performance.now() - t0 : hop);
    }
    return { nodes: CHAIN_NODES, endMs, hopMs, issues: nodeIssues.length + fedifyIssues.length };
  } finally {
    for (const peer of chain) await peer.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Child and parent

const CASE_RUNNERS: Record<CaseName, () => Promise<unknown>> = {
  ours: runOurs,
  "bare-sqlite": () => runBare("sqlite"),
  "bare-inprocess": () => runBare("inprocess"),
  fanout: runFanout,
  "bare-fanout": runBareFanout,
  chain: runChain,
};

async function child(which: CaseName): Promise<void> {
  watchdog(which, CASE_TIMEOUT_MS, () => {
    reportIssues();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });
  await configureLogging();
  try {
    process.stdout.write(JSON.stringify(await CASE_RUNNERS[which]()));
  } finally {
    reportIssues();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
}

const ms = (value: number) =>
  Number.isNaN(value)
    ? "n/a"
    : value >= 10_000
      ? `${(value / 1000).toFixed(1)} s`
      : `${value.toFixed(0)} ms`;
const p50 = (values: number[]) => percentile(values, 0.5);
const p99 = (values: number[]) => percentile(values, 0.99);
const verdict = (met: boolean) => (met ? "met" : "NOT MET");

async function parentMain(): Promise<void> {
  /** One case in its own process; a failure or a timeout is printed where its figure would be. */
  const measure = async <T>(which: CaseName): Promise<T | string> => {
    process.stderr.write(`${which}\n`);
    const outcome = await runCase<T>(fileURLToPath(import.meta.url), which, {
      timeoutMs: CASE_TIMEOUT_MS + 10_000,
    });
    return outcome.ok ? outcome.value : `FAILED: ${outcome.reason}`;
  };

  console.log(
    `Spiral Network federation benchmark — ingest ${SENDERS} senders × ${PERIODS} Creates (${RUNS} run(s), median); fan-out to ${FANOUT_HOSTS * FOLLOWERS_PER_HOST} followers on ${FANOUT_HOSTS} hosts (n = ${SAMPLES}); a ${CHAIN_NODES}-node chain (n = ${SAMPLES})`,
  );
  console.log(
    `Node ${process.version}, ${process.platform}/${process.arch}; HTTP on 127.0.0.1; databases ${ON_DISK ? "in temp files (WAL, synchronous=FULL)" : '":memory:"'}; each case in its own process; baselines measured in the same run\n`,
  );

  const failures = new Map<string, string>();
  const ingest = await pairedRuns(
    RUNS,
    ["ours", "bare-sqlite", "bare-inprocess"] as const,
    async (which) => {
      const result = await measure<IngestResult>(which);
      if (typeof result !== "string") return result;
      failures.set(which, [failures.get(which), result].filter(Boolean).join("; "));
      return undefined;
    },
  );
  const fanout = await measure<FanoutResult>("fanout");
  const bareFanout = await measure<FanoutSeries>("bare-fanout");
  const chain = await measure<ChainResult>("chain");
  process.stderr.write("\n");

  printIngest(ingest, failures);
  printFanout(fanout, bareFanout);
  printChain(chain);
}

function printIngest(
  ingest: Record<"ours" | "bare-sqlite" | "bare-inprocess", IngestResult[]>,
  failures: Map<string, string>,
): void {
  const line = tableLine([44, 10, 11, 12, 11, 12, 8, 7]);
  const rate = (r: IngestResult, time = r.totalMs) => (r.creates / time) * 1000;
  const pick = (results: IngestResult[]) => medianRun(results, "totalMs");
  const ours = pick(ingest.ours);
  const bareSqlite = pick(ingest["bare-sqlite"]);
  const bareInProcess = pick(ingest["bare-inprocess"]);
  console.log(
    `1. Verified ingest: ${SENDERS * PERIODS} Creates from ${SENDERS} senders (first send → all stored/counted at the receiver), median of ${RUNS} run(s)`,
  );
  console.log(
    line(["", "time", "Creates/s", "CPU/Create", "last POST", "inbox POST", "B/POST", "issues"]),
  );
  const row = (label: string, key: string, r: IngestResult | undefined, time?: number) => {
    if (!r) return console.log(`   ${label}: ${failures.get(key) ?? "FAILED: no result"}`);
    const total = time ?? r.totalMs;
    const offset = r.totalMs - total;
    console.log(
      line([
        label,
        `${total.toFixed(0)} ms`,
        rate(r, total).toFixed(1),
        `${(r.cpuMs / r.creates).toFixed(1)} ms`,
        `${(r.lastPostMs - offset).toFixed(0)} ms`,
        `${r.meanInboxMs.toFixed(0)} ms`,
        r.meanBytes.toFixed(0),
        String(r.issues),
      ]),
    );
  };
  row("Spiral nodes (send → stored)", "ours", ours);
  row("bare Fedify, SqliteMessageQueue (same queue)", "bare-sqlite", bareSqlite);
  row(`bare Fedify, InProcessMessageQueue ×${QUEUE_WORKERS}`, "bare-inprocess", bareInProcess);
  if (ours && bareSqlite) {
    // Each run's Spiral figure against the bare one measured right after it, then the median.
    const paired = (value: (r: IngestResult) => number) =>
      ingest.ours.flatMap((r, i) => {
        const bare = ingest["bare-sqlite"][i];
        return bare ? [value(r) / value(bare)] : [];
      });
    const rates = paired((r) => rate(r));
    const cpus = paired((r) => 1 / (r.cpuMs / r.creates));
    const ratio = median(rates);
    const cpuRatio = median(cpus);
    const list = (values: number[]) => values.map((v) => v.toFixed(2)).join(", ");
    console.log(
      `   ratio Spiral / bare Fedify (same queue), Creates/s: ${ratio.toFixed(2)} (goal ≥ 0.8: ${verdict(ratio >= 0.8)}), median of the runs' ratios ${list(rates)}${bareInProcess ? `; versus the in-process queue: ${(rate(ours) / rate(bareInProcess)).toFixed(2)}` : ""}`,
    );
    console.log(
      `   by CPU time per Create (steadier on a busy machine): ${cpuRatio.toFixed(2)} (goal ≥ 0.8: ${verdict(cpuRatio >= 0.8)}), runs ${list(cpus)}`,
    );
  } else {
    console.log("   ratio: FAILED (a case above has no result)");
  }
  const notes = [
    "CPU/Create: CPU time of the process (senders and receiver, all threads) in the timed part, per Create;",
    "last POST: first send → the receiver answered the last inbox POST (after that: its queue backlog);",
    "inbox POST: mean time from request to 202 at the receiver; B/POST: mean body size; issues: node and",
    "Fedify warnings/errors in that process (0 expected).",
    ours
      ? `Untimed, like building the bare Notes: the ${SENDERS * PERIODS} publish() calls (draft, transaction, outbox row, figures) before the senders started sending, ${(ours.publishMs ?? Number.NaN).toFixed(0)} ms; receiver statuses ${JSON.stringify(ours.statuses)}.`
      : "",
    "Spiral: publish() → outbox dispatcher (Article, Ed25519 proof) → outbox queue (no Linked Data",
    "  signature between SPIRAL nodes) → POST, HTTP-signed → receiver's inbox guard (256 KiB, JSON depth,",
    "  duplicate keys, zod payload, origin) → Fedify (integrity proof) → SQLite queue → listener: zod",
    "  payload, origin and period checks, the proof checked on the JSON as received (JCS + Ed25519),",
    "  storage (SQLite), figures. KV: SqliteKvStore.",
    "bare: prebuilt Create(Note) → sendActivity (Ed25519 proof, LD and HTTP signatures) → queue → POST →",
    "  Fedify (LD signature check) → queue → listener counts Notes. KV: MemoryKvStore.",
    "Both: one process, real HTTP on 127.0.0.1, one queue per instance (same polling and workers).",
    "Not timed: key generation, follows, group/criteria preparation, building the bare Notes, and one",
    "  warm-up Create per sender (keys fetched and cached, JIT warm).",
  ];
  for (const note of notes.filter(Boolean)) console.log(`   ${note}`);
}

function printFanout(fanout: FanoutResult | string, bare: FanoutSeries | string): void {
  const followers = FANOUT_HOSTS * FOLLOWERS_PER_HOST;
  console.log(
    `\n2. Fan-out of one synthesis to ${followers} followers on ${FANOUT_HOSTS} hosts (send → the last POST arrived)`,
  );
  const line = tableLine([48, 4, 7, 11, 15, 11, 6]);
  console.log(line(["", "n", "POSTs", "first p50", "last p50", "last p99", "GETs"]));
  const fanRow = (label: string, r: FanoutSeries | string, percentiles = true) => {
    if (typeof r === "string") return console.log(`   ${label}: ${r}`);
    const posts = [...new Set(r.posts)].join("/");
    console.log(
      line([
        label,
        String(r.lastMs.length),
        `${posts}`,
        ms(p50(r.firstMs)),
        percentiles ? ms(p50(r.lastMs)) : `${ms(mean(r.lastMs))} mean`,
        percentiles ? ms(p99(r.lastMs)) : "—",
        String(r.others),
      ]),
    );
  };
  if (typeof fanout === "string") {
    console.log(`   Spiral: ${fanout}`);
  } else {
    fanRow("Spiral, shared inboxes (10 followers per host)", fanout.shared);
    fanRow("  same, the followers are SPIRAL nodes", fanout.spiral);
    fanRow("  same, first publication of the process", fanout.cold, false);
    fanRow("Spiral, no shared inbox (a POST per follower)", fanout.perActor, false);
  }
  fanRow("bare Fedify, shared inboxes (baseline)", bare);
  if (typeof fanout !== "string") {
    const exact = [...fanout.shared.posts, ...fanout.spiral.posts].every((n) => n === FANOUT_HOSTS);
    const unsigned =
      fanout.shared.unsigned +
      fanout.spiral.unsigned +
      fanout.perActor.unsigned +
      fanout.cold.unsigned;
    console.log(
      `   POSTs per publication: ${[...new Set(fanout.shared.posts)].join("/")} (goal: ${FANOUT_HOSTS}, one per host: ${verdict(exact)}); every POST HTTP-signed: ${unsigned === 0 ? "yes" : `no (${unsigned} unsigned)`}; node/Fedify warnings or errors: ${fanout.issues}`,
    );
    if (typeof bare !== "string") {
      const ratio = p50(fanout.shared.lastMs) / p50(bare.lastMs);
      const spiralRatio = p50(fanout.spiral.lastMs) / p50(bare.lastMs);
      console.log(
        `   last POST p50, Spiral / bare Fedify: ${ratio.toFixed(2)} to Mastodon-like followers, ${spiralRatio.toFixed(2)} to SPIRAL nodes`,
      );
    }
  }
  console.log(
    "   Followers are servers that are not SPIRAL nodes (Mastodon: deliveries carry a Linked Data signature, as bare Fedify's), except",
  );
  console.log("   on the row marked SPIRAL nodes (no Linked Data signature, docs/protocol.md §6);");
  console.log(
    `   the no-shared-inbox rows are ${PER_ACTOR_ROUNDS} round(s) of ${followers} POSTs (mean only: too few rounds for percentiles).`,
  );
}

function printChain(chain: ChainResult | string): void {
  console.log(
    `\n3. Propagation: a chain of ${CHAIN_NODES} nodes, each following the previous one, default settings (pull every 6 h)`,
  );
  if (typeof chain === "string") {
    console.log(`   ${chain}`);
    return;
  }
  const line = tableLine([52, 4, 10, 10]);
  console.log(line(["", "n", "p50", "p99"]));
  console.log(
    line([
      "publish → the last node holds it",
      String(chain.endMs.length),
      ms(p50(chain.endMs)),
      ms(p99(chain.endMs)),
    ]),
  );
  console.log(
    line([
      "publish → the first follower holds it (baseline)",
      String(chain.hopMs.length),
      ms(p50(chain.hopMs)),
      ms(p99(chain.hopMs)),
    ]),
  );
  const hops = chain.nodes - 1;
  console.log(
    `   ${hops} hops: p50 ${ms(p50(chain.endMs))} = ${(p50(chain.endMs) / p50(chain.hopMs)).toFixed(1)}× one hop; goal: every crossing within ${CHAIN_GOAL_MS / 1000} s: ${verdict(Math.max(...chain.endMs) <= CHAIN_GOAL_MS)} (slowest ${ms(Math.max(...chain.endMs))}); warnings/errors: ${chain.issues}`,
  );
  console.log(
    "   Each hop: the node verifies the version, stores it, and passes it on in an Announce to its followers (docs/protocol.md §8).",
  );
}

const which = process.argv[2] as CaseName | undefined;
if (which && CASES.includes(which)) {
  await child(which);
} else {
  await parentMain();
}
