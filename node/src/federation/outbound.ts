import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net, { type LookupFunction } from "node:net";
import { type DocumentLoader, signRequest } from "@fedify/fedify";
import {
  FetchError,
  isValidPublicIPv4Address,
  isValidPublicIPv6Address,
  preloadedContexts,
} from "@fedify/vocab-runtime";
import type { OutboundPolicy, Resolve } from "./outbound-limits";

/**
 * Every fetch this node makes itself (actors, keys, WebFinger, collection pages, pulls) goes
 * through here: a deadline for the whole exchange, a ceiling on the body, redirects followed by
 * hand and checked hop by hop, and — unless ALLOW_PRIVATE_ADDRESSES=true — no connection to a
 * loopback, link-local or private address, checked on the addresses the connection actually
 * uses (so a name that resolves to 127.0.0.1 today is refused even if it was public yesterday).
 * See docs/running-a-node.md ("Configuration") and docs/protocol.md ("Outbound requests").
 */

export {
  DEFAULT_OUTBOUND_LIMITS,
  type OutboundLimits,
  type OutboundPolicy,
  type Resolve,
} from "./outbound-limits";

const MAX_REDIRECTS = 5;

type OutboundErrorKind = "timeout" | "too-large" | "private";

/** A fetch this node refused to finish: too slow, too big, or aimed at a private address. */
export class OutboundError extends FetchError {
  override name = "OutboundError";
  constructor(
    readonly kind: OutboundErrorKind,
    url: URL | string,
    message: string,
  ) {
    super(url, message);
  }
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;
const mebibytes = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${Number((bytes / 1024 / 1024).toFixed(2))} MiB` : `${bytes} bytes`;

export const timeoutMessage = (url: string, ms: number) =>
  `${url} did not answer within ${seconds(ms)}`;
export const tooLargeMessage = (url: string, bytes: number) =>
  `${url} answered more than ${mebibytes(bytes)}`;
const privateMessage = (url: string) =>
  `${url} is on this machine or a private network (ALLOW_PRIVATE_ADDRESSES is off)`;

const defaultResolve: Resolve = async (hostname) =>
  (await dns.promises.lookup(hostname, { all: true })).map((a) => a.address);

/** Whether an IP address is public (not loopback, private, link-local, multicast…). */
export function isPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return isValidPublicIPv4Address(address);
  if (family === 6) return isValidPublicIPv6Address(address);
  return false;
}

const bareHost = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, "$1");

/** `localhost`, or an IP literal that is not public: refused without resolving anything. */
function isPrivateLiteral(url: URL): boolean {
  const host = bareHost(url);
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  return net.isIP(host) !== 0 && !isPublicAddress(host);
}

/**
 * Where a URL points: "public", "private" (a literal private address, `localhost`, or a name
 * with any private address), or "unresolved" (the name does not resolve: for the caller's own
 * fetch to report).
 */
export async function addressKind(
  url: URL,
  resolve: Resolve = defaultResolve,
): Promise<"public" | "private" | "unresolved"> {
  if (isPrivateLiteral(url)) return "private";
  const host = bareHost(url);
  if (net.isIP(host)) return "public";
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch {
    return "unresolved";
  }
  if (addresses.length === 0) return "unresolved";
  return addresses.every(isPublicAddress) ? "public" : "private";
}

/**
 * The `lookup` of a connection that may only reach public addresses: the check happens on the
 * very addresses the socket connects to, which closes the gap between a check and the fetch.
 */
function publicOnlyLookup(resolve: Resolve): LookupFunction {
  return (hostname, options, callback) => {
    const wanted = options.family as number | string | undefined;
    const family = wanted === "IPv4" ? 4 : wanted === "IPv6" ? 6 : wanted;
    const fail = (message: string, code: string) =>
      callback(Object.assign(new Error(message), { code }), "", 0);
    resolve(hostname).then(
      (addresses) => {
        const refused = addresses.find((a) => !isPublicAddress(a));
        if (refused) return fail(`${hostname} resolves to ${refused}`, "EPRIVATEADDRESS");
        const all = addresses
          .map((address) => ({ address, family: net.isIP(address) }))
          .filter((a) => !family || a.family === family);
        const [first] = all;
        if (!first) return fail(`${hostname} has no usable address`, "ENOTFOUND");
        if (options.all) return (callback as (e: null, a: typeof all) => void)(null, all);
        callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 0),
    );
  };
}

export interface GuardedResponse {
  url: URL;
  status: number;
  contentType: string;
  body: string;
}

interface GuardedRequest {
  accept: string;
  /** Aborts the fetch early (e.g. the deadline of a whole pull). */
  signal?: AbortSignal | undefined;
  /** Signs each request (an HTTP Signature for fetches made on behalf of an actor). */
  sign?: ((request: Request) => Promise<Request>) | undefined;
}

/** GET with the node's limits: timeout, size, redirects re-checked, private addresses refused. */
export async function guardedGet(
  target: URL,
  request: GuardedRequest,
  policy: OutboundPolicy,
): Promise<GuardedResponse> {
  const deadline = AbortSignal.timeout(policy.timeoutMs);
  const signal = request.signal ? AbortSignal.any([deadline, request.signal]) : deadline;
  let url = target;
  try {
    for (let hop = 0; ; hop++) {
      const response = await getOnce(url, request, policy, signal);
      const location = response.status >= 300 && response.status < 400 && response.location;
      if (!location) return response;
      if (hop >= MAX_REDIRECTS)
        throw new FetchError(target, `more than ${MAX_REDIRECTS} redirects`);
      url = new URL(location, url);
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw new FetchError(target, `redirected to ${url.protocol} URL`);
      }
    }
  } catch (error) {
    if (deadline.aborted) {
      throw new OutboundError("timeout", target, timeoutMessage(target.href, policy.timeoutMs));
    }
    if (request.signal?.aborted) throw request.signal.reason;
    throw error;
  }
}

async function getOnce(
  url: URL,
  request: GuardedRequest,
  policy: OutboundPolicy,
  signal: AbortSignal,
): Promise<GuardedResponse & { location: string | null }> {
  if (!policy.allowPrivateAddress && isPrivateLiteral(url)) {
    throw new OutboundError("private", url, privateMessage(url.href));
  }
  const headers = await requestHeaders(url, request, policy);
  const lookup = policy.allowPrivateAddress
    ? undefined
    : publicOnlyLookup(policy.resolve ?? defaultResolve);
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    // No shared agent: a pooled socket must not carry one node's policy over to another.
    const req = client.request(url, {
      headers,
      signal,
      agent: false,
      ...(lookup ? { lookup } : {}),
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPRIVATEADDRESS") {
        reject(new OutboundError("private", url, privateMessage(url.href)));
      } else reject(error);
    });
    req.on("response", (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location ?? null;
      const contentType = res.headers["content-type"] ?? "";
      if (status >= 300 && status < 400 && location) {
        res.resume();
        return resolve({ url, status, contentType, body: "", location });
      }
      readBody(res, url, policy.maxBytes).then(
        (body) => resolve({ url, status, contentType, body, location: null }),
        (error) => {
          req.destroy();
          reject(error);
        },
      );
    });
    req.end();
  });
}

async function requestHeaders(
  url: URL,
  request: GuardedRequest,
  policy: OutboundPolicy,
): Promise<Record<string, string>> {
  const base = { accept: request.accept, "user-agent": policy.userAgent };
  if (!request.sign) return base;
  const signed = await request.sign(new Request(url, { headers: base }));
  return Object.fromEntries(signed.headers.entries());
}

/** The body as text, refused as soon as it passes `maxBytes` (announced or actually sent). */
function readBody(res: http.IncomingMessage, url: URL, maxBytes: number): Promise<string> {
  const tooLarge = () => new OutboundError("too-large", url, tooLargeMessage(url.href, maxBytes));
  const announced = Number(res.headers["content-length"]);
  if (Number.isFinite(announced) && announced > maxBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(tooLarge()); // first: destroying emits "aborted"
        res.destroy();
      } else chunks.push(chunk);
    });
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    res.on("error", reject);
    res.on("aborted", () => reject(new FetchError(url, "the connection was cut")));
  });
}

const ACTIVITY_ACCEPT =
  'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';
const JSON_TYPE = /^application\/([a-z.+-]*\+)?json\b/i;

/**
 * Fedify's document loader over guardedGet (actors, keys, objects, collection pages); `sign`
 * makes it the authenticated loader of an actor (signed GETs, for servers that require them).
 */
export function createDocumentLoader(
  policy: OutboundPolicy,
  sign?: (request: Request) => Promise<Request>,
): DocumentLoader {
  return async (url, options) => {
    if (url in preloadedContexts) {
      return { contextUrl: null, document: preloadedContexts[url], documentUrl: url };
    }
    const target = new URL(url);
    const get = (at: URL) =>
      guardedGet(
        at,
        { accept: ACTIVITY_ACCEPT, signal: options?.signal ?? undefined, sign },
        policy,
      );
    let response = await get(target);
    // A web page may name its ActivityStreams version (<link rel="alternate">): one more hop.
    const alternate = response.status < 400 ? alternateOf(response) : null;
    if (alternate) response = await get(alternate);
    if (response.status >= 400) throw new FetchError(target, `HTTP ${response.status}`);
    if (!JSON_TYPE.test(response.contentType)) {
      throw new FetchError(target, `not JSON (${response.contentType || "no content type"})`);
    }
    let document: unknown;
    try {
      document = JSON.parse(response.body);
    } catch {
      throw new FetchError(target, "invalid JSON");
    }
    return { contextUrl: null, document, documentUrl: response.url.href };
  };
}

const ALTERNATE_TYPE =
  /^application\/(activity\+json|ld\+json;\s*profile="https:\/\/www\.w3\.org\/ns\/activitystreams")$/i;

/** The ActivityStreams alternate an HTML page links to (`<link rel="alternate" …>`), if any. */
function alternateOf(response: GuardedResponse): URL | null {
  if (!/^text\/html\b/i.test(response.contentType)) return null;
  for (const [tag] of response.body.matchAll(/<link\b[^>]*>/gi)) {
    const attribute = (name: string) =>
      new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)')`, "i").exec(tag)?.slice(2).find(Boolean);
    const type = attribute("type")?.replace(/&quot;/g, '"');
    if (!/\balternate\b/i.test(attribute("rel") ?? "") || !ALTERNATE_TYPE.test(type ?? ""))
      continue;
    const href = attribute("href")?.replace(/&amp;/g, "&");
    if (href && URL.canParse(href, response.url)) return new URL(href, response.url);
  }
  return null;
}

/** An actor's key pair signs the GETs of its authenticated document loader. */
export function signedBy(identity: { keyId: URL; privateKey: CryptoKey }) {
  return (request: Request) =>
    signRequest(request, identity.privateKey, identity.keyId, {
      spec: "draft-cavage-http-signatures-12",
    });
}

/**
 * The JSON-LD context loader: the well-known contexts Fedify ships (ActivityStreams, security,
 * data integrity, multikey…), nothing else. An activity whose @context names any other URL is
 * refused before anything is fetched — in particular before its signature is checked, when a
 * remote context would let anyone make this node fetch an address of their choosing.
 */
export function createContextLoader(): DocumentLoader {
  return async (url) => {
    const document = preloadedContexts[url];
    if (document === undefined) throw new RemoteContextRefused(url);
    return { contextUrl: null, document, documentUrl: url };
  };
}

export class RemoteContextRefused extends FetchError {
  override name = "RemoteContextRefused";
  constructor(url: string) {
    super(url, `the JSON-LD context ${url} is not one of the well-known contexts; not fetched`);
  }
}
