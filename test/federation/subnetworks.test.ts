import http from "node:http";
import type { AddressInfo } from "node:net";
import { contentHash } from "@spiral-network/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inDays, meetingInput } from "../support/meeting";
import { waitFor } from "../support/wait";
import { type Peer, publishTo, receivedBy, startPeer } from "./harness";

// Sub-networks (FEP-1b12, docs/protocol.md §12). A "youth" group hosted on a third node; Mulhouse and Porto
// (two other nodes) join it; what Mulhouse addresses to it reaches Porto through the group's
// Announce, verified against Mulhouse's own proof, and counts in Porto's figure for the group.

const SECOND_HALF = { start: "2026-07-01", end: "2026-12-31" };
const FIRST_HALF = { start: "2026-01-01", end: "2026-06-30" };

async function join(peer: Peer, group: string, expected: "accepted" | "pending" = "accepted") {
  const response = await peer.api("POST", `/territories/${peer.slug}/subnetworks`, {
    target: group,
  });
  expect(response.status).toBe(202);
  const pendingHere = await waitFor(
    () => peer.node.services.follows.following(peer.slug).find((f) => f.target === group),
    "the join to be recorded",
  );
  if (expected === "accepted") {
    await waitFor(
      () =>
        peer.node.services.follows.following(peer.slug).find((f) => f.target === group)?.state ===
        "accepted",
      `${peer.slug} to be accepted in ${group}`,
    );
  }
  return pendingHere.id;
}

