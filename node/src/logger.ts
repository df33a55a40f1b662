/**
 * What the node's layers log through (services, federation, the API, the workspace). Declared
 * here, beside the stderr logger, so that no layer depends on another to log: see
 * docs/architecture.md.
 */
export interface Logger {
  error(message: string, error?: unknown): void;
  info(message: string): void;
  warn(message: string): void;
}

const LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LEVELS)[number];

/** A plain stderr logger with a level threshold. */
export function createLogger(level: LogLevel = "info"): Logger & { debug(message: string): void } {
  const threshold = LEVELS.indexOf(level);
  const write = (at: LogLevel, message: string, error?: unknown) => {
    if (LEVELS.indexOf(at) < threshold) return;
    const detail =
      error instanceof Error
        ? `\n${error.stack ?? error.message}`
        : error
          ? ` ${String(error)}`
          : "";
    process.stderr.write(`${new Date().toISOString()} ${at.toUpperCase()} ${message}${detail}\n`);
  };
  return {
    debug: (m) => write("debug", m),
    info: (m) => write("info", m),
    warn: (m) => write("warn", m),
    error: (m, e) => write("error", m, e),
  };
}
