import type {
  DocumentLoader,
  Federation,
  KvKey,
  KvStore,
  KvStoreListEntry,
  KvStoreSetOptions,
  RemoteDocument,
} from "@fedify/fedify";
import { type Actor, Object as APObject, CryptographicKey, isActor, Multikey } from "@fedify/vocab";
import { Temporal } from "temporal-polyfill";
import { sameOrigin } from "./activity-ids";

/**
 * Who may speak for an actor (docs/protocol.md §5): a key counts for actor X only when
 * the key id is on X's origin and X's actor document, fetched from X's origin, lists that key id
 * (`publicKey` or `assertionMethod`). A key document's own `owner`/`controller` proves nothing.
 *
 * Fedify checks ownership by the key's `owner` (HTTP and Linked Data signatures) and
 * `controller` (integrity proofs). So the binding is enforced where keys enter Fedify:
 * - every document Fedify loads passes {@link KeyBinding.bindDocument}: a key whose claim does
 *   not hold is handed over with its claim replaced by an "unbound" URN that no actor id equals,
 *   so Fedify's own checks refuse it on every path (inbox, routeActivity for relays and pulls);
 * - every key Fedify reads from its KV key cache passes {@link KeyBinding.rebindCached}, which
 *   checks the claim again against the actor's key list, so a key the actor stopped listing stops
 *   counting (rotation), and one it lists again counts again.
 *
 * The actor's key list is cached (KV) for {@link KEY_LIST_FRESHNESS_MS}, then fetched again from
 * the actor's origin (an actor document the loader hands over only seeds a list never read); a
 * key not in a cached list makes it fetched again at most every {@link KEY_RECHECK_MS}. When the
 * origin does not answer (network error, 5xx, 408/425/429), the list last seen stays in force:
 * an offline origin's relayed syntheses still verify with the keys it listed when last seen.
 */

export const KEY_LIST_FRESHNESS_MS = 60 * 60 * 1000;
export const KEY_RECHECK_MS = 60 * 1000;
const UNBOUND_PREFIX = "urn:spiral:unbound-key:";
const LIST_PREFIX = ["spiral", "actorKeys"] as const;
/** Key lists of actors not heard of for this long are forgotten (the KV store stays bounded). */
const LIST_TTL = Temporal.Duration.from({ days: 30 });
const PUBLIC_KEY_PREFIX = ["_fedify", "publicKey"] as const;
/** 4xx answers that mean "not now" rather than "no such actor". */
const TRANSIENT = new Set([408, 425, 429]);

/** The claim a key makes, kept inside the URN that replaces it while it does not hold. */
const unbound = (claim: URL | null) =>
  new URL(`${UNBOUND_PREFIX}${encodeURIComponent(claim?.href ?? "")}`);
function originalClaim(claim: URL | null): URL | null {
  if (!claim?.href.startsWith(UNBOUND_PREFIX)) return claim;
  const inner = decodeURIComponent(claim.href.slice(UNBOUND_PREFIX.length));
  return URL.canParse(inner) ? new URL(inner) : null;
}

interface KeyList {
  keys: string[];
  /** When the list was read from the actor's origin (ms). */
  fetchedAt: number;
  /** When it was last attempted (ms), successful or not. */
  checkedAt: number;
}

/** Contexts whose only alias of `@type` at the top level is `type` (checked against Fedify's copies). */
const PLAIN_CONTEXTS = new Set([
  "https://www.w3.org/ns/activitystreams",
  "https://w3id.org/security/v1",
  "https://w3id.org/security/data-integrity/v1",
  "https://w3id.org/identity/v1",
  "https://w3id.org/security/multikey/v1",
]);
/** Types that are neither actors nor keys: Fedify never takes a key from such a document. */
const KEYLESS_TYPES = new Set([
  "Create",
  "Update",
  "Delete",
  "Announce",
  "Follow",
  "Accept",
  "Reject",
  "Undo",
  "Add",
  "Remove",
  "Like",
  "Article",
  "Note",
  "Event",
  "Tombstone",
  "Collection",
  "CollectionPage",
  "OrderedCollection",
  "OrderedCollectionPage",
]);

