import { DEVICE_COOKIE } from "@spiral-network/node/admin/known-devices";
import { createBackoffThrottle } from "@spiral-network/node/admin/throttle";
import { afterEach, describe, expect, it } from "vitest";
import {
  type AdminTestNode,
  type AdminTestNodeOptions,
  addUser,
  type Browser,
  csrfOf,
  FRED,
  PASSWORD,
  SETUP,
  startSignedIn,
  VERA,
} from "./browser";

/**
 * Wrong passwords pause sign-in for the account, whoever sends them and from wherever, for a
 * bounded time (docs/facilitators-guide.md, "The workspace"); X-Forwarded-For is believed only with
 * TRUST_PROXY=true (docs/running-a-node.md, "Configuration").
 */

let t: AdminTestNode;
afterEach(async () => {
  await t?.close();
});

async function nodeWithFred(options: AdminTestNodeOptions = {}) {
  const started = await startSignedIn(options);
  t = started.t;
  await addUser(t.node, FRED);
}

const attempt = (b: Browser, email: string, password: string) =>
  b.submit("/admin/login", "/admin/login", { email, password });
const guess = (b: Browser, i: number) => attempt(b, FRED.email, `guess number ${i}`);
const MINUTE = 60_000;

describe("per-account sign-in lock", () => {
  it("locks the account for everyone when the guesses come from many addresses", async () => {
    await nodeWithFred();
    for (let i = 0; i < 5; i++) {
      const wrong = await guess(t.browser({}, `198.51.100.${i + 1}`), i);
      expect(wrong.status).toBe(401);
    }
    // Fred himself, from yet another address, waits too; the page says for how long.
    const blocked = await attempt(t.browser({}, "192.0.2.50"), FRED.email, PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain("Too many failed attempts for this account");
    expect(blocked.text).toContain("Try again in 1 min");
    // Other accounts are not affected, even from an address that guessed.
    await t.browser({}, "198.51.100.1").login(SETUP.email);
  });

  it("with TRUST_PROXY=true, rotating X-Forwarded-For addresses still lock the account", async () => {
    await nodeWithFred({ trustProxy: true });
    for (let i = 0; i < 5; i++) {
      const viaProxy = t.browser({ "x-forwarded-for": `198.51.100.${i + 1}` }, "127.0.0.1");
      expect((await guess(viaProxy, i)).status).toBe(401);
    }
    const fred = t.browser({ "x-forwarded-for": "192.0.2.50" }, "127.0.0.1");
    expect((await attempt(fred, FRED.email, PASSWORD)).status).toBe(429);
    // The operator's log names the client address the proxy reported.
    const warning = t.warnings.find((w) => w.includes("sign-in to"));
    expect(warning).toContain('"fred@example.org"');
    expect(warning).toContain("198.51.100.5");
  });

  it("is bounded: 1 min, doubling with each further failure up to 15 min; it expires, and a success resets it", async () => {
    await nodeWithFred();
    const b = t.browser({}, "198.51.100.1");
    for (let i = 0; i < 5; i++) expect((await guess(b, i)).status).toBe(401);
    expect((await attempt(b, FRED.email, PASSWORD)).text).toContain("Try again in 1 min");
    // Each failure after the pause doubles the next pause: 2, 4, 8, then 15 (the cap).
    let pause = 1;
    for (const next of [2, 4, 8, 15, 15]) {
      t.advance(pause * MINUTE);
      expect((await guess(b, next)).status).toBe(401);
      const blocked = await attempt(b, FRED.email, PASSWORD);
      expect(blocked.status).toBe(429);
      expect(blocked.text).toContain(`Try again in ${next} min`);
      pause = next;
    }
    // Attempts during the pause are refused without being counted (they do not lengthen it).
    t.advance(14 * MINUTE);
    expect((await attempt(b, FRED.email, "still guessing")).status).toBe(429);
    expect((await attempt(b, FRED.email, PASSWORD)).text).toContain("Try again in 1 min");
    // When it ends, the real user gets in, and the count starts again from zero.
    t.advance(MINUTE);
    await b.login(FRED.email);
    const later = t.browser({}, "198.51.100.1");
    for (let i = 0; i < 4; i++) expect((await guess(later, i)).status).toBe(401);
    await later.login(FRED.email);
  });
});

describe("a browser where the account signed in before", () => {
  /** Fred signs in, then out, from his own browser: it keeps his device cookie. */
  async function fredsBrowser() {
    const fred = t.browser({}, "192.0.2.50");
    await fred.login(FRED.email);
    const home = await fred.get("/admin");
    expect((await fred.post("/admin/logout", { _csrf: csrfOf(home.text) })).status).toBe(303);
    expect(fred.cookies.has(DEVICE_COOKIE)).toBe(true);
    return fred;
  }
  async function lockFred() {
    for (let i = 0; i < 5; i++) await guess(t.browser({}, `198.51.100.${i + 1}`), i);
    expect((await attempt(t.browser(), FRED.email, PASSWORD)).status).toBe(429);
  }

  it("still signs in while someone else's guesses keep the account paused", async () => {
    await nodeWithFred();
    const fred = await fredsBrowser();
    await lockFred();
    await fred.login(FRED.email);
    // The account stays paused for everyone else.
    expect((await attempt(t.browser(), FRED.email, PASSWORD)).status).toBe(429);
  });

  it("counts its own wrong passwords on itself; a forged or another account's cookie is not known", async () => {
    await nodeWithFred();
    const fred = await fredsBrowser();
    const cookie = fred.cookies.get(DEVICE_COOKIE) ?? "";
    await lockFred();
    const forged = t.browser();
    // One character of the signature changed (mid-signature, so the decoded bytes differ).
    const at = cookie.length - 10;
    const flipped = cookie[at] === "A" ? "B" : "A";
    forged.cookies.set(DEVICE_COOKIE, `${cookie.slice(0, at)}${flipped}${cookie.slice(at + 1)}`);
    expect((await attempt(forged, FRED.email, PASSWORD)).status).toBe(429);
    const vera = t.browser();
    await addUser(t.node, VERA);
    await vera.login(VERA.email);
    await vera.post("/admin/logout", { _csrf: csrfOf((await vera.get("/admin")).text) });
    expect((await attempt(vera, FRED.email, PASSWORD)).status).toBe(429);
    // Wrong passwords from Fred's browser pause that browser only.
    for (let i = 0; i < 5; i++) expect((await guess(fred, i)).status).toBe(401);
    const paused = await attempt(fred, FRED.email, PASSWORD);
    expect(paused.status).toBe(429);
    expect(paused.text).toContain("Too many failed attempts from this browser");
  });
});

describe("TRUST_PROXY and the per-address throttle", () => {
  /** One password tried on many accounts (password spraying), each claiming a new address. */
  async function spray(forwardedFor: (i: number) => string, socket: string) {
    for (let i = 0; i < 20; i++) {
      const b = t.browser({ "x-forwarded-for": forwardedFor(i) }, socket);
      const wrong = await attempt(b, `user${i}@example.org`, "Summer2026!!!");
      expect(wrong.status).toBe(401);
    }
  }

  it("with TRUST_PROXY=false (the default), X-Forwarded-For is ignored", async () => {
    await nodeWithFred();
    await spray((i) => `198.51.100.${i + 1}`, "203.0.113.9");
    // The sprayer's real address now waits, whatever address it claims.
    const claimed = t.browser({ "x-forwarded-for": "192.0.2.200" }, "203.0.113.9");
    const blocked = await attempt(claimed, FRED.email, PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain("Too many failed sign-ins from your address");
    // Another real address is not slowed; the log names the real address only.
    await t.browser({}, "192.0.2.77").login(FRED.email);
    const log = t.warnings.join("\n");
    expect(log).toContain("203.0.113.9");
    expect(log).not.toContain("198.51.100.");
  });

  it("with TRUST_PROXY=true, the last X-Forwarded-For entry (the proxy's) is the client address", async () => {
    await nodeWithFred({ trustProxy: true });
    // The client forges the first entries; the proxy appends the address it saw.
    await spray((i) => `10.0.0.${i}, 198.51.100.7`, "127.0.0.1");
    const sprayer = t.browser({ "x-forwarded-for": "10.9.9.9, 198.51.100.7" }, "127.0.0.1");
    expect((await attempt(sprayer, FRED.email, PASSWORD)).status).toBe(429);
    // Someone else behind the same proxy is not slowed.
    await t.browser({ "x-forwarded-for": "198.51.100.8" }, "127.0.0.1").login(FRED.email);
  });
});

describe("addresses an attacker can rotate", () => {
  it("counts the addresses of one IPv6 /64 (one subscriber's network) as one address", async () => {
    await nodeWithFred();
    // One password tried on many accounts, each attempt from a new address of the same /64.
    for (let i = 0; i < 20; i++) {
      const b = t.browser({}, `2001:db8:1:2::${(i + 1).toString(16)}`);
      expect((await attempt(b, `user${i}@example.org`, "Summer2026!!!")).status).toBe(401);
    }
    const sameNetwork = t.browser({}, "2001:db8:1:2:ffff:ffff:ffff:9");
    const blocked = await attempt(sameNetwork, FRED.email, PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain("Too many failed sign-ins from your address");
    expect(t.warnings.join("\n")).toContain("2001:db8:1:2::/64");
    // Another /64 is not slowed.
    await t.browser({}, "2001:db8:1:3::1").login(FRED.email);
  });
});

describe("the throttle's memory", () => {
  const policy = {
    free: 4,
    firstPauseMs: MINUTE,
    maxPauseMs: 15 * MINUTE,
    forgetAfterMs: 60 * MINUTE,
  };

  it("a flood of new keys does not push out a paused account (which would end its lock)", () => {
    const clock = new Date("2026-03-01T10:00:00Z");
    const throttle = createBackoffThrottle(() => clock, policy);
    for (let i = 0; i < 5; i++) throttle.fail("login|fred@example.org");
    expect(throttle.waitMs("login|fred@example.org")).toBe(MINUTE);
    // Wrong passwords on 10 000 made-up accounts, once each (from addresses of a botnet).
    for (let i = 0; i < 10_000; i++) throttle.fail(`login|user${i}@example.org`);
    expect(throttle.waitMs("login|fred@example.org")).toBe(MINUTE);
  });

  it("keeps a lock's history through the flood, so the next failure pauses longer", () => {
    const clock = new Date("2026-03-01T10:00:00Z");
    const throttle = createBackoffThrottle(() => clock, policy);
    for (let i = 0; i < 5; i++) throttle.fail("login|fred@example.org");
    clock.setTime(clock.getTime() + 2 * MINUTE); // the 1-minute pause is over
    for (let i = 0; i < 10_000; i++) throttle.fail(`login|user${i}@example.org`);
    expect(throttle.fail("login|fred@example.org")).toBe(2 * MINUTE);
  });
});
