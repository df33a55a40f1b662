import type { Context, InboxContext } from "@fedify/fedify";
import {
  type Activity,
  type Announce,
  type Create,
  type Delete,
  type Follow,
  Group,
  isActor,
  type Update,
} from "@fedify/vocab";
import {
  isPublicMeeting,
  type ProgressPayload,
  type SynthesisPayload,
} from "@spiral-network/protocol";
import type { Services } from "../services/index";
import type { OutboxRow } from "../services/outbox";
import { type SubnetworkRow, touchesTheme } from "../services/subnetworks";
import { inboxesOnOwnOrigin, isPublicActivity, sameOrigin, sendAnnounce } from "./activity-ids";
import type { FederationDeps } from "./context";
import { actorHandle, answerFollow, followerRecipient } from "./followers";
import { provenActivityJson } from "./integrity";
import { progressTouchesTheme } from "./progress-mapper";

/**
 * Sub-networks over ActivityPub (FEP-1b12). Group side: members join by Follow, and what they
 * address to the group (audience, to or cc) is re-announced, the original activity unchanged
 * inside the Announce, so every receiver checks the origin's proof, not the group's word.
 * Territory side: Announces from a joined group are routed like any relay and what came through
 * is recorded as that sub-network's feed; Announces from groups nobody here joined are ignored.
 */

type Ctx = InboxContext<FederationDeps>;

/** The local sub-network an actor URL names, if this node hosts it. */
export function localSubnetwork(ctx: Context<FederationDeps>, id: URL | null) {
  if (!id) return undefined;
  const parsed = ctx.parseUri(id);
  if (parsed?.type !== "actor") return undefined;
  return ctx.data.services.subnetworks.find(parsed.identifier);
}

/** Whether the actor serves SPIRAL's known-syntheses stream (a territory of a SPIRAL node). */
export const isSpiralActor = (actor: { streamIds: URL[] }) =>
  actor.streamIds.some((url) => url.pathname.endsWith("/known-syntheses"));

/**
 * Someone asks to join a hosted sub-network. Open admission accepts at once; approval (or a
 * member a moderator removed) waits for a moderator. A repeated Follow never demotes a member.
 */
export async function onSubnetworkFollow(
  ctx: Ctx,
  follow: Follow,
  group: SubnetworkRow,
): Promise<void> {
  const { services } = ctx.data;
  const logger = ctx.data.logger.child("subnetworks");
  if (!follow.id) return;
  const follower = await follow.getActor(ctx);
  if (!isActor(follower) || !follower.id || !follower.inboxId) {
    logger.warn(`ignored a Follow of ${group.slug}: the follower is not a reachable actor`);
    return;
  }
  if (
    !inboxesOnOwnOrigin({
      id: follower.id,
      inboxId: follower.inboxId,
      endpoints: follower.endpoints,
    })
  ) {
    logger.warn(`ignored a Follow of ${group.slug}: the follower's inbox is on another origin`);
    return;
  }
  const member = follower.id.href;
  const already = services.follows.acceptedFollowers(group.slug).some((f) => f.follower === member);
  const waits =
    services.subnetworks.isRemoved(group.slug, member) || group.admission === "approval";
  const row = services.follows.addFollower({
    actor: group.slug,
    follower: member,
    inbox: follower.inboxId.href,
    sharedInbox: follower.endpoints?.sharedInbox?.href ?? null,
    handle: actorHandle(follower),
    name: follower.name?.toString() ?? null,
    followActivityId: follow.id.href,
    state: already || !waits ? "accepted" : "pending",
    spiral: isSpiralActor(follower),
  });
  if (row.state === "accepted") {
    await answerFollow(ctx, group.slug, "Accept", follow, follower);
    // A repeated Follow of a member gets its Accept again, not the catch-up again.
    if (!already) await sendRelayedMeetings(ctx, group.slug, member);
  }
  logger.info(`${member} joins the sub-network ${group.slug} (${row.state})`);
}

/**
 * A new member gets the upcoming meetings the group relayed (as their origins signed them): a
 * meeting announced last week still matters to a territory that joins today.
 */
export async function sendRelayedMeetings(
  ctx: Context<FederationDeps>,
  slug: string,
  member: string,
): Promise<number> {
  const { services } = ctx.data;
  const relayed = new Set(
    services.subnetworks
      .items(ctx.getActorUri(slug).href)
      .filter((item) => item.kind === "meeting")
      .map((item) => item.objectId),
  );
  if (relayed.size === 0) return 0;
  const activities = services.receivedMeetings
    .upcoming()
    .filter((m) => relayed.has(m.objectId) && m.origin !== member && isPublicMeeting(m.payload))
    .map((m) => ({ objectId: m.objectId, json: m.activity }));
  for (const territory of services.territories.list()) {
    const upcoming = services.meetings.list(territory.slug, { upcoming: true });
    const rows = services.outbox.latestMeetingActivities(
      territory.slug,
      upcoming.map((m) => m.uuid),
    );
    for (const row of rows) {
      if (relayed.has(row.objectId) && row.json && services.outbox.isPublic(row)) {
        activities.push({ objectId: row.objectId, json: row.json });
      }
    }
  }
  for (const { objectId, json } of activities) {
    await announceToMembers(ctx, slug, json, { objectId, topLevel: true, only: member });
  }
  return activities.length;
}

