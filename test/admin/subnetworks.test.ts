import { afterEach, describe, expect, it } from "vitest";
import { type AdminTestNode, createAdminTestNode, csrfOf, PASSWORD, setupForm } from "./browser";

// Issues 7 and 8: the workspace's sub-network pages on one node. Members are recorded as the
// inbox would record their Follow (the Accept or Reject they are sent only waits in the queue).

let t: AdminTestNode;
afterEach(async () => {
  await t?.close();
});

/** A node set up through the browser; a moderator, a facilitator and a viewer signed in. */
async function signedIn() {
  t = createAdminTestNode();
  const admin = t.browser();
  expect((await admin.submit("/admin/setup", "/admin/setup", setupForm(t.node))).status).toBe(303);
  const { users } = t.node.services;
  const mona = await users.create(
    { email: "mona@example.org", name: "Mona", password: PASSWORD, role: "facilitator" },
    "test",
  );
  await users.create(
    { email: "fred@example.org", name: "Fred", password: PASSWORD, role: "facilitator" },
    "test",
  );
  await users.create(
    { email: "vera@example.org", name: "Vera", password: PASSWORD, role: "viewer" },
    "test",
  );
  const moderator = t.browser();
  await moderator.login("mona@example.org");
  const fred = t.browser();
  await fred.login("fred@example.org");
  const vera = t.browser();
  await vera.login("vera@example.org");
  return { admin, moderator, monaId: mona.id, fred, vera };
}

const YOUTH = {
  slug: "youth",
  name: "Youth & climate",
  description: "Young people's well-being across countries",
  dimension_B: "1",
  components: "a05, B01",
  "category_young-people": "1",
  admission: "approval",
};

/** A territory elsewhere asking to join (as the inbox records a Follow of the group). */
function requestToJoin(slug: string, name: string, state: "pending" | "accepted" = "pending") {
  const url = `http://127.0.0.1:9/actors/${name.toLowerCase()}`;
  return t.node.services.follows.addFollower({
    actor: slug,
    follower: url,
    inbox: `${url}/inbox`,
    sharedInbox: null,
    handle: `@${name.toLowerCase()}@127.0.0.1:9`,
    name,
    followActivityId: `${url}/follows/${slug}`,
    state,
    spiral: true,
  });
}

