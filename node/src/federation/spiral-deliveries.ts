import { type Context, exportJwk, type MessageQueue } from "@fedify/fedify";
import type { Recipient } from "@fedify/vocab";
import type { FederationDeps } from "./context";

/**
 * Deliveries to other SPIRAL nodes without a Linked Data signature (docs/protocol.md, "Integrity
 * proofs"). Between SPIRAL nodes the HTTP signature says who delivered an activity and its
 * eddsa-jcs-2022 proof says who wrote it; an RSA Linked Data signature (RsaSignature2017) adds
 * nothing but two URDNA2015 canonicalisations (the sender's and the receiver's) and an RSA
 * operation on each side. Fedify 2.3.6 makes one whenever it is given an RSA key, which it also
 * needs for the HTTP signature; so deliveries to SPIRAL recipients are handed to Fedify's outbox
 * queue directly, as the messages its `sendActivity` would queue (one per inbox, the same keys,
 * the same ordering key), minus the `signature`. Fedify's outbox worker then sends them as any
 * other: HTTP signature, retries, circuit breaker. Other recipients (Mastodon…) keep getting
 * what Fedify sends, Linked Data signature included.
 */

/** A recipient as the delivery code knows it: `spiral` when it is a SPIRAL node's actor. */
export type DeliveryRecipient = Recipient & { spiral?: boolean };

/** The queue each federation's outbox worker listens on (the guarded, watched one). */
const outboxQueues = new WeakMap<object, MessageQueue>();

/** Records the queue `federation` delivers from (createSpiralFederation calls it). */
export function registerOutboxQueue(federation: object, queue: MessageQueue): void {
  outboxQueues.set(federation, queue);
}

/** JWK exports of private keys, computed once per key (Fedify exports them on every send). */
const jwks = new WeakMap<CryptoKey, Promise<JsonWebKey>>();
const jwkOf = (key: CryptoKey) => {
  let jwk = jwks.get(key);
  if (!jwk) {
    jwk = exportJwk(key);
    jwks.set(key, jwk);
  }
  return jwk;
};

/** Inboxes of `recipients` (the shared one when preferred and known), with the actors behind each. */
function inboxesOf(recipients: readonly Recipient[], preferSharedInbox: boolean) {
  const inboxes = new Map<string, { actorIds: Set<string>; sharedInbox: boolean }>();
  for (const recipient of recipients) {
    const shared = preferSharedInbox ? recipient.endpoints?.sharedInbox : null;
    const inbox = shared ?? recipient.inboxId;
    if (!inbox || !recipient.id) continue;
    const entry = inboxes.get(inbox.href) ?? { actorIds: new Set(), sharedInbox: shared != null };
    entry.actorIds.add(recipient.id.href);
    inboxes.set(inbox.href, entry);
  }
  return inboxes;
}

const ACTIVITY_STREAMS = "https://www.w3.org/ns/activitystreams#";

/**
 * Queues `json` (signed, with its proof) for each inbox of `recipients`, exactly as it is: no
 * Linked Data signature. False when this federation's queue is unknown (the caller then sends
 * through Fedify).
 */
export async function enqueueForSpiralNodes(
  ctx: Context<FederationDeps>,
  identifier: string,
  json: Record<string, unknown>,
  recipients: readonly Recipient[],
  options: { preferSharedInbox: boolean; orderingKey?: string | undefined },
): Promise<boolean> {
  const queue = outboxQueues.get(ctx.federation);
  if (!queue || typeof json.id !== "string" || typeof json.type !== "string") return false;
  const keys = await Promise.all(
    (await ctx.getActorKeyPairs(identifier)).map(async (pair) => ({
      keyId: pair.keyId.href,
      privateKey: await jwkOf(pair.privateKey),
    })),
  );
  const started = new Date().toISOString();
  for (const [inbox, { actorIds, sharedInbox }] of inboxesOf(
    recipients,
    options.preferSharedInbox,
  )) {
    const orderingKey =
      options.orderingKey === undefined
        ? undefined
        : `${options.orderingKey}\n${new URL(inbox).origin}`;
    const message = {
      type: "outbox",
      id: crypto.randomUUID(),
      baseUrl: ctx.origin,
      keys,
      activity: json,
      activityId: json.id,
      activityType: `${ACTIVITY_STREAMS}${json.type}`,
      inbox,
      sharedInbox,
      actorIds: [...actorIds],
      started,
      attempt: 0,
      headers: {},
      ...(orderingKey === undefined ? {} : { orderingKey }),
      traceContext: {},
    };
    await queue.enqueue(message, orderingKey === undefined ? undefined : { orderingKey });
  }
  return true;
}
