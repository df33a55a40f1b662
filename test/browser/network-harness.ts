import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { type Peer, startPeer } from "../federation/harness";
import { waitFor } from "../support/wait";
import { launchChromium, type ServedNode, signInThroughForm } from "./harness";

/**
 * Browser-test helpers for two or more real nodes over HTTP on 127.0.0.1 (one process): each
 * node from the federation harness (its own territory, private addresses allowed so the nodes
 * can reach each other), a seeded admin account, the login form, criteria ready to publish.
 */

export const PASSWORD = "correct horse battery staple";

export interface BrowserPeer extends Peer {
  /** The admin account seeded on the node (email). */
  adminEmail: string;
  /** The node's logged errors (a 500 or a failed federation task shows here). */
  errors(): string[];
}

/** A peer as the single-node helpers of harness.ts take it (`openContext`…). */
export const servedPeer = (peer: BrowserPeer): ServedNode => ({
  node: peer.node,
  url: peer.url,
  errors: peer.errors(),
  close: () => peer.close(),
});

/**
 * What a test file with two nodes shares: Chromium and both peers started together before its
 * tests (then `setUp` gets them, to keep and seed them, within `timeoutMs`), a browser or node
 * that cannot start failing every test with why (none is skipped), each node's error log checked
 * empty after each test (a 500 shows as a page, not a failure), and all closed at the end.
 */
export function useBrowserAndPeers(
  territories: readonly [BrowserPeerTerritory, BrowserPeerTerritory],
  setUp: (browser: Browser, first: BrowserPeer, second: BrowserPeer) => Promise<void>,
  timeoutMs = 60_000,
): void {
  let browser: Browser | undefined;
  let peers: BrowserPeer[] = [];
  let launchError: unknown;
  beforeAll(async () => {
    let first: BrowserPeer;
    let second: BrowserPeer;
    try {
      [browser, first, second] = await Promise.all([
        launchChromium(),
        startBrowserPeer(territories[0]),
        startBrowserPeer(territories[1]),
      ]);
    } catch (error) {
      launchError = error;
      return;
    }
    peers = [first, second];
    await setUp(browser, first, second);
  }, timeoutMs);
  beforeEach(() => {
    if (launchError) throw launchError;
  });
  afterEach(() => {
    for (const peer of peers) expect(peer.errors(), peer.errors().join("\n")).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all(peers.map((p) => p.close()));
  });
}

/** The territory a peer hosts. */
export interface BrowserPeerTerritory {
  slug: string;
  name: string;
  country: string;
  region?: string;
  description?: string;
}

/** A node with one territory and one admin account, serving HTTP on a random port. */
export async function startBrowserPeer(territory: BrowserPeerTerritory): Promise<BrowserPeer> {
  const peer = await startPeer(territory);
  const adminEmail = `admin@${territory.slug}.example.org`;
  await peer.node.services.users.create(
    { email: adminEmail, name: `Admin of ${territory.name}`, password: PASSWORD, role: "admin" },
    "test",
  );
  return Object.assign(peer, {
    adminEmail,
    errors: () => peer.logs.filter((line) => line.startsWith("error ")),
  });
}

/** Signs in through the node's login form in a fresh page of the context. */
export async function signIn(context: BrowserContext, email: string): Promise<Page> {
  const page = await context.newPage();
  await signInThroughForm(page, email, PASSWORD);
  return page;
}

/** This year as a synthesis period (groups met today, so they fall within it). */
export function thisYear(): { start: string; end: string; today: string } {
  const today = new Date().toISOString().slice(0, 10);
  const year = today.slice(0, 4);
  return { start: `${year}-01-01`, end: `${year}-12-31`, today };
}

/** A group (met today) with the given criteria, all validated: the synthesis can be published. */
export async function seedValidatedCriteria(
  peer: Peer,
  items: Array<{ question: "Q1" | "Q2" | "Q3"; text: string; code: string }>,
  participants = 8,
): Promise<void> {
  const group = await peer.api("POST", `/territories/${peer.slug}/groups`, {
    label: `Group of ${peer.slug}`,
    category: "young-people",
    sessionDates: [thisYear().today],
    participants,
    cycle: 1,
  });
  expect(group.status, JSON.stringify(group.body)).toBe(201);
  const added = await peer.api(
    "POST",
    `/territories/${peer.slug}/groups/${group.body.id}/criteria`,
    {
      items,
    },
  );
  expect(added.status, JSON.stringify(added.body)).toBe(201);
  const validated = await peer.api("POST", `/territories/${peer.slug}/criteria/validation`, {
    ids: added.body.items.map((c: { id: number }) => c.id),
  });
  expect(validated.status, JSON.stringify(validated.body)).toBeLessThan(300);
}

/** Reloads the page until `ready` holds (federation is asynchronous), or fails saying what for. */
export async function reloadUntil(
  page: Page,
  ready: () => Promise<boolean>,
  what: string,
): Promise<void> {
  await waitFor(
    async () => {
      if (await ready()) return true;
      await page.reload();
      return false;
    },
    `${what} on ${page.url()}`,
    { interval: 150 },
  );
}

/** Parses the simple CSV the aggregates API writes (quoted fields may hold commas and quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.split("\r\n")) {
    if (line === "") continue;
    const fields: string[] = [];
    const pattern = /("(?:[^"]|"")*"|[^,]*)(,|$)/g;
    for (const match of line.matchAll(pattern)) {
      const raw = match[1] ?? "";
      fields.push(raw.startsWith('"') ? raw.slice(1, -1).replaceAll('""', '"') : raw);
      if (match[2] === "") break;
    }
    rows.push(fields);
  }
  return rows;
}
