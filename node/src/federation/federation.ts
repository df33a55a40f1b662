import {
  type Context,
  createFederation,
  type Federation,
  type KvStore,
  kvCache,
  type MessageQueue,
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
import { Temporal } from "temporal-polyfill";
import {
  isPublicMeeting,
  MEETING_SCHEMA_ID,
  type MeetingPayload,
  SYNTHESIS_SCHEMA_ID,
} from "../../../protocol/src/index";
import { meetingUrl } from "../services/meetings";
import type { ReceivedSynthesisRow } from "../services/received-syntheses";
import { synthesisUrl } from "../services/syntheses";
import { type ActorUris, subnetworkToActor, territoryToActor } from "./actor-mapper";
import type { FederationDeps } from "./context";
import { type DeliveryRefusal, guardDeliveries } from "./delivery-guard";
import { followerRecipient } from "./followers";
import {
  onAccept,
  onAnnounce,
  onCreateOrUpdate,
  onDelete,
  onFollow,
  onReject,
  onUndo,
} from "./inbox";
import { meetingToEvent } from "./meeting-mapper";
import {
  createContextLoader,
  createDocumentLoader,
  type OutboundPolicy,
  signedBy,
} from "./outbound";
import type { DeliveryWatch } from "./reachability";
import { synthesisToArticle } from "./synthesis-mapper";

export const SOFTWARE_VERSION = "0.1.0";
const PROTOCOL_VERSION = "spiral/1";
const KNOWN_SYNTHESES = "known-syntheses";
const PAGE_SIZE = 50;
/** Where Fedify's document loader caches remote documents (5 minutes), as it does by default. */
export const REMOTE_DOCUMENT_CACHE = ["_fedify", "remoteDocument"] as const;

export interface FederationOptions {
  kv: KvStore;
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
  const federation = createFederation<FederationDeps>({
    kv: options.kv,
    queue: watch ? watch.wrap(queue) : queue,
    ...(watch ? { onOutboxError: watch.onOutboxError } : {}),
    manuallyStartQueue: true,
    origin: options.publicUrl,
    // Every fetch Fedify makes for us goes through the guarded loaders (see outbound.ts); the
    // context loader serves only the well-known contexts, so nothing is fetched for a @context.
    documentLoaderFactory: () =>
      kvCache({ loader: documentLoader, kv: options.kv, prefix: REMOTE_DOCUMENT_CACHE }),
    contextLoaderFactory: () => createContextLoader(),
    authenticatedDocumentLoaderFactory: (identity) =>
      createDocumentLoader(outbound, signedBy(identity)),
  });

  const territoryOf = (ctx: { data: FederationDeps }, identifier: string) =>
    ctx.data.services.territories.list().find((t) => t.slug === identifier);
  // Sub-networks (Group actors) share /actors/{identifier} with territories.
  const subnetworkOf = (ctx: { data: FederationDeps }, identifier: string) =>
    ctx.data.services.subnetworks.find(identifier);
  const isLocalActor = (ctx: { data: FederationDeps }, identifier: string) =>
    territoryOf(ctx, identifier) !== undefined || subnetworkOf(ctx, identifier) !== undefined;

  federation
    .setActorDispatcher("/actors/{identifier}", async (ctx, identifier) => {
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
      return territoryToActor(territory, uris, actorKeys);
    })
    .setKeyPairsDispatcher((ctx, identifier) =>
      isLocalActor(ctx, identifier) ? ctx.data.keys.keyPairs(identifier) : [],
    )
    .mapHandle((ctx, username) => (isLocalActor(ctx, username) ? username : null));

  federation
    // For a sub-network, its followers collection is its member list.
    .setFollowersDispatcher("/actors/{identifier}/followers", (ctx, identifier) => {
      if (!isLocalActor(ctx, identifier)) return null;
      const items = ctx.data.services.follows.acceptedFollowers(identifier).map(followerRecipient);
      return { items };
    })
    .setCounter(
      (ctx, identifier) => ctx.data.services.follows.acceptedFollowers(identifier).length,
    );

  federation
    .setFollowingDispatcher("/actors/{identifier}/following", (ctx, identifier) => {
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
    .setOutboxDispatcher("/actors/{identifier}/outbox", async (ctx, identifier, cursor) => {
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

  // Anti-entropy (DESIGN §6): the latest synthesis activity this node holds per origin and
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
      "/actors/{identifier}/known-syntheses",
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

  // A synthesis as an Article; null (→ the HTML side answers 410) once withdrawn.
  federation.setObjectDispatcher(Article, "/syntheses/{uuid}", (ctx, { uuid }) => {
    const found = ctx.data.services.syntheses.series(uuid);
    if (!found || found.series.withdrawnAt) return null;
    const { territory, payload, series, latest } = found;
    return synthesisToArticle(
      payload,
      {
        id: new URL(synthesisUrl(ctx.canonicalOrigin, uuid)),
        actor: ctx.getActorUri(territory.slug),
        followers: ctx.getFollowersUri(territory.slug),
        url: new URL(synthesisUrl(ctx.canonicalOrigin, uuid)),
        tagBase: new URL("/tags/", ctx.canonicalOrigin),
      },
      ctx.data.grid,
      instant(series.createdAt),
      latest.version > 1 ? instant(latest.createdAt) : undefined,
    );
  });

  // A meeting as an Event; null (→ the HTML side answers 410) once deleted.
  federation.setObjectDispatcher(Event, "/meetings/{uuid}", (ctx, { uuid }) => {
    const found = ctx.data.services.meetings.byUuid(uuid);
    // Deleted, or for followers only (those get it delivered): not served to anyone who asks.
    const payload = found?.meeting.payload as unknown as MeetingPayload | undefined;
    if (!found || !payload || found.meeting.deletedAt || !isPublicMeeting(payload)) return null;
    return meetingToEvent(payload, {
      id: new URL(meetingUrl(ctx.canonicalOrigin, uuid)),
      actor: ctx.getActorUri(found.territory.slug),
      followers: ctx.getFollowersUri(found.territory.slug),
      url: new URL(meetingUrl(ctx.canonicalOrigin, uuid)),
    });
  });

  federation.setNodeInfoDispatcher("/nodeinfo/2.1", (ctx) => {
    const territories = ctx.data.services.territories.list();
    const published = territories.reduce(
      (n, t) => n + ctx.data.services.syntheses.list(t.slug).length,
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
        grid: { id: ctx.data.grid.id, version: ctx.data.grid.version },
        territories: territories.length,
        subnetworks: ctx.data.services.subnetworks.list().length,
      },
    };
  });

  federation
    .setInboxListeners("/actors/{identifier}/inbox", "/inbox")
    .on(Follow, onFollow)
    .on(Accept, onAccept)
    .on(Reject, onReject)
    .on(Undo, onUndo)
    .on(Create, onCreateOrUpdate)
    .on(Update, onCreateOrUpdate)
    .on(Delete, onDelete)
    .on(Announce, onAnnounce)
    .onError((ctx, error) => ctx.data.logger.error("inbox handler failed", error));

  // Deliveries that fail for good (404/410 Gone) mark the follow rows behind that inbox
  // unreachable, then prune the followers behind it.
  federation.setOutboxPermanentFailureHandler((ctx, failure) => {
    watch?.onPermanentFailure(failure.inbox, failure.activity, failure.error);
    const pruned = ctx.data.services.follows.pruneInbox(failure.inbox.href);
    if (pruned > 0) {
      ctx.data.logger.warn(
        `pruned ${pruned} follower(s) behind ${failure.inbox.href} (${failure.reason})`,
      );
    }
  });

  return federation;
}

/**
 * What a received synthesis contributes to a known-syntheses collection: the latest activity
 * (both copies of a conflict, so every node pulling from this one excludes that origin too), or,
 * once its origin withdrew it, the origin's signed Delete as a tombstone — never the stored
 * Create/Update, which would bring a withdrawn synthesis back wherever it is pulled. A synthesis
 * withdrawn by a Delete without a valid proof serves nothing: its tombstone could not be checked.
 */
function receivedEntry(row: ReceivedSynthesisRow): Record<string, unknown>[] {
  if (row.withdrawnAt) return row.withdrawal ? [row.withdrawal] : [];
  return row.conflictingActivity ? [row.activity, row.conflictingActivity] : [row.activity];
}

/**
 * JSON of the latest activity of each synthesis a hosted sub-network relayed (as its origin
 * signed it); both copies of a conflict; the signed Delete of a withdrawn one.
 */
function relayedSynthesisActivities(
  deps: FederationDeps,
  subnetwork: string,
): Record<string, unknown>[] {
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
 * synthesis (its Delete once withdrawn) and what it received (see receivedEntry).
 */
function knownSynthesisActivities(deps: FederationDeps): Record<string, unknown>[] {
  return synthesisActivities(deps, () => true);
}

/** Own latest publications, then received entries, of the syntheses `keep` accepts. */
function synthesisActivities(
  deps: FederationDeps,
  keep: (objectId: string) => boolean,
): Record<string, unknown>[] {
  const own = deps.services.territories
    .list()
    .flatMap((t) => deps.services.outbox.latestPublications(t.slug))
    .filter((row) => keep(row.objectId))
    .map((row) => row.json as Record<string, unknown>);
  const received = deps.services.received
    .list()
    .filter((r) => keep(r.objectId))
    .flatMap(receivedEntry);
  return [...own, ...received];
}
