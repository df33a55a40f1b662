/** The fields of Fedify's queued outbox message (one activity for one inbox) that say which delivery it is. */
export interface OutboxMessage {
  type: "outbox";
  activityId?: string;
  inbox: string;
}

/** Whether a queued message is one of Fedify's outbox deliveries. */
export const isOutboxMessage = (message: unknown): message is OutboxMessage =>
  typeof message === "object" &&
  message !== null &&
  (message as { type?: unknown }).type === "outbox" &&
  typeof (message as { inbox?: unknown }).inbox === "string";
