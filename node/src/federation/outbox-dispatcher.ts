import type { Context, Federation } from "@fedify/fedify";
import {
  type Activity,
  Create,
  Delete,
  isActor,
  PUBLIC_COLLECTION,
  Tombstone,
  Update,
} from "@fedify/vocab";
import {
  isPublicMeeting,
  type ProgressPayload,
  type SynthesisPayload,
} from "@spiral-network/protocol";
import { Temporal } from "temporal-polyfill";
import { activityUrl, type OutboxRow } from "../services/outbox";
import { synthesisUrl } from "../services/syntheses";
import type { FederationDeps } from "./context";
import { followerRecipient } from "./followers";
import { meetingToEvent } from "./meeting-mapper";
import { progressToArticle } from "./progress-mapper";
import { sendSignedJson, signedActivityJson } from "./proofs";
import { lookUpRemote } from "./remote-lookup";
import { isSpiralActor, relayOwnToLocalSubnetworks } from "./subnetworks";
import { synthesisToArticle } from "./synthesis-mapper";

const RETRY_EVERY_MS = 30_000;

/**
 * Turns outbox rows into deliveries after their transaction committed: builds the activity,
 * signs its JSON once with the actor's Ed25519 key (FEP-8b32, see ./proofs.ts), keeps exactly
 * that JSON (what /activities/{uuid}, the outbox and the known-syntheses collection serve), and
 * hands the same bytes to Fedify's persistent queue for every accepted follower, with
 * orderingKey = the object id.
 */
