/**
 * `npm run simulate`: the aggregation state and the anti-entropy loop of docs/protocol.md §8 and §10, run
 * in-process for 10, 100 and 1 000 simulated nodes with 0 %, 10 % and 30 % message loss and a
 * few malicious nodes. It runs the real merge (`mergeRecords`, the CRDT of protocol/) and the
 * real figures (`aggregate`, `fingerprint`, `plausibilityFlags`); only the transport is simulated.
 *
 * The model, after the node's federation code:
 * - each node hosts one territory and follows a few peers: the next honest node on a random
 *   ring of honest nodes, so that no honest territory is followed by malicious nodes only (it
 *   would be eclipsed: nothing can repair that), and random others; every malicious node is
 *   followed by at least one honest node;
 * - every territory publishes version 1 in rounds 1–4, half the honest ones a version 2 by
 *   round 6; a publication is pushed to the territory's followers, one delivery each, lost with
 *   the loss rate and retried the next round up to 5 attempts (the outbox and Fedify's retries);
 * - anti-entropy, two models, run side by side in two child processes unless SIM_PULL is set:
 *   "one" — each round every node pulls the "known syntheses" of one followed peer, taking its
 *   8 followed peers in turn; "all" — each round every node pulls every one of its 3 followed
 *   peers, as the node's `pullAll` does at each interval. A pull is lost as a whole with the
 *   loss rate; the receiver keeps what verifies and merges it;
 * - "verifies" models the origin proof check: `payload.territory.id` must be the origin that
 *   signed the item (the real node checks the eddsa-jcs-2022 proof with the origin's key).
 *   Payloads are valid by construction, so their content hash is not recomputed here.
 *
 * Malicious nodes, max(1, N/100) of each kind: "inflated" publishes a valid payload with
 * counts ×100; "replayer" serves the oldest version it ever saw of every synthesis;
 * "conflicting" publishes two different payloads under one version (half its followers get
 * one, half the other, and each puller a random one); "forger" serves payloads claiming another
 * territory's id under its own signature (as that territory's origin, and as its own).
 * Replayers and forgers also publish one honest synthesis of their own.
 *
 * Environment: SIM_NODES (10,100,1000), SIM_LOSS (0,0.1,0.3), SIM_PULL (one | all),
 * SIM_FOLLOWS (8 | 3), SIM_SEED (1), SIM_RETRIES (5), SIM_BUDGET_MS (120000 per configuration),
 * SIM_SERVE_CONFLICTS=0 (a node does not serve the copies of a conflicted entry: the conflict
 * then never reaches every node, and the network does not agree).
 *
 * Optimisations (1 000 nodes on 2 cores):
 * - delta pulls: a node keeps, per followed peer, a cursor into that peer's change log
 *   (advanced only when a pull arrives). A pull returns the (origin, period, version, hash) of
 *   the records changed since the cursor and still current; the puller then fetches only the
 *   bodies it does not hold (the node's anti-entropy already skips versions it holds, but
 *   fetches whole collections: those bytes are reported beside, as "full");
 * - no re-aggregation every round: each node keeps, incrementally, an order-independent digest
 *   of its raw figure's included versions (sum mod 2^52 of a 52-bit tag of each content hash).
 *   When every honest node's digest equals the digest of the expected versions, the real
 *   `aggregate` runs on every honest node (raw and robust) and its fingerprint and counts are
 *   compared with the expectation: the fingerprint confirms agreement, the counts are checked
 *   against a direct sum of the latest honest versions (double counting).
 */
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import {
  type AggregateState,
  aggregate,
  DEFAULT_POLICY,
  defaultGrid,
  draftSynthesis,
  emptyState,
  entryKey,
  fingerprint,
  type GroupTally,
  isConflicted,
  mergeRecords,
  payloadCells,
  plausibilityFlags,
  QUESTIONS,
  type StateEntry,
  type SynthesisPayload,
  type SynthesisRecord,
  synthesisRecord,
} from "@spiral-network/protocol";
import { required, runChild } from "./lib/harness";
import { seededRandom } from "./lib/seeded-random";

