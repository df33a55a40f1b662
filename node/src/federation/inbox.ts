import type { Context, InboxContext } from "@fedify/fedify";
import {
  type Accept,
  type Activity,
  type Announce,
  Article,
  Create,
  Delete,
  Event,
  Follow,
  isActor,
  type Reject,
  type Undo,
  Update,
} from "@fedify/vocab";
import {
  campaignKey,
  isPublicMeeting,
  MEETING_MEDIA_TYPE,
  PROGRESS_MEDIA_TYPE,
  periodKey,
  SYNTHESIS_MEDIA_TYPE,
} from "@spiral-network/protocol";
import { Temporal } from "temporal-polyfill";
import { inboxesOnOwnOrigin, sameOrigin } from "./activity-ids";
import type { FederationDeps } from "./context";
import { keepEarlyWithdrawal } from "./early-withdrawal";
import { actorHandle, answerFollow } from "./followers";
import { provenActivityJson, routeRelayed } from "./integrity";
import { eventToMeeting } from "./meeting-mapper";
import { articleToProgress } from "./progress-mapper";
import { sendSignedJson } from "./proofs";
import { propagateToFollowers } from "./propagation";
import {
  acceptsAnnounceFrom,
  isSpiralActor,
  localSubnetwork,
  noteAlreadyHeld,
  onSubnetworkFollow,
  onSubnetworkLeave,
  recordArrival,
  relayDeleteToSubnetworks,
  relayToSubnetworks,
} from "./subnetworks";
import { articleToSynthesis } from "./synthesis-mapper";

/**
 * Named inbox handlers. A handler that refuses something logs why and returns: Fedify has already
 * answered 202 (the queue took it), and throwing would only make it retry a hopeless activity.
 */

type Ctx = InboxContext<FederationDeps>;

const describe = (activity: Activity) =>
  `${activity.constructor.name} ${activity.id?.href ?? "(no id)"} from ${activity.actorId?.href ?? "?"}`;

/** The local territory an activity is addressed to through its object, if any. */
function localTerritory(ctx: Ctx, objectId: URL | null) {
  if (!objectId) return undefined;
  const parsed = ctx.parseUri(objectId);
  if (parsed?.type !== "actor") return undefined;
  return ctx.data.services.territories.list().find((t) => t.slug === parsed.identifier);
}

/** Someone follows a local territory: recorded, and accepted unless approval is manual. */
export async function onFollow(ctx: Ctx, follow: Follow): Promise<void> {
  const group = localSubnetwork(ctx, follow.objectId);
  if (group) return onSubnetworkFollow(ctx, follow, group);
  const territory = localTerritory(ctx, follow.objectId);
  if (!follow.id || !territory) return;
  const follower = await follow.getActor(ctx);
  if (!isActor(follower) || !follower.id || !follower.inboxId) {
    ctx.data.logger
      .child("inbox")
      .warn(`ignored ${describe(follow)}: the follower is not a reachable actor`);
    return;
  }
  if (
    !inboxesOnOwnOrigin({
      id: follower.id,
      inboxId: follower.inboxId,
      endpoints: follower.endpoints,
    })
  ) {
    ctx.data.logger
      .child("inbox")
      .warn(`ignored ${describe(follow)}: the follower's inbox is on another origin`);
    return;
  }
  const row = ctx.data.services.follows.addFollower({
    actor: territory.slug,
    follower: follower.id.href,
    inbox: follower.inboxId.href,
    sharedInbox: follower.endpoints?.sharedInbox?.href ?? null,
    handle: actorHandle(follower),
    name: follower.name?.toString() ?? null,
    followActivityId: follow.id.href,
    spiral: isSpiralActor(follower),
    // A repeated Follow (Mastodon re-sends them) never demotes an accepted follower.
    state:
      territory.manualApproval && !alreadyAccepted(ctx, territory.slug, follower.id.href)
        ? "pending"
        : "accepted",
  });
  if (row.state === "accepted") {
    await answerFollow(ctx, territory.slug, "Accept", follow, follower);
    const { id, inboxId, endpoints } = follower;
    await catchUpFollower(ctx, territory.slug, { id, inboxId, endpoints, spiral: row.spiral });
  }
  ctx.data.logger
    .child("inbox")
    .info(`${follower.id.href} follows ${territory.slug} (${row.state})`);
}

type Recipient = {
  id: URL | null;
  inboxId: URL | null;
  endpoints?: { sharedInbox: URL | null } | null;
  spiral?: boolean;
};

