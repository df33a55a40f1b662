import { plainText } from "@spiral-network/node/admin/actor-preview";
import type { Role } from "@spiral-network/node/services/users";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Peer, publishSynthesis, startPeer } from "../federation/harness";
import { waitFor } from "../support/wait";
import { addUser, type Browser, csrfOf, PASSWORD, signIn } from "./browser";

// The network pages of the workspace against real nodes on 127.0.0.1: look a territory up,
// follow it from the preview, see the request's state, approve on the other side, receive its
// synthesis, unfollow; and what viewers and bad input get.

const inDays = (days: number) =>
  new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** Creates a user of the given role on a peer and signs them in on its workspace. */
async function signInAs(peer: Peer, role: Role) {
  const email = `${role}@${peer.slug}.example.org`;
  await addUser(peer.node, { email, name: `${role} of ${peer.slug}`, role });
  return signIn(peer.node, email);
}

/** A browser that asks for French. */
const FRENCH = { "accept-language": "fr" };

/** The table row (<tr>…</tr>) of the page that mentions `text`. */
const rowWith = (html: string, text: string) =>
  html
    .split("<tr>")
    .find((row) => row.includes(text))
    ?.split("</tr>")[0];

/**
 * A request with the browser's cookies that may answer 5xx: the Browser helper fails on those to
 * catch crashes, but a look-up of an unreachable server is meant to answer 502 Bad Gateway.
 */
