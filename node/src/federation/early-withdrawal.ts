import type { InboxContext } from "@fedify/fedify";
import type { Delete } from "@fedify/vocab";
import type { FederationDeps } from "./context";
import { provenActivityJson } from "./integrity";

/**
 * A Delete whose object this node does not hold (yet): the synthesis may still arrive, delivered
 * late or pulled from a peer that missed the withdrawal. When the origin's integrity proof
 * verifies, the Delete is kept as a tombstone, so the synthesis arrives withdrawn and never counts
 * (docs/protocol.md §6–§7, withdrawal). Unproven ones are not kept: they could not be re-served, and
 * a fediverse server's Deletes (posts, accounts) would otherwise pile up here.
 */
export async function keepEarlyWithdrawal(
  ctx: InboxContext<FederationDeps>,
  del: Delete,
): Promise<void> {
  const objectId = del.objectId;
  const actor = del.actorId;
  if (!objectId || !actor) return;
  const activity = await provenActivityJson(ctx, del);
  if (!activity) return;
  ctx.data.services.received.keepEarlyWithdrawal(actor.href, objectId.href, {
    published: del.published?.toString() ?? null,
    activity,
  });
  ctx.data.logger
    .child("inbox")
    .info(`kept ${del.id?.href} as the tombstone of ${objectId.href} (not held yet)`);
}
