import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { KvKey, KvStoreListEntry } from "@fedify/fedify";
import { openStorage, type Storage } from "@spiral-network/node/db/open";
import { SqliteKvStore } from "@spiral-network/node/federation/sqlite-kv-store";
import { Temporal } from "temporal-polyfill";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait";

/** A hand-driven clock, so TTL tests need no sleeping. */
function fakeClock(start = 1_700_000_000_000) {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}

async function collect(iterable: AsyncIterable<KvStoreListEntry>): Promise<KvStoreListEntry[]> {
  const entries: KvStoreListEntry[] = [];
  for await (const entry of iterable) entries.push(entry);
  return entries;
}

const keysOf = (entries: KvStoreListEntry[]) => entries.map((e) => e.key);

/** The listed keys, as a set: list order is not part of the contract. */
const keySet = (entries: KvStoreListEntry[]) => entries.map((e) => JSON.stringify(e.key)).sort();
const asKeySet = (keys: KvKey[]) => keys.map((k) => JSON.stringify(k)).sort();

describe("SqliteKvStore", () => {
  let storage: Storage;
  let clock: ReturnType<typeof fakeClock>;
  let kv: SqliteKvStore;

  beforeEach(() => {
    storage = openStorage(":memory:");
    clock = fakeClock();
    kv = new SqliteKvStore(storage.sqlite, { now: clock.now });
  });
  afterEach(() => storage.close());

  describe("get / set / delete", () => {
    it("finds nothing once the node has closed its database (a request still running then)", async () => {
      // Fedify starts a key look-up and awaits it only after other work (its proof check): a
      // rejection meanwhile is unhandled, and Node ends the process on an unhandled rejection.
      await kv.set(["t", "value"], 1);
      storage.close();
      await expect(kv.get(["t", "value"])).resolves.toBeUndefined();
      storage = openStorage(":memory:");
    });

    it("takes writes, swaps and listings after the database closed without rejecting", async () => {
      // Fedify caches a fetched key without awaiting the write (KvKeyCache.set in its key
      // fetch): a write that rejects after shutdown is an unhandled rejection too.
      await kv.set(["_fedify", "publicKey", "https://a.example/k"], { id: "k" });
      storage.close();
      await expect(kv.set(["_fedify", "publicKey", "https://a.example/k"], null)).resolves.toBe(
        undefined,
      );
      await expect(kv.set(["t", "value"], 2)).resolves.toBeUndefined();
      await expect(kv.set(["t", "value"], undefined)).resolves.toBeUndefined();
      await expect(kv.delete(["t", "value"])).resolves.toBeUndefined();
      await expect(kv.cas(["t", "value"], undefined, 3)).resolves.toBe(false);
      const listed: unknown[] = [];
      for await (const entry of kv.list(["t"])) listed.push(entry);
      expect(listed).toEqual([]);
      expect(kv.purgeExpired()).toBe(0);
      storage = openStorage(":memory:");
    });

    it.each([
      ["null", null],
      ["empty string", ""],
      ["false", false],
      ["true", true],
      ["zero", 0],
      ["negative float", -1.5],
      ["string", "héllo ✓"],
      ["empty array", []],
      ["array", [1, "two", null, [3]]],
      ["empty object", {}],
      ["object", { a: 1, b: { c: [true, null] }, "d e": "f" }],
    ])("round-trips %s", async (_label, value) => {
      await kv.set(["t", "value"], value);
      expect(await kv.get(["t", "value"])).toStrictEqual(value);
    });

    it("returns undefined for a missing key, and null is not absent", async () => {
      expect(await kv.get(["missing"])).toBeUndefined();
      await kv.set(["present"], null);
      expect(await kv.get(["present"])).toBeNull();
    });

    it("overwrites on set (upsert) and deletes", async () => {
      await kv.set(["k"], 1);
      await kv.set(["k"], { v: 2 });
      expect(await kv.get(["k"])).toEqual({ v: 2 });
      await kv.delete(["k"]);
      expect(await kv.get(["k"])).toBeUndefined();
      await kv.delete(["k"]); // deleting an absent key is fine
    });

    it("treats set(key, undefined) as a delete", async () => {
      await kv.set(["k"], "x");
      await kv.set(["k"], undefined);
      expect(await kv.get(["k"])).toBeUndefined();
      expect(await collect(kv.list(["k"]))).toEqual([]);
    });

    it("distinguishes keys by their elements, not their concatenation", async () => {
      await kv.set(["a", "b"], 1);
      await kv.set(["ab"], 2);
      await kv.set(["a,b"], 3);
      expect(await kv.get(["a", "b"])).toBe(1);
      expect(await kv.get(["ab"])).toBe(2);
      expect(await kv.get(["a,b"])).toBe(3);
    });
  });

  describe("ttl", () => {
    it("hides an entry once its ttl has passed, from get, list and cas", async () => {
      await kv.set(["ttl", "x"], "soon gone", { ttl: Temporal.Duration.from({ seconds: 10 }) });
      await kv.set(["ttl", "y"], "stays");
      clock.advance(9_999);
      expect(await kv.get(["ttl", "x"])).toBe("soon gone");
      clock.advance(1);
      expect(await kv.get(["ttl", "x"])).toBeUndefined();
      expect(keysOf(await collect(kv.list(["ttl"])))).toEqual([["ttl", "y"]]);
      // An expired entry counts as absent for cas.
      expect(await kv.cas(["ttl", "x"], "soon gone", "new")).toBe(false);
      expect(await kv.cas(["ttl", "x"], undefined, "new")).toBe(true);
      expect(await kv.get(["ttl", "x"])).toBe("new");
    });

    it("accepts durations in any unit (days)", async () => {
      await kv.set(["d"], 1, { ttl: Temporal.Duration.from({ days: 1 }) });
      clock.advance(86_400_000 - 1);
      expect(await kv.get(["d"])).toBe(1);
      clock.advance(1);
      expect(await kv.get(["d"])).toBeUndefined();
    });

    it("set without ttl removes a previous ttl", async () => {
      await kv.set(["k"], 1, { ttl: Temporal.Duration.from({ seconds: 1 }) });
      await kv.set(["k"], 2);
      clock.advance(10_000);
      expect(await kv.get(["k"])).toBe(2);
    });

    it("purges expired rows on demand and opportunistically on writes", async () => {
      const count = () =>
        (storage.sqlite.prepare("SELECT count(*) AS n FROM fedify_kv").get() as { n: number }).n;
      const store = new SqliteKvStore(storage.sqlite, { now: clock.now, purgeIntervalMs: 60_000 });
      await store.set(["a"], 1, { ttl: Temporal.Duration.from({ seconds: 1 }) });
      await store.set(["b"], 1, { ttl: Temporal.Duration.from({ seconds: 1 }) });
      clock.advance(2_000);
      expect(count()).toBe(2); // invisible but still stored
      expect(store.purgeExpired()).toBe(2);
      expect(count()).toBe(0);

      await store.set(["c"], 1, { ttl: Temporal.Duration.from({ seconds: 1 }) });
      clock.advance(60_000);
      await store.set(["d"], 1); // a write after the purge interval purges
      expect(count()).toBe(1);
    });

    it("works with real time", async () => {
      const real = new SqliteKvStore(storage.sqlite);
      const set = Date.now();
      await real.set(["real"], "v", { ttl: Temporal.Duration.from({ milliseconds: 50 }) });
      expect(await real.get(["real"])).toBe("v");
      await waitFor(async () => (await real.get(["real"])) === undefined, "the entry to expire");
      expect(Date.now() - set).toBeGreaterThanOrEqual(50);
    });
  });

  describe("cas", () => {
    it("swaps from absent when expecting undefined, and not otherwise", async () => {
      expect(await kv.cas(["c"], null, 1)).toBe(false); // null is not absent
      expect(await kv.get(["c"])).toBeUndefined();
      expect(await kv.cas(["c"], undefined, 1)).toBe(true);
      expect(await kv.get(["c"])).toBe(1);
      expect(await kv.cas(["c"], undefined, 2)).toBe(false);
      expect(await kv.get(["c"])).toBe(1);
    });

    it("fails on a mismatch and leaves the value", async () => {
      await kv.set(["c"], "a");
      expect(await kv.cas(["c"], "b", "z")).toBe(false);
      expect(await kv.cas(["c"], 0, "z")).toBe(false);
      expect(await kv.get(["c"])).toBe("a");
    });

    it("compares objects by deep equality, not identity or key order", async () => {
      await kv.set(["c"], { state: "open", n: [1, 2], nested: { x: null } });
      expect(await kv.cas(["c"], { state: "open", n: [1, 2], nested: { x: 1 } }, "no")).toBe(false);
      expect(await kv.cas(["c"], { state: "open", n: [2, 1], nested: { x: null } }, "no")).toBe(
        false,
      );
      expect(await kv.cas(["c"], { nested: { x: null }, n: [1, 2], state: "open" }, "yes")).toBe(
        true,
      );
      expect(await kv.get(["c"])).toBe("yes");
    });

    it("compares with the expected value as it would be stored (JSON form)", async () => {
      await kv.set(["c"], { a: 1, b: undefined }); // stored as {"a":1}
      expect(await kv.get(["c"])).toStrictEqual({ a: 1 });
      expect(await kv.cas(["c"], { a: 1, b: undefined }, "swapped")).toBe(true);
      expect(await kv.get(["c"])).toBe("swapped");
    });

    it("compares numbers and strings strictly", async () => {
      await kv.set(["c"], 1);
      expect(await kv.cas(["c"], "1", 2)).toBe(false);
      expect(await kv.cas(["c"], true, 2)).toBe(false);
      expect(await kv.cas(["c"], 1, 2)).toBe(true);
    });

    it("deletes when the new value is undefined (Fedify's nonce consumption)", async () => {
      await kv.set(["nonce", "abc"], true, { ttl: Temporal.Duration.from({ hours: 1 }) });
      expect(await kv.cas(["nonce", "abc"], true, undefined)).toBe(true);
      expect(await kv.get(["nonce", "abc"])).toBeUndefined();
      expect(await collect(kv.list(["nonce"]))).toEqual([]);
      // A replayed nonce is gone: the second consumption fails.
      expect(await kv.cas(["nonce", "abc"], true, undefined)).toBe(false);
    });

    it("stores the new value with the given ttl", async () => {
      expect(
        await kv.cas(["c"], undefined, "v", { ttl: Temporal.Duration.from({ seconds: 5 }) }),
      ).toBe(true);
      clock.advance(5_000);
      expect(await kv.get(["c"])).toBeUndefined();
    });
  });

  describe("list", () => {
    beforeEach(async () => {
      const keys: KvKey[] = [
        ["a"],
        ["a", "b"],
        ["a", "b", "c"],
        ["a", "b", "d", "e"],
        ["a", "bc"],
        ["a", "b-"],
        ["a", "b\u00e9"],
        ["a", 'b"'],
        ["ab"],
        ["b"],
      ];
      for (const key of keys) await kv.set(key, key.join("/"));
    });

    it("returns the key equal to the prefix and its descendants only", async () => {
      expect(keySet(await collect(kv.list(["a", "b"])))).toEqual(
        asKeySet([
          ["a", "b"],
          ["a", "b", "c"],
          ["a", "b", "d", "e"],
        ]),
      );
    });

    it("does not match siblings sharing a string prefix", async () => {
      const under = keysOf(await collect(kv.list(["a", "b"])));
      for (const sibling of [
        ["a", "bc"],
        ["a", "b-"],
        ["a", "b\u00e9"],
        ["a", 'b"'],
      ]) {
        expect(under).not.toContainEqual(sibling);
      }
      expect(keysOf(await collect(kv.list(["a"])))).not.toContainEqual(["ab"]);
    });

    it("lists a one-element prefix with all its descendants, and values", async () => {
      const entries = await collect(kv.list(["a"]));
      expect(entries).toHaveLength(8);
      expect(entries).toContainEqual({ key: ["a", "b", "c"], value: "a/b/c" });
    });

    it("lists everything without a prefix, and nothing for an unknown prefix", async () => {
      expect(await collect(kv.list())).toHaveLength(10);
      expect(await collect(kv.list(["zzz"]))).toEqual([]);
      expect(await collect(kv.list(["a", "b", "c", "d"]))).toEqual([]);
    });

    it("handles URLs and LIKE wildcards literally", async () => {
      const base = ["_fedify", "remoteDocument"] as const;
      await kv.set([...base, "https://x.example/a%20b?q=1&r=_"], 1);
      await kv.set([...base, "https://x.example/a_b"], 2);
      await kv.set(["_fedify", "remoteDocumentX", "https://x.example/"], 3);
      await kv.set(["%"], 4);
      await kv.set(["_"], 5);
      await kv.set(["%", "x"], 6);
      const documents = await collect(kv.list(base));
      expect(documents).toHaveLength(2);
      expect(documents).toContainEqual({
        key: [...base, "https://x.example/a%20b?q=1&r=_"],
        value: 1,
      });
      expect(documents).toContainEqual({ key: [...base, "https://x.example/a_b"], value: 2 });
      expect(keySet(await collect(kv.list(["%"])))).toEqual(asKeySet([["%"], ["%", "x"]]));
      expect(keysOf(await collect(kv.list(["_"])))).toEqual([["_"]]);
      expect(keysOf(await collect(kv.list([...base, "https://x.example/a_b"])))).toEqual([
        [...base, "https://x.example/a_b"],
      ]);
    });

    it("allows writes to the store while iterating", async () => {
      for await (const entry of kv.list(["a", "b"])) {
        await kv.set([...entry.key, "seen"] as unknown as KvKey, true);
      }
      expect(await kv.get(["a", "b", "c", "seen"])).toBe(true);
    });

    it("compares keys case-sensitively", async () => {
      await kv.set(["A", "b"], "upper");
      expect(keysOf(await collect(kv.list(["A"])))).toEqual([["A", "b"]]);
    });
  });

  describe("sticky public keys", () => {
    const keyId = "https://origin.example/actors/t#multikey-2";
    const key: KvKey = ["_fedify", "publicKey", keyId];
    const jsonKey = { id: keyId, type: "Multikey", publicKeyMultibase: "z6Mk..." };
    const tenMinutes = Temporal.Duration.from({ minutes: 10 });

    it("never overwrites a cached key with null (origin offline)", async () => {
      await kv.set(key, jsonKey);
      await kv.set(key, null, { ttl: tenMinutes });
      expect(await kv.get(key)).toEqual(jsonKey);
      clock.advance(3_600_000);
      expect(await kv.get(key)).toEqual(jsonKey);
    });

    it("stores real keys without ttl", async () => {
      await kv.set(key, jsonKey, { ttl: tenMinutes });
      clock.advance(365 * 86_400_000);
      expect(await kv.get(key)).toEqual(jsonKey);
    });

    it("still caches null (with its ttl) when no key is known, and a real key replaces it", async () => {
      await kv.set(key, null, { ttl: tenMinutes });
      expect(await kv.get(key)).toBeNull();
      await kv.set(key, jsonKey);
      expect(await kv.get(key)).toEqual(jsonKey);
      await kv.delete(key);
      await kv.set(key, null, { ttl: tenMinutes });
      clock.advance(600_000);
      expect(await kv.get(key)).toBeUndefined();
    });

    it("lets a newer real key replace the old one, and delete remove it", async () => {
      await kv.set(key, jsonKey);
      const rotated = { ...jsonKey, publicKeyMultibase: "z6MkNEW" };
      await kv.set(key, rotated);
      expect(await kv.get(key)).toEqual(rotated);
      await kv.delete(key);
      expect(await kv.get(key)).toBeUndefined();
    });

    it("applies to cas too", async () => {
      await kv.set(key, jsonKey);
      expect(await kv.cas(key, jsonKey, null)).toBe(false);
      expect(await kv.get(key)).toEqual(jsonKey);
    });

    it("leaves other keys under the publicKey prefix alone", async () => {
      const fetchError: KvKey = ["_fedify", "publicKey", "__fetchError", keyId];
      await kv.set(fetchError, { errorName: "E", errorMessage: "m" }, { ttl: tenMinutes });
      await kv.set(fetchError, null);
      expect(await kv.get(fetchError)).toBeNull();
      const other: KvKey = ["_fedify", "remoteDocument", keyId];
      await kv.set(other, { a: 1 });
      await kv.set(other, null);
      expect(await kv.get(other)).toBeNull();
    });
  });
});

describe("SqliteKvStore on a database file", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "spiral-kv-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps entries (and their expiry) across closing and reopening", async () => {
    const file = path.join(dir, "node.db");
    let now = 1_700_000_000_000;
    const clock = () => now;
    const first = openStorage(file);
    const kv1 = new SqliteKvStore(first.sqlite, { now: clock });
    await kv1.set(["p", "forever"], { x: [1, null] });
    await kv1.set(["p", "null"], null);
    await kv1.set(["p", "short"], "s", { ttl: Temporal.Duration.from({ minutes: 5 }) });
    first.close();

    const second = openStorage(file);
    try {
      const kv2 = new SqliteKvStore(second.sqlite, { now: clock });
      expect(await kv2.get(["p", "forever"])).toEqual({ x: [1, null] });
      expect(await kv2.get(["p", "null"])).toBeNull();
      expect(await kv2.get(["p", "short"])).toBe("s");
      now += 5 * 60_000;
      expect(await kv2.get(["p", "short"])).toBeUndefined();
      expect(keySet(await collect(kv2.list(["p"])))).toEqual(
        asKeySet([
          ["p", "forever"],
          ["p", "null"],
        ]),
      );
    } finally {
      second.close();
    }
  });
});
