import {
  type CalendarMeeting,
  meetingsCalendar,
  singleMeetingCalendar,
} from "@spiral-network/node/calendar/ical";
import {
  buildMeetingPayload,
  type MeetingPayload,
  meetingInputSchema,
} from "@spiral-network/protocol";
import ICAL from "ical.js";
import { beforeEach, describe, expect, it } from "vitest";

/**
 * Feeds are parsed back with ical.js, which resolves TZID times with the VTIMEZONE blocks of the
 * file itself (its global time zone service is reset before every test, so nothing else helps).
 */

const territory = {
  id: "https://spiral.mulhouse.example/actors/mulhouse",
  name: "Mulhouse",
  country: "FR",
};
const origin = "https://spiral.mulhouse.example";

const drouot = {
  name: "Maison de quartier Drouot",
  street: "17 rue de Provence",
  postalCode: "68100",
  locality: "Mulhouse",
  country: "FR",
  latitude: 47.7596,
  longitude: 7.3479,
};

function payload(
  overrides: Record<string, unknown> = {},
  version = { sequence: 0, updated: "2026-03-01T09:00:00Z" },
): MeetingPayload {
  const input = meetingInputSchema.parse({
    title: "Homogeneous group: young parents",
    kind: "homogeneous-group-session",
    start: "2026-03-24T18:00",
    end: "2026-03-24T20:00",
    timeZone: "Europe/Paris",
    place: drouot,
    languages: ["fr"],
    ...overrides,
  });
  return buildMeetingPayload(input, territory, version);
}

const meeting = (id: string, p: MeetingPayload): CalendarMeeting => ({
  uid: `${origin}/meetings/${id}`,
  url: `${origin}/meetings/${id}`,
  payload: p,
});

function parse(ics: string) {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  const events = calendar.getAllSubcomponents("vevent").map((c) => new ICAL.Event(c));
  const zones = calendar
    .getAllSubcomponents("vtimezone")
    .map((c) => String(c.getFirstPropertyValue("tzid")));
  return { calendar, events, zones };
}

const utc = (time: ICAL.Time) => time.toJSDate().toISOString().replace(".000Z", "Z");
const eventByUid = (events: ICAL.Event[], uid: string) => {
  const found = events.find((e) => e.uid === uid);
  if (!found) throw new Error(`no event ${uid}`);
  return found;
};

beforeEach(() => {
  ICAL.TimezoneService.reset();
});

