import { afterAll, beforeAll, expect, it } from "vitest";
import { Browser, csrfOf, PASSWORD, publishConfirmed } from "../admin/browser";
import { waitFor } from "../support/wait";
import { type Peer, startPeer } from "./harness";

// Issues 7 and 8 through the workspace, on real nodes: a "youth" sub-network hosted on a third
// node (approval by a moderator); Mulhouse joins it from its network page, Porto by the API; the
// moderator approves both on the host's page; Mulhouse publishes from its publish form addressed
// to the group; Porto sees the synthesis in the group's feed page; the group's public page lists
// both members and still answers ActivityPub clients with JSON.

const PERIOD = { start: "2026-01-01", end: "2026-06-30" };

let host: Peer;
let mulhouse: Peer;
let porto: Peer;
let moderator: Browser;
let hostAdmin: Browser;
let mulhouseFacilitator: Browser;
let portoViewer: Browser;
let groupUrl: string;

/** A signed-in browser on a peer, for a new account with this role. */
async function browserOn(peer: Peer, email: string, role: "admin" | "facilitator" | "viewer") {
  const user = await peer.node.services.users.create(
    { email, name: email.split("@")[0] ?? email, password: PASSWORD, role },
    "test",
  );
  const browser = new Browser(peer.node);
  await browser.login(email);
  return { browser, id: user.id };
}

beforeAll(async () => {
  [host, mulhouse, porto] = await Promise.all([
    startPeer({ slug: "hub", name: "Hub", country: "BE" }),
    startPeer({ slug: "mulhouse", name: "Mulhouse", country: "FR" }),
    startPeer({ slug: "porto", name: "Porto", country: "PT" }),
  ]);
  hostAdmin = (await browserOn(host, "root@hub.example.org", "admin")).browser;
  const mona = await browserOn(host, "mona@hub.example.org", "facilitator");
  moderator = mona.browser;
  mulhouseFacilitator = (await browserOn(mulhouse, "fred@mulhouse.example.org", "facilitator"))
    .browser;
  portoViewer = (await browserOn(porto, "vera@porto.example.org", "viewer")).browser;

  // The host's admin starts the sub-network from the workspace, Mona as its moderator.
  const created = await hostAdmin.submit("/admin/subnetworks/new", "/admin/subnetworks", {
    slug: "youth",
    name: "Youth",
    description: "Young people's well-being across countries",
    "category_young-people": "1",
    admission: "approval",
    [`moderator_${mona.id}`]: "1",
  });
  expect(created.status, created.text).toBe(303);
  groupUrl = `${host.url}/actors/youth`;
}, 60_000);
afterAll(async () => {
  await Promise.all([host, mulhouse, porto].map((p) => p?.close()));
});

it("a territory joins from its network page; the moderator approves on the host's page", async () => {
  const preview = await mulhouseFacilitator.get(
    `/admin/network/preview?target=${encodeURIComponent(groupUrl)}`,
  );
  expect(preview.status, preview.text).toBe(200);
  expect(preview.text).toContain("Join this sub-network");
  const joined = await mulhouseFacilitator.post("/admin/network/follow", {
    _csrf: csrfOf(preview.text),
    target: groupUrl,
  });
  expect(joined.status, joined.text).toBe(303);
  const portoJoin = await porto.api("POST", "/territories/porto/subnetworks", { target: groupUrl });
  expect(portoJoin.status).toBe(202);

  const members = await waitFor(() => {
    const rows = host.node.services.subnetworks.members("youth");
    return rows.length === 2 ? rows : undefined;
  }, "both join requests to reach the host");
  expect(members.map((m) => m.state)).toEqual(["pending", "pending"]);
  // Still pending on Mulhouse's side, shown on its sub-networks page.
  const mine = await mulhouseFacilitator.get("/admin/subnetworks");
  expect(mine.text).toContain(">pending<");

  const page = await moderator.get("/admin/subnetworks/hosted/youth");
  for (const member of members) {
    const approved = await moderator.post(
      `/admin/subnetworks/hosted/youth/members/${member.id}/approve`,
      { _csrf: csrfOf(page.text) },
    );
    expect(approved.status, approved.text).toBe(303);
  }
  for (const peer of [mulhouse, porto]) {
    await waitFor(
      () =>
        peer.node.services.follows.following(peer.slug).find((f) => f.target === groupUrl)
          ?.state === "accepted",
      `${peer.slug} to be accepted in the group`,
    );
  }
  expect((await mulhouseFacilitator.get("/admin/subnetworks")).text).toContain(">accepted<");
}, 60_000);

