import type { Lang, MessageKey, Translate } from "../i18n";
import { Select, TextArea } from "./form-fields";
import { AdminLayout, CsrfField, ErrorSummary, Field, InlineChoice, type SignedIn } from "./layout";

/** The fields of the meeting form, as text (what the facilitator typed). */
export const MEETING_FORM_FIELDS = [
  "title",
  "kind",
  "date",
  "startTime",
  "endTime",
  "endDate",
  "timeZone",
  "place",
  "street",
  "locality",
  "postalCode",
  "onlineUrl",
  "languages",
  "description",
  "registrationUrl",
  "capacity",
  "visibility",
  "status",
] as const;
export type MeetingFormField = (typeof MEETING_FORM_FIELDS)[number];
export type MeetingFormValues = Partial<Record<MeetingFormField, string>>;

export interface MeetingFormPageProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  /** The meeting being changed (absent: a new one). */
  meeting?: { id: string; title: string } | undefined;
  values: MeetingFormValues;
  errors: Partial<Record<MeetingFormField | "subnetworks", string>>;
  /** Kinds of meeting, with their label in the page's language. */
  kinds: ReadonlyArray<{ value: string; label: string }>;
  statuses: readonly string[];
  /** The territory's zones first, then every zone the node knows. */
  timeZones: { territory: readonly string[]; all: readonly string[] };
  /** Joined sub-networks a public meeting may also go to, and the ticked ones. */
  subnetworks: { options: ReadonlyArray<{ id: number; name: string }>; checked: number[] };
  notice?: string | undefined;
}

/**
 * Announcing or changing a meeting: one form in the order a facilitator thinks of it (what,
 * when, where, who), every field typed or chosen with the keyboard; the errors are the API's.
 */
