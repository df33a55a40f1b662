import { AsyncLocalStorage } from "node:async_hooks";
import { configure, getConsoleSink } from "@logtape/logtape";
import type { LogLevel } from "./logger";

const LOGTAPE_LEVEL = { debug: "debug", info: "info", warn: "warning", error: "error" } as const;

/**
 * Routes Fedify's logs (LogTape, category "fedify") to the console. Fedify is chatty at info,
 * so it logs at warning unless LOG_LEVEL=debug. Call once per process.
 */
export async function configureFedifyLogging(level: LogLevel): Promise<void> {
  await configure({
    contextLocalStorage: new AsyncLocalStorage(),
    sinks: { console: getConsoleSink() },
    loggers: [
      {
        category: "fedify",
        lowestLevel: level === "debug" ? "debug" : LOGTAPE_LEVEL.warn,
        sinks: ["console"],
      },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["console"] },
    ],
  });
}
