import type { MessageQueue, MessageQueueListenOptions } from "@fedify/fedify";
import { addressKind, type Resolve } from "./outbound";
import { isOutboxMessage, type OutboxMessage } from "./outbox-message";

export interface DeliveryRefusal {
  inbox: string;
  activityId: string | undefined;
  reason: string;
  /** Refused for good (a private address), or only this attempt (no answer in time). */
  permanent: boolean;
}

export interface DeliveryGuardOptions {
  allowPrivateAddress: boolean;
  resolve?: Resolve | undefined;
  /** Longest one delivery task may hold a queue slot (ms). */
  timeoutMs: number;
  onRefused: (refusal: DeliveryRefusal) => void;
}

/** A delivery task that outlived its deadline (Fedify's request may still end later). */
export class DeliveryTimedOut extends Error {
  override name = "DeliveryTimedOut";
}

/**
 * Fedify's queue, with two guards on every delivery (outbox) task, applied when the queue hands
 * the task over — the follow row may have been recorded long ago:
 *
 * - unless ALLOW_PRIVATE_ADDRESSES is on, an inbox whose host is (or now resolves to) a loopback
 *   or private address is refused: the task is dropped (Fedify would only retry it);
 * - a task gets `timeoutMs` to finish, so an inbox that never answers cannot hold one of the
 *   queue's slots (and with a few of them, every delivery) for the minutes Node's fetch waits.
 *   The task then fails (our side: the watch does not count it); Fedify's request, left to run,
 *   schedules its own retry if it fails in the end.
 *
 * Both are reported to `onRefused`. Wrap this inside the delivery watch, so the watch never
 * counts a refused task as delivered.
 */
export function guardDeliveries(queue: MessageQueue, options: DeliveryGuardOptions): MessageQueue {
  const refusal = async (message: OutboxMessage): Promise<DeliveryRefusal | null> => {
    if (options.allowPrivateAddress || !URL.canParse(message.inbox)) return null;
    const kind = await addressKind(new URL(message.inbox), options.resolve);
    if (kind !== "private") return null; // unresolved: Fedify's own attempt reports it
    return {
      inbox: message.inbox,
      activityId: message.activityId,
      reason: "the inbox is on this machine or a private network (ALLOW_PRIVATE_ADDRESSES is off)",
      permanent: true,
    };
  };
  const withinDeadline = async (work: unknown, message: OutboxMessage) => {
    let timer: NodeJS.Timeout | undefined;
    const seconds = Number((options.timeoutMs / 1000).toFixed(3));
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new DeliveryTimedOut(`${message.inbox}: no answer within ${seconds} s`)),
        options.timeoutMs,
      );
    });
    try {
      await Promise.race([work, expired]);
    } catch (error) {
      if (error instanceof DeliveryTimedOut) {
        options.onRefused({
          inbox: message.inbox,
          activityId: message.activityId,
          reason: `no answer within ${seconds} s`,
          permanent: false,
        });
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
  const guarded: MessageQueue = {
    enqueue: (message, enqueueOptions) => queue.enqueue(message, enqueueOptions),
    listen(handler, listenOptions?: MessageQueueListenOptions) {
      return queue.listen(async (message: unknown) => {
        if (!isOutboxMessage(message)) return handler(message);
        const refused = await refusal(message);
        if (refused) return options.onRefused(refused);
        await withinDeadline(handler(message), message);
      }, listenOptions);
    },
  };
  if (queue.enqueueMany) guarded.enqueueMany = queue.enqueueMany.bind(queue);
  if (queue.getDepth) guarded.getDepth = queue.getDepth.bind(queue);
  if (queue.nativeRetrial !== undefined) {
    Object.assign(guarded, { nativeRetrial: queue.nativeRetrial });
  }
  return guarded;
}