async function requestAllowingBadGateway(
  peer: Peer,
  browser: Browser,
  path: string,
  form?: Record<string, string>,
) {
  const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  const response = await peer.node.app.request(path, {
    method: form ? "POST" : "GET",
    headers: {
      cookie,
      ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
    },
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
  return { status: response.status, text: await response.text() };
}

/** The chart (figure) of that id: its picture and its table alternative. */
const chartOf = (html: string, id: string) =>
  html.split(`<figure class="chart" id="${id}"`)[1]?.split("</figure>")[0] ?? "";

/** As the page writes text: the few characters HTML escapes. */
const escaped = (text: string) =>
  text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");

/** The numbers of a row of a chart's table (`<td>…</td>` cells), found by its label. */
const chartRow = (chart: string, label: string) =>
  rowWith(chart.split("<table>")[1] ?? "", `<th scope="row">${escaped(label)}</th>`)?.split(
    "</th>",
  )[1];

/** The number a bar of the picture shows (its row and series), from its data attributes. */
const barValue = (chart: string, row: string, series: string) => {
  const group = chart.split(`data-row="${row}"`)[1]?.split("</g></g>")[0] ?? "";
  const found = new RegExp(`data-series="${series}" data-value="(\\d+)"`).exec(group);
  return found ? Number(found[1]) : undefined;
};

const previewPath = (target: string) =>
  `/admin/network/preview?target=${encodeURIComponent(target)}`;

describe("the network page", () => {
  let here: Peer;
  let mulhouse: Peer; // accepts followers at once
  let namur: Peer; // approves followers by hand
  let fred: Browser; // facilitator of `here`
  let vera: Browser; // viewer of `here`
  let nadia: Browser; // facilitator of namur

  beforeAll(async () => {
    [here, mulhouse, namur] = await Promise.all([
      startPeer({ slug: "porto", name: "Porto", country: "PT" }),
      startPeer({ slug: "mulhouse", name: "Mulhouse", country: "FR", region: "Grand Est" }),
      startPeer({ slug: "namur", name: "Namur", country: "BE" }, { manualApproval: true }),
    ]);
    fred = await signInAs(here, "facilitator");
    vera = await signInAs(here, "viewer");
    nadia = await signInAs(namur, "facilitator");
  }, 60_000); // password hashing is slow on purpose
  afterAll(async () => {
    await Promise.all([here, mulhouse, namur].map((p) => p?.close()));
  });

  it("previews a territory by its URL before following: name, type, profile fields, a Follow button", async () => {
    const page = await fred.get(previewPath(mulhouse.actorUrl));
    expect(page.status, page.text).toBe(200);
    expect(page.text).toContain('<h2 id="preview-heading">Mulhouse</h2>');
    expect(page.text).toContain('data-kind="territory"');
    expect(page.text).toContain("@mulhouse@127.0.0.1");
    expect(page.text).toMatch(/<dt>Country<\/dt><dd>France<\/dd>/);
    expect(page.text).toMatch(/<dt>Region<\/dt><dd>Grand Est<\/dd>/);
    expect(page.text).toContain("accepted at once");
    expect(page.text).toContain('action="/admin/network/follow"');
    expect(page.text).toContain(`name="target" value="${mulhouse.actorUrl}"`);
    expect(page.text).toContain("Follow Mulhouse");
    // A preview sends nothing.
    expect(here.node.services.follows.following("porto")).toEqual([]);
    expect(mulhouse.node.services.follows.followers("mulhouse")).toEqual([]);
  });

  it("says in French what the preview shows", async () => {
    const french = await signIn(here.node, "facilitator@porto.example.org", PASSWORD, FRENCH);
    const page = await french.get(previewPath(mulhouse.actorUrl));
    expect(page.status).toBe(200);
    expect(page.text).toContain("Territoire");
    expect(page.text).toContain("Suivre Mulhouse");
  });

  it("refuses what is neither a handle nor a URL with a message (400)", async () => {
    for (const target of ["mulhouse", "not a handle at all", "ftp://example.org/x", "ab"]) {
      const page = await fred.get(previewPath(target));
      expect(page.status, target).toBe(400);
      expect(page.text).toContain("Enter a handle such as @mulhouse@spiral.example.org");
      expect(page.text).toContain('aria-invalid="true"');
    }
  });

  it("says when nothing followable answers at an address (502), never a server error", async () => {
    const unreachable = await requestAllowingBadGateway(
      here,
      fred,
      previewPath("http://127.0.0.1:9/actors/nobody"),
    );
    expect(unreachable.status).toBe(502);
    expect(unreachable.text).toContain("Nothing that can be followed was found");
    expect(unreachable.text).toContain('value="http://127.0.0.1:9/actors/nobody"');
    // An ActivityStreams object that is not an actor (the territory's outbox collection).
    const notActor = await requestAllowingBadGateway(
      here,
      fred,
      previewPath(`${mulhouse.actorUrl}/outbox`),
    );
    expect(notActor.status).toBe(502);
    expect(notActor.text).toContain("Nothing that can be followed was found");
    // A follow sent for such a target is refused the same way, and records nothing.
    const form = await fred.get("/admin/network");
    const sent = await requestAllowingBadGateway(here, fred, "/admin/network/follow", {
      _csrf: csrfOf(form.text),
      target: "http://127.0.0.1:9/actors/nobody",
    });
    expect(sent.status).toBe(502);
    expect(sent.text).toContain("Nothing that can be followed was found");
    expect(here.node.services.follows.following("porto")).toEqual([]);
  });

  it("shows that a territory cannot follow itself", async () => {
    const page = await fred.get(previewPath(here.actorUrl));
    expect(page.status).toBe(200);
    expect(page.text).toContain("it cannot follow itself");
    expect(page.text).not.toContain('action="/admin/network/follow"');
  });

  it("lets a viewer read the page but not look up or follow (403)", async () => {
    const page = await vera.get("/admin/network");
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('action="/admin/network/preview"');
    expect((await vera.get(previewPath(mulhouse.actorUrl))).status).toBe(403);
    const refused = await vera.post("/admin/network/follow", {
      _csrf: csrfOf(page.text),
      target: mulhouse.actorUrl,
    });
    expect(refused.status).toBe(403);
    expect(here.node.services.follows.following("porto")).toEqual([]);
  });

  it("follows from the preview: the list shows the request, then accepted", async () => {
    const preview = await fred.get(previewPath(mulhouse.actorUrl));
    const sent = await fred.post("/admin/network/follow", {
      _csrf: csrfOf(preview.text),
      target: mulhouse.actorUrl,
    });
    expect(sent.status, sent.text).toBe(303);
    expect(sent.location).toMatch(/^\/admin\/network\?followed=\d+$/);
    const after = await fred.get(sent.location ?? "");
    expect(after.text).toContain("Follow request sent to Mulhouse");
    const row = rowWith(after.text, mulhouse.actorUrl);
    expect(row).toContain("Territory");
    expect(row).toMatch(/pending|accepted/);

    await waitFor(
      async () =>
        rowWith((await fred.get("/admin/network")).text, mulhouse.actorUrl)?.includes(">accepted<"),
      "the follow to be accepted",
    );
    // The other side lists its new follower.
    expect(mulhouse.node.services.follows.followers("mulhouse")).toEqual([
      expect.objectContaining({ follower: here.actorUrl, state: "accepted" }),
    ]);
    // Looking it up again says it is followed already, with no second button.
    const again = await fred.get(previewPath(mulhouse.actorUrl));
    expect(again.text).toContain("You already follow it (accepted)");
    expect(again.text).not.toContain('action="/admin/network/follow"');
  });

  it("a territory that approves by hand: pending on both pages until its facilitator approves", async () => {
    const preview = await fred.get(previewPath(namur.actorUrl));
    expect(preview.text).toContain("approved by hand");
    const sent = await fred.post("/admin/network/follow", {
      _csrf: csrfOf(preview.text),
      target: namur.actorUrl,
    });
    expect(sent.status).toBe(303);

    const theirs = await waitFor(async () => {
      const page = await nadia.get("/admin/network");
      return rowWith(page.text, here.actorUrl) ? page : undefined;
    }, "the request to reach namur");
    expect(theirs.text).toContain("Manual approval is on");
    const request = rowWith(theirs.text, here.actorUrl) ?? "";
    expect(request).toContain(">pending<");
    expect(request).toContain("Approve Porto");
    expect(rowWith((await fred.get("/admin/network")).text, namur.actorUrl)).toContain(">pending<");

    const id = /\/admin\/network\/followers\/(\d+)\/approve/.exec(request)?.[1];
    const approved = await nadia.post(`/admin/network/followers/${id}/approve`, {
      _csrf: csrfOf(theirs.text),
    });
    expect(approved.status).toBe(303);
    expect(approved.location).toBe("/admin/network?done=approved");
    expect(rowWith((await nadia.get("/admin/network")).text, here.actorUrl)).toContain(
      ">accepted<",
    );
    await waitFor(
      async () =>
        rowWith((await fred.get("/admin/network")).text, namur.actorUrl)?.includes(">accepted<"),
      "porto to see the approval",
    );
  });

  it("a viewer cannot approve or remove followers", async () => {
    const page = await vera.get("/admin/network");
    const id = namur.node.services.follows.followers("namur")[0]?.id ?? 1;
    const refused = await vera.post(`/admin/network/followers/${id}/remove`, {
      _csrf: csrfOf(page.text),
    });
    expect(refused.status).toBe(403);
  });

  it("the received synthesis appears in the list and its detail after the peer publishes", async () => {
    await publishSynthesis(mulhouse, 9);
    const received = await waitFor(
      () => here.node.services.received.list()[0],
      "the synthesis to arrive",
    );
    const list = await fred.get("/admin/network/syntheses");
    expect(list.status).toBe(200);
    const row = rowWith(list.text, "Mulhouse") ?? "";
    expect(row).toContain(`href="/admin/network/syntheses/${received.id}"`);
    expect(row).toContain("2026-01-01 – 2026-12-31");
    expect(row).toContain("<td>1</td>");
    expect(row).toContain("directly from its territory");
    expect(row).toContain("verified (signed by its territory)");
    expect(row).toContain("<td>none</td>");

    const detail = await fred.get(`/admin/network/syntheses/${received.id}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain("Mulhouse, 2026-01-01 – 2026-12-31");
    expect(detail.text).toContain(received.hash);
    expect(detail.text).toMatch(/<dt>Via<\/dt><dd>directly from its territory<\/dd>/);
    expect(detail.text).toMatch(/<dt>Verification<\/dt><dd>verified \(signed by its territory\)/);
    expect(detail.text).toMatch(/<dt>Conflicts<\/dt><dd>none<\/dd>/);
    expect(rowWith(detail.text, "Participants")).toContain("<td>9</td>");
    expect(rowWith(detail.text, "Criteria<")).toContain("<td>3</td>");
    expect(rowWith(detail.text, ">Young people<")).toContain("<td>1</td><td>9</td>");

    // The local synthesis's charts: well-being, ill-being and actions side by side, each an image
    // with a name, and its figures as a table. A05 and D00 count for Q1, B01 for Q2.
    const { grid } = here.node.services.ctx;
    const label = (code: string) => `${code} · ${grid.label(code, "en")}`;
    const dimensions = chartOf(detail.text, "received-dimensions");
    expect(dimensions).toContain('<svg role="img" aria-labelledby="received-dimensions-title');
    expect(dimensions).toContain(">Validated criteria per dimension</title>");
    expect(dimensions).toContain('<th scope="col">Well-being</th><th scope="col">Ill-being</th>');
    expect(chartRow(dimensions, label("A"))).toBe("<td>1</td><td>0</td><td>0</td>");
    expect(chartRow(dimensions, label("B"))).toBe("<td>0</td><td>1</td><td>0</td>");
    expect(chartRow(dimensions, label("D"))).toBe("<td>1</td><td>0</td><td>0</td>");
    expect(chartRow(dimensions, label("C"))).toBe("<td>0</td><td>0</td><td>0</td>");
    expect(barValue(dimensions, "A", "well-being")).toBe(1);
    expect(barValue(dimensions, "B", "ill-being")).toBe(1);
    const components = chartOf(detail.text, "received-components");
    expect(components).toContain('role="img"');
    expect(chartRow(components, label("A05"))).toBe("<td>1</td><td>0</td><td>0</td>");
    expect(chartRow(components, label("B01"))).toBe("<td>0</td><td>1</td><td>0</td>");
    expect(chartRow(components, label("D00"))).toBe("<td>1</td><td>0</td><td>0</td>");
    expect(components).not.toContain('data-row="A01"'); // never cited
    const categories = chartOf(detail.text, "received-categories");
    expect(categories).toContain('role="img"');
    expect(chartRow(categories, "Young people")).toBe("<td>2</td><td>1</td><td>0</td>");
    // No per-group data travels, so no minority views; viewers and a territory nobody follows
    // get no relay button.
    expect(detail.text).not.toContain("Minority views");
    expect(detail.text).toContain("Your territory has no followers yet");
    expect(detail.text).not.toContain("/relay");

    expect((await vera.get(`/admin/network/syntheses/${received.id}`)).status).toBe(200);
    expect((await fred.get("/admin/network/syntheses/99999")).status).toBe(404);
    expect((await fred.get("/admin/network/syntheses/abc")).status).toBe(404);
  });

  it("draws the received synthesis's charts in French, grid and categories labelled in French", async () => {
    const [received] = here.node.services.received.list();
    const french = await signIn(here.node, "viewer@porto.example.org", PASSWORD, FRENCH);
    const page = await french.get(`/admin/network/syntheses/${received?.id}`);
    expect(page.status).toBe(200);
    const { grid } = here.node.services.ctx;
    const dimensions = chartOf(page.text, "received-dimensions");
    expect(dimensions).toContain(">Critères validés par dimension</title>");
    expect(dimensions).toContain('<th scope="col">Bien-être</th><th scope="col">Mal-être</th>');
    expect(chartRow(dimensions, `A · ${grid.label("A", "fr")}`)).toBe(
      "<td>1</td><td>0</td><td>0</td>",
    );
    const components = chartOf(page.text, "received-components");
    expect(chartRow(components, `B01 · ${grid.label("B01", "fr")}`)).toBe(
      "<td>0</td><td>1</td><td>0</td>",
    );
    const young = here.node.services.categories.list().find((c) => c.code === "young-people");
    expect(chartRow(chartOf(page.text, "received-categories"), young?.labelFr ?? "?")).toBe(
      "<td>2</td><td>1</td><td>0</td>",
    );
    expect(page.text).toContain("<dt>Vérification</dt>");
  });

  it("relays a received synthesis, unchanged, to the territory's followers (editors only)", async () => {
    const [received] = here.node.services.received.list();
    const path = `/admin/network/syntheses/${received?.id}`;
    const liege = await startPeer({ slug: "liege", name: "Liège", country: "BE" });
    try {
      // Liège follows nothing itself: only Porto's relay can bring it Mulhouse's synthesis.
      here.node.services.follows.addFollower({
        actor: "porto",
        follower: liege.actorUrl,
        inbox: `${liege.actorUrl}/inbox`,
        sharedInbox: null,
        handle: null,
        name: "Liège",
        followActivityId: `${liege.actorUrl}/follows/porto`,
        state: "accepted",
      });
      const page = await fred.get(path);
      expect(page.text).toContain('<h2 id="relay">Relay to your followers</h2>');
      expect(page.text).toContain("the followers of your territory (1)");
      expect(page.text).toContain(`action="${path}/relay"`);
      // Viewers see no button and may not relay; a form without its token is refused.
      const viewed = await vera.get(path);
      expect(viewed.text).not.toContain(`action="${path}/relay"`);
      expect((await vera.post(`${path}/relay`, { _csrf: csrfOf(viewed.text) })).status).toBe(403);
      expect((await fred.post(`${path}/relay`, {})).status).toBe(403);

      const relayed = await fred.post(`${path}/relay`, { _csrf: csrfOf(page.text) });
      expect(relayed.status, relayed.text).toBe(303);
      expect(relayed.location).toBe(`${path}?relayed`);
      expect((await fred.get(relayed.location ?? "")).text).toContain(
        "Relayed: your territory&#39;s followers receive this synthesis unchanged",
      );
      const atLiege = await waitFor(
        () => liege.node.services.received.list()[0],
        "liège to receive the relayed synthesis",
      );
      expect(atLiege).toMatchObject({
        origin: mulhouse.actorUrl,
        hash: received?.hash,
        via: here.actorUrl,
      });

      // Once its territory withdrew it, the page says it cannot be relayed and a post is refused.
      here.node.services.received.withdraw(mulhouse.actorUrl, received?.objectId ?? "");
      const withdrawn = await fred.get(path);
      expect(withdrawn.text).toContain(
        "Its territory withdrew this synthesis: it cannot be relayed.",
      );
      expect(withdrawn.text).not.toContain(`action="${path}/relay"`);
      const refused = await fred.post(`${path}/relay`, { _csrf: csrfOf(page.text) });
      expect(refused.status).toBe(409);
      expect(refused.text).toContain("This synthesis cannot be relayed");
      expect(
        (await fred.post("/admin/network/syntheses/99999/relay", { _csrf: csrfOf(page.text) }))
          .status,
      ).toBe(404);
    } finally {
      here.node.services.follows.removeFollower("porto", liege.actorUrl);
      await liege.close();
    }
  });

  it("unfollows from the list", async () => {
    const page = await fred.get("/admin/network");
    const row = rowWith(page.text, mulhouse.actorUrl) ?? "";
    const id = /\/admin\/network\/following\/(\d+)\/unfollow/.exec(row)?.[1];
    expect(row).toContain("Unfollow Mulhouse");
    const answer = await fred.post(`/admin/network/following/${id}/unfollow`, {
      _csrf: csrfOf(page.text),
    });
    expect(answer.status).toBe(303);
    const after = await fred.get(answer.location ?? "");
    expect(after.text).toContain("You no longer follow it.");
    expect(rowWith(after.text, mulhouse.actorUrl)).toBeUndefined();
    await waitFor(
      () => mulhouse.node.services.follows.followers("mulhouse").length === 0,
      "mulhouse to forget its follower",
    );
    // The same form again: the row is gone, the page says so (no error).
    const again = await fred.post(`/admin/network/following/${id}/unfollow`, {
      _csrf: csrfOf(page.text),
    });
    expect(again.location).toBe("/admin/network?gone");
  });

  it("turns manual approval on and off, and removes a follower", async () => {
    const page = await nadia.get("/admin/network");
    const off = await nadia.post("/admin/network/approval", {
      _csrf: csrfOf(page.text),
      manualApproval: "off",
    });
    expect(off.status).toBe(303);
    expect(namur.node.services.territories.get("namur").manualApproval).toBe(false);
    expect((await nadia.get("/admin/network")).text).toContain("Manual approval is off");
    const bad = await nadia.post("/admin/network/approval", {
      _csrf: csrfOf(page.text),
      manualApproval: "maybe",
    });
    expect(bad.status).toBe(400);
    expect(namur.node.services.territories.get("namur").manualApproval).toBe(false);

    const row = rowWith(page.text, here.actorUrl) ?? "";
    const id = /\/admin\/network\/followers\/(\d+)\/remove/.exec(row)?.[1];
    expect(row).toContain("Remove Porto");
    const removed = await nadia.post(`/admin/network/followers/${id}/remove`, {
      _csrf: csrfOf(page.text),
    });
    expect(removed.location).toBe("/admin/network?done=removed");
    expect(namur.node.services.follows.followers("namur")).toEqual([]);
    await waitFor(
      () =>
        here.node.services.follows.following("porto").find((f) => f.target === namur.actorUrl)
          ?.state === "rejected",
      "porto to learn it was removed",
    );
    expect(rowWith((await fred.get("/admin/network")).text, namur.actorUrl)).toContain(
      ">rejected<",
    );
  });

  it("the calendar lists the territory's and the network's meetings with the feed links", async () => {
    const meeting = (title: string, place: string) => ({
      title,
      kind: "homogeneous-group-session" as const,
      start: `${inDays(12)}T18:00`,
      end: `${inDays(12)}T20:00`,
      timeZone: "Europe/Lisbon",
      place: { name: place, locality: "Porto", country: "PT" },
      languages: ["pt"],
    });
    const own = here.node.services.meetings.create(
      "porto",
      meeting("Jovens de Campanhã", "Casa da Juventude"),
      "test",
    );
    // A meeting of a followed territory arrives over the network.
    const preview = await fred.get(previewPath(mulhouse.actorUrl));
    await fred.post("/admin/network/follow", {
      _csrf: csrfOf(preview.text),
      target: mulhouse.actorUrl,
    });
    await mulhouse.api("POST", "/territories/mulhouse/meetings", {
      ...meeting("Groupe des aînés", "Centre social Papin"),
      timeZone: "Europe/Paris",
      place: { name: "Centre social Papin", locality: "Mulhouse", country: "FR" },
      languages: ["fr"],
    });
    await waitFor(
      () => here.node.services.receivedMeetings.upcoming().length > 0,
      "mulhouse's meeting to arrive",
    );

    const page = await vera.get("/admin/calendar");
    expect(page.status).toBe(200);
    const mine = page.text.split('id="territory-meetings"')[1]?.split("</ul>")[0] ?? "";
    expect(mine).toContain("Jovens de Campanhã");
    expect(mine).toContain(`href="${here.url}/meetings/${own.uuid}"`);
    expect(mine).toContain("18:00–20:00 (Europe/Lisbon)");
    expect(mine).toContain("Casa da Juventude, Porto, PT");
    const network = page.text.split('id="network-meetings"')[1]?.split("</ul>")[0] ?? "";
    expect(network).toContain("Groupe des aînés");
    expect(network).toContain("(Europe/Paris)");
    expect(network).toContain("Mulhouse");
    expect(network).toContain(`href="${mulhouse.url}/meetings/`);
    expect(network).not.toContain("Jovens de Campanhã");

    expect(page.text).toContain(`value="${here.url}/actors/porto/meetings.ics"`);
    expect(page.text).toContain(`value="${here.url}/meetings.ics"`);
    expect(page.text).toContain(
      "Copy this link into your calendar app to see your territory&#39;s new meetings automatically.",
    );
    // The feeds answer.
    const feed = await here.node.app.request("/actors/porto/meetings.ics");
    expect(await feed.text()).toContain("Jovens de Campanhã");

    const french = await signIn(here.node, "viewer@porto.example.org", PASSWORD, FRENCH);
    expect((await french.get("/admin/calendar")).text).toContain(
      "Copiez ce lien dans votre application d&#39;agenda",
    );
  });

  it("never links a stored address that is not a web address", async () => {
    here.node.services.follows.addFollower({
      actor: "porto",
      follower: "javascript:alert(1)",
      inbox: "https://evil.example/inbox",
      sharedInbox: null,
      handle: null,
      name: "Odd",
      followActivityId: "https://evil.example/follow/1",
      state: "pending",
    });
    const page = await fred.get("/admin/network");
    expect(rowWith(page.text, "Odd")).toBeDefined();
    expect(page.text).not.toContain('href="javascript:');
  });
});

describe("remote profile text", () => {
  it("is shown as plain text: tags dropped, entities decoded, spaces collapsed, bounded", () => {
    expect(
      plainText("<p>Ville de <b>Namur</b> &amp; ses<br/>quartiers</p><p>&#233;t&#xE9;</p>"),
    ).toBe("Ville de Namur & ses quartiers été");
    expect(plainText('<script>alert("x")</script>')).toBe('alert("x")');
    expect(plainText("&bogus; &#0;")).toBe("&bogus; &#0;");
    expect(plainText("x".repeat(2000), 10)).toBe(`${"x".repeat(9)}…`);
  });
});