/** Context keywords that cannot make a term mean `@type` (`@import` can: it loads a context). */
const HARMLESS_KEYWORDS = new Set([
  "@version",
  "@language",
  "@vocab",
  "@base",
  "@direction",
  "@protected",
  "@propagate",
]);
/** An inline context term definition that could make another term mean `@type`. */
const touchesType = (term: string, definition: unknown) =>
  term === "type" ||
  (term.startsWith("@") && !HARMLESS_KEYWORDS.has(term)) ||
  definition === "@type" ||
  (typeof definition === "object" &&
    definition !== null &&
    (definition as Record<string, unknown>)["@id"] === "@type");

/**
 * Whether a document is certainly neither an actor nor a key, without JSON-LD processing: its
 * top-level `type` is a plain activity, object or collection type, and no context it uses can
 * alias `@type` (well-known contexts, inline definitions that leave `type` alone). Anything else
 * is parsed and checked.
 */
function certainlyKeyless(document: unknown): boolean {
  if (typeof document !== "object" || document === null || Array.isArray(document)) return false;
  const record = document as Record<string, unknown>;
  if ("@type" in record || typeof record.type !== "string" || !KEYLESS_TYPES.has(record.type))
    return false;
  const contexts = Array.isArray(record["@context"]) ? record["@context"] : [record["@context"]];
  return contexts.every((context) =>
    typeof context === "string"
      ? PLAIN_CONTEXTS.has(context)
      : typeof context === "object" &&
        context !== null &&
        !Array.isArray(context) &&
        !Object.entries(context).some(([term, definition]) => touchesType(term, definition)),
  );
}

type AnyKey = CryptographicKey | Multikey;
const claimOf = (key: AnyKey) =>
  key instanceof CryptographicKey ? key.ownerId : (key as Multikey).controllerId;
const withClaim = (key: AnyKey, claim: URL): AnyKey =>
  key instanceof CryptographicKey
    ? key.clone({ owner: claim })
    : (key as Multikey).clone({ controller: claim });

export interface KeyBindingOptions {
  /** The node's KV store (the key lists live there, next to Fedify's key cache). */
  kv: KvStore;
  /** The node's clock, in epoch milliseconds. */
  now: () => number;
  freshnessMs?: number;
  recheckMs?: number;
}

/** Fedify internals the binding hooks into (checked at start: missing → the node refuses to run). */
interface LoaderFactories {
  documentLoaderFactory: (options?: unknown) => DocumentLoader;
  contextLoaderFactory: (options?: unknown) => DocumentLoader;
  authenticatedDocumentLoaderFactory: (identity: unknown, options?: unknown) => DocumentLoader;
  allowPrivateAddress?: boolean;
  userAgent?: unknown;
}

