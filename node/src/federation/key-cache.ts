import type { KeyCache, KvStore } from "@fedify/fedify";
import { CryptographicKey, Multikey } from "@fedify/vocab";
import { type BoundedMemo, boundedMemo } from "../bounded-memo";

type ParsedKeys = BoundedMemo<string, Promise<CryptographicKey | Multikey>>;
/**
 * Per KV store (one per node), keys parsed from their stored JSON, by that JSON's text: the same
 * few keys are read on every delivery, and JSON-LD parsing one costs more than the check it serves.
 */
const parsedByStore = new WeakMap<KvStore, ParsedKeys>();
const PARSED_LIMIT = 1000;

function parseKey(parsed: ParsedKeys, value: unknown): Promise<CryptographicKey | Multikey> {
  const text = JSON.stringify(value);
  return parsed.get(text, () => {
    // A Multikey's `type` makes CryptographicKey.fromJsonLd throw: it is read as one then.
    const key = CryptographicKey.fromJsonLd(value).catch(() => Multikey.fromJsonLd(value));
    key.catch(() => parsed.delete(text));
    return key;
  });
}

/**
 * A key cache in the same KV slots Fedify uses for its own (["_fedify","publicKey",keyId]), so
 * the keys we learn while checking integrity proofs also serve Fedify's routeActivity, and
 * relayed syntheses verify while their origin is offline. A failed fetch is never cached.
 * Give it the node's KV store as the key binding hands it out (`FederationDeps.kv`): every key
 * read then has its owner/controller checked against the actor's current key list
 * (key-binding.ts), so a key the actor stopped listing stops counting here too.
 */
export function createKeyCache(kv: KvStore): KeyCache {
  const slot = (keyId: URL) => ["_fedify", "publicKey", keyId.href] as const;
  let parsed = parsedByStore.get(kv);
  if (!parsed) {
    parsed = boundedMemo(PARSED_LIMIT);
    parsedByStore.set(kv, parsed);
  }
  const keys = parsed;
  return {
    async get(keyId) {
      const value = await kv.get(slot(keyId));
      if (value === undefined) return undefined;
      if (value === null) return null;
      return parseKey(keys, value);
    },
    async set(keyId, key) {
      if (key != null) await kv.set(slot(keyId), await key.toJsonLd());
    },
  };
}