/** Undo(Follow) of a hosted sub-network: the member leaves. */
export function onSubnetworkLeave(ctx: Ctx, member: URL, group: SubnetworkRow): void {
  if (ctx.data.services.follows.removeFollower(group.slug, member.href)) {
    ctx.data.logger.child("subnetworks").info(`${member.href} left the sub-network ${group.slug}`);
  }
}

/**
 * The hosted sub-networks an activity is addressed to (audience, to or cc) by its origin's
 * signed addressing. Being delivered to the group's inbox is not addressing: anyone holding a
 * signed activity could deliver it there.
 */
function addressedSubnetworks(ctx: Ctx, activity: Activity): SubnetworkRow[] {
  const found = new Map<string, SubnetworkRow>();
  for (const id of [...activity.audienceIds, ...activity.toIds, ...activity.ccIds]) {
    const group = localSubnetwork(ctx, id);
    if (group) found.set(group.slug, group);
  }
  return [...found.values()];
}

export interface RelayedItem {
  kind: "synthesis" | "meeting" | "progress";
  origin: string;
  objectId: string;
  periodKey: string | null;
  /** A synthesis's payload, for the thematic filter. */
  payload?: SynthesisPayload;
  /** A progress publication's payload, for the thematic filter (its paths' components). */
  progress?: ProgressPayload;
  /** A meeting for the origin's followers only: never relayed (a group's relays are public). */
  followersOnly?: boolean;
}

/** How the receiving node classed the activity it is asked to relay. */
export type Arrival = "new" | "newer" | "duplicate";

/**
 * Group side: a member's verified Create or Update (`json`, as its origin signed it) addressed to
 * hosted sub-networks is announced to their members. Not from a member (or from a removed one),
 * or a synthesis off the theme: not relayed.
 */
export async function relayToSubnetworks(
  ctx: Ctx,
  activity: Create | Update,
  json: Record<string, unknown>,
  item: RelayedItem,
  arrival: Arrival,
): Promise<void> {
  const groups = addressedSubnetworks(ctx, activity);
  if (groups.length === 0) return;
  if (!isPublicActivity(activity)) {
    ctx.data.logger
      .child("subnetworks")
      .warn(`not relayed: ${item.objectId} is not addressed to the public`);
    return;
  }
  for (const group of groups) {
    await relayMemberActivity(ctx, group, json, item, {
      activityId: activity.id?.href ?? item.objectId,
      create: activity.constructor.name === "Create",
      arrival,
    });
  }
}

/** One group relays one member activity (Create or Update), if the member and theme allow. */
async function relayMemberActivity(
  ctx: Context<FederationDeps>,
  group: SubnetworkRow,
  json: Record<string, unknown>,
  item: RelayedItem,
  options: { activityId: string; create: boolean; arrival: Arrival },
): Promise<void> {
  const { services } = ctx.data;
  const logger = ctx.data.logger.child("subnetworks");
  if (item.followersOnly) {
    logger.info(`not relayed by ${group.slug}: ${item.objectId} is for followers only`);
    return;
  }
  if (!services.subnetworks.isMember(group.slug, item.origin)) {
    logger.warn(`not relayed by ${group.slug}: ${item.origin} is not a member`);
    return;
  }
  if (
    (item.payload && !touchesTheme(item.payload, group.theme)) ||
    (item.progress && !progressTouchesTheme(item.progress, group.theme))
  ) {
    logger.info(`not relayed by ${group.slug}: ${item.objectId} does not touch its theme`);
    return;
  }
  const subnetwork = ctx.getActorUri(group.slug).href;
  const held = services.subnetworks.relayedItem(subnetwork, item.objectId);
  // Withdrawn: only a newer version from its origin brings it back, never a replayed copy.
  if (held?.deletedAt && options.arrival !== "newer") {
    logger.warn(`not relayed by ${group.slug}: ${item.objectId} was withdrawn`);
    return;
  }
  // Delivered again (a retry, a replay, the same version again): relayed once.
  if (held && !held.deletedAt) {
    if (held.activityId === options.activityId || options.arrival === "duplicate") return;
  }
  // The origin gets the Announce too: its receipt that the group relayed it. Recorded once
  // handed to the queue, so a failure before that is relayed when the activity comes again.
  await announceToMembers(ctx, group.slug, json, {
    objectId: item.objectId,
    // Non-SPIRAL followers hear of an object once: when the group first relays it.
    topLevel: options.create || !held,
  });
  services.subnetworks.recordItem(
    {
      subnetwork,
      origin: item.origin,
      objectId: item.objectId,
      kind: item.kind,
      periodKey: item.periodKey,
      activityId: options.activityId,
    },
    { restore: options.arrival === "newer" },
  );
}

