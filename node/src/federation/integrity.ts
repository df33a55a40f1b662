import { type Context, type DocumentLoader, type KeyCache, verifyProof } from "@fedify/fedify";
import { Activity } from "@fedify/vocab";
import { decodeMultibase } from "@fedify/vocab-runtime";
import canonicalize from "canonicalize";
import { withoutSignature } from "./activity-ids";
import type { FederationDeps } from "./context";
import { createKeyCache } from "./key-cache";
import { withFullPublicAddressing } from "./proofs";

/**
 * Checks the integrity proofs (FEP-8b32) of an activity we already parsed, over its compact
 * JSON: every proof must verify and together they must vouch for every actor. Fedify's
 * verifyObject does the same but parses the activity again, which costs as much as the check.
 * A proof vouches for an actor only when its key is bound to it (`binds`: the key is on the
 * actor's origin and the actor's document lists it), whatever the key's `controller` says.
 */
export async function proofsVerify(
  activity: Activity,
  json: unknown,
  options: {
    documentLoader: DocumentLoader;
    contextLoader: DocumentLoader;
    keyCache: KeyCache;
    binds: (keyId: URL | null, actorId: URL | null) => Promise<boolean>;
  },
): Promise<boolean> {
  const unproven = new Set(activity.actorIds.map((id) => id.href));
  const keys = new Map<string, CryptoKey>();
  for await (const proof of activity.getProofs(options)) {
    const key = await verifyProof(json, proof, options);
    if (key?.publicKey == null || !proof.verificationMethodId) return false;
    keys.set(proof.verificationMethodId.href, key.publicKey);
    const signer = key.id ?? proof.verificationMethodId;
    for (const actor of activity.actorIds) {
      if (await options.binds(signer, actor)) unproven.delete(actor.href);
    }
  }
  return keys.size > 0 && unproven.size === 0 && (await verifiesAsIs(json, keys));
}

const sha256 = async (text: string | undefined) =>
  new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text ?? "")));

/**
 * Whether every proof verifies over this very JSON (without `signature`), as a third party checks
 * it (docs/protocol.md §6, "Integrity proofs"). Fedify's verifyProof also accepts a proof made
 * over its normalised copy (attachments as arrays): such JSON, stored and served again, would
 * carry a proof nobody else can check.
 */
async function verifiesAsIs(json: unknown, keys: Map<string, CryptoKey>): Promise<boolean> {
  const { proof, ...document } = withoutSignature(json);
  const proofs = ([] as unknown[]).concat(proof ?? []) as Record<string, unknown>[];
  for (const { proofValue, ...options } of proofs) {
    const key = keys.get(String(options.verificationMethod));
    if (!key || typeof proofValue !== "string") return false;
    const context = canonicalize(document["@context"]);
    if ("@context" in options && canonicalize(options["@context"]) !== context) return false;
    const config = { ...options, "@context": document["@context"] };
    const data = new Uint8Array([
      ...(await sha256(canonicalize(config))),
      ...(await sha256(canonicalize(document))),
    ]);
    let signature: Uint8Array<ArrayBuffer>;
    try {
      signature = new Uint8Array(decodeMultibase(proofValue));
    } catch {
      return false;
    }
    if (!(await crypto.subtle.verify("Ed25519", key, signature, data))) return false;
  }
  return proofs.length > 0;
}

type Json = Record<string, unknown>;

/** Single `attachment` values wrapped in arrays, as Fedify writes what it signs. */
function withAttachmentArrays(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withAttachmentArrays);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      if (k === "@context") return [k, v];
      const inner = withAttachmentArrays(v);
      return [k, k === "attachment" && !Array.isArray(inner) ? [inner] : inner];
    }),
  );
}

/**
 * A received activity's compact JSON without `signature` (what is kept and passed on) if its
 * integrity proofs verify, with the node's key cache; else null.
 */
export async function provenActivityJson(
  ctx: Context<FederationDeps>,
  activity: Activity,
): Promise<Record<string, unknown> | null> {
  // Fedify writes the public collection as `as:Public`; its origin signed it in full (what
  // Fedify-based senders, this node included, send): kept that way, the stored copy re-serves
  // byte-equivalent to what was signed, so anyone can check it (./proofs.ts).
  const json = withFullPublicAddressing(
    await activity.toJsonLd({ format: "compact", contextLoader: ctx.contextLoader }),
  ) as Json;
  // Fedify-based senders sign single attachments as arrays, which its compact form writes as a
  // plain value: that form is tried too, and the one the proofs cover exactly is kept.
  const arrays = withAttachmentArrays(json) as Json;
  const candidates = canonicalize(arrays) === canonicalize(json) ? [json] : [json, arrays];
  const options = {
    documentLoader: ctx.documentLoader,
    contextLoader: ctx.contextLoader,
    keyCache: createKeyCache(ctx.data.kv),
    binds: ctx.data.keyBinding.binds,
  };
  for (const candidate of candidates) {
    if (await proofsVerify(activity, candidate, options)) return withoutSignature(candidate);
  }
  return null;
}

/**
 * Routes an activity handed over by a relay (Announce) or a pull through Fedify. Fedify's
 * routeActivity, when the proofs do not verify, fetches the activity at its id from its origin
 * and checks that copy, but then queues the JSON it was given: a relay could pass off its own
 * activity under the id of a genuine one (docs/protocol.md §8). So the given activity is routed
 * only when its proofs verify; otherwise the copy its origin serves at its id is, if it is the
 * same kind of activity.
 */
export async function routeRelayed(
  ctx: Context<FederationDeps>,
  recipient: string | null,
  activity: Activity,
): Promise<boolean> {
  if (await provenActivityJson(ctx, activity)) {
    return ctx.routeActivity(recipient, activity, { immediate: true });
  }
  const id = activity.id;
  if (!id) return false;
  const fetched = await ctx.lookupObject(id).catch(() => null);
  if (
    !(fetched instanceof Activity) ||
    fetched.id?.href !== id.href ||
    fetched.constructor !== activity.constructor
  ) {
    return false;
  }
  return ctx.routeActivity(recipient, fetched, { immediate: true });
}