/** The same meeting activity goes to one follower at most once in this period. */
export const CATCH_UP_EVERY_MS = 24 * 60 * 60 * 1000;

/**
 * A new follower gets the territory's upcoming meetings at once (as they were last sent, proof
 * included): unlike posts, a meeting announced last week still matters to someone who follows
 * today. Each of those activities goes to one follower at most once a day (by the node's clock):
 * a repeated Follow — or Follow, Undo, Follow… — is answered, but cannot make the territory
 * send the same meetings again and again; one announced or changed since still goes out. What
 * was sent when is kept in the KV store and claimed by compare-and-swap before sending, so
 * concurrent Follows send once.
 */
export async function catchUpFollower(
  ctx: Context<FederationDeps>,
  slug: string,
  follower: Recipient,
): Promise<number> {
  const { services, kv } = ctx.data;
  const upcoming = services.meetings.list(slug, { upcoming: true }).map((m) => m.uuid);
  const rows = services.outbox.latestMeetingActivities(slug, upcoming);
  if (rows.length === 0 || !follower.id) return 0;
  const key = ["spiral", "catchUp", slug, follower.id.href] as const;
  const now = services.ctx.now();
  const previous = await kv.get<Record<string, string>>(key);
  // Activity (outbox row) → when it was last sent to this follower, within the period.
  const sent = Object.fromEntries(
    Object.entries(previous ?? {}).filter(
      ([, at]) => now.getTime() - Date.parse(at) < CATCH_UP_EVERY_MS,
    ),
  );
  const due = rows.filter((row) => !(row.uuid in sent));
  if (due.length === 0) return 0;
  for (const row of due) sent[row.uuid] = now.toISOString();
  const ttl = Temporal.Duration.from({ milliseconds: 2 * CATCH_UP_EVERY_MS });
  if (!kv.cas) await kv.set(key, sent, { ttl });
  // Another Follow of the same follower got there first.
  else if (!(await kv.cas(key, previous, sent, { ttl }))) return 0;
  for (const row of due) {
    if (!row.json) continue;
    await sendSignedJson(ctx, slug, row.json, follower, {
      orderingKey: row.objectId,
      preferSharedInbox: false,
    });
  }
  return due.length;
}

const alreadyAccepted = (ctx: Ctx, slug: string, follower: string) =>
  ctx.data.services.follows.acceptedFollowers(slug).some((f) => f.follower === follower);

async function followAnswered(ctx: Ctx, answer: Accept | Reject, state: "accepted" | "rejected") {
  const followId = answer.objectId?.href;
  if (!followId) return;
  const row = ctx.data.services.follows.followingByActivity(followId);
  // Only the followed actor can answer our request.
  if (!row || answer.actorId?.href !== row.target) return;
  ctx.data.services.follows.setFollowingState(row.id, state);
  ctx.data.logger.child("inbox").info(`${row.target} ${state} the follow of ${row.actor}`);
  if (state === "accepted") ctx.data.requestPull(row.id);
}

export async function onAccept(ctx: Ctx, accept: Accept): Promise<void> {
  await followAnswered(ctx, accept, "accepted");
}

export async function onReject(ctx: Ctx, reject: Reject): Promise<void> {
  await followAnswered(ctx, reject, "rejected");
}

/** Undo(Follow): the follower leaves. */
export async function onUndo(ctx: Ctx, undo: Undo): Promise<void> {
  const object = await undo.getObject(ctx);
  if (!(object instanceof Follow) || !undo.actorId) return;
  if (object.actorId?.href !== undo.actorId.href) return;
  const group = localSubnetwork(ctx, object.objectId);
  if (group) return onSubnetworkLeave(ctx, undo.actorId, group);
  const territory = localTerritory(ctx, object.objectId);
  if (!territory) return;
  if (ctx.data.services.follows.removeFollower(territory.slug, undo.actorId.href)) {
    ctx.data.logger.child("inbox").info(`${undo.actorId.href} no longer follows ${territory.slug}`);
  }
}

/**
 * Create or Update: a synthesis (Article) or a meeting (Event), told apart by the media type of
 * its `source`; anything else (a Mastodon post) is not for us.
 */
export async function onCreateOrUpdate(ctx: Ctx, activity: Create | Update): Promise<void> {
  const object = await activity.getObject(ctx);
  if (object instanceof Article && object.source?.mediaType === SYNTHESIS_MEDIA_TYPE) {
    await onSynthesisActivity(ctx, activity, object);
  } else if (object instanceof Article && object.source?.mediaType === PROGRESS_MEDIA_TYPE) {
    await onProgressActivity(ctx, activity, object);
  } else if (object instanceof Event && object.source?.mediaType === MEETING_MEDIA_TYPE) {
    await onMeetingActivity(ctx, activity, object);
  }
}