/**
 * A local territory's publication addressed to sub-networks this same node hosts: delivering it
 * to our own inbox would be ignored (our own activity), so the group relays it from here, with
 * the same membership and theme rules. `json` is the activity as signed.
 */
export async function relayOwnToLocalSubnetworks(
  ctx: Context<FederationDeps>,
  row: OutboxRow,
  json: Record<string, unknown>,
  groupUrls: readonly string[],
): Promise<void> {
  const { services } = ctx.data;
  const origin = ctx.getActorUri(row.actor).href;
  for (const url of groupUrls) {
    const group = services.subnetworks.byActorUrl(url);
    if (!group) continue;
    if (row.type === "Delete") {
      // Relayed wherever the group relayed the object, member or not any more.
      if (services.subnetworks.markItemDeleted(url, origin, row.objectId))
        await announceToMembers(ctx, group.slug, json, { objectId: row.objectId, topLevel: false });
      continue;
    }
    if (row.progressVersionId !== null) {
      const own = services.progress.progressVersionById(row.progressVersionId);
      if (!own) continue;
      await relayMemberActivity(
        ctx,
        group,
        json,
        {
          kind: "progress",
          origin,
          objectId: row.objectId,
          periodKey: `campaign:${own.campaignUuid}`,
          progress: JSON.parse(own.payload) as ProgressPayload,
        },
        { activityId: String(json.id), create: row.type === "Create", arrival: "newer" },
      );
      continue;
    }
    const version =
      row.synthesisVersionId !== null
        ? services.syntheses.versionById(row.synthesisVersionId)
        : undefined;
    const payload = version ? (JSON.parse(version.payload) as SynthesisPayload) : undefined;
    await relayMemberActivity(
      ctx,
      group,
      json,
      {
        kind: row.meetingUuid ? "meeting" : "synthesis",
        origin,
        objectId: row.objectId,
        periodKey: version ? version.periodKey : null,
        ...(payload ? { payload } : {}),
        followersOnly: row.meetingUuid !== null && !services.outbox.isPublic(row),
      },
      // Our own dispatcher sends each publication once, in order: always the latest.
      { activityId: String(json.id), create: row.type === "Create", arrival: "newer" },
    );
  }
}

/**
 * Group side: an origin withdrew (Delete) something a hosted group relayed: the Delete, checked
 * against the origin's proof, is announced too, so members drop it — also when the origin has
 * left the group or was removed since (a withdrawal must reach wherever the object went).
 */
export async function relayDeleteToSubnetworks(ctx: Ctx, del: Delete): Promise<void> {
  const { services } = ctx.data;
  const logger = ctx.data.logger.child("subnetworks");
  const origin = del.actorId?.href;
  const objectId = del.objectId?.href;
  if (!origin || !objectId) return;
  const holders = services.subnetworks.hostedHolders(origin, objectId);
  if (holders.length === 0) return;
  const json = await provenActivityJson(ctx, del);
  if (!json) {
    logger.warn(`not relayed: the Delete of ${objectId} carries no valid proof of its origin`);
    return;
  }
  for (const url of holders) {
    const group = services.subnetworks.byActorUrl(url);
    if (!group || !services.subnetworks.markItemDeleted(url, origin, objectId)) continue;
    await announceToMembers(ctx, group.slug, json, {
      objectId,
      topLevel: false,
    });
  }
}

/**
 * Sends `inner` (an activity as its origin signed it) to a hosted sub-network's members:
 * SPIRAL members get `Announce(activity)` (they verify the origin's proof); other followers
 * (Mastodon, which does not understand Announce(Create)) get `Announce(object URI)`, for a new
 * top-level object only. Each Announce is kept in the outbox table (served at /activities/…).
 */
export async function announceToMembers(
  ctx: Context<FederationDeps>,
  slug: string,
  inner: Record<string, unknown>,
  options: { objectId: string; topLevel: boolean; only?: string },
): Promise<URL | null> {
  const { services } = ctx.data;
  const members = services.follows
    .acceptedFollowers(slug)
    .filter((f) => options.only === undefined || f.follower === options.only);
  const send = async (object: Record<string, unknown> | URL, to: typeof members) =>
    (await sendAnnounce(ctx, slug, object, options.objectId, to.map(followerRecipient))).id;
  const sent = await send(
    inner,
    members.filter((f) => f.spiral),
  );
  const others = members.filter((f) => !f.spiral);
  if (options.topLevel && others.length > 0) await send(new URL(options.objectId), others);
  return sent;
}

