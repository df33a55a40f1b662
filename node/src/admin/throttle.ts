import { isIP } from "node:net";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";

/**
 * How failures of one key (an account, an address) are slowed: `free` failures go through,
 * then each further failure pauses the key for `firstPauseMs`, doubled at every failure after
 * it, never more than `maxPauseMs`. A key forgets its failures `forgetAfterMs` after the last.
 */
export interface BackoffPolicy {
  free: number;
  firstPauseMs: number;
  maxPauseMs: number;
  forgetAfterMs: number;
}

const MINUTE = 60_000;

/** Wrong passwords for one account, from anywhere (docs/facilitators-guide.md, "The workspace"). */
export const ACCOUNT_POLICY: BackoffPolicy = {
  free: 4,
  firstPauseMs: MINUTE,
  maxPauseMs: 15 * MINUTE,
  forgetAfterMs: 60 * MINUTE,
};

/** Failed sign-ins from one client address, across accounts (password spraying). */
export const ADDRESS_POLICY: BackoffPolicy = { ...ACCOUNT_POLICY, free: 19 };

/** Wrong setup codes from one client address. */
export const SETUP_CODE_POLICY: BackoffPolicy = ACCOUNT_POLICY;

/**
 * Entries kept at most. When full, the oldest key whose failures are still free goes first: a
 * flood of made-up keys (one wrong password each) must not push out a paused key, nor the
 * history that makes its next pause longer. Only when every key has been paused does the
 * oldest go.
 */
const MAX_ENTRIES = 10_000;

interface Entry {
  failures: number;
  lastFailure: number;
  pausedUntil: number;
}

export type BackoffThrottle = ReturnType<typeof createBackoffThrottle>;

/** In-memory exponential back-off per key, on the node's clock. */
export function createBackoffThrottle(now: () => Date, policy: BackoffPolicy) {
  const entries = new Map<string, Entry>();
  const current = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    const time = now().getTime();
    if (entry && time >= entry.pausedUntil && time - entry.lastFailure > policy.forgetAfterMs) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const evictOne = () => {
    let oldest: string | undefined;
    for (const [key, entry] of entries) {
      oldest ??= key;
      if (entry.failures <= policy.free) {
        entries.delete(key);
        return;
      }
    }
    if (oldest !== undefined) entries.delete(oldest);
  };
  const make = (key: string): Entry => {
    while (entries.size >= MAX_ENTRIES) evictOne();
    const entry = { failures: 0, lastFailure: 0, pausedUntil: 0 };
    entries.set(key, entry);
    return entry;
  };
  return {
    /** Milliseconds the key must still wait, or 0 when an attempt may go ahead. */
    waitMs(key: string): number {
      const entry = current(key);
      return entry ? Math.max(0, entry.pausedUntil - now().getTime()) : 0;
    },
    /** Counts a failure; answers the pause it starts (0 while failures are still free). */
    fail(key: string): number {
      const entry = current(key) ?? make(key);
      const time = now().getTime();
      entry.failures++;
      entry.lastFailure = time;
      const beyond = entry.failures - policy.free;
      if (beyond <= 0) return 0;
      const pause = Math.min(
        policy.firstPauseMs * 2 ** Math.min(beyond - 1, 30),
        policy.maxPauseMs,
      );
      entry.pausedUntil = time + pause;
      return pause;
    },
    /** Takes back one counted failure (an attempt counted in advance that succeeded). */
    forgive(key: string): void {
      const entry = current(key);
      if (entry && entry.failures > 0) entry.failures--;
    },
    /** Forgets the key's failures (a success). */
    reset(key: string): void {
      entries.delete(key);
    },
  };
}

/** Whole minutes to show for a wait (at least 1). */
export const minutesOf = (ms: number) => Math.max(1, Math.ceil(ms / MINUTE));

/**
 * The client's address: the TCP peer, or, when the node runs behind a reverse proxy it trusts
 * (TRUST_PROXY=true), the last X-Forwarded-For entry — the one that proxy appended; earlier
 * entries come from the client and prove nothing. "unknown" outside a Node server.
 */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const entries = (c.req.header("x-forwarded-for") ?? "").split(",");
    const last = entries[entries.length - 1]?.trim() ?? "";
    if (isIP(last)) return addressKey(last);
  }
  try {
    const remote = getConnInfo(c).remote.address;
    return remote ? addressKey(remote) : "unknown";
  } catch {
    return "unknown"; // not behind the Node server (app.request without bindings)
  }
}

/**
 * The key an address is throttled under: an IPv4 address (IPv4-mapped IPv6 ones included) as
 * it is; an IPv6 address by its /64, since one subscriber is usually given a whole /64 and could
 * otherwise take a fresh address for every attempt.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (isIP(address) !== 6) return address;
  const plain = address.split("%")[0] ?? address;
  const [head = "", tail] = plain.split("::");
  // An embedded IPv4 address (the last 32 bits) stands for two hextets.
  const hextets = (part: string) =>
    part === "" ? [] : part.split(":").flatMap((h) => (h.includes(".") ? ["0", "0"] : [h]));
  const left = hextets(head);
  const right = tail === undefined ? [] : hextets(tail);
  const middle = Array.from({ length: Math.max(0, 8 - left.length - right.length) }, () => "0");
  const full = [...left, ...middle, ...right];
  const prefix = full.slice(0, 4).map((h) => (Number.parseInt(h, 16) || 0).toString(16));
  return `${prefix.join(":")}::/64`;
}
