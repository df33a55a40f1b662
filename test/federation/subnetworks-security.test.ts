import { Activity, Announce, Follow } from "@fedify/vocab";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait";
import { type Peer, publishTo, receivedBy, settled, startPeer } from "./harness";

// Review of the sub-network relay (FEP-1b12): what a group relays is exactly what its members'
// signed activities address to it, public only, and a withdrawal reaches wherever it went.

const FIRST_HALF = { start: "2026-01-01", end: "2026-06-30" };
const inTenDays = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);

function meeting(peer: Peer, title: string, extra: Record<string, unknown> = {}) {
  return peer.api("POST", `/territories/${peer.slug}/meetings`, {
    title,
    kind: "other",
    start: `${inTenDays}T10:00`,
    end: `${inTenDays}T12:00`,
    timeZone: "Europe/Paris",
    onlineUrl: `https://meet.example.org/${encodeURIComponent(title)}`,
    languages: ["fr"],
    ...extra,
  });
}

async function join(peer: Peer, group: string) {
  await peer.api("POST", `/territories/${peer.slug}/subnetworks`, { target: group });
  const row = await waitFor(
    () =>
      peer.node.services.follows
        .following(peer.slug)
        .find((f) => f.target === group && f.state === "accepted"),
    `${peer.slug} to be accepted in ${group}`,
  );
  return row.id;
}

const ACTIVITY_JSON = "application/activity+json";

/** The activity a peer holds for a received meeting, as its origin signed it. */
const held = (peer: Peer, objectId: string) =>
  peer.node.services.receivedMeetings.all().find((m) => m.objectId === objectId)?.activity;

/** Everything the group's node has on record as sent by the group, as text. */
const groupAnnounces = (host: Peer) =>
  JSON.stringify(host.node.services.subnetworks.announces("youth", 1000, 0).map((a) => a.json));

const anonymous = (peer: Peer, path: string, accept = "application/json") =>
  peer.node.app.request(path, { headers: { accept } });

