/**
 * What the benchmarks and the simulation share (scripts/bench*.ts, scripts/simulate-network.ts,
 * scripts/demo-network.ts): timing, medians and percentiles, running a case in a child process
 * with a watchdog that reports a case that timed out, pairing a figure with its baseline measured
 * in the same run, polling, an HTTP listener, and the printed table's lines. Each script keeps
 * only what it measures.
 */
import { spawn } from "node:child_process";
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { Worker } from "node:worker_threads";

// ---------------------------------------------------------------------------------------------
// Set-up

/** A number a bench reads from the environment (`BENCH_ROWS=…`), else `fallback`. */
export const envNumber = (name: string, fallback: number): number =>
  Number(process.env[name] ?? fallback);

/** A sample count from the environment, never under 20 (every printed figure has n ≥ 20). */
export const envSamples = (name: string, fallback: number): number =>
  Math.max(20, envNumber(name, fallback));

/** A logger for a bench's nodes that says nothing (their log would drown the table). */
export const silentLogger = { info() {}, warn() {}, error() {} };

// ---------------------------------------------------------------------------------------------
// Timing and statistics

/** Milliseconds `fn` took. */
export function time(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

/** Runs `fn` up to `reps` times (at least once) until `capMs` has passed; the times in ms. */
export function timeLoop(reps: number, capMs: number, fn: (i: number) => void): number[] {
  const times: number[] = [];
  const until = performance.now() + capMs;
  for (let i = 0; i < Math.max(1, reps) && (i === 0 || performance.now() < until); i++) {
    const start = performance.now();
    fn(i);
    times.push(performance.now() - start);
  }
  return times;
}

/**
 * The q-quantile of `values` (NaN when empty). Two ranks, as the scripts have always printed
 * them: "nearest-rank" takes the ⌈q·n⌉-th smallest value (bench-aggregates); "upper" the one at
 * index ⌊q·n⌋ (the medians, bench-suggestions), which is the upper middle of an even count.
 */
export function percentile(
  values: readonly number[],
  q: number,
  rank: "nearest-rank" | "upper" = "nearest-rank",
): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = rank === "upper" ? Math.floor(q * sorted.length) : Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, index))] as number;
}

/** The middle value (of an even count, the upper of the two middle ones). */
export const median = (values: readonly number[]) => percentile(values, 0.5, "upper");

export const mean = (values: readonly number[]) =>
  values.reduce((a, b) => a + b, 0) / values.length;

// ---------------------------------------------------------------------------------------------
// Baseline pairing

/**
 * Runs every case once per run, in turn (ours, then its baseline, then ours again…), so that a
 * figure and its baseline are measured in the same run under the same conditions. A case whose
 * `measure` returns undefined (it failed, and said so) adds nothing.
 */
export async function pairedRuns<K extends string, T>(
  runs: number,
  cases: readonly K[],
  measure: (name: K) => T | undefined | Promise<T | undefined>,
): Promise<Record<K, T[]>> {
  const results = Object.fromEntries(cases.map((name) => [name, [] as T[]])) as Record<K, T[]>;
  for (let run = 0; run < runs; run++) {
    for (const name of cases) {
      const result = await measure(name);
      if (result !== undefined) results[name].push(result);
    }
  }
  return results;
}

/** The fields of `T` that hold a number. */
type NumericKey<T> = { [K in keyof T]: T[K] extends number ? K : never }[keyof T];

/** The median of one field over a case's runs. */
export const medianOf = <T>(results: readonly T[], key: NumericKey<T>) =>
  median(results.map((r) => r[key] as number));

/** The run whose `key` is the median (undefined when there was none). */
export function medianRun<T>(results: readonly T[], key: NumericKey<T>): T | undefined {
  if (results.length === 0) return undefined;
  const middle = medianOf(results, key);
  return results.find((r) => r[key] === middle);
}

// ---------------------------------------------------------------------------------------------
// Child processes and watchdogs

export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Runs `script` again in a child Node process (same loader flags as this one) with `args`, and
 * resolves with its stdout. Stderr goes to ours (progress stays visible); with `live` the stdout
 * too (then nothing is captured). A child still running after `timeoutMs` is killed and reported
 * as timed out; a child that fails is reported with its exit code. Never rejects.
 */