/** The sub-network (a Group a local territory joined, accepted) behind this actor URL. */
function joinedSubnetwork(services: Services, actorUrl: string | null | undefined) {
  if (!actorUrl) return undefined;
  return services.follows
    .acceptedFollowing()
    .find((f) => f.target === actorUrl && f.targetType === "Group");
}

/**
 * Joined, or asked to join: the group sends its Accept and then the catch-up of upcoming
 * meetings, which may arrive first; a group that refused (rejected) does not count.
 */
function joinedOrJoining(services: Services, actorUrl: string) {
  return (
    joinedSubnetwork(services, actorUrl) ??
    services.territories
      .list()
      .flatMap((t) => services.follows.following(t.slug))
      .find((f) => f.target === actorUrl && f.targetType === "Group" && f.state === "pending")
  );
}

/**
 * Territory side, before routing what an Announce carries: a relay no local territory follows is
 * still heard (a node passing on syntheses, verified anyway), but a sub-network (Group) nobody
 * here joined is ignored.
 */
export async function acceptsAnnounceFrom(ctx: Ctx, announce: Announce): Promise<boolean> {
  const announcer = announce.actorId?.href;
  if (!announcer) return false;
  const { services } = ctx.data;
  const logger = ctx.data.logger.child("subnetworks");
  if (services.follows.acceptedFollowing().some((f) => f.target === announcer)) return true;
  if (joinedOrJoining(services, announcer)) return true;
  const actor = await announce.getActor(ctx).catch((error: unknown) => {
    // Not known to be a sub-network: heard, and what it carries is verified on its own.
    logger.debug(`could not read the announcer ${announcer}`, error);
    return null;
  });
  if (actor instanceof Group) {
    logger.warn(`ignored an Announce from ${announcer}: no territory here joined that sub-network`);
    return false;
  }
  return true;
}

/**
 * Territory side: something verified arrived through a joined sub-network: it enters that
 * sub-network's feed (and, for a synthesis, its aggregate scope).
 */
export function recordArrival(
  ctx: Context<FederationDeps>,
  via: string | null,
  item: Omit<RelayedItem, "payload"> & { activityId: string },
  arrival: Arrival,
): void {
  if (!via || !joinedOrJoining(ctx.data.services, via)) return;
  const { kind, origin, objectId, periodKey, activityId } = item;
  ctx.data.services.subnetworks.recordItem(
    { subnetwork: via, kind, origin, objectId, periodKey, activityId },
    { restore: arrival === "newer" },
  );
}

/**
 * Territory side, once Fedify routed (and so verified) what an Announce from a joined
 * sub-network carried: an activity this node already held (it came directly from its origin
 * too), or one of its own territories' publications, is recorded as arrived through the group
 * here — Fedify will not route the same activity twice, and our own are not stored as received.
 * Looked up by object id; nothing withdrawn is recorded.
 */
export function noteAlreadyHeld(ctx: Ctx, via: string, inner: Create | Update | Delete): void {
  const { services } = ctx.data;
  if (inner.constructor.name === "Delete") return;
  if (!inner.id || !inner.objectId || !inner.actorId || !joinedOrJoining(services, via)) return;
  const activityId = inner.id.href;
  const objectId = inner.objectId.href;
  const arrival = { subnetwork: via, objectId, activityId };
  if (sameOrigin(inner.actorId, ctx.canonicalOrigin)) {
    // Our own publication, back from the group: the receipt that the group relayed it.
    const parsed = ctx.parseUri(inner.objectId);
    const uuid = parsed?.type === "object" ? parsed.values.uuid : undefined;
    const own = uuid ? services.syntheses.series(uuid) : undefined;
    const meeting = uuid && !own ? services.meetings.byUuid(uuid) : undefined;
    if (own && !own.series.withdrawnAt) {
      const periodKey = own.series.periodKey;
      services.subnetworks.recordItem({
        ...arrival,
        origin: inner.actorId.href,
        kind: "synthesis",
        periodKey,
      });
    } else if (meeting) {
      services.subnetworks.recordItem({
        ...arrival,
        origin: inner.actorId.href,
        kind: "meeting",
        periodKey: null,
      });
    }
    return;
  }
  const held = services.subnetworks.receivedObject(objectId);
  if (!held || held.withdrawn || held.activityId !== activityId) return;
  services.subnetworks.recordItem({
    ...arrival,
    origin: held.origin,
    kind: held.kind,
    periodKey: held.periodKey,
  });
}
