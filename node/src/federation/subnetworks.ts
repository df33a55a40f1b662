import type { Context, InboxContext } from "@fedify/fedify";
import {
  Accept,
  Activity,
  Announce,
  type Create,
  type Delete,
  type Follow,
  Group,
  isActor,
  PUBLIC_COLLECTION,
  type Update,
} from "@fedify/vocab";
import type { SynthesisPayload } from "../../../protocol/src/index";
import type { Services } from "../services/index";
import { activityUrl, type OutboxRow } from "../services/outbox";
import { type SubnetworkRow, touchesTheme } from "../services/subnetworks";
import { sameOrigin, sendControlActivity, withoutSignature } from "./activity-ids";
import type { FederationDeps } from "./context";
import { proofsVerify } from "./integrity";
import { createKeyCache } from "./key-cache";

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
const isSpiralActor = (actor: { streamIds: URL[] }) =>
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
  const { services, logger } = ctx.data;
  if (!follow.id) return;
  const follower = await follow.getActor(ctx);
  if (!isActor(follower) || !follower.id || !follower.inboxId) {
    logger.warn(`ignored a Follow of ${group.slug}: the follower is not a reachable actor`);
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
    handle: follower.preferredUsername
      ? `@${follower.preferredUsername}@${follower.id.host}`
      : null,
    name: follower.name?.toString() ?? null,
    followActivityId: follow.id.href,
    state: already || !waits ? "accepted" : "pending",
    spiral: isSpiralActor(follower),
  });
  if (row.state === "accepted") {
    await sendControlActivity(
      ctx,
      group.slug,
      (id) => new Accept({ id, actor: ctx.getActorUri(group.slug), object: follow }),
      follower,
      "Accept",
      follow.id.href,
    );
    await sendRelayedMeetings(ctx, group.slug, member);
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
    .filter((m) => relayed.has(m.objectId) && m.origin !== member)
    .map((m) => ({ objectId: m.objectId, json: m.activity }));
  for (const territory of services.territories.list()) {
    const upcoming = services.meetings.list(territory.slug, { upcoming: true });
    const rows = services.outbox.latestMeetingActivities(
      territory.slug,
      upcoming.map((m) => m.uuid),
    );
    for (const row of rows) {
      if (relayed.has(row.objectId) && row.json) {
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
    ctx.data.logger.info(`${member.href} left the sub-network ${group.slug}`);
  }
}

/**
 * The hosted sub-networks an activity is addressed to (audience, to or cc), and the one whose own
 * inbox it was delivered to (a member sharing something it published before joining).
 */
function addressedSubnetworks(ctx: Ctx, activity: Activity): SubnetworkRow[] {
  const found = new Map<string, SubnetworkRow>();
  const recipient = ctx.recipient ? ctx.data.services.subnetworks.find(ctx.recipient) : undefined;
  if (recipient) found.set(recipient.slug, recipient);
  for (const id of [...activity.audienceIds, ...activity.toIds, ...activity.ccIds]) {
    const group = localSubnetwork(ctx, id);
    if (group) found.set(group.slug, group);
  }
  return [...found.values()];
}

export interface RelayedItem {
  kind: "synthesis" | "meeting";
  origin: string;
  objectId: string;
  periodKey: string | null;
  /** A synthesis's payload, for the thematic filter. */
  payload?: SynthesisPayload;
}

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
): Promise<void> {
  for (const group of addressedSubnetworks(ctx, activity)) {
    await relayMemberActivity(ctx, group, json, item, {
      activityId: activity.id?.href ?? item.objectId,
      topLevel: activity.constructor.name === "Create",
    });
  }
}

/** One group relays one member activity (Create or Update), if the member and theme allow. */
async function relayMemberActivity(
  ctx: Context<FederationDeps>,
  group: SubnetworkRow,
  json: Record<string, unknown>,
  item: RelayedItem,
  options: { activityId: string; topLevel: boolean },
): Promise<void> {
  const { services, logger } = ctx.data;
  if (!services.subnetworks.isMember(group.slug, item.origin)) {
    logger.warn(`not relayed by ${group.slug}: ${item.origin} is not a member`);
    return;
  }
  if (item.payload && !touchesTheme(item.payload, group.theme)) {
    logger.info(`not relayed by ${group.slug}: ${item.objectId} does not touch its theme`);
    return;
  }
  const subnetwork = ctx.getActorUri(group.slug).href;
  // Delivered again (a retry, or both addressed and shared): relayed once.
  if (services.subnetworks.hasRelayed(subnetwork, item.objectId, options.activityId)) return;
  // The origin gets the Announce too: its receipt that the group relayed it. Recorded once
  // handed to the queue, so a failure before that is relayed when the activity comes again.
  await announceToMembers(ctx, group.slug, json, {
    objectId: item.objectId,
    topLevel: options.topLevel,
  });
  services.subnetworks.recordItem({
    subnetwork,
    origin: item.origin,
    objectId: item.objectId,
    kind: item.kind,
    periodKey: item.periodKey,
    activityId: options.activityId,
  });
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
      const had =
        services.subnetworks.isMember(group.slug, origin) &&
        services.subnetworks.markItemDeleted(url, origin, row.objectId);
      if (had)
        await announceToMembers(ctx, group.slug, json, { objectId: row.objectId, topLevel: false });
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
      },
      { activityId: String(json.id), topLevel: row.type === "Create" },
    );
  }
}

/**
 * Group side: a member withdrew (Delete) something the group relayed: the Delete, checked
 * against the origin's proof, is announced too, so members drop it.
 */
