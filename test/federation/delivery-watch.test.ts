import type { MessageQueue } from "@fedify/fedify";
import { SendActivityError } from "@fedify/fedify";
import { Create } from "@fedify/vocab";
import {
  createDeliveryWatch,
  failedInbox,
  failureReason,
} from "@spiral-network/node/federation/reachability";
import type { ContactFailure, FollowService, Peer } from "@spiral-network/node/services/follows";
import { describe, expect, it } from "vitest";

// The delivery watch tells Fedify's outbox tasks apart: delivered, failed and retried, failed
// for good, or held — from what Fedify reports and what it queues again.

const INBOX = "https://porto.example/inbox";
const ACTIVITY_ID = "https://mulhouse.example/activities/1";
const activity = new Create({ id: new URL(ACTIVITY_ID) });
const outboxMessage = { type: "outbox", activityId: ACTIVITY_ID, inbox: INBOX, attempt: 0 };

function setUp() {
  const calls: Array<["failure", Peer, ContactFailure] | ["success", Peer]> = [];
  const follows = {
    recordContactFailure: (peer: Peer, failure: ContactFailure) => {
      calls.push(["failure", peer, failure]);
      return 1;
    },
    recordContactSuccess: (peer: Peer) => {
      calls.push(["success", peer]);
    },
  } as unknown as FollowService;
  const enqueued: unknown[] = [];
  let handle: (message: unknown) => Promise<void> = async () => {};
  const inner: MessageQueue = {
    async enqueue(message) {
      enqueued.push(message);
    },
    async listen(handler) {
      handle = async (message) => {
        await handler(message);
      };
    },
  };
  const watch = createDeliveryWatch(follows, { unreachableAfter: 3, onError: () => {} });
  const queue = watch.wrap(inner);
  let task: (message: unknown) => Promise<void> = async () => {};
  void queue.listen(async (message) => {
    await task(message);
  });
  return {
    calls,
    enqueued,
    watch,
    /** Runs one outbox task through the wrapped queue, doing `work` as Fedify would. */
    run: async (work: () => Promise<void>, message: unknown = outboxMessage) => {
      task = work;
      await handle(message);
    },
    queue,
  };
}

const refused = () => {
  const error = new TypeError("fetch failed", {
    cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
  });
  return Object.assign(new Error("fetch failed", { cause: error }), { url: new URL(INBOX) });
};

describe("delivery watch", () => {
  it("a task that ends quietly delivered its activity: success for that inbox", async () => {
    const t = setUp();
    await t.run(async () => {});
    expect(t.calls).toEqual([["success", { inbox: INBOX }]]);
  });

  it("a failure that Fedify retries counts once, not permanent", async () => {
    const t = setUp();
    await t.run(async () => {
      t.watch.onOutboxError(refused(), activity);
      await t.queue.enqueue({ ...outboxMessage, attempt: 1 });
    });
    expect(t.calls).toEqual([
      [
        "failure",
        { inbox: INBOX },
        { reason: "ECONNREFUSED", permanent: false, unreachableAfter: 3 },
      ],
    ]);
    expect(t.enqueued).toHaveLength(1);
  });

  it("a failure with no retry queued (retries used up) is permanent", async () => {
    const t = setUp();
    await t.run(async () => {
      t.watch.onOutboxError(new SendActivityError(new URL(INBOX), 503, "busy", ""), activity);
    });
    expect(t.calls).toEqual([
      ["failure", { inbox: INBOX }, { reason: "HTTP 503", permanent: true, unreachableAfter: 3 }],
    ]);
  });

  it("a 410 reported to the permanent-failure handler is permanent", async () => {
    const t = setUp();
    const gone = new SendActivityError(new URL(INBOX), 410, "gone", "");
    await t.run(async () => {
      t.watch.onOutboxError(gone, activity);
      t.watch.onPermanentFailure(new URL(INBOX), activity, gone);
    });
    expect(t.calls).toEqual([
      ["failure", { inbox: INBOX }, { reason: "HTTP 410", permanent: true, unreachableAfter: 3 }],
    ]);
  });

  it("a task held by the circuit breaker (queued again, no error) says nothing", async () => {
    const t = setUp();
    await t.run(async () => {
      await t.queue.enqueue({ ...outboxMessage, circuitHeld: true });
    });
    expect(t.calls).toEqual([]);
  });

  it("other tasks (inbox) and tasks that throw on our side say nothing", async () => {
    const t = setUp();
    await t.run(async () => {}, { type: "inbox", activity: {} });
    await expect(
      t.run(async () => {
        throw new Error("our key is gone");
      }),
    ).rejects.toThrow("our key is gone");
    expect(t.calls).toEqual([]);
  });

  it("reads the inbox and a short reason from Fedify's errors", () => {
    expect(failedInbox(refused())).toBe(INBOX);
    expect(failedInbox(new SendActivityError(new URL(INBOX), 500, "x", ""))).toBe(INBOX);
    expect(failedInbox(new Error("no inbox"))).toBeUndefined();
    expect(failureReason(refused())).toBe("ECONNREFUSED");
    expect(failureReason(new SendActivityError(new URL(INBOX), 404, "x", ""))).toBe("HTTP 404");
    expect(failureReason(new Error("Circuit breaker held activity expired."))).toBe(
      "Circuit breaker held activity expired.",
    );
  });
});
