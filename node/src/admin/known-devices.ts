import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "../db/open";
import { settings } from "../db/schema";

/**
 * "Known device" cookies: a browser where an account signed in successfully gets a cookie
 * signed by the node for that account. While the account's sign-in is paused after wrong
 * passwords, such a browser may still try (its own failures are counted on its own), so
 * someone guessing from elsewhere cannot keep the real user out (docs/facilitators-guide.md, "The
 * workspace").
 */

export const DEVICE_COOKIE = "spiral_device";
/** How long a browser stays known after its last successful sign-in. */
export const DEVICE_COOKIE_MAX_AGE_S = 180 * 24 * 3600;

const SECRET_SETTING = "device_cookie_secret";

/** The node's signing key for device cookies, made once and kept in the settings table. */
function deviceSecret(db: Db): Buffer {
  db.insert(settings)
    .values({ key: SECRET_SETTING, value: randomBytes(32).toString("hex") })
    .onConflictDoNothing()
    .run();
  const row = db.select().from(settings).where(eq(settings.key, SECRET_SETTING)).get();
  if (!row) throw new Error("the device cookie key could not be stored");
  return Buffer.from(row.value, "hex");
}

export function createKnownDevices(db: Db) {
  const secret = deviceSecret(db);
  const mac = (email: string, nonce: string) =>
    createHmac("sha256", secret).update(`${email}\n${nonce}`).digest();
  return {
    /** A new cookie value for a browser that just signed in to `email`. */
    issue(email: string): string {
      const nonce = randomBytes(16).toString("base64url");
      return `${nonce}.${mac(email, nonce).toString("base64url")}`;
    },
    /** The device's id when `value` is a cookie this node issued for `email`; else undefined. */
    verify(value: string | undefined, email: string): string | undefined {
      const match = /^([\w-]{22})\.([\w-]{43})$/.exec(value ?? "");
      if (!match?.[1] || !match[2]) return undefined;
      const given = Buffer.from(match[2], "base64url");
      const expected = mac(email, match[1]);
      return given.length === expected.length && timingSafeEqual(given, expected)
        ? match[1]
        : undefined;
    },
  };
}
