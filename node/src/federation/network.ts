import type { Federation } from "@fedify/fedify";
import { Follow, isActor, Undo } from "@fedify/vocab";
import { UrlError, validatePublicUrl } from "@fedify/vocab-runtime";
import { ConflictError, InvalidInputError, NotFoundError, UpstreamError } from "../services/errors";
import { sendAnnounce, sendControlActivity } from "./activity-ids";
import type { FederationDeps } from "./context";
import { actorHandle, answerFollower, followerRecipient } from "./followers";
import { catchUpFollower } from "./inbox";
import { PrivateAddressRefused } from "./network-errors";
import { OutboundError } from "./outbound";

export { PrivateAddressRefused };

import { UNREACHABLE_AFTER } from "./reachability";
import { lookUpRemote } from "./remote-lookup";
import { createSubnetworkNetwork } from "./subnetwork-network";

const HANDLE = /^@?([^@\s]+)@([^@\s]+)$/;

/**
 * Following and followers of local territories, as facilitators drive them from the API:
 * these need the network (look-ups, sending), so they live beside the federation.
 */
export function createNetworkService(
  federation: Federation<FederationDeps>,
  deps: FederationDeps,
  publicUrl: string,
) {
  const context = () => federation.createContext(new URL(publicUrl), deps);
  const { services } = deps;

  const network = {
    /** Looks a territory (or any actor) up by handle (@slug@host, over https) or by URL. */
    async lookUp(target: string) {
      const trimmed = target.trim();
      const isHandle = HANDLE.test(trimmed);
      let isUrl = false;
      try {
        isUrl = ["http:", "https:"].includes(new URL(trimmed).protocol);
      } catch {}
      if (!isHandle && !isUrl) {
        throw new InvalidInputError(
          "give a handle such as @mulhouse@spiral.example.org or an actor URL",
          [{ path: "target", message: "neither a handle nor an http(s) URL" }],
        );
      }
      if (!deps.allowPrivateAddress) await refusePrivateAddress(trimmed, isHandle);
      // A peer already followed (or following) by URL that no longer answers counts as a
      // failed contact; an unknown URL touches no row.
      const failed = (reason: string) => {
        if (!isUrl) return;
        services.follows.recordContactFailure(
          { actor: trimmed },
          {
            reason,
            permanent: false,
            unreachableAfter: deps.unreachableAfter ?? UNREACHABLE_AFTER,
          },
        );
      };
      let actor: Awaited<ReturnType<typeof lookUpRemote>>;
      try {
        actor = await lookUpRemote(trimmed, context(), deps.outbound);
      } catch (error) {
        if (!(error instanceof OutboundError)) throw error;
        failed(`look-up: ${error.message}`);
        throw outboundRefusal(trimmed, error);
      }
      if (!isActor(actor) || !actor.id || !actor.inboxId) {
        if (!actor) failed("look-up: no answer");
        throw new NotFoundError(`no reachable ActivityPub actor at ${trimmed}`);
      }
      services.follows.recordContactSuccess({ actor: actor.id.href });
      return actor;
    },

    async follow(slug: string, target: string) {
      const territory = services.territories.get(slug);
      const actor = await this.lookUp(target);
      const ctx = context();
      if (!actor.id || !actor.inboxId) throw new NotFoundError(`${target} has no inbox`);
      if (actor.id.href === ctx.getActorUri(territory.slug).href) {
        throw new InvalidInputError("a territory cannot follow itself");
      }
      const actorId = actor.id;
      const follow = await sendControlActivity(
        ctx,
        territory.slug,
        (id) => new Follow({ id, actor: ctx.getActorUri(territory.slug), object: actorId }),
        actor,
        "Follow",
        actor.id.href,
      );
      if (!follow.id) throw new Error("a Follow without id");
      return services.follows.requestFollow({
        actor: territory.slug,
        target: actor.id.href,
        targetInbox: actor.inboxId.href,
        targetSharedInbox: actor.endpoints?.sharedInbox?.href ?? null,
        targetHandle: actorHandle(actor),
        targetName: actor.name?.toString() ?? null,
        targetType: actor.constructor.name,
        followActivityId: follow.id.href,
      });
    },

    /** Undo(Follow), then forget the follow. */
    async unfollow(slug: string, id: number): Promise<void> {
      const row = services.follows.followingById(slug, id);
      const ctx = context();
      const recipient = { id: new URL(row.target), inboxId: new URL(row.targetInbox) };
      await sendControlActivity(
        ctx,
        slug,
        (undoId) =>
          new Undo({
            id: undoId,
            actor: ctx.getActorUri(slug),
            object: new Follow({
              id: new URL(row.followActivityId),
              actor: ctx.getActorUri(slug),
              object: new URL(row.target),
            }),
          }),
        recipient,
        "Undo",
        row.followActivityId,
      );
      services.follows.removeFollowing(row.id);
    },

    /** Accepts a pending follower (manual approval). */
    async approve(slug: string, id: number): Promise<void> {
      const row = services.follows.followerById(slug, id);
      if (row.state === "accepted") return;
      const ctx = context();
      await answerFollower(ctx, slug, "Accept", row);
      services.follows.setFollowerState(row.id, "accepted");
      await catchUpFollower(ctx, slug, followerRecipient(row));
    },

    /** Refuses a pending follower, or removes an accepted one: they get a Reject. */
    async remove(slug: string, id: number): Promise<void> {
      const row = services.follows.followerById(slug, id);
      const ctx = context();
      await answerFollower(ctx, slug, "Reject", row);
      services.follows.removeFollower(slug, row.follower);
    },

    /**
     * Shares a received synthesis with this territory's followers: the original activity, with its
     * origin's proof, wrapped unchanged in an Announce (receivers verify the origin, not us).
     */
    async relay(slug: string, receivedId: number): Promise<URL> {
      services.territories.get(slug);
      const received = services.received.get(receivedId);
      if (received.withdrawnAt) throw new ConflictError("its territory withdrew this synthesis");
      if (received.conflictedAt) {
        throw new ConflictError("its territory published two contents under this version");
      }
      const ctx = context();
      const followers = services.follows.acceptedFollowers(slug).map(followerRecipient);
      const announce = await sendAnnounce(
        ctx,
        slug,
        received.activity,
        received.objectId,
        followers,
      );
      return announce.id as URL;
    },
  };
  return {
    ...network,
    subnetworks: createSubnetworkNetwork(context, services, network),
    /** How long a look-up waits for a peer (what the workspace tells on a timeout). */
    outboundTimeoutSeconds: deps.outbound.timeoutMs / 1000,
  };
}
export type NetworkService = ReturnType<typeof createNetworkService>;

/** What a facilitator is told when a look-up was cut short: 504, 502 or a private address. */
function outboundRefusal(target: string, error: OutboundError): Error {
  if (error.kind === "private") return new PrivateAddressRefused(target);
  if (error.kind === "timeout") return new UpstreamError(504, "upstream_timeout", error.message);
  return new UpstreamError(502, "upstream_too_large", error.message);
}

/**
 * Checks the target's host the way Fedify's own fetches will (same function, DNS included), so a
 * refusal is reported as such before the look-up, which would otherwise only say "not found".
 */
async function refusePrivateAddress(target: string, isHandle: boolean): Promise<void> {
  const host = isHandle ? target.slice(target.lastIndexOf("@") + 1) : undefined;
  const url = host ? `https://${host}/` : target;
  try {
    await validatePublicUrl(url);
  } catch (error) {
    if (error instanceof UrlError) throw new PrivateAddressRefused(target);
    // Anything else (e.g. a name that does not resolve) is for the look-up to report.
  }
}
