import { createHash, verify as cryptoVerify, KeyObject } from "node:crypto";
import {
  type Context,
  type DocumentLoader,
  fetchKey,
  type KeyCache,
  verifyProof,
} from "@fedify/fedify";
import { Activity, Multikey } from "@fedify/vocab";
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

type ProofOptions = Parameters<typeof proofsVerify>[2];

/** The eddsa-jcs-2022 proofs of a JSON document as written; null if one is malformed or none. */
function rawProofs(json: Json): Json[] | null {
  const proofs = ([] as unknown[]).concat(json.proof ?? []);
  const wellFormed = proofs.every(
    (p) =>
      p !== null &&
      typeof p === "object" &&
      !Array.isArray(p) &&
      (p as Json).type === "DataIntegrityProof" &&
      (p as Json).cryptosuite === "eddsa-jcs-2022" &&
      (p as Json).proofPurpose === "assertionMethod" &&
      typeof (p as Json).proofValue === "string" &&
      typeof (p as Json).created === "string" &&
      typeof (p as Json).verificationMethod === "string" &&
      URL.canParse((p as Json).verificationMethod as string),
  );
  return wellFormed && proofs.length > 0 ? (proofs as Json[]) : null;
}

/** The Ed25519 key behind a proof's verification method (cached unless `fresh`), or null. */
async function proofKey(keyId: URL, options: ProofOptions, fresh: boolean) {
  const keyCache: KeyCache = fresh
    ? { get: () => Promise.resolve(undefined), set: (id, key) => options.keyCache.set(id, key) }
    : options.keyCache;
  try {
    const { key, cached } = await fetchKey(keyId, Multikey, { ...options, keyCache });
    if (key?.publicKey.algorithm.name !== "Ed25519") return null;
    return { key, cached };
  } catch {
    return null;
  }
}

/**
 * Checks the integrity proofs of an activity over its JSON exactly as received — JCS and
 * Ed25519, no JSON-LD processing (docs/protocol.md §6, "Integrity proofs"): every proof must
 * verify, and together they must vouch for every actor (`binds`, as {@link proofsVerify}). A
 * proof that fails with a cached key is checked once more with the key fetched again (rotation).
 */
export async function rawProofsVerify(
  activity: Activity,
  json: Json,
  options: ProofOptions,
): Promise<boolean> {
  const proofs = rawProofs(json);
  if (!proofs) return false;
  const { proof: _proof, ...document } = json;
  const unproven = new Set(activity.actorIds.map((id) => id.href));
  for (const proof of proofs) {
    const keyId = new URL(proof.verificationMethod as string);
    let found = await proofKey(keyId, options, false);
    let valid = found !== null && verifiesWith(document, proof, found.key.publicKey);
    if (!valid && found?.cached) {
      found = await proofKey(keyId, options, true);
      valid = found !== null && verifiesWith(document, proof, found.key.publicKey);
    }
    if (!valid || !found) return false;
    const signer = found.key.id ?? keyId;
    for (const actor of activity.actorIds) {
      if (await options.binds(signer, actor)) unproven.delete(actor.href);
    }
  }
  return unproven.size === 0;
}

/** Whether one eddsa-jcs-2022 proof verifies over `document` (synchronous: no thread pool). */
function verifiesWith(document: Json, proof: Json, key: CryptoKey): boolean {
  const { proofValue, ...config } = proof;
  const context = canonicalize(document["@context"]);
  if ("@context" in config && canonicalize(config["@context"]) !== context) return false;
  let signature: Uint8Array;
  try {
    signature = decodeMultibase(String(proofValue));
  } catch {
    return false;
  }
  const data = Buffer.concat([
    createHash("sha256")
      .update(canonicalize({ ...config, "@context": document["@context"] }) ?? "")
      .digest(),
    createHash("sha256")
      .update(canonicalize(document) ?? "")
      .digest(),
  ]);
  try {
    return cryptoVerify(null, data, KeyObject.from(key), signature);
  } catch {
    return false;
  }
}

/**
 * The JSON an activity arrived as, if Fedify handed it over: a delivery's body as posted (the
 * inbox context keeps it), or the activity an Announce carried; null otherwise.
 */
function receivedJson(ctx: Context<FederationDeps>, activity: Activity): Json | null {
  const id = activity.id?.href;
  const payload = (ctx as { activity?: unknown }).activity;
  const isRecord = (v: unknown): v is Json =>
    v !== null && typeof v === "object" && !Array.isArray(v);
  if (!id || !isRecord(payload)) return null;
  if (payload.id === id) return payload;
  return isRecord(payload.object) && payload.object.id === id ? payload.object : null;
}

/**
 * A received activity's JSON without `signature` (what is kept and passed on) if its integrity
 * proofs verify, with the node's key cache; else null. The JSON as received is checked first
 * (JCS needs no JSON-LD processing); an activity Fedify re-serialised (routed from a pull) is
 * checked in its compact form.
 */
export async function provenActivityJson(
  ctx: Context<FederationDeps>,
  activity: Activity,
): Promise<Record<string, unknown> | null> {
  const options = {
    documentLoader: ctx.documentLoader,
    contextLoader: ctx.contextLoader,
    keyCache: createKeyCache(ctx.data.kv),
    binds: ctx.data.keyBinding.binds,
  };
  const raw = receivedJson(ctx, activity);
  if (raw) {
    const json = withoutSignature(raw);
    if (await rawProofsVerify(activity, json, options)) return json;
  }
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