const SIZES = (process.env.SIM_NODES ?? "10,100,1000").split(",").map(Number);
const LOSSES = (process.env.SIM_LOSS ?? "0,0.1,0.3").split(",").map(Number);
const PULL_ALL = process.env.SIM_PULL === "all";
const FOLLOWS = Number(process.env.SIM_FOLLOWS ?? (PULL_ALL ? 3 : 8));
const SERVE_CONFLICTS = process.env.SIM_SERVE_CONFLICTS !== "0";
const SEED = Number(process.env.SIM_SEED ?? 1);
const MAX_ROUNDS = 100;
const RETRIES = Number(process.env.SIM_RETRIES ?? 5);
const TIME_BUDGET_MS = Number(process.env.SIM_BUDGET_MS ?? 120_000);
const GRID = { id: defaultGrid.id, version: defaultGrid.version };
const PERIOD = { start: "2026-01-01", end: "2026-06-30" };
const COUNTRIES = ["FR", "PT", "ES", "IT", "BE", "DE"];
const CATEGORIES = ["young-people", "elderly-people", "women", "farmers", "residents", "parents"];
const COMPONENTS = defaultGrid.components.map((c) => c.code);

type Role = "honest" | "inflated" | "replayer" | "conflicting" | "forger";

/** What travels: a synthesis record and the actor whose proof it carries. */
interface Item {
  record: SynthesisRecord;
  signer: string;
}

/** An item as served, with its state key. */
interface Served extends Item {
  key: string;
}

interface SimNode {
  index: number;
  origin: string;
  role: Role;
  follows: number[];
  followers: number[];
  state: AggregateState;
  /** Records in the order this node admitted them (its change log), with their state key. */
  log: Array<{ record: SynthesisRecord; key: string }>;
  /** Per followed peer: how far into its log this node has read. */
  cursors: Map<number, number>;
  /** Digest of the raw figure's included versions (non-conflicted entries), kept incrementally. */
  digest: number;
  /** JSON bytes of every record the state holds (what a whole-collection pull costs). */
  stateBytes: number;
  messages: number;
  bytes: number;
  bytesFull: number;
  /** Replayer: the oldest record seen per (origin, period). */
  oldest?: Map<string, SynthesisRecord>;
  /** Conflicting: the two variants of its synthesis. Forger: the forged items it serves. */
  special?: Item[];
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness, tags and sizes
// ---------------------------------------------------------------------------------------------

const MOD = 2 ** 52;
/** A 52-bit tag of a content hash (`sha256:` + 64 hex digits). */
const tag = (hash: string) => Number.parseInt(hash.slice(7, 20), 16);

const bodySizes = new WeakMap<SynthesisRecord, number>();
const summarySizes = new WeakMap<SynthesisRecord, number>();
/** JSON bytes of a record (its body). */
function sizeOf(record: SynthesisRecord): number {
  let size = bodySizes.get(record);
  if (size === undefined) {
    size = Buffer.byteLength(JSON.stringify(record));
    bodySizes.set(record, size);
  }
  return size;
}
/** JSON bytes of a record's summary: origin, period key, version, hash. */
function summaryOf(record: SynthesisRecord): number {
  let size = summarySizes.get(record);
  if (size === undefined) {
    const { origin, periodKey, version, hash } = record;
    size = Buffer.byteLength(JSON.stringify({ origin, periodKey, version, hash }));
    summarySizes.set(record, size);
  }
  return size;
}
const entryBytes = (entry: StateEntry | undefined) =>
  entry ? entry.records.reduce((sum, r) => sum + sizeOf(r), 0) : 0;

/** The receiver's origin check: the payload's territory is the actor whose proof it carries. */
const verifies = (item: Item) =>
  item.record.payload.territory.id === item.signer && item.record.origin === item.signer;

// ---------------------------------------------------------------------------------------------
// Payloads
// ---------------------------------------------------------------------------------------------

/** Groups of 5–15 participants, each writing 3–7 criteria per person over 8–15 cells. */
function randomGroups(rng: () => number, count: number): GroupTally[] {
  const pick = <T>(items: readonly T[]) => items[Math.floor(rng() * items.length)] as T;
  return Array.from({ length: count }, () => {
    const participants = 5 + Math.floor(rng() * 11);
    let left = Math.round(participants * (3 + rng() * 4));
    const cells = 8 + Math.floor(rng() * 8);
    const counts = Array.from({ length: cells }, (_, i) => {
      const count =
        i === cells - 1 ? left : Math.min(left, Math.floor((rng() * 2 * left) / (cells - i)));
      left -= count;
      return { question: pick(QUESTIONS), component: pick(COMPONENTS), count };
    });
    return { category: pick(CATEGORIES), participants, counts };
  });
}

function build(
  territory: SynthesisPayload["territory"],
  groups: GroupTally[],
  previous: SynthesisRecord | null,
  correction = false,
): SynthesisRecord {
  const { payload, blockers } = draftSynthesis({
    territory,
    period: PERIOD,
    grid: GRID,
    groups,
    previous: previous
      ? {
          version: previous.version,
          hash: previous.hash,
          participants: previous.payload.participants,
        }
      : null,
    correction,
    policy: DEFAULT_POLICY,
  });
  if (!payload) throw new Error(`unpublishable simulated synthesis: ${blockers.join("; ")}`);
  // As received: parsed from the JSON on the wire.
  return synthesisRecord(JSON.parse(JSON.stringify(payload)) as SynthesisPayload);
}

const scaled = (groups: GroupTally[], factor: number): GroupTally[] =>
  groups.map((g) => ({ ...g, counts: g.counts.map((c) => ({ ...c, count: c.count * factor })) }));

function directSum(records: readonly SynthesisRecord[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const r of records) {
    for (const c of payloadCells(r.payload)) {
      const key = `${c.question} ${c.component}`;
      sums.set(key, (sums.get(key) ?? 0) + c.count);
    }
  }
  return sums;
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x) => b.includes(x));

