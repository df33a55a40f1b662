import { Temporal } from "temporal-polyfill";
import { z } from "zod";
import { escapeHtml } from "./html.ts";
import { countryCode, languageTag } from "./schemas.ts";

/**
 * `spiral/meeting@1`: a meeting a territory announces (docs/protocol.md §11, meeting → Event).
 *
 * Times are wall-clock times in the meeting's IANA time zone (what a facilitator types and what
 * calendars show with TZID); the payload also carries the UTC instants they stand for, and a
 * receiver checks that both agree. Pure: no I/O, only Intl and Temporal.
 */
export const MEETING_SCHEMA_ID = "spiral/meeting@1";
export const MEETING_MEDIA_TYPE = "application/vnd.spiral.meeting+json";

export const MEETING_KINDS = [
  "homogeneous-group-session",
  "coordination-group",
  "training",
  "international-meeting",
  "other",
] as const;
export type MeetingKind = (typeof MEETING_KINDS)[number];

export const MEETING_STATUSES = ["scheduled", "postponed", "cancelled"] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];

export const MEETING_VISIBILITIES = ["public", "followers"] as const;
export type MeetingVisibility = (typeof MEETING_VISIBILITIES)[number];

/** Bounds of a meeting: beyond them the input is a mistake, not a meeting. */
export const MEETING_LIMITS = {
  capacity: 100_000,
  languages: 10,
  /** Longest meeting (a multi-day training or international meeting), in days. */
  durationDays: 31,
  firstYear: 2000,
  lastYear: 2100,
  /** Highest SEQUENCE (iCalendar INTEGER is 32-bit). */
  sequence: 2_147_483_647,
} as const;

// ---------------------------------------------------------------------------------------------
// Time zones and local times

let supportedZones: Set<string> | undefined;
const zoneSet = (): Set<string> => {
  if (!supportedZones) {
    const intl = Intl as { supportedValuesOf?: (key: "timeZone") => string[] };
    supportedZones = new Set(intl.supportedValuesOf?.("timeZone") ?? []);
    supportedZones.add("UTC");
  }
  return supportedZones;
};

/** Area/Location names as IANA spells them (each part capitalised); no offsets like +01:00. */
const IANA_SHAPE = /^[A-Z][A-Za-z0-9_+-]*(?:\/[A-Z][A-Za-z0-9_+-]*)*$/;

