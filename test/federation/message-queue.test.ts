import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { testMessageQueue } from "@fedify/testing";
import { openStorage, type Storage } from "@spiral-network/node/db/open";
import {
  SqliteMessageQueue,
  type SqliteMessageQueueOptions,
  STORAGE_FULL_RETRY_MS,
} from "@spiral-network/node/federation/sqlite-message-queue";
import { Temporal } from "temporal-polyfill";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait";

/** Simulated work inside a handler (never a wait before an assertion). */
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A promise with its resolver, to hold a handler until the test releases it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

function rowCount(storage: Storage): number {
  return (storage.sqlite.prepare("SELECT count(*) AS n FROM fedify_queue").get() as { n: number })
    .n;
}

describe("SqliteMessageQueue", () => {
  it("passes Fedify's testMessageQueue (two instances on one database, ordering keys)", async () => {
    const storage = openStorage(":memory:");
    const errors: unknown[] = [];
    await testMessageQueue(
      () => new SqliteMessageQueue(storage.sqlite, { onError: (e) => errors.push(e) }),
      ({ controller }) => {
        controller.abort();
        storage.close();
      },
      { testOrderingKey: true },
    );
    expect(errors).toEqual([]);
  }, 60_000);

  describe("on an in-memory database", () => {
    let storage: Storage;
    let errors: { error: unknown; message: unknown }[];
    let controller: AbortController;
    const make = (options: SqliteMessageQueueOptions = {}) => {
      // This test's list: a listener a failed test left running cannot write into the next one's.
      const sink = errors;
      return new SqliteMessageQueue(storage.sqlite, {
        pollIntervalMs: 10,
        onError: (error, message) => sink.push({ error, message }),
        ...options,
      });
    };

    beforeEach(() => {
      storage = openStorage(":memory:");
      errors = [];
      controller = new AbortController();
    });
    afterEach(() => {
      controller.abort();
      storage.close();
    });

    it("removes a message whose handler throws, reports it and goes on", async () => {
      const mq = make();
      const handled: unknown[] = [];
      const listening = mq.listen(
        (message: { n: number }) => {
          if (message.n === 1) throw new Error("boom");
          handled.push(message);
        },
        { signal: controller.signal },
      );
      await mq.enqueue({ n: 1 });
      await mq.enqueue({ n: 2 });
      await waitFor(
        () => handled.length === 1 && errors.length === 1,
        "one message handled, one failed",
      );
      expect(handled).toEqual([{ n: 2 }]);
      expect(errors[0]?.error).toMatchObject({ message: "boom" });
      expect(errors[0]?.message).toEqual({ n: 1 });
      await waitFor(() => rowCount(storage) === 0, "the table to be empty");
      controller.abort();
      await expect(listening).resolves.toBeUndefined();
    });

    it("counts what it handled, and the polls that found nothing to do with nothing running", async () => {
      const mq = make();
      const release = gate();
      const listening = mq.listen(
        async (m: string) => {
          if (m === "slow") await release.opened;
          if (m === "bad") throw new Error("bad");
        },
        { signal: controller.signal },
      );
      await waitFor(() => mq.emptyPolls > 0, "a first empty poll");
      await mq.enqueue("slow");
      await waitFor(() => rowCount(storage) === 1 && mq.processed === 0, "the slow one claimed");
      // While a handler runs, polls that find nothing claimable do not count as empty.
      const whileBusy = mq.emptyPolls;
      await mq.enqueue("bad", { delay: Temporal.Duration.from({ hours: 1 }) });
      await mq.enqueue("quick");
      await waitFor(() => rowCount(storage) === 2, "the quick one handled beside the slow one");
      expect(mq.processed).toBe(1);
      expect(mq.emptyPolls).toBe(whileBusy);
      release.open();
      await waitFor(() => mq.processed === 2, "the slow one to finish");
      // Only a delayed message left: the queue is idle as far as a listener can see.
      const polls = mq.emptyPolls;
      await waitFor(() => mq.emptyPolls > polls, "an empty poll after the slow one");
      storage.sqlite.prepare("UPDATE fedify_queue SET available_at = 0").run();
      await waitFor(() => mq.processed === 3 && errors.length === 1, "the failing one, counted");
      controller.abort();
      await listening;
    });

    it("keeps a message whose handling hit a full disk and runs it again later", async () => {
      // Fedify's own retry could not be queued either (the disk is full): removing the message
      // would lose the activity for good.
      let now = 1_700_000_000_000;
      const mq = make({ now: () => now });
      let full = true;
      const handled: unknown[] = [];
      const listening = mq.listen(
        (message) => {
          if (full)
            throw Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
          handled.push(message);
        },
        { signal: controller.signal },
      );
      await mq.enqueue({ activity: "Create" });
      await waitFor(() => errors.length === 1, "the full-disk failure reported");
      expect(rowCount(storage)).toBe(1);
      expect(await mq.getDepth()).toMatchObject({ queued: 1, delayed: 1 });
      full = false;
      now += STORAGE_FULL_RETRY_MS;
      await waitFor(
        () => handled.length === 1 && rowCount(storage) === 0,
        "the message run again once there is room",
      );
      expect(handled).toEqual([{ activity: "Create" }]);
      controller.abort();
      await listening;
    });

    it("reports a rejected async handler the same way", async () => {
      const mq = make();
      const listening = mq.listen(
        async () => {
          await pause(1);
          throw new TypeError("async boom");
        },
        { signal: controller.signal },
      );
      await mq.enqueue("x");
      await waitFor(() => errors.length === 1 && rowCount(storage) === 0, "the failure reported");
      expect(errors[0]?.error).toBeInstanceOf(TypeError);
      controller.abort();
      await listening;
    });

    it("takes over a message whose holder's lease expired, but not a live one", async () => {
      let now = 1_700_000_000_000;
      const mq = make({ now: () => now });
      const insert = storage.sqlite.prepare(
        `INSERT INTO fedify_queue (message, ordering_key, available_at, locked_by, locked_until, enqueued_at)
         VALUES (?, ?, ?, 'dead-listener', ?, ?)`,
      );
      // Claimed by a process that crashed: its lease ran out a moment ago.
      insert.run(JSON.stringify("orphan"), null, now - 10_000, now - 1, now - 10_000);
      // Claimed by a (presumably) live listener whose lease is still valid for a minute.
      insert.run(JSON.stringify("held"), "k", now - 10_000, now + 60_000, now - 10_000);
      // Behind the held message in its ordering key: must wait for it.
      await mq.enqueue("after-held", { orderingKey: "k" });

      const handled: unknown[] = [];
      const listening = mq.listen((m) => void handled.push(m), { signal: controller.signal });
      await waitFor(() => handled.length === 1, "the orphan to be taken over");
      // The listener then looks again and finds nothing it may take: the live lease holds.
      const polls = mq.emptyPolls;
      await waitFor(() => mq.emptyPolls > polls, "the listener to find nothing more to claim");
      expect(handled).toEqual(["orphan"]);
      expect(await mq.getDepth()).toEqual({ queued: 1, ready: 1, delayed: 0 });

      now += 60_000; // the "held" lease expires: the message comes back, then its successor
      await waitFor(() => handled.length === 3, "the held message and its successor");
      expect(handled).toEqual(["orphan", "held", "after-held"]);
      expect(rowCount(storage)).toBe(0);
      controller.abort();
      await listening;
    });

    it("renews the lease of a slow handler so nobody else takes its message", async () => {
      // A lease of 1 s, renewed every third of it: an event loop held up to ≈ 0.6 s (a busy
      // machine) still renews in time; the handler outlasts two and a half leases.
      const mq1 = make({ leaseMs: 1000 });
      const mq2 = make({ leaseMs: 1000 });
      const calls: string[] = [];
      const slow = async (m: string) => {
        calls.push(m);
        await pause(2500);
      };
      const l1 = mq1.listen(slow, { signal: controller.signal });
      const l2 = mq2.listen(slow, { signal: controller.signal });
      try {
        await mq1.enqueue("slow");
        await waitFor(() => calls.length === 1, "the slow handler to start");
        await waitFor(() => rowCount(storage) === 0, "the slow message to be done");
        expect(calls).toEqual(["slow"]);
      } finally {
        // Its handlers done before the storage closes, whatever happened.
        controller.abort();
        await Promise.all([l1, l2]);
      }
    });

    it("runs up to `concurrency` handlers at once but one per ordering key", async () => {
      const mq = make({ concurrency: 3 });
      let active = 0;
      let maxActive = 0;
      const activePerKey = new Map<string, number>();
      const order: Record<string, number[]> = { a: [], b: [], none: [] };
      const listening = mq.listen(
        async (m: { key: string | null; i: number }) => {
          const key = m.key ?? "none";
          active++;
          maxActive = Math.max(maxActive, active);
          if (m.key != null) {
            expect(activePerKey.get(key) ?? 0).toBe(0);
            activePerKey.set(key, 1);
          }
          await pause(25 - 4 * (m.i % 5)); // earlier messages take longer
          order[key]?.push(m.i);
          if (m.key != null) activePerKey.set(key, 0);
          active--;
        },
        { signal: controller.signal },
      );
      // Same-key messages back to back, so that without per-key exclusion they would run together.
      for (let i = 0; i < 5; i++) await mq.enqueue({ key: "a", i }, { orderingKey: "a" });
      for (let i = 0; i < 5; i++) await mq.enqueue({ key: "b", i }, { orderingKey: "b" });
      for (let i = 0; i < 10; i++) await mq.enqueue({ key: null, i });
      await waitFor(
        () => order.a?.length === 5 && order.b?.length === 5 && order.none?.length === 10,
        "all twenty messages",
      );
      expect(order.a).toEqual([0, 1, 2, 3, 4]);
      expect(order.b).toEqual([0, 1, 2, 3, 4]);
      expect(maxActive).toBe(3);
      controller.abort();
      await listening;
      expect(errors).toEqual([]); // the per-key expectation inside the handler never failed
    });

    it("keeps enqueueMany's order within an ordering key", async () => {
      const mq = make({ concurrency: 8 });
      const seen: number[] = [];
      const listening = mq.listen(
        async (n: number) => {
          await pause(Math.random() * 5);
          seen.push(n);
        },
        { signal: controller.signal },
      );
      await mq.enqueueMany([1, 2, 3, 4, 5, 6], { orderingKey: "same" });
      await waitFor(() => seen.length === 6, "the six messages");
      expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
      controller.abort();
      await listening;
    });

    it("counts queued, ready and delayed messages, excluding those being handled", async () => {
      const mq = make();
      expect(await mq.getDepth()).toEqual({ queued: 0, ready: 0, delayed: 0 });
      await mq.enqueue("now-1");
      await mq.enqueue("now-2", { orderingKey: "k" });
      await mq.enqueue("after-now-2", { orderingKey: "k" });
      await mq.enqueueMany(["later-1", "later-2"], { delay: Temporal.Duration.from({ hours: 1 }) });
      expect(await mq.getDepth()).toEqual({ queued: 5, ready: 3, delayed: 2 });

      const release = gate();
      const started: unknown[] = [];
      const listening = mq.listen(
        async (m) => {
          started.push(m);
          await release.opened;
        },
        { signal: controller.signal },
      );
      // "now-1" and "now-2" are in flight; "after-now-2" waits behind "now-2".
      await waitFor(() => started.length === 2, "two handlers in flight");
      expect(await mq.getDepth()).toEqual({ queued: 3, ready: 1, delayed: 2 });
      release.open();
      await waitFor(() => started.length === 3, "the third handler");
      await waitFor(() => rowCount(storage) === 2, "only the delayed messages left");
      expect(await mq.getDepth()).toEqual({ queued: 2, ready: 0, delayed: 2 });
      controller.abort();
      await listening;
    });

    it("delivers a delayed message only once its delay has passed", async () => {
      const mq = make();
      const received: number[] = [];
      const listening = mq.listen(() => void received.push(Date.now()), {
        signal: controller.signal,
      });
      const sent = Date.now();
      await mq.enqueue("d", { delay: Temporal.Duration.from({ milliseconds: 300 }) });
      await waitFor(() => received.length === 1, "the delayed message");
      expect((received[0] ?? 0) - sent).toBeGreaterThanOrEqual(300);
      controller.abort();
      await listening;
    });

    it("resolves listen promptly on abort, even with a long poll interval", async () => {
      const mq = make({ pollIntervalMs: 60_000 });
      const listening = mq.listen(() => {}, { signal: controller.signal });
      await waitFor(() => mq.emptyPolls > 0, "the listener to find the queue empty"); // now asleep for a minute
      const aborted = Date.now();
      controller.abort();
      await listening;
      expect(Date.now() - aborted).toBeLessThan(500); // vs. a 60 s poll interval
    });

    it("resolves at once with an already aborted signal", async () => {
      const mq = make();
      controller.abort();
      await mq.enqueue("untouched");
      await mq.listen(
        () => {
          throw new Error("must not run");
        },
        { signal: controller.signal },
      );
      expect(rowCount(storage)).toBe(1);
    });

    it("waits for handlers in flight on abort, then can listen again", async () => {
      const mq = make({ pollIntervalMs: 60_000 });
      const release = gate();
      const handled: string[] = [];
      const first = mq.listen(
        async (m: string) => {
          await release.opened;
          handled.push(m);
        },
        { signal: controller.signal },
      );
      await mq.enqueue("in-flight");
      await waitFor(
        () =>
          rowCount(storage) === 1 &&
          (
            storage.sqlite.prepare("SELECT locked_by FROM fedify_queue").get() as {
              locked_by: string | null;
            }
          ).locked_by != null,
        "the message to be claimed",
      );
      let resolved = false;
      void first.then(() => {
        resolved = true;
      });
      controller.abort();
      // Let every pending callback run: a listen that did not wait for its handler would have
      // resolved by now (the abort wakes it synchronously, the rest is promise callbacks).
      await new Promise((r) => setImmediate(r));
      expect(resolved).toBe(false); // still waiting for the handler
      release.open();
      await first;
      expect(handled).toEqual(["in-flight"]);
      expect(rowCount(storage)).toBe(0);

      // A second listen on the same instance works (Fedify's testMessageQueue does this too).
      const again = new AbortController();
      const second = mq.listen((m: string) => void handled.push(m), { signal: again.signal });
      await mq.enqueue("second round"); // a local enqueue wakes the sleeping listener
      await waitFor(() => handled.length === 2, "the second round");
      again.abort();
      await second;
    });

    it("keeps listening after the database fails under it, reporting the error", async () => {
      const mq = make();
      const listening = mq.listen(() => {}, { signal: controller.signal });
      await waitFor(() => mq.emptyPolls > 0, "the listener to be polling");
      storage.sqlite.exec("ALTER TABLE fedify_queue RENAME TO fedify_queue_away");
      await waitFor(() => errors.length > 0, "the database error reported");
      storage.sqlite.exec("ALTER TABLE fedify_queue_away RENAME TO fedify_queue");
      controller.abort();
      await expect(listening).resolves.toBeUndefined();
    });
  });

  describe("on a database file", () => {
    let dir: string;
    let file: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), "spiral-mq-"));
      file = path.join(dir, "node.db");
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("keeps messages across closing and reopening the database", async () => {
      const first = openStorage(file);
      const mq1 = new SqliteMessageQueue(first.sqlite);
      await mq1.enqueue({ activity: "Create", keys: [{ keyId: "https://a.example/#k" }] });
      await mq1.enqueue({ n: 1 }, { orderingKey: "o" });
      await mq1.enqueue({ n: 2 }, { orderingKey: "o" });
      await mq1.enqueueMany(["later"], { delay: Temporal.Duration.from({ milliseconds: 200 }) });
      first.close();

      const second = openStorage(file);
      const controller = new AbortController();
      try {
        const mq2 = new SqliteMessageQueue(second.sqlite, { pollIntervalMs: 10 });
        expect(await mq2.getDepth()).toMatchObject({ queued: 4 });
        const handled: unknown[] = [];
        const listening = mq2.listen((m) => void handled.push(m), { signal: controller.signal });
        await waitFor(() => handled.length === 4, "the four kept messages");
        expect(handled).toContainEqual({
          activity: "Create",
          keys: [{ keyId: "https://a.example/#k" }],
        });
        expect(handled).toContain("later");
        expect(handled.filter((m) => typeof m === "object" && m !== null && "n" in m)).toEqual([
          { n: 1 },
          { n: 2 },
        ]);
        controller.abort();
        await listening;
        expect(rowCount(second)).toBe(0);
      } finally {
        controller.abort();
        second.close();
      }
    });

    it("delivers each message once to listeners on separate connections", async () => {
      const a = openStorage(file);
      const b = openStorage(file);
      const controller = new AbortController();
      try {
        const errors: unknown[] = [];
        const options = { pollIntervalMs: 5, onError: (e: unknown) => errors.push(e) };
        const mqA = new SqliteMessageQueue(a.sqlite, options);
        const mqB = new SqliteMessageQueue(b.sqlite, options);
        const seen = new Map<number, string[]>();
        const handler = (who: string) => async (n: number) => {
          seen.set(n, [...(seen.get(n) ?? []), who]);
          await pause(1);
        };
        const listening = [
          mqA.listen(handler("a"), { signal: controller.signal }),
          mqB.listen(handler("b"), { signal: controller.signal }),
        ];
        const count = 200;
        await mqA.enqueueMany(Array.from({ length: count / 2 }, (_, i) => i));
        for (let i = count / 2; i < count; i++) await mqB.enqueue(i);
        await waitFor(() => seen.size === count, `all ${count} messages`);
        controller.abort();
        await Promise.all(listening);
        expect([...seen.values()].every((who) => who.length === 1)).toBe(true);
        const byA = [...seen.values()].filter((who) => who[0] === "a").length;
        expect(byA).toBeGreaterThan(0);
        expect(byA).toBeLessThan(count);
        expect(errors).toEqual([]);
      } finally {
        controller.abort();
        a.close();
        b.close();
      }
    });
  });
});
