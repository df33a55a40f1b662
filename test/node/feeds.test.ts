import { parseFeed } from "@rowanmanning/feed-parser";
import { atomFeed } from "@spiral-network/node/feeds";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  addValidatedCriteria,
  createGroup,
  createTestvilleNode,
  PUBLIC_URL,
  T,
  type TestNode,
} from "./helpers";
import { deliver, deliverNetwork, PORTO, payloadOf } from "./network-fixture";

// The Atom feeds (RFC 4287) of a territory's syntheses and meetings and of the syntheses received
// from the network: read back with a real feed parser, holding only what the public pages show.

const HTML = { accept: "text/html" };
const SYNTHESES_FEED = `${PUBLIC_URL}/actors/testville/syntheses.atom`;
const MEETINGS_FEED = `${PUBLIC_URL}/actors/testville/meetings.atom`;
const RECEIVED_FEED = `${PUBLIC_URL}/received-syntheses.atom`;
/** A title a feed must carry as text, never as markup. */
const HOSTILE_TITLE = `Café & <script>alert("x")</script> ]]> soirée`;
/** Whether a text holds a character XML 1.0 allows nowhere (its Char production), raw or as a reference. */
function breaksXml(xml: string): boolean {
  const forbidden = (code: number) =>
    code < 0x20 ? ![0x9, 0xa, 0xd].includes(code) : code === 0xfffe || code === 0xffff;
  if ([...xml].some((ch) => forbidden(ch.codePointAt(0) ?? 0))) return true;
  return [...xml.matchAll(/&#(x[0-9a-f]+|\d+);/gi)].some(([, ref = ""]) =>
    forbidden(
      ref.startsWith("x") || ref.startsWith("X") ? Number.parseInt(ref.slice(1), 16) : Number(ref),
    ),
  );
}

let t: TestNode;
/** The synthesis ids of the two periods published (the second one is withdrawn in a test). */
let first: { synthesisId: string; id: string };
let second: { synthesisId: string; id: string };

const meetingInput = (title: string, visibility: "public" | "followers") => ({
  title,
  description: "Première séance.",
  kind: "homogeneous-group-session",
  start: "2027-07-02T18:00",
  end: "2027-07-02T20:00",
  timeZone: "Europe/Paris",
  place: { name: "Centre social", locality: "Testville", country: "FR" },
  languages: ["fr"],
  visibility,
});

beforeEach(async () => {
  t = createTestvilleNode();
  for (const [start, end, session] of [
    ["2026-01-01", "2026-03-31", "2026-02-10"],
    ["2026-04-01", "2026-06-14", "2026-05-10"],
  ] as const) {
    const group = await createGroup(t.admin, { participants: 7, sessionDates: [session] });
    await addValidatedCriteria(t.admin, group, [
      { question: "Q1", text: "Des amis", code: "A01" },
      { question: "Q2", text: "Le bruit", code: "B01" },
    ]);
    const published = await t.admin.post(`${T}/syntheses`, {
      period: { start, end },
      correction: false,
    });
    expect(published.status, published.text).toBe(201);
    if (start === "2026-01-01") first = published.body;
    else second = published.body;
  }
  for (const [title, visibility] of [
    [HOSTILE_TITLE, "public"],
    ["Réunion des abonnés", "followers"],
  ] as const) {
    const meeting = await t.admin.post(`${T}/meetings`, meetingInput(title, visibility));
    expect(meeting.status, meeting.text).toBe(201);
  }
  deliverNetwork(t.node);
});
afterEach(() => {
  expect(t.loggedErrors).toEqual([]);
  t.close();
});

/** Fetches a feed: Atom's media type, parsed by a real parser, with the raw XML beside. */
async function feedAt(url: string, query = "") {
  const response = await t.node.app.request(`${url}${query}`);
  const xml = await response.text();
  expect(response.status, xml).toBe(200);
  expect(response.headers.get("content-type")).toBe("application/atom+xml; charset=utf-8");
  const feed = parseFeed(xml);
  expect(feed.meta.type).toBe("atom");
  expect(feed.meta.version).toBe("1.0");
  // RFC 4287 §4.1.1: an id, an updated date and a self link; an author for the feed.
  expect(xml).toMatch(new RegExp(`<id>${url.replaceAll(".", "\\.")}</id>`));
  expect(feed.self).toBe(url);
  expect(feed.updated).toBeInstanceOf(Date);
  expect(xml).toMatch(/<author>\s*<name>[^<]+<\/name>/);
  for (const item of feed.items) {
    expect(item.id).toMatch(/^https?:\/\//);
    expect(item.title).toBeTruthy();
    expect(item.updated).toBeInstanceOf(Date);
  }
  return { feed, xml };
}

describe("Atom feeds", () => {
  it("a territory's syntheses: one entry per synthesis with its latest version; a withdrawn one is gone", async () => {
    const before = await feedAt(SYNTHESES_FEED);
    const urls = before.feed.items.map((item) => item.url).sort();
    expect(urls).toEqual(
      [first.synthesisId, second.synthesisId].map((id) => `${PUBLIC_URL}/syntheses/${id}`).sort(),
    );
    const item = before.feed.items[0];
    expect(item?.id).toBe(item?.url);
    expect(item?.title).toMatch(/Testville/);
    expect(item?.description).toMatch(/2 criteria written by 7 citizens/);
    expect(before.feed.items.every((i) => i.published instanceof Date)).toBe(true);
    const withdrawn = await t.admin.post(`${T}/syntheses/${second.id}/withdrawal`);
    expect(withdrawn.status, withdrawn.text).toBe(204);
    const after = await feedAt(SYNTHESES_FEED);
    expect(after.feed.items.map((i) => i.url)).toEqual([
      `${PUBLIC_URL}/syntheses/${first.synthesisId}`,
    ]);
    expect(after.xml).not.toContain(second.synthesisId);
  });

  it("a territory's meetings: public ones only, titles carried as text (escaped)", async () => {
    const { feed, xml } = await feedAt(MEETINGS_FEED);
    expect(feed.items.map((item) => item.title)).toEqual([HOSTILE_TITLE]);
    expect(xml).not.toContain("<script>");
    expect(xml).not.toContain("Réunion des abonnés");
    expect(feed.items[0]?.url).toMatch(new RegExp(`^${PUBLIC_URL}/meetings/[0-9a-f-]{36}$`));
    expect(feed.items[0]?.content).toContain("Première séance.");
  });

  it("the network's received syntheses: each names its origin; a withdrawn one is gone", async () => {
    const before = await feedAt(RECEIVED_FEED);
    expect(before.feed.items).toHaveLength(4);
    const porto = before.feed.items.find((item) => item.authors[0]?.name === PORTO.name);
    expect(porto?.authors[0]?.url).toBe(`https://porto.example/actors/porto`);
    const row = t.node.services.received.list().find((r) => r.origin.includes("porto"));
    expect(porto?.id).toBe(row?.objectId);
    expect(row && t.node.services.received.withdraw(row.origin, row.objectId)).toBe(true);
    const after = await feedAt(RECEIVED_FEED);
    expect(after.feed.items.map((i) => i.authors[0]?.name)).not.toContain(PORTO.name);
    expect(after.feed.items).toHaveLength(3);
  });

  it("stays well-formed XML when a peer names its territory with control characters", async () => {
    // A hostile peer's synthesis: its schema lets any string through as the territory's name.
    const place = { slug: "evil", name: "Evil\u0008\u001b[31m\u0000town", country: "FR" };
    deliver(t.node, payloadOf(place, 3));
    const { feed, xml } = await feedAt(RECEIVED_FEED);
    expect(breaksXml(xml)).toBe(false);
    expect(feed.items.map((i) => i.authors[0]?.name)).toContain("Evil[31mtown");
  });

  it("speaks the page's language (?lang=), and answers 404 for an unknown territory", async () => {
    const french = await feedAt(SYNTHESES_FEED, "?lang=fr");
    expect(french.feed.title).toBe("Testville : synthèses publiées");
    const answer = await t.node.app.request(`${PUBLIC_URL}/actors/nowhere/syntheses.atom`);
    expect(answer.status).toBe(404);
  });

  it("the public pages announce their feeds", async () => {
    const alternates = async (url: string) => {
      const response = await t.node.app.request(url, { headers: HTML });
      const html = await response.text();
      expect(response.status, html).toBe(200);
      return [
        ...html.matchAll(/<link rel="alternate" type="application\/atom\+xml"[^>]*href="([^"]+)"/g),
      ].map((m) => m[1]);
    };
    expect(await alternates(`${PUBLIC_URL}/actors/testville`)).toEqual([
      SYNTHESES_FEED,
      MEETINGS_FEED,
    ]);
    expect(await alternates(`${PUBLIC_URL}/`)).toEqual([SYNTHESES_FEED, RECEIVED_FEED]);
    expect(await alternates(`${PUBLIC_URL}/syntheses/${first.synthesisId}`)).toEqual([
      SYNTHESES_FEED,
    ]);
    expect(await alternates(`${PUBLIC_URL}/figures`)).toEqual([RECEIVED_FEED]);
    const meeting = t.node.services.meetings
      .list("testville")
      .find((row) => row.payload.title === HOSTILE_TITLE);
    expect(await alternates(`${PUBLIC_URL}/meetings/${meeting?.uuid}`)).toEqual([MEETINGS_FEED]);
  });

  it("escapes what a territory names itself, in the feed's title, author and entries", async () => {
    const name = `Tom & "Jerry" <b>x</b> ]]>`;
    const xml = await atomFeed({
      selfUrl: "https://node.example/actors/t/syntheses.atom?a=1&b=2",
      pageUrl: "https://node.example/actors/t",
      title: name,
      author: { name, uri: "https://node.example/actors/t" },
      entries: [
        {
          id: "https://node.example/syntheses/1",
          url: "https://node.example/syntheses/1?a=1&b=2",
          title: name,
          summary: name,
          updated: "2026-03-01T10:00:00.000Z",
        },
      ],
    });
    expect(xml).not.toContain("<b>");
    const feed = parseFeed(xml);
    expect(feed.title).toBe(name);
    expect(feed.self).toBe("https://node.example/actors/t/syntheses.atom?a=1&b=2");
    expect(feed.items[0]?.title).toBe(name);
    expect(feed.items[0]?.url).toBe("https://node.example/syntheses/1?a=1&b=2");
    expect(feed.updated?.toISOString()).toBe("2026-03-01T10:00:00.000Z");
  });
});
