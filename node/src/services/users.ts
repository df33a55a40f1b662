import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";
import { and, asc, count, eq, ne } from "drizzle-orm";
import { z } from "zod";
import { sessions, users } from "../db/schema";
import type { AuditService } from "./audit";
import type { Actor, ServiceContext } from "./context";
import { ConflictError, type FieldIssue, InvalidInputError, NotFoundError } from "./errors";

export const ROLES = ["admin", "facilitator", "viewer"] as const;
export type Role = (typeof ROLES)[number];
export type UserRow = typeof users.$inferSelect;
/** A user as the workspace shows it: never the password hash. */
export type UserView = Omit<UserRow, "passwordHash">;

export const MIN_PASSWORD_LENGTH = 12;

export const newUserSchema = z.strictObject({
  email: z.string().trim().toLowerCase().pipe(z.email().max(254)),
  name: z.string().trim().min(1).max(200),
  password: z.string().min(MIN_PASSWORD_LENGTH).max(1024),
  role: z.enum(ROLES),
});
export type NewUser = z.input<typeof newUserSchema>;

/** A new password: the same rule as when an account is created. */
export const passwordSchema = newUserSchema.shape.password;

/** scrypt's cost parameters (N a power of two above 1). */
export interface PasswordCost {
  N: number;
  r: number;
  p: number;
}

// scrypt cost: N=2^15, r=8, p=1 (32 MiB, a few tens of ms). Stored in each hash, so it can be
// raised later without invalidating existing passwords.
export const DEFAULT_PASSWORD_COST: Readonly<PasswordCost> = { N: 2 ** 15, r: 8, p: 1 };

/** The most memory one hash may take (128·N·r bytes): 32 times the default's. */
const MAX_HASH_MEMORY = 2 ** 30;

/**
 * The cost itself, or an error naming what is wrong with it: every cost it lets through is one
 * Node's scrypt accepts (N a power of two below 2^32, r·p below 2^30, memory bounded).
 */
export function checkedPasswordCost(cost: PasswordCost): PasswordCost {
  const { N, r, p } = cost;
  // Not `N & (N - 1)`: bitwise operators see only the low 32 bits (3·2^32 passed).
  if (!Number.isSafeInteger(N) || N < 2 || N > 2 ** 31 || !Number.isInteger(Math.log2(N)))
    throw new Error(`scrypt N must be a power of two above 1, not ${N} (and at most 2^31)`);
  if (![r, p].every((v) => Number.isSafeInteger(v) && v > 0))
    throw new Error(`scrypt r and p must be positive integers, not ${r} and ${p}`);
  if (r * p >= 2 ** 30) throw new Error(`scrypt r x p must stay below 2^30, not ${r} x ${p}`);
  if (128 * N * r > MAX_HASH_MEMORY)
    throw new Error(`a scrypt hash may take at most 1 GiB (128·N·r bytes), not N=${N}, r=${r}`);
  return cost;
}
const KEY_LENGTH = 32;

function scryptAsync(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize("NFKC"),
      salt,
      KEY_LENGTH,
      { ...options, maxmem: 256 * (options.N ?? 1) * (options.r ?? 8) + 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  );
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64url. */
export async function hashPassword(
  password: string,
  cost: Readonly<PasswordCost> = DEFAULT_PASSWORD_COST,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, cost);
  return [
    "scrypt",
    cost.N,
    cost.r,
    cost.p,
    salt.toString("base64url"),
    key.toString("base64url"),
  ].join("$");
}

/** Checks a password against a stored hash in constant time; false for any malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const options = { N: Number(n), r: Number(r), p: Number(p) };
  if (![options.N, options.r, options.p].every((v) => Number.isSafeInteger(v) && v > 0))
    return false;
  const expected = Buffer.from(hash, "base64url");
  const key = await scryptAsync(password, Buffer.from(salt, "base64url"), options).catch(
    () => undefined,
  );
  return key !== undefined && key.length === expected.length && timingSafeEqual(key, expected);
}

const view = ({ passwordHash: _, ...rest }: UserRow): UserView => rest;

const issuesOf = (error: z.ZodError): FieldIssue[] =>
  error.issues.map((issue) => ({ path: issue.path.join(".") || "(body)", message: issue.message }));

function parseNewUser(input: unknown) {
  const parsed = newUserSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError("invalid user", issuesOf(parsed.error));
  return parsed.data;
}

/**
 * Accounts of the facilitator workspace: admins, facilitators and viewers. `cost` is the scrypt cost of the hashes it writes (the default
 * unless a caller of `createNode` says otherwise: the test suite, to keep sign-in cheap).
 */
