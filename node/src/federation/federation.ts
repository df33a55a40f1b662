import {
  type CircuitBreakerOptions,
  type Context,
  createFederation,
  type Federation,
  type InboxListener,
  type KvStore,
  kvCache,
  type MessageQueue,
  type NodeInfo,
  type RetryPolicy,
} from "@fedify/fedify";
import {
  Accept,
  Activity,
  Announce,
  Article,
  Create,
  Delete,
  Event,
  Follow,
  Reject,
  Undo,
  Update,
} from "@fedify/vocab";
import { isPublicMeeting, MEETING_SCHEMA_ID, SYNTHESIS_SCHEMA_ID } from "@spiral-network/protocol";
import { Temporal } from "temporal-polyfill";
import type { ActivityJson } from "../db/schema";
import { meetingUrl } from "../services/meetings";
import type { OutboxRow } from "../services/outbox";
import type { ReceivedSynthesisRow } from "../services/received-syntheses";
import { synthesisUrl } from "../services/syntheses";
import { type ActorUris, subnetworkToActor, territoryToActor } from "./actor-mapper";
import type { FederationDeps } from "./context";
import { type DeliveryRefusal, guardDeliveries } from "./delivery-guard";
import { followerRecipient } from "./followers";
import { gridLink } from "./grid-documents";
import {
  onAccept,
  onAnnounce,
  onCreateOrUpdate,
  onDelete,
  onFollow,
  onReject,
  onUndo,
} from "./inbox";
import type { KeyBinding } from "./key-binding";
import { meetingToEvent } from "./meeting-mapper";
import {
  createContextLoader,
  createDocumentLoader,
  type OutboundPolicy,
  signedBy,
} from "./outbound";
import type { DeliveryWatch } from "./reachability";
import { FEDERATION_PATHS } from "./routes";
import { registerOutboxQueue } from "./spiral-deliveries";
import { synthesisToArticle } from "./synthesis-mapper";

import { SOFTWARE_VERSION } from "./version";

export { SOFTWARE_VERSION };

const PROTOCOL_VERSION = "spiral/1";
const KNOWN_SYNTHESES = "known-syntheses";
const PAGE_SIZE = 50;
/** Where Fedify's document loader caches remote documents (5 minutes), as it does by default. */
export const REMOTE_DOCUMENT_CACHE = ["_fedify", "remoteDocument"] as const;

export interface FederationOptions {
  /** The node's KV store, as {@link KeyBinding.wrapKv} hands it out. */
  kv: KvStore;
  /** Binds keys to actors by origin in every document and cached key Fedify uses. */
  keyBinding: KeyBinding;
  queue: MessageQueue;
  publicUrl: string;
  /** Limits of every fetch, and whether private addresses may be contacted (tests, a demo). */
  outbound: OutboundPolicy;
  /** Records whether deliveries reach the peers behind follow rows (it watches the queue). */
  deliveryWatch?: DeliveryWatch | undefined;
  /** A delivery refused at send time (a private address) or cut short (no answer in time). */
  onDeliveryRefused: (refusal: DeliveryRefusal) => void;
}

const instant = (iso: string) => Temporal.Instant.from(iso);

/**
 * Delivery retries (docs/running-a-node.md, "Operations"): a failed delivery is tried again after 2 s, then
 * twice as long each time (±25 %), never more than 5 minutes apart, for up to 7 days; then it
 * is given up (the peer shows as unreachable, and anti-entropy pulls still bring it syntheses).
 */
export const DELIVERY_RETRY = {
  firstDelayMs: 2_000,
  maxDelayMs: 5 * 60_000,
  giveUpAfterMs: 7 * 24 * 60 * 60_000,
} as const;

/** Retries on DELIVERY_RETRY's schedule, given up after `giveUpAfterMs`. */
const retryPolicy =
  (giveUpAfterMs: number): RetryPolicy =>
  ({ elapsedTime, attempts }) => {
    if (elapsedTime.total("millisecond") > giveUpAfterMs) return null;
    const exponential = DELIVERY_RETRY.firstDelayMs * 2 ** Math.min(attempts, 20);
    const jitter = 0.75 + Math.random() * 0.5;
    const ms = Math.round(Math.min(exponential, DELIVERY_RETRY.maxDelayMs) * jitter);
    return Temporal.Duration.from({ milliseconds: ms });
  };
export const deliveryRetryPolicy = retryPolicy(DELIVERY_RETRY.giveUpAfterMs);
/**
 * A received activity whose handling failed (e.g. the disk was full) is handled again on the
 * same schedule for a day (Fedify's default gives up after about 17 minutes).
 */
