import { type Context, type DocumentLoader, type KeyCache, verifyProof } from "@fedify/fedify";
import type { Activity } from "@fedify/vocab";
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
  let proofs = 0;
  for await (const proof of activity.getProofs(options)) {
    proofs++;
    const key = await verifyProof(json, proof, options);
    if (key === null) return false;
    const signer = key.id ?? proof.verificationMethodId;
    for (const actor of activity.actorIds) {
      if (await options.binds(signer, actor)) unproven.delete(actor.href);
    }
  }
  return proofs > 0 && unproven.size === 0;
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
  );
  const verified = await proofsVerify(activity, json, {
    documentLoader: ctx.documentLoader,
    contextLoader: ctx.contextLoader,
    keyCache: createKeyCache(ctx.data.kv),
    binds: ctx.data.keyBinding.binds,
  });
  return verified ? withoutSignature(json) : null;
}
