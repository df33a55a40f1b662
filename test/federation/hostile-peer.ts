import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { generateCryptoKeyPair, signJsonLd, signObject, signRequest } from "@fedify/fedify";
import {
  Activity,
  CryptographicKey,
  Multikey,
  OrderedCollection,
  Organization,
} from "@fedify/vocab";

/**
 * A hostile peer on loopback: a plain HTTP server (no Spiral node) with keys of its own. It
 * serves whatever documents a test gives it — its own actor, stand-alone key documents that
 * claim somebody else as `owner`/`controller`, activities, a known-syntheses collection — and
 * POSTs signed requests with any of its keys.
 */

/** The ActivityStreams context, and its public collection (what `to` names for "everyone"). */
export const AS = "https://www.w3.org/ns/activitystreams";
export const PUBLIC = "https://www.w3.org/ns/activitystreams#Public";

export interface KeyPairWithId {
  keyId: URL;
  pair: CryptoKeyPair;
}

export interface HostilePeer {
  url: string;
  /** Its own actor (an Organization with a known-syntheses stream), its keys listed there. */
  actorUrl: string;
  ownRsa: KeyPairWithId;
  ownEd: KeyPairWithId;
  /** A stand-alone RSA key document at {url}/keys/forged-rsa claiming `victim` as owner. */
  forgedRsa: KeyPairWithId;
  /** A stand-alone Multikey document at {url}/keys/forged-ed claiming `victim` as controller. */
  forgedEd: KeyPairWithId;
  /** Serves `document` (JSON) at `path`. */
  serve(path: string, document: unknown): void;
  /** Answers `status` (no document) at `path`; null serves the document again. */
  answer(path: string, status: number | null): void;
  /** Sets the items of its own known-syntheses collection. */
  setKnownSyntheses(items: Record<string, unknown>[]): Promise<void>;
  /** Adds an FEP-8b32 integrity proof made with `key` (compact JSON-LD out). */
  prove(json: Record<string, unknown>, key: KeyPairWithId): Promise<Record<string, unknown>>;
  /** Adds a Linked Data Signature (RsaSignature2017) made with `key`. */
  ldSign(json: Record<string, unknown>, key: KeyPairWithId): Promise<Record<string, unknown>>;
  /** POSTs `body` to `inbox`, HTTP-signed with `key` unless null. */
  post(
    inbox: string,
    body: unknown,
    key: KeyPairWithId | null,
    contentType?: string,
  ): Promise<{ status: number; text: string }>;
  /** Its own public Announce of `inner` (a relay of someone else's activity). */
  announce(inner: unknown): Record<string, unknown>;
  /** Documents requested so far (paths). */
  requests: string[];
  close(): Promise<void>;
}

export async function startHostilePeer(victimActorUrl: string): Promise<HostilePeer> {
  const documents = new Map<string, unknown>();
  const statuses = new Map<string, number>();
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://x").pathname;
    requests.push(`${request.method} ${path}`);
    if (request.method === "POST") {
      request.resume();
      response.writeHead(202).end();
      return;
    }
    const status = statuses.get(path);
    if (status !== undefined) {
      response.writeHead(status, { "content-type": "text/plain" }).end(`status ${status}`);
      return;
    }
    const document = documents.get(path);
    if (document === undefined) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    response
      .writeHead(200, { "content-type": "application/activity+json" })
      .end(JSON.stringify(document));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const actorUrl = `${url}/actors/evil`;
  const keyPair = async (algorithm: "RSASSA-PKCS1-v1_5" | "Ed25519", keyId: string) => ({
    keyId: new URL(keyId),
    pair: await generateCryptoKeyPair(algorithm),
  });
  const ownRsa = await keyPair("RSASSA-PKCS1-v1_5", `${actorUrl}#main-key`);
  const ownEd = await keyPair("Ed25519", `${actorUrl}#ed-key`);
  const forgedRsa = await keyPair("RSASSA-PKCS1-v1_5", `${url}/keys/forged-rsa`);
  const forgedEd = await keyPair("Ed25519", `${url}/keys/forged-ed`);
  const victim = new URL(victimActorUrl);

  const serveJsonLd = async (path: string, object: { toJsonLd(): Promise<unknown> }) =>
    documents.set(path, await object.toJsonLd());
  await serveJsonLd(
    "/keys/forged-rsa",
    new CryptographicKey({
      id: forgedRsa.keyId,
      owner: victim,
      publicKey: forgedRsa.pair.publicKey,
    }),
  );
  await serveJsonLd(
    "/keys/forged-ed",
    new Multikey({ id: forgedEd.keyId, controller: victim, publicKey: forgedEd.pair.publicKey }),
  );
  const streamUrl = new URL(`${actorUrl}/known-syntheses`);
  await serveJsonLd(
    "/actors/evil",
    new Organization({
      id: new URL(actorUrl),
      preferredUsername: "evil",
      name: "Not a hostile peer at all",
      inbox: new URL(`${actorUrl}/inbox`),
      streams: [streamUrl],
      publicKey: new CryptographicKey({
        id: ownRsa.keyId,
        owner: new URL(actorUrl),
        publicKey: ownRsa.pair.publicKey,
      }),
      assertionMethods: [
        new Multikey({
          id: ownEd.keyId,
          controller: new URL(actorUrl),
          publicKey: ownEd.pair.publicKey,
        }),
      ],
    }),
  );

  const peer: HostilePeer = {
    url,
    actorUrl,
    ownRsa,
    ownEd,
    forgedRsa,
    forgedEd,
    requests,
    serve: (path, document) => documents.set(path, document),
    answer: (path, status) =>
      status === null ? statuses.delete(path) : statuses.set(path, status),
    async setKnownSyntheses(items) {
      const activities = await Promise.all(items.map((item) => Activity.fromJsonLd(item)));
      await serveJsonLd(
        streamUrl.pathname,
        new OrderedCollection({ id: streamUrl, totalItems: items.length, items: activities }),
      );
    },
    async prove(json, key) {
      const { proof: _proof, signature: _signature, ...bare } = json;
      const activity = await Activity.fromJsonLd(bare);
      const signed = await signObject(activity, key.pair.privateKey, key.keyId);
      return (await signed.toJsonLd({ format: "compact" })) as Record<string, unknown>;
    },
    async ldSign(json, key) {
      const { signature: _signature, ...bare } = json;
      return (await signJsonLd(bare, key.pair.privateKey, key.keyId, {})) as Record<
        string,
        unknown
      >;
    },
    async post(inbox, body, key, contentType = "application/activity+json") {
      let request = new Request(inbox, {
        method: "POST",
        headers: { "content-type": contentType },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      if (key) request = await signRequest(request, key.pair.privateKey, key.keyId);
      const response = await fetch(request);
      return { status: response.status, text: await response.text() };
    },
    announce(inner) {
      return {
        "@context": AS,
        id: `${url}/activities/${randomUUID()}`,
        type: "Announce",
        actor: peer.actorUrl,
        object: inner,
        to: PUBLIC,
      };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return peer;
}
