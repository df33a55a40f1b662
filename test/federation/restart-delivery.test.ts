import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait";
import { crashedProcess, type FilePeer, startFilePeer } from "./file-peer";
import { follow, type Peer, publishSynthesis, receivedBy, startPeer } from "./harness";

// A node killed in the middle of a delivery leaves its queue claim (a 5-minute lease) behind,
// and that message's ordering key holds back every later update to the same peer. The restarted
// node owns the DATA_DIR lock, so it releases those claims at start and delivers at once.

let dir: string;
let mulhouse: FilePeer;
let porto: Peer;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "spiral-restart-"));
  mulhouse = await startFilePeer(dir, { territory: "mulhouse" });
  porto = await startPeer({ slug: "porto", name: "Porto", country: "PT" });
}, 60_000);
afterAll(async () => {
  await Promise.all([mulhouse?.stop(), porto?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const queued = (peer: FilePeer) =>
  peer.node.storage.sqlite.prepare("SELECT message FROM fedify_queue").pluck().all() as string[];

describe("restart after a crash", () => {
  it("a message a killed process had claimed is delivered right after the restart", async () => {
    await follow(porto, mulhouse as unknown as Peer);
    await porto.goOffline();
    await publishSynthesis(mulhouse as unknown as Peer);
    // The first attempt failed; Fedify queued a retry for Porto's inbox.
    await waitFor(
      () => queued(mulhouse).some((m) => m.includes(porto.url) && m.includes('"attempt":1')),
      "a queued retry to Porto",
    );
    const port = mulhouse.port;
    await mulhouse.stop();
    // The process that held the DATA_DIR claimed the retry (a 5-minute lease), then died.
    await crashedProcess(dir, true);
    await porto.goOnline();

    const started = Date.now();
    mulhouse = await startFilePeer(dir, { port, territory: "mulhouse" });
    expect(mulhouse.logs).toContain("info released 1 queued task(s) claimed by a stopped process");
    await waitFor(() => receivedBy(porto).length === 1, "Porto to receive the synthesis", {
      timeout: 20_000,
    });
    // Far below the 5-minute lease the crash left.
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);
});