describe("meetings calendar", () => {
  it("writes Europe/Paris 18:00 as local time with TZID, right on both sides of both DST changes", () => {
    const cases = [
      ["mar-28", "2026-03-28T18:00", "2026-03-28T17:00:00Z", "2026-03-28T19:00:00Z"],
      ["mar-30", "2026-03-30T18:00", "2026-03-30T16:00:00Z", "2026-03-30T18:00:00Z"],
      ["oct-24", "2026-10-24T18:00", "2026-10-24T16:00:00Z", "2026-10-24T18:00:00Z"],
      ["oct-26", "2026-10-26T18:00", "2026-10-26T17:00:00Z", "2026-10-26T19:00:00Z"],
    ] as const;
    const ics = meetingsCalendar({
      name: "Mulhouse meetings",
      meetings: cases.map(([id, start]) =>
        meeting(id, payload({ start, end: `${start.slice(0, 11)}20:00` })),
      ),
    });
    for (const [, start] of cases) {
      const compact = start.replace(/[-:]/g, "");
      expect(ics).toContain(`DTSTART;TZID=Europe/Paris:${compact}00`);
    }
    const { events, zones } = parse(ics);
    expect(zones).toEqual(["Europe/Paris"]);
    expect(events).toHaveLength(4);
    for (const [id, , startUtc, endUtc] of cases) {
      const event = eventByUid(events, `${origin}/meetings/${id}`);
      expect(event.startDate.zone.tzid).toBe("Europe/Paris");
      expect(utc(event.startDate)).toBe(startUtc);
      expect(utc(event.endDate)).toBe(endUtc);
    }
  });

  it("carries a VTIMEZONE for every zone used, each mapping local times to the payload's instants", () => {
    const meetings = [
      meeting("paris", payload()),
      // Brazil dropped DST in 2019 and Mexico in 2022: the bundled 2018 definitions are stale there.
      meeting(
        "sao-paulo",
        payload({
          timeZone: "America/Sao_Paulo",
          start: "2026-11-10T18:00",
          end: "2026-11-10T20:00",
        }),
      ),
      meeting(
        "mexico",
        payload({
          timeZone: "America/Mexico_City",
          start: "2026-07-01T18:00",
          end: "2026-07-01T20:00",
        }),
      ),
      // A zone the bundled data only knows under its old name (Europe/Kiev).
      meeting(
        "kyiv",
        payload({ timeZone: "Europe/Kyiv", start: "2026-08-20T10:00", end: "2026-08-20T12:00" }),
      ),
      meeting(
        "tokyo",
        payload({ timeZone: "Asia/Tokyo", start: "2026-05-12T19:30", end: "2026-05-12T21:00" }),
      ),
      meeting(
        "utc",
        payload({ timeZone: "UTC", start: "2026-06-01T12:00", end: "2026-06-01T13:00" }),
      ),
    ];
    const ics = meetingsCalendar({ name: "Network meetings", meetings });
    const { events, zones } = parse(ics);
    expect(zones.sort()).toEqual(
      [
        "America/Mexico_City",
        "America/Sao_Paulo",
        "Asia/Tokyo",
        "Europe/Kyiv",
        "Europe/Paris",
      ].sort(),
    );
    const tzids = new Set([...ics.matchAll(/;TZID=([^:;]+):/g)].map((m) => m[1]));
    expect([...tzids].sort()).toEqual([...zones].sort());
    for (const m of meetings) {
      const event = eventByUid(events, m.uid);
      expect(utc(event.startDate), m.uid).toBe(m.payload.startUtc);
      expect(utc(event.endDate), m.uid).toBe(m.payload.endUtc);
    }
    expect(
      eventByUid(events, `${origin}/meetings/sao-paulo`).startDate.toJSDate().toISOString(),
    ).toBe("2026-11-10T21:00:00.000Z");
    expect(eventByUid(events, `${origin}/meetings/mexico`).startDate.toJSDate().toISOString()).toBe(
      "2026-07-02T00:00:00.000Z",
    );
    // UTC meetings are written in UTC ("Z"), which needs no VTIMEZONE.
    expect(ics).toContain("DTSTART:20260601T120000Z");
  });

  it("builds the VTIMEZONE from current tz data, with every DST change, where the bundled one lacks the zone", () => {
    // America/Ciudad_Juarez (created in 2022) is not in the bundled data; it follows US DST.
    const zone = "America/Ciudad_Juarez";
    const cases = [
      ["winter", "2026-03-01T18:00", "2026-03-02T01:00:00Z"],
      ["summer", "2026-07-01T18:00", "2026-07-02T00:00:00Z"],
      ["autumn", "2026-11-20T18:00", "2026-11-21T01:00:00Z"],
    ] as const;
    const ics = meetingsCalendar({
      name: "x",
      meetings: cases.map(([id, start]) =>
        meeting(id, payload({ timeZone: zone, start, end: `${start.slice(0, 11)}20:00` })),
      ),
    });
    const { events, zones } = parse(ics);
    expect(zones).toEqual([zone]);
    expect(ics).not.toContain("TZURL");
    expect(ics).toContain(
      "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:-0700\r\nTZOFFSETTO:-0600\r\nDTSTART:20260308T020000",
    );
    expect(ics).toContain(
      "BEGIN:STANDARD\r\nTZOFFSETFROM:-0600\r\nTZOFFSETTO:-0700\r\nDTSTART:20261101T020000",
    );
    for (const [id, , startUtc] of cases) {
      expect(utc(eventByUid(events, `${origin}/meetings/${id}`).startDate), id).toBe(startUtc);
    }
  });

  it("uses the @touch4it/ical-timezones block where it is right (TZURL from tzurl.org)", () => {
    const ics = meetingsCalendar({ name: "x", meetings: [meeting("paris", payload())] });
    expect(ics).toContain("TZURL:http://tzurl.org/zoneinfo-outlook/Europe/Paris");
    expect(ics).toContain("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU");
  });

  it("marks a cancelled meeting STATUS:CANCELLED, a postponed one TENTATIVE, others CONFIRMED", () => {
    const ics = meetingsCalendar({
      name: "x",
      meetings: [
        meeting("a", payload({ status: "cancelled" })),
        meeting("b", payload({ status: "postponed" })),
        meeting("c", payload()),
      ],
    });
    const { events } = parse(ics);
    const status = (id: string) =>
      eventByUid(events, `${origin}/meetings/${id}`).component.getFirstPropertyValue("status");
    expect(status("a")).toBe("CANCELLED");
    expect(status("b")).toBe("TENTATIVE");
    expect(status("c")).toBe("CONFIRMED");
    expect(eventByUid(events, `${origin}/meetings/a`).description).toMatch(/^CANCELLED/);
  });

  it("keeps the UID and raises SEQUENCE across an update, so calendars replace the event", () => {
    const before = payload();
    const after = payload(
      { start: "2026-03-24T18:30", end: "2026-03-24T20:30", status: "cancelled" },
      { sequence: 1, updated: "2026-03-10T08:00:00Z" },
    );
    const v1 = parse(meetingsCalendar({ name: "x", meetings: [meeting("m1", before)] })).events[0];
    const v2 = parse(meetingsCalendar({ name: "x", meetings: [meeting("m1", after)] })).events[0];
    expect(v1?.uid).toBe(`${origin}/meetings/m1`);
    expect(v2?.uid).toBe(v1?.uid);
    expect(v1?.sequence).toBe(0);
    expect(v2?.sequence).toBe(1);
    expect(utc(v2?.startDate as ICAL.Time)).toBe("2026-03-24T17:30:00Z");
    const modified = (e: ICAL.Event | undefined) =>
      (e?.component.getFirstPropertyValue("last-modified") as ICAL.Time | undefined)
        ?.toJSDate()
        .toISOString();
    expect(modified(v1)).toBe("2026-03-01T09:00:00.000Z");
    expect(modified(v2)).toBe("2026-03-10T08:00:00.000Z");
    expect(v2?.component.getFirstPropertyValue("status")).toBe("CANCELLED");
  });

  it("holds several meetings, in the order given, with distinct UIDs", () => {
    const ids = ["first", "second", "third"];
    const ics = meetingsCalendar({
      name: "x",
      meetings: ids.map((id, i) =>
        meeting(
          id,
          payload({
            title: `Meeting ${i + 1}`,
            start: `2026-04-0${i + 1}T18:00`,
            end: `2026-04-0${i + 1}T20:00`,
          }),
        ),
      ),
    });
    const { events } = parse(ics);
    expect(events.map((e) => e.uid)).toEqual(ids.map((id) => `${origin}/meetings/${id}`));
    expect(events.map((e) => e.summary)).toEqual(["Meeting 1", "Meeting 2", "Meeting 3"]);
  });

  it("gives LOCATION with the address, GEO and the page URL", () => {
    const { events } = parse(meetingsCalendar({ name: "x", meetings: [meeting("m", payload())] }));
    const event = events[0] as ICAL.Event;
    expect(event.location).toBe(
      "Maison de quartier Drouot, 17 rue de Provence, 68100 Mulhouse, France",
    );
    expect(event.component.getFirstPropertyValue("geo")).toEqual([47.7596, 7.3479]);
    expect(event.component.getFirstPropertyValue("url")).toBe(`${origin}/meetings/m`);
    expect(event.description).toContain("Tue 24 Mar 2026, 18:00–20:00 (Europe/Paris)");
    expect(event.description).toContain(`${origin}/meetings/m`);
  });

  it("gives the online URL as LOCATION of an online meeting, without GEO", () => {
    const online = payload({ place: undefined, onlineUrl: "https://meet.example/spiral" });
    const event = parse(meetingsCalendar({ name: "x", meetings: [meeting("m", online)] }))
      .events[0];
    expect(event?.location).toBe("https://meet.example/spiral");
    expect(event?.component.getFirstProperty("geo")).toBeNull();
  });

  it("keeps GEO for a place on the equator or the prime meridian", () => {
    const p = payload({ place: { name: "Null Island", latitude: 0, longitude: 0 } });
    const event = parse(meetingsCalendar({ name: "x", meetings: [meeting("m", p)] })).events[0];
    const geo = event?.component.getFirstPropertyValue("geo") as number[];
    expect(geo).toHaveLength(2);
    expect(Math.abs(geo[0] as number)).toBeLessThan(1e-5);
    expect(Math.abs(geo[1] as number)).toBeLessThan(1e-5);
  });

  it("escapes text, so titles and descriptions come back unchanged", () => {
    const p = payload({
      title: "Coordination; budget, plans \\ next steps",
      description: "Line one\nLine two, with ; and \\",
    });
    const event = parse(
      meetingsCalendar({ name: "Mulhouse, Alsace; FR", meetings: [meeting("m", p)] }),
    ).events[0];
    expect(event?.summary).toBe("Coordination; budget, plans \\ next steps");
    expect(event?.description).toContain("Line one\nLine two, with ; and \\");
  });

  it("has a name, a URL and a refresh hint", () => {
    const ics = meetingsCalendar({
      name: "Mulhouse, Alsace",
      url: `${origin}/territories/mulhouse/meetings.ics`,
      meetings: [],
    });
    const { calendar, events } = parse(ics);
    expect(events).toEqual([]);
    expect(calendar.getFirstPropertyValue("name")).toBe("Mulhouse, Alsace");
    expect(calendar.getFirstPropertyValue("x-wr-calname")).toBe("Mulhouse, Alsace");
    expect(calendar.getFirstPropertyValue("prodid")).toBe("-//Spiral Network//Meetings//EN");
    expect(ics).toContain(`URL:${origin}/territories/mulhouse/meetings.ics`);
    expect(ics).toContain("REFRESH-INTERVAL;VALUE=DURATION:PT1H");
    expect(ics).toContain("X-PUBLISHED-TTL:PT1H");
  });

  it("cannot be broken by a line break in its name", () => {
    const ics = meetingsCalendar({ name: "Mulhouse\r\nMETHOD:CANCEL", meetings: [] });
    const { calendar } = parse(ics);
    expect(calendar.getFirstProperty("method")).toBeNull();
    expect(calendar.getFirstPropertyValue("x-wr-calname")).toBe("Mulhouse METHOD:CANCEL");
  });

  it("writes DTSTAMP and LAST-MODIFIED in UTC", () => {
    const ics = meetingsCalendar({ name: "x", meetings: [meeting("m", payload())] });
    expect(ics).toContain("DTSTAMP:20260301T090000Z");
    expect(ics).toContain("LAST-MODIFIED:20260301T090000Z");
  });

  it("refuses a UID that would break the file", () => {
    expect(() =>
      meetingsCalendar({
        name: "x",
        meetings: [{ ...meeting("m", payload()), uid: "a\r\nSTATUS:CANCELLED" }],
      }),
    ).toThrow(/UID/);
  });
});

describe("single meeting calendar", () => {
  it("holds one event with its VTIMEZONE and the meeting's title as calendar name", () => {
    const p = payload({ start: "2026-10-26T18:00", end: "2026-10-26T20:00" });
    const ics = singleMeetingCalendar(meeting("one", p));
    const { calendar, events, zones } = parse(ics);
    expect(events).toHaveLength(1);
    expect(zones).toEqual(["Europe/Paris"]);
    expect(calendar.getFirstPropertyValue("x-wr-calname")).toBe("Homogeneous group: young parents");
    expect(events[0]?.uid).toBe(`${origin}/meetings/one`);
    expect(utc(events[0]?.startDate as ICAL.Time)).toBe("2026-10-26T17:00:00Z");
    expect(ics).not.toContain("REFRESH-INTERVAL");
  });
});