export const INBOX_RETRY_GIVE_UP_MS = 24 * 60 * 60_000;
export const inboxRetryPolicy = retryPolicy(INBOX_RETRY_GIVE_UP_MS);

/**
 * The circuit breaker (docs/running-a-node.md, "Operations"): after 5 failed deliveries to a host within 10
 * minutes, deliveries to it are held (no request) and one probe is sent every minute — Fedify's
 * default is 30 minutes — for up to 7 days. A host seen alive earlier is reset at once
 * (peer-recovery.ts).
 */
export const CIRCUIT_BREAKER = {
  failureThreshold: 5,
  failureWindow: { minutes: 10 },
  recoveryDelay: { minutes: 1 },
  heldActivityTtl: { days: 7 },
} as const satisfies CircuitBreakerOptions;

/** Builds the Fedify federation of a node: actors, collections, objects and inbox handlers. */
export function createSpiralFederation(options: FederationOptions): Federation<FederationDeps> {
  const watch = options.deliveryWatch;
  const { outbound } = options;
  // Refusals happen inside the watch, which therefore never counts them as deliveries.
  const queue = guardDeliveries(options.queue, {
    allowPrivateAddress: outbound.allowPrivateAddress,
    resolve: outbound.resolve,
    timeoutMs: outbound.deliveryTimeoutMs,
    onRefused: options.onDeliveryRefused,
  });
  const documentLoader = createDocumentLoader(outbound);
  const deliveryQueue = watch ? watch.wrap(queue) : queue;
  const federation = createFederation<FederationDeps>({
    kv: options.kv,
    queue: deliveryQueue,
    ...(watch ? { onOutboxError: watch.onOutboxError } : {}),
    manuallyStartQueue: true,
    // No transformers: activities are built complete (id, actor URL) and signed JSON is sent as
    // is (./proofs.ts); Fedify's default ones would clone the activity and serialise it again.
    activityTransformers: [],
    outboxRetryPolicy: deliveryRetryPolicy,
    inboxRetryPolicy,
    circuitBreaker: CIRCUIT_BREAKER,
    origin: options.publicUrl,
    // Every fetch Fedify makes for us goes through the guarded loaders (see outbound.ts); the
    // context loader serves only the well-known contexts, so nothing is fetched for a @context.
    documentLoaderFactory: () =>
      kvCache({ loader: documentLoader, kv: options.kv, prefix: REMOTE_DOCUMENT_CACHE }),
    contextLoaderFactory: () => createContextLoader(),
    authenticatedDocumentLoaderFactory: (identity) =>
      createDocumentLoader(outbound, signedBy(identity)),
  });
  options.keyBinding.attach(federation);
  registerOutboxQueue(federation, deliveryQueue);

  const territoryOf = (ctx: { data: FederationDeps }, identifier: string) =>
    ctx.data.services.territories.list().find((t) => t.slug === identifier);
  // Sub-networks (Group actors) share /actors/{identifier} with territories.
  const subnetworkOf = (ctx: { data: FederationDeps }, identifier: string) =>
    ctx.data.services.subnetworks.find(identifier);
  const isLocalActor = (ctx: { data: FederationDeps }, identifier: string) =>
    territoryOf(ctx, identifier) !== undefined || subnetworkOf(ctx, identifier) !== undefined;

  federation
    .setActorDispatcher(FEDERATION_PATHS.actor, async (ctx, identifier) => {
      const territory = territoryOf(ctx, identifier);
      const subnetwork = territory ? undefined : subnetworkOf(ctx, identifier);
      if (!territory && !subnetwork) return null;
      const keys = await ctx.getActorKeyPairs(identifier);
      const actorKeys = {
        ...(keys[0] ? { publicKey: keys[0].cryptographicKey } : {}),
        assertionMethods: keys.map((k) => k.multikey),
      };
      const uris: ActorUris = {
        id: ctx.getActorUri(identifier),
        inbox: ctx.getInboxUri(identifier),
        sharedInbox: ctx.getInboxUri(),
        outbox: ctx.getOutboxUri(identifier),
        followers: ctx.getFollowersUri(identifier),
        following: ctx.getFollowingUri(identifier),
        url: ctx.getActorUri(identifier),
        streams: [ctx.getCollectionUri(KNOWN_SYNTHESES, { identifier })],
      };
      if (subnetwork) return subnetworkToActor(subnetwork, uris, actorKeys);
      if (!territory) return null;
      return territoryToActor(
        territory,
        uris,
        actorKeys,
        gridLink(uris.id.origin, { id: territory.gridId, version: territory.gridVersion }),
      );
    })
    .setKeyPairsDispatcher((ctx, identifier) =>
      isLocalActor(ctx, identifier) ? ctx.data.keys.keyPairs(identifier) : [],
    )
    .mapHandle((ctx, username) => (isLocalActor(ctx, username) ? username : null));

  federation
    // For a sub-network, its followers collection is its member list.
    .setFollowersDispatcher(FEDERATION_PATHS.followers, (ctx, identifier) => {
      if (!isLocalActor(ctx, identifier)) return null;
      const items = ctx.data.services.follows.acceptedFollowers(identifier).map(followerRecipient);
      return { items };
    })
    .setCounter(
      (ctx, identifier) => ctx.data.services.follows.acceptedFollowers(identifier).length,
    );

  federation
    .setFollowingDispatcher(FEDERATION_PATHS.following, (ctx, identifier) => {
      // A sub-network follows nobody: its collection is empty.
      if (!isLocalActor(ctx, identifier)) return null;
      const items = ctx.data.services.follows
        .following(identifier)
        .filter((f) => f.state === "accepted")
        .map((f) => new URL(f.target));
      return { items };
    })
    .setCounter(
      (ctx, identifier) =>
        ctx.data.services.follows.following(identifier).filter((f) => f.state === "accepted")
          .length,
    );

  // The outbox: the territory's publications (Create, Update, Delete), newest first, as sent.
  federation
    .setOutboxDispatcher(FEDERATION_PATHS.outbox, async (ctx, identifier, cursor) => {
      if (!isLocalActor(ctx, identifier) || cursor === null) return null;
      const offset = Number.parseInt(cursor, 10) || 0;
      if (subnetworkOf(ctx, identifier)) {
        // A sub-network's outbox: the Announces it sent, newest first.
        const rows = ctx.data.services.subnetworks.announces(identifier, PAGE_SIZE + 1, offset);
        const items = await Promise.all(
          rows
            .slice(0, PAGE_SIZE)
            .filter((r) => r.json && ctx.data.services.outbox.isPublic(r))
            .map((r) => Activity.fromJsonLd(r.json, ctx)),
        );
        return { items, nextCursor: rows.length > PAGE_SIZE ? String(offset + PAGE_SIZE) : null };
      }
      const rows = ctx.data.services.outbox.listByActor(identifier, PAGE_SIZE + 1, offset);
      const items = await Promise.all(
        rows
          .slice(0, PAGE_SIZE)
          .filter((r) => r.json)
          .map((r) => Activity.fromJsonLd(r.json, ctx)),
      );
      return { items, nextCursor: rows.length > PAGE_SIZE ? String(offset + PAGE_SIZE) : null };
    })
    .setFirstCursor(() => "0")
    .setCounter((ctx, identifier) =>
      subnetworkOf(ctx, identifier)
        ? ctx.data.services.subnetworks.countAnnounces(identifier)
        : ctx.data.services.outbox.listByActor(identifier, 1_000_000, 0).length,
    );

  // Anti-entropy (docs/protocol.md §8): the latest synthesis activity this node holds per origin and
  // period — its own and those it received — verbatim, with their integrity proofs; for a
  // withdrawn synthesis, the origin's signed Delete (a tombstone: absence would prove nothing).
  // A sub-network serves what it relayed, so a new member catches up when it joins.
  const knownSyntheses = (ctx: Context<FederationDeps>, identifier: string) =>
    subnetworkOf(ctx, identifier)
      ? relayedSynthesisActivities(ctx.data, ctx.getActorUri(identifier).href)
      : knownSynthesisActivities(ctx.data);
  federation
    .setOrderedCollectionDispatcher(
      KNOWN_SYNTHESES,
      Activity,
      FEDERATION_PATHS.knownSyntheses,
      async (ctx, { identifier }, cursor) => {
        if (!isLocalActor(ctx, identifier) || cursor === null) return null;
        const all = knownSyntheses(ctx, identifier);
        const offset = Number.parseInt(cursor, 10) || 0;
        const page = all.slice(offset, offset + PAGE_SIZE);
        const items = await Promise.all(page.map((json) => Activity.fromJsonLd(json, ctx)));
        return {
          items,
          nextCursor: offset + PAGE_SIZE < all.length ? String(offset + PAGE_SIZE) : null,
        };
      },
    )
    .setFirstCursor(() => "0")
    .setCounter((ctx, { identifier }) => knownSyntheses(ctx, identifier).length);

  // A synthesis as an Article; null (→ the HTML side answers 410) once withdrawn. Federation
  // clients get it from ./served-json.ts first (public addressing in full); this names the route.
  federation.setObjectDispatcher(
    Article,
    FEDERATION_PATHS.synthesis,
    (ctx, { uuid }) => publicSynthesisArticle(ctx, uuid) ?? null,
  );

  // A meeting as an Event; null (→ the HTML side answers 410) once deleted. Federation clients
  // get it from ./served-json.ts first (with its iCalendar status); this names the route.
  federation.setObjectDispatcher(
    Event,
    FEDERATION_PATHS.meeting,
    (ctx, { uuid }) => publicMeetingEvent(ctx, uuid)?.event ?? null,
  );

  federation.setNodeInfoDispatcher(FEDERATION_PATHS.nodeInfo, (ctx) => spiralNodeInfo(ctx.data));

  federation
    .setInboxListeners(FEDERATION_PATHS.inbox, FEDERATION_PATHS.sharedInbox)
    .on(Follow, alive(onFollow))
    .on(Accept, alive(onAccept))
    .on(Reject, alive(onReject))
    .on(Undo, alive(onUndo))
    .on(Create, alive(onCreateOrUpdate))
    .on(Update, alive(onCreateOrUpdate))
    .on(Delete, alive(onDelete))
    .on(Announce, alive(onAnnounce))
    .onError((ctx, error) => ctx.data.logger.child("inbox").error("inbox handler failed", error));

  // Deliveries that fail for good (404/410 Gone) mark the follow rows behind that inbox
  // unreachable, then prune the followers behind it.
  federation.setOutboxPermanentFailureHandler((ctx, failure) => {
    watch?.onPermanentFailure(failure.inbox, failure.activity, failure.error);
    const pruned = ctx.data.services.follows.pruneInbox(failure.inbox.href);
    if (pruned > 0) {
      ctx.data.logger
        .child("inbox")
        .warn(`pruned ${pruned} follower(s) behind ${failure.inbox.href} (${failure.reason})`);
    }
  });

  return federation;
}

