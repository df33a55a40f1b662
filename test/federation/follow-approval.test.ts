import { randomUUID } from "node:crypto";
import { Accept } from "@fedify/vocab";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait";
import { type Peer, settled, startPeer } from "./harness";

// Follows with manual approval, refusals, removals and unfollows, seen from both sides, plus the
// API's answers to targets it cannot follow.

const AS = { accept: "application/activity+json" };

const followingOf = (peer: Peer, target: Peer) =>
  peer.node.services.follows.following(peer.slug).find((f) => f.target === target.actorUrl);
const followerOf = (peer: Peer, follower: Peer) =>
  peer.node.services.follows.followers(peer.slug).find((f) => f.follower === follower.actorUrl);

const totalItems = async (url: string) =>
  ((await fetch(url, { headers: AS }).then((r) => r.json())) as { totalItems: number }).totalItems;

describe("following a territory that approves its followers by hand", () => {
  let followed: Peer; // approves by hand
  let porto: Peer;
  let namur: Peer;
  let intruder: Peer;

  beforeAll(async () => {
    [followed, porto, namur, intruder] = await Promise.all([
      startPeer({ slug: "mulhouse", name: "Mulhouse", country: "FR" }),
      startPeer({ slug: "porto", name: "Porto", country: "PT" }),
      startPeer({ slug: "namur", name: "Namur", country: "BE" }, { manualApproval: true }),
      startPeer({ slug: "intrus", name: "Intrus", country: "DE" }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([followed, porto, namur, intruder].map((p) => p?.close()));
  });

  it("the setting is a PATCH of the territory, and the actor says so", async () => {
    const before = await fetch(followed.actorUrl, { headers: AS }).then((r) => r.json());
    expect(before.manuallyApprovesFollowers).toBe(false);
    const patched = await followed.api("PATCH", "/territories/mulhouse", { manualApproval: true });
    expect(patched.status).toBe(200);
    expect(patched.body.manualApproval).toBe(true);
    const after = await fetch(followed.actorUrl, { headers: AS }).then((r) => r.json());
    expect(after.manuallyApprovesFollowers).toBe(true);
  });

  it("a follow stays pending on both sides until approved", async () => {
    const response = await porto.api("POST", "/territories/porto/following", {
      target: followed.actorUrl,
    });
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ target: followed.actorUrl, state: "pending" });

    await waitFor(() => followerOf(followed, porto), "the follow request to arrive");
    await settled(followed, porto);
    const followers = await followed.api("GET", "/territories/mulhouse/followers");
    expect(followers.body).toEqual([
      expect.objectContaining({ follower: porto.actorUrl, state: "pending" }),
    ]);
    const following = await porto.api("GET", "/territories/porto/following");
    expect(following.body).toEqual([
      expect.objectContaining({ target: followed.actorUrl, state: "pending" }),
    ]);
    // Pending followers are not followers yet: not in the collection, not sent publications.
    expect(await totalItems(`${followed.actorUrl}/followers`)).toBe(0);
    expect(await totalItems(`${porto.actorUrl}/following`)).toBe(0);
    expect(followed.node.services.follows.acceptedFollowers("mulhouse")).toEqual([]);
  });

  it("an Accept from anyone but the followed territory is ignored", async () => {
    const request = followingOf(porto, followed);
    if (!request) throw new Error("porto has a pending request");
    const ctx = (await intruder.node.federation.get()).context();
    await ctx.sendActivity(
      { identifier: intruder.slug },
      { id: new URL(porto.actorUrl), inboxId: new URL(`${porto.actorUrl}/inbox`) },
      new Accept({
        id: new URL(`${intruder.url}/activities/${randomUUID()}`),
        actor: ctx.getActorUri(intruder.slug),
        object: new URL(request.followActivityId),
      }),
      { immediate: true },
    );
    await settled(porto); // the forged Accept has been handled
    expect(followingOf(porto, followed)?.state).toBe("pending");
  });

  it("approval sends Accept: accepted on both sides", async () => {
    const row = followerOf(followed, porto);
    const approved = await followed.api(
      "POST",
      `/territories/mulhouse/followers/${row?.id}/approval`,
    );
    expect(approved.status).toBe(204);
    expect(followerOf(followed, porto)?.state).toBe("accepted");
    await waitFor(
      () => followingOf(porto, followed)?.state === "accepted",
      "porto to receive the Accept",
    );
    expect(await totalItems(`${followed.actorUrl}/followers`)).toBe(1);
    expect(await totalItems(`${porto.actorUrl}/following`)).toBe(1);
    // Approving again changes nothing.
    expect(
      (await followed.api("POST", `/territories/mulhouse/followers/${row?.id}/approval`)).status,
    ).toBe(204);
  });

  it("refusing a pending request sends Reject: rejected there, gone here", async () => {
    const response = await namur.api("POST", "/territories/namur/following", {
      target: followed.actorUrl,
    });
    expect(response.status).toBe(202);
    const row = await waitFor(() => followerOf(followed, namur), "namur's request to arrive");
    expect(row.state).toBe("pending");
    const refused = await followed.api("DELETE", `/territories/mulhouse/followers/${row.id}`);
    expect(refused.status).toBe(204);
    expect(followerOf(followed, namur)).toBeUndefined();
    await waitFor(
      () => followingOf(namur, followed)?.state === "rejected",
      "namur to receive the Reject",
    );
    const following = await namur.api("GET", "/territories/namur/following");
    expect(following.body).toEqual([
      expect.objectContaining({ target: followed.actorUrl, state: "rejected" }),
    ]);
    expect(await totalItems(`${namur.actorUrl}/following`)).toBe(0);
    // Porto, accepted earlier, is untouched.
    expect(followerOf(followed, porto)?.state).toBe("accepted");
  });

  it("removing an accepted follower sends Reject too", async () => {
    const row = followerOf(followed, porto);
    const removed = await followed.api("DELETE", `/territories/mulhouse/followers/${row?.id}`);
    expect(removed.status).toBe(204);
    expect((await followed.api("GET", "/territories/mulhouse/followers")).body).toEqual([]);
    await waitFor(
      () => followingOf(porto, followed)?.state === "rejected",
      "porto to receive the Reject",
    );
    expect(await totalItems(`${followed.actorUrl}/followers`)).toBe(0);
    expect(await totalItems(`${porto.actorUrl}/following`)).toBe(0);
  });

  it("following again after a refusal asks again (pending), and approval works the same", async () => {
    const again = await porto.api("POST", "/territories/porto/following", {
      target: followed.actorUrl,
    });
    expect(again.status).toBe(202);
    expect(again.body.state).toBe("pending");
    expect(porto.node.services.follows.following("porto")).toHaveLength(1);
    const row = await waitFor(
      () => (followerOf(followed, porto)?.state === "pending" ? followerOf(followed, porto) : null),
      "the new request to arrive",
    );
    await followed.api("POST", `/territories/mulhouse/followers/${row.id}/approval`);
    await waitFor(
      () => followingOf(porto, followed)?.state === "accepted",
      "porto to be accepted again",
    );
  });

  it("unfollowing sends Undo(Follow): the followed side drops the follower", async () => {
    const row = followingOf(porto, followed);
    const response = await porto.api("DELETE", `/territories/porto/following/${row?.id}`);
    expect(response.status).toBe(204);
    expect((await porto.api("GET", "/territories/porto/following")).body).toEqual([]);
    await waitFor(
      () => followerOf(followed, porto) === undefined,
      "the followed side to drop porto",
    );
    expect(await totalItems(`${followed.actorUrl}/followers`)).toBe(0);
  });

  it("unknown follow ids are 404", async () => {
    expect(
      (await followed.api("POST", "/territories/mulhouse/followers/9999/approval")).status,
    ).toBe(404);
    expect((await followed.api("DELETE", "/territories/mulhouse/followers/9999")).status).toBe(404);
    expect((await porto.api("DELETE", "/territories/porto/following/9999")).status).toBe(404);
  });
});

describe("targets that cannot be followed", () => {
  let lyon: Peer;

  beforeAll(async () => {
    lyon = await startPeer({ slug: "lyon", name: "Lyon", country: "FR" });
  });
  afterAll(async () => {
    await lyon?.close();
  });

  const follow = (target: string) => lyon.api("POST", "/territories/lyon/following", { target });

  it("a URL that is not an actor → 404 with a clear message", async () => {
    for (const target of [
      `${lyon.url}/nodeinfo/2.1`, // JSON, but not an actor
      `${lyon.url}/api/v1/territories/lyon`, // JSON about the territory, but not an actor
      `${lyon.url}/no/such/page`, // 404
      `${lyon.url}/actors/nobody`, // no such territory
      "http://127.0.0.1:9/actors/offline", // nothing listens there
    ]) {
      const response = await follow(target);
      expect(response.status, target).toBe(404);
      expect(response.body).toMatchObject({
        error: "not_found",
        message: `no reachable ActivityPub actor at ${target}`,
      });
    }
    expect(lyon.node.services.follows.following("lyon")).toEqual([]);
  });

  it("a malformed target → 400", async () => {
    for (const target of ["not a handle", "lyon", "ftp://example.org/actors/x", "@@x"]) {
      const response = await follow(target);
      expect(response.status, target).toBe(400);
      expect(response.body.error).toBe("invalid_request");
    }
    const response = await follow("just some words");
    expect(response.body.message).toBe(
      "give a handle such as @mulhouse@spiral.example.org or an actor URL",
    );
    // Schema limits: too short, not a string, unknown fields.
    expect((await follow("ab")).status).toBe(400);
    expect((await lyon.api("POST", "/territories/lyon/following", { target: 42 })).status).toBe(
      400,
    );
    expect(
      (
        await lyon.api("POST", "/territories/lyon/following", {
          target: lyon.actorUrl,
          extra: true,
        })
      ).status,
    ).toBe(400);
    expect(lyon.node.services.follows.following("lyon")).toEqual([]);
  });

  it("following oneself → 400, and nothing is sent or recorded", async () => {
    const outboxBefore = lyon.node.storage.sqlite
      .prepare("select count(*) as n from outbox_activities")
      .get() as { n: number };
    const response = await follow(lyon.actorUrl);
    expect(response.status).toBe(400);
    expect(response.body.message).toBe("a territory cannot follow itself");
    // The node's home page leads to the same actor (its alternate link): refused alike.
    const home = await follow(`${lyon.url}/`);
    expect(home.status).toBe(400);
    expect(home.body.message).toBe("a territory cannot follow itself");
    expect(lyon.node.services.follows.following("lyon")).toEqual([]);
    expect(lyon.node.services.follows.followers("lyon")).toEqual([]);
    expect(
      lyon.node.storage.sqlite.prepare("select count(*) as n from outbox_activities").get(),
    ).toEqual(outboxBefore);
  });

  it("an unknown local territory → 404", async () => {
    const response = await lyon.api("POST", "/territories/nowhere/following", {
      target: lyon.actorUrl,
    });
    expect(response.status).toBe(404);
  });
});