export function createUserService(
  ctx: ServiceContext,
  audit: AuditService,
  cost: Readonly<PasswordCost> = DEFAULT_PASSWORD_COST,
) {
  const hash = (password: string) => hashPassword(password, cost);
  // Unknown emails are checked against this hash so that they take as long as known ones.
  let dummyHash: Promise<string> | undefined;
  const byEmail = (email: string) =>
    ctx.db.select().from(users).where(eq(users.email, email.trim().toLowerCase())).get();
  const byId = (id: number) => ctx.db.select().from(users).where(eq(users.id, id)).get();
  const countAll = () => ctx.db.select({ n: count() }).from(users).get()?.n ?? 0;
  const activeAdmins = () =>
    ctx.db
      .select()
      .from(users)
      .where(eq(users.role, "admin"))
      .all()
      .filter((u) => !u.disabled).length;

  /** A new password under the account rule, or InvalidInputError naming the form's `field`. */
  const checkNewPassword = (password: string, field: string): string => {
    const parsed = passwordSchema.safeParse(password);
    if (!parsed.success) {
      throw new InvalidInputError("the new password is refused", [
        { path: field, message: `at least ${MIN_PASSWORD_LENGTH} characters` },
      ]);
    }
    return parsed.data;
  };
  /**
   * Stores an account's new password hash and ends its sessions (all but `keepSessionId` when
   * given), in one transaction, audited as `action`.
   */
  const storePassword = (
    id: number,
    passwordHash: string,
    actor: Actor,
    action: "user.password" | "user.passwordReset",
    keepSessionId?: string,
  ) =>
    ctx.db.transaction(() => {
      ctx.db
        .update(users)
        .set({ passwordHash, updatedAt: ctx.now().toISOString() })
        .where(eq(users.id, id))
        .run();
      const ended = ctx.db
        .delete(sessions)
        .where(
          keepSessionId === undefined
            ? eq(sessions.userId, id)
            : and(eq(sessions.userId, id), ne(sessions.id, keepSessionId)),
        )
        .run().changes;
      audit.record(actor, action, `user:${id}`, { endedSessions: ended });
    });

  const insert = (data: z.infer<typeof newUserSchema>, passwordHash: string, actor: Actor) => {
    if (byEmail(data.email)) {
      throw new InvalidInputError("this email already has an account", [
        { path: "email", message: "this email already has an account" },
      ]);
    }
    const row = ctx.db
      .insert(users)
      .values({ email: data.email, name: data.name, role: data.role, passwordHash })
      .returning()
      .get();
    audit.record(actor, "user.create", `user:${row.id}`, { role: row.role });
    return view(row);
  };

  return {
    /** Whether the node has no account yet (first-run setup is open only then). */
    isEmpty(): boolean {
      return countAll() === 0;
    },
    list(): UserView[] {
      return ctx.db.select().from(users).orderBy(asc(users.email)).all().map(view);
    },
    get(id: number): UserView {
      const row = byId(id);
      if (!row) throw new NotFoundError(`no user ${id}`);
      return view(row);
    },
    async create(input: NewUser, actor: Actor): Promise<UserView> {
      const data = parseNewUser(input);
      const passwordHash = await hash(data.password);
      return ctx.db.transaction(() => insert(data, passwordHash, actor));
    },
    /**
     * Creates the first admin, only while no account exists. `alongside` runs in the same
     * transaction (the setup page creates the territory there), so both happen or neither.
     */
    async createFirstAdmin(
      input: Omit<NewUser, "role">,
      alongside?: () => void,
    ): Promise<UserView> {
      const data = parseNewUser({ ...input, role: "admin" });
      const passwordHash = await hash(data.password);
      return ctx.db.transaction(() => {
        if (countAll() > 0) throw new ConflictError("the first account already exists");
        alongside?.();
        return insert(data, passwordHash, `setup:${data.email}`);
      });
    },
    /** The active user with this email and password, or undefined (same time either way). */
    async authenticate(email: string, password: string): Promise<UserView | undefined> {
      const row = byEmail(email);
      dummyHash ??= hash(randomBytes(16).toString("hex"));
      const ok = await verifyPassword(password, row?.passwordHash ?? (await dummyHash));
      return row && ok && !row.disabled ? view(row) : undefined;
    },
    changeRole(id: number, role: Role, actor: Actor): UserView {
      const parsedRole = z.enum(ROLES).parse(role);
      return ctx.db.transaction(() => {
        const current = this.get(id);
        if (current.role === "admin" && parsedRole !== "admin" && activeAdmins() <= 1) {
          throw new ConflictError("the node needs at least one active admin");
        }
        const row = ctx.db
          .update(users)
          .set({ role: parsedRole, updatedAt: ctx.now().toISOString() })
          .where(eq(users.id, id))
          .returning()
          .get();
        audit.record(actor, "user.role", `user:${id}`, { from: current.role, to: parsedRole });
        return view(row);
      });
    },
    /**
     * Changes one's own password after checking the current one. The other sessions of the
     * account end (a stolen session does not survive the change); `keepSessionId` stays open.
     * A wrong current password or a refused new one: InvalidInputError naming the field.
     */
    async changeOwnPassword(
      id: number,
      input: { currentPassword: string; newPassword: string; keepSessionId: string },
      actor: Actor,
    ): Promise<void> {
      const row = byId(id);
      if (!row) throw new NotFoundError(`no user ${id}`);
      const newPassword = checkNewPassword(input.newPassword, "newPassword");
      if (!(await verifyPassword(input.currentPassword, row.passwordHash))) {
        throw new InvalidInputError("the current password is wrong", [
          { path: "currentPassword", message: "the current password is wrong" },
        ]);
      }
      const passwordHash = await hash(newPassword);
      storePassword(id, passwordHash, actor, "user.password", input.keepSessionId);
    },
    /** An admin sets another account's password; every session of that account ends. */
    async resetPassword(id: number, newPassword: string, actor: Actor): Promise<void> {
      if (!byId(id)) throw new NotFoundError(`no user ${id}`);
      const passwordHash = await hash(checkNewPassword(newPassword, "password"));
      storePassword(id, passwordHash, actor, "user.passwordReset");
    },
    /** Disables an account (it can no longer sign in); its sessions go with it. */
    disable(id: number, actor: Actor): UserView {
      return ctx.db.transaction(() => {
        const current = this.get(id);
        if (current.role === "admin" && !current.disabled && activeAdmins() <= 1) {
          throw new ConflictError("the node needs at least one active admin");
        }
        const row = ctx.db
          .update(users)
          .set({ disabled: true, updatedAt: ctx.now().toISOString() })
          .where(eq(users.id, id))
          .returning()
          .get();
        ctx.db.delete(sessions).where(eq(sessions.userId, id)).run();
        audit.record(actor, "user.disable", `user:${id}`);
        return view(row);
      });
    },
  };
}
export type UserService = ReturnType<typeof createUserService>;
