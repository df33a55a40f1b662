import type { Federation } from "@fedify/fedify";
import type { Context, MiddlewareHandler, Next } from "hono";
import { bodyLimit } from "hono/body-limit";
import {
  type Grid,
  SYNTHESIS_MEDIA_TYPE,
  synthesisPayloadSchema,
  unknownGridCodes,
} from "../../../protocol/src/index";
import type { FederationDeps } from "./context";

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

const problem = (c: Context, status: 400 | 413, message: string) =>
  c.json({ error: status === 413 ? "payload_too_large" : "invalid_activity", message }, status);

/**
 * Checks inbox POSTs before Fedify parses anything (bare Fedify reads any size and answers 500 to
 * deeply nested JSON): size, JSON, depth, and — for a synthesis Create/Update delivered directly —
 * the payload schema, known grid codes and a consistent origin. Reads a clone, so the signed
 * bytes reach Fedify untouched.
 */
export function inboxGuard(grid: Grid): MiddlewareHandler[] {
  const limit = bodyLimit({
    maxSize: INBOX_BODY_LIMIT,
    onError: (c) => problem(c, 413, `inbox bodies are limited to ${INBOX_BODY_LIMIT / 1024} KiB`),
  });
  const check = async (c: Context, next: Next) => {
    if (c.req.method !== "POST") return next();
    let body: unknown;
    try {
      body = JSON.parse(await c.req.raw.clone().text());
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
    const refusal = synthesisRefusal(body, grid);
    if (refusal) return problem(c, 400, refusal);
    return next();
  };
  return [limit, check];
}

/** Why a directly delivered synthesis Create/Update must be refused, or null. */
function synthesisRefusal(body: unknown, grid: Grid): string | null {
  const activity = body as Record<string, unknown>;
  if (activity?.type !== "Create" && activity?.type !== "Update") return null;
  const object = activity.object as Record<string, unknown> | undefined;
  const source = object?.source as Record<string, unknown> | undefined;
  if (!object || typeof object !== "object" || source?.mediaType !== SYNTHESIS_MEDIA_TYPE)
    return null;
  let payload: unknown;
  try {
    payload = JSON.parse(String(source.content));
  } catch {
    return "the synthesis source is not JSON";
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
  const actor = typeof activity.actor === "string" ? activity.actor : undefined;
  const attributedTo = typeof object.attributedTo === "string" ? object.attributedTo : undefined;
  if (!actor || actor !== attributedTo || actor !== parsed.data.territory.id) {
    return "forged origin: actor, attributedTo and payload territory differ";
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
        return new Response("Not acceptable", {
          status: 406,
          headers: { "Content-Type": "text/plain", Vary: "Accept" },
        });
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
      const key = await ctx.getSignedKey().catch(() => null);
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
