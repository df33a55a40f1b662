import type { Context } from "@fedify/fedify";
import { type Activity, Announce, PUBLIC_COLLECTION, type Recipient } from "@fedify/vocab";
import { activityUrl, type OutboxType } from "../services/outbox";
import type { FederationDeps } from "./context";
import { sendSignedJson, signedActivityJson } from "./proofs";

/** Whether a URL's origin is the given actor's (ids an actor mints must be on its own server). */
export const sameOrigin = (a: URL | string, b: URL | string) =>
  new URL(a).origin === new URL(b).origin;

/** Whether the activity is addressed to everyone (only public activities are relayed or passed on). */
export const isPublicActivity = (activity: Activity) =>
  [...activity.toIds, ...activity.ccIds].some((id) => id.href === PUBLIC_COLLECTION.href);

/**
 * Whether an actor's inbox and shared inbox are on its own origin (docs/protocol.md §9): a
 * follower naming another host's inbox would have this node send traffic to a host that never
 * asked for it.
 */
export const inboxesOnOwnOrigin = (actor: {
  id: URL;
  inboxId: URL;
  endpoints?: { sharedInbox?: URL | null } | null;
}) => {
  const shared = actor.endpoints?.sharedInbox;
  return sameOrigin(actor.inboxId, actor.id) && (!shared || sameOrigin(shared, actor.id));
};

/** Drops the Linked Data signature: integrity proofs verify only over the activity without it. */
export function withoutSignature(json: unknown): Record<string, unknown> {
  const { signature: _signature, ...rest } = json as Record<string, unknown>;
  return rest;
}

/**
 * Builds an activity under a new id of the outbox table (so it stays dereferenceable at
 * /activities/{uuid}), signs it, keeps that JSON there, sends exactly it at once through
 * Fedify's queue (an empty list of recipients sends nothing) and marks it sent.
 */
async function recordAndSend<T extends Activity>(
  ctx: Context<FederationDeps>,
  identifier: string,
  type: OutboxType,
  objectId: string,
  build: (id: URL) => T,
  recipients: Recipient | Recipient[],
  options: { preferSharedInbox: boolean; embed?: { object: Record<string, unknown> } },
): Promise<T> {
  const { outbox } = ctx.data.services;
  const row = outbox.record({ actor: identifier, type, objectId });
  const activity = build(new URL(activityUrl(ctx.canonicalOrigin, row.uuid)));
  const json = await signedActivityJson(ctx, identifier, activity, options.embed);
  outbox.setJson(row.uuid, json);
  if (!Array.isArray(recipients) || recipients.length > 0) {
    await sendSignedJson(ctx, identifier, json, recipients, {
      preferSharedInbox: options.preferSharedInbox,
    });
  }
  outbox.markSent(row.uuid);
  return activity;
}

/**
 * Sends a follow-related activity (Follow, Accept, Reject, Undo) to one actor, kept in the outbox:
 * to that actor's own inbox, never a shared one (as Mastodon does: a server reading its shared
 * inbox may drop an answer that names nobody there).
 */
export function sendControlActivity(
  ctx: Context<FederationDeps>,
  identifier: string,
  build: (id: URL) => Activity,
  recipient: Recipient,
  type: "Follow" | "Accept" | "Reject" | "Undo",
  objectId: string,
): Promise<Activity> {
  const own = { id: recipient.id, inboxId: recipient.inboxId, endpoints: null };
  return recordAndSend(ctx, identifier, type, objectId, build, own, { preferSharedInbox: false });
}

/**
 * A local actor announces `object` publicly, cc its followers, to `recipients`; kept in the
 * outbox even when there are none. `object` is an activity's JSON as its origin signed it
 * (embedded verbatim, with its own `@context` and proof, so anyone can check it on its own), or
 * an object's URL.
 */
export function sendAnnounce(
  ctx: Context<FederationDeps>,
  identifier: string,
  object: Record<string, unknown> | URL,
  objectId: string,
  recipients: Recipient[],
): Promise<Announce> {
  const inner = object instanceof URL ? undefined : withoutSignature(object);
  return recordAndSend(
    ctx,
    identifier,
    "Announce",
    objectId,
    (id) =>
      new Announce({
        id,
        actor: ctx.getActorUri(identifier),
        object: inner ? new URL(String(inner.id)) : (object as URL),
        to: PUBLIC_COLLECTION,
        cc: ctx.getFollowersUri(identifier),
      }),
    recipients,
    { preferSharedInbox: true, ...(inner ? { embed: { object: inner } } : {}) },
  );
}