/** What /nodeinfo/2.1 says about this node (served by ./served-json.ts, without `$schema`). */
export function spiralNodeInfo(deps: FederationDeps): NodeInfo {
  const territories = deps.services.territories.list();
  const published = territories.reduce(
    (n, t) => n + deps.services.syntheses.publicList(t.slug).length,
    0,
  );
  return {
    software: { name: "spiral-network", version: SOFTWARE_VERSION },
    protocols: ["activitypub"],
    openRegistrations: false,
    usage: {
      users: {
        total: territories.length,
        activeHalfyear: territories.length,
        activeMonth: territories.length,
      },
      localPosts: published,
      localComments: 0,
    },
    metadata: {
      protocolVersion: PROTOCOL_VERSION,
      payloadSchemas: [SYNTHESIS_SCHEMA_ID, MEETING_SCHEMA_ID],
      grid: { id: deps.grid.id, version: deps.grid.version },
      territories: territories.length,
      subnetworks: deps.services.subnetworks.list().length,
    },
  };
}

/** The sub-networks a publication was addressed to, as URLs (the object's `audience`). */
const addressedGroups = (deps: FederationDeps, row: OutboxRow) =>
  deps.services.subnetworks.addressedSubnetworks(row).map((url) => new URL(url));

/** A published, not withdrawn synthesis of this node as its Article; undefined otherwise. */
export function publicSynthesisArticle(ctx: Context<FederationDeps>, uuid: string) {
  const found = ctx.data.services.syntheses.series(uuid);
  if (!found || found.series.withdrawnAt) return undefined;
  const { territory, payload, series, latest } = found;
  const id = synthesisUrl(ctx.canonicalOrigin, uuid);
  const publication = ctx.data.services.outbox
    .latestPublications(territory.slug)
    .find((row) => row.objectId === id);
  return synthesisToArticle(
    payload,
    {
      id: new URL(id),
      actor: ctx.getActorUri(territory.slug),
      followers: ctx.getFollowersUri(territory.slug),
      url: new URL(id),
      home: new URL("/", ctx.canonicalOrigin),
      audiences: publication ? addressedGroups(ctx.data, publication) : [],
    },
    ctx.data.grid,
    instant(series.createdAt),
    latest.version > 1 ? instant(latest.createdAt) : undefined,
  );
}

