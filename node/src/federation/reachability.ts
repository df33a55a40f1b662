import type {
  MessageQueue,
  MessageQueueEnqueueOptions,
  MessageQueueListenOptions,
} from "@fedify/fedify";
import type { Activity } from "@fedify/vocab";
import type { FollowService, Peer } from "../services/follows";
import { isOutboxMessage } from "./outbox-message";

/** Failed contacts in a row after which a peer shows as unreachable. */
export const UNREACHABLE_AFTER = 3;

/** What one outbox delivery task turned out to be. */
interface Outcome {
  failure?: { reason: string; permanent: boolean };
  /** Fedify queued the same delivery again (a retry, or held by its circuit breaker). */
  requeued?: boolean;
}

const deliveryKey = (activityId: string | undefined, inbox: string) =>
  `${activityId ?? ""}\n${inbox}`;

/** The inbox a failed delivery went to: Fedify's SendActivityError (HTTP) or FetchError (network). */
export function failedInbox(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { inbox, url } = error as { inbox?: unknown; url?: unknown };
  if (inbox instanceof URL) return inbox.href;
  if (url instanceof URL) return url.href;
  return undefined;
}

/** Why a contact failed, in a few words: the HTTP status, or the network error's code. */
export function failureReason(error: unknown): string {
  if (typeof error !== "object" || error === null) return String(error);
  const { statusCode } = error as { statusCode?: unknown };
  if (typeof statusCode === "number" && statusCode > 0) return `HTTP ${statusCode}`;
  // Node's fetch hides the system error (ECONNREFUSED, ENOTFOUND…) a cause or two down.
  for (let cause: unknown = error, depth = 0; cause && depth < 4; depth++) {
    const { code } = cause as { code?: unknown };
    if (typeof code === "string" && /^E[A-Z_]+$/.test(code)) return code;
    cause = (cause as { cause?: unknown }).cause;
  }
  return error instanceof Error ? error.message || error.name : String(error);
}

/**
 * Records whether deliveries reach the peers behind the follow rows (both ways). Fedify reports
 * each failed delivery (`onOutboxError`, then the permanent-failure handler) but not a
 * successful one; the outbox queue sees every delivery task start and end, so the queue is
 * wrapped: a task that ended with no failure reported and nothing queued again delivered its
 * activity. A failure after which Fedify queued no retry is final (404/410, or retries used up).
 */
export function createDeliveryWatch(
  follows: FollowService,
  options: { unreachableAfter?: number; onError: (message: string, error: unknown) => void },
) {
  const unreachableAfter = options.unreachableAfter ?? UNREACHABLE_AFTER;
  const inFlight = new Map<string, Outcome>();
  const fail = (peer: Peer, reason: string, permanent: boolean) =>
    follows.recordContactFailure(peer, { reason, permanent, unreachableAfter });

  const settle = (inbox: string, outcome: Outcome) => {
    if (outcome.failure) {
      fail({ inbox }, outcome.failure.reason, outcome.failure.permanent || !outcome.requeued);
    } else if (!outcome.requeued) {
      follows.recordContactSuccess({ inbox });
    }
  };

  const noteRequeued = (message: unknown) => {
    if (!isOutboxMessage(message)) return;
    const outcome = inFlight.get(deliveryKey(message.activityId, message.inbox));
    if (outcome) outcome.requeued = true;
  };

  return {
    /** For createFederation's `onOutboxError`: called for every failed attempt. */
    onOutboxError(error: Error, activity: Activity | null): void {
      const inbox = failedInbox(error);
      if (!inbox) return;
      const failure = { reason: failureReason(error), permanent: false };
      const outcome = inFlight.get(deliveryKey(activity?.id?.href, inbox));
      if (outcome) outcome.failure = failure;
      else fail({ inbox }, failure.reason, false); // sent outside the queue
    },

    /** From the permanent-failure handler: the inbox is gone, or a held delivery expired. */
    onPermanentFailure(inbox: URL, activity: Activity, error: unknown): void {
      const reason = failureReason(error);
      const outcome = inFlight.get(deliveryKey(activity.id?.href, inbox.href));
      if (outcome) outcome.failure = { reason: outcome.failure?.reason ?? reason, permanent: true };
      else fail({ inbox: inbox.href }, reason, true);
    },

    /** The federation's queue, watching outbox tasks. */
    wrap(queue: MessageQueue): MessageQueue {
      const wrapped: MessageQueue = {
        async enqueue(message: unknown, enqueueOptions?: MessageQueueEnqueueOptions) {
          noteRequeued(message);
          await queue.enqueue(message, enqueueOptions);
        },
        listen(handler, listenOptions?: MessageQueueListenOptions) {
          return queue.listen(async (message: unknown) => {
            if (!isOutboxMessage(message)) return handler(message);
            const key = deliveryKey(message.activityId, message.inbox);
            const outcome: Outcome = {};
            inFlight.set(key, outcome);
            let threw = false;
            try {
              await handler(message);
            } catch (error) {
              threw = true;
              throw error;
            } finally {
              inFlight.delete(key);
              // A task that threw says nothing about the peer (our side failed).
              try {
                if (!threw || outcome.failure) settle(message.inbox, outcome);
              } catch (error) {
                options.onError(`could not record delivery to ${message.inbox}`, error);
              }
            }
          }, listenOptions);
        },
      };
      if (queue.enqueueMany) {
        const enqueueMany = queue.enqueueMany.bind(queue);
        wrapped.enqueueMany = async (messages, enqueueOptions) => {
          for (const message of messages) noteRequeued(message);
          await enqueueMany(messages, enqueueOptions);
        };
      }
      if (queue.getDepth) wrapped.getDepth = queue.getDepth.bind(queue);
      if (queue.nativeRetrial !== undefined) {
        Object.assign(wrapped, { nativeRetrial: queue.nativeRetrial });
      }
      return wrapped;
    },
  };
}
export type DeliveryWatch = ReturnType<typeof createDeliveryWatch>;