/** The zone Intl resolves a name to (case-insensitive, aliases allowed), or undefined. */
function intlZone(name: string): string | undefined {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/**
 * Whether `name` is an IANA time zone: listed by `Intl.supportedValuesOf("timeZone")`, "UTC", or
 * an IANA alias the runtime knows. ICU lists some zones under their old names (Node 24 lists
 * Europe/Kiev and Asia/Calcutta, not Europe/Kyiv and Asia/Kolkata), so aliases spelled as IANA
 * spells them are accepted too; offsets ("+01:00") and wrong capitalisation are not.
 */
export function isKnownTimeZone(name: string): boolean {
  if (name.length > 64) return false;
  if (zoneSet().has(name)) return true;
  return IANA_SHAPE.test(name) && intlZone(name) !== undefined;
}

export const timeZoneSchema = z.string().superRefine((name, ctx) => {
  if (isKnownTimeZone(name)) return;
  const suggestion = name.length <= 64 ? intlZone(name) : undefined;
  const hint =
    suggestion && IANA_SHAPE.test(suggestion)
      ? `did you mean ${suggestion}?`
      : "use an IANA name such as Europe/Paris or America/Sao_Paulo";
  ctx.addIssue({
    code: "custom",
    message: `unknown time zone "${name.slice(0, 64)}": ${hint}`,
  });
});

const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

function plainDateTime(value: string): Temporal.PlainDateTime | undefined {
  if (!LOCAL_DATE_TIME.test(value)) return undefined;
  try {
    return Temporal.PlainDateTime.from(value, { overflow: "reject" });
  } catch {
    return undefined;
  }
}

/** A wall-clock time in the meeting's time zone, "YYYY-MM-DDTHH:mm" (no seconds, no offset). */
export const localDateTimeSchema = z
  .string()
  .regex(
    LOCAL_DATE_TIME,
    "expected a local date and time as YYYY-MM-DDTHH:mm, such as 2026-03-24T18:00",
  )
  .superRefine((value, ctx) => {
    if (!LOCAL_DATE_TIME.test(value)) return; // reported by the regex
    const time = plainDateTime(value);
    if (!time) {
      ctx.addIssue({ code: "custom", message: `${value} is not a date and time that exists` });
    } else if (time.year < MEETING_LIMITS.firstYear || time.year > MEETING_LIMITS.lastYear) {
      ctx.addIssue({
        code: "custom",
        message: `the year must be between ${MEETING_LIMITS.firstYear} and ${MEETING_LIMITS.lastYear}`,
      });
    }
  });

type ZonedResult = { ok: true; instant: Temporal.Instant } | { ok: false; message: string };

/**
 * The instant a local time stands for in a zone. A time the clocks skip (spring forward) is an
 * error; a time they repeat (fall back) is its first occurrence, as RFC 5545 reads a TZID time.
 */
function zonedInstant(local: string, timeZone: string): ZonedResult {
  const time = plainDateTime(local);
  if (!time) return { ok: false, message: `${local} is not a valid local date and time` };
  let zoned: Temporal.ZonedDateTime;
  try {
    zoned = time.toZonedDateTime(timeZone, { disambiguation: "compatible" });
  } catch {
    return { ok: false, message: `unknown time zone "${timeZone}"` };
  }
  if (!zoned.toPlainDateTime().equals(time)) {
    return {
      ok: false,
      message: `${local} does not exist in ${timeZone}: the clocks change that night, pick another time`,
    };
  }
  return { ok: true, instant: zoned.toInstant() };
}

/** UTC instants (ISO, "…Z") of a meeting's local start and end; throws on invalid input. */
export function meetingInstants(meeting: { start: string; end: string; timeZone: string }): {
  startUtc: string;
  endUtc: string;
} {
  const start = zonedInstant(meeting.start, meeting.timeZone);
  const end = zonedInstant(meeting.end, meeting.timeZone);
  if (!start.ok) throw new RangeError(start.message);
  if (!end.ok) throw new RangeError(end.message);
  return { startUtc: start.instant.toString(), endUtc: end.instant.toString() };
}

/** For new meetings (the service checks it; updates of past meetings remain possible). */
export function meetingStartsInPast(
  input: { start: string; timeZone: string },
  now: Date,
): boolean {
  const start = zonedInstant(input.start, input.timeZone);
  if (!start.ok) throw new RangeError(start.message);
  return start.instant.epochMilliseconds < now.getTime();
}

// ---------------------------------------------------------------------------------------------
// Places and links

const WHITESPACE_OR_CONTROL = /[\s\p{Cc}]/u;

function isWebUrl(value: string): boolean {
  if (WHITESPACE_OR_CONTROL.test(value) || !URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === "https:" || url.protocol === "http:") && url.hostname !== "";
}

/** An http(s) link (online meeting room, registration form). */
export const webUrlSchema = z
  .string()
  .max(2000, "a link is at most 2000 characters")
  .refine(isWebUrl, "expected a web address starting with https:// (or http://)");

const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max);

export const placeSchema = z
  .strictObject({
    name: text(200),
    street: text(200).optional(),
    locality: text(100).optional(),
    postalCode: text(20).optional(),
    region: text(100).optional(),
    country: countryCode.optional(),
    latitude: z
      .number()
      .min(-90, "latitude is -90 … 90")
      .max(90, "latitude is -90 … 90")
      .optional(),
    longitude: z
      .number()
      .min(-180, "longitude is -180 … 180")
      .max(180, "longitude is -180 … 180")
      .optional(),
  })
  .superRefine((place, ctx) => {
    if ((place.latitude === undefined) !== (place.longitude === undefined)) {
      const missing = place.latitude === undefined ? "latitude" : "longitude";
      ctx.addIssue({
        code: "custom",
        path: [missing],
        message: "give both latitude and longitude, or neither",
      });
    }
  });
export type MeetingPlace = z.infer<typeof placeSchema>;

// ---------------------------------------------------------------------------------------------
// What a facilitator submits, and what travels in `source`

const meetingFields = {
  title: text(200),
  description: z.string().trim().max(5000, "the description is at most 5000 characters").optional(),
  kind: z.enum(MEETING_KINDS),
  start: localDateTimeSchema,
  end: localDateTimeSchema,
  timeZone: timeZoneSchema,
  place: placeSchema.optional(),
  onlineUrl: webUrlSchema.optional(),
  languages: z
    .array(languageTag)
    .min(1, "give at least one language")
    .max(MEETING_LIMITS.languages, `at most ${MEETING_LIMITS.languages} languages`),
  registrationUrl: webUrlSchema.optional(),
  capacity: z
    .number()
    .int("the capacity is a whole number of places")
    .min(1, "the capacity is at least 1 place")
    .max(
      MEETING_LIMITS.capacity,
      `a capacity above ${MEETING_LIMITS.capacity.toLocaleString("en-US")} places is not plausible`,
    )
    .optional(),
};

