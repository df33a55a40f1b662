import { isDeepStrictEqual } from "node:util";
import type { KvKey, KvStore, KvStoreListEntry, KvStoreSetOptions } from "@fedify/fedify";
import type Database from "better-sqlite3";

/**
 * Fedify's key–value store on the node's SQLite database (table `fedify_kv`, created by the
 * migrations; see db/fedify-schema.ts).
 *
 * Layout: `key` is `JSON.stringify(keyArray)`, `value` is `JSON.stringify(value)`, `expires_at`
 * is epoch milliseconds or null. Semantics follow Fedify 2.3.6's `MemoryKvStore`:
 * - `null` is a real value, distinct from "absent" (`get` → `undefined`);
 * - an expired entry is invisible to `get`, `cas` and `list` (rows are purged lazily);
 * - `cas` compares by deep equality, and a `newValue` of `undefined` deletes the entry;
 * - `list(prefix)` yields every entry whose key starts with `prefix` element by element,
 *   including the key equal to `prefix`.
 *
 * One deliberate deviation, "sticky public keys": see {@link isPublicKeyCacheKey}.
 */
export interface SqliteKvStoreOptions {
  /** Clock in epoch milliseconds; tests inject one. Defaults to `Date.now`. */
  now?: () => number;
  /**
   * Writes purge expired rows at most this often (milliseconds). Default one minute; 0 purges on
   * every write. {@link SqliteKvStore.purgeExpired} purges on demand.
   */
  purgeIntervalMs?: number;
}

/** Fedify's default key prefix of its public-key cache (`FederationKvPrefixes.publicKey`). */
const PUBLIC_KEY_PREFIX = ["_fedify", "publicKey"] as const;

/**
 * Whether `key` is an entry of Fedify's public-key cache: `["_fedify","publicKey",<keyId URL>]`.
 * (The cache also writes `["_fedify","publicKey","__fetchError",<keyId>]`, four elements: those
 * are ordinary entries.)
 *
 * For these keys a `null` ("key unavailable") never replaces a live non-null key, and non-null
 * keys are stored without TTL. Why: when a relayed activity fails its proof check, Fedify
 * re-fetches the signer's key and, if the origin is offline, caches `null` (10 min TTL) over the
 * good key it had. One tampered relay while the origin is down would then wipe the key for good,
 * and every later genuine relayed synthesis from that origin would fail verification although the
 * whole point of caching keys is to verify relays while the origin is offline (docs/protocol.md
 * §5 and §7).
 */
function isPublicKeyCacheKey(key: KvKey): boolean {
  return key.length === 3 && key[0] === PUBLIC_KEY_PREFIX[0] && key[1] === PUBLIC_KEY_PREFIX[1];
}

interface Row {
  key: string;
  value: string;
}

export class SqliteKvStore implements KvStore {
  readonly #now: () => number;
  readonly #purgeIntervalMs: number;
  #lastPurge = Number.NEGATIVE_INFINITY;

  readonly #db: Database.Database;
  readonly #get: Database.Statement<[string, number], { value: string }>;
  readonly #upsert: Database.Statement<[string, string, number | null]>;
  /** Upsert that leaves a live non-null value alone (the sticky public-key rule). */
  readonly #upsertUnlessLiveNonNull: Database.Statement<[string, string, number | null, number]>;
  readonly #delete: Database.Statement<[string]>;
  readonly #listAll: Database.Statement<[number], Row>;
  readonly #listPrefix: Database.Statement<[string, string, string, number], Row>;
  readonly #purge: Database.Statement<[number]>;
  readonly #cas: Database.Transaction<
    (key: KvKey, expected: unknown, next: unknown, expiresAt: number | null) => boolean
  >;