/**
 * A public, not deleted meeting of this node as the Event its followers got (published when it
 * was created, with the sub-networks it went to), and its payload; undefined otherwise.
 */
export function publicMeetingEvent(ctx: Context<FederationDeps>, uuid: string) {
  const found = ctx.data.services.meetings.byUuid(uuid);
  // Deleted, or for followers only (those get it delivered): not served to anyone who asks.
  const payload = found?.meeting.payload;
  if (!found || !payload || found.meeting.deletedAt || !isPublicMeeting(payload)) return undefined;
  const slug = found.territory.slug;
  const [publication] = ctx.data.services.outbox.latestMeetingActivities(slug, [uuid]);
  const id = new URL(meetingUrl(ctx.canonicalOrigin, uuid));
  const event = meetingToEvent(
    payload,
    {
      id,
      actor: ctx.getActorUri(slug),
      followers: ctx.getFollowersUri(slug),
      url: id,
      audiences: publication ? addressedGroups(ctx.data, publication) : [],
    },
    instant(found.meeting.createdAt),
  );
  return { event, payload };
}

/**
 * An inbox listener that first notes its sender is alive: deliveries held for that peer go out
 * now. Only an activity its actor delivered itself, HTTP-signed, counts (./hono.ts
 * signedDeliveryWitness): one handed over by a relay or a pull (it has a relay hint), or a copy
 * accepted on its embedded proof alone, says nothing about its actor being up.
 */
