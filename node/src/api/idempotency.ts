import { createHash, randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import type { MiddlewareHandler } from "hono";
import type { ApiEnv } from "./env";

/** How long a key is remembered: a retry after that is a new request. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** A key: 1–255 visible ASCII characters, optionally quoted (a structured-field string). */
const KEY = /^"?([\x21\x23-\x7e]{1,255})"?$/;

interface Stored {
  fingerprint: string;
  owner: string;
  status: number | null;
  contentType: string | null;
  body: string | null;
}

/**
 * `Idempotency-Key` on every write of the API (docs/running-a-node.md, "The JSON API"), after the IETF draft
 * "The Idempotency-Key HTTP Header Field": the first answer to a request with a key is stored
 * (status, type, body) and a retry of the same request gets that answer again, with
 * `Idempotent-Replayed: true`, writing nothing; the same key with a different request is
 * refused (422); a retry while the first is still running gets 409. Answers of 500 and more
 * (507: disk full) are not kept: nothing was saved, so a retry runs again.
 *
 * The key is reserved before the write runs and answered after it, in two transactions (the
 * services own theirs): if the node dies between the two, a retry gets 409 saying the outcome
 * is unknown — never a second write.
 */
export function idempotency(sqlite: Database.Database, now: () => Date): MiddlewareHandler<ApiEnv> {
  // Requests reserved by this process; a reservation by another one was cut short by a restart.
  const owner = randomUUID();
  const find = sqlite.prepare<[string, string, string], Stored>(
    `SELECT fingerprint, owner, status, content_type AS contentType, body FROM idempotency_keys
     WHERE scope = ? AND key = ? AND created_at > ?`,
  );
  const purge = sqlite.prepare<[string]>("DELETE FROM idempotency_keys WHERE created_at <= ?");
  const reserve = sqlite.prepare<[string, string, string, string, string]>(
    `INSERT INTO idempotency_keys (scope, key, fingerprint, owner, created_at)
     VALUES (?, ?, ?, ?, ?)`,
  );
  const answer = sqlite.prepare<[number, string | null, string, string, string]>(
    `UPDATE idempotency_keys SET status = ?, content_type = ?, body = ?
     WHERE scope = ? AND key = ?`,
  );
  const forget = sqlite.prepare<[string, string]>(
    "DELETE FROM idempotency_keys WHERE scope = ? AND key = ?",
  );
  const claim = sqlite.transaction(
    (scope: string, key: string, fingerprint: string): Stored | undefined => {
      const expired = new Date(now().getTime() - IDEMPOTENCY_TTL_MS).toISOString();
      purge.run(expired);
      const found = find.get(scope, key, expired);
      if (!found) reserve.run(scope, key, fingerprint, owner, now().toISOString());
      return found;
    },
  );

  return async (c, next) => {
    const header = c.req.header("idempotency-key");
    if (!WRITES.has(c.req.method) || header === undefined) return next();
    const key = KEY.exec(header.trim())?.[1];
    if (!key) {
      return c.json(
        {
          error: "invalid_request",
          message: "Idempotency-Key must be 1 to 255 visible ASCII characters",
        },
        400,
      );
    }
    const body = new Uint8Array(await c.req.arrayBuffer());
    const url = new URL(c.req.url);
    const fingerprint = createHash("sha256")
      .update(`${c.req.method} ${url.pathname}${url.search}\n`)
      .update(body)
      .digest("hex");
    // Keys belong to the credential that sent them: once the admin token is replaced (a leak,
    // a change of hands), the answers given to the old one are no longer replayed.
    const credential = createHash("sha256")
      .update(c.req.header("authorization") ?? "")
      .digest("hex")
      .slice(0, 32);
    const scope = `${c.get("actor")}:${credential}`;
    const found = claim.immediate(scope, key, fingerprint);
    if (found) return replay(c, found, fingerprint, owner);
    let kept = false;
    try {
      await next();
      if (c.res.status < 500) {
        // The write is done: from here on the key must never be freed for a second run.
        kept = true;
        const text = await c.res.clone().text();
        try {
          answer.run(c.res.status, c.res.headers.get("content-type"), text, scope, key);
        } catch {
          // The answer could not be stored (a full disk): the client still gets it now; its
          // reservation stays, so a retry answers 409 rather than writing again.
        }
      }
    } finally {
      // Nothing was saved (a server error, a full disk): the key is free for the retry.
      if (!kept) {
        try {
          forget.run(scope, key);
        } catch {
          // The disk may still be full; the reservation then answers 409 until it expires.
        }
      }
    }
  };
}

function replay(
  c: Parameters<MiddlewareHandler<ApiEnv>>[0],
  found: Stored,
  fingerprint: string,
  owner: string,
) {
  if (found.fingerprint !== fingerprint) {
    return c.json(
      {
        error: "idempotency_key_reused",
        message:
          "this Idempotency-Key was already used for a different request; use a new key for a new request",
      },
      422,
    );
  }
  if (found.status === null) {
    const message =
      found.owner === owner
        ? "the first request with this Idempotency-Key is still running; retry in a moment"
        : "the first request with this Idempotency-Key was cut short by a restart of the node; check whether it was saved, then use a new key";
    return c.json({ error: "idempotency_conflict", message }, 409);
  }
  const empty = found.status === 204 || found.status === 205 || found.body === "";
  return new Response(empty ? null : found.body, {
    status: found.status,
    headers: {
      ...(found.contentType ? { "content-type": found.contentType } : {}),
      "idempotent-replayed": "true",
    },
  });
}