/**
 * The checks every received object goes through: a consistent origin (actor = attributedTo =
 * the payload's territory, ids on the actor's server), not our own, and an integrity proof that
 * verifies (Fedify accepts a direct delivery on its RSA signature alone; the proof is what lets
 * the stored copy be re-served and re-verified by others). Returns the JSON to store, or null.
 */
async function verifiedOrigin(
  ctx: Ctx,
  activity: Create | Update,
  object: Article | Event,
  payloadTerritory: string,
  refuse: (reason: string) => void,
): Promise<Record<string, unknown> | null> {
  const actor = activity.actorId?.href;
  if (!actor || !activity.id || !object.id) {
    refuse("missing actor or id");
    return null;
  }
  if (object.attributionId?.href !== actor || payloadTerritory !== actor) {
    refuse("forged origin: actor, attributedTo and payload territory differ");
    return null;
  }
  if (!sameOrigin(activity.id, actor) || !sameOrigin(object.id, actor)) {
    refuse("ids are not on the origin's server");
    return null;
  }
  if (sameOrigin(actor, ctx.canonicalOrigin)) return null; // our own, relayed back to us
  const json = await provenActivityJson(ctx, activity);
  if (!json) refuse("its integrity proof is missing or does not verify");
  return json;
}

/** How to read one kind of version (synthesis or progress) from an Article. */
interface VersionKind<P> {
  parse: (
    article: Article,
    grid: Ctx["data"]["grid"],
  ) => { ok: true; payload: P } | { ok: false; reason: string };
  start: (payload: P) => string;
  notStarted: string;
}

/**
 * A synthesis or progress version: parsed, started, proven to come from its origin, then handed
 * to the service that keeps it; the outcome is logged (a warning on a conflict).
 */
async function acceptedVersion<
  P extends { territory: { id: string; name: string }; version: number },
  O extends string,
>(
  ctx: Ctx,
  activity: Create | Update,
  article: Article,
  kind: VersionKind<P> & {
    accept: (
      services: Ctx["data"]["services"],
      input: {
        origin: string;
        objectId: string;
        payload: P;
        activity: Record<string, unknown>;
        via: string | null;
      },
    ) => O;
    /** What the log line names before the version number. */
    title: (payload: P) => string;
  },
) {
  const version = await verifiedVersion(ctx, activity, article, kind);
  if (!version) return null;
  const { logger, payload, json, actor, objectId, via } = version;
  const input = { origin: actor, objectId, payload, activity: json, via };
  const outcome = kind.accept(ctx.data.services, input);
  const log = outcome === "conflict" ? logger.warn : logger.info;
  log(`${describe(activity)}: ${kind.title(payload)} v${payload.version} — ${outcome}`);
  return { ...version, outcome };
}

/** A synthesis or progress version: parsed, started, and proven to come from its origin. */
async function verifiedVersion<P extends { territory: { id: string } }>(
  ctx: Ctx,
  activity: Create | Update,
  article: Article,
  kind: VersionKind<P>,
) {
  const logger = ctx.data.logger.child("inbox");
  const refuse = (reason: string) => logger.warn(`refused ${describe(activity)}: ${reason}`);
  const parsed = kind.parse(article, ctx.data.grid);
  if (!parsed.ok) {
    refuse(parsed.reason);
    return null;
  }
  const { payload } = parsed;
  if (kind.start(payload) > ctx.data.services.ctx.now().toISOString().slice(0, 10)) {
    refuse(kind.notStarted);
    return null;
  }
  const json = await verifiedOrigin(ctx, activity, article, payload.territory.id, refuse);
  if (!json || !article.id || !activity.actorId) return null;
  const actor = activity.actorId.href;
  const via = relayedVia(ctx.data.relayHints.take(activity.id), actor);
  return { logger, payload, json, actor, objectId: article.id.href, via };
}

/** How a version that went past "older" arrived, for the sub-network's record. */
const versionArrival = (outcome: string) =>
  outcome === "duplicate"
    ? ("duplicate" as const)
    : outcome === "stored"
      ? ("new" as const)
      : ("newer" as const);

