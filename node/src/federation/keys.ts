import { exportJwk, generateCryptoKeyPair, importJwk } from "@fedify/fedify";
import { eq } from "drizzle-orm";
import type { Db } from "../db/open";
import { actorKeys } from "../db/schema";

/**
 * The key pairs of a local actor, created once and persisted: an RSA pair (HTTP and LD signatures,
 * what Mastodon checks) and an Ed25519 pair (FEP-8b32 integrity proofs). Fedify names keys by
 * position (#main-key, #multikey-2…), so the order [RSA, Ed25519] must never change.
 */
export function createActorKeyStore(db: Db) {
  const cache = new Map<string, Promise<CryptoKeyPair[]>>();

  const load = async (identifier: string): Promise<CryptoKeyPair[]> => {
    let row = db.select().from(actorKeys).where(eq(actorKeys.identifier, identifier)).get();
    if (!row) {
      const rsa = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
      const ed25519 = await generateCryptoKeyPair("Ed25519");
      // Two concurrent first requests may both generate: the first insert wins, both re-read it.
      db.insert(actorKeys)
        .values({
          identifier,
          rsaPublic: await exportJwk(rsa.publicKey),
          rsaPrivate: await exportJwk(rsa.privateKey),
          ed25519Public: await exportJwk(ed25519.publicKey),
          ed25519Private: await exportJwk(ed25519.privateKey),
        })
        .onConflictDoNothing()
        .run();
      row = db.select().from(actorKeys).where(eq(actorKeys.identifier, identifier)).get();
      if (!row) throw new Error(`could not store the keys of ${identifier}`);
    }
    return [
      {
        publicKey: await importJwk(row.rsaPublic, "public"),
        privateKey: await importJwk(row.rsaPrivate, "private"),
      },
      {
        publicKey: await importJwk(row.ed25519Public, "public"),
        privateKey: await importJwk(row.ed25519Private, "private"),
      },
    ];
  };

  return {
    /** The actor's key pairs, generating and storing them on first use. */
    keyPairs(identifier: string): Promise<CryptoKeyPair[]> {
      let pending = cache.get(identifier);
      if (!pending) {
        pending = load(identifier);
        cache.set(identifier, pending);
        // Forget a failed load so the next call retries; the caller gets the error from `pending`.
        pending.catch(() => cache.delete(identifier));
      }
      return pending;
    },
  };
}
export type ActorKeyStore = ReturnType<typeof createActorKeyStore>;