export function MeetingFormPage(props: MeetingFormPageProps) {
  const { t, user, values: v, errors: e } = props;
  const editing = props.meeting;
  const action = editing ? `/admin/meetings/${editing.id}` : "/admin/meetings";
  const zoneOption = (zone: string) => (
    <option value={zone} selected={zone === v.timeZone}>
      {zone.replaceAll("_", " ")}
    </option>
  );
  const otherZones = props.timeZones.all.filter((z) => !props.timeZones.territory.includes(z));
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={editing ? t("meetings.editTitle") : t("meetings.newTitle")}
      path={editing ? `/admin/meetings/${editing.id}/edit` : "/admin/meetings/new"}
      user={user}
      notice={props.notice}
    >
      <p>{t("meetings.intro")}</p>
      <ErrorSummary
        t={t}
        errors={e}
        idOf={(name) => (name === "visibility" ? "f-visibility-public" : `f-${name}`)}
      />
      <form method="post" action={action} novalidate>
        <CsrfField token={user.csrf} />
        <Field
          name="title"
          label={t("meetings.field.title")}
          value={v.title}
          error={e.title}
          required
          autofocus
        />
        <Select id="f-kind" name="kind" label={t("meetings.field.kind")} error={e.kind}>
          {props.kinds.map((k) => (
            <option value={k.value} selected={k.value === v.kind}>
              {k.label}
            </option>
          ))}
        </Select>
        <div class="field-row">
          <Field
            name="date"
            label={t("meetings.field.date")}
            hint={t("meetings.field.date.hint")}
            value={v.date}
            error={e.date}
            required
          />
          <Field
            name="startTime"
            label={t("meetings.field.startTime")}
            hint={t("meetings.field.startTime.hint")}
            value={v.startTime}
            error={e.startTime}
            required
          />
          <Field
            name="endTime"
            label={t("meetings.field.endTime")}
            hint={t("meetings.field.startTime.hint")}
            value={v.endTime}
            error={e.endTime}
            required
          />
        </div>
        <Field
          name="endDate"
          label={t("meetings.field.endDate")}
          hint={t("meetings.field.endDate.hint")}
          value={v.endDate}
          error={e.endDate}
        />
        <Select
          id="f-timeZone"
          name="timeZone"
          label={t("meetings.field.timeZone")}
          hint={t("meetings.field.timeZone.hint")}
          error={e.timeZone}
        >
          {props.timeZones.territory.length > 0 ? (
            <optgroup label={t("meetings.timeZone.country")}>
              {props.timeZones.territory.map(zoneOption)}
            </optgroup>
          ) : null}
          <optgroup label={t("meetings.timeZone.all")}>{otherZones.map(zoneOption)}</optgroup>
        </Select>
        <fieldset aria-describedby="where-hint">
          <legend>{t("meetings.where")}</legend>
          <span class="hint" id="where-hint">
            {t("meetings.where.hint")}
          </span>
          <Field
            name="place"
            label={t("meetings.field.place")}
            hint={t("meetings.field.place.hint")}
            value={v.place}
            error={e.place}
          />
          <div class="field-row">
            <Field
              name="street"
              label={t("meetings.field.street")}
              value={v.street}
              error={e.street}
            />
            <Field
              name="postalCode"
              label={t("meetings.field.postalCode")}
              value={v.postalCode}
              error={e.postalCode}
            />
            <Field
              name="locality"
              label={t("meetings.field.locality")}
              value={v.locality}
              error={e.locality}
            />
          </div>
          <Field
            name="onlineUrl"
            label={t("meetings.field.onlineUrl")}
            hint={t("meetings.field.onlineUrl.hint")}
            value={v.onlineUrl}
            error={e.onlineUrl}
          />
        </fieldset>
        <fieldset>
          <legend>{t("meetings.visibility")}</legend>
          {e.visibility ? (
            <span class="error" id="visibility-error">
              {e.visibility}
            </span>
          ) : null}
          {(["public", "followers"] as const).map((value) => (
            <InlineChoice
              type="radio"
              id={`f-visibility-${value}`}
              name="visibility"
              value={value}
              checked={(v.visibility ?? "public") === value}
            >
              {t(`meetings.visibility.${value}`)}
            </InlineChoice>
          ))}
        </fieldset>
        {props.subnetworks.options.length > 0 ? (
          <fieldset id="f-subnetworks" aria-describedby="subnetworks-hint">
            <legend>{t("meetings.subnetworks")}</legend>
            <span class="hint" id="subnetworks-hint">
              {t("meetings.subnetworks.hint")}
            </span>
            {e.subnetworks ? (
              <span class="error" id="f-subnetworks-error">
                {e.subnetworks}
              </span>
            ) : null}
            {props.subnetworks.options.map((s) => (
              <InlineChoice
                type="checkbox"
                id={`f-subnetwork-${s.id}`}
                name={`subnetwork_${s.id}`}
                value="1"
                checked={props.subnetworks.checked.includes(s.id)}
              >
                {s.name}
              </InlineChoice>
            ))}
          </fieldset>
        ) : null}
        <fieldset>
          <legend>{t("meetings.details")}</legend>
          <Field
            name="languages"
            label={t("meetings.field.languages")}
            hint={t("meetings.field.languages.hint")}
            value={v.languages}
            error={e.languages}
          />
          <TextArea
            name="description"
            label={t("meetings.field.description")}
            rows={4}
            value={v.description}
            error={e.description}
          />
          <Field
            name="registrationUrl"
            label={t("meetings.field.registrationUrl")}
            value={v.registrationUrl}
            error={e.registrationUrl}
          />
          <Field
            name="capacity"
            label={t("meetings.field.capacity")}
            value={v.capacity}
            error={e.capacity}
          />
          {editing ? (
            <Select id="f-status" name="status" label={t("meetings.status")} error={e.status}>
              {props.statuses.map((s) => (
                <option value={s} selected={s === v.status}>
                  {t(`calendar.status.${s}` as MessageKey)}
                </option>
              ))}
            </Select>
          ) : null}
        </fieldset>
        <p>
          <button type="submit" class="primary">
            {editing ? t("meetings.save") : t("meetings.create")}
          </button>{" "}
          <a href="/admin/calendar">{t("meetings.back")}</a>
        </p>
      </form>
      {editing && v.status !== "cancelled" ? (
        <form method="post" action={`/admin/meetings/${editing.id}/cancel`}>
          <CsrfField token={user.csrf} />
          <p class="hint muted" id="cancel-hint">
            {t("meetings.cancel.hint")}
          </p>
          <button type="submit" aria-describedby="cancel-hint">
            {t("meetings.cancel")}
          </button>
        </form>
      ) : null}
      {editing ? (
        <p>
          <a href={`/admin/meetings/${editing.id}/delete`}>{t("meetings.delete")}</a>
        </p>
      ) : null}
    </AdminLayout>
  );
}

/** Asks before deleting a meeting (cancelling is usually what people need). */
export function MeetingDeletePage(props: {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  meeting: { id: string; title: string; when: string };
}) {
  const { t, user, meeting } = props;
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={t("meetings.deleteTitle")}
      path={`/admin/meetings/${meeting.id}/delete`}
      user={user}
    >
      <p>{t("meetings.deleteBody", { title: meeting.title, when: meeting.when })}</p>
      <form method="post" action={`/admin/meetings/${meeting.id}/delete`}>
        <CsrfField token={user.csrf} />
        <button type="submit">{t("meetings.deleteConfirm")}</button>{" "}
        <a href={`/admin/meetings/${meeting.id}/edit`} autofocus>
          {t("meetings.editTitle")}
        </a>
      </form>
    </AdminLayout>
  );
}
