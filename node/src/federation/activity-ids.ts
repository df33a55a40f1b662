import type { Context } from "@fedify/fedify";
import { type Activity, Announce, PUBLIC_COLLECTION, type Recipient } from "@fedify/vocab";
import { activityUrl, type OutboxType } from "../services/outbox";
import type { FederationDeps } from "./context";

/** Whether a URL's origin is the given actor's (ids an actor mints must be on its own server). */
export const sameOrigin = (a: URL | string, b: URL | string) =>
  new URL(a).origin === new URL(b).origin;

/** Drops the Linked Data signature: integrity proofs verify only over the activity without it. */
export function withoutSignature(json: unknown): Record<string, unknown> {
  const { signature: _signature, ...rest } = json as Record<string, unknown>;
  return rest;
}

/**
 * Builds an activity under a new id of the outbox table (so it stays dereferenceable at
 * /activities/{uuid}), keeps its JSON there, sends it at once through Fedify's queue (an empty
 * list of recipients sends nothing) and marks it sent.
 */
async function recordAndSend<T extends Activity>(
  ctx: Context<FederationDeps>,
  identifier: string,
  type: OutboxType,
  objectId: string,
  build: (id: URL) => T,
  recipients: Recipient | Recipient[],
): Promise<T> {
  const { outbox } = ctx.data.services;
  const row = outbox.record({ actor: identifier, type, objectId });
  const activity = build(new URL(activityUrl(ctx.canonicalOrigin, row.uuid)));
  const json = await activity.toJsonLd({ format: "compact", contextLoader: ctx.contextLoader });
  outbox.setJson(row.uuid, json as Record<string, unknown>);
  if (!Array.isArray(recipients) || recipients.length > 0) {
    await ctx.sendActivity({ identifier }, recipients, activity, { preferSharedInbox: true });
  }
  outbox.markSent(row.uuid);
  return activity;
}

/** Sends a follow-related activity (Follow, Accept, Reject, Undo) to one actor, kept in the outbox. */
export function sendControlActivity(
  ctx: Context<FederationDeps>,
  identifier: string,
  build: (id: URL) => Activity,
  recipient: Recipient,
  type: "Follow" | "Accept" | "Reject" | "Undo",
  objectId: string,
): Promise<Activity> {
  return recordAndSend(ctx, identifier, type, objectId, build, recipient);
}

/**
 * A local actor announces `object` (an activity kept as its origin signed it, or an object's URL)
 * publicly, cc its followers, to `recipients`; kept in the outbox even when there are none.
 */
export function sendAnnounce(
  ctx: Context<FederationDeps>,
  identifier: string,
  object: Activity | URL,
  objectId: string,
  recipients: Recipient[],
): Promise<Announce> {
  return recordAndSend(
    ctx,
    identifier,
    "Announce",
    objectId,
    (id) =>
      new Announce({
        id,
        actor: ctx.getActorUri(identifier),
        object,
        to: PUBLIC_COLLECTION,
        cc: ctx.getFollowersUri(identifier),
      }),
    recipients,
  );
}
