import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";

/**
 * The one-time setup code: the first admin account can be created only with it (docs/facilitators-guide.md,
 * "The workspace"). It exists while the node has no account; the start command prints
 * it, and the node keeps it in `file` (owner-only) so it survives a restart. A node without a
 * file (an in-memory database, in tests) keeps it in memory only.
 */

// 32 letters and digits that cannot be mistaken for one another (no l, o, 0, 1).
const ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";
const GROUPS = 5;
const GROUP_LENGTH = 5; // 25 characters of 5 bits: 125 bits
const FORMAT = /^[a-km-np-z2-9]{5}(-[a-km-np-z2-9]{5}){4}$/;

function newCode(): string {
  const bytes = randomBytes(GROUPS * GROUP_LENGTH);
  const chars = [...bytes].map((b) => ALPHABET[b & 31]);
  const groups = Array.from({ length: GROUPS }, (_, i) =>
    chars.slice(i * GROUP_LENGTH, (i + 1) * GROUP_LENGTH).join(""),
  );
  return groups.join("-");
}

/** What a person types, without case, spaces or dashes. */
const normalize = (code: string) => code.toLowerCase().replace(/[\s-]+/g, "");
const digest = (code: string) => createHash("sha256").update(normalize(code)).digest();

/** The code in the file, when it is well formed and only its owner can read it. */
function readOwnerOnly(file: string): string | undefined {
  try {
    if ((statSync(file).mode & 0o077) !== 0) return undefined;
    const code = readFileSync(file, "utf8").trim();
    return FORMAT.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the file as a new owner-only file, then moves it into place (never world-readable). */
function writeOwnerOnly(file: string, code: string): void {
  const temporary = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  writeFileSync(temporary, `${code}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

export interface SetupCodeOptions {
  /** Where the code is kept (DATA_DIR/setup-code); undefined keeps it in memory. */
  file: string | undefined;
  /** Whether first-run setup is still open (the node has no account). */
  isOpen: () => boolean;
}

export function createSetupCode(options: SetupCodeOptions) {
  const { file } = options;
  let code: string | undefined;
  const retire = () => {
    code = undefined;
    if (file) rmSync(file, { force: true });
  };
  const prepare = (): string | undefined => {
    if (!options.isOpen()) {
      retire();
      return undefined;
    }
    if (code) return code;
    const kept = file ? readOwnerOnly(file) : undefined;
    code = kept ?? newCode();
    if (file && !kept) writeOwnerOnly(file, code);
    return code;
  };
  return {
    file,
    /**
     * While setup is open: the code (made, or read back from the file, on first call). Once an
     * account exists: undefined, and the file is removed.
     */
    prepare,
    /** Whether `candidate` is the code, while setup is open; compared in constant time. */
    check(candidate: string): boolean {
      const expected = prepare();
      if (!expected || candidate.length > 200) return false;
      return timingSafeEqual(digest(candidate), digest(expected));
    },
    /** Ends the code (the first account was just made). */
    retire,
    /**
     * For tests of a node without a file: the code held in memory. Undefined when there is a
     * file — whoever needs the code then reads the file, as the operator does.
     */
    inMemoryCode(): string | undefined {
      return file ? undefined : prepare();
    },
  };
}
export type SetupCode = ReturnType<typeof createSetupCode>;