// ---------------------------------------------------------------------------------------------
// One configuration
// ---------------------------------------------------------------------------------------------

interface Checks {
  /** Honest nodes whose raw fingerprint is the expected one. */
  agreeing: number;
  /** Honest nodes' figures (raw and robust) with a cell above / different from the expectation. */
  doubleCounted: number;
  mismatched: number;
  /** Distinct (excluded as conflicted)/(conflicting origins) seen across figures. */
  conflicted: string;
  /** Distinct (flagged)/(inflated origins) seen across figures. */
  flagged: string;
}

interface Result extends Checks {
  nodes: number;
  loss: number;
  honest: number;
  lastPublication: number;
  agreement: number | null;
  messages: number;
  kib: number;
  kibFull: number;
  falsePositives: number;
  forgedRefused: number;
  replaysIgnored: number;
  ms: number;
}

function simulate(size: number, loss: number): Result {
  const started = performance.now();
  const rng = seededRandom(SEED * 1_000_003 + size * 1_000 + Math.round(loss * 100));
  const randomInt = (n: number) => Math.floor(rng() * n);
  const shuffled = () => {
    const list = Array.from({ length: size }, (_, i) => i);
    for (let i = size - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [list[i], list[j]] = [list[j] as number, list[i] as number];
    }
    return list;
  };

  // Nodes and roles.
  const perKind = Math.max(1, Math.floor(size / 100));
  const order = shuffled();
  const roles: Role[] = Array.from({ length: size }, () => "honest");
  (["inflated", "replayer", "conflicting", "forger"] as const).forEach((kind, k) => {
    for (let j = 0; j < perKind; j++) roles[order[k * perKind + j] as number] = kind;
  });
  const nodes: SimNode[] = roles.map((role, index) => ({
    index,
    origin: `https://n${index}.example/actors/t${index}`,
    role,
    follows: [],
    followers: [],
    state: emptyState(),
    log: [],
    cursors: new Map(),
    digest: 0,
    stateBytes: 0,
    messages: 0,
    bytes: 0,
    bytesFull: 0,
    ...(role === "replayer" ? { oldest: new Map() } : {}),
  }));
  const honest = nodes.filter((n) => n.role === "honest");

  // Follow graph (see the header).
  const wanted = nodes.map(() => new Set<number>());
  const honestRing = shuffled().filter((i) => roles[i] === "honest");
  for (const [i, n] of honestRing.entries()) {
    wanted[n]?.add(honestRing[(i + 1) % honestRing.length] as number);
  }
  for (const [n, role] of roles.entries()) {
    if (role !== "honest") wanted[honestRing[randomInt(honestRing.length)] as number]?.add(n);
  }
  for (const [n, set] of wanted.entries()) {
    while (set.size < Math.min(FOLLOWS, size - 1)) {
      const peer = randomInt(size);
      if (peer !== n) set.add(peer);
    }
    const node = nodes[n] as SimNode;
    node.follows = [...set];
    for (const peer of set) (nodes[peer] as SimNode).followers.push(n);
  }

  // Publications (rounds are 0-based here, printed 1-based).
  const schedule = new Map<number, Array<{ node: SimNode; variants: Item[] }>>();
  const latest = new Map<string, SynthesisRecord>(); // origin → latest version published
  const at = (round: number, node: SimNode, variants: Item[]) =>
    schedule.set(round, [...(schedule.get(round) ?? []), { node, variants }]);
  let lastPublication = 0;
  for (const node of nodes) {
    const territory = {
      id: node.origin,
      name: `Territory ${node.index}`,
      country: COUNTRIES[node.index % COUNTRIES.length] as string,
    };
    const own = (record: SynthesisRecord) => ({ record, signer: node.origin });
    const groups = randomGroups(rng, 2 + randomInt(4));
    const r1 = randomInt(4);
    lastPublication = Math.max(lastPublication, r1);
    if (node.role === "conflicting") {
      const a = build(territory, groups, null);
      const extra = { question: "Q1" as const, component: "A00", count: 1 };
      const b = build(
        territory,
        groups.map((g, i) => (i === 0 ? { ...g, counts: [...g.counts, extra] } : g)),
        null,
      );
      node.special = [own(a), own(b)];
      at(r1, node, node.special);
      continue;
    }
    const v1 = build(territory, node.role === "inflated" ? scaled(groups, 100) : groups, null);
    latest.set(node.origin, v1);
    at(r1, node, [own(v1)]);
    if (node.role === "honest" && rng() < 0.5) {
      const r2 = r1 + 1 + randomInt(5 - r1);
      const v2 = build(territory, [...groups, ...randomGroups(rng, 1)], v1);
      latest.set(node.origin, v2);
      lastPublication = Math.max(lastPublication, r2);
      at(r2, node, [own(v2)]);
    }
  }
  for (const forger of nodes.filter((n) => n.role === "forger")) {
    const victim = honest[randomInt(honest.length)] as SimNode;
    const genuine = latest.get(victim.origin) as SynthesisRecord;
    const forged = build(
      genuine.payload.territory,
      scaled(randomGroups(rng, 3), 3),
      { ...genuine, version: genuine.version + 4 },
      true,
    );
    forger.special = [
      { record: forged, signer: forger.origin },
      { record: { ...forged, origin: forger.origin }, signer: forger.origin },
    ];
  }

  // Expectation: the latest version of every origin but the conflicting ones (raw figure); the
  // robust one without what the plausibility rule flags on that complete picture (the inflated
  // origins, and any honest origin the rule happens to flag: a false positive, counted).
  const inflated = nodes.filter((n) => n.role === "inflated").map((n) => n.origin);
  const conflicting = nodes.filter((n) => n.role === "conflicting").map((n) => n.origin);
  const rawRecords = [...latest.values()];
  const flaggedKeys = plausibilityFlags(
    rawRecords.map((r) => ({ ...r, hashes: [r.hash], records: [r] })),
  );
  const flaggedOrigins = rawRecords
    .filter((r) => flaggedKeys.has(entryKey(r.origin, r.periodKey)))
    .map((r) => r.origin);
  const robustRecords = rawRecords.filter((r) => !flaggedOrigins.includes(r.origin));
  const expected = {
    digest: rawRecords.reduce((d, r) => (d + tag(r.hash)) % MOD, 0),
    raw: { fingerprint: fingerprint(rawRecords), sums: directSum(rawRecords) },
    robust: { fingerprint: fingerprint(robustRecords), sums: directSum(robustRecords) },
  };

  // Receiving: verify, merge, then update the log, digest and byte count of what changed.
  let forgedRefused = 0;
  let replaysIgnored = 0;
  function receive(node: SimNode, items: readonly Item[]): void {
    const records: SynthesisRecord[] = [];
    for (const item of items) {
      if (verifies(item)) records.push(item.record);
      else forgedRefused++;
    }
    if (node.oldest) {
      for (const r of records) {
        const key = entryKey(r.origin, r.periodKey);
        const held = node.oldest.get(key);
        if (!held || r.version < held.version) node.oldest.set(key, r);
      }
    }
    const before = node.state;
    const after = mergeRecords(before, records);
    if (after === before) return;
    node.state = after;
    const seen = new Set<string>();
    for (const r of records) {
      const key = entryKey(r.origin, r.periodKey);
      if (seen.has(key)) continue;
      seen.add(key);
      const old = before.get(key);
      const now = after.get(key) as StateEntry;
      if (old === now) continue;
      if (old && !isConflicted(old)) {
        node.digest = (node.digest - tag(old.hashes[0] as string) + MOD) % MOD;
      }
      if (!isConflicted(now)) node.digest = (node.digest + tag(now.hashes[0] as string)) % MOD;
      node.stateBytes += entryBytes(now) - entryBytes(old);
      for (const added of now.records) {
        if (old && old.version === now.version && old.hashes.includes(added.hash)) continue;
        node.log.push({ record: added, key });
      }
    }
  }

  /** Whether `node` holds this version (or a newer one): it does not fetch the body then. */
  function holds(node: SimNode, record: SynthesisRecord, key: string): boolean {
    const held = node.state.get(key);
    if (!held || held.version < record.version) return false;
    if (held.version > record.version) replaysIgnored++;
    return held.version > record.version || held.hashes.includes(record.hash);
  }

  /** What `peer` serves `puller`: its log since the puller's cursor, still current. */
  function serve(peer: SimNode, puller: SimNode): { items: Served[]; cursor: number } {
    const served = (record: SynthesisRecord, signer = record.origin) => ({
      record,
      signer,
      key: entryKey(record.origin, record.periodKey),
    });
    if (peer.oldest) return { items: [...peer.oldest.values()].map((r) => served(r)), cursor: 0 };
    const items: Served[] = [];
    for (let i = puller.cursors.get(peer.index) ?? 0; i < peer.log.length; i++) {
      const { record, key } = peer.log[i] as { record: SynthesisRecord; key: string };
      const entry = peer.state.get(key);
      if (
        entry?.version === record.version &&
        entry.hashes.includes(record.hash) &&
        (SERVE_CONFLICTS || !isConflicted(entry))
      ) {
        items.push({ record, signer: record.origin, key });
      }
    }
    if (peer.role === "conflicting" && peer.special) {
      const variant = peer.special[randomInt(2)] as Item; // equivocates, pull after pull
      items.push(served(variant.record));
    }
    for (const forged of peer.role === "forger" ? (peer.special ?? []) : []) {
      items.push(served(forged.record, forged.signer));
    }
    return { items, cursor: peer.log.length };
  }

  /** The real figures of every honest node, against the expectation. */
  function check(): Checks {
    let agreeing = 0;
    let doubleCounted = 0;
    let mismatched = 0;
    const conflicted = new Set<string>();
    const flagged = new Set<string>();
    for (const node of honest) {
      for (const robust of [false, true]) {
        const figure = aggregate(node.state, {}, { grid: GRID, robust });
        const target = robust ? expected.robust : expected.raw;
        if (!robust && figure.fingerprint === target.fingerprint) agreeing++;
        let over = false;
        let differs = figure.fingerprint !== target.fingerprint;
        let cells = 0;
        for (const [question, byComponent] of Object.entries(figure.counts)) {
          for (const [component, n] of Object.entries(byComponent ?? {})) {
            const want = target.sums.get(`${question} ${component}`) ?? 0;
            if (n > want) over = true;
            if (n !== want) differs = true;
            cells++;
          }
        }
        if (cells !== target.sums.size) differs = true;
        if (over) doubleCounted++;
        if (differs) mismatched++;
        const excluded = figure.coverage.excluded
          .filter((e) => e.reason === "conflicted")
          .map((e) => e.origin);
        conflicted.add(
          `${excluded.length}/${conflicting.length}${sameSet(excluded, conflicting) ? "" : "?"}`,
        );
        const ok = figure.flagged.every((o) => flaggedOrigins.includes(o));
        flagged.add(`${figure.flagged.length}/${inflated.length}${ok ? "" : "?"}`);
      }
    }
    return {
      agreeing,
      doubleCounted,
      mismatched,
      conflicted: [...conflicted].join(" "),
      flagged: [...flagged].join(" "),
    };
  }

  let agreement: number | null = null;
  let checks: Checks | null = null;
  let retries: Array<{ from: SimNode; to: SimNode; item: Item; attempt: number }> = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    // Publications of this round, pushed to followers; a lost delivery is retried the next
    // round (the outbox and Fedify's retries), until RETRIES attempts.
    const attempts = retries;
    retries = [];
    for (const { node, variants } of schedule.get(round) ?? []) {
      receive(node, [variants[0] as Item]);
      for (const [i, follower] of node.followers.entries()) {
        attempts.push({
          from: node,
          to: nodes[follower] as SimNode,
          item: variants[i % variants.length] as Item,
          attempt: 1,
        });
      }
    }
    for (const delivery of attempts) {
      delivery.from.messages++;
      if (rng() < loss) {
        if (delivery.attempt < RETRIES)
          retries.push({ ...delivery, attempt: delivery.attempt + 1 });
        continue;
      }
      delivery.to.bytes += sizeOf(delivery.item.record);
      receive(delivery.to, [delivery.item]);
    }
    // Anti-entropy. What a peer serves is taken before anyone merges this round's pulls, as
    // concurrent requests would see it.
    const pulls: Array<{ node: SimNode; peer: SimNode; items: Served[]; cursor: number }> = [];
    for (const node of nodes) {
      const peers = PULL_ALL
        ? node.follows
        : [node.follows[(round + node.index) % node.follows.length] as number];
      for (const p of peers) {
        const peer = nodes[p] as SimNode;
        node.messages++;
        if (rng() < loss) continue;
        node.bytesFull += peer.stateBytes;
        pulls.push({ node, peer, ...serve(peer, node) });
      }
    }
    // A node's pulls of one round run one after the other (a body fetched by the first is not
    // fetched again by the next); what they bring is merged at once.
    let fetched = new Set<SynthesisRecord>();
    let batch: Item[] = [];
    for (const [i, { node, peer, items, cursor }] of pulls.entries()) {
      let fetches = false;
      for (const item of items) {
        node.bytes += summaryOf(item.record);
        if (fetched.has(item.record) || holds(node, item.record, item.key)) continue;
        fetched.add(item.record);
        node.bytes += sizeOf(item.record);
        batch.push(item);
        fetches = true;
      }
      if (fetches) node.messages++; // fetching the bodies
      node.cursors.set(peer.index, cursor);
      if (pulls[i + 1]?.node !== node) {
        receive(node, batch);
        fetched = new Set();
        batch = [];
      }
    }
    if (
      checks === null &&
      round >= lastPublication &&
      honest.every((n) => n.digest === expected.digest)
    ) {
      checks = check();
      if (checks.agreeing !== honest.length) throw new Error("digests agree, fingerprints do not");
      agreement = round + 1;
      break;
    }
    if (performance.now() - started > TIME_BUDGET_MS) break;
  }
  checks ??= check();

  const perHonest = (f: (n: SimNode) => number) =>
    honest.reduce((sum, n) => sum + f(n), 0) / honest.length;
  return {
    ...checks,
    nodes: size,
    loss,
    honest: honest.length,
    lastPublication: lastPublication + 1,
    agreement,
    messages: perHonest((n) => n.messages),
    kib: perHonest((n) => n.bytes) / 1024,
    kibFull: perHonest((n) => n.bytesFull) / 1024,
    falsePositives: flaggedOrigins.filter((o) => !inflated.includes(o)).length,
    forgedRefused,
    replaysIgnored,
    ms: performance.now() - started,
  };
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const header = [
  "nodes",
  "loss",
  "honest",
  "last pub.",
  "agreement",
  "repair",
  "msgs/node",
  "KiB/node",
  "KiB full",
  "double-counted",
  "mismatched",
  "conflicted",
  "flagged",
  "false +",
  "forged refused",
  "replays ignored",
  "time",
];