describe("hosted sub-networks", () => {
  it("admins create one from the form; bad fields come back as a 400 page with the reasons", async () => {
    const { admin, moderator, monaId, fred } = await signedIn();
    const home = await admin.get("/admin/subnetworks");
    expect(home.status).toBe(200);
    expect(home.text).toContain('href="/admin/subnetworks"');
    expect(home.text).toContain('href="/admin/subnetworks/new"');
    expect(home.text).toContain("This node hosts no sub-network yet.");

    const form = await admin.get("/admin/subnetworks/new");
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="dimension_B"');
    expect(form.text).toContain('name="category_young-people"');
    expect(form.text).toContain(`name="moderator_${monaId}"`);
    const csrf = csrfOf(form.text);

    const unknownCode = await admin.post("/admin/subnetworks", {
      _csrf: csrf,
      ...YOUTH,
      components: "A05, Z99",
    });
    expect(unknownCode.status).toBe(400);
    expect(unknownCode.text).toContain("Not components of the grid: Z99.");
    const badFields = await admin.post("/admin/subnetworks", {
      _csrf: csrf,
      ...YOUTH,
      slug: "Not a slug",
      name: "",
      components: "A05 Z98",
    });
    expect(badFields.status).toBe(400);
    expect(badFields.text).toContain("Use 1 to 64 lower-case letters, digits and dashes.");
    expect(badFields.text).toContain("Give a name (at most 200 characters).");
    expect(badFields.text).toContain("Not components of the grid: Z98.");
    // What was typed stays in the form.
    expect(badFields.text).toContain('value="A05 Z98"');
    const taken = await admin.post("/admin/subnetworks", {
      _csrf: csrf,
      ...YOUTH,
      slug: "testville",
    });
    expect(taken.status).toBe(400);
    expect(taken.text).toContain("already used by a territory or sub-network");
    const noAdmission = await admin.post("/admin/subnetworks", {
      _csrf: csrf,
      ...YOUTH,
      admission: "maybe",
    });
    expect(noAdmission.status).toBe(400);
    expect(t.node.services.subnetworks.list()).toEqual([]);

    // Facilitators (even moderators) do not create sub-networks.
    expect((await fred.get("/admin/subnetworks/new")).status).toBe(403);
    const fredPage = await fred.get("/admin/subnetworks");
    expect(fredPage.text).not.toContain('href="/admin/subnetworks/new"');
    expect(
      (await fred.post("/admin/subnetworks", { _csrf: csrfOf(fredPage.text), ...YOUTH })).status,
    ).toBe(403);
    // A form without the session's token is refused.
    expect((await admin.post("/admin/subnetworks", { ...YOUTH })).status).toBe(403);

    const created = await admin.post("/admin/subnetworks", {
      _csrf: csrf,
      ...YOUTH,
      [`moderator_${monaId}`]: "1",
    });
    expect(created.status, created.text).toBe(303);
    expect(created.location).toBe("/admin/subnetworks/hosted/youth?done=created");
    expect(t.node.services.subnetworks.get("youth")).toMatchObject({
      name: "Youth & climate",
      description: "Young people's well-being across countries",
      theme: { dimensions: ["B"], components: ["A05", "B01"], categories: ["young-people"] },
      admission: "approval",
      moderators: [monaId],
    });
    const page = await moderator.get(created.location ?? "");
    expect(page.status).toBe(200);
    expect(page.text).toContain("Sub-network created");
    expect(page.text).toContain("@youth@node.test");
    expect(page.text).toContain("A05 · ");
    expect(page.text).toContain("<dd>Mona</dd>");
    expect((await admin.get("/admin/subnetworks")).text).toContain(
      '<a href="/admin/subnetworks/hosted/youth">Youth &amp; climate</a>',
    );
  });

  it("admins change one; the form shows its current values and refuses bad ones", async () => {
    const { admin, fred } = await signedIn();
    t.node.services.subnetworks.create({ slug: "energy", name: "Energy" }, "test");
    const edit = await admin.get("/admin/subnetworks/hosted/energy/edit");
    expect(edit.status).toBe(200);
    expect(edit.text).toContain('value="Energy"');
    expect(edit.text).not.toContain('name="slug"');
    expect((await fred.get("/admin/subnetworks/hosted/energy/edit")).status).toBe(403);
    const csrf = csrfOf(edit.text);
    const bad = await admin.post("/admin/subnetworks/hosted/energy", {
      _csrf: csrf,
      name: "",
      admission: "open",
    });
    expect(bad.status).toBe(400);
    expect(t.node.services.subnetworks.get("energy").name).toBe("Energy");
    const saved = await admin.post("/admin/subnetworks/hosted/energy", {
      _csrf: csrf,
      name: "Energy and climate",
      description: "",
      dimension_B: "1",
      components: "",
      admission: "approval",
    });
    expect(saved.status, saved.text).toBe(303);
    expect(t.node.services.subnetworks.get("energy")).toMatchObject({
      name: "Energy and climate",
      theme: { dimensions: ["B"], components: [], categories: [] },
      admission: "approval",
    });
    expect((await admin.get("/admin/subnetworks/hosted/nothing/edit")).status).toBe(404);
  });

  it("members are approved and removed by admins and moderators only; viewers read", async () => {
    const { admin, moderator, monaId, fred, vera } = await signedIn();
    t.node.services.subnetworks.create(
      { slug: "youth", name: "Youth", admission: "approval", moderators: [monaId] },
      "test",
    );
    const porto = requestToJoin("youth", "Porto");
    const lyon = requestToJoin("youth", "Lyon");
    const path = "/admin/subnetworks/hosted/youth";

    const asModerator = await moderator.get(path);
    expect(asModerator.text).toContain(`action="${path}/members/${porto.id}/approve"`);
    expect(asModerator.text).toContain(`action="${path}/members/${lyon.id}/remove"`);
    expect(asModerator.text).toContain('data-state="pending"');
    for (const reader of [fred, vera]) {
      const page = await reader.get(path);
      expect(page.status).toBe(200);
      expect(page.text).toContain("Porto");
      expect(page.text).not.toContain(`${path}/members/${porto.id}/approve`);
      expect(page.text).toContain("Only administrators and this sub-network");
      // Not a moderator (or only reading): refused even with a valid token.
      const refused = await reader.post(`${path}/members/${porto.id}/approve`, {
        _csrf: csrfOf(page.text),
      });
      expect(refused.status).toBe(403);
      const notRemoved = await reader.post(`${path}/members/${lyon.id}/remove`, {
        _csrf: csrfOf(page.text),
      });
      expect(notRemoved.status).toBe(403);
    }
    // Without the session's token, nothing happens.
    expect((await moderator.post(`${path}/members/${porto.id}/approve`, {})).status).toBe(403);
    expect(t.node.services.subnetworks.members("youth").map((m) => m.state)).toEqual([
      "pending",
      "pending",
    ]);

    const approved = await moderator.post(`${path}/members/${porto.id}/approve`, {
      _csrf: csrfOf(asModerator.text),
    });
    expect(approved.status).toBe(303);
    expect(approved.location).toBe(`${path}?done=approved`);
    expect(t.node.services.subnetworks.isMember("youth", porto.follower)).toBe(true);
    const removed = await admin.post(`${path}/members/${lyon.id}/remove`, {
      _csrf: csrfOf((await admin.get(path)).text),
    });
    expect(removed.status).toBe(303);
    expect(t.node.services.subnetworks.isRemoved("youth", lyon.follower)).toBe(true);
    expect(t.node.services.subnetworks.members("youth").map((m) => m.follower)).toEqual([
      porto.follower,
    ]);
    // A member gone meanwhile: back to the list, which says so.
    const gone = await admin.post(`${path}/members/${lyon.id}/remove`, {
      _csrf: csrfOf((await admin.get(path)).text),
    });
    expect(gone.location).toBe(`${path}?done=gone`);
    const after = await vera.get(path);
    expect(after.text).toContain('data-state="accepted"');
    expect(after.text).not.toContain("Lyon");
    expect((await vera.get("/admin/subnetworks/hosted/none")).status).toBe(404);
  });

  it("the public page of a group: theme, admission, members, how to join; ActivityPub still JSON", async () => {
    await signedIn();
    t.node.services.subnetworks.create(
      {
        slug: "youth",
        name: "Youth",
        description: "Young people across countries",
        theme: { dimensions: ["B"], categories: ["young-people"] },
        admission: "open",
      },
      "test",
    );
    requestToJoin("youth", "Porto", "accepted");
    requestToJoin("youth", "Lyon", "pending");
    const html = await t.node.app.request("/actors/youth", {
      headers: { accept: "text/html", "accept-language": "fr" },
    });
    expect(html.status).toBe(200);
    const text = await html.text();
    expect(text).toContain("<h1>Youth</h1>");
    expect(text).toContain('<meta property="og:title" content="Youth — Réseau Spirale"/>');
    expect(text).toContain('<meta property="og:url" content="http://node.test/actors/youth"/>');
    expect(text).toContain("Young people across countries");
    const young = t.node.services.categories.list().find((c) => c.code === "young-people");
    expect(text).toContain(`<li>${young?.labelFr}</li>`);
    expect(text).toContain(`B · ${t.node.services.ctx.grid.label("B", "fr")}`);
    expect(text).toContain("Ouverte : les territoires");
    expect(text).toContain('<a href="http://127.0.0.1:9/actors/porto">Porto</a>');
    expect(text).not.toContain("Lyon");
    expect(text).toContain("@youth@node.test");
    const json = await t.node.app.request("/actors/youth", {
      headers: { accept: "application/activity+json" },
    });
    expect(json.status).toBe(200);
    expect(json.headers.get("content-type")).toContain("json");
    expect(((await json.json()) as { type: string }).type).toBe("Group");
    expect(
      (await t.node.app.request("/actors/nobody", { headers: { accept: "text/html" } })).status,
    ).toBe(404);
  });
});

