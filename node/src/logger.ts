import { getLogger } from "@logtape/logtape";

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Where a node's messages are also handed, level by level (tests and benchmarks collect them).
 * The error, when there is one, is passed as it is, cause included.
 */
export interface LogCapture {
  debug?(message: string, error?: unknown): void;
  info(message: string, error?: unknown): void;
  warn(message: string, error?: unknown): void;
  error(message: string, error?: unknown): void;
}

/**
 * The node's logger: one LogTape category per layer and part (["spiral", "federation", "inbox"],
 * ["spiral", "api"], …), one format, configured once at start (node/src/logging.ts). An error
 * passed along is logged whole: message, stack and cause (docs/running-a-node.md, "Logs").
 */
export interface Logger {
  readonly category: readonly string[];
  debug(message: string, error?: unknown): void;
  info(message: string, error?: unknown): void;
  warn(message: string, error?: unknown): void;
  error(message: string, error?: unknown): void;
  /** The logger of a part of this one: ["spiral", "federation"] → ["spiral", "federation", "inbox"]. */
  child(...names: [string, ...string[]]): Logger;
}

/** LogTape reads `{name}` in a message as a placeholder: a message is text, so braces are doubled. */
const literal = (message: string) => message.replaceAll("{", "{{").replaceAll("}", "}}");

const LOGTAPE_METHOD = { debug: "debug", info: "info", warn: "warn", error: "error" } as const;

/**
 * A logger for `category` (["spiral"] unless told): each message goes to LogTape, and to
 * `capture` too when there is one.
 */
export function createLogger(
  options: { capture?: LogCapture | undefined; category?: readonly string[] } = {},
): Logger {
  const category = [...(options.category ?? ["spiral"])];
  const { capture } = options;
  const logtape = getLogger(category);
  const at =
    (level: LogLevel) =>
    (message: string, error?: unknown): void => {
      if (error === undefined) logtape[LOGTAPE_METHOD[level]](literal(message), {});
      else logtape[LOGTAPE_METHOD[level]](`${literal(message)}: {error}`, { error });
      if (!capture) return;
      if (level === "debug") capture.debug?.(message, error);
      else if (error === undefined) capture[level](message);
      else capture[level](message, error);
    };
  return {
    category,
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: (...names) => createLogger({ capture, category: [...category, ...names] }),
  };
}
