import type { MessageQueue, MessageQueueListenOptions } from "@fedify/fedify";
import { addressKind, type Resolve } from "./outbound";

/** The fields of Fedify's queued outbox message (one activity for one inbox) read here. */
interface OutboxMessage {
  type: "outbox";
  activityId?: string;
  inbox: string;
}
const isOutboxMessage = (message: unknown): message is OutboxMessage =>
  typeof message === "object" &&
  message !== null &&
  (message as { type?: unknown }).type === "outbox" &&
  typeof (message as { inbox?: unknown }).inbox === "string";

export interface DeliveryRefusal {
  inbox: string;
  activityId: string | undefined;
  reason: string;
}

/**
 * Fedify's queue, refusing at send time every delivery whose inbox is on a loopback or private
 * address (when ALLOW_PRIVATE_ADDRESSES is off): the check runs when the queue hands the task
 * over — the follow row may have been recorded long ago, when its host resolved elsewhere. A
 * refused task is dropped (Fedify would only retry it) and reported to `onRefused`. Wrap this
 * inside the delivery watch, so the watch never counts a refused task as delivered.
 */
export function guardDeliveries(
  queue: MessageQueue,
  options: { resolve?: Resolve | undefined; onRefused: (refusal: DeliveryRefusal) => void },
): MessageQueue {
  const refusal = async (message: unknown): Promise<DeliveryRefusal | null> => {
    if (!isOutboxMessage(message) || !URL.canParse(message.inbox)) return null;
    const kind = await addressKind(new URL(message.inbox), options.resolve);
    if (kind !== "private") return null; // unresolved: Fedify's own attempt reports it
    return {
      inbox: message.inbox,
      activityId: message.activityId,
      reason: "the inbox is on this machine or a private network (ALLOW_PRIVATE_ADDRESSES is off)",
    };
  };
  const guarded: MessageQueue = {
    enqueue: (message, enqueueOptions) => queue.enqueue(message, enqueueOptions),
    listen(handler, listenOptions?: MessageQueueListenOptions) {
      return queue.listen(async (message: unknown) => {
        const refused = await refusal(message);
        if (!refused) return handler(message);
        options.onRefused(refused);
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
