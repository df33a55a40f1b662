import { type DocumentLoader, generateCryptoKeyPair, MemoryKvStore } from "@fedify/fedify";
import { CryptographicKey } from "@fedify/vocab";
import {
  createKeyBinding,
  KEY_LIST_FRESHNESS_MS,
  type KeyBinding,
} from "@spiral-network/node/federation/key-binding";
import { createKeyCache } from "@spiral-network/node/federation/key-cache";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { actorJsonLd, documentsLoader, preloadedContextLoader } from "../support/fake-actors";

// The node's key cache (key-cache.ts) as a hostile peer would probe it: keys are parsed once per
// stored JSON text (a bounded memo), a parse that fails is not kept, a slot rewritten is read
// anew, and every read passes the key binding (key-binding.ts, docs/protocol.md §5).

const ORIGIN = "https://town.example";
const ACTOR = `${ORIGIN}/actors/town`;
const OTHER = "https://elsewhere.example";
const UNBOUND = /^urn:spiral:unbound-key:/;
const slot = (keyId: string) => ["_fedify", "publicKey", keyId] as const;

describe("the key cache", () => {
  let rsa: CryptoKeyPair;
  let rsa2: CryptoKeyPair;
  beforeAll(async () => {
    rsa = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    rsa2 = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const keyJson = (id: string, owner: string, publicKey = rsa.publicKey) =>
    new CryptographicKey({ id: new URL(id), owner: new URL(owner), publicKey }).toJsonLd({
      contextLoader: preloadedContextLoader,
    }) as Promise<Record<string, unknown>>;
  const spki = async (key: CryptographicKey) =>
    Buffer.from(await crypto.subtle.exportKey("spki", key.publicKey as CryptoKey)).toString("hex");

  it("a parse that fails is not kept: the same stored key read again parses", async () => {
    const kv = new MemoryKvStore();
    const cache = createKeyCache(kv);
    await kv.set(slot(`${ACTOR}#main-key`), await keyJson(`${ACTOR}#main-key`, ACTOR));
    // The first parse fails (a context that could not be loaded, say); Multikey refuses it too.
    vi.spyOn(CryptographicKey, "fromJsonLd").mockRejectedValueOnce(new Error("context not loaded"));
    await expect(cache.get(new URL(`${ACTOR}#main-key`))).rejects.toThrow();
    const key = (await cache.get(new URL(`${ACTOR}#main-key`))) as CryptographicKey;
    expect(key.id?.href).toBe(`${ACTOR}#main-key`);
    expect(key.ownerId?.href).toBe(ACTOR);
  });

  it("a slot holding something that is not a key, then a key, answers the key", async () => {
    const kv = new MemoryKvStore();
    const cache = createKeyCache(kv);
    const id = new URL(`${ACTOR}#main-key`);
    await kv.set(slot(id.href), { "@context": "https://w3id.org/security/v1", type: "Person" });
    await expect(cache.get(id)).rejects.toThrow();
    await kv.set(slot(id.href), await keyJson(id.href, ACTOR));
    expect(((await cache.get(id)) as CryptographicKey).ownerId?.href).toBe(ACTOR);
  });

  it("two texts for one key id: each read answers what the slot holds now", async () => {
    const kv = new MemoryKvStore();
    const cache = createKeyCache(kv);
    const id = new URL(`${ACTOR}#main-key`);
    await kv.set(slot(id.href), await keyJson(id.href, ACTOR, rsa.publicKey));
    const first = (await cache.get(id)) as CryptographicKey;
    await kv.set(slot(id.href), await keyJson(id.href, ACTOR, rsa2.publicKey));
    const second = (await cache.get(id)) as CryptographicKey;
    expect(await spki(second)).not.toBe(await spki(first));
    expect(await spki(second)).toBe(
      Buffer.from(await crypto.subtle.exportKey("spki", rsa2.publicKey)).toString("hex"),
    );
    // And back: the first text is answered with the first key, not the last one parsed.
    await kv.set(slot(id.href), await keyJson(id.href, ACTOR, rsa.publicKey));
    expect(await spki((await cache.get(id)) as CryptographicKey)).toBe(await spki(first));
  });

  it("1001 keys of as many actors: each answered under its own id, the oldest parse forgotten", async () => {
    const kv = new MemoryKvStore();
    const cache = createKeyCache(kv);
    // Same key material everywhere: only the id and owner tell the keys apart.
    const template = await keyJson(
      "https://peer-0.example/actor#key",
      "https://peer-0.example/actor",
    );
    const text = JSON.stringify(template);
    const ids = Array.from({ length: 1001 }, (_, i) => `https://peer-${i}.example/actor#key`);
    for (const [i, id] of ids.entries()) {
      await kv.set(slot(id), JSON.parse(text.replaceAll("peer-0.example", `peer-${i}.example`)));
    }
    const firstRead = (await cache.get(new URL(ids[0] as string))) as CryptographicKey;
    expect(await cache.get(new URL(ids[0] as string))).toBe(firstRead); // parsed once, kept
    for (const [i, id] of ids.entries()) {
      const key = (await cache.get(new URL(id))) as CryptographicKey;
      expect(key.id?.href).toBe(id);
      expect(key.ownerId?.href).toBe(`https://peer-${i}.example/actor`);
    }
    const last = ids[1000] as string;
    expect(await cache.get(new URL(last))).toBe(await cache.get(new URL(last)));
    // 1001 texts read, 1000 kept: the first one is parsed again, to the same key.
    const again = (await cache.get(new URL(ids[0] as string))) as CryptographicKey;
    expect(again).not.toBe(firstRead);
    expect(again.id?.href).toBe(ids[0]);
  }, 60_000);

  describe("read through the key binding", () => {
    let clock: number;
    let documents: Map<string, unknown>;
    let binding: KeyBinding;
    /** Contexts the node cannot load right now (its origin down, or answering it alone 5xx). */
    let unavailable: Set<string>;
    const nodeContextLoader: DocumentLoader = async (url, o) => {
      if (unavailable.has(url)) throw new Error(`context unavailable: ${url}`);
      return preloadedContextLoader(url, o);
    };
    const loader = documentsLoader(() => documents);
    async function serveActor(keyIds: string[]) {
      documents.set(ACTOR, await actorJsonLd(ACTOR, { publicKey: rsa.publicKey, ids: keyIds }));
    }
    beforeEach(async () => {
      clock = Date.parse("2026-06-01T00:00:00Z");
      documents = new Map();
      unavailable = new Set();
      binding = createKeyBinding({ kv: new MemoryKvStore(), now: () => clock });
      binding.attach({
        documentLoaderFactory: () => loader,
        contextLoaderFactory: () => nodeContextLoader,
        authenticatedDocumentLoaderFactory: () => loader,
      } as never);
      await serveActor([`${ACTOR}#main-key`]);
    });

    it("a key whose owner names an actor that does not list it never counts for that actor", async () => {
      const inner = new MemoryKvStore();
      const cache = createKeyCache(binding.wrapKv(inner));
      const listed = `${ACTOR}#main-key`;
      const elsewhere = `${OTHER}/keys/k`;
      const unlisted = `${ORIGIN}/keys/unlisted`;
      for (const id of [listed, elsewhere, unlisted])
        await inner.set(slot(id), await keyJson(id, ACTOR));
      const owner = async (id: string) =>
        ((await cache.get(new URL(id))) as CryptographicKey).ownerId?.href;
      expect(await owner(listed)).toBe(ACTOR);
      expect(await owner(elsewhere)).toMatch(UNBOUND);
      expect(await owner(unlisted)).toMatch(UNBOUND);
      // Read again (memoised texts by now): still refused.
      expect(await owner(elsewhere)).toMatch(UNBOUND);
      expect(await owner(unlisted)).toMatch(UNBOUND);
    });

    it("a key parsed and kept while listed stops counting once the actor drops it", async () => {
      const inner = new MemoryKvStore();
      const cache = createKeyCache(binding.wrapKv(inner));
      const id = `${ACTOR}#main-key`;
      await inner.set(slot(id), await keyJson(id, ACTOR));
      const owner = async () => ((await cache.get(new URL(id))) as CryptographicKey).ownerId?.href;
      expect(await owner()).toBe(ACTOR);
      expect(await owner()).toBe(ACTOR);
      await serveActor([`${ACTOR}#key-2`]);
      clock += KEY_LIST_FRESHNESS_MS;
      expect(await owner()).toMatch(UNBOUND);
      await serveActor([id]);
      clock += KEY_LIST_FRESHNESS_MS;
      expect(await owner()).toBe(ACTOR);
    });

    it("a cached key the binding could not read (a context not loaded) does not count for its claimed owner", async () => {
      // The key cache parses with Fedify's own loaders, which have this context built in: the
      // key would be read there with its claimed owner although the binding never checked it.
      const context = "https://gotosocial.org/ns";
      unavailable.add(context);
      const inner = new MemoryKvStore();
      const cache = createKeyCache(binding.wrapKv(inner));
      const id = `${ORIGIN}/keys/unlisted`;
      const json = await keyJson(id, ACTOR);
      await inner.set(slot(id), { ...json, "@context": [json["@context"], context].flat() });
      const key = (await cache.get(new URL(id)).catch(() => undefined)) as
        | CryptographicKey
        | null
        | undefined;
      expect(key?.ownerId?.href).not.toBe(ACTOR);
    });
  });
});
