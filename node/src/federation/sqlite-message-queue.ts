import { randomUUID } from "node:crypto";
import type {
  MessageQueue,
  MessageQueueDepth,
  MessageQueueEnqueueOptions,
  MessageQueueListenOptions,
} from "@fedify/fedify";
import type Database from "better-sqlite3";
import { isStorageFull } from "../db/open";
import { createLogger } from "../logger";

/**
 * Fedify's persistent message queue on the node's SQLite database (table `fedify_queue`, created
 * by the migrations; see db/fedify-schema.ts).
 *
 * - At-least-once delivery: a listener claims a row (a lease: `locked_by`, `locked_until`), runs
 *   the handler, and deletes the row afterwards whether the handler returned or threw. A process
 *   that dies mid-handler leaves its lease behind; once the lease expires another listener takes
 *   the message again. Live listeners renew their leases, so a slow handler is not duplicated.
 * - No native retries (`nativeRetrial` omitted): Fedify re-enqueues a failed task itself, with a
 *   delay and the same ordering key, before our handler call returns.
 * - Ordering keys: a message is claimable only when no earlier message (smaller id) with the same
 *   `ordering_key` is still in the table, claimed or not, so messages of one key run one at a time
 *   in enqueue order. Other messages run concurrently, up to `concurrency` per listener.
 * - Several instances (and processes) on one database cooperate: claims happen in IMMEDIATE
 *   transactions, so two listeners never claim the same row.
 *
 * Concurrency is built in on purpose: do not wrap this queue in Fedify's `ParallelMessageQueue`,
 * whose handler returns as soon as work is scheduled (we would delete the row before the work
 * is done) and which cannot see our ordering keys.
 */
export interface SqliteMessageQueueOptions {
  /** Handlers in flight at once per `listen` call. Default 4. */
  concurrency?: number;
  /** How long to sleep when nothing is claimable (milliseconds). Default 100. */
  pollIntervalMs?: number;
  /**
   * How long a claim stays valid without renewal (milliseconds). Default 5 minutes. Live
   * listeners renew their claims every third of this, so it only bounds how long the messages of
   * a crashed process wait before another listener takes them.
   */
  leaseMs?: number;
  /**
   * Called when a handler throws (the message is removed anyway, Fedify schedules its own
   * retries — except after a full disk, see STORAGE_FULL_RETRY_MS) or when the database fails
   * under the listener. Defaults to the log, category ["spiral", "federation", "queue"].
   */
  onError?: (error: unknown, message?: unknown) => void;
  /** Clock in epoch milliseconds; tests inject one. Defaults to `Date.now`. */
  now?: () => number;
}

interface ClaimedRow {
  id: number;
  message: string;
}

interface CountsRow {
  queued: number;
  ready: number | null;
}

/**
 * When handling a message hit a full disk, it is run again after this delay (README
 * "Operations"). Fedify could not queue its own retry then, so removing it would lose it.
 */
export const STORAGE_FULL_RETRY_MS = 60_000;

export class SqliteMessageQueue implements MessageQueue {
  readonly #now: () => number;
  readonly #concurrency: number;
  readonly #pollIntervalMs: number;
  readonly #leaseMs: number;
  readonly #onError: (error: unknown, message?: unknown) => void;

  readonly #insert: Database.Statement<[string, string | null, number, number]>;
  readonly #insertMany: Database.Transaction<
    (messages: string[], key: string | null, at: number) => void
  >;
  readonly #claim: Database.Transaction<
    (listenerId: string, now: number) => ClaimedRow | undefined
  >;
  readonly #remove: Database.Statement<[number]>;
  readonly #postpone: Database.Statement<[number, number]>;
  readonly #renew: Database.Statement<[number, string]>;
  readonly #counts: Database.Statement<[number, number], CountsRow>;
  readonly #releaseAll: Database.Statement<[]>;
  readonly #waitingInboxes: Database.Statement<[number], string>;
  readonly #expedite: Database.Statement<[number, number, string, string]>;

  /** Wakes this instance's idle listeners (after a local enqueue). */
  readonly #wakers = new Set<() => void>();

  #processed = 0;
  #emptyPolls = 0;

