import path from "node:path";
import { ConfigError, loadConfig } from "@spiral-network/node/config";
import { describe, expect, it } from "vitest";

describe("loadConfig", () => {
  it("has the documented defaults", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      dataDir: path.resolve("./data"),
      publicUrl: "http://localhost:8080",
      allowPrivateAddresses: false,
      trustProxy: false,
      demoData: true,
      disclosure: { k: 5, marginMinimum: 10 },
    });
  });

  it("derives PUBLIC_URL from PORT and strips a trailing slash from an explicit one", () => {
    expect(loadConfig({ PORT: "9001" }).publicUrl).toBe("http://localhost:9001");
    expect(loadConfig({ PUBLIC_URL: "https://spiral.example.org/" }).publicUrl).toBe(
      "https://spiral.example.org",
    );
  });

  it("believes X-Forwarded-For only when TRUST_PROXY says so", () => {
    expect(loadConfig({ TRUST_PROXY: "true" }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: "0" }).trustProxy).toBe(false);
    expect(() => loadConfig({ TRUST_PROXY: "sometimes" })).toThrow(
      /TRUST_PROXY: expected "true" or "false"/,
    );
  });

  it("bounds outbound requests by default (10 s, 1 MiB; pulls 120 s × 4; deliveries 30 s)", () => {
    expect(loadConfig({}).outbound).toEqual({
      timeoutMs: 10_000,
      maxBytes: 1_048_576,
      pullTimeoutMs: 120_000,
      pullConcurrency: 4,
      deliveryTimeoutMs: 30_000,
    });
    expect(
      loadConfig({
        OUTBOUND_TIMEOUT_SECONDS: "2.5",
        OUTBOUND_MAX_BYTES: "65536",
        PULL_TIMEOUT_SECONDS: "30",
        PULL_CONCURRENCY: "2",
        DELIVERY_TIMEOUT_SECONDS: "5",
      }).outbound,
    ).toEqual({
      timeoutMs: 2_500,
      maxBytes: 65_536,
      pullTimeoutMs: 30_000,
      pullConcurrency: 2,
      deliveryTimeoutMs: 5_000,
    });
    const attempt = () => loadConfig({ OUTBOUND_TIMEOUT_SECONDS: "0", PULL_CONCURRENCY: "lots" });
    expect(attempt).toThrow(/OUTBOUND_TIMEOUT_SECONDS/);
    expect(attempt).toThrow(/PULL_CONCURRENCY/);
  });

  it("treats empty variables as unset", () => {
    expect(loadConfig({ PORT: "", PUBLIC_URL: "" }).port).toBe(8080);
  });

  it("names every bad variable in one message", () => {
    const attempt = () =>
      loadConfig({ PORT: "eighty", PUBLIC_URL: "ftp://x", ALLOW_PRIVATE_ADDRESSES: "maybe" });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/PORT/);
    expect(attempt).toThrow(/PUBLIC_URL/);
    expect(attempt).toThrow(/ALLOW_PRIVATE_ADDRESSES: expected "true" or "false"/);
  });

  it("lets disclosure thresholds be raised but never lowered", () => {
    expect(loadConfig({ DISCLOSURE_K: "8" }).disclosure.k).toBe(8);
    expect(() => loadConfig({ DISCLOSURE_K: "3" })).toThrow(/DISCLOSURE_K: k can only be raised/);
    expect(() => loadConfig({ DISCLOSURE_MARGIN_MINIMUM: "5" })).toThrow(
      /DISCLOSURE_MARGIN_MINIMUM/,
    );
  });

  it("refuses a short ADMIN_TOKEN", () => {
    expect(() => loadConfig({ ADMIN_TOKEN: "secret" })).toThrow(/ADMIN_TOKEN must be at least 24/);
  });
});