/** A synthesis version: stored if it moves the (origin, period) forward (docs/protocol.md §7). */
async function onSynthesisActivity(
  ctx: Ctx,
  activity: Create | Update,
  article: Article,
): Promise<void> {
  const version = await acceptedVersion(ctx, activity, article, {
    parse: articleToSynthesis,
    start: (payload) => payload.period.start,
    notStarted: "the period has not started yet",
    accept: (services, input) => services.received.accept(input),
    title: (payload) => payload.territory.name,
  });
  if (!version) return;
  const { payload, json, actor, objectId, via, outcome } = version;
  const item = {
    kind: "synthesis" as const,
    origin: actor,
    objectId,
    periodKey: periodKey(payload.period),
  };
  // Older, or withdrawn by a Delete that came first: goes no further.
  if (outcome === "older" || outcome === "withdrawn") return;
  // Withdrawn here: a replayed copy of a version the origin withdrew goes no further.
  if (ctx.data.services.subnetworks.receivedObject(objectId)?.withdrawn) return;
  const arrival = versionArrival(outcome);
  recordArrival(ctx, via, { ...item, activityId: String(json.id) }, arrival);
  // A sub-network hosted here re-announces what its members address to it (docs/protocol.md §12).
  await relayToSubnetworks(ctx, activity, json, { ...item, payload }, arrival);
  // A version this node did not hold goes on to its followers (docs/protocol.md §8).
  if (outcome === "stored" || outcome === "replaced") {
    await propagateToFollowers(ctx, activity, {
      json,
      origin: actor,
      objectId: item.objectId,
      via,
    });
  }
}

/**
 * A campaign's progress version (docs/protocol.md §13): the same origin and proof checks as a
 * synthesis, the floors whatever the origin says, then counted if it moves (origin, campaign)
 * forward; a sub-network hosted here relays it when one of its paths is on its theme.
 */
async function onProgressActivity(
  ctx: Ctx,
  activity: Create | Update,
  article: Article,
): Promise<void> {
  const version = await acceptedVersion(ctx, activity, article, {
    parse: articleToProgress,
    start: (payload) => payload.campaign.period.start,
    notStarted: "the campaign has not started yet",
    accept: (services, input) => services.progressFigures.accept({ ...input, local: false }),
    title: (payload) => `progress of ${payload.territory.name}`,
  });
  if (!version) return;
  const { payload, json, actor, objectId, via, outcome } = version;
  // Older, or withdrawn by its origin: goes no further.
  if (outcome === "older" || outcome === "withdrawn") return;
  const item = {
    kind: "progress" as const,
    origin: actor,
    objectId,
    periodKey: campaignKey(payload.campaign.id),
    progress: payload,
  };
  const arrival = versionArrival(outcome);
  recordArrival(ctx, via, { ...item, activityId: String(json.id) }, arrival);
  await relayToSubnetworks(ctx, activity, json, item, arrival);
}

/** A meeting announced (or changed, or cancelled) by a territory. */
async function onMeetingActivity(ctx: Ctx, activity: Create | Update, event: Event): Promise<void> {
  const { services } = ctx.data;
  const logger = ctx.data.logger.child("inbox");
  const refuse = (reason: string) => logger.warn(`ignored ${describe(activity)}: ${reason}`);
  const parsed = eventToMeeting(event);
  if (!parsed.ok) return refuse(parsed.reason);
  const json = await verifiedOrigin(ctx, activity, event, parsed.payload.territory.id, refuse);
  if (!json || !event.id || !activity.actorId) return;
  const actor = activity.actorId.href;
  const via = relayedVia(ctx.data.relayHints.take(activity.id), actor);
  const outcome = services.receivedMeetings.accept({
    origin: actor,
    objectId: event.id.href,
    payload: parsed.payload,
    activity: json,
    via,
  });
  logger.info(`${describe(activity)}: meeting "${parsed.payload.title}" — ${outcome}`);
  const held = services.subnetworks.receivedObject(event.id.href);
  // The same sequence again (a member sharing a meeting the group's node already had) is a
  // duplicate; an older one, or anything about a deleted meeting, goes no further.
  const duplicate =
    outcome === "older" &&
    held?.origin === actor &&
    (held.payload as { sequence?: number }).sequence === parsed.payload.sequence;
  if ((outcome === "older" && !duplicate) || held?.withdrawn) return;
  const item = {
    kind: "meeting" as const,
    origin: actor,
    objectId: event.id.href,
    periodKey: null,
    followersOnly: !isPublicMeeting(parsed.payload),
  };
  const arrival = duplicate ? "duplicate" : outcome === "stored" ? "new" : "newer";
  recordArrival(ctx, via, { ...item, activityId: String(json.id) }, arrival);
  await relayToSubnetworks(ctx, activity, json, item, arrival);
}

