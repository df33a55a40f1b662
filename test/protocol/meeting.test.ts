import {
  buildMeetingPayload,
  isKnownTimeZone,
  MEETING_MEDIA_TYPE,
  MEETING_SCHEMA_ID,
  type MeetingInputData,
  type MeetingPayload,
  meetingHtml,
  meetingInputSchema,
  meetingPayloadSchema,
  meetingStartsInPast,
  meetingSummaryLine,
} from "@spiral-network/protocol";
import { describe, expect, it } from "vitest";

const territory = {
  id: "https://spiral.mulhouse.example/actors/mulhouse",
  name: "Mulhouse",
  country: "FR",
};

const drouot = {
  name: "Maison de quartier Drouot",
  street: "17 rue de Provence",
  postalCode: "68100",
  locality: "Mulhouse",
  country: "FR",
  latitude: 47.7596,
  longitude: 7.3479,
};

/** A valid submission: Tuesday 24 March 2026, 18:00–20:00 in Mulhouse. */
function input(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: "Homogeneous group: young parents",
    kind: "homogeneous-group-session",
    start: "2026-03-24T18:00",
    end: "2026-03-24T20:00",
    timeZone: "Europe/Paris",
    place: drouot,
    languages: ["fr"],
    ...overrides,
  };
}

const parseInput = (overrides: Record<string, unknown> = {}): MeetingInputData =>
  meetingInputSchema.parse(input(overrides));

const payload = (
  overrides: Record<string, unknown> = {},
  version = { sequence: 0, updated: "2026-03-01T09:00:00Z" },
): MeetingPayload => buildMeetingPayload(parseInput(overrides), territory, version);

/** The issues of a failed parse as "path: message". */
function issues(result: { success: boolean; error?: { issues: any[] } }): string[] {
  expect(result.success).toBe(false);
  return (result.error?.issues ?? []).map((i) => `${i.path.join(".")}: ${i.message}`);
}
const inputIssues = (overrides: Record<string, unknown>) =>
  issues(meetingInputSchema.safeParse(input(overrides)));

