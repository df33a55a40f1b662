import { eq } from "drizzle-orm";
import type { Db } from "../db/open";
import { actorKeys } from "../db/schema";

/**
 * Whether an actor's key pairs are stored yet: told without loading Fedify, which ./keys.ts needs
 * to make and read them (docs/architecture.md, "How federation is loaded").
 */
export const hasActorKeys = (db: Db, identifier: string): boolean =>
  db
    .select({ identifier: actorKeys.identifier })
    .from(actorKeys)
    .where(eq(actorKeys.identifier, identifier))
    .get() !== undefined;
