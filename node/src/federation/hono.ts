import { type Federation, verifyRequest } from "@fedify/fedify";
import {
  disclosureViolations,
  duplicateJsonKey,
  type Grid,
  MIN_K,
  PROGRESS_MEDIA_TYPE,
  progressDisclosureViolations,
  progressPayloadSchema,
  SYNTHESIS_MEDIA_TYPE,
  synthesisPayloadSchema,
  unknownGridCodes,
  unknownPathCodes,
} from "@spiral-network/protocol";
import type { Context, MiddlewareHandler, Next } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { FederationDeps } from "./context";
import { createKeyCache } from "./key-cache";
import { RemoteContextRefused } from "./outbound";
import { notAcceptable } from "./routes";
import { readSourcePayload } from "./source-payload";
import { disclosureRefusal } from "./synthesis-mapper";

export const INBOX_BODY_LIMIT = 256 * 1024;
export const MAX_JSON_DEPTH = 32;

/** Nesting depth of a parsed JSON value, walked iteratively; stops once past `limit`. */
export function jsonDepth(value: unknown, limit = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== "object") continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

const ERRORS = { 400: "invalid_activity", 413: "payload_too_large", 415: "unsupported_media_type" };
const problem = (c: Context, status: 400 | 413 | 415, message: string) =>
  c.json({ error: ERRORS[status], message }, status);

const ACTIVITY_STREAMS = "https://www.w3.org/ns/activitystreams";

/**
 * Whether a Content-Type names an ActivityStreams document: `application/activity+json`, or
 * `application/ld+json` with no profile or the ActivityStreams one. Plain `application/json` is
 * not: what a server signed as some other type is no activity.
 */
export function isActivityContentType(header: string | undefined): boolean {
  if (!header) return false;
  const [essence = "", ...parameters] = header.split(";").map((part) => part.trim());
  const type = essence.toLowerCase();
  if (type === "application/activity+json") return true;
  if (type !== "application/ld+json") return false;
  const profile = parameters.find((p) => p.toLowerCase().startsWith("profile="));
  if (profile === undefined) return true;
  const value = profile.slice("profile=".length).replace(/^"(.*)"$/, "$1");
  return value.split(/\s+/).includes(ACTIVITY_STREAMS);
}

/**
 * Checks inbox POSTs before Fedify parses anything (bare Fedify reads any size and answers 500 to
 * deeply nested JSON): content type, size, JSON, duplicate keys, depth, and — for a synthesis
 * Create/Update delivered directly — the payload schema, known grid codes, the disclosure floors
 * and a consistent origin. Reads a clone, so the signed bytes reach Fedify untouched.
 */
export function inboxGuard(grid: Grid): [MiddlewareHandler, MiddlewareHandler] {
  const limit = bodyLimit({
    maxSize: INBOX_BODY_LIMIT,
    onError: (c) => problem(c, 413, `inbox bodies are limited to ${INBOX_BODY_LIMIT / 1024} KiB`),
  });
  const check = async (c: Context, next: Next) => {
    if (c.req.method !== "POST") return next();
    if (!isActivityContentType(c.req.header("content-type"))) {
      return problem(
        c,
        415,
        'an activity is posted as application/activity+json or application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
      );
    }
    let body: unknown;
    let text: string;
    try {
      text = await c.req.raw.clone().text();
      body = JSON.parse(text);
    } catch {
      return problem(c, 400, "the body is not JSON");
    }
    // A bare string makes Fedify dereference it as a URL and fail with a 500; arrays and other
    // scalars are no activity either.
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      return problem(c, 400, "an activity must be a JSON object");
    }
    if (jsonDepth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      return problem(c, 400, `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    }
    const duplicate = duplicateJsonKey(text);
    if (duplicate !== null) {
      return problem(c, 400, `duplicate key ${JSON.stringify(duplicate)} in one JSON object`);
    }
    const refusal = synthesisRefusal(body, grid);
    if (refusal) return problem(c, 400, refusal);
    return next();
  };
  return [limit, check];
}

/** A JSON-LD value written as a one-element array (`["Create"]`) is the same value. */
const single = (value: unknown) =>
  Array.isArray(value) && value.length === 1 ? (value[0] as unknown) : value;

/**
 * Why a directly delivered synthesis Create/Update must be refused, or null. JSON-LD spellings
 * Fedify reads the same way (`@type`, one-element arrays, `@value`) are read the same way here.
 */
function synthesisRefusal(body: unknown, grid: Grid): string | null {
  const activity = body as Record<string, unknown>;
  const type = single(activity.type ?? activity["@type"]);
  if (type !== "Create" && type !== "Update") return null;
  const object = single(activity.object) as Record<string, unknown> | undefined;
  const source = single(object?.source) as Record<string, unknown> | undefined;
  if (object && typeof object === "object" && single(source?.mediaType) === PROGRESS_MEDIA_TYPE) {
    return progressRefusal(activity, object, single(source?.content), grid);
  }
  if (!object || typeof object !== "object" || single(source?.mediaType) !== SYNTHESIS_MEDIA_TYPE)
    return null;
  const content = single(source?.content);
  const text = String(
    typeof content === "object" && content !== null && "@value" in content
      ? content["@value"]
      : content,
  );
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return "the synthesis source is not JSON";
  }
  const duplicate = duplicateJsonKey(text);
  if (duplicate !== null) {
    return `duplicate key ${JSON.stringify(duplicate)} in the synthesis source`;
  }
  const parsed = synthesisPayloadSchema.safeParse(payload);
  if (!parsed.success) {
    const first = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".")}: ${i.message}`)
      .join("; ");
    return `invalid synthesis payload: ${first}`;
  }
  if (parsed.data.grid.id === grid.id && parsed.data.grid.version === grid.version) {
    const unknown = unknownGridCodes(parsed.data, grid);
    if (unknown.length > 0) return `unknown grid codes: ${unknown.join(", ")}`;
  }
  const unsafe = disclosureViolations(parsed.data);
  if (unsafe.length > 0) return disclosureRefusal(unsafe);
  const actor = single(activity.actor);
  const attributedTo = single(object.attributedTo);
  if (!actor || actor !== attributedTo || actor !== parsed.data.territory.id) {
    return "forged origin: actor, attributedTo and payload territory differ";
  }
  return null;
}

