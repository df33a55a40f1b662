/**
 * The baseline of `bench:aggregates` in a worker thread: the protocol's `aggregate()` recomputing
 * a figure from the whole state, kept in step with the node by the payloads the benchmark
 * accepts. In a thread of its own the state lives in its own heap: the node's process holds what
 * a node holds, and the collection of the baseline's garbage never lands in the node's reads
 * (docs/benchmarks.md, "Aggregates"). The thread only works when asked, between timed reads.
 */
import { isDeepStrictEqual } from "node:util";
import { isMainThread, parentPort, Worker } from "node:worker_threads";
import {
  type Aggregate,
  type AggregateFilter,
  type AggregateState,
  aggregate,
  emptyState,
  mergeRecords,
  type SynthesisPayload,
  synthesisRecord,
} from "@spiral-network/protocol";
import { timeLoop } from "./harness";

/** A recomputation asked for: the figure's filter and options, and the answer to check. */
export interface RecomputeRequest {
  filter: AggregateFilter;
  grid: { id: string; version: string };
  robust: boolean;
  /** Endorsed scope: origin `…/tN` is trusted when N mod `relays` < `fraction` / 10. */
  endorsed?: { fraction: number; relays: number };
  samples: number;
  /** The node's JSON answer, compared with the recomputed figure. */
  answer: string;
}

export interface RecomputeResult {
  times: number[];
  /** What differs between the answer and the recomputation (empty: the same). */
  diffs: string[];
  included: number;
  excluded: number;
}

type Message =
  | { kind: "merge"; payloads: SynthesisPayload[] }
  | { kind: "ping"; id: number }
  | ({ kind: "recompute"; id: number } & RecomputeRequest);

/** The differences between the HTTP answer and the recomputed figure (empty: the same). */
export function differences(answer: Record<string, unknown>, reference: Aggregate): string[] {
  const diffs: string[] = [];
  const compare = (what: string, a: unknown, b: unknown) => {
    if (!isDeepStrictEqual(a, b)) diffs.push(what);
  };
  const coverage = answer.coverage as Aggregate["coverage"];
  const counts = answer.coverageCounts as { included: number; excluded: Record<string, number> };
  const limit = (answer.coveragePage as { limit: number }).limit;
  compare("counts", answer.counts, reference.counts);
  compare("dimensions", answer.dimensions, reference.dimensions);
  compare("totals", answer.totals, reference.totals);
  compare("participants", answer.participants, reference.participants);
  compare("groups", answer.groups, reference.groups);
  compare("territories", answer.territories, reference.territories);
  compare("included (count)", counts.included, reference.coverage.included.length);
  compare(
    "excluded (count)",
    Object.values(counts.excluded).reduce((a, b) => a + b, 0),
    reference.coverage.excluded.length,
  );
  compare("included (window)", coverage.included, reference.coverage.included.slice(0, limit));
  compare("excluded (window)", coverage.excluded, reference.coverage.excluded.slice(0, limit));
  compare("flagged", answer.flagged, reference.flagged);
  compare("fingerprint", answer.fingerprint, reference.fingerprint);
  return diffs;
}

const indexOf = (origin: string) => Number(origin.slice(origin.lastIndexOf("/t") + 2));

/** The thread's side: the state, merged before each recomputation (merging copies it whole). */
function serve(port: NonNullable<typeof parentPort>): void {
  let state: AggregateState = emptyState();
  let pending: SynthesisPayload[] = [];
  port.on("message", (message: Message) => {
    if (message.kind === "merge") {
      // One by one: a run's first payloads (one per origin) outnumber a call's arguments.
      for (const payload of message.payloads) pending.push(payload);
      return;
    }
    if (message.kind === "ping") {
      // Messages are taken in order: every merge sent before this one has been received.
      port.postMessage({ id: message.id, result: null });
      return;
    }
    const { id, filter, grid, robust, endorsed, samples, answer } = message;
    try {
      state = mergeRecords(state, pending.map(synthesisRecord));
      pending = [];
      const trusted = endorsed
        ? (origin: string) => indexOf(origin) % endorsed.relays < endorsed.fraction / 10
        : undefined;
      const options = { grid, robust, ...(trusted ? { trusted } : {}) };
      let reference = aggregate(state, filter, options);
      const times = timeLoop(samples, Number.POSITIVE_INFINITY, () => {
        reference = aggregate(state, filter, options);
      });
      const result: RecomputeResult = {
        times,
        diffs: differences(JSON.parse(answer), reference),
        included: reference.coverage.included.length,
        excluded: reference.coverage.excluded.length,
      };
      port.postMessage({ id, result });
    } catch (error) {
      port.postMessage({ id, error: error instanceof Error ? error.stack : String(error) });
    }
  });
}

export interface Baseline {
  /** Payloads the node accepted: the state takes them in before the next recomputation. */
  merge(payloads: SynthesisPayload[]): void;
  /**
   * Resolves once the thread has received every payload merged so far (a large merge is
   * unpacked there, in parallel with whatever the caller times next, unless it waits for this).
   */
  received(): Promise<void>;
  /** Recomputes the figure `samples` times (timed in the thread) and checks the answer. */
  recompute(request: RecomputeRequest): Promise<RecomputeResult>;
  close(): Promise<void>;
}

/** Starts the baseline's thread (this module, loaded through tsx as the benchmark is). */
export function startBaseline(): Baseline {
  const worker = new Worker(new URL(import.meta.url), {
    execArgv: ["--import", "tsx"],
    workerData: { role: "aggregates-baseline" },
  });
  const waiting = new Map<number, { resolve: (r: never) => void; reject: (e: Error) => void }>();
  let next = 0;
  /** Why the thread stopped: what is asked of it after fails with it (nothing would answer). */
  let failure: Error | null = null;
  const fail = (error: Error) => {
    failure ??= error;
    for (const w of waiting.values()) w.reject(failure);
    waiting.clear();
  };
  worker.on("message", (m: { id: number; result?: RecomputeResult; error?: string }) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error !== undefined) w?.reject(new Error(`baseline: ${m.error}`));
    else w?.resolve(m.result as never);
  });
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`baseline: the thread exited (code ${code})`)));
  /** Sends a message that the thread answers, and waits for the answer. */
  const ask = <T>(message: (id: number) => Message): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (failure) return reject(failure);
      const id = next++;
      waiting.set(id, { resolve: resolve as (r: never) => void, reject });
      worker.postMessage(message(id));
    });
  return {
    merge: (payloads) => worker.postMessage({ kind: "merge", payloads } satisfies Message),
    received: () => ask<void>((id) => ({ kind: "ping", id })),
    recompute: (request) => ask<RecomputeResult>((id) => ({ kind: "recompute", id, ...request })),
    close: async () => {
      await worker.terminate();
    },
  };
}

if (!isMainThread && parentPort) serve(parentPort);
