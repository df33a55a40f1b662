import type { Context } from "@fedify/fedify";
import {
  Accept,
  type Activity,
  Follow,
  type LanguageString,
  type Recipient,
  Reject,
} from "@fedify/vocab";
import { sendControlActivity } from "./activity-ids";
import type { FederationDeps } from "./context";

/** A follower of a local territory or sub-network as the followers table keeps it. */
interface StoredFollower {
  follower: string;
  inbox: string;
  sharedInbox: string | null;
  followActivityId: string;
  /** A SPIRAL node's actor (deliveries to it carry no Linked Data signature). */
  spiral?: boolean;
}

/** How a follow keeps the other side's handle: @name@host (null when the actor has no name). */
export function actorHandle(actor: {
  preferredUsername: string | LanguageString | null;
  id: URL | null;
}): string | null {
  return actor.preferredUsername && actor.id
    ? `@${actor.preferredUsername}@${actor.id.host}`
    : null;
}

/** Where activities for a stored follower go (its shared inbox preferred when it has one). */
export function followerRecipient(row: Omit<StoredFollower, "followActivityId">) {
  return {
    id: new URL(row.follower),
    inboxId: new URL(row.inbox),
    endpoints: row.sharedInbox ? { sharedInbox: new URL(row.sharedInbox) } : null,
    spiral: row.spiral === true,
  };
}

/**
 * A local actor answers a Follow with an Accept or a Reject naming it, addressed to the follower
 * and sent at once to the follower's own inbox (docs/protocol.md §9);
 * `followId` is the Follow's id as received (the outbox row refers to it).
 */
function sendAnswer(
  ctx: Context<FederationDeps>,
  identifier: string,
  answer: "Accept" | "Reject",
  follow: Follow,
  followId: string,
  recipient: Recipient,
): Promise<Activity> {
  const Answer = answer === "Accept" ? Accept : Reject;
  return sendControlActivity(
    ctx,
    identifier,
    (id) =>
      new Answer({
        id,
        actor: ctx.getActorUri(identifier),
        object: follow,
        ...(recipient.id ? { to: recipient.id } : {}),
      }),
    recipient,
    answer,
    followId,
  );
}

/** Answers a Follow that just arrived (the inbox), to the actor that sent it. */
export function answerFollow(
  ctx: Context<FederationDeps>,
  identifier: string,
  answer: "Accept" | "Reject",
  follow: Follow,
  follower: Recipient,
): Promise<Activity> {
  if (!follow.id) throw new Error("a Follow without id");
  return sendAnswer(ctx, identifier, answer, follow, follow.id.href, follower);
}

/**
 * Answers the Follow of a stored follower (a facilitator's or moderator's later decision): its
 * Follow is named again from the row.
 */
export function answerFollower(
  ctx: Context<FederationDeps>,
  identifier: string,
  answer: "Accept" | "Reject",
  row: StoredFollower,
): Promise<Activity> {
  const follow = new Follow({
    id: new URL(row.followActivityId),
    actor: new URL(row.follower),
    object: ctx.getActorUri(identifier),
  });
  return sendAnswer(ctx, identifier, answer, follow, row.followActivityId, followerRecipient(row));
}