  constructor(db: Database.Database, options: SqliteKvStoreOptions = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#purgeIntervalMs = options.purgeIntervalMs ?? 60_000;

    const live = "(expires_at IS NULL OR expires_at > ?)";
    this.#get = db.prepare(`SELECT value FROM fedify_kv WHERE key = ? AND ${live}`);
    const upsert = `INSERT INTO fedify_kv (key, value, expires_at) VALUES (?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`;
    this.#upsert = db.prepare(upsert);
    this.#upsertUnlessLiveNonNull = db.prepare(
      `${upsert} WHERE fedify_kv.value = 'null'
         OR (fedify_kv.expires_at IS NOT NULL AND fedify_kv.expires_at <= ?)`,
    );
    this.#delete = db.prepare("DELETE FROM fedify_kv WHERE key = ?");
    this.#listAll = db.prepare(`SELECT key, value FROM fedify_kv WHERE ${live} ORDER BY key`);
    // Prefix match as a range on the primary key, not LIKE (whose `%`/`_` wildcards and ASCII case
    // folding would need escaping). See #list for the bounds.
    this.#listPrefix = db.prepare(
      `SELECT key, value FROM fedify_kv
       WHERE (key = ? OR (key > ? AND key < ?)) AND ${live} ORDER BY key`,
    );
    this.#purge = db.prepare(
      "DELETE FROM fedify_kv WHERE expires_at IS NOT NULL AND expires_at <= ?",
    );
    this.#cas = db.transaction((key, expected, next, expiresAt) => {
      const encoded = JSON.stringify(key);
      const now = this.#now();
      const row = this.#get.get(encoded, now);
      const current = row === undefined ? undefined : JSON.parse(row.value);
      if (!isDeepStrictEqual(current, expected)) return false;
      if (next === undefined) {
        this.#delete.run(encoded);
        return true;
      }
      if (isPublicKeyCacheKey(key) && next === null && current != null) return false; // sticky
      this.#upsert.run(encoded, JSON.stringify(next), expiresAt);
      return true;
    });
  }

  /**
   * Whether the database was closed (the node shut down under a request or a background task
   * still running). Then the store is an empty cache that forgets what it is told, never a
   * rejection: Fedify awaits some look-ups late and does not await some writes (it caches a
   * fetched key in the background), and an unhandled rejection would end the process.
   */
  get #closed(): boolean {
    return !this.#db.open;
  }

  async get<T = unknown>(key: KvKey): Promise<T | undefined> {
    if (this.#closed) return undefined;
    const row = this.#get.get(JSON.stringify(key), this.#now());
    return row === undefined ? undefined : (JSON.parse(row.value) as T);
  }

  /**
   * Stores `value` (JSON) under `key`, replacing any previous value. `undefined` deletes the
   * entry, so that `get` returns `undefined` afterwards as with Fedify's `MemoryKvStore`.
   */
  async set(key: KvKey, value: unknown, options?: KvStoreSetOptions): Promise<void> {
    if (this.#closed) return;
    if (value === undefined) {
      this.#delete.run(JSON.stringify(key));
      return;
    }
    const encoded = JSON.stringify(key);
    const json = JSON.stringify(value);
    if (isPublicKeyCacheKey(key)) {
      if (value === null) {
        // Sticky public keys: keep a live non-null key rather than overwrite it with "unavailable".
        this.#upsertUnlessLiveNonNull.run(encoded, json, this.#expiresAt(options), this.#now());
      } else {
        this.#upsert.run(encoded, json, null); // real keys never expire (see isPublicKeyCacheKey)
      }
    } else {
      this.#upsert.run(encoded, json, this.#expiresAt(options));
    }
    this.#maybePurge();
  }

  async delete(key: KvKey): Promise<void> {
    if (this.#closed) return;
    this.#delete.run(JSON.stringify(key));
  }

  /**
   * Compare-and-swap: if the current value (`undefined` when absent or expired) deeply equals
   * `expectedValue`, stores `newValue` (deleting the entry when it is `undefined`) and returns true.
   * The sticky public-key rule applies: swapping a live key for `null` fails (returns false).
   */
  async cas(
    key: KvKey,
    expectedValue: unknown,
    newValue: unknown,
    options?: KvStoreSetOptions,
  ): Promise<boolean> {
    if (this.#closed) return false;
    // Compare with what the caller's value would look like once stored and read back, so that
    // e.g. `{ a: 1, b: undefined }` matches a stored `{ a: 1 }` and class instances compare by
    // their JSON form (isDeepStrictEqual also compares prototypes).
    const expected = expectedValue === undefined ? undefined : roundTrip(expectedValue);
    const expiresAt =
      isPublicKeyCacheKey(key) && newValue !== null ? null : this.#expiresAt(options);
    // IMMEDIATE: take the write lock before reading, so a concurrent writer in another process
    // cannot slip in between the comparison and the write.
    const swapped = this.#cas.immediate(key, expected, newValue, expiresAt);
    if (swapped) this.#maybePurge();
    return swapped;
  }

  /**
   * Every live entry whose key starts with `prefix` element by element (the key equal to `prefix`
   * included), in key order; everything when `prefix` is omitted.
   */
  async *list(prefix?: KvKey): AsyncIterable<KvStoreListEntry> {
    if (this.#closed) return;
    const now = this.#now();
    let rows: Row[];
    if (prefix == null || prefix.length === 0) {
      rows = this.#listAll.all(now);
    } else {
      // `["a","b"]` has the descendants `["a","b",…]`, whose JSON text starts with `["a","b",`.
      // JSON string escaping guarantees that text cannot start a key with other leading elements
      // (an unescaped `"` always ends an element). Every string with that start sorts (bytewise,
      // SQLite's BINARY collation on UTF-8) after it and before the same text with its final `,`
      // bumped to the next character `-`. `["a","bc"]` starts with `["a","b` + `c`, not `,`.
      const exact = JSON.stringify(prefix);
      const lower = `${exact.slice(0, -1)},`;
      const upper = `${exact.slice(0, -1)}-`;
      rows = this.#listPrefix.all(exact, lower, upper, now);
    }
    // Rows are read in full before yielding: better-sqlite3 forbids other statements on the
    // connection while an iterator is open, and consumers write to the store between items.
    for (const row of rows) {
      yield { key: JSON.parse(row.key) as KvKey, value: JSON.parse(row.value) };
    }
  }

  /** Deletes every expired row now; returns how many. */
  purgeExpired(): number {
    if (this.#closed) return 0;
    const now = this.#now();
    this.#lastPurge = now;
    return this.#purge.run(now).changes;
  }

  #maybePurge(): void {
    if (this.#now() - this.#lastPurge >= this.#purgeIntervalMs) this.purgeExpired();
  }

  #expiresAt(options?: KvStoreSetOptions): number | null {
    // Fedify hands us durations from its own Temporal polyfill: call methods only, no instanceof.
    if (options?.ttl == null) return null;
    return this.#now() + Math.ceil(options.ttl.total("millisecond"));
  }
}

function roundTrip(value: unknown): unknown {
  const json = JSON.stringify(value);
  return json === undefined ? undefined : JSON.parse(json);
}
