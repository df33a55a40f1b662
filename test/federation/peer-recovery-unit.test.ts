import { MemoryKvStore } from "@fedify/fedify";
import { createPeerRecovery } from "@spiral-network/node/federation/peer-recovery";
import type { FollowService, Peer } from "@spiral-network/node/services/follows";
import { describe, expect, it } from "vitest";

// What "seen alive" does to a peer's host, with the queue and follows faked: its circuit breaker
// state goes, its waiting deliveries become due, its rows stop showing as unreachable — and the
// periodic look-up only contacts hosts that have deliveries waiting.

const INBOX = "https://porto.example:8443/inbox";
const ACTOR = "https://porto.example:8443/actors/porto";

function setUp(options: { answers?: boolean; waiting?: string[] } = {}) {
  const kv = new MemoryKvStore();
  const expedited: string[] = [];
  const successes: Peer[] = [];
  const lookedUp: string[] = [];
  const peers = createPeerRecovery({
    kv,
    queue: {
      waitingInboxes: () => options.waiting ?? [],
      expedite: (origin) => {
        expedited.push(origin);
        return 3;
      },
    },
    follows: {
      recordContactSuccess: (peer: Peer) => successes.push(peer),
      actorBehindInbox: (inbox: string) => (inbox === INBOX ? ACTOR : undefined),
    } as unknown as FollowService,
    async lookUp(actor) {
      lookedUp.push(actor);
      return options.answers ?? true;
    },
    probeIntervalMs: 0,
    logger: { debug() {}, info() {}, warn() {} },
  });
  const open = () =>
    kv.set(["_fedify", "circuit", "porto.example:8443"], { state: "open", failures: [] });
  const breaker = () => kv.get(["_fedify", "circuit", "porto.example:8443"]);
  return { peers, expedited, successes, lookedUp, open, breaker };
}

describe("peer recovery", () => {
  it("a peer seen alive has its breaker reset and its waiting deliveries made due", async () => {
    const t = setUp();
    await t.open();
    await t.peers.seenAlive(ACTOR, true);
    expect(await t.breaker()).toBeUndefined();
    expect(t.expedited).toEqual(["https://porto.example:8443/"]);
    expect(t.successes).toEqual([{ actor: ACTOR }]);
  });

  it("an inbox delivery from a peer with no failures only clears its rows (no queue scan)", async () => {
    const t = setUp();
    await t.peers.seenAlive(ACTOR, true);
    expect(t.expedited).toEqual([]);
    expect(t.successes).toEqual([{ actor: ACTOR }]);
  });

  it("ignores what is not an http(s) URL", async () => {
    const t = setUp();
    await t.peers.seenAlive("mailto:someone@example.org");
    await t.peers.seenAlive("not a url");
    expect(t.expedited).toEqual([]);
    expect(t.successes).toEqual([]);
  });

  it("looks up one actor per host with waiting deliveries; resets only those that answer", async () => {
    const answering = setUp({ waiting: [INBOX, INBOX, "https://unknown.example/inbox"] });
    await answering.open();
    await answering.peers.probe();
    expect(answering.lookedUp).toEqual([ACTOR]);
    expect(await answering.breaker()).toBeUndefined();
    expect(answering.expedited).toEqual(["https://porto.example:8443/"]);

    const silent = setUp({ answers: false, waiting: [INBOX] });
    await silent.open();
    await silent.peers.probe();
    expect(silent.lookedUp).toEqual([ACTOR]);
    expect(await silent.breaker()).toEqual({ state: "open", failures: [] });
    expect(silent.expedited).toEqual([]);
    expect(silent.successes).toEqual([]);

    const idle = setUp();
    await idle.peers.probe();
    expect(idle.lookedUp).toEqual([]);
  });
});
