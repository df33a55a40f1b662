import { CircuitBreaker, MemoryKvStore } from "@fedify/fedify";
import {
  CIRCUIT_BREAKER,
  DELIVERY_RETRY,
  deliveryRetryPolicy,
  INBOX_RETRY_GIVE_UP_MS,
  inboxRetryPolicy,
} from "@spiral-network/node/federation/federation";
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";

// The delivery retry schedule and circuit breaker the node gives Fedify (docs/running-a-node.md, "Operations"),
// driven by an injected clock: a host held by the breaker is probed again within a minute
// (Fedify's default: 30 minutes), and retries never wait more than 5 minutes.

const HOST = "porto.example";
const breakerAt = (clock: { now: number }, options = CIRCUIT_BREAKER) =>
  new CircuitBreaker({
    kv: new MemoryKvStore(),
    prefix: ["_fedify", "circuit"],
    options,
    now: () => Temporal.Instant.fromEpochMilliseconds(clock.now),
  });

describe("delivery schedule", () => {
  it("after five failures the host is held, and probed again within a minute", async () => {
    const clock = { now: Date.parse("2026-12-01T10:00:00Z") };
    const breaker = breakerAt(clock);
    for (let i = 0; i < 5; i++) {
      await breaker.recordFailure(HOST);
      clock.now += 1_000;
    }
    const held = await breaker.beforeSend(HOST, {});
    expect(held.type).toBe("hold");
    if (held.type !== "hold") return;
    expect(held.delay.total("millisecond")).toBeLessThanOrEqual(60_000);
    clock.now += 60_000;
    expect(await breaker.beforeSend(HOST, {})).toMatchObject({ type: "send", probe: true });
    // The probe succeeds: the circuit closes, everything held goes out.
    await breaker.recordSuccess(HOST);
    expect(await breaker.getState(HOST)).toBeUndefined();
  });

  it("Fedify's default would hold the same host for 30 minutes", async () => {
    const clock = { now: Date.parse("2026-12-01T10:00:00Z") };
    const breaker = breakerAt(clock, {} as typeof CIRCUIT_BREAKER);
    for (let i = 0; i < 5; i++) await breaker.recordFailure(HOST);
    const held = await breaker.beforeSend(HOST, {});
    expect(held.type === "hold" && held.delay.total("minute")).toBe(30);
  });

  it("retries start after about 2 s, double, stay within 5 minutes, and stop after 7 days", () => {
    const delay = (attempts: number, elapsedMs = 0) =>
      deliveryRetryPolicy({
        attempts,
        elapsedTime: Temporal.Duration.from({ milliseconds: elapsedMs }),
      } as never)?.total("millisecond");
    expect(delay(0)).toBeGreaterThanOrEqual(1_500);
    expect(delay(0)).toBeLessThanOrEqual(2_500);
    expect(delay(3)).toBeGreaterThanOrEqual(12_000);
    for (const attempts of [10, 50, 1000]) {
      expect(delay(attempts)).toBeLessThanOrEqual(DELIVERY_RETRY.maxDelayMs * 1.25);
    }
    expect(delay(5, DELIVERY_RETRY.giveUpAfterMs - 1)).toBeGreaterThan(0);
    expect(delay(5, DELIVERY_RETRY.giveUpAfterMs + 1)).toBeUndefined();
  });

  it("a received activity whose handling failed (a full disk) is handled again for a day", () => {
    const delay = (elapsedMs: number) =>
      inboxRetryPolicy({
        attempts: 12,
        elapsedTime: Temporal.Duration.from({ milliseconds: elapsedMs }),
      } as never)?.total("millisecond");
    // Past Fedify's default (10 attempts, about 17 minutes), still retried, 5 minutes apart.
    expect(delay(60 * 60_000)).toBeLessThanOrEqual(DELIVERY_RETRY.maxDelayMs * 1.25);
    expect(delay(INBOX_RETRY_GIVE_UP_MS + 1)).toBeUndefined();
  });
});
