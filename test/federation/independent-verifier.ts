import { createHash, createPublicKey, verify } from "node:crypto";
import canonicalize from "canonicalize";

/**
 * An eddsa-jcs-2022 verifier written from the W3C vc-di-eddsa algorithm and FEP-8b32, sharing
 * nothing with Fedify or the node: RFC 8785 canonicalization (`canonicalize`), SHA-256 and
 * Ed25519 from node:crypto, a base58btc decoder of its own. It fetches the key named by the proof
 * from the actor's `assertionMethod` and checks that the key's controller is the activity's actor.
 */

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/** Base58btc (Bitcoin alphabet) to bytes. */
export function decodeBase58(text: string): Uint8Array {
  let value = 0n;
  for (const char of text) {
    const digit = BASE58.indexOf(char);
    if (digit < 0) throw new Error(`not base58: ${char}`);
    value = value * 58n + BigInt(digit);
  }
  const bytes: number[] = [];
  while (value > 0n) {
    bytes.unshift(Number(value % 256n));
    value /= 256n;
  }
  const zeros = text.match(/^1*/)?.[0].length ?? 0;
  return new Uint8Array([...new Array(zeros).fill(0), ...bytes]);
}

/** A multibase (base58btc, "z") string to bytes. */
function multibase(text: unknown): Uint8Array {
  if (typeof text !== "string" || !text.startsWith("z")) throw new Error(`not base58btc: ${text}`);
  return decodeBase58(text.slice(1));
}

/** An Ed25519 Multikey (multicodec 0xed01 + 32 bytes) as a node:crypto public key. */
function ed25519PublicKey(publicKeyMultibase: unknown) {
  const bytes = multibase(publicKeyMultibase);
  if (bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) {
    throw new Error("not an Ed25519 Multikey");
  }
  const x = Buffer.from(bytes.slice(2)).toString("base64url");
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
}

const sha256 = (value: unknown) => {
  const text = canonicalize(value);
  if (text === undefined) throw new Error("cannot canonicalize");
  return createHash("sha256").update(text, "utf8").digest();
};

type Json = Record<string, any>;

/** The Multikey a verification method names, read from its controller's actor document. */
async function assertionKey(verificationMethod: string) {
  const actorUrl = verificationMethod.split("#")[0] ?? "";
  const actor = (await fetch(actorUrl, {
    headers: { accept: "application/activity+json" },
  }).then((r) => r.json())) as Json;
  const methods = ([] as Json[]).concat(actor.assertionMethod ?? []);
  const method = methods.find((m) => m.id === verificationMethod);
  if (!method) throw new Error(`${verificationMethod} is not an assertion method of ${actorUrl}`);
  if (method.controller !== actor.id) throw new Error(`${verificationMethod}: foreign controller`);
  return {
    controller: String(method.controller),
    key: ed25519PublicKey(method.publicKeyMultibase),
  };
}

type KeyResolver = (
  verificationMethod: string,
) => Promise<{ controller: string; key: ReturnType<typeof ed25519PublicKey> }>;

/** A resolver for one known Multikey (unit tests, no HTTP). */
export const knownKey =
  (verificationMethod: string, controller: string, publicKeyMultibase: string): KeyResolver =>
  async (id) => {
    if (id !== verificationMethod) throw new Error(`unknown key ${id}`);
    return { controller, key: ed25519PublicKey(publicKeyMultibase) };
  };

/**
 * Verifies every proof of `secured` over exactly this JSON. The Linked Data signature
 * (`signature`) is dropped first: FEP-8b32 has it made after the proof, over the proof.
 * Returns the controllers that signed; throws on anything that does not verify.
 */
export async function verifyIndependently(
  secured: Json,
  resolveKey: KeyResolver = assertionKey,
): Promise<string[]> {
  const { signature: _signature, proof, ...document } = secured;
  const proofs = ([] as Json[]).concat(proof ?? []);
  if (proofs.length === 0) throw new Error(`no proof on ${secured.id}`);
  const controllers: string[] = [];
  for (const one of proofs) {
    const { proofValue, ...options } = one;
    if (options.type !== "DataIntegrityProof" || options.cryptosuite !== "eddsa-jcs-2022") {
      throw new Error(`not an eddsa-jcs-2022 proof: ${JSON.stringify(options)}`);
    }
    if (options.proofPurpose !== "assertionMethod") throw new Error("not an assertion proof");
    // The proof configuration carries the document's @context (vc-di-eddsa, "Proof Configuration").
    if (
      "@context" in options &&
      canonicalize(options["@context"]) !== canonicalize(document["@context"])
    ) {
      throw new Error("the proof's @context is not the document's");
    }
    const config = { ...options, "@context": document["@context"] };
    const { controller, key } = await resolveKey(String(options.verificationMethod));
    const data = Buffer.concat([sha256(config), sha256(document)]);
    if (!verify(null, data, key, multibase(proofValue))) {
      throw new Error(`the proof of ${secured.id} does not verify over the JSON as served`);
    }
    controllers.push(controller);
  }
  const actor = typeof secured.actor === "string" ? secured.actor : secured.actor?.id;
  if (actor && !controllers.includes(actor)) throw new Error(`no proof by the actor ${actor}`);
  return controllers;
}