function printTable(table: string[][]): void {
  const widths = (table[0] as string[]).map((_, c) =>
    Math.max(...table.map((row) => (row[c] ?? "").length)),
  );
  const line = (row: string[]) =>
    row.map((cell, c) => cell.padStart(widths[c] as number)).join(" │ ");
  console.log(line(table[0] as string[]));
  console.log(widths.map((w) => "─".repeat(w)).join("─┼─"));
  for (const row of table.slice(1)) console.log(line(row));
}

/** Without SIM_PULL: both pull models, one child process each (they run side by side). */
async function runBoth(): Promise<void> {
  const child = async (mode: string, live: boolean) => {
    const env = { ...process.env, SIM_PULL: mode };
    return required(
      `SIM_PULL=${mode}`,
      await runChild(fileURLToPath(import.meta.url), [], { env, live }),
    );
  };
  const [, all] = await Promise.all([child("one", true), child("all", false)]);
  console.log(`\n${all}`);
}

if (process.env.SIM_PULL === undefined) await runBoth();
else runConfigurations();

function runConfigurations(): void {
  const rows: string[][] = [];
  console.log(
    `Spiral Network simulation — seed ${SEED}, ${FOLLOWS} follows per node, ` +
      `${PULL_ALL ? "a pull of every followed peer" : "one pull (followed peers in turn)"} per node and round, ` +
      `${SERVE_CONFLICTS ? "" : "conflicted entries not served, "}≤ ${MAX_ROUNDS} rounds\n`,
  );
  for (const size of SIZES) {
    for (const loss of LOSSES) {
      const r = simulate(size, loss);
      const row = [
        String(r.nodes),
        `${(r.loss * 100).toFixed(0)} %`,
        String(r.honest),
        String(r.lastPublication),
        r.agreement === null ? "none" : String(r.agreement),
        r.agreement === null ? "—" : String(r.agreement - r.lastPublication),
        r.messages.toFixed(1),
        r.kib.toFixed(0),
        r.kibFull.toFixed(0),
        String(r.doubleCounted),
        String(r.mismatched),
        r.conflicted,
        r.flagged,
        String(r.falsePositives),
        String(r.forgedRefused),
        String(r.replaysIgnored),
        `${(r.ms / 1000).toFixed(1)} s`,
      ];
      rows.push(row);
      printTable([header, row]);
      console.log();
    }
  }
  console.log("Summary");
  printTable([header, ...rows]);
  console.log(`
last pub.: round of the last publication. agreement: the first round after which every honest
  node's raw fingerprint is the fingerprint of the latest honest versions (checked with
  aggregate() on every honest node); repair: rounds after the last publication.
msgs/node: requests an honest node made (pulls, body fetches, deliveries of its publications).
KiB/node: JSON an honest node received (summaries, bodies, deliveries); KiB full: what pulling
  whole collections would have cost.
double-counted / mismatched: honest nodes' figures (raw and robust, two per node) with a cell
  above / different from the direct sum of the latest honest versions.
conflicted, flagged: excluded as conflicted / conflicting origins, flagged / inflated origins,
  as every honest figure shows them ("?" if a wrong origin appears). false +: honest origins
  the plausibility rule flags on the complete picture (left out of the expected robust figure).`);
}