function alive<T extends Activity>(
  listener: InboxListener<FederationDeps, T>,
): InboxListener<FederationDeps, T> {
  return async (ctx, activity) => {
    const delivered =
      ctx.data.signedDeliveries.has(activity.id) && !ctx.data.relayHints.has(activity.id);
    if (activity.actorId && delivered) {
      try {
        await ctx.data.peers?.seenAlive(activity.actorId, true);
      } catch (error) {
        ctx.data.logger.child("inbox").warn(`could not note ${activity.actorId.href} alive`, error);
      }
    }
    return listener(ctx, activity);
  };
}

/**
 * What a received synthesis contributes to a known-syntheses collection: the latest activity
 * (both copies of a conflict, so every node pulling from this one excludes that origin too), or,
 * once its origin withdrew it, the origin's signed Delete as a tombstone — never the stored
 * Create/Update, which would bring a withdrawn synthesis back wherever it is pulled. A synthesis
 * withdrawn by a Delete without a valid proof serves nothing: its tombstone could not be checked.
 */
function receivedEntry(row: ReceivedSynthesisRow): ActivityJson[] {
  if (row.withdrawnAt) return row.withdrawal ? [row.withdrawal] : [];
  return row.conflictingActivity ? [row.activity, row.conflictingActivity] : [row.activity];
}

/**
 * JSON of the latest activity of each synthesis a hosted sub-network relayed (as its origin
 * signed it); both copies of a conflict; the signed Delete of a withdrawn one.
 */
function relayedSynthesisActivities(deps: FederationDeps, subnetwork: string): ActivityJson[] {
  const relayed = new Set(
    deps.services.subnetworks
      .items(subnetwork)
      .filter((item) => item.kind === "synthesis")
      .map((item) => item.objectId),
  );
  // Members on this same node count through their own latest publications.
  return synthesisActivities(deps, (objectId) => relayed.has(objectId));
}

/**
 * JSON of every synthesis activity this node can vouch for: its own latest publication of each
 * synthesis (its Delete once withdrawn) and what it received (see receivedEntry). A Delete kept
 * for an object never held is not served: nothing says that object was a synthesis (it may be a
 * followers-only meeting).
 */
function knownSynthesisActivities(deps: FederationDeps): ActivityJson[] {
  return synthesisActivities(deps, () => true);
}

/** Own latest publications, then received entries, of the syntheses `keep` accepts. */
function synthesisActivities(
  deps: FederationDeps,
  keep: (objectId: string) => boolean,
): ActivityJson[] {
  const own = deps.services.territories
    .list()
    .flatMap((t) => deps.services.outbox.latestPublications(t.slug))
    .filter((row) => keep(row.objectId))
    .flatMap((row) => (row.json ? [row.json] : [])); // prepared rows only (newestOfEach)
  const received = deps.services.received
    .list()
    .filter((r) => keep(r.objectId))
    .flatMap(receivedEntry);
  return [...own, ...received];
}
