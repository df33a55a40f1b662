import {
  type MeetingPayload,
  type MeetingStatus,
  meetingKindLabel,
  meetingWhenLabel,
} from "@spiral-network/protocol";
import { getVtimezoneComponent } from "@touch4it/ical-timezones";
import ical, { ICalEventStatus, type ICalLocation } from "ical-generator";
import { Temporal } from "temporal-polyfill";

/**
 * iCalendar (RFC 5545) for meetings: a feed per territory or for the network, and a single-event
 * file. Times are written as local times with TZID = the meeting's IANA zone, and every zone used
 * gets a VTIMEZONE block, so calendar apps show the right time on both sides of a DST change.
 * UID is the meeting's stable id and SEQUENCE its payload sequence, so an update replaces the
 * event instead of duplicating it.
 */

export interface CalendarMeeting {
  /** Stable unique id: the meeting's ActivityPub id (never changes across updates). */
  uid: string;
  /** The meeting's HTML page. */
  url: string;
  payload: MeetingPayload;
}

export interface MeetingsCalendarOptions {
  /** Calendar name shown by apps (NAME / X-WR-CALNAME). */
  name: string;
  /** Where the feed itself lives. */
  url?: string;
  /** "//Company//Product//EN"; a leading "-" is optional. */
  prodId?: string;
  meetings: CalendarMeeting[];
}

const DEFAULT_PROD_ID = "//Spiral Network//Meetings//EN";
/** Refresh hint for subscribed feeds (REFRESH-INTERVAL and X-PUBLISHED-TTL). */
const REFRESH_SECONDS = 3600;

const STATUS: Record<MeetingStatus, ICalEventStatus> = {
  scheduled: ICalEventStatus.CONFIRMED,
  postponed: ICalEventStatus.TENTATIVE,
  cancelled: ICalEventStatus.CANCELLED,
};

/** The .ics text of a feed of meetings (in the order given). */
export function meetingsCalendar(options: MeetingsCalendarOptions): string {
  return buildCalendar(options, true);
}

/** The .ics text of one meeting (the "add to calendar" download of its page). */
export function singleMeetingCalendar(
  meeting: CalendarMeeting,
  options: { name?: string; prodId?: string } = {},
): string {
  return buildCalendar(
    {
      name: options.name ?? meeting.payload.title,
      ...(options.prodId ? { prodId: options.prodId } : {}),
      meetings: [meeting],
    },
    false,
  );
}

function buildCalendar(options: MeetingsCalendarOptions, feed: boolean): string {
  const zones = vtimezonesFor(options.meetings.map((m) => m.payload));
  const calendar = ical({
    // ical-generator writes NAME and X-WR-CALNAME verbatim: a line break would inject properties.
    // Commas stay as they are (what feeds commonly do, and what clients display unchanged).
    name: options.name.replace(/[\r\n\p{Cc}]+/gu, " "),
    prodId: (options.prodId ?? DEFAULT_PROD_ID).replace(/^-/, ""),
    ...(options.url ? { url: new URL(options.url).href } : {}),
    ...(feed ? { ttl: REFRESH_SECONDS } : {}),
    // No calendar-wide zone (`name: null`): with one, ical-generator would write DTSTAMP and
    // LAST-MODIFIED as local times, which RFC 5545 forbids. The generator only supplies VTIMEZONEs.
    timezone: { name: null, generator: (zone) => zones.get(zone) ?? getVtimezoneComponent(zone) },
  });
  for (const meeting of options.meetings) {
    const { payload } = meeting;
    if (/[\s\p{Cc}]/u.test(meeting.uid) || meeting.uid === "") {
      throw new RangeError(`unusable calendar UID ${JSON.stringify(meeting.uid)}`);
    }
    const updated = Temporal.Instant.from(payload.updated);
    calendar.createEvent({
      id: meeting.uid,
      sequence: payload.sequence,
      // Local wall-clock times in the meeting's zone; ical-generator writes them with TZID
      // (or as UTC with "Z" when the zone is UTC).
      start: Temporal.PlainDateTime.from(payload.start).toZonedDateTime(payload.timeZone),
      end: Temporal.PlainDateTime.from(payload.end).toZonedDateTime(payload.timeZone),
      timezone: payload.timeZone,
      // Without METHOD, DTSTAMP is when the information was last revised (RFC 5545 §3.8.7.2).
      stamp: updated,
      lastModified: updated,
      summary: payload.title,
      description: plainDescription(meeting),
      location: location(payload),
      url: new URL(meeting.url).href,
      status: STATUS[payload.status],
      categories: [{ name: meetingKindLabel(payload.kind) }],
    });
  }
  return calendar.toString();
}