describe("sub-network relays: review findings", () => {
  let host: Peer;
  let mulhouse: Peer;
  let porto: Peer;
  let lyon: Peer;
  let youth: string;

  beforeAll(async () => {
    [host, mulhouse, porto, lyon] = await Promise.all([
      startPeer({ slug: "hub", name: "Hub", country: "BE" }),
      startPeer({ slug: "mulhouse", name: "Mulhouse", country: "FR" }),
      startPeer({ slug: "porto", name: "Porto", country: "PT" }),
      startPeer({ slug: "lyon", name: "Lyon", country: "FR" }),
    ]);
    const created = await host.api("POST", "/subnetworks", {
      slug: "youth",
      name: "Youth",
      admission: "open",
    });
    youth = created.body.actorId;
    await join(mulhouse, youth);
    await join(porto, youth);
    // Lyon follows Mulhouse (it gets Mulhouse's followers-only meetings) but is no member.
    await lyon.api("POST", "/territories/lyon/following", { target: mulhouse.actorUrl });
    await waitFor(
      () => lyon.node.services.follows.following("lyon")[0]?.state === "accepted",
      "Lyon to follow Mulhouse",
    );
  });
  afterAll(async () => {
    await Promise.all([host, mulhouse, porto, lyon].map((p) => p?.close()));
  });

  it("a new sub-network admits members by approval unless told otherwise", async () => {
    const created = await host.api("POST", "/subnetworks", { slug: "quiet", name: "Quiet" });
    expect(created.status).toBe(201);
    expect(created.body.admission).toBe("approval");
  });

  it("a group's profile and relayed list are public reads; its members list is not", async () => {
    for (const path of ["/api/v1/subnetworks", "/api/v1/subnetworks/youth"]) {
      const response = await anonymous(host, path);
      expect(response.status).toBe(200);
      // Who moderates (local user ids) is for the admin.
      expect(await response.text()).not.toContain("moderators");
    }
    expect((await host.api("GET", "/subnetworks/youth")).body.moderators).toEqual([]);
    expect((await anonymous(host, "/api/v1/subnetworks/youth/relayed")).status).toBe(200);
    expect((await anonymous(host, "/api/v1/subnetworks/youth/members")).status).toBe(401);
    const spec = await (await anonymous(host, "/api/v1/openapi.json")).json();
    const paths = spec.paths as Record<string, Record<string, { security?: unknown[] }>>;
    const key = Object.keys(paths).find((p) => p.endsWith("/subnetworks/{slug}/members")) ?? "";
    expect(paths[key]?.get?.security?.length).toBeGreaterThan(0);
    for (const read of ["/subnetworks", "/subnetworks/{slug}", "/subnetworks/{slug}/relayed"]) {
      const found = Object.keys(paths).find((p) => p === read || p.endsWith(`/v1${read}`));
      expect(found, read).toBeDefined();
      expect(paths[found as string]?.get?.security ?? []).toEqual([]);
    }
  });

  it("the group's public page lists accepted members only, with names of bounded length", async () => {
    const member = (n: number, state: "accepted" | "pending", name: string) =>
      host.node.services.follows.addFollower({
        actor: "youth",
        follower: `https://far.example/actors/t${n}`,
        inbox: `https://far.example/actors/t${n}/inbox`,
        sharedInbox: null,
        followActivityId: `https://far.example/follows/${n}`,
        state,
        spiral: true,
        name,
      });
    member(1, "pending", "Waiting town");
    member(2, "accepted", `Long${"o".repeat(5000)}`);
    const page = await (await anonymous(host, "/actors/youth", "text/html")).text();
    expect(page).toContain(`<a href="${mulhouse.actorUrl}">Mulhouse</a>`);
    expect(page).not.toContain("Waiting town");
    expect(page).toContain(`Long${"o".repeat(90)}`);
    expect(page).not.toContain("o".repeat(200));
    for (const n of [1, 2]) {
      host.node.services.follows.removeFollower("youth", `https://far.example/actors/t${n}`);
    }
  });

  it("a followers-only meeting addressed to a group is not relayed, nor served by the group", async () => {
    // Naming a group for a followers-only meeting is refused outright (groups relay publicly)…
    const refused = await meeting(mulhouse, "Followers only", {
      visibility: "followers",
      subnetworks: [youth],
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain("subnetworks");
    // …and one sent to followers only never reaches the group or its members.
    const secret = await meeting(mulhouse, "Followers only", { visibility: "followers" });
    expect(secret.status).toBe(201);
    // Lyon, a follower, gets it: it was sent.
    await waitFor(
      () => lyon.node.services.receivedMeetings.all().some((m) => m.objectId === secret.body.url),
      "Lyon (a follower) to get the followers-only meeting",
    );
    // A public meeting sent afterwards reaches Porto through the group: the group has had time.
    const open = await meeting(mulhouse, "Open to all", { subnetworks: [youth] });
    await waitFor(
      () => porto.node.services.receivedMeetings.all().some((m) => m.objectId === open.body.url),
      "the public meeting to reach Porto through the group",
    );
    await settled(mulhouse, host, porto); // and nothing else is on its way
    expect(porto.node.services.receivedMeetings.all().map((m) => m.objectId)).not.toContain(
      secret.body.url,
    );
    expect(groupAnnounces(host)).not.toContain("Followers%20only");
    expect(groupAnnounces(host)).not.toContain(secret.body.url);
    const outbox = await anonymous(
      host,
      "/actors/youth/outbox?cursor=0",
      "application/activity+json",
    );
    expect(await outbox.text()).not.toContain(secret.body.url);
    // The public one is served at /activities/{uuid}; an Announce of a followers-only activity
    // that an older version relayed (still in the table) is not, nor listed in the outbox.
    const relayedOpen = host.node.services.subnetworks
      .announces("youth", 1000, 0)
      .find((a) => a.objectId === open.body.url && typeof a.json?.object === "object");
    const served = await anonymous(host, `/activities/${relayedOpen?.uuid}`, ACTIVITY_JSON);
    expect(served.status).toBe(200);
    const legacy = host.node.services.outbox.record({
      actor: "youth",
      type: "Announce",
      objectId: secret.body.url,
      json: {
        ...(relayedOpen?.json ?? {}),
        id: `${host.url}/activities/legacy-leak`,
        object: { ...(held(lyon, secret.body.url) ?? {}) },
      },
    });
    expect(JSON.stringify(legacy.json)).toContain("Followers only");
    expect((await anonymous(host, `/activities/${legacy.uuid}`, ACTIVITY_JSON)).status).toBe(404);
    const listed = await anonymous(host, "/actors/youth/outbox?cursor=0", ACTIVITY_JSON);
    expect(await listed.text()).not.toContain("legacy-leak");
    // Nor can it be shared with the group afterwards.
    const mulhouseJoin = mulhouse.node.services.follows
      .following("mulhouse")
      .find((f) => f.target === youth)?.id;
    const shared = await mulhouse.api(
      "POST",
      `/territories/mulhouse/subnetworks/${mulhouseJoin}/shares`,
      { meetingId: secret.body.id },
    );
    expect(shared.status).toBe(409);
  });

  it("a member's publication the member never addressed to the group is not relayed when someone else delivers it", async () => {
    const notForGroup = await meeting(mulhouse, "Not for the group");
    const held = await waitFor(
      () =>
        lyon.node.services.receivedMeetings.all().find((m) => m.objectId === notForGroup.body.url),
      "Lyon to receive Mulhouse's meeting",
    );
    const ctx = (await lyon.node.federation.get()).context();
    const signed = await Activity.fromJsonLd(held.activity, ctx);
    const groupInbox = { id: new URL(youth), inboxId: new URL(`${youth}/inbox`) };
    // Wrapped in Lyon's Announce, then forwarded as it is, both to the group's own inbox.
    await ctx.sendActivity(
      { identifier: "lyon" },
      groupInbox,
      new Announce({
        id: new URL(`${lyon.url}/activities/pushed-1`),
        actor: ctx.getActorUri("lyon"),
        object: signed,
      }),
    );
    const keys = (await ctx.getActorKeyPairs("lyon")).map((k) => ({
      keyId: k.keyId,
      privateKey: k.privateKey,
    }));
    await ctx.sendActivity(keys, groupInbox, signed);
    await waitFor(
      () => host.logs.some((l) => l.includes('meeting "Not for the group"')),
      "the group's node to process the delivered activity",
    );
    await settled(host, lyon);
    const relayed = host.node.services.subnetworks.items(youth, { includeDeleted: true });
    expect(relayed.map((i) => i.objectId)).not.toContain(notForGroup.body.url);
    expect(groupAnnounces(host)).not.toContain(notForGroup.body.url);
  });

  it("a repeated Follow of a member gets an Accept, not the catch-up of meetings again", async () => {
    // An upcoming meeting the group relayed exists (previous tests): a catch-up would resend it.
    expect(host.node.services.subnetworks.items(youth).some((i) => i.kind === "meeting")).toBe(
      true,
    );
    const before = host.node.services.subnetworks.countAnnounces("youth");
    const joins = () => host.logs.filter((l) => l.includes(`${porto.actorUrl} joins`)).length;
    const joinsBefore = joins();
    const ctx = (await porto.node.federation.get()).context();
    for (const n of [1, 2]) {
      await ctx.sendActivity(
        { identifier: "porto" },
        { id: new URL(youth), inboxId: new URL(`${youth}/inbox`) },
        new Follow({
          id: new URL(`${porto.url}/activities/follow-again-${n}`),
          actor: ctx.getActorUri("porto"),
          object: new URL(youth),
        }),
      );
    }
    await waitFor(() => joins() === joinsBefore + 2, "both Follows to be processed");
    expect(host.node.services.subnetworks.countAnnounces("youth")).toBe(before);
    expect(host.node.services.subnetworks.isMember("youth", porto.actorUrl)).toBe(true);
  });

  it("replaying a withdrawn synthesis does not bring it back", async () => {
    const published = await publishTo(mulhouse, [youth], FIRST_HALF);
    expect(published.status).toBe(201);
    const atPorto = await waitFor(
      () => receivedBy(porto).find((r) => r.origin === mulhouse.actorUrl && r.via === youth),
      "Porto to receive Mulhouse's synthesis through the group",
    );
    const original = atPorto.activity;
    expect(
      (
        await mulhouse.api(
          "POST",
          `/territories/mulhouse/syntheses/${published.body.id}/withdrawal`,
        )
      ).status,
    ).toBe(204);
    await waitFor(
      () => receivedBy(porto).find((r) => r.origin === mulhouse.actorUrl)?.withdrawnAt,
      "the withdrawal to reach Porto through the group",
    );
    // The group's outbox and /activities no longer serve its Announce of the withdrawn Create.
    const groupOutbox = await fetch(`${youth}/outbox?cursor=0`, {
      headers: { accept: "application/activity+json" },
    }).then((r) => r.text());
    expect(groupOutbox).toContain(mulhouse.actorUrl); // the relayed Delete is there…
    expect(groupOutbox).not.toContain(String(original.id)); // …not the relayed Create
    const relayedCreate = host.node.services.subnetworks
      .announces("youth", 1000, 0)
      .find((row) => JSON.stringify(row.json).includes(String(original.id)));
    expect(relayedCreate).toBeDefined();
    expect((await fetch(`${host.url}/activities/${relayedCreate?.uuid}`)).status).toBe(404);
    // Fedify forgets processed activity ids after a while: as if a day had passed.
    const kv = (await host.node.federation.get()).deps.kv;
    for await (const entry of kv.list?.(["_fedify", "activityIdempotence"]) ?? []) {
      await kv.delete(entry.key);
    }
    const announcesBefore = host.node.services.subnetworks.countAnnounces("youth");
    const ctx = (await lyon.node.federation.get()).context();
    await ctx.sendActivity(
      { identifier: "lyon" },
      { id: new URL(youth), inboxId: new URL(`${youth}/inbox`) },
      new Announce({
        id: new URL(`${lyon.url}/activities/replay-1`),
        actor: ctx.getActorUri("lyon"),
        object: await Activity.fromJsonLd(original, ctx),
      }),
    );
    await waitFor(
      () =>
        host.logs.filter(
          (l) => l.includes(`${String(original.id)} from`) && l.includes("duplicate"),
        ).length > 0,
      "the group's node to process the replayed copy",
    );
    await settled(host, lyon, porto, mulhouse);
    expect(host.node.services.subnetworks.countAnnounces("youth")).toBe(announcesBefore);
    const item = host.node.services.subnetworks
      .items(youth, { includeDeleted: true })
      .find((i) => i.objectId === atPorto.objectId);
    expect(item?.deletedAt).not.toBeNull();
    expect(receivedBy(porto).find((r) => r.origin === mulhouse.actorUrl)?.withdrawnAt).toBeTruthy();
  });

  it("a withdrawal reaches the other members after the origin left the group", async () => {
    // Porto publishes to the group, Mulhouse counts it in the group's figure.
    const published = await publishTo(porto, [youth], FIRST_HALF);
    expect(published.status).toBe(201);
    await waitFor(
      () => receivedBy(mulhouse).find((r) => r.origin === porto.actorUrl && r.via === youth),
      "Mulhouse to receive Porto's synthesis through the group",
    );
    const scope = `/aggregates?subnetwork=${encodeURIComponent(youth)}`;
    const before = await mulhouse.api("GET", scope);
    expect(before.body.territories).toBe(1);
    // Porto leaves, then withdraws what it had published there.
    const portoJoin = porto.node.services.follows
      .following("porto")
      .find((f) => f.target === youth)?.id;
    expect((await porto.api("DELETE", `/territories/porto/subnetworks/${portoJoin}`)).status).toBe(
      204,
    );
    await waitFor(
      () => !host.node.services.subnetworks.isMember("youth", porto.actorUrl),
      "the group to drop Porto",
    );
    expect(
      (await porto.api("POST", `/territories/porto/syntheses/${published.body.id}/withdrawal`))
        .status,
    ).toBe(204);
    await waitFor(
      () => receivedBy(mulhouse).find((r) => r.origin === porto.actorUrl)?.withdrawnAt,
      "the withdrawal to reach Mulhouse through the group",
    );
    const after = await mulhouse.api("GET", scope);
    expect(after.body.territories).toBe(0);
  });
});
