import { createHash, randomBytes } from "node:crypto";
import { eq, lt } from "drizzle-orm";
import { sessions, users } from "../db/schema";
import type { ServiceContext } from "./context";
import type { UserView } from "./users";

/** Sessions last this long after their last use (sliding expiry). */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** A session is written back (expiry pushed forward) at most this often. */
const TOUCH_EVERY_MS = 60 * 1000;

export type SessionRow = typeof sessions.$inferSelect;

const idOf = (cookieValue: string) => createHash("sha256").update(cookieValue).digest("hex");

/** Browser sessions of the workspace; only the SHA-256 of the cookie value is stored. */
export function createSessionService(ctx: ServiceContext) {
  const expiry = (from: Date) => new Date(from.getTime() + SESSION_TTL_MS).toISOString();
  return {
    /** Opens a session; the returned `cookie` is the only copy of its secret. */
    create(userId: number): { cookie: string; session: SessionRow } {
      const cookie = randomBytes(32).toString("base64url");
      const now = ctx.now();
      const session = ctx.db
        .insert(sessions)
        .values({
          id: idOf(cookie),
          userId,
          csrfToken: randomBytes(32).toString("base64url"),
          createdAt: now.toISOString(),
          expiresAt: expiry(now),
          lastSeenAt: now.toISOString(),
        })
        .returning()
        .get();
      return { cookie, session };
    },
    /** The unexpired session behind a cookie value, with its (active) user; undefined otherwise. */
    findValid(cookie: string): { session: SessionRow; user: UserView } | undefined {
      if (!cookie) return undefined;
      const found = ctx.db
        .select()
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(eq(sessions.id, idOf(cookie)))
        .get();
      if (!found || found.users.disabled) return undefined;
      if (found.sessions.expiresAt <= ctx.now().toISOString()) return undefined;
      const { passwordHash: _, ...user } = found.users;
      return { session: found.sessions, user };
    },
    /** Pushes the expiry forward; returns whether it wrote (so the cookie can be renewed too). */
    touch(session: SessionRow): boolean {
      const now = ctx.now();
      if (now.getTime() - Date.parse(session.lastSeenAt) < TOUCH_EVERY_MS) return false;
      ctx.db
        .update(sessions)
        .set({ lastSeenAt: now.toISOString(), expiresAt: expiry(now) })
        .where(eq(sessions.id, session.id))
        .run();
      return true;
    },
    delete(cookie: string): void {
      ctx.db
        .delete(sessions)
        .where(eq(sessions.id, idOf(cookie)))
        .run();
    },
    deleteForUser(userId: number): void {
      ctx.db.delete(sessions).where(eq(sessions.userId, userId)).run();
    },
    /** Removes expired sessions; returns how many. */
    purgeExpired(): number {
      return ctx.db.delete(sessions).where(lt(sessions.expiresAt, ctx.now().toISOString())).run()
        .changes;
    },
  };
}
export type SessionService = ReturnType<typeof createSessionService>;
