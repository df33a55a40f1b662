import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { getRequestListener } from "@hono/node-server";
import { createNode, type NodeOptions, type SpiralNode } from "@spiral-network/node/node";
import type { TerritoryProfile } from "@spiral-network/protocol";
import { expect } from "vitest";
import { TEST_PASSWORD_COST } from "../support/password-cost";
import { waitFor } from "../support/wait";

export const ADMIN_TOKEN = "federation-test-admin-token-0123456789";
const TLS_DIR = path.join(import.meta.dirname, "../fixtures/tls");

export interface Peer {
  node: SpiralNode;
  url: string;
  slug: string;
  actorUrl: string;
  logs: string[];
  /** Calls this node's API as its admin. */
  api(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Stops serving HTTP (the node is unreachable) but keeps its state for later checks. */
  goOffline(): Promise<void>;
  /** Serves HTTP again, at the same address. */
  goOnline(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a real node on 127.0.0.1 (ephemeral port, in this process), with one territory.
 * `tls` serves https with the self-signed fixture certificate (for handle look-ups).
 */
/** Calls `node`'s JSON API (/api/v1) with the admin token, as `Peer.api` does. */
export function adminApi(node: SpiralNode): Peer["api"] {
  return async (method, route, body) => {
    const response = await node.app.request(`/api/v1${route}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
}

/**
 * What every test peer's node is created with at `url`: a logger into `logs`, the admin token,
 * loopback addresses allowed, no periodic anti-entropy and a fast queue poll.
 */
export function peerNodeOptions(url: string) {
  const logs: string[] = [];
  const record = (level: string) => (message: string, error?: unknown) =>
    logs.push(`${level} ${message}${error ? ` ${String(error)}` : ""}`);
  const options = {
    publicUrl: url,
    logger: { info: record("info"), warn: record("warn"), error: record("error") },
    adminToken: ADMIN_TOKEN,
    allowPrivateAddress: true,
    antiEntropyIntervalMs: 0,
    queuePollIntervalMs: 20,
  } satisfies Partial<NodeOptions>;
  return { logs, options };
}

export async function startPeer(
  territory: Pick<TerritoryProfile, "slug" | "name" | "country"> & Partial<TerritoryProfile>,
  options: {
    tls?: boolean;
    manualApproval?: boolean;
    unreachableAfterFailures?: number;
    /** The node's clock (default: the real one). */
    now?: () => Date;
    /** Other node options (a clock, outbound limits, ALLOW_PRIVATE_ADDRESSES off…). */
    node?: Partial<NodeOptions>;
  } = {},
): Promise<Peer> {
  const server = options.tls
    ? https.createServer({
        key: readFileSync(path.join(TLS_DIR, "localhost-key.pem")),
        cert: readFileSync(path.join(TLS_DIR, "localhost-cert.pem")),
      })
    : http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = options.tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`;
  const { logs, options: peerOptions } = peerNodeOptions(url);
  const node = createNode({
    databaseFile: ":memory:",
    passwordCost: TEST_PASSWORD_COST,
    ...peerOptions,
    ...(options.now ? { now: options.now } : {}),
    ...(options.unreachableAfterFailures
      ? { unreachableAfterFailures: options.unreachableAfterFailures }
      : {}),
    ...options.node,
  });
  server.on("request", getRequestListener(node.app.fetch));
  node.services.territories.create({ languages: ["en"], ...territory } as TerritoryProfile, "test");
  if (options.manualApproval) {
    node.services.territories.update(territory.slug, { manualApproval: true }, "test");
  }
  await (await node.federation.get()).deps.keys.keyPairs(territory.slug);
  node.start();

  let online = true;
  const stopServer = async () => {
    if (!online) return;
    online = false;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    node,
    url,
    slug: territory.slug,
    actorUrl: `${url}/actors/${territory.slug}`,
    logs,
    api: adminApi(node),
    goOffline: stopServer,
    async goOnline() {
      if (online) return;
      await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
      online = true;
    },
    async close() {
      await stopServer();
      await node.close();
    },
  };
}

/**
 * Waits until these nodes have nothing left to do: every node's queue has looked for work and
 * found none, no queued task ran on any of them in the meantime, and no outbox row waits to be
 * sent. A test checks after this that something did not happen, rather than had not happened yet.
 */
export async function settled(...peers: Peer[]): Promise<void> {
  const snapshot = () => ({
    processed: peers.map((p) => p.node.queue.processed),
    polls: peers.map((p) => p.node.queue.emptyPolls),
  });
  let round = snapshot();
  await waitFor(
    () => {
      if (!peers.every((p, i) => p.node.queue.emptyPolls > (round.polls[i] ?? 0))) return false;
      const quiet = peers.every(
        (p, i) =>
          p.node.queue.processed === round.processed[i] &&
          p.node.services.outbox.pending(1).length === 0,
      );
      if (!quiet) round = snapshot(); // something ran: look again from here
      return quiet;
    },
    `${peers.map((p) => p.slug).join(", ")} to have nothing left to do`,
  );
}

/** Group + validated criteria + published synthesis for the peer's territory (≥ k participants). */
export async function publishSynthesis(
  peer: Peer,
  participants = 8,
  period = { start: "2026-01-01", end: "2026-12-31" },
): Promise<any> {
  const group = await peer.api("POST", `/territories/${peer.slug}/groups`, {
    label: `Group ${Math.random().toString(36).slice(2, 7)}`,
    category: "young-people",
    sessionDates: [period.start],
    participants,
    cycle: 1,
  });
  const added = await peer.api(
    "POST",
    `/territories/${peer.slug}/groups/${group.body.id}/criteria`,
    {
      items: [
        { question: "Q1", text: "Having a job I like", code: "A05" },
        { question: "Q1", text: "Friends nearby", code: "D00" },
        { question: "Q2", text: "Noise at night", code: "B01" },
      ],
    },
  );
  await peer.api("POST", `/territories/${peer.slug}/criteria/validation`, {
    ids: added.body.items.map((c: { id: number }) => c.id),
  });
  const published = await peer.api("POST", `/territories/${peer.slug}/syntheses`, {
    period,
    correction: false,
  });
  if (published.status !== 201)
    throw new Error(`publish failed: ${JSON.stringify(published.body)}`);
  return published.body;
}

/**
 * Group, two validated criteria, then publication addressed to the given sub-networks; the raw
 * answer, since some tests expect a refusal.
 */
export async function publishTo(
  peer: Peer,
  subnetworks: string[] | undefined,
  period: { start: string; end: string },
  participants = 8,
): Promise<{ status: number; body: any }> {
  const group = await peer.api("POST", `/territories/${peer.slug}/groups`, {
    label: `Youth ${Math.random().toString(36).slice(2, 7)}`,
    category: "young-people",
    sessionDates: [period.start],
    participants,
    cycle: 1,
  });
  const added = await peer.api(
    "POST",
    `/territories/${peer.slug}/groups/${group.body.id}/criteria`,
    {
      items: [
        { question: "Q1", text: "Having a job I like", code: "A05" },
        { question: "Q2", text: "Noise at night", code: "B01" },
      ],
    },
  );
  await peer.api("POST", `/territories/${peer.slug}/criteria/validation`, {
    ids: added.body.items.map((c: { id: number }) => c.id),
  });
  return peer.api("POST", `/territories/${peer.slug}/syntheses`, {
    period,
    correction: false,
    ...(subnetworks ? { subnetworks } : {}),
  });
}

/** Makes `follower` follow `target` by actor URL and waits for the Accept. */
export async function follow(follower: Peer, target: Peer): Promise<void> {
  const response = await follower.api("POST", `/territories/${follower.slug}/following`, {
    target: target.actorUrl,
  });
  if (response.status !== 202) throw new Error(`follow failed: ${JSON.stringify(response.body)}`);
  await waitFor(
    () =>
      follower.node.services.follows
        .following(follower.slug)
        .find((f) => f.target === target.actorUrl)?.state === "accepted",
    `${target.slug} to accept ${follower.slug}`,
  );
}

export const receivedBy = (peer: Peer) => peer.node.services.received.list();

/**
 * One anti-entropy pull by `receiver` from the actor at `targetActorUrl`, through an accepted
 * following recorded directly in the database (no Follow is sent) and removed afterwards;
 * returns what the pull counted.
 */
export async function pullOnce(receiver: Peer, targetActorUrl: string) {
  const { follows } = receiver.node.services;
  const row = follows.requestFollow({
    actor: receiver.slug,
    target: targetActorUrl,
    targetInbox: `${targetActorUrl}/inbox`,
    targetSharedInbox: null,
    targetHandle: null,
    targetName: null,
    targetType: "Organization",
    followActivityId: `${receiver.url}/activities/${randomUUID()}`,
  });
  follows.setFollowingState(row.id, "accepted");
  try {
    return await (await receiver.node.federation.get()).antiEntropy.pull(
      follows.followingById(receiver.slug, row.id),
    );
  } finally {
    follows.removeFollowing(row.id);
  }
}

/**
 * The origin's pending deliveries are lost (as if its queue had been wiped): waits until every
 * message left is a retry waiting for its delay (nothing in flight), then drops them.
 */
export async function loseDeliveries(origin: Peer): Promise<void> {
  const sqlite = origin.node.storage.sqlite;
  await waitFor(() => {
    const rows = sqlite
      .prepare("select locked_by as lockedBy, available_at as availableAt from fedify_queue")
      .all() as Array<{ lockedBy: string | null; availableAt: number }>;
    return (
      rows.length > 0 && rows.every((r) => r.lockedBy === null && r.availableAt > Date.now() + 50)
    );
  }, "the failed delivery to wait for a retry");
  sqlite.prepare("delete from fedify_queue").run();
}

/** The network figures `peer` serves at GET /aggregates (asserted 200). */
export async function networkFigure<Figure>(peer: Peer): Promise<Figure> {
  const response = await peer.api("GET", "/aggregates");
  expect(response.status).toBe(200);
  return response.body;
}

/** The territories the suites run their peers on, by slug. */
export const TERRITORIES = {
  mulhouse: { slug: "mulhouse", name: "Mulhouse", country: "FR" },
  porto: { slug: "porto", name: "Porto", country: "PT" },
  namur: { slug: "namur", name: "Namur", country: "BE" },
  lima: { slug: "lima", name: "Lima", country: "PE" },
  gent: { slug: "gent", name: "Gent", country: "BE" },
} as const;

/** Starts one peer (default options) per territory named, in parallel, in that order. */
export function startPeers<const S extends ReadonlyArray<keyof typeof TERRITORIES>>(
  ...slugs: S
): Promise<{ [K in keyof S]: Peer }> {
  return Promise.all(slugs.map((slug) => startPeer(TERRITORIES[slug]))) as Promise<{
    [K in keyof S]: Peer;
  }>;
}

/** Closes what a suite started (a failed set-up may have left some undefined). */
export async function closePeers(
  ...peers: Array<{ close(): Promise<void> } | undefined>
): Promise<void> {
  await Promise.all(peers.map((p) => p?.close()));
}
