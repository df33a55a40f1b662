import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../node/src/config";

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
