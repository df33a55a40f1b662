import { createHash, sign as cryptoSign, KeyObject } from "node:crypto";
import type { Context } from "@fedify/fedify";
import { Activity, PUBLIC_COLLECTION, type Recipient } from "@fedify/vocab";
import { encodeMultibase } from "@fedify/vocab-runtime";
import canonicalize from "canonicalize";
import { Temporal } from "temporal-polyfill";
import type { FederationDeps } from "./context";
import { type DeliveryRecipient, enqueueForSpiralNodes } from "./spiral-deliveries";

/**
 * Integrity proofs (FEP-8b32, eddsa-jcs-2022) made over the exact JSON this node keeps, serves
 * and delivers, so that anyone can check them with a JCS canonicalizer and an Ed25519 verifier
 * (docs/protocol.md, "Integrity proofs"). Fedify's own signing covers a normalised copy that
 * differs from what it then serves and sends; here the JSON is written once, signed once, and
 * handed to Fedify's queue byte for byte.
 */

type Json = Record<string, unknown>;

const ADDRESSING = new Set(["to", "cc", "bto", "bcc", "audience"]);
const PUBLIC_CURIES = new Set(["as:Public", "Public"]);

/**
 * Writes the public collection out in full in addressing fields (`as:Public` is the same IRI
 * under the ActivityStreams context, but Lemmy and others compare plain strings). An embedded
 * object with its own `@context` (an activity relayed as its origin signed it) is left untouched.
 */
export function withFullPublicAddressing<T>(value: T, key?: string): T {
  if (typeof value === "string") {
    return (
      key && ADDRESSING.has(key) && PUBLIC_CURIES.has(value) ? PUBLIC_COLLECTION.href : value
    ) as T;
  }
  if (Array.isArray(value)) return value.map((item) => withFullPublicAddressing(item, key)) as T;
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      if (k === "@context") return [k, v];
      const embeddedDocument = v !== null && typeof v === "object" && "@context" in v;
      return [k, embeddedDocument ? v : withFullPublicAddressing(v, k)];
    }),
  ) as T;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest();

/**
 * An eddsa-jcs-2022 proof of `document` (without a `proof` of its own): the proof options carry
 * the document's `@context`; the signature is over SHA-256(JCS(options)) ‖ SHA-256(JCS(document)).
 * Hashing and signing are synchronous (microseconds), not queued on the crypto thread pool.
 */
export async function createIntegrityProof(
  document: Json,
  privateKey: CryptoKey,
  verificationMethod: URL,
  created: Temporal.Instant = Temporal.Now.instant(),
): Promise<Json> {
  const options = {
    "@context": document["@context"],
    type: "DataIntegrityProof",
    cryptosuite: "eddsa-jcs-2022",
    verificationMethod: verificationMethod.href,
    proofPurpose: "assertionMethod",
    created: created.toString(),
  };
  const signed = Buffer.concat([
    sha256(canonicalize(options) ?? ""),
    sha256(canonicalize(document) ?? ""),
  ]);
  const signature = new Uint8Array(cryptoSign(null, signed, KeyObject.from(privateKey)));
  const proofValue = new TextDecoder().decode(encodeMultibase("base58btc", signature));
  return { ...options, proofValue };
}

/** The actor's Ed25519 key pair and the id of its Multikey (what a proof names). */
async function ed25519Key(ctx: Context<FederationDeps>, identifier: string) {
  const keys = await ctx.getActorKeyPairs(identifier);
  const found = keys.find((k) => k.privateKey.algorithm.name === "Ed25519");
  if (!found?.multikey.id) throw new Error(`no Ed25519 key for ${identifier}`);
  return { privateKey: found.privateKey, id: found.multikey.id };
}

/**
 * The JSON an activity of a local actor goes out as, signed: Fedify's compact form with the public
 * collection written in full, `embed` put in verbatim (the `object` of an Announce: the relayed
 * activity with its own `@context` and proof, so it can be checked on its own), then the proof.
 */
export async function signedActivityJson(
  ctx: Context<FederationDeps>,
  identifier: string,
  activity: Activity,
  embed?: { object: Json },
): Promise<Json> {
  const compact = (await activity.toJsonLd({
    format: "compact",
    contextLoader: ctx.contextLoader,
  })) as Json;
  const { proof: _proof, signature: _signature, ...rest } = withFullPublicAddressing(compact);
  const document = embed ? { ...rest, object: embed.object } : rest;
  const key = await ed25519Key(ctx, identifier);
  return { ...document, proof: await createIntegrityProof(document, key.privateKey, key.id) };
}

/**
 * Hands a signed activity to the outbox queue exactly as `json` is. To SPIRAL recipients it goes
 * without a Linked Data signature (./spiral-deliveries.ts); to the others through Fedify, which
 * would otherwise serialise it again (dropping an embedded `@context`) and, for a proof it did
 * not make, leave `as:Public` abbreviated. Fedify adds the HTTP signatures and a Linked Data
 * signature (`signature`, made after the proof and over it, as FEP-8b32 asks). Needs a
 * federation without activity transformers (they would clone the activity).
 */
export async function sendSignedJson(
  ctx: Context<FederationDeps>,
  identifier: string,
  json: Json,
  recipients: DeliveryRecipient | DeliveryRecipient[],
  options: { preferSharedInbox: boolean; orderingKey?: string },
): Promise<void> {
  const all = Array.isArray(recipients) ? recipients : [recipients];
  const spiral = all.filter((r) => r.spiral === true);
  const others = all.filter((r) => r.spiral !== true);
  if (spiral.length > 0 && !(await enqueueForSpiralNodes(ctx, identifier, json, spiral, options))) {
    others.push(...spiral);
  }
  if (others.length > 0) await sendThroughFedify(ctx, identifier, json, others, options);
}

async function sendThroughFedify(
  ctx: Context<FederationDeps>,
  identifier: string,
  json: Json,
  recipients: Recipient[],
  options: { preferSharedInbox: boolean; orderingKey?: string },
): Promise<void> {
  const activity = await Activity.fromJsonLd(json, ctx);
  const serialise = activity.toJsonLd.bind(activity);
  activity.toJsonLd = (opts) =>
    opts?.format === "compact" && !opts.context
      ? Promise.resolve(structuredClone(json))
      : serialise(opts);
  const keys = (await ctx.getActorKeyPairs(identifier)).map((k) => ({
    keyId: k.keyId,
    privateKey: k.privateKey,
  }));
  await ctx.sendActivity(keys, recipients, activity, {
    ...options,
    // One queue message per inbox, from this very object (a fan-out task would re-parse it).
    fanout: "skip",
  });
}