function countryName(code: string): string {
  try {
    return new Intl.DisplayNames(["en"], { type: "region" }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** GEO is written only for non-zero coordinates by ical-generator; 0 becomes 0.000001 (0.1 m). */
const geoValue = (value: number) => (value === 0 ? 0.000001 : value);

function location(payload: MeetingPayload): ICalLocation | string | null {
  const place = payload.place;
  if (!place) return payload.onlineUrl ?? null;
  const town = [place.postalCode, place.locality].filter(Boolean).join(" ");
  const title = [
    place.name,
    place.street,
    town,
    place.region,
    place.country && countryName(place.country),
  ]
    .filter(Boolean)
    .join(", ");
  return place.latitude !== undefined && place.longitude !== undefined
    ? { title, geo: { lat: geoValue(place.latitude), lon: geoValue(place.longitude) } }
    : { title };
}

function plainDescription(meeting: CalendarMeeting): string {
  const p = meeting.payload;
  const lines: string[] = [];
  if (p.status === "cancelled") lines.push("CANCELLED: this meeting will not take place.", "");
  if (p.status === "postponed") {
    lines.push("POSTPONED: a new date will be announced.", "");
  }
  lines.push(meetingWhenLabel(p));
  if (p.onlineUrl) lines.push(`Online: ${p.onlineUrl}`);
  if (p.description) lines.push("", p.description);
  lines.push("", `Type: ${meetingKindLabel(p.kind)}`, `Languages: ${p.languages.join(", ")}`);
  if (p.capacity !== undefined) lines.push(`Places: ${p.capacity}`);
  if (p.registrationUrl) lines.push(`Registration: ${p.registrationUrl}`);
  lines.push(`Organised by: ${p.territory.name} (${p.territory.country})`, meeting.url);
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// VTIMEZONE blocks
//
// @touch4it/ical-timezones ships tzurl.org definitions from tzdata 2018g: right for most zones,
// but stale where rules changed since (Brazil dropped DST in 2019, Mexico in 2022, …), and it
// lacks zones created since (America/Ciudad_Juarez) and some new spellings (Europe/Kyiv). Its
// block is used when it maps every meeting time in the feed to the instant in the payload;
// otherwise the block is built from the runtime's own tz data (the one that computed the
// payload), as explicit transitions around the feed's meetings.

type Point = { local: string; utc: string };

function vtimezonesFor(payloads: MeetingPayload[]): Map<string, string> {
  const points = new Map<string, Point[]>();
  for (const p of payloads) {
    if (p.timeZone === "UTC") continue; // written as UTC times ("Z"), no TZID
    const list = points.get(p.timeZone) ?? [];
    list.push({ local: p.start, utc: p.startUtc }, { local: p.end, utc: p.endUtc });
    points.set(p.timeZone, list);
  }
  const blocks = new Map<string, string>();
  for (const [zone, list] of points) {
    const library = libraryVtimezone(zone);
    blocks.set(zone, library && agrees(library, list) ? library : temporalVtimezone(zone, list));
  }
  return blocks;
}

/** The library's block for a zone (or its ICU alias), its TZID set to the name the events use. */
function libraryVtimezone(zone: string): string | undefined {
  let block = getVtimezoneComponent(zone);
  if (!block) {
    try {
      const alias = new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
      block = getVtimezoneComponent(alias);
    } catch {
      return undefined;
    }
  }
  return block ? block.replace(/^TZID:.*$/m, `TZID:${zone}`) : undefined;
}

interface Observance {
  from: number; // seconds east of UTC before the onset
  to: number; // … after it
  start: Temporal.PlainDateTime; // first onset, local time (in `from`)
  rule?: { month: number; nth: number; weekday: number };
}

const WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

function parseOffset(value: string): number | undefined {
  const match = /^([+-])(\d{2})(\d{2})(\d{2})?$/.exec(value);
  if (!match) return undefined;
  const [, sign, h, m, s] = match;
  const seconds = Number(h) * 3600 + Number(m) * 60 + Number(s ?? 0);
  return sign === "-" ? -seconds : seconds;
}

function parseLocal(value: string): Temporal.PlainDateTime | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  try {
    return Temporal.PlainDateTime.from(
      { year, month, day, hour, minute, second } as Temporal.PlainDateTimeLike,
      { overflow: "reject" },
    );
  } catch {
    return undefined;
  }
}

/**
 * The observances of a tzurl-style VTIMEZONE, or undefined if it uses anything but DTSTART and a
 * yearly "nth weekday of a month" RRULE (then it is not checked, and not used).
 */
function parseVtimezone(block: string): Observance[] | undefined {
  const lines = block.replace(/\r?\n[ \t]/g, "").split(/\r?\n/);
  const observances: Observance[] = [];
  let current: Partial<Observance> | undefined;
  for (const line of lines) {
    if (line === "BEGIN:STANDARD" || line === "BEGIN:DAYLIGHT") {
      current = {};
      continue;
    }
    if (line === "END:STANDARD" || line === "END:DAYLIGHT") {
      if (!current || current.from === undefined || current.to === undefined || !current.start) {
        return undefined;
      }
      observances.push(current as Observance);
      current = undefined;
      continue;
    }
    if (!current) continue;
    const [name, value = ""] = line.split(":", 2) as [string, string?];
    if (name === "TZOFFSETFROM") current.from = parseOffset(value);
    else if (name === "TZOFFSETTO") current.to = parseOffset(value);
    else if (name === "DTSTART") current.start = parseLocal(value);
    else if (name === "RRULE") {
      const parts = Object.fromEntries(value.split(";").map((p) => p.split("=", 2)));
      const byDay = /^(-?[1-5])([A-Z]{2})$/.exec(parts.BYDAY ?? "");
      const keys = Object.keys(parts).sort().join(",");
      if (parts.FREQ !== "YEARLY" || keys !== "BYDAY,BYMONTH,FREQ" || !byDay) return undefined;
      const weekday = WEEKDAY_CODES.indexOf(byDay[2] ?? "") + 1;
      const month = Number(parts.BYMONTH);
      if (weekday === 0 || !(month >= 1 && month <= 12)) return undefined;
      current.rule = { month, nth: Number(byDay[1]), weekday };
    } else if (name !== "TZNAME" && name !== "COMMENT") return undefined; // RDATE, …
  }
  return observances.length > 0 ? observances : undefined;
}

const epochSeconds = (local: Temporal.PlainDateTime) =>
  local.toZonedDateTime("UTC").epochMilliseconds / 1000;

/** The nth (or, negative, nth-from-last) weekday of a month; undefined if there is none. */
function nthWeekday(year: number, month: number, nth: number, weekday: number) {
  const first = Temporal.PlainDate.from({ year, month, day: 1 });
  if (nth > 0) {
    const day = 1 + ((weekday - first.dayOfWeek + 7) % 7) + (nth - 1) * 7;
    return day <= first.daysInMonth ? first.with({ day }) : undefined;
  }
  const last = first.with({ day: first.daysInMonth });
  const day = last.day - ((last.dayOfWeek - weekday + 7) % 7) - (-nth - 1) * 7;
  return day >= 1 ? first.with({ day }) : undefined;
}

/** Onsets (UTC epoch seconds) of the observances in the years around `year`. */
function onsets(observances: Observance[], year: number): Array<{ at: number; o: Observance }> {
  const result: Array<{ at: number; o: Observance }> = [];
  for (const o of observances) {
    const locals: Temporal.PlainDateTime[] = [];
    if (!o.rule) locals.push(o.start);
    else {
      for (const y of [year - 1, year, year + 1]) {
        const date = nthWeekday(y, o.rule.month, o.rule.nth, o.rule.weekday);
        const local = date?.toPlainDateTime(o.start.toPlainTime());
        if (local && Temporal.PlainDateTime.compare(local, o.start) >= 0) locals.push(local);
      }
    }
    for (const local of locals) result.push({ at: epochSeconds(local) - o.from, o });
  }
  return result;
}

/** The UTC offset the VTIMEZONE gives at an instant (epoch seconds). */
function offsetAt(observances: Observance[], utc: number): number {
  const year = Temporal.Instant.fromEpochMilliseconds(utc * 1000).toZonedDateTimeISO("UTC").year;
  const all = onsets(observances, year).sort((a, b) => a.at - b.at);
  const before = all.filter((x) => x.at <= utc);
  const last = before[before.length - 1];
  if (last) return last.o.to;
  const earliest = [...observances].sort(
    (a, b) => epochSeconds(a.start) - a.from - (epochSeconds(b.start) - b.from),
  )[0];
  return earliest?.from ?? 0;
}

/** The instant (epoch seconds) the VTIMEZONE gives a local time: the first if it occurs twice. */
function vtimezoneInstant(observances: Observance[], local: string): number | undefined {
  const localSeconds = epochSeconds(Temporal.PlainDateTime.from(local));
  const offsets = new Set(observances.flatMap((o) => [o.from, o.to]));
  const valid = [...offsets]
    .map((offset) => localSeconds - offset)
    .filter((utc) => offsetAt(observances, utc) === localSeconds - utc);
  return valid.length > 0 ? Math.min(...valid) : undefined;
}

function agrees(block: string, points: Point[]): boolean {
  const observances = parseVtimezone(block);
  if (!observances) return false;
  return points.every(
    (p) =>
      vtimezoneInstant(observances, p.local) ===
      Temporal.Instant.from(p.utc).epochMilliseconds / 1000,
  );
}

const formatOffset = (nanoseconds: number) => {
  const total = Math.round(nanoseconds / 1e9);
  const abs = Math.abs(total);
  const hh = String(Math.floor(abs / 3600)).padStart(2, "0");
  const mm = String(Math.floor((abs % 3600) / 60)).padStart(2, "0");
  const ss = abs % 60 ? String(abs % 60).padStart(2, "0") : "";
  return `${total < 0 ? "-" : "+"}${hh}${mm}${ss}`;
};

const formatLocal = (t: Temporal.PlainDateTime) =>
  `${String(t.year).padStart(4, "0")}${String(t.month).padStart(2, "0")}${String(t.day).padStart(2, "0")}` +
  `T${String(t.hour).padStart(2, "0")}${String(t.minute).padStart(2, "0")}${String(t.second).padStart(2, "0")}`;

/**
 * A VTIMEZONE from the runtime's tz data: the observance in force a week before the first
 * meeting, then every transition until a week after the last one (explicit DTSTARTs, no RRULE).
 */
function temporalVtimezone(zone: string, points: Point[]): string {
  const instants = points.map((p) => Temporal.Instant.from(p.utc));
  instants.sort(Temporal.Instant.compare);
  const week = { hours: 24 * 7 };
  const first = (instants[0] as Temporal.Instant).subtract(week).toZonedDateTimeISO(zone);
  const last = (instants[instants.length - 1] as Temporal.Instant).add(week);
  const lines = ["BEGIN:VTIMEZONE", `TZID:${zone}`];
  const observance = (onset: Temporal.ZonedDateTime | undefined, from: number, to: number) => {
    const year = onset?.year ?? first.year;
    const standard = Math.min(
      Temporal.ZonedDateTime.from({ year, month: 1, day: 1, timeZone: zone }).offsetNanoseconds,
      Temporal.ZonedDateTime.from({ year, month: 7, day: 1, timeZone: zone }).offsetNanoseconds,
    );
    const kind = to > standard ? "DAYLIGHT" : "STANDARD";
    const localOnset = onset
      ? onset.toInstant().toZonedDateTimeISO("UTC").toPlainDateTime().add({
          nanoseconds: from,
        })
      : Temporal.PlainDateTime.from("1970-01-01T00:00:00");
    lines.push(
      `BEGIN:${kind}`,
      `TZOFFSETFROM:${formatOffset(from)}`,
      `TZOFFSETTO:${formatOffset(to)}`,
      `DTSTART:${formatLocal(localOnset)}`,
      `END:${kind}`,
    );
  };
  const before = (t: Temporal.ZonedDateTime) => t.subtract({ nanoseconds: 1 }).offsetNanoseconds;
  const previous = first.getTimeZoneTransition("previous") ?? undefined;
  if (previous) observance(previous, before(previous), previous.offsetNanoseconds);
  else observance(undefined, first.offsetNanoseconds, first.offsetNanoseconds);
  let next = first.getTimeZoneTransition("next");
  while (next && Temporal.Instant.compare(next.toInstant(), last) <= 0) {
    observance(next, before(next), next.offsetNanoseconds);
    next = next.getTimeZoneTransition("next");
  }
  lines.push("END:VTIMEZONE");
  return lines.join("\r\n");
}
