import type { Context } from "@fedify/fedify";
import { Group } from "@fedify/vocab";
import type { Actor } from "../services/context";
import { ConflictError, InvalidInputError, NotFoundError } from "../services/errors";
import { followingView } from "../services/follows";
import type { Services } from "../services/index";
import type { FederationDeps } from "./context";
import { answerFollower } from "./followers";
import { createSubnetworkReads } from "./subnetwork-reads";
import { announceToMembers, sendRelayedMeetings } from "./subnetworks";

interface FollowOps {
  lookUp(target: string): Promise<{ id: URL | null }>;
  follow(slug: string, target: string): Promise<import("../services/follows").FollowingRow>;
  unfollow(slug: string, id: number): Promise<void>;
}

/**
 * Sub-network operations that need the network, as the API (and later the admin pages) drive
 * them: moderators approve and remove members of a hosted sub-network; territories join and leave
 * sub-networks anywhere and read what arrived through them.
 */
export function createSubnetworkNetwork(
  context: () => Context<FederationDeps>,
  services: Services,
  follows: FollowOps,
) {
  const memberOf = (slug: string, id: number) => {
    const row = services.subnetworks.members(slug).find((m) => m.id === id);
    if (!row) throw new NotFoundError(`no member #${id} of the sub-network "${slug}"`);
    return row;
  };
  const reads = createSubnetworkReads(services);
  const { joinedRow } = reads;

  return {
    /** A moderator admits a pending member (or a removed one again): an Accept goes out. */
    async approve(slug: string, memberId: number, actor: Actor): Promise<void> {
      const row = memberOf(slug, memberId);
      if (row.state === "accepted") return;
      // The decision is written first: a failed send is retried by the queue, never undone.
      services.ctx.db.transaction(() => {
        services.subnetworks.clearRemoval(slug, row.follower);
        services.follows.setFollowerState(row.id, "accepted");
        services.audit.record(actor, "subnetwork.member.approve", `subnetwork:${slug}`, {
          member: row.follower,
        });
      });
      const ctx = context();
      await answerFollower(ctx, slug, "Accept", row);
      await sendRelayedMeetings(ctx, slug, row.follower);
    },

    /**
     * A moderator refuses a pending member or removes one: a Reject goes out, and nothing it sends
     * later is relayed (a new Follow from it waits for a moderator).
     */
    async remove(slug: string, memberId: number, actor: Actor): Promise<void> {
      const row = memberOf(slug, memberId);
      // Removed first (one transaction): from now on nothing it sends is relayed.
      services.subnetworks.markRemoved(slug, row.follower, actor);
      await answerFollower(context(), slug, "Reject", row);
    },

    /** A local territory joins a sub-network (a Group) by handle or URL: a Follow goes out. */
    async join(territorySlug: string, target: string) {
      services.territories.get(territorySlug);
      const actor = await follows.lookUp(target);
      if (!(actor instanceof Group)) {
        throw new InvalidInputError(`${target} is not a sub-network (an ActivityPub Group)`, [
          { path: "target", message: "not a Group actor" },
        ]);
      }
      return followingView(await follows.follow(territorySlug, target));
    },

    /** Leaves a joined sub-network (Undo(Follow)); `ref`: follow id, group URL or handle. */
    async leave(territorySlug: string, ref: string | number): Promise<void> {
      const row = joinedRow(territorySlug, ref);
      await follows.unfollow(territorySlug, row.id);
    },

    joined: reads.joined,
    feed: reads.feed,

    /**
     * Shares something a territory published before joining with a joined sub-network: the
     * territory signs a new Update of the object (same version) that names the group in its
     * addressing, so the group relays it like anything addressed to it; later versions and
     * changes go there too. A followers-only meeting cannot be shared (a group's relays are public).
     */
    async share(
      territorySlug: string,
      ref: string | number,
      object: { synthesisId?: string | undefined; meetingId?: string | undefined },
    ): Promise<void> {
      const row = joinedRow(territorySlug, ref);
      if (row.state !== "accepted") {
        throw new ConflictError("the sub-network has not accepted this territory yet");
      }
      const publication = object.synthesisId
        ? services.outbox
            .latestPublications(territorySlug)
            .find((p) => p.synthesisUuid === object.synthesisId)
        : object.meetingId
          ? services.outbox.latestMeetingActivities(territorySlug, [object.meetingId])[0]
          : undefined;
      if (!publication?.json || publication.type === "Delete" || !publication.sentAt) {
        throw new NotFoundError("no current publication of this territory with that id");
      }
      if (!services.outbox.isPublic(publication)) {
        throw new ConflictError(
          "a meeting for followers only is not shared with sub-networks: their relays are public",
        );
      }
      // Sent (and, for a group hosted here, relayed) by the outbox dispatcher.
      services.subnetworks.recordShare(publication, row.target);
    },

    /**
     * Announces an activity (JSON as its origin signed it) to a hosted sub-network's members.
     * The inbox does this for members' activities; exposed for operators' tools and tests.
     */
    async announce(slug: string, activity: Record<string, unknown>): Promise<URL | null> {
      services.subnetworks.get(slug);
      const objectId = (activity.object as { id?: unknown } | undefined)?.id;
      if (typeof objectId !== "string") throw new ConflictError("the activity has no object id");
      return announceToMembers(context(), slug, activity, {
        objectId,
        topLevel: activity.type === "Create",
      });
    },
  };
}
export type SubnetworkNetwork = ReturnType<typeof createSubnetworkNetwork>;