export function runChild(
  script: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; live?: boolean } = {},
): Promise<Outcome<string>> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, script, ...args], {
      env: options.env ?? process.env,
      stdio: ["ignore", options.live ? "inherit" : "pipe", "inherit"],
    });
    let out = "";
    let timedOut = false;
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => {
      out += chunk;
    });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill("SIGKILL");
          }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: `could not start: ${error.message}` });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (timedOut)
        resolve({ ok: false, reason: `timed out after ${options.timeoutMs} ms, killed` });
      else if (code === 0) resolve({ ok: true, value: out });
      else resolve({ ok: false, reason: `exited with ${signal ?? `code ${code}`}` });
    });
  });
}

/**
 * Runs one case of `script` (`script <name>`) in its own process and parses the JSON it writes
 * to stdout. With a `deadline` (epoch ms) the case gets at most what is left of it, and is not
 * started when less than five seconds are left: reported as skipped, never silently dropped.
 */
export async function runCase<T>(
  script: string,
  name: string,
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; deadline?: number } = {},
): Promise<Outcome<T>> {
  let timeoutMs = options.timeoutMs;
  if (options.deadline !== undefined) {
    const remaining = options.deadline - Date.now();
    if (remaining < 5_000) return { ok: false, reason: "skipped (global timeout reached)" };
    timeoutMs = Math.min(timeoutMs ?? remaining, remaining);
  }
  const run = await runChild(script, [name], {
    ...(options.env ? { env: options.env } : {}),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  if (!run.ok) return run;
  try {
    return { ok: true, value: JSON.parse(run.value) as T };
  } catch {
    return { ok: false, reason: `wrote no JSON result: ${run.value.slice(0, 200)}` };
  }
}

/** The value of a case that must succeed; a failure ends the script with its reason. */
export function required<T>(name: string, outcome: Outcome<T>): T {
  if (!outcome.ok) throw new Error(`${name}: ${outcome.reason}`);
  return outcome.value;
}

/**
 * Ends this process if it is still running after `ms`, saying so on stderr, with exit code 2:
 * a case that hangs is reported, never waited for forever. `beforeExit` runs first (what the
 * case saw so far, removing temp files). A timer cannot fire while synchronous work holds the
 * main thread, so a second one in a worker thread kills the process two seconds later if it is
 * still busy (reported too; then without `beforeExit`). Returns the function that disarms both.
 */
export function watchdog(label: string, ms: number, beforeExit?: () => void): () => void {
  const timer = setTimeout(() => {
    process.stderr.write(`  ! ${label}: watchdog fired after ${ms} ms\n`);
    try {
      beforeExit?.();
    } finally {
      process.exit(2);
    }
  }, ms);
  timer.unref();
  const backstop = new Worker(BACKSTOP, {
    eval: true,
    workerData: {
      ms: ms + 2_000,
      message: `  ! ${label}: watchdog fired after ${ms} ms; the process was busy: killed\n`,
    },
  });
  backstop.unref();
  return () => {
    clearTimeout(timer);
    void backstop.terminate();
  };
}

/** The worker side of the watchdog: writes straight to fd 2 (the main thread may be busy). */
const BACKSTOP = `
const { workerData } = require("node:worker_threads");
const { writeSync } = require("node:fs");
setTimeout(() => {
  writeSync(2, workerData.message);
  process.kill(process.pid, "SIGKILL");
}, workerData.ms);
`;

// ---------------------------------------------------------------------------------------------
// Waiting, HTTP, output

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` every `intervalMs` until it holds or `timeoutMs` has passed; whether it held.
 * `report`, if given, is printed as progress every second while waiting.
 */
export async function pollUntil(
  check: () => boolean,
  options: { timeoutMs: number; intervalMs: number; report?: () => string },
): Promise<boolean> {
  const start = performance.now();
  let lastReport = start;
  while (!check()) {
    const now = performance.now();
    if (now - start > options.timeoutMs) return check();
    if (options.report && now - lastReport >= 1000) {
      lastReport = now;
      progress(`${options.report()} (${((now - start) / 1000).toFixed(1)} s)`);
    }
    await sleep(options.intervalMs);
  }
  return true;
}

/** Starts `server` on 127.0.0.1 on an ephemeral port; its base URL. */
export async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes `server`, its open connections first. */
export async function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A progress line on stderr (the report goes to stdout). */
export const progress = (message: string) => process.stderr.write(`  · ${message}\n`);

/** A table line: the first cell left-aligned, the others right-aligned, to the given widths. */
export const tableLine = (widths: readonly number[]) => (cells: readonly string[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("");
