import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Browser, PASSWORD } from "../admin/browser";
import { waitFor } from "../support/wait";
import { follow, type Peer, publishSynthesis, startPeer } from "./harness";

// Follow rows record whether their peer answers (docs/joining-the-network.md: "unreachable"): a delivery or an
// anti-entropy pull that fails marks the rows behind that peer — both ways — unreachable with
// the reason; the next contact that succeeds clears them. Mulhouse counts a peer unreachable
// from its first failure so the test needs no long retry schedule.

let mulhouse: Peer;
let porto: Peer;
let facilitator: Browser;
let enFacilitator: Browser;
beforeAll(async () => {
  [mulhouse, porto] = await Promise.all([
    startPeer(
      { slug: "mulhouse", name: "Mulhouse", country: "FR" },
      { unreachableAfterFailures: 1 },
    ),
    startPeer({ slug: "porto", name: "Porto", country: "PT" }),
  ]);
  await follow(mulhouse, porto);
  await follow(porto, mulhouse);
  await mulhouse.node.services.users.create(
    { email: "lea@mulhouse.example.org", name: "Léa", password: PASSWORD, role: "facilitator" },
    "test",
  );
  facilitator = new Browser(mulhouse.node, { "accept-language": "fr" });
  await facilitator.login("lea@mulhouse.example.org");
  enFacilitator = new Browser(mulhouse.node, { "accept-language": "en" });
  await enFacilitator.login("lea@mulhouse.example.org");
}, 60_000);
afterAll(async () => {
  await Promise.all([mulhouse, porto].map((p) => p?.close()));
});

const followingPorto = () =>
  mulhouse.node.services.follows.following("mulhouse").find((f) => f.target === porto.actorUrl);
const followerPorto = () =>
  mulhouse.node.services.follows.followers("mulhouse").find((f) => f.follower === porto.actorUrl);
const today = () => new Date().toISOString().slice(0, 10);

describe("reachability of follows", () => {
  it("a delivery that fails marks the peer unreachable both ways; delivered again, it is cleared", async () => {
    expect(followingPorto()).toMatchObject({ state: "accepted", unreachableSince: null });
    const page = await enFacilitator.get("/admin/network");
    expect(page.text).not.toContain("unreachable since");

    await porto.goOffline();
    // Porto follows Mulhouse: the synthesis goes to its inbox, which no longer answers.
    await publishSynthesis(mulhouse);
    const failing = await waitFor(
      () => (followingPorto()?.unreachableSince ? followingPorto() : undefined),
      "the following row to be marked unreachable",
    );
    expect(failing.lastError).toBe("ECONNREFUSED");
    expect(failing.failures).toBeGreaterThanOrEqual(1);
    expect(followerPorto()).toMatchObject({
      unreachableSince: expect.any(String),
      lastError: "ECONNREFUSED",
    });
    expect(failing.state).toBe("accepted"); // the follow itself stands

    // Both lists say so, in English and in French.
    const en = await enFacilitator.get("/admin/network");
    const since = failing.unreachableSince?.slice(0, 10);
    expect(since).toBe(today());
    expect(en.text.split(`unreachable since ${since} (ECONNREFUSED)`)).toHaveLength(3);
    const fr = await facilitator.get("/admin/network");
    expect(fr.text.split(`injoignable depuis le ${since} (ECONNREFUSED)`)).toHaveLength(3);
    // And the API.
    const listed = await mulhouse.api("GET", "/territories/mulhouse/following");
    expect(listed.body[0]).toMatchObject({
      target: porto.actorUrl,
      unreachableSince: failing.unreachableSince,
      lastError: "ECONNREFUSED",
    });

    // Porto answers again: Fedify's retry delivers the synthesis, which clears both rows.
    await porto.goOnline();
    await waitFor(
      () => porto.node.services.received.list().length === 1,
      "the retried delivery to arrive",
    );
    await waitFor(
      () =>
        followingPorto()?.unreachableSince === null && followerPorto()?.unreachableSince === null,
      "the rows to be cleared",
    );
    expect(followingPorto()).toMatchObject({ failures: 0, lastError: null, lastErrorAt: null });
    const after = await enFacilitator.get("/admin/network");
    expect(after.text).not.toContain("unreachable since");
  });

  it("an anti-entropy pull that fails marks the followed peer; one that succeeds clears it", async () => {
    const row = followingPorto();
    if (!row) throw new Error("Mulhouse follows Porto");
    await porto.goOffline();
    await expect((await mulhouse.node.federation.get()).antiEntropy.pull(row)).rejects.toThrow(
      "no answer",
    );
    expect(followingPorto()).toMatchObject({
      unreachableSince: expect.any(String),
      // The actor document may come from Fedify's cache: then its stream is what fails.
      lastError: expect.stringMatching(/^pull: no answer/),
      failures: 1,
    });
    const page = await enFacilitator.get("/admin/network");
    expect(page.text).toContain(`unreachable since ${today()} (pull: no answer`);

    await porto.goOnline();
    await (await mulhouse.node.federation.get()).antiEntropy.pull(row);
    expect(followingPorto()).toMatchObject({
      unreachableSince: null,
      lastError: null,
      failures: 0,
    });
  });

  it("counts failures in a row: unreachable from the threshold, at once when permanent", () => {
    const follows = porto.node.services.follows;
    const peer = { actor: mulhouse.actorUrl };
    const row = () => follows.following("porto").find((f) => f.target === mulhouse.actorUrl);
    const fail = (permanent: boolean, reason = "HTTP 503") =>
      follows.recordContactFailure(peer, { reason, permanent, unreachableAfter: 3 });

    // Porto follows Mulhouse and is followed by it: two rows behind that peer.
    expect(fail(false)).toBe(2);
    expect(fail(false)).toBe(2);
    expect(row()).toMatchObject({ failures: 2, unreachableSince: null, lastError: "HTTP 503" });
    fail(false, "ETIMEDOUT");
    const marked = row();
    expect(marked).toMatchObject({ failures: 3, lastError: "ETIMEDOUT" });
    expect(marked?.unreachableSince).toEqual(expect.any(String));
    // Later failures keep the first date and the latest reason.
    fail(false, "HTTP 502");
    expect(row()).toMatchObject({
      unreachableSince: marked?.unreachableSince,
      lastError: "HTTP 502",
    });

    follows.recordContactSuccess(peer);
    expect(row()).toMatchObject({ failures: 0, unreachableSince: null, lastError: null });
    fail(true, "HTTP 410");
    expect(row()).toMatchObject({ failures: 1, unreachableSince: expect.any(String) });
    follows.recordContactSuccess(peer);
    // A peer nobody follows either way: nothing to record.
    expect(
      follows.recordContactFailure(
        { inbox: "https://nowhere.example/inbox" },
        { reason: "ENOTFOUND", permanent: true, unreachableAfter: 3 },
      ),
    ).toBe(0);
  });
});
