import type { Lang, Translate } from "../i18n";
import type { CodeLabel } from "../labels";
import { Select } from "./form-fields";
import {
  AdminLayout,
  CsrfField,
  describedBy,
  ErrorSummary,
  Field,
  HintAndError,
  type SignedIn,
  type UndoNotice,
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
  undo?: UndoNotice | undefined;
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
      undo={props.undo}
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
      <ErrorSummary
        t={t}
        errors={e}
        // A margin's total has no field of its own: the summary leads to its first band.
        idOf={(name) =>
          name === "gender" || name === "age"
            ? `f-${name}_${name === "gender" ? GENDER_FIELDS[0] : AGE_FIELDS[0]}`
            : `f-${name}`
        }
      />
      <form method="post" action={group ? `/admin/groups/${group.id}` : "/admin/groups"} novalidate>
        <CsrfField token={user.csrf} />
        <Field name="label" label={t("group.label")} value={v.label} error={e.label} required />
        <Select id="f-category" name="category" label={t("group.category")} error={e.category}>
          <option value="">—</option>
          {props.categories.map((c) => (
            <option value={c.code} selected={c.code === v.category}>
              {c.label}
            </option>
          ))}
        </Select>
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
      {group ? (
        <p>
          <a href={`/admin/groups/${group.id}/delete`}>{t("group.delete")}</a>
        </p>
      ) : null}
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
  undo?: UndoNotice | undefined;
  /** The territory's languages, offered for the criteria typed here. */
  languages: readonly string[];
  /** Which page of the question's criteria is listed (1-based), of how many. */
  page: { number: number; count: number; size: number; total: number };
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
  /** This page of the list, kept by Edit, Cancel, Save and Delete. */
  const onPage = `${here}&page=${props.page.number}`;
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
      undo={props.undo}
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
            <LanguageChoice
              t={t}
              lang={props.lang}
              languages={props.languages}
              value={props.values.language}
              error={e.language}
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
      <h2 id="list">{t("criteria.listTitle", { count: props.page.total })}</h2>
      <Pages t={t} href={here} page={props.page} />
      {props.criteria.length === 0 ? (
        <p>{t("criteria.none")}</p>
      ) : (
        <ol start={(props.page.number - 1) * props.page.size + 1}>
          {props.criteria.map((c) =>
            editing?.id === c.id ? (
              <li id={`c-${c.id}`}>
                <CriterionEditForm
                  t={t}
                  csrf={user.csrf}
                  action={`${base}/${c.id}`}
                  cancel={`${onPage}#c-${c.id}`}
                  page={props.page.number}
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
                      // No #c-N: a fragment would cancel the edit field's autofocus (it scrolls itself into view).
                      href={`${onPage}&edit=${c.id}`}
                      aria-label={`${t("criteria.edit")}: ${c.text}`}
                    >
                      {t("criteria.edit")}
                    </a>
                    <form
                      method="post"
                      action={`${base}/${c.id}/delete`}
                      style="display:inline;margin-inline-start:0.5rem"
                    >
                      <CsrfField token={user.csrf} />
                      <input type="hidden" name="question" value={question} />
                      <input type="hidden" name="page" value={String(props.page.number)} />
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
  page: number;
}) {
  const { t } = props;
  const describedBy = ["f-edit-text-hint", props.error ? "f-edit-text-error" : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <form method="post" action={props.action} novalidate>
      <CsrfField token={props.csrf} />
      <input type="hidden" name="page" value={String(props.page)} />
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

/** Asks before deleting a group with its criteria (undoable for a few minutes). */
export function GroupDeletePage(props: {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  group: { id: number; label: string; criteria: number };
  minutes: number;
}) {
  const { t, user, group } = props;
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={t("group.delete.title", { label: group.label })}
      path={`/admin/groups/${group.id}/delete`}
      user={user}
    >
      <p>{t("group.delete.body", { count: group.criteria, minutes: props.minutes })}</p>
      <form method="post" action={`/admin/groups/${group.id}/delete`}>
        <CsrfField token={user.csrf} />
        <button type="submit">{t("group.delete.yes")}</button>{" "}
        <a href={`/admin/groups/${group.id}/edit`}>{t("group.delete.no")}</a>
      </form>
    </AdminLayout>
  );
}

/** The language of the criteria typed here: the territory's languages, the last used chosen. */
function LanguageChoice(props: {
  t: Translate;
  lang: Lang;
  languages: readonly string[];
  value: string;
  error?: string | undefined;
}) {
  const { t } = props;
  const names = new Intl.DisplayNames([props.lang], { type: "language", fallback: "code" });
  const name = (code: string) => {
    try {
      return names.of(code) ?? code;
    } catch {
      return code;
    }
  };
  const options = props.languages.includes(props.value)
    ? props.languages
    : [...props.languages, ...(props.value ? [props.value] : [])];
  return (
    <div class="field">
      <label for="f-language">{t("criteria.language")}</label>
      <HintAndError id="f-language" hint={t("criteria.language.hint")} error={props.error} />
      <select
        id="f-language"
        name="language"
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={describedBy("f-language", t("criteria.language.hint"), props.error)}
      >
        {options.map((code) => (
          <option value={code} selected={code === props.value}>
            {name(code)} ({code})
          </option>
        ))}
      </select>
    </div>
  );
}

/** Previous and next pages of a long list (a 5 000-criterion group is 50 pages, not one). */
function Pages(props: { t: Translate; href: string; page: { number: number; count: number } }) {
  const { t, page } = props;
  if (page.count <= 1) return null;
  const link = (n: number) => `${props.href}&page=${n}#list`;
  return (
    <nav aria-label={t("criteria.pages")} class="pages">
      <p>
        {page.number > 1 ? (
          <>
            <a href={link(1)}>{t("criteria.pages.first")}</a>
            {" · "}
            <a href={link(page.number - 1)} rel="prev">
              {t("criteria.pages.previous")}
            </a>
            {" · "}
          </>
        ) : null}
        <span aria-current="page">
          {t("criteria.pages.current", { number: page.number, count: page.count })}
        </span>
        {page.number < page.count ? (
          <>
            {" · "}
            <a href={link(page.number + 1)} rel="next">
              {t("criteria.pages.next")}
            </a>
            {" · "}
            <a href={link(page.count)}>{t("criteria.pages.last")}</a>
          </>
        ) : null}
      </p>
    </nav>
  );
}