it("a synthesis published from the form, addressed to the group, reaches the other member's feed page", async () => {
  const group = await mulhouse.api("POST", "/territories/mulhouse/groups", {
    label: "Jeunes de Bourtzwiller",
    category: "young-people",
    sessionDates: [PERIOD.start],
    participants: 8,
    cycle: 1,
  });
  const added = await mulhouse.api(
    "POST",
    `/territories/mulhouse/groups/${group.body.id}/criteria`,
    {
      items: [
        { question: "Q1", text: "Having a job I like", code: "A05" },
        { question: "Q2", text: "Noise at night", code: "B01" },
      ],
    },
  );
  await mulhouse.api("POST", "/territories/mulhouse/criteria/validation", {
    ids: added.body.items.map((c: { id: number }) => c.id),
  });

  const joinedId = mulhouse.node.services.follows
    .following("mulhouse")
    .find((f) => f.target === groupUrl)?.id;
  const form = await mulhouseFacilitator.get(
    `/admin/synthesis/preview?start=${PERIOD.start}&end=${PERIOD.end}`,
  );
  expect(form.text).toContain(`name="subnetwork_${joinedId}"`);
  expect(form.text).toContain("re-announces this synthesis");
  const published = await publishConfirmed(mulhouseFacilitator, {
    _csrf: csrfOf(form.text),
    start: PERIOD.start,
    end: PERIOD.end,
    cycle: "",
    [`subnetwork_${joinedId}`]: "1",
  });
  expect(published.status, published.text).toBe(303);
  const [version] = mulhouse.node.services.syntheses.list("mulhouse");

  // Porto follows no one but the group: only its Announce can bring Mulhouse's synthesis.
  const atPorto = await waitFor(
    () => porto.node.services.received.list().find((r) => r.origin === mulhouse.actorUrl),
    "porto to receive the synthesis through the group",
  );
  expect(atPorto.hash).toBe(version?.hash);
  expect(atPorto.via).toBe(groupUrl);

  const portoGroup = porto.node.services.follows
    .following("porto")
    .find((f) => f.target === groupUrl);
  const list = await portoViewer.get("/admin/subnetworks");
  expect(list.text).toContain(`href="/admin/subnetworks/joined/${portoGroup?.id}"`);
  const feed = await waitFor(async () => {
    const page = await portoViewer.get(`/admin/subnetworks/joined/${portoGroup?.id}`);
    return page.text.includes(atPorto.objectId) ? page : undefined;
  }, "the synthesis in porto's feed page of the group");
  expect(feed.text).toContain("Through Youth");
  expect(feed.text).toContain(">Mulhouse<");
  expect(feed.text).toContain(`<td>${version?.version}</td>`);
  expect(feed.text).toContain(version?.periodKey ?? "?");

  // The host's page lists what the group relayed.
  const hosted = await moderator.get("/admin/subnetworks/hosted/youth");
  expect(hosted.text).toContain(`data-object="${atPorto.objectId}"`);
}, 60_000);

it("the group's public page lists its members; ActivityPub clients still get JSON", async () => {
  const html = await fetch(groupUrl, { headers: { accept: "text/html" } });
  expect(html.status).toBe(200);
  const text = await html.text();
  expect(text).toContain("<h1>Youth</h1>");
  expect(text).toContain(`<a href="${mulhouse.actorUrl}">Mulhouse</a>`);
  expect(text).toContain(`<a href="${porto.actorUrl}">Porto</a>`);
  expect(text).toContain(`@youth@${new URL(host.url).host}`);
  expect(text).toContain('<meta property="og:type" content="profile"/>');
  const json = await fetch(groupUrl, { headers: { accept: "application/activity+json" } });
  expect(json.headers.get("content-type")).toContain("json");
  const actor = (await json.json()) as { type: string; id: string };
  expect(actor).toMatchObject({ type: "Group", id: groupUrl });
});
