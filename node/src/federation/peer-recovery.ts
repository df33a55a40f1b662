import type { KvStore } from "@fedify/fedify";
import type { Logger } from "../logger";
import type { FollowService } from "../services/follows";

/**
 * When deliveries to a peer fail, Fedify retries them on `DELIVERY_RETRY`'s schedule and, after
 * `CIRCUIT_BREAKER.failureThreshold` failures, holds every delivery to that host (its circuit
 * breaker, state in the KV store under ["_fedify", "circuit", host]). A peer that comes back
 * must not wait for those delays (docs/running-a-node.md, "Operations", delivery retries): as soon as it is seen
 * alive — it delivers to us, answers a pull, or answers the look-up this module makes every
 * `probeIntervalMs` for hosts with deliveries waiting — its breaker is reset, its waiting
 * deliveries are made due now, and its follow rows stop showing as unreachable.
 */
export interface PeerRecoveryOptions {
  kv: KvStore;
  queue: { waitingInboxes(): string[]; expedite(origin: string): number };
  follows: FollowService;
  /** Looks an actor up, bypassing caches; resolves whether the peer answered. */
  lookUp(actor: string): Promise<boolean>;
  /** How often hosts with waiting deliveries are looked up; 0 turns the look-ups off. */
  probeIntervalMs: number;
  logger: Pick<Logger, "debug" | "info" | "warn">;
}

/** The circuit breaker's KV key of the host behind a URL (Fedify keys it by `url.host`). */
export const circuitKey = (url: URL) => ["_fedify", "circuit", url.host] as const;

const originOf = (url: URL) => `${url.protocol}//${url.host}/`;

function parse(url: string | URL): URL | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function createPeerRecovery(options: PeerRecoveryOptions) {
  let timer: NodeJS.Timeout | undefined;
  let probing: Promise<void> | undefined;

  /** Resets the breaker of the peer's host and makes its waiting deliveries due now. */
  async function reset(url: URL): Promise<number> {
    await options.kv.delete([...circuitKey(url)]);
    return options.queue.expedite(originOf(url));
  }

  /**
   * The peer behind `url` (an actor id, an inbox) answered: reset its host, clear its rows'
   * "unreachable". `cheap` (for every inbox delivery) resets only a host with a breaker state,
   * i.e. with failed deliveries since its last success, without scanning the queue otherwise.
   */
  async function seenAlive(url: string | URL, cheap = false): Promise<void> {
    const parsed = parse(url);
    if (!parsed) return;
    options.follows.recordContactSuccess({ actor: parsed.href });
    if (cheap && (await options.kv.get([...circuitKey(parsed)])) === undefined) return;
    const expedited = await reset(parsed);
    if (expedited > 0) {
      options.logger.info(
        `${parsed.host} answers again: ${expedited} waiting delivery(ies) sent now`,
      );
    }
  }

  /** Looks up one actor behind each host with deliveries waiting; resets those that answer. */
  async function probe(): Promise<void> {
    const hosts = new Map<string, string>();
    for (const inbox of options.queue.waitingInboxes()) {
      const url = parse(inbox);
      if (!url || hosts.has(url.host)) continue;
      const actor = options.follows.actorBehindInbox(inbox);
      if (actor) hosts.set(url.host, actor);
    }
    for (const actor of hosts.values()) {
      const alive = await options.lookUp(actor).catch((error: unknown) => {
        // Still down is what a probe expects most of the time: worth a debug line, no more.
        options.logger.debug(`${actor} still does not answer`, error);
        return false;
      });
      if (alive) await seenAlive(actor);
    }
  }

  return {
    seenAlive,
    probe,
    start(): void {
      if (options.probeIntervalMs <= 0) return;
      timer = setInterval(() => {
        probing ??= probe()
          .catch((error) => options.logger.warn("peer look-ups failed", error))
          .finally(() => {
            probing = undefined;
          });
      }, options.probeIntervalMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await probing;
    },
  };
}
export type PeerRecovery = ReturnType<typeof createPeerRecovery>;