describe("meeting input", () => {
  it("accepts a valid meeting and applies the defaults", () => {
    const parsed = parseInput();
    expect(parsed.status).toBe("scheduled");
    expect(parsed.visibility).toBe("public");
    expect(parsed.place).toEqual(drouot);
  });

  it("accepts an online-only meeting and every optional field", () => {
    const parsed = parseInput({
      place: undefined,
      onlineUrl: "https://meet.example/spiral-training",
      registrationUrl: "http://forms.example/register?id=4",
      capacity: 100_000,
      description: "Bring a pen.",
      status: "postponed",
      visibility: "followers",
      languages: ["fr", "pt-BR", "en"],
    });
    expect(parsed.onlineUrl).toBe("https://meet.example/spiral-training");
    expect(parsed.capacity).toBe(100_000);
  });

  it("refuses an end before the start, on the end field", () => {
    expect(inputIssues({ start: "2026-03-24T20:00", end: "2026-03-24T18:00" })).toEqual([
      "end: the meeting ends before it starts: the end must be after the start",
    ]);
    expect(inputIssues({ end: "2026-03-24T18:00" })).toEqual([
      "end: the meeting ends when it starts: the end must be after the start",
    ]);
  });

  it("compares start and end as instants in the meeting's zone", () => {
    // 02:30 → 03:10 on the night clocks go back in Paris: 50 minutes later, not 40 before.
    const result = meetingInputSchema.safeParse(
      input({ start: "2026-10-25T01:30", end: "2026-10-25T02:10" }),
    );
    expect(result.success).toBe(true);
  });

  it("refuses an unknown time zone, naming it", () => {
    expect(inputIssues({ timeZone: "Mars/Olympus_Mons" })).toEqual([
      'timeZone: unknown time zone "Mars/Olympus_Mons": use an IANA name such as Europe/Paris or America/Sao_Paulo',
    ]);
    expect(inputIssues({ timeZone: "+01:00" })[0]).toMatch(
      /^timeZone: unknown time zone "\+01:00"/,
    );
    expect(inputIssues({ timeZone: "CEST" })[0]).toMatch(/^timeZone: unknown time zone "CEST"/);
    expect(inputIssues({ timeZone: "europe/paris" })).toEqual([
      'timeZone: unknown time zone "europe/paris": did you mean Europe/Paris?',
    ]);
  });

  it("knows IANA zones, including UTC and names ICU lists under an older spelling", () => {
    for (const zone of [
      "Europe/Paris",
      "UTC",
      "America/Sao_Paulo",
      "Europe/Kyiv",
      "Asia/Kolkata",
    ]) {
      expect(isKnownTimeZone(zone), zone).toBe(true);
      expect(meetingInputSchema.safeParse(input({ timeZone: zone })).success, zone).toBe(true);
    }
    expect(isKnownTimeZone("Europe/Atlantis")).toBe(false);
  });

  it("refuses malformed URLs with a clear message on the field", () => {
    const message = "expected a web address starting with https:// (or http://)";
    for (const url of [
      "javascript:alert(1)",
      "ftp://files.example/x",
      "meet.example/room",
      "https://",
      "https://exa mple.org/room",
      "https://meet.example/room\nSet-Cookie: x",
      "mailto:someone@example.org",
    ]) {
      expect(inputIssues({ onlineUrl: url }), url).toEqual([`onlineUrl: ${message}`]);
      expect(inputIssues({ registrationUrl: url }), url).toEqual([`registrationUrl: ${message}`]);
    }
    expect(inputIssues({ onlineUrl: `https://meet.example/${"a".repeat(2000)}` })).toEqual([
      "onlineUrl: a link is at most 2000 characters",
    ]);
  });

  it("refuses absurd capacities", () => {
    expect(inputIssues({ capacity: 1_000_000 })).toEqual([
      "capacity: a capacity above 100,000 places is not plausible",
    ]);
    expect(inputIssues({ capacity: 0 })).toEqual(["capacity: the capacity is at least 1 place"]);
    expect(inputIssues({ capacity: -5 })).toEqual(["capacity: the capacity is at least 1 place"]);
    expect(inputIssues({ capacity: 12.5 })).toEqual([
      "capacity: the capacity is a whole number of places",
    ]);
  });

  it("refuses a meeting with neither place nor online URL", () => {
    expect(inputIssues({ place: undefined })).toEqual([
      "place: give a place, an online URL (onlineUrl), or both",
    ]);
  });

  it("refuses local times that are malformed, impossible, or skipped by a DST change", () => {
    const format = "expected a local date and time as YYYY-MM-DDTHH:mm, such as 2026-03-24T18:00";
    expect(inputIssues({ start: "2026-03-24 18:00" })).toEqual([`start: ${format}`]);
    expect(inputIssues({ start: "2026-03-24T18:00:00" })).toEqual([`start: ${format}`]);
    expect(inputIssues({ start: "2026-03-24T18:00Z" })).toEqual([`start: ${format}`]);
    expect(inputIssues({ start: "2026-02-30T18:00" })).toEqual([
      "start: 2026-02-30T18:00 is not a date and time that exists",
    ]);
    expect(inputIssues({ end: "2026-03-24T24:30" })).toEqual([
      "end: 2026-03-24T24:30 is not a date and time that exists",
    ]);
    expect(inputIssues({ start: "2026-03-29T02:30", end: "2026-03-29T04:00" })).toEqual([
      "start: 2026-03-29T02:30 does not exist in Europe/Paris: the clocks change that night, pick another time",
    ]);
    expect(inputIssues({ start: "1999-12-31T18:00" })).toEqual([
      "start: the year must be between 2000 and 2100",
    ]);
  });

  it("refuses a meeting longer than 31 days", () => {
    expect(inputIssues({ end: "2026-04-25T20:00" })).toEqual([
      "end: a meeting lasts at most 31 days",
    ]);
    expect(meetingInputSchema.safeParse(input({ end: "2026-04-24T18:00" })).success).toBe(true);
  });

  it("checks the place: coordinates in pairs and in range, known country, no unknown fields", () => {
    expect(inputIssues({ place: { name: "Drouot", latitude: 47.7 } })).toEqual([
      "place.longitude: give both latitude and longitude, or neither",
    ]);
    expect(inputIssues({ place: { name: "Drouot", latitude: 91, longitude: 7 } })).toEqual([
      "place.latitude: latitude is -90 … 90",
    ]);
    expect(inputIssues({ place: { name: "Drouot", country: "XX" } })).toEqual([
      "place.country: expected an ISO 3166-1 alpha-2 country code such as FR or PT",
    ]);
    expect(inputIssues({ place: { name: "  " } })).toEqual(["place.name: must not be empty"]);
    expect(inputIssues({ place: { name: "Drouot", floor: 2 } })[0]).toMatch(/^place: .*floor/);
  });

  it("checks title, kind, languages, status and unknown fields", () => {
    expect(inputIssues({ title: "" })).toEqual(["title: must not be empty"]);
    expect(inputIssues({ title: "x".repeat(201) })[0]).toMatch(/^title: /);
    expect(inputIssues({ kind: "party" })[0]).toMatch(/^kind: /);
    expect(inputIssues({ languages: [] })).toEqual(["languages: give at least one language"]);
    expect(inputIssues({ languages: ["fr", "de", "fr"] })).toEqual([
      "languages.2: fr is listed twice",
    ]);
    expect(inputIssues({ languages: ["French"] })).toEqual([
      "languages.0: expected a language tag such as fr or pt-BR",
    ]);
    const eleven = ["fr", "de", "en", "es", "it", "pt", "nl", "pl", "ro", "el", "sv"];
    expect(inputIssues({ languages: eleven })).toEqual(["languages: at most 10 languages"]);
    expect(inputIssues({ status: "done" })[0]).toMatch(/^status: /);
    expect(inputIssues({ organiser: "me" })[0]).toMatch(/organiser/);
  });

  it("reports every bad field at once, cross-field rules included", () => {
    const found = inputIssues({
      title: "",
      start: "2026-03-24T20:00",
      end: "2026-03-24T18:00",
      place: undefined,
      capacity: "twenty", // a type error, which would stop object refinements by default
      kind: "party",
    });
    expect(found.map((f) => f.split(":")[0]).sort()).toEqual([
      "capacity",
      "end",
      "kind",
      "place",
      "title",
    ]);
  });
});

