import type { Context } from "@fedify/fedify";
import type { Activity } from "@fedify/vocab";
import { isPublicActivity, sendAnnounce } from "./activity-ids";
import type { FederationDeps } from "./context";
import { followerRecipient } from "./followers";

/**
 * Propagation to followers (docs/protocol.md §8, "Propagation"): a node that has just verified a
 * version of a synthesis it did not hold — or its withdrawal — coming from a territory one of its
 * own territories follows (the origin itself, or a territory that passed it on) tells that
 * territory's SPIRAL followers at once, with an Announce carrying the origin's activity verbatim
 * (its own `@context` and proof: receivers verify it on its own, ./integrity.ts routeRelayed).
 * So a synthesis crosses a chain of followers in seconds instead of one anti-entropy pull per hop.
 *
 * Bounded by construction:
 * - only a first arrival is passed on (a version stored for the first time, a withdrawal applied
 *   for the first time): each node forwards a given version at most once, and a copy that comes
 *   back along a cycle is a duplicate that goes no further;
 * - only what verified (the caller passes the proven JSON), and only public syntheses (meetings,
 *   which may be for followers only, are never passed on this way);
 * - only from a followed territory: an Announce anyone may send is heard and verified, but it
 *   makes this node speak only when it comes from whom one of its territories follows;
 * - never to the origin, nor back to the territory that passed it on;
 * - each inbox once (a node's shared inbox once, however many territories here it follows).
 */

export interface Propagated {
  /** The origin's activity (Create, Update or Delete) as verified, without `signature`. */
  json: Record<string, unknown>;
  /** The origin (actor) and the synthesis's id. */
  origin: string;
  objectId: string;
  /** The territory that passed it on (null: it came from its origin). */
  via: string | null;
}

/**
 * The local territories that pass an arrival on: those following (accepted) its origin or the
 * territory it came through. Sub-networks are left out: a group relays to its own members.
 */
function forwarders(ctx: Context<FederationDeps>, origin: string, via: string | null): string[] {
  const sources = new Set([origin, ...(via ? [via] : [])]);
  const { services } = ctx.data;
  return services.territories
    .list()
    .filter((t) =>
      services.follows
        .following(t.slug)
        .some((f) => f.state === "accepted" && f.targetType !== "Group" && sources.has(f.target)),
    )
    .map((t) => t.slug);
}

/**
 * Passes a first arrival on to the SPIRAL followers of the territories that follow its source,
 * one Announce per territory here that has followers to reach, each sent by `send`.
 */
export async function propagateToFollowers(
  ctx: Context<FederationDeps>,
  activity: Activity,
  item: Propagated,
  send: typeof sendAnnounce = sendAnnounce,
): Promise<void> {
  if (!isPublicActivity(activity)) return;
  const skip = new Set([item.origin, ...(item.via ? [item.via] : [])]);
  // A node's shared inbox hands the activity to the whole node: reached once, whichever of
  // the territories here its territories follow (else one inbound, one outbound per territory).
  const reached = new Set<string>();
  const inboxOf = (f: { inbox: string; sharedInbox: string | null }) => f.sharedInbox ?? f.inbox;
  const logger = ctx.data.logger.child("propagation");
  for (const slug of forwarders(ctx, item.origin, item.via)) {
    const followers = ctx.data.services.follows
      .acceptedFollowers(slug)
      .filter((f) => f.spiral && !skip.has(f.follower) && !reached.has(inboxOf(f)));
    // One territory per follower, even if several here follow the same source.
    for (const f of followers) {
      skip.add(f.follower);
      reached.add(inboxOf(f));
    }
    if (followers.length === 0) continue;
    try {
      await send(ctx, slug, item.json, item.objectId, followers.map(followerRecipient));
    } catch (error) {
      // Stored already: a retry of the delivery would be a duplicate, passed on by nobody. The
      // followers' next pull brings it instead.
      logger.error(`${slug} could not pass on ${item.objectId}`, error);
      continue;
    }
    logger.info(
      `${slug} passed on ${String(item.json.type)} ${item.objectId} from ${item.origin} to ${followers.length} follower(s)`,
    );
  }
}