export function createOutboxDispatcher(
  federation: Federation<FederationDeps>,
  deps: FederationDeps,
  publicUrl: string,
) {
  let draining: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const context = () => federation.createContext(new URL(publicUrl), deps);

  /**
   * The groups a publication goes to: every one the object was ever addressed to (a withdrawal
   * must reach a group the territory has left), none for a followers-only meeting (a group's
   * relays are public, so those are not sent to groups at all).
   */
  function addressedGroups(row: OutboxRow): string[] {
    const meeting = row.meetingPayload as { visibility?: string } | null;
    if (row.type !== "Delete" && meeting && !isPublicMeeting(meeting)) return [];
    return deps.services.subnetworks.addressedSubnetworks(row);
  }

  /** Where a group's inbox is: from the follow (if any is left), or else from its actor. */
  async function groupRecipient(ctx: Context<FederationDeps>, actor: string, url: string) {
    const follow = deps.services.follows.following(actor).find((f) => f.target === url);
    if (follow) {
      return {
        id: new URL(follow.target),
        inboxId: new URL(follow.targetInbox),
        endpoints: follow.targetSharedInbox
          ? { sharedInbox: new URL(follow.targetSharedInbox) }
          : null,
        // Sub-networks are SPIRAL actors (addressed through the sub-network list).
        spiral: true,
      };
    }
    const loaders = { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader };
    let cause: unknown;
    const group = await lookUpRemote(url, loaders, deps.outbound).catch((error: unknown) => {
      cause = error;
      return null;
    });
    if (!isActor(group) || !group.id || !group.inboxId) {
      deps.logger
        .child("outbox")
        .warn(`the group ${url} could not be reached: not sent there`, cause);
      return null;
    }
    return { id: group.id, inboxId: group.inboxId, endpoints: null, spiral: isSpiralActor(group) };
  }

  async function buildPublication(ctx: Context<FederationDeps>, row: OutboxRow): Promise<Activity> {
    const id = new URL(activityUrl(ctx.canonicalOrigin, row.uuid));
    const actor = ctx.getActorUri(row.actor);
    const followers = ctx.getFollowersUri(row.actor);
    // Sub-networks it is addressed to (FEP-1b12): in cc and audience, so the group relays it.
    const groups = addressedGroups(row).map((url) => new URL(url));
    const toGroups = groups.length > 0 ? { audiences: groups } : {};
    const addressing = { to: PUBLIC_COLLECTION, ccs: [followers, ...groups], ...toGroups };
    if (row.type === "Delete") {
      const now = Temporal.Instant.from(row.createdAt);
      return new Delete({
        id,
        actor,
        object: new Tombstone({ id: new URL(row.objectId), deleted: now }),
        published: now,
        ...addressing,
      });
    }
    if (row.meetingPayload) {
      const payload = row.meetingPayload;
      const meeting = row.meetingUuid ? deps.services.meetings.byUuid(row.meetingUuid) : undefined;
      const event = meetingToEvent(
        payload,
        { id: new URL(row.objectId), actor, followers, url: new URL(row.objectId), ...toGroups },
        Temporal.Instant.from(meeting?.meeting.createdAt ?? row.createdAt),
      );
      const published = Temporal.Instant.from(row.createdAt);
      const audience = payload.visibility === "followers" ? { to: followers } : addressing;
      const values = { id, actor, object: event, published, ...audience };
      return row.type === "Create" ? new Create(values) : new Update(values);
    }
    if (row.progressVersionId !== null) return buildProgress(ctx, row, row.progressVersionId);
    const found = row.synthesisUuid ? deps.services.syntheses.series(row.synthesisUuid) : undefined;
    const version =
      found && row.synthesisVersionId !== null
        ? deps.services.syntheses.versionById(row.synthesisVersionId)
        : undefined;
    if (!found || !version) throw new Error(`outbox ${row.uuid}: its synthesis version is gone`);
    const published = Temporal.Instant.from(found.series.createdAt);
    const updated = Temporal.Instant.from(version.createdAt);
    const article = synthesisToArticle(
      JSON.parse(version.payload) as SynthesisPayload,
      {
        id: new URL(row.objectId),
        actor,
        followers,
        url: new URL(synthesisUrl(ctx.canonicalOrigin, found.series.uuid)),
        home: new URL("/", ctx.canonicalOrigin),
        ...toGroups,
      },
      deps.grid,
      published,
      row.type === "Update" ? updated : undefined,
    );
    const values = { id, actor, object: article, published: updated, ...addressing };
    return row.type === "Create" ? new Create(values) : new Update(values);
  }

  /** A campaign's progress version as a Create (first version) or Update of its Article. */
  function buildProgress(
    ctx: Context<FederationDeps>,
    row: OutboxRow,
    versionId: number,
  ): Activity {
    const version = deps.services.progress.progressVersionById(versionId);
    if (!version) throw new Error(`outbox ${row.uuid}: its progress version is gone`);
    const id = new URL(activityUrl(ctx.canonicalOrigin, row.uuid));
    const actor = ctx.getActorUri(row.actor);
    const followers = ctx.getFollowersUri(row.actor);
    const groups = addressedGroups(row).map((url) => new URL(url));
    const toGroups = groups.length > 0 ? { audiences: groups } : {};
    const updated = Temporal.Instant.from(version.createdAt);
    const article = progressToArticle(
      JSON.parse(version.payload) as ProgressPayload,
      {
        id: new URL(row.objectId),
        actor,
        followers,
        url: new URL(row.objectId),
        home: new URL("/", ctx.canonicalOrigin),
        ...toGroups,
      },
      deps.grid,
      Temporal.Instant.from(
        deps.services.progress.firstPublished(version.campaignUuid) ?? version.createdAt,
      ),
      row.type === "Update" ? updated : undefined,
    );
    const values = {
      id,
      actor,
      object: article,
      published: updated,
      to: PUBLIC_COLLECTION,
      ccs: [followers, ...groups],
      ...toGroups,
    };
    return row.type === "Create" ? new Create(values) : new Update(values);
  }

  /** Prepares and hands one row to Fedify's queue; false when it failed (and will be retried). */
  async function deliver(row: OutboxRow): Promise<boolean> {
    const ctx = context();
    const { services } = deps;
    const logger = deps.logger.child("outbox");
    try {
      let json = row.json;
      if (!json) {
        json = await signedActivityJson(ctx, row.actor, await buildPublication(ctx, row));
        services.outbox.setJson(row.uuid, json);
      }
      const recipients = services.follows.acceptedFollowers(row.actor).map(followerRecipient);
      // …and the sub-networks it is addressed to (their node relays it to the members), joined
      // now or before; one this node hosts relays it from here.
      const addressed = addressedGroups(row);
      const localGroups = addressed.filter((url) => services.subnetworks.byActorUrl(url));
      if (row.type === "Delete") {
        const origin = ctx.getActorUri(row.actor).href;
        for (const url of services.subnetworks.hostedHolders(origin, row.objectId)) {
          if (!localGroups.includes(url)) localGroups.push(url);
        }
      }
      for (const url of addressed) {
        if (services.subnetworks.byActorUrl(url)) continue;
        if (recipients.some((r) => r.id.href === url)) continue;
        const group = await groupRecipient(ctx, row.actor, url);
        if (group) recipients.push(group);
      }
      if (recipients.length > 0) {
        await sendSignedJson(ctx, row.actor, json, recipients, {
          orderingKey: row.objectId,
          preferSharedInbox: true,
        });
      }
      if (localGroups.length > 0) await relayOwnToLocalSubnetworks(ctx, row, json, localGroups);
      services.outbox.markSent(row.uuid);
      logger.info(`sent ${row.type} ${row.objectId} to ${recipients.length} follower(s)`);
      return true;
    } catch (error) {
      logger.error(`outbox ${row.uuid} (${row.type}) failed; will retry`, error);
      try {
        services.outbox.markFailed(row.uuid, row.attempts + 1, String(error));
      } catch (noted) {
        // A full disk refuses the note too: the row stays pending and the next pass retries it.
        logger.error(`outbox ${row.uuid}: could not note the failure`, noted);
      }
      return false;
    }
  }

  async function drainOnce(): Promise<void> {
    do {
      again = false;
      // Activities about one object go out in order: once one fails, the later ones wait
      // (a Delete must never overtake the Create it follows).
      const blocked = new Set<string>();
      for (const row of deps.services.outbox.pending()) {
        if (stopped) return;
        if (blocked.has(row.objectId)) continue;
        if (!(await deliver(row))) blocked.add(row.objectId);
      }
    } while (again && !stopped);
  }

  return {
    /** Delivers pending rows now (coalesces concurrent calls). */
    drain(): Promise<void> {
      if (draining) {
        again = true;
        return draining;
      }
      // A pass never rejects: its callers do not wait for it (an unhandled rejection would end
      // the process); what failed is retried on the next pass.
      draining = drainOnce()
        .catch((error) => deps.logger.error("outbox pass failed; will retry", error))
        .finally(() => {
          draining = null;
          // A wake-up that came after the last look at the table starts another pass.
          if (again && !stopped) void this.drain();
        });
      return draining;
    },
    start(): void {
      stopped = false;
      void this.drain();
      timer = setInterval(() => void this.drain(), RETRY_EVERY_MS);
      timer.unref();
    },
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await draining;
    },
  };
}
export type OutboxDispatcher = ReturnType<typeof createOutboxDispatcher>;
