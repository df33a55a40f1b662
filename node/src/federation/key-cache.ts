import type { KeyCache, KvStore } from "@fedify/fedify";
import { CryptographicKey, Multikey } from "@fedify/vocab";

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
  return {
    async get(keyId) {
      const value = await kv.get(slot(keyId));
      if (value === undefined) return undefined;
      if (value === null) return null;
      try {
        return await CryptographicKey.fromJsonLd(value);
      } catch {
        return await Multikey.fromJsonLd(value);
      }
    },
    async set(keyId, key) {
      if (key != null) await kv.set(slot(keyId), await key.toJsonLd());
    },
  };
}