/** A follower that is not a SPIRAL node (Mastodon-like): records what its inbox receives. */
async function startFakeMastodon() {
  const received: any[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      if (req.method === "POST") received.push(JSON.parse(body));
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("sub-networks relay their members' syntheses (FEP-1b12)", () => {
  let host: Peer;
  let mulhouse: Peer;
  let porto: Peer;
  let lyon: Peer;
  let mastodon: Awaited<ReturnType<typeof startFakeMastodon>>;
  let youth: string;
  let energy: string;

  beforeAll(async () => {
    [host, mulhouse, porto, lyon] = await Promise.all([
      startPeer({ slug: "hub", name: "Hub", country: "BE" }),
      startPeer({ slug: "mulhouse", name: "Mulhouse", country: "FR" }),
      startPeer({ slug: "porto", name: "Porto", country: "PT" }),
      startPeer({ slug: "lyon", name: "Lyon", country: "FR" }),
    ]);
    mastodon = await startFakeMastodon();
    const created = await host.api("POST", "/subnetworks", {
      slug: "youth",
      name: "Youth",
      description: "Young people's well-being across countries",
      theme: { categories: ["young-people"] },
      admission: "open",
    });
    expect(created.status).toBe(201);
    youth = created.body.actorId;
    const approval = await host.api("POST", "/subnetworks", {
      slug: "energy",
      name: "Energy and climate",
      theme: { dimensions: ["B"] },
      admission: "approval",
    });
    expect(approval.status).toBe(201);
    energy = approval.body.actorId;
  });
  afterAll(async () => {
    await Promise.all([host, mulhouse, porto, lyon].map((p) => p?.close()));
    await mastodon?.close();
  });

  it("a slug is unique across territories and sub-networks; bad themes are refused", async () => {
    const clash = await host.api("POST", "/subnetworks", { slug: "hub", name: "Clash" });
    expect(clash.status).toBe(409);
    const territoryClash = await host.api("POST", "/territories", {
      slug: "youth",
      name: "Youth town",
      country: "BE",
      languages: ["fr"],
    });
    expect(territoryClash.status).toBe(409);
    const badTheme = await host.api("POST", "/subnetworks", {
      slug: "bad",
      name: "Bad",
      theme: { components: ["Z99"], categories: ["nobody"] },
    });
    expect(badTheme.status).toBe(400);
    expect(badTheme.body.issues.map((i: { path: string }) => i.path)).toEqual([
      "theme.components.0",
      "theme.categories.0",
    ]);
    // The Group actor is served like a territory, and found by WebFinger.
    const actor = await fetch(youth, { headers: { accept: "application/activity+json" } });
    expect((await actor.json()).type).toBe("Group");
    const finger = await fetch(
      `${host.url}/.well-known/webfinger?resource=acct:youth@${new URL(host.url).host}`,
    );
    expect(finger.status).toBe(200);
    // Moderators are local users, named by email or id.
    const ana = await host.node.services.users.create(
      {
        email: "ana@example.org",
        name: "Ana",
        role: "facilitator",
        password: "a long passphrase 42",
      },
      "test",
    );
    const moderated = await host.api("PATCH", "/subnetworks/energy", {
      moderators: ["ANA@example.org"],
    });
    expect(moderated.body.moderators).toEqual([ana.id]);
    expect(host.node.services.subnetworks.isModerator("energy", ana.id)).toBe(true);
    const unknown = await host.api("PATCH", "/subnetworks/energy", {
      moderators: ["nobody@example.org"],
    });
    expect(unknown.status).toBe(400);
    // A change touches only the fields given.
    const renamed = await host.api("PATCH", "/subnetworks/energy", { name: "Energy & climate" });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({
      name: "Energy & climate",
      admission: "approval",
      theme: { dimensions: ["B"], components: [], categories: [] },
    });
    const nodeinfo = await (await fetch(`${host.url}/nodeinfo/2.1`)).json();
    expect(nodeinfo.metadata).toMatchObject({ territories: 1, subnetworks: 2 });
  });

  it("two territories on two nodes join; one publishes to the group, the other receives it through the group, verified", async () => {
    const portoJoin = await join(porto, youth);
    await join(mulhouse, youth);
    const members = await host.api("GET", "/subnetworks/youth/members");
    expect(members.body.map((m: { member: string; state: string }) => [m.member, m.state])).toEqual(
      [
        [porto.actorUrl, "accepted"],
        [mulhouse.actorUrl, "accepted"],
      ],
    );
    expect(members.body.every((m: { spiral: boolean }) => m.spiral)).toBe(true);
    const collection = await fetch(`${youth}/followers`, {
      headers: { accept: "application/activity+json" },
    });
    expect((await collection.json()).totalItems).toBe(2);

    // Two followers of the group that are not members of a SPIRAL node's choosing: Lyon (a SPIRAL
    // territory that never joined: it must ignore the Announce) and a Mastodon account.
    host.node.services.follows.addFollower({
      actor: "youth",
      follower: lyon.actorUrl,
      inbox: `${lyon.url}/inbox`,
      sharedInbox: `${lyon.url}/inbox`,
      followActivityId: `${lyon.url}/activities/forged-follow`,
      state: "accepted",
      spiral: true,
    });
    host.node.services.follows.addFollower({
      actor: "youth",
      follower: `${mastodon.url}/users/alice`,
      inbox: `${mastodon.url}/users/alice/inbox`,
      sharedInbox: null,
      followActivityId: `${mastodon.url}/follows/1`,
      state: "accepted",
      spiral: false,
    });

    const published = await publishTo(mulhouse, [youth], FIRST_HALF);
    expect(published.status).toBe(201);
    const atPorto = await waitFor(
      () => receivedBy(porto).find((r) => r.origin === mulhouse.actorUrl),
      "Porto to receive Mulhouse's synthesis through the group",
    );
    expect(atPorto).toMatchObject({ version: 1, hash: published.body.hash, via: youth });
    // Porto never followed Mulhouse: the group is the only way it came.
    expect(porto.node.services.follows.following("porto").map((f) => f.target)).toEqual([youth]);

    const feed = await porto.api("GET", `/territories/porto/subnetworks/${portoJoin}/feed`);
    expect(feed.status).toBe(200);
    expect(feed.body).toMatchObject([
      { kind: "synthesis", origin: mulhouse.actorUrl, territory: "Mulhouse", version: 1 },
    ]);

    // The sub-network's figure on Porto holds Mulhouse's synthesis, and agrees with the host's.
    const query = `/aggregates?subnetwork=${encodeURIComponent(youth)}`;
    const figure = await porto.api("GET", query);
    expect(figure.status).toBe(200);
    expect(figure.body.territories).toBe(1);
    expect(figure.body.participants).toBe(8);
    expect(figure.body.coverage.included.map((v: { origin: string }) => v.origin)).toEqual([
      mulhouse.actorUrl,
    ]);
    expect(figure.body.filter).toEqual({ subnetwork: youth });
    const atHost = await host.api("GET", query);
    expect(atHost.body.fingerprint).toBe(figure.body.fingerprint);
    // The origin got the group's Announce back (its receipt): its own figure for the group agrees.
    await waitFor(
      async () => (await mulhouse.api("GET", query)).body.fingerprint === figure.body.fingerprint,
      "Mulhouse's figure for the group to include its own relayed synthesis",
    );
    // Porto's own synthesis is not relayed by the group: the global figure differs.
    const own = await publishTo(porto, [], FIRST_HALF, 6);
    expect(own.status).toBe(201);
    const global = await porto.api("GET", "/aggregates");
    expect(global.body.territories).toBe(2);
    expect((await porto.api("GET", query)).body.fingerprint).toBe(figure.body.fingerprint);

    // The Mastodon follower got Announce(object URI), not the Create it cannot read.
    const boost = await waitFor(
      () => mastodon.received.find((a) => a.type === "Announce"),
      "the Mastodon follower to get an Announce",
    );
    expect(boost.object).toBe(atPorto.objectId);
    // Lyon never joined: the group's Announce is ignored there.
    await waitFor(
      () => lyon.logs.some((l) => l.includes("no territory here joined")),
      "Lyon to ignore the Announce",
    );
    expect(receivedBy(lyon)).toEqual([]);
  });

  it("approval mode holds a join until a moderator accepts; a non-member's activity is not relayed", async () => {
    await join(mulhouse, energy, "pending");
    await join(lyon, energy, "pending");
    const pending = await waitFor(async () => {
      const members = (await host.api("GET", "/subnetworks/energy/members")).body;
      return members.length === 2 ? members : null;
    }, "both requests to reach the host");
    expect(pending.map((m: { state: string }) => m.state)).toEqual(["pending", "pending"]);
    expect(
      mulhouse.node.services.follows.following("mulhouse").find((f) => f.target === energy)?.state,
    ).toBe("pending");
    // A territory cannot address a sub-network it is not (yet) in.
    const early = await publishTo(mulhouse, [energy], SECOND_HALF);
    expect(early.status).toBe(400);

    const mulhouseRequest = pending.find((m: { member: string }) => m.member === mulhouse.actorUrl);
    const approved = await host.api(
      "POST",
      `/subnetworks/energy/members/${mulhouseRequest.id}/approval`,
    );
    expect(approved.status).toBe(204);
    await waitFor(
      () =>
        mulhouse.node.services.follows.following("mulhouse").find((f) => f.target === energy)
          ?.state === "accepted",
      "Mulhouse to be admitted",
    );

    // Lyon pretends to be in (its own record says accepted) and addresses the group anyway.
    const lyonJoin = lyon.node.services.follows.following("lyon").find((f) => f.target === energy);
    lyon.node.services.follows.setFollowingState(lyonJoin?.id as number, "accepted");
    const forged = await publishTo(lyon, [energy], SECOND_HALF);
    expect(forged.status).toBe(201);
    await waitFor(
      () => host.logs.some((l) => l.includes(`${lyon.actorUrl} is not a member`)),
      "the group to refuse to relay a non-member",
    );
    expect((await host.api("GET", "/subnetworks/energy/relayed")).body).toEqual([]);
    expect(receivedBy(mulhouse).some((r) => r.origin === lyon.actorUrl)).toBe(false);
  });

  it("a removed member is no longer relayed", async () => {
    const members = (await host.api("GET", "/subnetworks/youth/members")).body;
    const portoMember = members.find((m: { member: string }) => m.member === porto.actorUrl);
    expect((await host.api("DELETE", `/subnetworks/youth/members/${portoMember.id}`)).status).toBe(
      204,
    );
    await waitFor(
      () =>
        porto.node.services.follows.following("porto").find((f) => f.target === youth)?.state ===
        "rejected",
      "Porto to learn it was removed",
    );
    // Porto's node still believes it is in, and addresses the group: nothing is relayed.
    const row = porto.node.services.follows.following("porto").find((f) => f.target === youth);
    porto.node.services.follows.setFollowingState(row?.id as number, "accepted");
    const late = await publishTo(porto, [youth], SECOND_HALF);
    expect(late.status).toBe(201);
    await waitFor(
      () => host.logs.some((l) => l.includes(`${porto.actorUrl} is not a member`)),
      "the group to refuse to relay a removed member",
    );
    expect(receivedBy(mulhouse).some((r) => r.origin === porto.actorUrl)).toBe(false);
    // A new Follow from a removed member waits for a moderator, even in an open sub-network.
    await join(porto, youth, "pending");
    await waitFor(async () => {
      const again = (await host.api("GET", "/subnetworks/youth/members")).body;
      return again.find((m: { member: string }) => m.member === porto.actorUrl)?.state === "pending"
        ? again
        : null;
    }, "Porto's new request to wait");
  });

  it("meetings are relayed too, withdrawals follow, and a late member catches up on joining", async () => {
    // A moderator admits Porto again: it hears the group again.
    const members = (await host.api("GET", "/subnetworks/youth/members")).body;
    const portoMember = members.find((m: { member: string }) => m.member === porto.actorUrl);
    await host.api("POST", `/subnetworks/youth/members/${portoMember.id}/approval`);
    await waitFor(
      () =>
        porto.node.services.follows.following("porto").find((f) => f.target === youth)?.state ===
        "accepted",
      "Porto to be admitted again",
    );
    const inTenDays = inDays(10);
    const announced = await mulhouse.api(
      "POST",
      "/territories/mulhouse/meetings",
      meetingInput(inTenDays, { title: "Rencontre jeunesse", subnetworks: [youth] }),
    );
    expect(announced.status).toBe(201);
    const portoJoin = porto.node.services.follows
      .following("porto")
      .find((f) => f.target === youth)?.id;
    const meetingItem = await waitFor(async () => {
      const feed = await porto.api("GET", `/territories/porto/subnetworks/${portoJoin}/feed`);
      return feed.body.find((i: { kind: string }) => i.kind === "meeting");
    }, "the meeting to reach Porto through the group");
    expect(meetingItem).toMatchObject({ origin: mulhouse.actorUrl, title: "Rencontre jeunesse" });
    expect(porto.node.services.receivedMeetings.all()[0]?.via).toBe(youth);

    // A change goes where the meeting went, without naming the group again.
    const changed = await mulhouse.api(
      "PATCH",
      `/territories/mulhouse/meetings/${announced.body.id}`,
      { title: "Rencontre jeunesse (salle 2)" },
    );
    expect(changed.status).toBe(200);
    await waitFor(
      () =>
        (porto.node.services.receivedMeetings.all()[0]?.payload as { title?: string })?.title ===
        "Rencontre jeunesse (salle 2)",
      "the change to reach Porto through the group",
    );
    // Deleting it is relayed as well: it leaves Porto's list and the feed.
    const deleted = await mulhouse.api(
      "DELETE",
      `/territories/mulhouse/meetings/${announced.body.id}`,
    );
    expect(deleted.status).toBe(204);
    await waitFor(
      () => porto.node.services.receivedMeetings.all()[0]?.deletedAt,
      "the deletion to reach Porto through the group",
    );
    const feed = await porto.api("GET", `/territories/porto/subnetworks/${portoJoin}/feed`);
    expect(feed.body.map((i: { kind: string }) => i.kind)).toEqual(["synthesis"]);

    // Another meeting, still upcoming when Lyon joins.
    const workshop = await mulhouse.api("POST", "/territories/mulhouse/meetings", {
      title: "Atelier jeunesse",
      kind: "other",
      start: `${inTenDays}T10:00`,
      end: `${inTenDays}T12:00`,
      timeZone: "Europe/Paris",
      onlineUrl: "https://meet.example.org/atelier",
      languages: ["fr"],
      subnetworks: [youth],
    });
    expect(workshop.status).toBe(201);
    await waitFor(
      () =>
        porto.node.services.receivedMeetings
          .upcoming()
          .some((m) => m.objectId === workshop.body.url),
      "the workshop to reach Porto through the group",
    );

    // Lyon joins for real now: on Accept it pulls the syntheses the group relayed before, and
    // the group sends it the upcoming meetings it relayed.
    // (The group forgets the row forged for Lyon earlier: a member the group already counts gets
    // its Accept again on a repeated Follow, not the catch-up again.)
    host.node.services.follows.removeFollower("youth", lyon.actorUrl);
    const lyonJoin = await join(lyon, youth);
    await waitFor(
      () => receivedBy(lyon).find((r) => r.origin === mulhouse.actorUrl && r.via === youth),
      "Lyon to catch up with what the group relayed",
    );
    const caughtUp = await waitFor(
      () =>
        lyon.node.services.receivedMeetings
          .upcoming()
          .find((m) => m.objectId === workshop.body.url),
      "Lyon to get the upcoming meeting the group relayed",
    );
    expect(caughtUp.via).toBe(youth);
    const figure = await lyon.api("GET", `/aggregates?subnetwork=${encodeURIComponent(youth)}`);
    const atPorto = await porto.api("GET", `/aggregates?subnetwork=${encodeURIComponent(youth)}`);
    expect(figure.body.fingerprint).toBe(atPorto.body.fingerprint);
    // Leaving: Undo(Follow), and the group forgets the member.
    expect((await lyon.api("DELETE", `/territories/lyon/subnetworks/${lyonJoin}`)).status).toBe(
      204,
    );
    await waitFor(async () => {
      const members = (await host.api("GET", "/subnetworks/youth/members")).body;
      return !members.some((m: { member: string }) => m.member === lyon.actorUrl);
    }, "the group to drop Lyon");
  });

  it("a territory of the node hosting the group is a member like any other", async () => {
    await join(host, youth);
    const published = await publishTo(host, [youth], FIRST_HALF, 7);
    expect(published.status).toBe(201);
    const atPorto = await waitFor(
      () => receivedBy(porto).find((r) => r.origin === host.actorUrl),
      "Porto to receive the host territory's synthesis through the group",
    );
    expect(atPorto).toMatchObject({ via: youth, hash: published.body.hash });
    const relayed = (await host.api("GET", "/subnetworks/youth/relayed")).body;
    expect(relayed.map((i: { origin: string }) => i.origin)).toContain(host.actorUrl);
    // Its withdrawal goes through the group too.
    const withdrawn = await host.api(
      "POST",
      `/territories/hub/syntheses/${published.body.id}/withdrawal`,
    );
    expect(withdrawn.status).toBe(204);
    await waitFor(
      () => receivedBy(porto).find((r) => r.origin === host.actorUrl)?.withdrawnAt,
      "the withdrawal to reach Porto through the group",
    );
    const after = (await host.api("GET", "/subnetworks/youth/relayed")).body;
    expect(after.map((i: { origin: string }) => i.origin)).not.toContain(host.actorUrl);
  });

  it("a synthesis published before joining can be shared with the group; later versions follow", async () => {
    // Porto published its first half-year without addressing any group.
    const [firstHalf] = porto.node.services.syntheses
      .list("porto")
      .filter((v) => v.periodKey.startsWith(FIRST_HALF.start));
    expect(receivedBy(mulhouse).some((r) => r.origin === porto.actorUrl)).toBe(false);
    const portoJoin = porto.node.services.follows
      .following("porto")
      .find((f) => f.target === youth)?.id;
    const bad = await porto.api("POST", `/territories/porto/subnetworks/${portoJoin}/shares`, {});
    expect(bad.status).toBe(400);
    const shared = await porto.api("POST", `/territories/porto/subnetworks/${portoJoin}/shares`, {
      synthesisId: firstHalf?.synthesisUuid,
    });
    expect(shared.status).toBe(202);
    const sharedCopy = await waitFor(
      () => receivedBy(mulhouse).find((r) => r.origin === porto.actorUrl && r.via === youth),
      "Mulhouse to receive Porto's earlier synthesis through the group",
    );
    // What the group relayed is a new activity Porto signed, naming the group: an Update of the
    // same version (the group relays nothing its origin did not address to it).
    const sharedActivity = sharedCopy.activity as { type?: string; audience?: unknown };
    expect(sharedActivity.type).toBe("Update");
    expect([sharedActivity.audience].flat()).toContain(youth);
    // The next version is addressed to the group without naming it.
    const v2 = await publishTo(porto, undefined, FIRST_HALF, 5);
    expect(v2.status).toBe(201);
    await waitFor(
      () => receivedBy(mulhouse).find((r) => r.origin === porto.actorUrl)?.hash === v2.body.hash,
      "Porto's new version to reach Mulhouse through the group",
    );
    // The Mastodon follower heard of the object once (its Create), not of the new version.
    const objectId = receivedBy(mulhouse).find((r) => r.origin === porto.actorUrl)?.objectId;
    expect(mastodon.received.filter((a) => a.object === objectId)).toHaveLength(1);
    expect(mastodon.received.every((a) => typeof a.object === "string")).toBe(true);
  });

  it("a tampered relay is refused: the origin's proof does not verify", async () => {
    const genuine = receivedBy(host).find((r) => r.origin === mulhouse.actorUrl);
    expect(genuine).toBeDefined();
    const activity = structuredClone(genuine?.activity) as any;
    const payload = JSON.parse(activity.object.source.content);
    payload.counts.Q1.A05 += 100;
    payload.dimensions.Q1.A += 100;
    payload.totals.byQuestion.Q1 += 100;
    payload.totals.criteria += 100;
    for (const category of payload.categories ?? []) category.counts.Q1.A05 += 100;
    const { hash: _old, ...body } = payload;
    payload.hash = contentHash(body);
    activity.object.source.content = JSON.stringify(payload);

    // With the origin offline, nothing but its proof could vouch for the copy.
    await mulhouse.goOffline();
    await host.node.network.subnetworks.announce("youth", activity);
    await waitFor(
      () => porto.logs.some((l) => l.includes(`relayed by ${youth}: the origin's proof`)),
      "Porto to refuse the altered copy",
    );
    const held = receivedBy(porto).find((r) => r.origin === mulhouse.actorUrl);
    expect(held?.hash).toBe(genuine?.hash);
    expect(held?.hash).not.toBe(payload.hash);
  });
});