/** The relay an activity came through, unless that was its origin itself (pulled from it). */
const relayedVia = (hint: string | null, origin: string) => (hint === origin ? null : hint);

/**
 * Delete by its origin: a synthesis is marked withdrawn, a meeting removed. Delivered directly,
 * relayed in an Announce or pulled from a peer's known-syntheses collection (anti-entropy), it
 * comes through here. A Delete older than the version held (the origin republished since) changes
 * nothing. Its JSON is kept as the synthesis's tombstone only when the origin's proof verifies, so
 * what this node re-serves can be checked by others.
 */
export async function onDelete(ctx: Ctx, del: Delete): Promise<void> {
  const objectId = del.objectId;
  const actor = del.actorId;
  if (!objectId || !actor || !sameOrigin(objectId, actor)) return;
  const { received, receivedMeetings, subnetworks, progressFigures } = ctx.data.services;
  const via = relayedVia(ctx.data.relayHints.take(del.id), actor.href);
  // A campaign's progress (docs/protocol.md §13): out of the figures, passed on to sub-networks.
  const progress = progressFigures.withdraw(
    actor.href,
    objectId.href,
    del.published?.toString() ?? null,
  );
  if (progress !== "unknown") {
    const log = ctx.data.logger.child("inbox");
    if (progress === "older") {
      log.info(`ignored ${describe(del)}: a newer version of ${objectId.href} is held`);
      return;
    }
    if (progress === "withdrawn") log.info(`${actor.href} withdrew the progress ${objectId.href}`);
    await relayDeleteToSubnetworks(ctx, del);
    subnetworks.markDeletedEverywhere(actor.href, objectId.href);
    return;
  }
  const tombstone = received.holdsObject(actor.href, objectId.href)
    ? await provenActivityJson(ctx, del)
    : null;
  const outcome = received.applyWithdrawal(actor.href, objectId.href, {
    published: del.published?.toString() ?? null,
    activity: tombstone,
  });
  if (outcome === "older") {
    ctx.data.logger
      .child("inbox")
      .info(`ignored ${describe(del)}: a newer version of ${objectId.href} is held`);
    return;
  }
  if (outcome === "withdrawn") {
    ctx.data.logger.child("inbox").info(`${actor.href} withdrew ${objectId.href}`);
    // Withdrawn here for the first time, by a Delete whose proof verified: passed on too.
    if (tombstone) {
      const item = { json: tombstone, origin: actor.href, objectId: objectId.href, via };
      await propagateToFollowers(ctx, del, item);
    }
  } else if (outcome === "unknown" && receivedMeetings.remove(actor.href, objectId.href)) {
    ctx.data.logger.child("inbox").info(`${actor.href} deleted the meeting ${objectId.href}`);
  } else if (outcome === "unknown") {
    // The Delete came before the synthesis: kept, so the synthesis arrives withdrawn.
    await keepEarlyWithdrawal(ctx, del);
  }
  await relayDeleteToSubnetworks(ctx, del);
  subnetworks.markDeletedEverywhere(actor.href, objectId.href);
}

/**
 * Announce from a relay (another node, or a sub-network a local territory joined): the embedded activity is taken as is
 * and routed through Fedify, which accepts it only if the origin's proof verifies (or the origin
 * serves it again). A relay therefore cannot alter what it passes on.
 */
export async function onAnnounce(ctx: Ctx, announce: Announce): Promise<void> {
  if (!(await acceptsAnnounceFrom(ctx, announce))) return;
  let inner: unknown;
  try {
    inner = await announce.getObject({ ...ctx, crossOrigin: "trust" });
  } catch (error) {
    // The relayed object could not be had (not served, not verified): logged with its cause.
    ctx.data.logger
      .child("inbox")
      .warn(`ignored ${describe(announce)}: ${(error as Error).message}`, error);
    return;
  }
  // Mastodon boosts carry a post, not an activity: nothing for us.
  if (!(inner instanceof Create || inner instanceof Update || inner instanceof Delete)) return;
  const via = announce.actorId?.href ?? "unknown relay";
  ctx.data.relayHints.note(inner.id, via);
  const routed = await routeRelayed(ctx, ctx.recipient, inner);
  if (!routed) {
    ctx.data.logger
      .child("inbox")
      .warn(
        `refused ${describe(inner)} relayed by ${via}: the origin's proof does not verify (nor does its origin serve it)`,
      );
    return;
  }
  // Verified now (or already processed once verified): an arrival Fedify did not route again.
  noteAlreadyHeld(ctx, via, inner);
}
