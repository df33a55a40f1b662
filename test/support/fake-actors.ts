import type { DocumentLoader } from "@fedify/fedify";
import { CryptographicKey, Multikey, Organization } from "@fedify/vocab";
import { FetchError, preloadedContexts } from "@fedify/vocab-runtime";

/** JSON-LD contexts from Fedify's preloaded set only (no network): a context it lacks fails. */
export const preloadedContextLoader: DocumentLoader = async (url) => {
  const document = (preloadedContexts as Record<string, unknown>)[url];
  if (!document) throw new Error(`no context ${url}`);
  return { contextUrl: null, documentUrl: url, document };
};

/**
 * A fake network serving `documents` by URL (the fragment dropped): 404 for what it does not
 * hold; `failure()` makes every fetch fail ("offline", or an HTTP status); `fetched` sees each URL.
 */
export function documentsLoader(
  documents: () => Map<string, unknown>,
  options: { failure?: () => "offline" | number | null; fetched?: (url: string) => void } = {},
): DocumentLoader {
  return async (url) => {
    options.fetched?.(url);
    const bare = url.replace(/#.*$/, "");
    const failure = options.failure?.() ?? null;
    if (failure === "offline") throw new TypeError("fetch failed");
    if (typeof failure === "number") {
      throw new FetchError(bare, `HTTP ${failure}`, new Response(null, { status: failure }));
    }
    const document = documents().get(bare);
    if (document === undefined)
      throw new FetchError(bare, "HTTP 404", new Response(null, { status: 404 }));
    return { contextUrl: null, documentUrl: bare, document };
  };
}

/** An actor document listing RSA keys (`publicKeys`) and Ed25519 ones (`assertionMethods`). */
export function actorJsonLd(
  actor: string,
  rsa: { publicKey: CryptoKey; ids: readonly string[] },
  ed: { publicKey: CryptoKey; ids: readonly string[] } = { publicKey: rsa.publicKey, ids: [] },
): Promise<unknown> {
  return new Organization({
    id: new URL(actor),
    inbox: new URL(`${actor}/inbox`),
    publicKeys: rsa.ids.map(
      (id) =>
        new CryptographicKey({
          id: new URL(id),
          owner: new URL(actor),
          publicKey: rsa.publicKey,
        }),
    ),
    assertionMethods: ed.ids.map(
      (id) =>
        new Multikey({ id: new URL(id), controller: new URL(actor), publicKey: ed.publicKey }),
    ),
  }).toJsonLd({ contextLoader: preloadedContextLoader });
}