/**
 * Why a directly delivered progress Create/Update must be refused, or null: the same schema,
 * floors and grid check as the inbox handler (docs/protocol.md §13), and a consistent origin.
 */
function progressRefusal(
  activity: Record<string, unknown>,
  object: Record<string, unknown>,
  content: unknown,
  grid: Grid,
): string | null {
  const text = String(
    typeof content === "object" && content !== null && "@value" in content
      ? content["@value"]
      : content,
  );
  const parsed = readSourcePayload(
    { mediaType: PROGRESS_MEDIA_TYPE, content: text },
    PROGRESS_MEDIA_TYPE,
    progressPayloadSchema,
  );
  if (!parsed.ok) return parsed.reason;
  const unsafe = progressDisclosureViolations(parsed.payload, MIN_K);
  if (unsafe.length > 0) return `refused by the disclosure rules: ${unsafe.join("; ")}`;
  if (parsed.payload.grid.id === grid.id && parsed.payload.grid.version === grid.version) {
    const unknown = unknownPathCodes(parsed.payload, (code) => grid.entry(code) !== undefined);
    if (unknown.length > 0) return `unknown grid codes: ${unknown.join(", ")}`;
  }
  const actor = single(activity.actor);
  if (!actor || actor !== single(object.attributedTo) || actor !== parsed.payload.territory.id) {
    return "forged origin: actor, attributedTo and payload territory differ";
  }
  return null;
}

/** The error, or one of its causes, of the given class. */
function causeOf<T extends Error>(error: unknown, type: new (...args: never[]) => T): T | null {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (e instanceof type) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

/**
 * Mounts Fedify on Hono: federation clients get ActivityStreams, everything Fedify does not serve
 * (or a browser asking for HTML) falls through to the Hono routes at the same URL.
 */
export function federationMiddleware(
  federation: Federation<FederationDeps>,
  deps: FederationDeps,
): MiddlewareHandler {
  return async (c, next) => {
    try {
      return await fetchFederation(c, next);
    } catch (error) {
      // Fedify re-throws what JSON-LD processing of a posted activity raises (e.g. a remote
      // @context that cannot be loaded): the sender's fault, so 400 rather than 500.
      if (c.req.method === "POST" && error instanceof Error && error.name.startsWith("jsonld.")) {
        return problem(c, 400, `the activity is not valid JSON-LD: ${error.message}`);
      }
      // An unknown @context is refused, never fetched (see outbound.ts): also the sender's fault.
      const refusal = causeOf(error, RemoteContextRefused);
      if (c.req.method === "POST" && refusal) return problem(c, 400, refusal.message);
      throw error;
    }
  };
  function fetchFederation(c: Context, next: Next) {
    return federation.fetch(c.req.raw, {
      contextData: deps,
      onNotFound: async () => {
        await next();
        return c.res;
      },
      onNotAcceptable: async () => {
        await next();
        if (c.res.status !== 404) return c.res;
        return notAcceptable();
      },
    });
  }
}

/**
 * Notes each activity posted to an inbox with an HTTP signature by its own actor's key (the key
 * served from the actor's origin): only such a delivery shows that its peer is up (README
 * "Operations", delivery retries; see peer-recovery.ts). Fedify also accepts a copy posted by
 * anyone when its embedded proof verifies, so acceptance alone does not say who sent it.
 */
export function signedDeliveryWitness(
  federation: Federation<FederationDeps>,
  deps: FederationDeps,
): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== "POST" || !c.req.header("signature")) return next();
    const claimed = await claimedIds(c);
    if (claimed) {
      const ctx = federation.createContext(c.req.raw.clone(), deps);
      // With the node's key cache (Fedify's getSignedKey has none: it would load and parse the
      // key's actor document on every POST); cached keys pass the key binding all the same.
      const key = await verifyRequest(c.req.raw.clone(), {
        documentLoader: ctx.documentLoader,
        contextLoader: ctx.contextLoader,
        keyCache: createKeyCache(deps.kv),
      }).catch(() => null);
      if (key?.id?.origin === claimed.actor.origin && key.ownerId?.href === claimed.actor.href) {
        deps.signedDeliveries.note(claimed.id, claimed.actor.href);
      }
    }
    return next();
  };
}

/** The id and actor a posted activity claims (both URLs), or null. */
async function claimedIds(c: Context): Promise<{ id: URL; actor: URL } | null> {
  try {
    const body = JSON.parse(await c.req.raw.clone().text()) as Record<string, unknown>;
    const actor = body.actor as unknown;
    const actorId = typeof actor === "string" ? actor : (actor as { id?: unknown } | null)?.id;
    if (typeof body.id !== "string" || typeof actorId !== "string") return null;
    return { id: new URL(body.id), actor: new URL(actorId) };
  } catch {
    return null;
  }
}
