import {
  MeetingDeletePage,
  type MeetingFormField,
  MeetingFormPage,
  type MeetingFormValues,
} from "@spiral-network/admin-ui/admin/meeting-form-page";
import type { Translate } from "@spiral-network/admin-ui/i18n";
import {
  MEETING_KINDS,
  MEETING_STATUSES,
  type MeetingPayload,
  meetingKindLabel,
  meetingWhenLabel,
} from "@spiral-network/protocol";
import ct from "countries-and-timezones";
import { ConflictError, InvalidInputError, NotFoundError } from "../services/errors";
import type { MeetingInput } from "../services/meetings";
import type { TerritoryRow } from "../services/territories";
import { joinedSubnetworks, subnetworkChoices } from "./joined";
import { type AdminApp, type AdminContext, type AdminKit, hasErrors, str } from "./kit";

type FormErrors = Partial<Record<MeetingFormField | "subnetworks", string>>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** 18:00, 18h, 18h30, 1830, 9:05: a time of day as people type it, written back as HH:MM. */
const TIME = /^(\d{1,2})(?:[:hH.]?(\d{2}))?[hH]?$/;

export function normaliseTime(value: string): string | undefined {
  const match = TIME.exec(value.trim());
  if (!match) return undefined;
  const hours = Number(match[1]);
  const minutes = Number(match[2] ?? "0");
  if (hours > 23 || minutes > 59) return undefined;
  return `${String(hours).padStart(2, "0")}:${String(minutes).padStart(2, "0")}`;
}

/** Every IANA zone the runtime knows (what the protocol's time-zone check accepts). */
const ALL_ZONES: readonly string[] = [...Intl.supportedValuesOf("timeZone"), "UTC"].sort();

/** Where the API's issue paths land in the form. */
function fieldOfIssue(path: string, values: MeetingFormValues): MeetingFormField | "subnetworks" {
  const [head = "", sub] = path.split(".");
  if (head === "start") return "startTime";
  if (head === "end") return values.endDate ? "endDate" : "endTime";
  if (head === "place") {
    if (sub === "street" || sub === "locality" || sub === "postalCode") return sub;
    return "place";
  }
  if (head === "subnetworks") return "subnetworks";
  const known: readonly string[] = [
    "title",
    "kind",
    "timeZone",
    "onlineUrl",
    "languages",
    "description",
    "registrationUrl",
    "capacity",
    "visibility",
    "status",
  ];
  return known.includes(head) ? (head as MeetingFormField) : "title";
}

/**
 * Reads the meeting form into the API's meeting input. Only the form's own shapes (a date, a
 * time, a number) are checked here; every rule of a meeting is the application layer's, whose
 * messages come back beside the fields.
 */
export function readMeetingForm(
  t: Translate,
  form: Record<string, string>,
  { editing }: { editing: boolean },
): { values: MeetingFormValues; errors: FormErrors; input?: MeetingInput } {
  const values: MeetingFormValues = {
    title: str(form, "title"),
    kind: str(form, "kind"),
    date: str(form, "date"),
    startTime: str(form, "startTime"),
    endTime: str(form, "endTime"),
    endDate: str(form, "endDate"),
    timeZone: str(form, "timeZone"),
    place: str(form, "place"),
    street: str(form, "street"),
    locality: str(form, "locality"),
    postalCode: str(form, "postalCode"),
    onlineUrl: str(form, "onlineUrl"),
    languages: str(form, "languages"),
    description: (form.description ?? "").trim(),
    registrationUrl: str(form, "registrationUrl"),
    capacity: str(form, "capacity"),
    visibility: str(form, "visibility") || "public",
    ...(editing ? { status: str(form, "status") } : {}),
  };
  const errors: FormErrors = {};
  if (!(MEETING_KINDS as readonly string[]).includes(values.kind ?? "")) {
    errors.kind = t("meetings.error.kind");
  }
  if (values.visibility !== "public" && values.visibility !== "followers") {
    errors.visibility = t("meetings.error.visibility");
  }
  if (!DATE.test(values.date ?? "")) errors.date = t("meetings.error.date");
  if (values.endDate && !DATE.test(values.endDate)) errors.endDate = t("meetings.error.date");
  const startTime = normaliseTime(values.startTime ?? "");
  const endTime = normaliseTime(values.endTime ?? "");
  if (!startTime) errors.startTime = t("meetings.error.time");
  else values.startTime = startTime;
  if (!endTime) errors.endTime = t("meetings.error.time");
  else values.endTime = endTime;
  const capacity = values.capacity ? Number(values.capacity) : undefined;
  if (values.capacity && !/^\d{1,7}$/.test(values.capacity)) {
    errors.capacity = t("meetings.error.capacity");
  }
  if (hasErrors(errors)) return { values, errors };
  const optional = (value: string | undefined) => (value ? value : undefined);
  const hasPlace = Boolean(values.place || values.street || values.locality || values.postalCode);
  const input: MeetingInput = {
    title: values.title ?? "",
    description: optional(values.description),
    kind: values.kind as MeetingInput["kind"],
    start: `${values.date}T${startTime}`,
    end: `${values.endDate || values.date}T${endTime}`,
    timeZone: values.timeZone ?? "",
    place: hasPlace
      ? {
          name: values.place ?? "",
          street: optional(values.street),
          locality: optional(values.locality),
          postalCode: optional(values.postalCode),
        }
      : undefined,
    onlineUrl: optional(values.onlineUrl),
    languages: (values.languages ?? "").split(/[\s,;]+/).filter(Boolean),
    registrationUrl: optional(values.registrationUrl),
    capacity,
    visibility: values.visibility as MeetingInput["visibility"],
    ...(editing ? { status: values.status as MeetingInput["status"] } : {}),
  };
  return { values, errors, input };
}

