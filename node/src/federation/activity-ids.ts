import type { Context } from "@fedify/fedify";
import type { Activity } from "@fedify/vocab";
import { activityUrl } from "../services/outbox";
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
 * Sends a follow-related activity (Follow, Accept, Reject, Undo) at once through Fedify's queue
 * and keeps it in the outbox table so its id stays dereferenceable at /activities/{uuid}.
 */
export async function sendControlActivity(
  ctx: Context<FederationDeps>,
  identifier: string,
  build: (id: URL) => Activity,
  recipient: {
    id: URL | null;
    inboxId: URL | null;
    endpoints?: { sharedInbox: URL | null } | null;
  },
  type: "Follow" | "Accept" | "Reject" | "Undo",
  objectId: string,
): Promise<Activity> {
  const { outbox } = ctx.data.services;
  const row = outbox.record({ actor: identifier, type, objectId });
  const activity = build(new URL(activityUrl(ctx.canonicalOrigin, row.uuid)));
  const json = await activity.toJsonLd({ format: "compact", contextLoader: ctx.contextLoader });
  outbox.setJson(row.uuid, json as Record<string, unknown>);
  await ctx.sendActivity({ identifier }, recipient, activity, { preferSharedInbox: true });
  outbox.markSent(row.uuid);
  return activity;
}
