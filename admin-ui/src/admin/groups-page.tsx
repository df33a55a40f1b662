import type { Lang, Translate } from "../i18n";
import type { CodeLabel } from "../labels";
import {
  AdminLayout,
  CsrfField,
  describedBy,
  ErrorSummary,
  Field,
  HintAndError,
  type SignedIn,
} from "./layout";
import { ColumnsTable } from "./parts/columns-table";

export const QUESTION_CODES = ["Q1", "Q2", "Q3", "Q4"] as const;
export type QuestionCode = (typeof QUESTION_CODES)[number];
export const GENDER_FIELDS = ["female", "male", "other-or-undisclosed"] as const;
export const AGE_FIELDS = ["under-18", "18-29", "30-44", "45-64", "65-plus"] as const;

type Errors = Record<string, string | undefined>;

export interface GroupsPageProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  canEdit: boolean;
  /** The criteria export, offered to those whose role may take the data out (admins). */
  exportUrl?: string | undefined;
  hasTerritory: boolean;
  groups: Array<{
    id: number;
    label: string;
    category: string;
    sessionDates: string[];
    participants: number;
    criteria: number;
  }>;
  notice?: string | undefined;
}

/** The territory's groups: label, category, sessions, participants and criteria count. */
export function GroupsPage(props: GroupsPageProps) {
  const { t, user } = props;
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={t("groups.title")}
      path="/admin/groups"
      user={user}
      notice={props.notice}
    >
      <p>{t("groups.intro")}</p>
      {!props.hasTerritory ? (
        <p class="muted">{t("groups.noTerritory")}</p>
      ) : (
        <>
          {props.canEdit ? (
            <p>
              <a href="/admin/groups/new">{t("groups.create")}</a>
              {" · "}
              <a href="/admin/import">{t("nav.import")}</a>
            </p>
          ) : null}
          {props.exportUrl ? (
            <p>
              <a href={props.exportUrl} download aria-describedby="export-hint">
                {t("criteria.export")}
              </a>{" "}
              <span id="export-hint" class="muted">
                {t("criteria.export.hint")}
              </span>
            </p>
          ) : null}
          {props.groups.length === 0 ? (
            <p>{t("groups.none")}</p>
          ) : (
            <ColumnsTable
              columns={[
                t("groups.col.label"),
                t("groups.col.category"),
                t("groups.col.sessions"),
                t("groups.col.participants"),
                t("groups.col.criteria"),
                t("groups.col.actions"),
              ]}
            >
              {props.groups.map((g) => (
                <tr>
                  {/* The name leads to the criteria too: on a phone the actions column is off-screen. */}
                  <td>
                    <a href={`/admin/groups/${g.id}/criteria?question=Q1`}>{g.label}</a>
                  </td>
                  <td>{g.category}</td>
                  <td>
                    {g.sessionDates.map((date, i) => (
                      <>
                        {i > 0 ? ", " : ""}
                        <span class="nowrap">{date}</span>
                      </>
                    ))}
                  </td>
                  <td>{g.participants}</td>
                  <td>{g.criteria}</td>
                  <td>
                    <a href={`/admin/groups/${g.id}/criteria?question=Q1`}>
                      {t("groups.enterCriteria")}
                    </a>
                    {props.canEdit ? (
                      <>
                        {" · "}
                        <a href={`/admin/groups/${g.id}/edit`}>{t("groups.edit")}</a>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </ColumnsTable>
          )}
        </>
      )}
    </AdminLayout>
  );
}

export interface GroupFormPageProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  /** Absent when creating. */
  group?: { id: number; label: string } | undefined;
  categories: CodeLabel[];
  values: Record<string, string>;
  errors: Errors;
}

/** Create or edit a group; the form comes back with its values and field messages. */
export function GroupFormPage(props: GroupFormPageProps) {
  const { t, user, group } = props;
  const v = props.values;
  const e = props.errors;
  const path = group ? `/admin/groups/${group.id}/edit` : "/admin/groups/new";
  const countField = (name: string, label: string) => (
    <Field
      name={name}
      type="number"
      label={label}
      value={v[name]}
      error={e[name]}
      min={0}
      max={10_000}
    />
  );
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={group ? t("groups.editTitle", { label: group.label }) : t("groups.createTitle")}
      path={path}
      user={user}
    >
      <p>
        <a href="/admin/groups">{t("groups.back")}</a>
      </p>
      <ErrorSummary t={t} errors={e} />
      <form method="post" action={group ? `/admin/groups/${group.id}` : "/admin/groups"} novalidate>
        <CsrfField token={user.csrf} />
        <Field name="label" label={t("group.label")} value={v.label} error={e.label} required />
        <div class="field">
          <label for="f-category">{t("group.category")}</label>
          <HintAndError id="f-category" error={e.category} />
          <select
            id="f-category"
            name="category"
            aria-invalid={e.category ? "true" : undefined}
            aria-describedby={describedBy("f-category", undefined, e.category)}
          >
            <option value="">—</option>
            {props.categories.map((c) => (
              <option value={c.code} selected={c.code === v.category}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        <Field
          name="sessionDates"
          label={t("group.sessionDates")}
          hint={t("group.sessionDates.hint")}
          value={v.sessionDates}
          error={e.sessionDates}
          required
        />
        <Field
          name="participants"
          type="number"
          label={t("group.participants")}
          value={v.participants}
          error={e.participants}
          min={1}
          max={10_000}
          required
        />
        <div class="field">
          <label for="f-cycle">{t("group.cycle")}</label>
          <span class="hint" id="f-cycle-hint">
            {t("group.cycle.hint")}
          </span>
          {e.cycle ? <span class="error">{e.cycle}</span> : null}
          <select id="f-cycle" name="cycle" aria-describedby="f-cycle-hint">
            {["0", "1", "2", "3"].map((n) => (
              <option value={n} selected={n === (v.cycle || "0")}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <fieldset>
          <legend>{t("group.margins")}</legend>
          <p class="hint muted">{t("group.margins.hint")}</p>
          <h2>{t("group.margins.gender")}</h2>
          {e.gender ? <p class="error">{e.gender}</p> : null}
          <div class="field-row">
            {GENDER_FIELDS.map((band) => countField(`gender_${band}`, t(`gender.${band}`)))}
          </div>
          <h2>{t("group.margins.age")}</h2>
          {e.age ? <p class="error">{e.age}</p> : null}
          <div class="field-row">
            {AGE_FIELDS.map((band) => countField(`age_${band}`, t(`age.${band}`)))}
          </div>
        </fieldset>
        <div class="field">
          <label for="f-notes">{t("group.notes")}</label>
          <span class="hint" id="f-notes-hint">
            {t("group.notes.hint")}
          </span>
          {e.notes ? <span class="error">{e.notes}</span> : null}
          <textarea id="f-notes" name="notes" rows={4} aria-describedby="f-notes-hint">
            {v.notes ?? ""}
          </textarea>
        </div>
        <button class="primary" type="submit">
          {t("groups.save")}
        </button>
      </form>
    </AdminLayout>
  );
}

export interface CriteriaPageProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  canEdit: boolean;
  group: { id: number; label: string };
  question: QuestionCode;
  paste: boolean;
  criteria: Array<{ id: number; text: string; language?: string | undefined; status: string }>;
  /** What the form shows: text (single mode), lines (paste mode), language. */
  values: { text?: string; lines?: string; language: string };
  errors: { text?: string; language?: string; lines?: string[] };
  notice?: string | undefined;
  /** The criterion shown as an input (`?edit=<id>`), with the text typed and its error. */
  editing?: { id: number; text: string; error?: string | undefined } | undefined;
}

/**
 * Fast entry of one group's criteria for one question: a single autofocused input (Enter adds
 * and comes back empty), or a textarea to paste many lines; inline delete; question switch.
 */
export function CriteriaPage(props: CriteriaPageProps) {
  const { t, user, group, question } = props;
  const base = `/admin/groups/${group.id}/criteria`;
  const here = `${base}?question=${question}${props.paste ? "&mode=paste" : ""}`;
  const e = props.errors;
  const lineErrors = e.lines ?? [];
  const summary: Errors = { text: e.text, language: e.language };
  const editing = props.canEdit ? props.editing : undefined;
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={t("criteria.title", { label: group.label })}
      path={here}
      user={user}
      notice={props.notice}
    >
      <p>
        <a href="/admin/groups">{t("groups.back")}</a>
      </p>
      <nav aria-label={t("criteria.questions")}>
        <ul class="tabs">
          {QUESTION_CODES.map((q) => (
            <li>
              <a
                href={`${base}?question=${q}${props.paste ? "&mode=paste" : ""}`}
                aria-current={q === question ? "page" : undefined}
                title={t(`question.${q}`)}
              >
                {q} · {t(`question.short.${q}`)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <h2>{t(`question.${question}`)}</h2>
      {props.canEdit ? (
        <>
          <ErrorSummary t={t} errors={summary} />
          {lineErrors.length > 0 ? (
            <div class="error-summary" role="alert">
              {t("error.linesSummary", { count: lineErrors.length })}
              <ul class="lines">
                {lineErrors.map((line) => (
                  <li>{line}</li>
                ))}
              </ul>
            </div>
          ) : null}
          <form method="post" action={base} novalidate>
            <CsrfField token={user.csrf} />
            <input type="hidden" name="question" value={question} />
            {props.paste ? (
              <div class="field">
                <input type="hidden" name="mode" value="paste" />
                <label for="f-lines">{t("criteria.lines")}</label>
                <span class="hint" id="f-lines-hint">
                  {t("criteria.lines.hint")}
                </span>
                <textarea
                  id="f-lines"
                  name="lines"
                  rows={10}
                  autofocus={!editing}
                  aria-invalid={lineErrors.length > 0 ? "true" : undefined}
                  aria-describedby="f-lines-hint"
                >
                  {props.values.lines ?? ""}
                </textarea>
              </div>
            ) : (
              <Field
                name="text"
                label={t("criteria.text")}
                hint={t("criteria.text.hint")}
                value={props.values.text ?? ""}
                error={e.text}
                autocomplete="off"
                autofocus={!editing}
              />
            )}
            <Field
              name="language"
              label={t("criteria.language")}
              hint={t("criteria.language.hint")}
              value={props.values.language}
              error={e.language}
              autocomplete="off"
            />
            <button class="primary" type="submit">
              {props.paste ? t("criteria.addLines") : t("criteria.add")}
            </button>
          </form>
          <p>
            {props.paste ? (
              <a href={`${base}?question=${question}`}>{t("criteria.singleMode")}</a>
            ) : (
              <a href={`${base}?question=${question}&mode=paste`}>{t("criteria.pasteMode")}</a>
            )}
          </p>
        </>
      ) : (
        <p class="muted">{t("criteria.readOnly")}</p>
      )}
      <h2 id="list">{t("criteria.listTitle", { count: props.criteria.length })}</h2>
      {props.criteria.length === 0 ? (
        <p>{t("criteria.none")}</p>
      ) : (
        <ol>
          {props.criteria.map((c) =>
            editing?.id === c.id ? (
              <li id={`c-${c.id}`}>
                <CriterionEditForm
                  t={t}
                  csrf={user.csrf}
                  action={`${base}/${c.id}`}
                  cancel={`${here}#c-${c.id}`}
                  text={editing.text}
                  error={editing.error}
                />
              </li>
            ) : (
              <li id={`c-${c.id}`}>
                <span lang={c.language}>{c.text}</span>
                <span class="tag">{t(criterionStatusKey(c.status))}</span>
                {props.canEdit ? (
                  <>
                    {" "}
                    <a
                      href={`${here}&edit=${c.id}#c-${c.id}`}
                      aria-label={`${t("criteria.edit")}: ${c.text}`}
                    >
                      {t("criteria.edit")}
                    </a>
                    <form
                      method="post"
                      action={`${base}/${c.id}/delete`}
                      style="display:inline;margin-left:0.5rem"
                    >
                      <CsrfField token={user.csrf} />
                      <input type="hidden" name="question" value={question} />
                      <button
                        class="small"
                        type="submit"
                        aria-label={`${t("criteria.delete")}: ${c.text}`}
                      >
                        {t("criteria.delete")}
                      </button>
                    </form>
                  </>
                ) : null}
              </li>
            ),
          )}
        </ol>
      )}
    </AdminLayout>
  );
}

/**
 * One criterion as an autofocused input: Enter submits (the form's only text field), the
 * Cancel link goes back to the list unchanged.
 */
function CriterionEditForm(props: {
  t: Translate;
  csrf: string;
  action: string;
  cancel: string;
  text: string;
  error?: string | undefined;
}) {
  const { t } = props;
  const describedBy = ["f-edit-text-hint", props.error ? "f-edit-text-error" : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <form method="post" action={props.action} novalidate>
      <CsrfField token={props.csrf} />
      <div class="field">
        <label for="f-edit-text">{t("criteria.edit.label")}</label>
        <span class="hint" id="f-edit-text-hint">
          {t("criteria.edit.hint")}
        </span>
        {props.error ? (
          <span class="error" id="f-edit-text-error" role="alert">
            {props.error}
          </span>
        ) : null}
        <input
          id="f-edit-text"
          name="text"
          type="text"
          value={props.text}
          autocomplete="off"
          autofocus
          aria-invalid={props.error ? "true" : undefined}
          aria-describedby={describedBy}
        />
      </div>
      <button class="small" type="submit">
        {t("criteria.edit.save")}
      </button>{" "}
      <a href={props.cancel}>{t("criteria.edit.cancel")}</a>
    </form>
  );
}

const criterionStatusKey = (status: string) =>
  status === "validated"
    ? "criteria.status.validated"
    : status === "proposed"
      ? "criteria.status.proposed"
      : "criteria.status.unclassified";
