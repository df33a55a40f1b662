import ICAL from "ical.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait";
import { follow, type Peer, startPeer } from "./harness";

const inDays = (days: number) =>
  new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

const meeting = (overrides: Record<string, unknown> = {}) => ({
  title: "Groupe homogène — jeunes de Bourtzwiller",
  description: "Première séance.",
  kind: "homogeneous-group-session",
  start: `${inDays(10)}T18:00`,
  end: `${inDays(10)}T20:00`,
  timeZone: "Europe/Paris",
  place: {
    name: "Centre social Papin",
    locality: "Mulhouse",
    country: "FR",
    latitude: 47.77,
    longitude: 7.33,
  },
  languages: ["fr"],
  ...overrides,
});

describe("meetings crossing the network", () => {
  let origin: Peer;
  let follower: Peer;
  let meetingId: string;
  let eventId: string;

  beforeAll(async () => {
    [origin, follower] = await Promise.all([
      startPeer({ slug: "mulhouse", name: "Mulhouse", country: "FR" }),
      startPeer({ slug: "porto", name: "Porto", country: "PT" }),
    ]);
    await follow(follower, origin);
  });
  afterAll(async () => {
    await Promise.all([origin, follower].map((p) => p?.close()));
  });

  const receivedMeeting = async () => {
    const list = await follower.api("GET", "/meetings");
    return list.body.find((m: { url: string }) => m.url === eventId);
  };

  it("announce → the follower lists it among upcoming network meetings", async () => {
    const created = await origin.api("POST", "/territories/mulhouse/meetings", meeting());
    expect(created.status).toBe(201);
    meetingId = created.body.id;
    eventId = created.body.url;
    const listed = await waitFor(receivedMeeting, "the follower to list the meeting");
    expect(listed).toMatchObject({
      local: false,
      title: "Groupe homogène — jeunes de Bourtzwiller",
      status: "scheduled",
      territory: { id: origin.actorUrl, country: "FR" },
    });
    const filtered = await follower.api("GET", "/meetings?kind=training");
    expect(filtered.body.some((m: { url: string }) => m.url === eventId)).toBe(false);
    const byCountry = await follower.api("GET", "/meetings?country=FR");
    expect(byCountry.body.some((m: { url: string }) => m.url === eventId)).toBe(true);
  });

  it("update → the follower shows the change", async () => {
    const changed = await origin.api("PATCH", `/territories/mulhouse/meetings/${meetingId}`, {
      start: `${inDays(10)}T18:30`,
      end: `${inDays(10)}T20:30`,
    });
    expect(changed.status).toBe(200);
    expect(changed.body.sequence).toBe(1);
    const updated = await waitFor(
      async () =>
        (await receivedMeeting())?.start === `${inDays(10)}T18:30` ? receivedMeeting() : null,
      "the follower to see the new time",
    );
    expect(updated.sequence).toBe(1);
  });

  it("cancel → marked cancelled at the follower and in the calendar feed", async () => {
    const cancelled = await origin.api("PATCH", `/territories/mulhouse/meetings/${meetingId}`, {
      status: "cancelled",
    });
    expect(cancelled.status).toBe(200);
    await waitFor(
      async () => (await receivedMeeting())?.status === "cancelled",
      "the cancellation",
    );
    const feed = await fetch(`${follower.url}/meetings.ics`).then((r) => r.text());
    const events = new ICAL.Component(ICAL.parse(feed)).getAllSubcomponents("vevent");
    const event = events.find((e) => e.getFirstPropertyValue("uid") === eventId);
    expect(event?.getFirstPropertyValue("status")).toBe("CANCELLED");
    expect(event?.getFirstPropertyValue("sequence")).toBe(2);
  });

  it("the origin's page, Event and .ics use the same stable id", async () => {
    const page = await fetch(eventId, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('type="text/calendar"');
    const event = await fetch(eventId, { headers: { accept: "application/activity+json" } }).then(
      (r) => r.json(),
    );
    expect(event).toMatchObject({
      type: "Event",
      id: eventId,
      url: eventId,
      name: expect.any(String),
    });
    expect(event.summary).toMatch(/^CANCELLED — /);
    const single = await fetch(`${eventId}.ics`).then((r) => r.text());
    expect(single).toContain(`UID:${eventId}`);
  });

  it("refuses bad meetings with 400 and a clear message", async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ end: `${inDays(10)}T17:00` }, /end/],
      [{ timeZone: "Europe/Atlantis" }, /time zone/],
      [{ start: "2020-01-01T10:00", end: "2020-01-01T12:00" }, /past/],
      [{ onlineUrl: "not a url" }, /onlineUrl/],
      [{ capacity: 10_000_000 }, /capacity/],
    ];
    for (const [change, message] of cases) {
      const response = await origin.api("POST", "/territories/mulhouse/meetings", meeting(change));
      expect(response.status, JSON.stringify(change)).toBe(400);
      expect(JSON.stringify(response.body), JSON.stringify(change)).toMatch(message);
    }
  });

  it("a new follower receives the upcoming meetings announced before it followed", async () => {
    const announced = await origin.api(
      "POST",
      "/territories/mulhouse/meetings",
      meeting({ title: "Formation des facilitateurs", kind: "training" }),
    );
    expect(announced.status).toBe(201);
    const latecomer = await startPeer({ slug: "namur", name: "Namur", country: "BE" });
    try {
      await follow(latecomer, origin);
      const listed = await waitFor(async () => {
        const list = await latecomer.api("GET", "/meetings");
        return list.body.find((m: { url: string }) => m.url === announced.body.url);
      }, "the latecomer to receive the earlier announcement");
      expect(listed).toMatchObject({ title: "Formation des facilitateurs", kind: "training" });
    } finally {
      await latecomer.close();
    }
  });

  it("a followers-only meeting reaches followers but is served to nobody else", async () => {
    const created = await origin.api(
      "POST",
      "/territories/mulhouse/meetings",
      meeting({ title: "Réunion interne", visibility: "followers" }),
    );
    expect(created.status).toBe(201);
    const { id, url } = created.body;
    // Delivered to the follower (who keeps it for itself)…
    await waitFor(
      () => follower.node.services.receivedMeetings.all().some((m) => m.objectId === url),
      "the follower to receive the followers-only meeting",
    );
    // …but neither the Event, its page, its activities, the outbox nor anonymous API reads show it.
    const anonymous = await fetch(`${origin.url}/api/v1/territories/mulhouse/meetings`).then((r) =>
      r.json(),
    );
    expect(anonymous.some((m: { id: string }) => m.id === id)).toBe(false);
    expect((await fetch(url, { headers: { accept: "application/activity+json" } })).status).toBe(
      404,
    );
    expect((await fetch(url, { headers: { accept: "text/html" } })).status).toBe(404);
    const outbox = await fetch(`${origin.actorUrl}/outbox?cursor=0`, {
      headers: { accept: "application/activity+json" },
    }).then((r) => r.json());
    expect(JSON.stringify(outbox)).not.toContain("Réunion interne");
    const row = origin.node.services.outbox.latestMeetingActivities("mulhouse", [id])[0];
    expect((await fetch(`${origin.url}/activities/${row?.uuid}`)).status).toBe(404);
    // The admin, with the token, sees it; a wrong token is refused rather than ignored.
    const asAdmin = await origin.api("GET", "/territories/mulhouse/meetings");
    expect(asAdmin.body.some((m: { id: string }) => m.id === id)).toBe(true);
    const wrongToken = await fetch(`${origin.url}/api/v1/territories/mulhouse/meetings`, {
      headers: { authorization: "Bearer not-the-token" },
    });
    expect(wrongToken.status).toBe(401);
    expect((await origin.api("DELETE", `/territories/mulhouse/meetings/${id}`)).status).toBe(204);
  });

  it("delete → gone from the follower's list; the Event URL answers 410", async () => {
    expect((await origin.api("DELETE", `/territories/mulhouse/meetings/${meetingId}`)).status).toBe(
      204,
    );
    await waitFor(async () => !(await receivedMeeting()), "the follower to drop the meeting");
    expect((await fetch(eventId, { headers: { accept: "text/html" } })).status).toBe(410);
  });
});