const statusSchema = z.enum(MEETING_STATUSES);
const visibilitySchema = z.enum(MEETING_VISIBILITIES);

type Issue = { path: (string | number)[]; message: string };

const validField = (schema: z.ZodType, value: unknown) => schema.safeParse(value).success;

/**
 * Cross-field rules, run even when another field is invalid (so a form gets every error at
 * once): each rule only looks at fields that are themselves valid.
 */
function meetingIssues(value: unknown): Issue[] {
  if (typeof value !== "object" || value === null) return [];
  const m = value as Record<string, unknown>;
  const issues: Issue[] = [];
  if (m.place === undefined && m.onlineUrl === undefined) {
    issues.push({
      path: ["place"],
      message: "give a place, an online URL (onlineUrl), or both",
    });
  }
  if (Array.isArray(m.languages)) {
    const seen = new Set<unknown>();
    for (const [i, language] of m.languages.entries()) {
      if (seen.has(language)) {
        issues.push({ path: ["languages", i], message: `${String(language)} is listed twice` });
      }
      seen.add(language);
    }
  }
  if (!validField(timeZoneSchema, m.timeZone)) return issues;
  const timeZone = m.timeZone as string;
  const instants: Partial<Record<"start" | "end", Temporal.Instant>> = {};
  for (const field of ["start", "end"] as const) {
    if (!validField(localDateTimeSchema, m[field])) continue;
    const result = zonedInstant(m[field] as string, timeZone);
    if (result.ok) instants[field] = result.instant;
    else issues.push({ path: [field], message: result.message });
  }
  if (instants.start && instants.end) {
    const order = Temporal.Instant.compare(instants.end, instants.start);
    if (order <= 0) {
      issues.push({
        path: ["end"],
        message:
          order === 0
            ? "the meeting ends when it starts: the end must be after the start"
            : "the meeting ends before it starts: the end must be after the start",
      });
    } else if (
      instants.start.until(instants.end).total("hours") >
      MEETING_LIMITS.durationDays * 24
    ) {
      issues.push({
        path: ["end"],
        message: `a meeting lasts at most ${MEETING_LIMITS.durationDays} days`,
      });
    }
  }
  return issues;
}

const always = { when: () => true };

export const meetingInputSchema = z
  .strictObject({
    ...meetingFields,
    status: statusSchema.default("scheduled"),
    visibility: visibilitySchema.default("public"),
  })
  .superRefine((value, ctx) => {
    for (const issue of meetingIssues(value)) ctx.addIssue({ code: "custom", ...issue });
  }, always);
/** A validated meeting input (defaults applied). */
export type MeetingInputData = z.output<typeof meetingInputSchema>;

const isoInstant = z.iso.datetime({
  message: "expected a UTC instant such as 2026-03-24T17:00:00Z",
});

export const meetingTerritorySchema = z.strictObject({
  id: z.url({ protocol: /^https?$/, message: "expected the territory's actor URL (http/https)" }),
  name: text(200),
  country: countryCode,
});
export type MeetingTerritory = z.infer<typeof meetingTerritorySchema>;

export const meetingPayloadSchema = z
  .strictObject({
    schema: z.literal(MEETING_SCHEMA_ID),
    territory: meetingTerritorySchema,
    ...meetingFields,
    status: statusSchema,
    visibility: visibilitySchema,
    startUtc: isoInstant,
    endUtc: isoInstant,
    updated: isoInstant,
    sequence: z.number().int().min(0).max(MEETING_LIMITS.sequence),
  })
  .superRefine((value, ctx) => {
    const issues = meetingIssues(value);
    for (const issue of issues) ctx.addIssue({ code: "custom", ...issue });
    if (issues.length > 0) return;
    // Self-consistency: the UTC instants are those of the local times in the zone, written the
    // one way buildMeetingPayload writes them ("2026-03-24T17:00:00Z"), so that receivers can
    // store, sort and compare them as strings.
    if (typeof value !== "object" || value === null) return;
    const m = value as Record<string, unknown>;
    if (!validField(timeZoneSchema, m.timeZone)) return;
    for (const field of ["start", "end"] as const) {
      const utcField = field === "start" ? "startUtc" : "endUtc";
      if (!validField(localDateTimeSchema, m[field]) || !validField(isoInstant, m[utcField])) {
        continue;
      }
      const expected = zonedInstant(m[field] as string, m.timeZone as string);
      if (expected.ok && expected.instant.toString() !== m[utcField]) {
        ctx.addIssue({
          code: "custom",
          path: [utcField],
          message: `${utcField} does not match ${field} ${String(m[field])} in ${String(m.timeZone)} (expected ${expected.instant.toString()})`,
        });
      }
    }
  }, always);
