import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inDays, meetingInput } from "../support/meeting";
import { waitFor } from "../support/wait";
import { type FilePeer, startFilePeer } from "./file-peer";
import { follow, type Peer, publishTo } from "./harness";

// A follower that was down while its origin published comes back: it catches up within seconds
// — it pulls what it follows at start, and the origin, which had opened its circuit breaker on
// it (5 failed deliveries; Fedify's default would hold it for 30 minutes), sees it alive again
// (a look-up that answers, or a delivery from it), resets the breaker, sends what it held and
// stops showing it as unreachable.

const meeting = meetingInput(inDays(10));
const PERIODS = ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"].map((start) => ({
  start,
  end: start.replace(/-01$/, "-28"),
}));

let dirs: string[];
let mulhouse: FilePeer;
let porto: FilePeer;
const asPeer = (p: FilePeer) => p as unknown as Peer;
const circuitOf = async (peer: FilePeer) =>
  (await (
    await mulhouse.node.federation.get()
  ).deps.kv.get(["_fedify", "circuit", `127.0.0.1:${peer.port}`])) as { state: string } | undefined;
const portoAsFollower = () =>
  mulhouse.node.services.follows.followers("mulhouse").find((f) => f.follower === porto.actorUrl);
const receivedMeetings = async () => (await porto.api("GET", "/meetings")).body as unknown[];

/** Porto follows Mulhouse, goes down; Mulhouse publishes until its breaker opens on Porto. */
async function portoMissesFivePublications(options: { probeMs: number; mutual: boolean }) {
  dirs = [0, 1].map(() => mkdtempSync(path.join(tmpdir(), "spiral-recovery-")));
  mulhouse = await startFilePeer(dirs[0] as string, {
    territory: "mulhouse",
    unreachableAfterFailures: 1,
    peerProbeIntervalMs: options.probeMs,
  });
  porto = await startFilePeer(dirs[1] as string, { territory: "porto" });
  await follow(asPeer(porto), asPeer(mulhouse));
  if (options.mutual) await follow(asPeer(mulhouse), asPeer(porto));
  const port = porto.port;
  await porto.stop();
  // Five objects (five ordering keys), five failed deliveries to Porto's host.
  for (const period of PERIODS)
    expect((await publishTo(asPeer(mulhouse), undefined, period)).status).toBe(201);
  expect((await mulhouse.api("POST", "/territories/mulhouse/meetings", meeting)).status).toBe(201);
  await waitFor(async () => (await circuitOf(porto))?.state === "open", "the breaker to open");
  expect(portoAsFollower()?.unreachableSince).toEqual(expect.any(String));
  return port;
}

beforeEach(() => {
  dirs = [];
});
afterEach(async () => {
  await Promise.all([mulhouse?.stop(), porto?.stop()].map((p) => p?.catch(() => {})));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("a peer back online", () => {
  it("catches up within seconds: it pulls at start, the origin looks it up and sends what it held", async () => {
    const port = await portoMissesFivePublications({ probeMs: 100, mutual: false });
    const restarted = Date.now();
    porto = await startFilePeer(dirs[1] as string, { port, territory: "porto" });

    // Its start pull brings the four syntheses…
    await waitFor(() => porto.node.services.received.list().length === 4, "the pull at start");
    // …and the origin's look-up finds it alive: the held meeting goes out, the breaker is reset.
    await waitFor(async () => (await receivedMeetings()).length === 1, "the held meeting", {
      timeout: 20_000,
    });
    expect(await circuitOf(porto)).toBeUndefined();
    await waitFor(() => portoAsFollower()?.unreachableSince === null, "unreachable cleared");
    // Far below Fedify's default 30 minutes, and below our own one-minute breaker probe.
    expect(Date.now() - restarted).toBeLessThan(30_000);
  }, 90_000);

  it("a delivery from the peer resets its breaker at once (no look-ups)", async () => {
    const port = await portoMissesFivePublications({ probeMs: 0, mutual: true });
    porto = await startFilePeer(dirs[1] as string, { port, territory: "porto" });
    // Porto publishes: its delivery to Mulhouse shows Mulhouse that Porto is back.
    expect((await publishTo(asPeer(porto), undefined, PERIODS[0] as never)).status).toBe(201);
    await waitFor(async () => (await receivedMeetings()).length === 1, "the held meeting", {
      timeout: 20_000,
    });
    expect(await circuitOf(porto)).toBeUndefined();
    expect(portoAsFollower()?.unreachableSince).toBeNull();
  }, 90_000);
});
