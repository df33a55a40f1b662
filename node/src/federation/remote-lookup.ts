import type { DocumentLoader } from "@fedify/fedify";
import { Object as ApObject } from "@fedify/vocab";
import { z } from "zod";
import { guardedGet, OutboundError, type OutboundPolicy, timeoutMessage } from "./outbound";

/**
 * Looks an object up by handle (@name@host, WebFinger over https) or URL, through the node's
 * guarded fetches only (Fedify's own look-up would fall back to an unbounded WebFinger request).
 * Answers null when nothing usable answers; throws OutboundError when the peer was too slow,
 * too big, or on a private address, so callers can say so.
 */

const HANDLE = /^@?([^@\s/]+)@([^@\s/]+)$/;
const AP_TYPE =
  /^application\/(activity\+json|ld\+json; *profile="https:\/\/www\.w3\.org\/ns\/activitystreams")$/;

const jrdSchema = z.looseObject({
  links: z
    .array(
      z.looseObject({ rel: z.string(), type: z.string().optional(), href: z.string().optional() }),
    )
    .optional(),
});

export interface LookupLoaders {
  documentLoader: DocumentLoader;
  contextLoader: DocumentLoader;
}

/** Outbound refusals go up; every other failure (404, bad JSON, not ActivityStreams) is null. */
async function orNull<T>(work: () => Promise<T>): Promise<T | null> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof OutboundError) throw error;
    return null;
  }
}

/** The actor URL a handle's WebFinger document names (rel=self, an ActivityStreams type). */
async function webFinger(
  user: string,
  host: string,
  policy: OutboundPolicy,
  signal: AbortSignal,
): Promise<URL | null> {
  const url = new URL(`https://${host}/.well-known/webfinger`);
  url.searchParams.set("resource", `acct:${user}@${host}`);
  const response = await orNull(() =>
    guardedGet(url, { accept: "application/jrd+json", signal }, policy),
  );
  if (response?.status !== 200) return null;
  const parsed = await orNull(async () => jrdSchema.parse(JSON.parse(response.body)));
  const self = parsed?.links?.find((l) => l.rel === "self" && l.href && AP_TYPE.test(l.type ?? ""));
  if (!self?.href || !URL.canParse(self.href)) return null;
  const href = new URL(self.href);
  return href.protocol === "https:" || href.protocol === "http:" ? href : null;
}

/**
 * The whole look-up — WebFinger, the document, a web page's alternate — fits in one timeout, so
 * a caller waiting for it waits at most that long.
 */
export async function lookUpRemote(
  identifier: string,
  loaders: LookupLoaders,
  policy: OutboundPolicy,
  signal?: AbortSignal,
): Promise<ApObject | null> {
  const deadline = AbortSignal.timeout(policy.timeoutMs);
  const timedOut = () =>
    new OutboundError("timeout", identifier, timeoutMessage(identifier, policy.timeoutMs));
  let found: ApObject | null;
  try {
    found = await lookUpWithin(
      identifier,
      loaders,
      policy,
      signal ? AbortSignal.any([deadline, signal]) : deadline,
    );
  } catch (error) {
    throw deadline.aborted ? timedOut() : error;
  }
  if (deadline.aborted) throw timedOut();
  return found;
}

async function lookUpWithin(
  identifier: string,
  loaders: LookupLoaders,
  policy: OutboundPolicy,
  signal: AbortSignal,
): Promise<ApObject | null> {
  const handle = HANDLE.exec(identifier.replace(/^acct:/, ""));
  const url = handle
    ? await webFinger(handle[1] as string, handle[2] as string, policy, signal)
    : URL.canParse(identifier)
      ? new URL(identifier)
      : null;
  if (!url) return null;
  const remote = await orNull(() => loaders.documentLoader(url.href, { signal }));
  if (!remote) return null;
  const documentUrl = new URL(remote.documentUrl);
  const object = await orNull(() =>
    ApObject.fromJsonLd(remote.document, {
      documentLoader: loaders.documentLoader,
      contextLoader: loaders.contextLoader,
      baseUrl: documentUrl,
    }),
  );
  // A document may only speak for its own server.
  if (!object || (object.id && object.id.origin !== documentUrl.origin)) return null;
  return object;
}