describe("joined sub-networks", () => {
  it("are listed with their state and feed; editors leave them; the publish form offers accepted ones", async () => {
    const { fred, vera } = await signedIn();
    const { follows } = t.node.services;
    const group = "http://127.0.0.1:9/actors/youth";
    const joined = follows.requestFollow({
      actor: "testville",
      target: group,
      targetInbox: `${group}/inbox`,
      targetSharedInbox: null,
      targetHandle: "@youth@127.0.0.1:9",
      targetName: "Youth",
      targetType: "Group",
      followActivityId: "http://node.test/activities/join-youth",
    });
    const pendingEnergy = follows.requestFollow({
      actor: "testville",
      target: "http://127.0.0.1:9/actors/energy",
      targetInbox: "http://127.0.0.1:9/actors/energy/inbox",
      targetSharedInbox: null,
      targetHandle: null,
      targetName: "Energy",
      targetType: "Group",
      followActivityId: "http://node.test/activities/join-energy",
    });
    follows.setFollowingState(joined.id, "accepted");
    t.node.services.subnetworks.recordItem({
      subnetwork: group,
      origin: "http://127.0.0.1:9/actors/porto",
      objectId: "http://127.0.0.1:9/syntheses/abc",
      kind: "synthesis",
      periodKey: "2026-01-01_2026-06-30",
      activityId: "http://127.0.0.1:9/activities/1",
    });

    const list = await vera.get("/admin/subnetworks");
    expect(list.text).toContain(`href="/admin/subnetworks/joined/${joined.id}"`);
    expect(list.text).toContain(">accepted<");
    expect(list.text).toContain(">pending<");
    expect(list.text).not.toContain(`/admin/subnetworks/joined/${joined.id}/leave`);
    const feed = await vera.get(`/admin/subnetworks/joined/${joined.id}`);
    expect(feed.status).toBe(200);
    expect(feed.text).toContain("Through Youth");
    expect(feed.text).toContain('data-object="http://127.0.0.1:9/syntheses/abc"');
    expect(feed.text).toContain("2026-01-01_2026-06-30");
    expect((await vera.get("/admin/subnetworks/joined/99999")).status).toBe(404);

    // The publish form: the accepted one can be ticked, the pending one is not offered.
    const publish = await fred.get("/admin/synthesis/preview?start=2026-01-01&end=2026-06-30");
    expect(publish.text).toContain(`name="subnetwork_${joined.id}"`);
    expect(publish.text).not.toContain(`name="subnetwork_${pendingEnergy.id}"`);
    expect(publish.text).toContain("re-announces this synthesis");
    // A sub-network not (yet) accepted cannot be addressed: nothing is published.
    const refused = await fred.post("/admin/synthesis/publish", {
      _csrf: csrfOf(publish.text),
      start: "2026-01-01",
      end: "2026-06-30",
      cycle: "",
      [`subnetwork_${pendingEnergy.id}`]: "1",
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("A chosen sub-network is not one your territory has joined.");
    expect(t.node.services.syntheses.list("testville")).toEqual([]);
    // The pages speak French too.
    const french = t.browser({ "accept-language": "fr" });
    await french.login("vera@example.org");
    const fr = await french.get("/admin/subnetworks");
    expect(fr.text).toContain('<h2 id="joined">Rejoints</h2>');
    expect(fr.text).toContain("Ce qui est arrivé par lui");

    const leaveAction = `/admin/subnetworks/joined/${joined.id}/leave`;
    expect((await vera.post(leaveAction, { _csrf: csrfOf(list.text) })).status).toBe(403);
    expect((await fred.post(leaveAction, {})).status).toBe(403);
    const fredList = await fred.get("/admin/subnetworks");
    expect(fredList.text).toContain(`action="${leaveAction}"`);
    const left = await fred.post(leaveAction, { _csrf: csrfOf(fredList.text) });
    expect(left.status).toBe(303);
    expect(left.location).toBe("/admin/subnetworks?done=left");
    expect(follows.following("testville").map((f) => f.id)).toEqual([pendingEnergy.id]);
  });
});
