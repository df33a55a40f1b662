import type { Context, DocumentLoader, Federation } from "@fedify/fedify";
import {
  Activity,
  Article,
  Create,
  Delete,
  isActor,
  OrderedCollection,
  OrderedCollectionPage,
  Update,
} from "@fedify/vocab";
import { periodKey } from "@spiral-network/protocol";
import type { FollowingRow } from "../services/follows";
import type { FederationDeps } from "./context";
import { routeRelayed } from "./integrity";
import { createDocumentLoader } from "./outbound";
import { UNREACHABLE_AFTER } from "./reachability";
import { lookUpRemote } from "./remote-lookup";
import { articleToSynthesis } from "./synthesis-mapper";

const MAX_PAGES = 200;
/** The most items one pull looks at (a network of a few thousand territories fits well within). */
const MAX_ITEMS = 50_000;

/**
 * Anti-entropy (docs/protocol.md §8): pulls the "known syntheses" collection of the peers this node's
 * territories follow — at start, when a follow is accepted, then periodically — and routes each
 * activity it does not hold yet through the same verification as a delivery. Syntheses of territories
 * nobody here follows thus arrive without flooding the network.
 */
export function createAntiEntropy(
  federation: Federation<FederationDeps>,
  deps: FederationDeps,
  publicUrl: string,
  intervalMs: number,
) {
  let timer: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<unknown>>();
  const context = () => federation.createContext(new URL(publicUrl), deps);
  const freshLoader = createDocumentLoader(deps.outbound);

  /**
   * Whether the item is a synthesis version this node already holds, or a withdrawal (tombstone)
   * that would change nothing here (skip re-verification). A tombstone that would change
   * something is routed like any delivery: the inbox's Delete handler, after Fedify checked the
   * origin's proof (or fetched the Delete again from its origin).
   */
  async function alreadyHeld(ctx: Context<FederationDeps>, item: Activity): Promise<boolean> {
    if (item instanceof Delete) {
      const actor = item.actorId?.href;
      const objectId = item.objectId?.href;
      if (!actor || !objectId) return false;
      return deps.services.received.withdrawalSettled(
        actor,
        objectId,
        item.published?.toString() ?? null,
      );
    }
    if (!(item instanceof Create || item instanceof Update)) return false;
    const object = await item.getObject(ctx).catch((error: unknown) => {
      // Not held then: the item is routed, and verified or refused there with its reason.
      deps.logger.child("anti-entropy").debug(`could not read ${item.objectId?.href}`, error);
      return null;
    });
    if (!(object instanceof Article)) return false;
    const parsed = articleToSynthesis(object, deps.grid);
    if (!parsed.ok || !item.actorId) return false;
    return deps.services.received.holds(
      item.actorId.href,
      periodKey(parsed.payload.period),
      parsed.payload.version,
      parsed.payload.hash,
    );
  }

  /**
   * Pulls from one peer within its own deadline (pullTimeoutMs, every page included); whether it
   * answered counts for its reachability (both ways).
   */
  async function pull(row: FollowingRow): Promise<{ routed: number; skipped: number }> {
    const peer = { actor: row.target };
    const deadline = AbortSignal.timeout(deps.outbound.pullTimeoutMs);
    let pulled: { routed: number; skipped: number };
    try {
      const seconds = deps.outbound.pullTimeoutMs / 1000;
      pulled = await withDeadline(
        pullFrom(row, deadline),
        deadline,
        `timed out after ${seconds} s`,
      );
    } catch (error) {
      deps.services.follows.recordContactFailure(peer, {
        reason: `pull: ${(error as Error).message}`,
        permanent: false,
        unreachableAfter: deps.unreachableAfter ?? UNREACHABLE_AFTER,
      });
      throw error;
    }
    deps.services.follows.recordContactSuccess(peer);
    // It answered: deliveries held for it go out now (peer-recovery.ts).
    await deps.peers?.seenAlive(row.target);
    return pulled;
  }

  async function pullFrom(
    row: FollowingRow,
    deadline: AbortSignal,
  ): Promise<{ routed: number; skipped: number }> {
    const ctx = context();
    const cached = { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader };
    const peer = await lookUpRemote(row.target, cached, deps.outbound, deadline);
    if (!peer) throw new Error("no answer");
    if (!isActor(peer)) throw new Error(`${row.target} is not an actor`);
    const stream = peer.streamIds.find((url) => url.pathname.endsWith("/known-syntheses"));
    if (!stream) return { routed: 0, skipped: 0 }; // not a Spiral Network node (e.g. Mastodon)
    // The collection and its pages are read fresh — Fedify's loader caches every document for
    // 5 minutes, and a pull soon after another one would see the peer's old list and miss its
    // new versions — each within the pull's deadline.
    const documentLoader: DocumentLoader = (url, options) => {
      deadline.throwIfAborted();
      return freshLoader(url, { ...options, signal: deadline });
    };
    const fresh = { documentLoader, contextLoader: ctx.contextLoader };
    const collection = await lookUpRemote(stream.href, fresh, deps.outbound, deadline);
    if (!collection) throw new Error("no answer from its known-syntheses stream");
    if (!(collection instanceof OrderedCollection))
      throw new Error(`${stream.href} is not a collection`);

    // Items come from many origins: take them as served (crossOrigin "trust") and let
    // routeActivity check each origin's proof.
    const options = { ...ctx, ...fresh, crossOrigin: "trust" as const };
    let routed = 0;
    let skipped = 0;
    let seen = 0;
    // Page by page, with a ceiling, so a hostile peer cannot make us hold or verify without end.
    const take = async (items: AsyncIterable<unknown>) => {
      for await (const item of items) {
        deadline.throwIfAborted();
        if (++seen > MAX_ITEMS) return false;
        if (!(item instanceof Activity)) continue;
        if (await alreadyHeld(ctx, item)) {
          skipped++;
          continue;
        }
        deps.relayHints.note(item.id, row.target);
        const accepted = await routeRelayed(ctx, null, item);
        if (accepted) routed++;
        else
          deps.logger
            .child("anti-entropy")
            .warn(`anti-entropy: ${item.id?.href} from ${row.target} did not verify`);
      }
      return true;
    };
    let more = await take(collection.getItems(options));
    let page = more ? await collection.getFirst(options) : null;
    for (let n = 0; more && page instanceof OrderedCollectionPage && n < MAX_PAGES; n++) {
      more = await take(page.getItems(options));
      page = more ? await page.getNext(options) : null;
    }
    if (!more)
      deps.logger
        .child("anti-entropy")
        .warn(`anti-entropy: stopped after ${MAX_ITEMS} items from ${row.target}`);
    deps.services.follows.markPulled(row.id);
    return { routed, skipped };
  }

  async function pullLogged(row: FollowingRow): Promise<void> {
    try {
      const { routed, skipped } = await pull(row);
      deps.logger
        .child("anti-entropy")
        .info(`anti-entropy: pulled ${row.target}: ${routed} routed, ${skipped} already held`);
    } catch (error) {
      deps.logger
        .child("anti-entropy")
        .warn(`anti-entropy: could not pull ${row.target}: ${(error as Error).message}`, error);
    }
  }

  const track = (promise: Promise<unknown>) => {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise));
  };

  return {
    pull,
    /** Pulls from one followed peer in the background (after its Accept). */
    request(followingId: number): void {
      const row = deps.services.follows.acceptedFollowing().find((f) => f.id === followingId);
      if (row) track(pullLogged(row));
    },
    /**
     * Pulls from every accepted peer, pullConcurrency at a time: each pull has its own deadline,
     * so a stalled peer holds one slot until then and never the pulls of the others.
     */
    async pullAll(): Promise<void> {
      const rows = deps.services.follows.acceptedFollowing();
      let next = 0;
      const worker = async () => {
        for (let row = rows[next++]; row; row = rows[next++]) await pullLogged(row);
      };
      const slots = Math.max(1, Math.min(deps.outbound.pullConcurrency, rows.length));
      await Promise.all(Array.from({ length: slots }, worker));
    },
    start(): void {
      // At start, catch up at once with what followed peers published while this node was down.
      track(this.pullAll());
      if (intervalMs <= 0) return;
      timer = setInterval(() => track(this.pullAll()), intervalMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}
export type AntiEntropy = ReturnType<typeof createAntiEntropy>;

/** The work's result, or a rejection with `message` once the signal aborts (whichever first). */
function withDeadline<T>(work: Promise<T>, signal: AbortSignal, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(new Error(message));
    if (signal.aborted) return abort();
    signal.addEventListener("abort", abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}