/** The form's text for a meeting as it stands. */
function valuesOfPayload(payload: MeetingPayload): MeetingFormValues {
  const [date = "", startTime = ""] = payload.start.split("T");
  const [endDate = "", endTime = ""] = payload.end.split("T");
  return {
    title: payload.title,
    kind: payload.kind,
    date,
    startTime,
    endTime,
    endDate: endDate === date ? "" : endDate,
    timeZone: payload.timeZone,
    place: payload.place?.name ?? "",
    street: payload.place?.street ?? "",
    locality: payload.place?.locality ?? "",
    postalCode: payload.place?.postalCode ?? "",
    onlineUrl: payload.onlineUrl ?? "",
    languages: payload.languages.join(", "),
    description: payload.description ?? "",
    registrationUrl: payload.registrationUrl ?? "",
    capacity: payload.capacity === undefined ? "" : String(payload.capacity),
    visibility: payload.visibility,
    status: payload.status,
  };
}

/**
 * Meetings in the workspace: announce, change, cancel and delete, through the application
 * layer's meeting commands (the API's), so the rules and their messages are the same.
 */
export function registerMeetingRoutes(admin: AdminApp, kit: AdminKit) {
  const { protect, territoryOf } = kit;

  /** The territory's country's zones, and the zone of its latest meeting first when it has one. */
  const territoryZones = (c: AdminContext, territory: TerritoryRow): string[] => {
    const country = ct.getCountry(territory.country.toUpperCase())?.timezones ?? [];
    const latest = kit.app.meetings.list(kit.actor(c), territory.slug).at(-1)?.timeZone;
    return [...new Set([...(latest ? [latest] : []), ...country])];
  };

  const formPage = (
    c: AdminContext,
    territory: TerritoryRow,
    props: {
      meeting?: { id: string; title: string };
      values: MeetingFormValues;
      errors?: FormErrors;
      checked?: number[];
      notice?: string;
    },
  ) => {
    const lang = c.get("lang");
    const zones = territoryZones(c, territory);
    const current = props.values.timeZone ?? "";
    if (current && !zones.includes(current) && !ALL_ZONES.includes(current)) zones.push(current);
    const errors = props.errors ?? {};
    return c.html(
      <MeetingFormPage
        t={c.get("t")}
        lang={lang}
        user={kit.user(c)}
        meeting={props.meeting}
        values={props.values}
        errors={errors}
        kinds={MEETING_KINDS.map((k) => ({
          value: k,
          label: meetingKindLabel(k, lang === "fr" ? "fr" : "en"),
        }))}
        statuses={MEETING_STATUSES}
        timeZones={{ territory: zones, all: ALL_ZONES }}
        subnetworks={{
          options: joinedSubnetworks(kit.app, kit.actor(c), territory.slug),
          checked: props.checked ?? [],
        }}
        notice={props.notice}
      />,
      hasErrors(errors) ? 400 : 200,
    );
  };

  /** The meeting named in the path, of the workspace's territory. */
  const meetingOf = (c: AdminContext) => {
    const territory = territoryOf(c);
    const id = c.req.param("id") ?? "";
    if (!territory || !/^[0-9a-f-]{36}$/.test(id)) return undefined;
    try {
      const view = kit.app.meetings.get(kit.actor(c), territory.slug, id);
      return { territory, row: { uuid: view.id, payload: view } };
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  };

  /** Runs a meeting command; a refused input comes back as the form with the API's messages. */
  const saving = (
    c: AdminContext,
    territory: TerritoryRow,
    values: MeetingFormValues,
    checked: number[],
    meeting: { id: string; title: string } | undefined,
    command: () => void,
    done: string,
  ) => {
    try {
      command();
    } catch (error) {
      if (error instanceof InvalidInputError) {
        const errors: FormErrors = {};
        const issues =
          error.issues.length > 0 ? error.issues : [{ path: "", message: error.message }];
        for (const issue of issues) {
          errors[fieldOfIssue(issue.path, values)] ??= issue.message;
        }
        return formPage(c, territory, { ...(meeting ? { meeting } : {}), values, errors, checked });
      }
      if (error instanceof ConflictError && meeting) {
        return formPage(c, territory, {
          meeting,
          values,
          checked,
          notice: c.get("t")("meetings.unchanged"),
        });
      }
      throw error;
    }
    return c.redirect(`/admin/calendar?done=${done}`, 303);
  };

  admin.get("/meetings/new", protect("edit"), (c) => {
    const territory = territoryOf(c);
    if (!territory) return kit.noTerritory(c);
    return formPage(c, territory, {
      values: {
        kind: MEETING_KINDS[0],
        timeZone: territoryZones(c, territory)[0] ?? "UTC",
        languages: territory.languages.join(", "),
        visibility: "public",
      },
    });
  });

  admin.post("/meetings", protect("edit"), (c) => {
    const territory = territoryOf(c);
    if (!territory) return kit.noTerritory(c);
    const form = c.get("form");
    const checked = subnetworkChoices(form);
    const { values, errors, input } = readMeetingForm(c.get("t"), form, { editing: false });
    if (!input) return formPage(c, territory, { values, errors, checked });
    return saving(
      c,
      territory,
      values,
      checked,
      undefined,
      () =>
        kit.app.meetings.create(
          kit.actor(c),
          territory.slug,
          input,
          checked.length > 0 ? { subnetworks: checked } : {},
        ),
      "created",
    );
  });

  admin.get("/meetings/:id/edit", protect("edit"), (c) => {
    const found = meetingOf(c);
    if (!found) return c.notFound();
    const { payload, uuid } = found.row;
    return formPage(c, found.territory, {
      meeting: { id: uuid, title: payload.title },
      values: valuesOfPayload(payload),
    });
  });

  admin.post("/meetings/:id", protect("edit"), (c) => {
    const found = meetingOf(c);
    if (!found) return c.notFound();
    const form = c.get("form");
    const checked = subnetworkChoices(form);
    const meeting = { id: found.row.uuid, title: found.row.payload.title };
    const { values, errors, input } = readMeetingForm(c.get("t"), form, { editing: true });
    if (!input) return formPage(c, found.territory, { meeting, values, errors, checked });
    return saving(
      c,
      found.territory,
      values,
      checked,
      meeting,
      () =>
        kit.app.meetings.update(
          kit.actor(c),
          found.territory.slug,
          meeting.id,
          input,
          checked.length > 0 ? { subnetworks: checked } : {},
        ),
      "updated",
    );
  });

  admin.post("/meetings/:id/cancel", protect("edit"), (c) => {
    const found = meetingOf(c);
    if (!found) return c.notFound();
    if (found.row.payload.status === "cancelled") {
      return c.redirect("/admin/calendar?done=alreadyCancelled", 303);
    }
    kit.app.meetings.update(kit.actor(c), found.territory.slug, found.row.uuid, {
      status: "cancelled",
    });
    return c.redirect("/admin/calendar?done=cancelled", 303);
  });

  admin.get("/meetings/:id/delete", protect("edit"), (c) => {
    const found = meetingOf(c);
    if (!found) return c.notFound();
    const lang = c.get("lang");
    const { payload, uuid } = found.row;
    return c.html(
      <MeetingDeletePage
        t={c.get("t")}
        lang={lang}
        user={kit.user(c)}
        meeting={{
          id: uuid,
          title: payload.title,
          when: meetingWhenLabel(payload, lang === "fr" ? "fr" : "en"),
        }}
      />,
    );
  });

  admin.post("/meetings/:id/delete", protect("edit"), (c) => {
    const found = meetingOf(c);
    if (!found) return c.notFound();
    kit.app.meetings.delete(kit.actor(c), found.territory.slug, found.row.uuid);
    return c.redirect("/admin/calendar?done=deleted", 303);
  });
}