export type MeetingPayload = z.infer<typeof meetingPayloadSchema>;

/**
 * The payload for a validated input. `sequence` is 0 for a new meeting and is raised by one on
 * every change (it is the iCalendar SEQUENCE); `updated` is the time of this version. Throws a
 * ZodError if the result is not a valid payload (e.g. an unvalidated input).
 */
export function buildMeetingPayload(
  input: MeetingInputData,
  territory: MeetingTerritory,
  version: { sequence: number; updated: string | Date },
): MeetingPayload {
  const { startUtc, endUtc } = meetingInstants(input);
  const payload = {
    schema: MEETING_SCHEMA_ID,
    territory: { id: territory.id, name: territory.name, country: territory.country },
    title: input.title,
    description: input.description,
    kind: input.kind,
    start: input.start,
    end: input.end,
    timeZone: input.timeZone,
    place: input.place && withoutUndefined(input.place),
    onlineUrl: input.onlineUrl,
    languages: [...input.languages],
    registrationUrl: input.registrationUrl,
    capacity: input.capacity,
    status: input.status,
    visibility: input.visibility,
    startUtc,
    endUtc,
    updated: version.updated instanceof Date ? version.updated.toISOString() : version.updated,
    sequence: version.sequence,
  };
  return meetingPayloadSchema.parse(withoutUndefined(payload));
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

// ---------------------------------------------------------------------------------------------
// Readable faces: one line for Mastodon, HTML for `content`

/** Languages of a meeting's readable faces; pt, es, it and ar are translations to review. */
export type MeetingLanguage = "en" | "fr" | "pt" | "es" | "it" | "ar";

const WEEKDAYS: Record<MeetingLanguage, readonly string[]> = {
  en: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
  fr: ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."],
  pt: ["seg.", "ter.", "qua.", "qui.", "sex.", "sáb.", "dom."],
  es: ["lun.", "mar.", "mié.", "jue.", "vie.", "sáb.", "dom."],
  it: ["lun", "mar", "mer", "gio", "ven", "sab", "dom"],
  ar: ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"],
};
const MONTHS: Record<MeetingLanguage, readonly string[]> = {
  en: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
  fr: [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
  ],
  pt: [
    "jan.",
    "fev.",
    "mar.",
    "abr.",
    "mai.",
    "jun.",
    "jul.",
    "ago.",
    "set.",
    "out.",
    "nov.",
    "dez.",
  ],
  es: [
    "ene.",
    "feb.",
    "mar.",
    "abr.",
    "may.",
    "jun.",
    "jul.",
    "ago.",
    "sept.",
    "oct.",
    "nov.",
    "dic.",
  ],
  it: ["gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"],
  ar: [
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
  ],
};

const KIND_LABELS: Record<MeetingLanguage, Record<MeetingKind, string>> = {
  en: {
    "homogeneous-group-session": "Homogeneous group session",
    "coordination-group": "Coordination group meeting",
    training: "Training",
    "international-meeting": "International meeting",
    other: "Meeting",
  },
  fr: {
    "homogeneous-group-session": "Séance de groupe homogène",
    "coordination-group": "Réunion du groupe de coordination",
    training: "Formation",
    "international-meeting": "Rencontre internationale",
    other: "Réunion",
  },
  pt: {
    "homogeneous-group-session": "Sessão de grupo homogéneo",
    "coordination-group": "Reunião do grupo de coordenação",
    training: "Formação",
    "international-meeting": "Encontro internacional",
    other: "Reunião",
  },
  es: {
    "homogeneous-group-session": "Sesión de grupo homogéneo",
    "coordination-group": "Reunión del grupo de coordinación",
    training: "Formación",
    "international-meeting": "Encuentro internacional",
    other: "Reunión",
  },
  it: {
    "homogeneous-group-session": "Sessione di gruppo omogeneo",
    "coordination-group": "Riunione del gruppo di coordinamento",
    training: "Formazione",
    "international-meeting": "Incontro internazionale",
    other: "Riunione",
  },
  ar: {
    "homogeneous-group-session": "جلسة مجموعة متجانسة",
    "coordination-group": "اجتماع مجموعة التنسيق",
    training: "تدريب",
    "international-meeting": "لقاء دولي",
    other: "اجتماع",
  },
};

const WORDS = {
  en: {
    cancelled: "CANCELLED — ",
    postponed: "POSTPONED — ",
    online: "online",
    and: "and",
    colon: ":",
    when: "When",
    where: "Where",
    onlineLink: "Online",
    kind: "Type",
    languages: "Languages",
    capacity: "Places",
    registration: "Registration",
    organiser: "Organised by",
    cancelledNote: "This meeting is cancelled.",
    postponedNote: "This meeting is postponed; a new date will be announced.",
  },
  fr: {
    cancelled: "ANNULÉE — ",
    postponed: "REPORTÉE — ",
    online: "en ligne",
    and: "et",
    colon: "\u00a0:",
    when: "Quand",
    where: "Où",
    onlineLink: "En ligne",
    kind: "Type",
    languages: "Langues",
    capacity: "Places",
    registration: "Inscription",
    organiser: "Organisée par",
    cancelledNote: "Cette réunion est annulée.",
    postponedNote: "Cette réunion est reportée ; une nouvelle date sera annoncée.",
  },
  pt: {
    cancelled: "CANCELADO — ",
    postponed: "ADIADO — ",
    online: "online",
    and: "e",
    colon: ":",
    when: "Quando",
    where: "Onde",
    onlineLink: "Online",
    kind: "Tipo",
    languages: "Línguas",
    capacity: "Lugares",
    registration: "Inscrição",
    organiser: "Organizado por",
    cancelledNote: "Este encontro foi cancelado.",
    postponedNote: "Este encontro foi adiado; será anunciada uma nova data.",
  },
  es: {
    cancelled: "CANCELADA — ",
    postponed: "APLAZADA — ",
    online: "en línea",
    and: "y",
    colon: ":",
    when: "Cuándo",
    where: "Dónde",
    onlineLink: "En línea",
    kind: "Tipo",
    languages: "Idiomas",
    capacity: "Plazas",
    registration: "Inscripción",
    organiser: "Organizada por",
    cancelledNote: "Esta reunión está cancelada.",
    postponedNote: "Esta reunión está aplazada; se anunciará una nueva fecha.",
  },
  it: {
    cancelled: "ANNULLATO — ",
    postponed: "RINVIATO — ",
    online: "online",
    and: "e",
    colon: ":",
    when: "Quando",
    where: "Dove",
    onlineLink: "Online",
    kind: "Tipo",
    languages: "Lingue",
    capacity: "Posti",
    registration: "Iscrizione",
    organiser: "Organizzato da",
    cancelledNote: "Questo incontro è annullato.",
    postponedNote: "Questo incontro è rinviato; sarà annunciata una nuova data.",
  },
  ar: {
    cancelled: "ملغى — ",
    postponed: "مؤجَّل — ",
    online: "عبر الإنترنت",
    and: "و",
    colon: ":",
    when: "متى",
    where: "أين",
    onlineLink: "عبر الإنترنت",
    kind: "النوع",
    languages: "اللغات",
    capacity: "الأماكن",
    registration: "التسجيل",
    organiser: "من تنظيم",
    cancelledNote: "أُلغي هذا الاجتماع.",
    postponedNote: "أُجِّل هذا الاجتماع؛ سيُعلن عن موعد جديد.",
  },
} as const;

export function meetingKindLabel(kind: MeetingKind, language: MeetingLanguage = "en"): string {
  return KIND_LABELS[language][kind];
}

const two = (n: number) => String(n).padStart(2, "0");

function dateLabel(time: Temporal.PlainDateTime, language: MeetingLanguage): string {
  return `${WEEKDAYS[language][time.dayOfWeek - 1]} ${time.day} ${MONTHS[language][time.month - 1]} ${time.year}`;
}
const clock = (time: Temporal.PlainDateTime) => `${two(time.hour)}:${two(time.minute)}`;

/**
 * "Tue 24 Mar 2026, 18:00–20:00 (Europe/Paris)", or with both dates when the meeting runs over
 * several days. Deterministic: names come from this module, not from the runtime's ICU data.
 */
export function meetingWhenLabel(
  meeting: { start: string; end: string; timeZone: string },
  language: MeetingLanguage = "en",
): string {
  const start = Temporal.PlainDateTime.from(meeting.start);
  const end = Temporal.PlainDateTime.from(meeting.end);
  const range = start.toPlainDate().equals(end.toPlainDate())
    ? `${dateLabel(start, language)}, ${clock(start)}–${clock(end)}`
    : `${dateLabel(start, language)}, ${clock(start)} – ${dateLabel(end, language)}, ${clock(end)}`;
  return `${range} (${meeting.timeZone})`;
}

/** "Maison de quartier Drouot, 12 rue X, 68100 Mulhouse, Grand Est, FR" (parts present only). */
export function meetingPlaceText(place: MeetingPlace): string {
  const town = [place.postalCode, place.locality].filter(Boolean).join(" ");
  return [place.name, place.street, town, place.region, place.country].filter(Boolean).join(", ");
}

function whereShort(payload: MeetingPayload, language: MeetingLanguage): string {
  const online = WORDS[language].online;
  if (!payload.place) return online;
  const { name, locality } = payload.place;
  const place = locality && !name.includes(locality) ? `${name}, ${locality}` : name;
  return payload.onlineUrl ? `${place} ${WORDS[language].and} ${online}` : place;
}

/**
 * One line for Mastodon (which shows only the name, this summary and the link): status, date,
 * local time with the time zone, and place, e.g.
 * "Tue 24 Mar 2026, 18:00–20:00 (Europe/Paris) · Maison de quartier Drouot, Mulhouse".
 */
export function meetingSummaryLine(
  payload: MeetingPayload,
  language: MeetingLanguage = "en",
): string {
  const words = WORDS[language];
  const prefix =
    payload.status === "cancelled"
      ? words.cancelled
      : payload.status === "postponed"
        ? words.postponed
        : "";
  return `${prefix}${meetingWhenLabel(payload, language)} · ${whereShort(payload, language)}`;
}

const link = (url: string) => `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`;

/** Readable HTML for the Event's `content`: paragraphs and a list, no tables or images. */
export function meetingHtml(payload: MeetingPayload, language: MeetingLanguage = "en"): string {
  const words = WORDS[language];
  const parts: string[] = [];
  if (payload.status === "cancelled") parts.push(`<p><strong>${words.cancelledNote}</strong></p>`);
  if (payload.status === "postponed") parts.push(`<p><strong>${words.postponedNote}</strong></p>`);
  parts.push(
    `<p><strong>${words.when}${words.colon}</strong> ${escapeHtml(meetingWhenLabel(payload, language))}</p>`,
  );
  if (payload.place) {
    parts.push(
      `<p><strong>${words.where}${words.colon}</strong> ${escapeHtml(meetingPlaceText(payload.place))}</p>`,
    );
  }
  if (payload.onlineUrl) {
    parts.push(
      `<p><strong>${words.onlineLink}${words.colon}</strong> ${link(payload.onlineUrl)}</p>`,
    );
  }
  for (const paragraph of (payload.description ?? "").split(/\n\s*\n/)) {
    const lines = paragraph.trim();
    if (lines) parts.push(`<p>${escapeHtml(lines).replace(/\r?\n/g, "<br>")}</p>`);
  }
  const items = [
    `${words.kind}${words.colon} ${escapeHtml(meetingKindLabel(payload.kind, language))}`,
    `${words.languages}${words.colon} ${payload.languages.map(escapeHtml).join(", ")}`,
    ...(payload.capacity === undefined
      ? []
      : [`${words.capacity}${words.colon} ${payload.capacity}`]),
    ...(payload.registrationUrl
      ? [`${words.registration}${words.colon} ${link(payload.registrationUrl)}`]
      : []),
    `${words.organiser}${words.colon} ${escapeHtml(payload.territory.name)} (${escapeHtml(payload.territory.country)})`,
  ];
  parts.push(`<ul>${items.map((item) => `<li>${item}</li>`).join("")}</ul>`);
  return parts.join("");
}

/** Whether a meeting may be shown to anyone (followers-only ones are only delivered to followers). */
export function isPublicMeeting(payload: { visibility?: string }): boolean {
  return payload.visibility !== "followers";
}