export async function relayDeleteToSubnetworks(ctx: Ctx, del: Delete): Promise<void> {
  const { services, logger } = ctx.data;
  const origin = del.actorId?.href;
  const objectId = del.objectId?.href;
  if (!origin || !objectId) return;
  const groups = addressedSubnetworks(ctx, del).filter(
    (group) =>
      services.subnetworks.isMember(group.slug, origin) &&
      services.subnetworks.markItemDeleted(ctx.getActorUri(group.slug).href, origin, objectId),
  );
  if (groups.length === 0) return;
  const json = await del.toJsonLd({ format: "compact", contextLoader: ctx.contextLoader });
  const verified = await proofsVerify(del, json, {
    documentLoader: ctx.documentLoader,
    contextLoader: ctx.contextLoader,
    keyCache: createKeyCache(ctx.data.kv),
  });
  if (!verified) {
    logger.warn(`not relayed: the Delete of ${objectId} carries no valid proof of its origin`);
    return;
  }
  for (const group of groups) {
    await announceToMembers(ctx, group.slug, withoutSignature(json), {
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
  const recipient = (f: (typeof members)[number]) => ({
    id: new URL(f.follower),
    inboxId: new URL(f.inbox),
    endpoints: f.sharedInbox ? { sharedInbox: new URL(f.sharedInbox) } : null,
  });
  const send = async (object: Activity | URL, to: typeof members) => {
    const row = services.outbox.record({
      actor: slug,
      type: "Announce",
      objectId: options.objectId,
    });
    const announce = new Announce({
      id: new URL(activityUrl(ctx.canonicalOrigin, row.uuid)),
      actor: ctx.getActorUri(slug),
      object,
      to: PUBLIC_COLLECTION,
      cc: ctx.getFollowersUri(slug),
    });
    const json = await announce.toJsonLd({ format: "compact", contextLoader: ctx.contextLoader });
    services.outbox.setJson(row.uuid, json as Record<string, unknown>);
    if (to.length > 0) {
      await ctx.sendActivity({ identifier: slug }, to.map(recipient), announce, {
        preferSharedInbox: true,
      });
    }
    services.outbox.markSent(row.uuid);
    return announce.id;
  };
  const original = await Activity.fromJsonLd(inner, ctx);
  const sent = await send(
    original,
    members.filter((f) => f.spiral),
  );
  const others = members.filter((f) => !f.spiral);
  if (options.topLevel && others.length > 0) await send(new URL(options.objectId), others);
  return sent;
}

/** The sub-network (a Group a local territory joined, accepted) behind this actor URL. */
export function joinedSubnetwork(services: Services, actorUrl: string | null | undefined) {
  if (!actorUrl) return undefined;
  return services.follows
    .acceptedFollowing()
    .find((f) => f.target === actorUrl && f.targetType === "Group");
}

/**
 * Territory side, before routing what an Announce carries: a relay no local territory follows is
 * still heard (a node passing on syntheses, verified anyway), but a sub-network (Group) nobody
 * here joined is ignored.
 */
export async function acceptsAnnounceFrom(ctx: Ctx, announce: Announce): Promise<boolean> {
  const announcer = announce.actorId?.href;
  if (!announcer) return false;
  const { services, logger } = ctx.data;
  if (services.follows.acceptedFollowing().some((f) => f.target === announcer)) return true;
  const actor = await announce.getActor(ctx).catch(() => null);
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
): void {
  if (!joinedSubnetwork(ctx.data.services, via)) return;
  ctx.data.services.subnetworks.recordItem({ subnetwork: via as string, ...item });
}

/**
 * Territory side: an Announce from a joined sub-network carries an activity this node already
 * verified and stored (it came directly from its origin too), or one of its own territories'
 * publications: Fedify will not route the same activity twice (and our own are not stored as
 * received), so the arrival through the sub-network is recorded here.
 */
export function noteAlreadyHeld(ctx: Ctx, via: string, inner: Create | Update | Delete): void {
  const { services } = ctx.data;
  if (!joinedSubnetwork(services, via) || !inner.id || !inner.objectId || !inner.actorId) return;
  if (inner.constructor.name === "Delete") return;
  const activityId = inner.id.href;
  const objectId = inner.objectId.href;
  if (sameOrigin(inner.actorId, ctx.canonicalOrigin)) {
    // Our own publication, back from the group: the receipt that the group relayed it.
    const parsed = ctx.parseUri(inner.objectId);
    const uuid = parsed?.type === "object" ? parsed.values.uuid : undefined;
    const own = uuid ? services.syntheses.series(uuid) : undefined;
    const meeting = uuid && !own ? services.meetings.byUuid(uuid) : undefined;
    if (!own && !meeting) return;
    services.subnetworks.recordItem({
      subnetwork: via,
      origin: inner.actorId.href,
      objectId,
      kind: own ? "synthesis" : "meeting",
      periodKey: own ? own.series.periodKey : null,
      activityId,
    });
    return;
  }
  const synthesis = services.received
    .list()
    .find((r) => r.objectId === objectId && r.activity.id === activityId);
  if (synthesis) {
    services.subnetworks.recordItem({
      subnetwork: via,
      origin: synthesis.origin,
      objectId,
      kind: "synthesis",
      periodKey: synthesis.periodKey,
      activityId,
    });
    return;
  }
  const meeting = services.receivedMeetings
    .all()
    .find((m) => m.objectId === objectId && m.activity.id === activityId);
  if (meeting) {
    services.subnetworks.recordItem({
      subnetwork: via,
      origin: meeting.origin,
      objectId,
      kind: "meeting",
      periodKey: null,
      activityId,
    });
  }
}