export function createKeyBinding(options: KeyBindingOptions) {
  const { kv, now } = options;
  const freshnessMs = options.freshnessMs ?? KEY_LIST_FRESHNESS_MS;
  const recheckMs = options.recheckMs ?? KEY_RECHECK_MS;
  /** Set by attach(): loads a document from its origin (no cache), and JSON-LD contexts. */
  let loaders: { fresh: DocumentLoader; context: DocumentLoader } | undefined;
  const refuse: DocumentLoader = (url) => Promise.reject(new Error(`not fetched: ${url}`));
  const parseOptions = () => ({ documentLoader: refuse, contextLoader: loaders?.context });

  const listSlot = (actor: URL): KvKey => [...LIST_PREFIX, actor.href];

  /** Ids of the keys an actor document lists, on the actor's own origin. */
  const listedIds = (actor: Actor & { id: URL }) =>
    [...actor.publicKeyIds, ...actor.assertionMethodIds]
      .filter((id) => sameOrigin(id, actor.id))
      .map((id) => id.href);

  /** Whether a loaded document is the actor's own: its id is the URL's, served by its origin. */
  const servedByItsOrigin = (actor: Actor, remote: RemoteDocument, url: string) =>
    actor.id !== null &&
    sameOrigin(actor.id, new URL(remote.documentUrl ?? url, url)) &&
    sameOrigin(actor.id, url);

  const storeList = (actor: URL, list: KeyList) => kv.set(listSlot(actor), list, { ttl: LIST_TTL });

  /**
   * An actor document the loader saw seeds the actor's key list only when there is none yet (or
   * only the empty one of an origin that never answered). It never renews a list, stale or not:
   * the document may come from Fedify's document cache (5 minutes of real time, one entry per URL
   * asked for, `…/actor#main-key` too), so it says nothing about what the actor lists today; a
   * stale list is read again from the origin itself ({@link keyList}).
   */
  async function seedList(actor: Actor & { id: URL }): Promise<void> {
    const cached = await kv.get<KeyList>(listSlot(actor.id));
    if (cached && cached.fetchedAt > 0) return;
    const at = now();
    await storeList(actor.id, { keys: listedIds(actor), fetchedAt: at, checkedAt: at });
  }

  /** Reads the actor's key list from its origin; null when the origin did not answer. */
  async function fetchList(actorId: URL): Promise<KeyList | null> {
    if (!loaders) return null;
    let remote: RemoteDocument;
    try {
      remote = await loaders.fresh(actorId.href);
    } catch (error) {
      const status = (error as { response?: Response }).response?.status;
      // An answer that says "no such actor" empties the list; silence keeps the last one, and
      // so does "ask again later" (408, 425, 429): a busy origin is not a deleted actor.
      if (status !== undefined && status >= 400 && status < 500 && !TRANSIENT.has(status)) {
        const at = now();
        return { keys: [], fetchedAt: at, checkedAt: at };
      }
      return null;
    }
    // A document that is not an actor at all counts like an actor that lists no key.
    const object = await APObject.fromJsonLd(remote.document, parseOptions()).catch(() => null);
    if (!isActor(object) || object.id?.href !== actorId.href) {
      const at = now();
      return { keys: [], fetchedAt: at, checkedAt: at };
    }
    if (!servedByItsOrigin(object, remote, actorId.href)) return null;
    return { keys: listedIds(object as Actor & { id: URL }), fetchedAt: now(), checkedAt: now() };
  }

  /**
   * The actor's key list, fetched again when stale or when `keyId` is not in it — at most once
   * per KEY_RECHECK_MS, unless `urgent` (a cached key that counted for the actor when fetched:
   * its verdict is written back, so it forces one read at most).
   */
  async function keyList(
    actorId: URL,
    keyId: string,
    urgent = false,
  ): Promise<KeyList | undefined> {
    const cached = await kv.get<KeyList>(listSlot(actorId));
    const at = now();
    const stale = !cached || at - cached.fetchedAt >= freshnessMs;
    const missing = cached !== undefined && !cached.keys.includes(keyId);
    const mayRetry = urgent || !cached || at - cached.checkedAt >= recheckMs;
    if (!((stale || missing) && mayRetry)) return cached;
    const fetched = await fetchList(actorId);
    if (fetched) {
      await storeList(actorId, fetched);
      return fetched;
    }
    // No answer: the last list seen stays (none: an empty, stale one), and the origin is not
    // asked again before KEY_RECHECK_MS, however many keys claim it meanwhile.
    await storeList(
      actorId,
      cached ? { ...cached, checkedAt: at } : { keys: [], fetchedAt: 0, checkedAt: at },
    );
    return cached;
  }

  /** Whether `keyId` counts for `actorId`: same origin, and the actor's document lists it. */
  async function binds(keyId: URL | null, actorId: URL | null, urgent = false): Promise<boolean> {
    if (!keyId || !actorId) return false;
    if (!["http:", "https:"].includes(actorId.protocol) || !sameOrigin(keyId, actorId))
      return false;
    return (await keyList(actorId, keyId.href, urgent))?.keys.includes(keyId.href) ?? false;
  }

  /**
   * The key with its claim kept if it holds, else replaced by the unbound URN. `cached`: the key
   * comes from Fedify's key cache, so a real claim there held when the key was fetched.
   */
  async function bound(key: AnyKey, cached = false): Promise<AnyKey> {
    const stated = claimOf(key);
    const claim = originalClaim(stated);
    const urgent = cached && stated !== null && stated.href === claim?.href;
    const want = (await binds(key.id, claim, urgent)) ? (claim as URL) : unbound(claim);
    return stated?.href === want.href ? key : withClaim(key, want);
  }

  /** Parsed keys by their JSON text: cached keys are read on every signature check. */
  const parsedKeys = new Map<string, AnyKey | null>();
  const asKey = async (json: unknown): Promise<AnyKey | null> => {
    const text = JSON.stringify(json);
    if (parsedKeys.has(text)) return parsedKeys.get(text) ?? null;
    let parsed: AnyKey | null = null;
    for (const cls of [CryptographicKey, Multikey] as const) {
      try {
        parsed = await cls.fromJsonLd(json, parseOptions());
        break;
      } catch (error) {
        if (!(error instanceof TypeError)) throw error;
      }
    }
    if (parsedKeys.size >= 1000) parsedKeys.delete(parsedKeys.keys().next().value as string);
    parsedKeys.set(text, parsed);
    return parsed;
  };
  const serialize = async (object: { toJsonLd(o: object): Promise<unknown> }) =>
    object.toJsonLd({ format: "compact", contextLoader: loaders?.context });

  /**
   * An actor document: its embedded keys count for it (the document lists them) when they are on
   * its origin and it was served by its origin; any other claim becomes unbound. The document is
   * returned unchanged when every embedded key already says so (the usual case).
   */
  async function bindActor(actor: Actor, remote: RemoteDocument, url: string) {
    const own = actor.id !== null && servedByItsOrigin(actor, remote, url);
    if (own) await seedList(actor as Actor & { id: URL });
    let changed = false;
    const fix = <K extends AnyKey>(key: K): K => {
      const holds = own && key.id !== null && sameOrigin(key.id, actor.id as URL);
      const want = holds ? (actor.id as URL) : unbound(claimOf(key));
      if (claimOf(key)?.href === want.href) return key;
      changed = true;
      return withClaim(key, want) as K;
    };
    const opts = { ...parseOptions(), suppressError: true };
    const embedded = async <K extends AnyKey>(ids: URL[], items: AsyncIterable<K>) => {
      const byId = new Map<string, K>();
      for await (const key of items) if (key.id) byId.set(key.id.href, fix(key));
      return ids.map((id) => byId.get(id.href) ?? id);
    };
    const publicKeys = await embedded(actor.publicKeyIds, actor.getPublicKeys(opts));
    const assertionMethods = await embedded(
      actor.assertionMethodIds,
      actor.getAssertionMethods(opts),
    );
    if (!changed) return remote;
    const clone = actor.clone({
      publicKeys: publicKeys as (CryptographicKey | URL)[],
      assertionMethods: assertionMethods as (Multikey | URL)[],
    });
    return { ...remote, document: await serialize(clone) };
  }

  return {
    binds,

    /**
     * The document as Fedify may use it: a stand-alone key document is rebuilt with its claim
     * kept only if it holds; an actor document's embedded keys count only for that actor.
     * Anything else (activities, collections, objects) passes unchanged.
     */
    async bindDocument(remote: RemoteDocument, url: string): Promise<RemoteDocument> {
      if (certainlyKeyless(remote.document)) return remote;
      let object: unknown;
      try {
        object = await APObject.fromJsonLd(remote.document, parseOptions());
      } catch (error) {
        if (!(error instanceof TypeError)) throw error;
        // Not an ActivityStreams object: Fedify would try it as a key (and so do we).
        const key = await asKey(remote.document);
        if (!key) return remote;
        const fromItsUrl = key.id !== null && sameOrigin(key.id, remote.documentUrl ?? url);
        const checked = fromItsUrl ? await bound(key) : withClaim(key, unbound(claimOf(key)));
        return { ...remote, document: await serialize(checked) };
      }
      if (isActor(object)) return bindActor(object, remote, url);
      return remote;
    },

    /**
     * A key from Fedify's KV cache, its claim checked again (rotation); undefined (a cache miss)
     * when it cannot be read now.
     */
    async rebindCached(json: unknown): Promise<unknown> {
      let key: AnyKey | null;
      try {
        key = await asKey(json);
      } catch {
        // Could not be read now (a context not loaded): not answered, so no key counts unchecked
        // (the key cache parses with Fedify's own loaders); Fedify fetches the key again.
        return undefined;
      }
      // Not a key at all: passed through untouched, Fedify decides what it is.
      if (!key) return json;
      const checked = await bound(key, true);
      return checked === key ? json : serialize(checked);
    },

    /**
     * Fedify's KV store as the federation uses it: reads of its key cache
     * (`["_fedify","publicKey",keyId]`) pass {@link rebindCached}; everything else unchanged.
     */
    wrapKv(inner: KvStore): KvStore {
      const self = this;
      const isKeySlot = (key: KvKey) =>
        key.length === 3 && key[0] === PUBLIC_KEY_PREFIX[0] && key[1] === PUBLIC_KEY_PREFIX[1];
      return {
        async get<T = unknown>(key: KvKey): Promise<T | undefined> {
          const value = await inner.get<T>(key);
          if (!isKeySlot(key) || value === null || typeof value !== "object") return value;
          const checked = await self.rebindCached(value);
          if (checked === undefined) return undefined;
          // The verdict is kept: a key that stopped counting is not checked urgently again.
          if (checked !== value) await inner.set(key, checked);
          return checked as T;
        },
        set: (key: KvKey, value: unknown, o?: KvStoreSetOptions) => inner.set(key, value, o),
        delete: (key: KvKey) => inner.delete(key),
        ...(inner.cas
          ? {
              cas: (key: KvKey, expected: unknown, next: unknown, o?: KvStoreSetOptions) =>
                (inner.cas as NonNullable<KvStore["cas"]>)(key, expected, next, o),
            }
          : {}),
        list: (prefix?: KvKey): AsyncIterable<KvStoreListEntry> => inner.list(prefix),
      };
    },

    /**
     * Hooks into a Fedify federation: every document loader it builds (plain and signed) passes
     * documents through {@link bindDocument}. Fedify offers no public way to wrap its loaders while
     * keeping `allowPrivateAddress`, so this replaces its factory fields; if a Fedify upgrade
     * renames them, the node refuses to start rather than run without the rule.
     */
    attach<T>(federation: Federation<T>): void {
      const impl = federation as unknown as Partial<LoaderFactories>;
      const { documentLoaderFactory, authenticatedDocumentLoaderFactory, contextLoaderFactory } =
        impl;
      if (
        typeof documentLoaderFactory !== "function" ||
        typeof authenticatedDocumentLoaderFactory !== "function" ||
        typeof contextLoaderFactory !== "function"
      ) {
        throw new Error("this Fedify version hides its loader factories: keys cannot be bound");
      }
      const loaderOptions = {
        allowPrivateAddress: impl.allowPrivateAddress,
        userAgent: impl.userAgent,
      };
      const cached = documentLoaderFactory(loaderOptions);
      loaders = {
        // Fedify caches documents for 5 minutes; a key list is read from the origin itself.
        fresh: async (url, o) => {
          await kv.delete(["_fedify", "remoteDocument", url]);
          return cached(url, o);
        },
        context: contextLoaderFactory(loaderOptions),
      };
      const wrap =
        (load: DocumentLoader): DocumentLoader =>
        async (url, o) =>
          this.bindDocument(await load(url, o), url);
      impl.documentLoaderFactory = (o) => wrap(documentLoaderFactory(o));
      impl.authenticatedDocumentLoaderFactory = (identity, o) =>
        wrap(authenticatedDocumentLoaderFactory(identity, o));
    },
  };
}
export type KeyBinding = ReturnType<typeof createKeyBinding>;
