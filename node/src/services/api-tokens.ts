import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { isStorageFull } from "../db/open";
import { apiTokens, users } from "../db/schema";
import type { AuditService } from "./audit";
import type { Actor, ServiceContext } from "./context";
import { InvalidInputError, NotFoundError } from "./errors";
import type { UserView } from "./users";

export type ApiTokenRow = typeof apiTokens.$inferSelect;
/** What the account page lists (never the hash). */
export type ApiTokenView = Omit<ApiTokenRow, "hash">;

/** Personal tokens start with this, so a leaked one is recognisable in logs and scanners. */
const PREFIX = "spt_";
const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");
/** The last use is written at most this often. */
const USE_NOTED_EVERY_MS = 60 * 1000;
const labelSchema = z.string().trim().min(1).max(80);

const viewOf = ({ hash: _, ...view }: ApiTokenRow): ApiTokenView => view;

/**
 * Personal API tokens (docs/running-a-node.md, "API tokens"): each belongs to an account and acts
 * with that account's current role; only the SHA-256 is stored and the token is shown once.
 */
export function createApiTokenService(ctx: ServiceContext, audit: AuditService) {
  /**
   * Records the last use, at most once a minute; on a full disk it is skipped, so reading with a
   * token still works (docs/running-a-node.md, "Operations").
   */
  const noteUse = (row: ApiTokenRow) => {
    const now = ctx.now();
    if (row.lastUsedAt && now.getTime() - Date.parse(row.lastUsedAt) < USE_NOTED_EVERY_MS) return;
    try {
      ctx.db
        .update(apiTokens)
        .set({ lastUsedAt: now.toISOString() })
        .where(eq(apiTokens.id, row.id))
        .run();
    } catch (error) {
      if (!isStorageFull(error)) throw error;
    }
  };
  return {
    /** Creates a token for the account; `token` is the only copy of the secret. */
    create(userId: number, label: string, actor: Actor): { token: string; row: ApiTokenView } {
      const parsed = labelSchema.safeParse(label);
      if (!parsed.success) {
        throw new InvalidInputError("invalid token label", [
          { path: "label", message: "1 to 80 characters" },
        ]);
      }
      const token = `${PREFIX}${randomBytes(32).toString("base64url")}`;
      const row = ctx.db
        .insert(apiTokens)
        .values({
          hash: hashOf(token),
          userId,
          label: parsed.data,
          createdAt: ctx.now().toISOString(),
        })
        .returning()
        .get();
      audit.record(actor, "api_token.create", `api_token:${row.id}`, { label: row.label });
      return { token, row: viewOf(row) };
    },
    /** The account's tokens, newest first, revoked ones included. */
    listFor(userId: number): ApiTokenView[] {
      return ctx.db
        .select()
        .from(apiTokens)
        .where(eq(apiTokens.userId, userId))
        .orderBy(desc(apiTokens.id))
        .all()
        .map(viewOf);
    },
    /** Revokes one of the account's own tokens. */
    revoke(userId: number, id: number, actor: Actor): void {
      const done = ctx.db
        .update(apiTokens)
        .set({ revokedAt: ctx.now().toISOString() })
        .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
        .run();
      if (done.changes === 0) throw new NotFoundError(`no active token ${id}`);
      audit.record(actor, "api_token.revoke", `api_token:${id}`);
    },
    /**
     * The active account behind a token, or undefined (unknown, revoked, or account disabled).
     * Records when it was last used.
     */
    verify(token: string): UserView | undefined {
      if (!token.startsWith(PREFIX)) return undefined;
      const found = ctx.db
        .select()
        .from(apiTokens)
        .innerJoin(users, eq(users.id, apiTokens.userId))
        .where(and(eq(apiTokens.hash, hashOf(token)), isNull(apiTokens.revokedAt)))
        .get();
      if (!found || found.users.disabled) return undefined;
      noteUse(found.api_tokens);
      const { passwordHash: _, ...user } = found.users;
      return user;
    },
  };
}
export type ApiTokenService = ReturnType<typeof createApiTokenService>;
