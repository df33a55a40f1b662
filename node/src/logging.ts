import { AsyncLocalStorage } from "node:async_hooks";
import { configure, getTextFormatter, type LogRecord, type Sink } from "@logtape/logtape";
import type { LogLevel } from "./logger";

const LOGTAPE_LEVEL = { debug: "debug", info: "info", warn: "warning", error: "error" } as const;

/**
 * One line per record on stderr, the same for the node's own categories and Fedify's:
 * `2026-06-15 12:00:00.000 +00:00 [INF] spiral·federation·inbox: message` (an error follows
 * with its stack and cause).
 */
export const formatLogRecord: (record: LogRecord) => string = getTextFormatter();

const stderrSink: Sink = (record) => {
  process.stderr.write(formatLogRecord(record));
};

/**
 * Configures LogTape once per process: the node's categories (["spiral", …]) at LOG_LEVEL, and
 * Fedify's ("fedify", chatty at info) at warning unless LOG_LEVEL=debug. Everything goes to one
 * sink (stderr unless told), in one format (docs/running-a-node.md, "Logs").
 */
export async function configureLogging(level: LogLevel, sink: Sink = stderrSink): Promise<void> {
  await configure({
    reset: true,
    contextLocalStorage: new AsyncLocalStorage(),
    sinks: { out: sink },
    loggers: [
      { category: "spiral", lowestLevel: LOGTAPE_LEVEL[level], sinks: ["out"] },
      {
        category: "fedify",
        lowestLevel: level === "debug" ? "debug" : LOGTAPE_LEVEL.warn,
        sinks: ["out"],
      },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["out"] },
    ],
  });
}