  constructor(db: Database.Database, options: SqliteMessageQueueOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
    this.#pollIntervalMs = Math.max(1, options.pollIntervalMs ?? 100);
    this.#leaseMs = Math.max(1, options.leaseMs ?? 5 * 60_000);
    this.#onError =
      options.onError ??
      ((error) =>
        createLogger({ category: ["spiral", "federation", "queue"] }).error(
          "queued federation task failed",
          error,
        ));

    this.#insert = db.prepare(
      `INSERT INTO fedify_queue (message, ordering_key, available_at, enqueued_at)
       VALUES (?, ?, ?, ?)`,
    );
    this.#insertMany = db.transaction((messages, key, at) => {
      const now = this.#now();
      for (const message of messages) this.#insert.run(message, key, at, now);
    });

    // The oldest ready message that nobody holds (or whose holder's lease has run out) and that
    // has no earlier message of the same ordering key before it.
    const select = db.prepare<[number, number], ClaimedRow>(
      `SELECT m.id, m.message FROM fedify_queue AS m
       WHERE m.available_at <= ?
         AND (m.locked_by IS NULL OR m.locked_until <= ?)
         AND (m.ordering_key IS NULL OR NOT EXISTS (
               SELECT 1 FROM fedify_queue AS e
               WHERE e.ordering_key = m.ordering_key AND e.id < m.id))
       ORDER BY m.available_at, m.id
       LIMIT 1`,
    );
    const lock = db.prepare<[string, number, number]>(
      "UPDATE fedify_queue SET locked_by = ?, locked_until = ? WHERE id = ?",
    );
    this.#claim = db.transaction((listenerId, now) => {
      const row = select.get(now, now);
      if (row !== undefined) lock.run(listenerId, now + this.#leaseMs, row.id);
      return row;
    });
    this.#remove = db.prepare("DELETE FROM fedify_queue WHERE id = ?");
    this.#postpone = db.prepare(
      "UPDATE fedify_queue SET locked_by = NULL, locked_until = NULL, available_at = ? WHERE id = ?",
    );
    this.#renew = db.prepare("UPDATE fedify_queue SET locked_until = ? WHERE locked_by = ?");
    this.#releaseAll = db.prepare(
      "UPDATE fedify_queue SET locked_by = NULL, locked_until = NULL WHERE locked_by IS NOT NULL",
    );
    // Fedify's outbox messages carry `type: "outbox"` and the `inbox` URL they go to.
    const waitingOutbox = `locked_by IS NULL AND available_at > ?
       AND json_extract(message, '$.type') = 'outbox'`;
    this.#waitingInboxes = db
      .prepare<[number], string>(
        `SELECT DISTINCT json_extract(message, '$.inbox') FROM fedify_queue WHERE ${waitingOutbox}`,
      )
      .pluck();
    this.#expedite = db.prepare(
      `UPDATE fedify_queue SET available_at = ? WHERE ${waitingOutbox}
       AND substr(json_extract(message, '$.inbox'), 1, length(?)) = ?`,
    );
    this.#counts = db.prepare(
      `SELECT count(*) AS queued, sum(available_at <= ?) AS ready FROM fedify_queue
       WHERE locked_by IS NULL OR locked_until <= ?`,
    );
  }

  /**
   * Releases every claim in the table, so messages a dead process had claimed run now instead of
   * waiting for its lease to run out. Only for a process that alone uses the database (it holds
   * the data directory's lock, see ops/data-dir-lock.ts), before its listeners start. Returns
   * how many claims were released.
   */
  releaseAllLeases(): number {
    return this.#releaseAll.run().changes;
  }

  /** The inboxes of outbox deliveries that wait for a later retry (unclaimed, not yet due). */
  waitingInboxes(): string[] {
    return this.#waitingInboxes.all(this.#now());
  }

  /**
   * Makes the waiting outbox deliveries to inboxes under `origin` ("https://host:port/") due now
   * (a peer came back: its retries and the deliveries its circuit breaker held go out at once).
   * Ordering keys still apply. Returns how many messages were moved forward.
   */
  expedite(origin: string): number {
    const now = this.#now();
    const changes = this.#expedite.run(now, now, origin, origin).changes;
    if (changes > 0) this.#wake();
    return changes;
  }

  async enqueue(message: unknown, options?: MessageQueueEnqueueOptions): Promise<void> {
    const now = this.#now();
    this.#insert.run(encode(message), options?.orderingKey ?? null, now + delayMs(options), now);
    this.#wake();
  }

  async enqueueMany(
    messages: readonly unknown[],
    options?: MessageQueueEnqueueOptions,
  ): Promise<void> {
    if (messages.length === 0) return;
    const encoded = messages.map(encode);
    // One transaction: all or none of the batch is queued.
    this.#insertMany.immediate(
      encoded,
      options?.orderingKey ?? null,
      this.#now() + delayMs(options),
    );
    this.#wake();
  }

  /**
   * Handles messages until `signal` aborts, then waits for the handlers in flight and resolves.
   * Never rejects: handler and database errors go to `onError`. Can be called again on the same
   * instance after an abort, and several times concurrently.
   */
  async listen(
    // biome-ignore lint/suspicious/noExplicitAny: Fedify's MessageQueue signature
    handler: (message: any) => Promise<void> | void,
    options: MessageQueueListenOptions = {},
  ): Promise<void> {
    const { signal } = options;
    // Each listen call holds its own claims, so leases are renewed and released per call.
    const listenerId = randomUUID();
    const inFlight = new Set<Promise<void>>();
    // Resolves the current idle wait early; set only while the loop sleeps.
    let wakeUp: (() => void) | undefined;
    const wake = () => wakeUp?.();
    /** Sleeps `ms` (forever if undefined) but returns early on wake() or abort. */
    const idle = (ms: number | undefined) =>
      new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        let timer: NodeJS.Timeout | undefined;
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          wakeUp = undefined;
          resolve();
        };
        wakeUp = done;
        if (ms !== undefined) timer = setTimeout(done, ms);
        signal?.addEventListener("abort", done, { once: true });
      });
    this.#wakers.add(wake);
    const renewal = setInterval(() => this.#renewLeases(listenerId), this.#leaseMs / 3);
    renewal.unref();
    try {
      while (!signal?.aborted) {
        let failed = false;
        while (inFlight.size < this.#concurrency && !signal?.aborted) {
          let row: ClaimedRow | undefined;
          try {
            row = this.#claim.immediate(listenerId, this.#now());
          } catch (error) {
            // e.g. SQLITE_BUSY from another process, or the database was closed under us.
            this.#report(error);
            failed = true;
            break;
          }
          if (row === undefined) {
            if (inFlight.size === 0) this.#emptyPolls++;
            break;
          }
          const task = this.#handle(row, handler).finally(() => {
            inFlight.delete(task);
            wake(); // a slot is free, and the next message of this ordering key may be ready
          });
          inFlight.add(task);
        }
        // Sleep until the poll interval passes, a handler finishes, a local enqueue, or abort.
        // With every slot busy only a finishing handler (or abort) can let us claim more.
        const busy = inFlight.size >= this.#concurrency;
        const ms = failed
          ? Math.max(this.#pollIntervalMs, 1000)
          : busy
            ? undefined
            : this.#pollIntervalMs;
        await idle(ms);
      }
      await Promise.all(inFlight);
    } finally {
      clearInterval(renewal);
      this.#wakers.delete(wake);
    }
  }

  /**
   * Messages waiting in the table, not counting those held by a live claim. `ready` counts those
   * whose delay has passed (including ones waiting behind an earlier message of their ordering
   * key), `delayed` the others.
   */
  async getDepth(): Promise<MessageQueueDepth> {
    const now = this.#now();
    const row = this.#counts.get(now, now);
    const queued = row?.queued ?? 0;
    const ready = row?.ready ?? 0;
    return { queued, ready, delayed: queued - ready };
  }

  /** Messages this instance's listeners have handled (the handler returned or threw). */
  get processed(): number {
    return this.#processed;
  }

  /**
   * How many times a listener of this instance looked for work, found nothing it could claim,
   * and had no handler of its own running: the queue was idle as far as it could see. Tests wait
   * for this to grow instead of sleeping before they check that nothing (more) happened.
   */
  get emptyPolls(): number {
    return this.#emptyPolls;
  }

  async #handle(
    row: ClaimedRow,
    handler: (message: unknown) => Promise<void> | void,
  ): Promise<void> {
    let message: unknown;
    let kept = false;
    try {
      message = JSON.parse(row.message);
      await handler(message);
    } catch (error) {
      this.#report(error, message);
      if (isStorageFull(error)) kept = this.#postponed(row.id, message);
    } finally {
      this.#processed++;
      if (!kept) this.#removed(row.id, message);
    }
  }

  /** Keeps a message (Fedify's retry could not be queued), released, to be run again later. */
  #postponed(id: number, message: unknown): boolean {
    try {
      this.#postpone.run(this.#now() + STORAGE_FULL_RETRY_MS, id);
      return true;
    } catch (error) {
      this.#report(error, message);
      return false;
    }
  }

  #removed(id: number, message: unknown): void {
    try {
      // Delete even after a failure: with nativeRetrial off, Fedify has already re-enqueued a
      // retry if it wants one. (If our lease had lapsed and another listener took the message
      // too, it has been handled anyway; deleting it here is right.)
      this.#remove.run(id);
    } catch (error) {
      this.#report(error, message);
    }
  }

  #renewLeases(listenerId: string): void {
    try {
      this.#renew.run(this.#now() + this.#leaseMs, listenerId);
    } catch (error) {
      this.#report(error);
    }
  }

  #wake(): void {
    for (const wake of this.#wakers) wake();
  }

  #report(error: unknown, message?: unknown): void {
    try {
      this.#onError(error, message);
    } catch {
      // An error reporter that throws must not break the listener (listen never rejects).
    }
  }
}

function encode(message: unknown): string {
  const json = JSON.stringify(message);
  if (json === undefined) throw new TypeError("fedify queue: a message must be JSON-serialisable");
  return json;
}

/** The delay in whole milliseconds. Fedify's durations come from its own Temporal polyfill, so
 * only methods are used (no instanceof). A negative delay (forbidden by the contract) counts as 0. */
function delayMs(options?: MessageQueueEnqueueOptions): number {
  if (options?.delay == null) return 0;
  return Math.max(0, Math.ceil(options.delay.total("millisecond")));
}