describe("meetingStartsInPast", () => {
  const meeting = { start: "2026-03-28T18:00", timeZone: "Europe/Paris" }; // 17:00Z

  it("compares the start, read in the meeting's zone, with now", () => {
    expect(meetingStartsInPast(meeting, new Date("2026-03-28T16:59:59Z"))).toBe(false);
    expect(meetingStartsInPast(meeting, new Date("2026-03-28T17:00:01Z"))).toBe(true);
    // The same wall-clock time in New York is five hours later.
    const newYork = { ...meeting, timeZone: "America/New_York" };
    expect(meetingStartsInPast(newYork, new Date("2026-03-28T20:00:00Z"))).toBe(false);
    expect(meetingStartsInPast(newYork, new Date("2026-03-28T22:01:00Z"))).toBe(true);
  });

  it("is not part of the schema: past meetings stay valid input (for updates)", () => {
    expect(
      meetingInputSchema.safeParse(input({ start: "2020-01-10T18:00", end: "2020-01-10T20:00" }))
        .success,
    ).toBe(true);
  });
});

describe("meeting payload", () => {
  it("carries the schema id, territory, input fields, UTC instants and version", () => {
    const p = payload({}, { sequence: 2, updated: "2026-03-01T09:00:00Z" });
    expect(MEETING_SCHEMA_ID).toBe("spiral/meeting@1");
    expect(MEETING_MEDIA_TYPE).toBe("application/vnd.spiral.meeting+json");
    expect(p).toEqual({
      schema: "spiral/meeting@1",
      territory,
      title: "Homogeneous group: young parents",
      kind: "homogeneous-group-session",
      start: "2026-03-24T18:00",
      end: "2026-03-24T20:00",
      timeZone: "Europe/Paris",
      place: drouot,
      languages: ["fr"],
      status: "scheduled",
      visibility: "public",
      startUtc: "2026-03-24T17:00:00Z",
      endUtc: "2026-03-24T19:00:00Z",
      updated: "2026-03-01T09:00:00Z",
      sequence: 2,
    });
    // Fixed key order, no undefined members: the JSON is the same however the input was ordered.
    const reordered = Object.fromEntries(Object.entries(input()).reverse());
    const again = buildMeetingPayload(meetingInputSchema.parse(reordered), territory, {
      sequence: 2,
      updated: new Date("2026-03-01T09:00:00Z"),
    });
    expect(JSON.stringify(again).replace(".000Z", "Z")).toBe(JSON.stringify(p));
    expect(Object.keys(p)).not.toContain("onlineUrl");
  });

  it.each([
    ["2026-03-28T18:00", "2026-03-28T17:00:00Z"], // Saturday before the spring change: CET
    ["2026-03-30T18:00", "2026-03-30T16:00:00Z"], // Monday after: CEST
    ["2026-10-24T18:00", "2026-10-24T16:00:00Z"], // Saturday before the autumn change: CEST
    ["2026-10-26T18:00", "2026-10-26T17:00:00Z"], // Monday after: CET
  ])("Europe/Paris %s is %s", (local, utc) => {
    const end = `${local.slice(0, 11)}20:00`;
    const p = payload({ start: local, end });
    expect(p.startUtc).toBe(utc);
    expect(Date.parse(p.endUtc) - Date.parse(p.startUtc)).toBe(2 * 3600_000);
  });

  it("converts other zones (southern hemisphere, no DST, UTC)", () => {
    const at = (timeZone: string, start: string) =>
      payload({ timeZone, start, end: `${start.slice(0, 11)}23:00` }).startUtc;
    expect(at("America/Sao_Paulo", "2026-11-10T18:00")).toBe("2026-11-10T21:00:00Z");
    expect(at("Australia/Sydney", "2026-01-15T18:00")).toBe("2026-01-15T07:00:00Z");
    expect(at("Australia/Sydney", "2026-07-15T18:00")).toBe("2026-07-15T08:00:00Z");
    expect(at("UTC", "2026-07-15T18:00")).toBe("2026-07-15T18:00:00Z");
  });

  it("reads a time that occurs twice (clocks going back) as its first occurrence", () => {
    const p = payload({ start: "2026-10-25T02:30", end: "2026-10-25T04:00" });
    expect(p.startUtc).toBe("2026-10-25T00:30:00Z");
  });

  it("validates and survives a JSON round trip", () => {
    const p = payload({ onlineUrl: "https://meet.example/x", capacity: 12, description: "Hi" });
    expect(meetingPayloadSchema.parse(JSON.parse(JSON.stringify(p)))).toEqual(p);
  });

  it("is self-consistent: UTC instants must be those of the local times in the zone", () => {
    const p = payload();
    expect(
      issues(meetingPayloadSchema.safeParse({ ...p, startUtc: "2026-03-24T18:00:00Z" })),
    ).toEqual([
      "startUtc: startUtc does not match start 2026-03-24T18:00 in Europe/Paris (expected 2026-03-24T17:00:00Z)",
    ]);
    expect(issues(meetingPayloadSchema.safeParse({ ...p, timeZone: "Europe/London" }))).toEqual([
      "startUtc: startUtc does not match start 2026-03-24T18:00 in Europe/London (expected 2026-03-24T18:00:00Z)",
      "endUtc: endUtc does not match end 2026-03-24T20:00 in Europe/London (expected 2026-03-24T20:00:00Z)",
    ]);
    // One spelling only (sortable as text): not with milliseconds, not with an offset.
    expect(
      issues(meetingPayloadSchema.safeParse({ ...p, startUtc: "2026-03-24T17:00:00.000Z" })),
    ).toEqual([
      "startUtc: startUtc does not match start 2026-03-24T18:00 in Europe/Paris (expected 2026-03-24T17:00:00Z)",
    ]);
    expect(
      issues(meetingPayloadSchema.safeParse({ ...p, startUtc: "2026-03-24T18:00:00+01:00" }))[0],
    ).toMatch(/^startUtc: expected a UTC instant/);
  });

  it("applies the input rules to received payloads too", () => {
    const p = payload();
    expect(
      issues(
        meetingPayloadSchema.safeParse({
          ...p,
          end: "2026-03-24T17:00",
          endUtc: "2026-03-24T16:00:00Z",
        }),
      ),
    ).toEqual(["end: the meeting ends before it starts: the end must be after the start"]);
    const { place: _place, ...withoutPlace } = p;
    expect(issues(meetingPayloadSchema.safeParse(withoutPlace))).toEqual([
      "place: give a place, an online URL (onlineUrl), or both",
    ]);
    expect(issues(meetingPayloadSchema.safeParse({ ...p, timeZone: "Europe/Nowhere" }))[0]).toMatch(
      /^timeZone: unknown time zone/,
    );
    expect(issues(meetingPayloadSchema.safeParse({ ...p, capacity: 5_000_000 }))[0]).toMatch(
      /^capacity: /,
    );
  });

  it("is strict about its own fields", () => {
    const p = payload();
    expect(issues(meetingPayloadSchema.safeParse({ ...p, schema: "spiral/meeting@2" }))[0]).toMatch(
      /^schema: /,
    );
    expect(issues(meetingPayloadSchema.safeParse({ ...p, extra: true }))[0]).toMatch(/extra/);
    expect(issues(meetingPayloadSchema.safeParse({ ...p, sequence: -1 }))[0]).toMatch(
      /^sequence: /,
    );
    expect(issues(meetingPayloadSchema.safeParse({ ...p, sequence: 1.5 }))[0]).toMatch(
      /^sequence: /,
    );
    const { status: _status, ...noStatus } = p;
    expect(issues(meetingPayloadSchema.safeParse(noStatus))[0]).toMatch(/^status: /);
    expect(
      issues(
        meetingPayloadSchema.safeParse({ ...p, territory: { ...territory, id: "not a url" } }),
      )[0],
    ).toMatch(/^territory\.id: /);
    expect(
      issues(
        meetingPayloadSchema.safeParse({ ...p, territory: { ...territory, country: "ZZ" } }),
      )[0],
    ).toMatch(/^territory\.country: /);
    expect(issues(meetingPayloadSchema.safeParse({ ...p, updated: "yesterday" }))[0]).toMatch(
      /^updated: /,
    );
  });

  it("fails cleanly, without throwing, on bodies that are not objects", () => {
    for (const body of [null, undefined, "meeting", 42, [], [payload()]]) {
      expect(meetingPayloadSchema.safeParse(body).success).toBe(false);
      expect(meetingInputSchema.safeParse(body).success).toBe(false);
    }
  });

  it("buildMeetingPayload refuses an input that was not validated", () => {
    const bad = { ...parseInput(), end: "2026-03-24T17:00" };
    expect(() =>
      buildMeetingPayload(bad, territory, { sequence: 0, updated: "2026-03-01T09:00:00Z" }),
    ).toThrow(/ends before it starts/);
    expect(() =>
      buildMeetingPayload(parseInput(), territory, {
        sequence: -1,
        updated: "2026-03-01T09:00:00Z",
      }),
    ).toThrow();
  });
});

