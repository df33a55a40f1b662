import { generateCryptoKeyPair, MemoryKvStore } from "@fedify/fedify";
import { CryptographicKey } from "@fedify/vocab";
import {
  createKeyBinding,
  KEY_LIST_FRESHNESS_MS,
  KEY_RECHECK_MS,
  type KeyBinding,
} from "@spiral-network/node/federation/key-binding";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { actorJsonLd, documentsLoader, preloadedContextLoader } from "../support/fake-actors";

// The key binding on its own, over a fake network: which keys count for which actor, how long a
// key list is trusted, and what happens when the origin is silent or says the actor is gone.

const ORIGIN = "https://town.example";
const ACTOR = `${ORIGIN}/actors/town`;
const OTHER = "https://elsewhere.example";
const UNBOUND = "urn:spiral:unbound-key:";

describe("key binding rules", () => {
  let rsa: CryptoKeyPair;
  let ed: CryptoKeyPair;
  beforeAll(async () => {
    rsa = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    ed = await generateCryptoKeyPair("Ed25519");
  });

  let clock: number;
  let documents: Map<string, unknown>;
  /** What the fake network answers instead of a document: "offline" or an HTTP status. */
  let failure: "offline" | number | null;
  let fetches: string[];
  let binding: KeyBinding;

  const loader = documentsLoader(() => documents, {
    failure: () => failure,
    fetched: (url) => fetches.push(url),
  });

  /** Serves the actor listing the given RSA key ids (the RSA key material for each). */
  async function serveActor(keyIds: string[], multikeyIds: string[] = []) {
    documents.set(
      ACTOR,
      await actorJsonLd(
        ACTOR,
        { publicKey: rsa.publicKey, ids: keyIds },
        { publicKey: ed.publicKey, ids: multikeyIds },
      ),
    );
  }

  beforeEach(async () => {
    clock = Date.parse("2026-06-01T00:00:00Z");
    documents = new Map();
    failure = null;
    fetches = [];
    binding = createKeyBinding({ kv: new MemoryKvStore(), now: () => clock });
    binding.attach({
      documentLoaderFactory: () => loader,
      contextLoaderFactory: () => preloadedContextLoader,
      authenticatedDocumentLoaderFactory: () => loader,
    } as never);
    await serveActor([`${ACTOR}#main-key`], [`${ACTOR}#ed`]);
  });

  const binds = (keyId: string, actor = ACTOR) => binding.binds(new URL(keyId), new URL(actor));

  it("a key counts when it is on the actor's origin and the actor lists it", async () => {
    expect(await binds(`${ACTOR}#main-key`)).toBe(true);
    expect(await binds(`${ACTOR}#ed`)).toBe(true);
    expect(await binds(`${ACTOR}#other`)).toBe(false);
    expect(await binds(`${ORIGIN}/keys/unlisted`)).toBe(false);
  });

  it("a key on another origin never counts, even listed by the actor", async () => {
    await serveActor([`${ACTOR}#main-key`, `${OTHER}/keys/k`]);
    expect(await binds(`${OTHER}/keys/k`)).toBe(false);
    expect(fetches).toEqual([]); // refused before anything is fetched
    // Nor on another port or scheme of the same host.
    expect(await binds("https://town.example:8443/actors/town#main-key")).toBe(false);
    expect(await binds("http://town.example/actors/town#main-key")).toBe(false);
  });

  it("a key list is trusted for the freshness bound, then read again", async () => {
    expect(await binds(`${ACTOR}#main-key`)).toBe(true);
    await serveActor([`${ACTOR}#key-2`]);
    clock += KEY_LIST_FRESHNESS_MS - 1;
    expect(await binds(`${ACTOR}#main-key`)).toBe(true);
    clock += 1;
    expect(await binds(`${ACTOR}#main-key`)).toBe(false);
    expect(await binds(`${ACTOR}#key-2`)).toBe(true);
  });

  it("a key missing from the list makes the list read again, at most once per recheck interval", async () => {
    expect(await binds(`${ACTOR}#main-key`)).toBe(true);
    fetches = [];
    await serveActor([`${ACTOR}#main-key`, `${ACTOR}#new`]);
    expect(await binds(`${ACTOR}#new`)).toBe(false); // the list was read a moment ago
    clock += KEY_RECHECK_MS;
    expect(await binds(`${ACTOR}#new`)).toBe(true);
    for (let i = 0; i < 5; i++) expect(await binds(`${ACTOR}#forged-${i}`)).toBe(false);
    expect(fetches).toEqual([ACTOR]);
  });

  it("an origin that does not answer keeps its last list, and is not hammered", async () => {
    expect(await binds(`${ACTOR}#main-key`)).toBe(true);
    clock += 2 * KEY_LIST_FRESHNESS_MS;
    fetches = [];
    for (const status of ["offline", 503] as const) {
      failure = status;
      clock += KEY_RECHECK_MS;
      expect(await binds(`${ACTOR}#main-key`), String(status)).toBe(true);
      expect(await binds(`${ACTOR}#main-key`)).toBe(true);
    }
    expect(fetches).toEqual([ACTOR, ACTOR]);
  });

  it("an actor never seen whose origin is silent has no key, and is asked once per interval", async () => {
    failure = "offline";
    for (let i = 0; i < 3; i++) expect(await binds(`${ACTOR}#k${i}`)).toBe(false);
    expect(fetches).toEqual([ACTOR]);
  });

  it("an origin that answers 4xx, or a document that is not the actor, empties the list", async () => {
    expect(await binds(`${ACTOR}#main-key`)).toBe(true);
    clock += KEY_LIST_FRESHNESS_MS;
    failure = 410;
    expect(await binds(`${ACTOR}#main-key`)).toBe(false);
    failure = null;
    clock += KEY_LIST_FRESHNESS_MS;
    documents.set(ACTOR, { ...(documents.get(ACTOR) as object), id: `${ORIGIN}/actors/someone` });
    expect(await binds(`${ACTOR}#main-key`)).toBe(false);
  });

  describe("documents and cached keys as Fedify gets them", () => {
    const keyDoc = async (id: string, owner: string) =>
      new CryptographicKey({
        id: new URL(id),
        owner: new URL(owner),
        publicKey: rsa.publicKey,
      }).toJsonLd({ contextLoader: preloadedContextLoader });
    const ownerOf = async (json: unknown) =>
      (await CryptographicKey.fromJsonLd(json, { contextLoader: preloadedContextLoader })).ownerId
        ?.href;
    const load = async (url: string, document: unknown) =>
      (await binding.bindDocument({ contextUrl: null, documentUrl: url, document }, url)).document;

    it("a stand-alone key document keeps its owner only when the owner lists it", async () => {
      await serveActor([`${ACTOR}#main-key`, `${ORIGIN}/keys/listed`]);
      const listed = await load(
        `${ORIGIN}/keys/listed`,
        await keyDoc(`${ORIGIN}/keys/listed`, ACTOR),
      );
      expect(await ownerOf(listed)).toBe(ACTOR);
      const forged = await load(`${OTHER}/keys/k`, await keyDoc(`${OTHER}/keys/k`, ACTOR));
      expect(await ownerOf(forged)).toBe(`${UNBOUND}${encodeURIComponent(ACTOR)}`);
      const unlisted = await load(`${ORIGIN}/keys/x`, await keyDoc(`${ORIGIN}/keys/x`, ACTOR));
      expect(await ownerOf(unlisted)).toMatch(/^urn:spiral:unbound-key:/);
    });

    it("a cached key stops counting once the actor no longer lists it, and counts again when it does", async () => {
      const cached = await keyDoc(`${ACTOR}#main-key`, ACTOR);
      expect(await binding.rebindCached(cached)).toBe(cached);
      await serveActor([`${ACTOR}#key-2`]);
      clock += KEY_LIST_FRESHNESS_MS;
      const dropped = await binding.rebindCached(cached);
      expect(await ownerOf(dropped)).toMatch(/^urn:spiral:unbound-key:/);
      await serveActor([`${ACTOR}#main-key`]);
      clock += KEY_LIST_FRESHNESS_MS;
      expect(await ownerOf(await binding.rebindCached(dropped))).toBe(ACTOR);
    });

    it("an actor document from the loader's cache never renews a stale list: the origin is read", async () => {
      // The document cache keeps a document for 5 minutes of real time under each URL it was
      // asked for (`…#main-key` too); a copy served from there is no proof of today's list.
      const before = documents.get(ACTOR);
      expect(await binds(`${ACTOR}#main-key`)).toBe(true);
      await serveActor([`${ACTOR}#key-2`]);
      clock += KEY_LIST_FRESHNESS_MS;
      fetches = [];
      await load(`${ACTOR}#main-key`, before);
      expect(await binds(`${ACTOR}#main-key`)).toBe(false);
      expect(await binds(`${ACTOR}#key-2`)).toBe(true);
      expect(fetches).toEqual([ACTOR]);
    });

    it("an actor document seen first seeds its list (no second read of the origin)", async () => {
      await load(ACTOR, documents.get(ACTOR));
      expect(await binds(`${ACTOR}#main-key`)).toBe(true);
      expect(fetches).toEqual([]);
    });

    it("Fedify's key-cache slots are read through the binding; other slots are untouched", async () => {
      const kv = new MemoryKvStore();
      const wrapped = binding.wrapKv(kv);
      const forged = await keyDoc(`${OTHER}/keys/k`, ACTOR);
      await wrapped.set(["_fedify", "publicKey", `${OTHER}/keys/k`], forged);
      await wrapped.set(["_fedify", "remoteDocument", `${OTHER}/keys/k`], forged);
      expect(await ownerOf(await wrapped.get(["_fedify", "publicKey", `${OTHER}/keys/k`]))).toMatch(
        /^urn:spiral:unbound-key:/,
      );
      expect(await wrapped.get(["_fedify", "remoteDocument", `${OTHER}/keys/k`])).toEqual(forged);
      // The verdict is written back to the cache.
      expect(await ownerOf(await kv.get(["_fedify", "publicKey", `${OTHER}/keys/k`]))).toMatch(
        /^urn:spiral:unbound-key:/,
      );
    });

    it("a cached key that counted when fetched makes a fresh list read at once if the list misses it", async () => {
      // The list was read a moment ago (key-1 only); the actor then lists key-2, which Fedify
      // fetched from the actor document itself and cached with the actor as owner.
      expect(await binds(`${ACTOR}#main-key`)).toBe(true);
      await serveActor([`${ACTOR}#key-2`]);
      fetches = [];
      const kv = binding.wrapKv(new MemoryKvStore());
      const slot = ["_fedify", "publicKey", `${ACTOR}#key-2`] as const;
      await kv.set(slot, await keyDoc(`${ACTOR}#key-2`, ACTOR));
      expect(await ownerOf(await kv.get(slot))).toBe(ACTOR);
      expect(fetches).toEqual([ACTOR]);
      // A cached key the actor does not list is read for urgently once; its verdict is then
      // written back (unbound), so reading it again asks the origin nothing more.
      const forged = ["_fedify", "publicKey", `${ACTOR}#forged`] as const;
      await kv.set(forged, await keyDoc(`${ACTOR}#forged`, ACTOR));
      expect(await ownerOf(await kv.get(forged))).toMatch(/^urn:spiral:unbound-key:/);
      for (let i = 0; i < 3; i++) await kv.get(forged);
      expect(fetches).toEqual([ACTOR, ACTOR]);
    });
  });
});
