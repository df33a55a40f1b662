import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { idempotencyKeys } from "../db/schema";
import type { ServiceContext } from "./context";
import { ConflictError } from "./errors";

/**
 * Forms that must not be applied twice (a CSV import sent again by a double click or a reload):
 * the form carries a one-time key; the first answer is kept under it (in the API's idempotency
 * table, purged after 24 hours) and a second submission gets that answer instead of a second
 * run. Handlers run synchronously, so two submissions cannot both pass the check.
 */
export function createOnceService(ctx: ServiceContext) {
  const fingerprintOf = (content: string) => createHash("sha256").update(content).digest("hex");
  return {
    /**
     * Runs `fn` once per (scope, key): answers its result, or the first run's (`replayed`).
     * The same key with other content is a mistake, refused.
     */
    run<T>(
      scope: string,
      key: string,
      content: string,
      fn: () => T,
    ): { result: T; replayed: boolean } {
      const fingerprint = fingerprintOf(content);
      const held = ctx.db
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)))
        .get();
      if (held) {
        if (held.fingerprint !== fingerprint) {
          throw new ConflictError("this form was already sent with other content");
        }
        return { result: JSON.parse(held.body ?? "null") as T, replayed: true };
      }
      const result = fn();
      ctx.db
        .insert(idempotencyKeys)
        .values({
          scope,
          key,
          fingerprint,
          owner: "workspace",
          status: 200,
          contentType: "application/json",
          body: JSON.stringify(result),
        })
        .run();
      return { result, replayed: false };
    },
  };
}
export type OnceService = ReturnType<typeof createOnceService>;
