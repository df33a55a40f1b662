import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Fedify's key–value store (see federation/sqlite-kv-store.ts). Keys are JSON arrays of strings. */
export const fedifyKv = sqliteTable(
  "fedify_kv",
  {
    key: text("key").primaryKey(),
    value: text("value").notNull(),
    /** Epoch milliseconds after which the entry is gone; null = never expires. */
    expiresAt: integer("expires_at"),
  },
  (t) => [index("fedify_kv_expires").on(t.expiresAt)],
);

/** Fedify's persistent message queue (see federation/sqlite-message-queue.ts). */
export const fedifyQueue = sqliteTable(
  "fedify_queue",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    message: text("message").notNull(),
    orderingKey: text("ordering_key"),
    /** Epoch milliseconds before which the message must not be handled (delays). */
    availableAt: integer("available_at").notNull(),
    /** Which listener holds the message, and until when (a lease: a dead process's messages come back). */
    lockedBy: text("locked_by"),
    lockedUntil: integer("locked_until"),
    enqueuedAt: integer("enqueued_at").notNull(),
  },
  (t) => [
    index("fedify_queue_available").on(t.availableAt, t.id),
    index("fedify_queue_ordering").on(t.orderingKey, t.id),
  ],
);