describe("readable faces", () => {
  it("summarises date, local time with zone, and place in one line", () => {
    expect(meetingSummaryLine(payload())).toBe(
      "Tue 24 Mar 2026, 18:00–20:00 (Europe/Paris) · Maison de quartier Drouot, Mulhouse",
    );
    expect(meetingSummaryLine(payload(), "fr")).toBe(
      "mar. 24 mars 2026, 18:00–20:00 (Europe/Paris) · Maison de quartier Drouot, Mulhouse",
    );
  });

  it("says online, or place and online", () => {
    const online = payload({ place: undefined, onlineUrl: "https://meet.example/x" });
    expect(meetingSummaryLine(online)).toBe("Tue 24 Mar 2026, 18:00–20:00 (Europe/Paris) · online");
    expect(meetingSummaryLine(online, "fr")).toBe(
      "mar. 24 mars 2026, 18:00–20:00 (Europe/Paris) · en ligne",
    );
    const both = payload({ onlineUrl: "https://meet.example/x" });
    expect(meetingSummaryLine(both)).toMatch(/· Maison de quartier Drouot, Mulhouse and online$/);
    expect(meetingSummaryLine(both, "fr")).toMatch(
      /· Maison de quartier Drouot, Mulhouse et en ligne$/,
    );
  });

  it("prefixes cancelled and postponed meetings", () => {
    expect(meetingSummaryLine(payload({ status: "cancelled" }))).toBe(
      "CANCELLED — Tue 24 Mar 2026, 18:00–20:00 (Europe/Paris) · Maison de quartier Drouot, Mulhouse",
    );
    expect(meetingSummaryLine(payload({ status: "cancelled" }), "fr")).toBe(
      "ANNULÉE — mar. 24 mars 2026, 18:00–20:00 (Europe/Paris) · Maison de quartier Drouot, Mulhouse",
    );
    expect(meetingSummaryLine(payload({ status: "postponed" }))).toMatch(/^POSTPONED — Tue 24 Mar/);
    expect(meetingSummaryLine(payload({ status: "postponed" }), "fr")).toMatch(
      /^REPORTÉE — mar\. 24/,
    );
  });

  it("shows both dates for a meeting over several days, and September as Sep", () => {
    const p = payload({
      start: "2026-09-29T09:00",
      end: "2026-10-01T17:00",
      place: { name: "Strasbourg" },
    });
    expect(meetingSummaryLine(p)).toBe(
      "Tue 29 Sep 2026, 09:00 – Thu 1 Oct 2026, 17:00 (Europe/Paris) · Strasbourg",
    );
  });

  it("renders escaped HTML with paragraphs and a list, no tables or images", () => {
    const html = meetingHtml(
      payload({
        title: "<b>x</b>",
        description: "Bring <script>alert(1)</script> & a pen.\n\nSecond paragraph\nsame paragraph",
        onlineUrl: "https://meet.example/room?a=1&b=2",
        registrationUrl: "https://forms.example/r",
        capacity: 20,
        status: "cancelled",
      }),
    );
    expect(html).not.toMatch(/<script|<table|<img/);
    expect(html).toContain("Bring &#60;script&#62;alert(1)&#60;/script&#62; &#38; a pen.");
    expect(html).toContain("<p>Second paragraph<br>same paragraph</p>");
    expect(html).toContain('<a href="https://meet.example/room?a=1&#38;b=2">');
    expect(html).toContain("<strong>This meeting is cancelled.</strong>");
    expect(html).toContain("Tue 24 Mar 2026, 18:00–20:00 (Europe/Paris)");
    expect(html).toContain("Maison de quartier Drouot, 17 rue de Provence, 68100 Mulhouse, FR");
    expect(html).toMatch(/<ul>.*<li>Places: 20<\/li>.*<\/ul>/);
    const french = meetingHtml(payload(), "fr");
    expect(french).toContain(
      "<strong>Quand\u00a0:</strong> mar. 24 mars 2026, 18:00–20:00 (Europe/Paris)",
    );
    expect(french).toContain("<li>Type\u00a0: Séance de groupe homogène</li>");
  });
});
