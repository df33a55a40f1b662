import type { Lang, Translate } from "../i18n";
import {
  AdminLayout,
  BusyStatus,
  CsrfField,
  describedBy,
  ErrorSummary,
  HintAndError,
  type SignedIn,
} from "./layout";
import { ColumnsTable } from "./parts/columns-table";

const QUESTIONS = ["Q1", "Q2", "Q3", "Q4"] as const;
export const CODE_MODES = ["proposed", "validated"] as const;
export type CodeMode = (typeof CODE_MODES)[number];

/** What the check of a file found: the lines to correct, or what would be saved. */
export type ImportCheck =
  | {
      ok: false;
      /** Every bad line the node reported (a file-level problem may have no line). */
      issues: Array<{ line?: number | undefined; message: string }>;
      /** How many lines are bad in all (more than listed when the list is capped). */
      badLines: number;
      /** The node's summary, shown when no line is named (e.g. an empty file). */
      message: string;
    }
  | {
      ok: true;
      rows: number;
      /** These rows were imported before: when (ISO time) and how many. */
      alreadyImported?: { at: string; rows: number } | undefined;
      byGroupQuestion: Record<string, Partial<Record<(typeof QUESTIONS)[number], number>>>;
      sample: Array<{
        line: number;
        group: string;
        question: string;
        text: string;
        language?: string | undefined;
        code?: string | undefined;
      }>;
    };

export interface ImportPageProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  /** The largest file accepted, written for people (e.g. "5 MiB"). */
  maxSize: string;
  /** The CSV text (shown in the textarea, and carried to the save step). */
  csv: string;
  codes: CodeMode;
  errors?: { input?: string | undefined };
  check?: ImportCheck | undefined;
  notice?: string | undefined;
  /** Just after saving: the page points to the next step, classification. */
  imported?: boolean | undefined;
  /** The one-time key of the import form, so that sending it twice imports once. */
  importKey?: string | undefined;
}

const EXAMPLE = `group;question;text;code;language
Young people of the centre;Q1;Having friends to count on;A01;en
Young people of the centre;Q2;"Noise at night
in the street";;en
Elders of the district;Q3;I visit my neighbour;;en`;

const EXAMPLE_FR = `groupe;question;texte;code;langue
Jeunes du centre;Q1;Avoir des amis sur qui compter;A01;fr
Jeunes du centre;Q2;"Le bruit la nuit
dans la rue";;fr
Aînés du quartier;Q3;Je rends visite à ma voisine;;fr`;

/**
 * CSV import in two steps without JavaScript: check (every bad line listed, or what would be
 * saved), then save the same text, which the node checks again.
 */
export function ImportPage(props: ImportPageProps) {
  const { t, user, check } = props;
  const e = props.errors ?? {};
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={t("import.title")}
      path="/admin/import"
      user={user}
      notice={props.notice}
    >
      {props.imported ? (
        <p id="imported-next">
          <a href="/admin/classify">{t("import.next")}</a>
        </p>
      ) : null}
      <p>
        <a href="/admin/groups">{t("groups.back")}</a>
      </p>
      <p>{t("import.intro")}</p>
      {check ? (
        <CheckResult
          t={t}
          check={check}
          csv={props.csv}
          codes={props.codes}
          user={user}
          importKey={props.importKey}
        />
      ) : null}
      <ErrorSummary t={t} errors={e} />
      <form
        method="post"
        action="/admin/import/preview"
        enctype="multipart/form-data"
        novalidate
        data-busy
      >
        <CsrfField token={user.csrf} />
        <div class="field">
          <label for="f-file">{t("import.file")}</label>
          <span class="hint" id="f-file-hint">
            {t("import.file.hint", { size: props.maxSize })}
          </span>
          <input
            id="f-file"
            name="file"
            type="file"
            accept=".csv,text/csv,text/plain"
            aria-describedby="f-file-hint"
            autofocus={!check}
          />
        </div>
        <div class="field">
          <label for="f-csv">{t("import.paste")}</label>
          <HintAndError id="f-csv" hint={t("import.paste.hint")} error={e.input} />
          <textarea
            id="f-csv"
            name="csv"
            rows={8}
            spellcheck={false}
            autofocus={check?.ok === false}
            aria-invalid={e.input ? "true" : undefined}
            aria-describedby={describedBy("f-csv", t("import.paste.hint"), e.input)}
          >
            {props.csv}
          </textarea>
        </div>
        <div class="field">
          <label for="f-codes">{t("import.codes")}</label>
          <select id="f-codes" name="codes">
            {CODE_MODES.map((mode) => (
              <option value={mode} selected={mode === props.codes}>
                {t(`import.codes.${mode}`)}
              </option>
            ))}
          </select>
        </div>
        <button class="primary" type="submit">
          {t("import.check")}
        </button>
        <BusyStatus label={t("import.checking")} />
      </form>
      <h2 id="columns">{t("import.columns.title")}</h2>
      <p>{t("import.columns.intro")}</p>
      <ColumnsTable
        columns={[t("import.col.name"), t("import.col.required"), t("import.col.meaning")]}
      >
        {(
          [
            ["group", "group / groupe", true],
            ["question", "question", true],
            ["text", "text / texte", true],
            ["code", "code", false],
            ["language", "language / langue", false],
          ] as const
        ).map(([key, names, required]) => (
          <tr>
            <th scope="row">
              <code>{names}</code>
            </th>
            <td>{required ? t("import.yes") : t("import.no")}</td>
            <td>{t(`import.doc.${key}`)}</td>
          </tr>
        ))}
      </ColumnsTable>
      <h3>{t("import.example")}</h3>
      <pre
        class="example"
        style="overflow-x:auto;background:#fff;border:1px solid #ddd;padding:0.5rem"
      >
        {props.lang === "fr" ? EXAMPLE_FR : EXAMPLE}
      </pre>
    </AdminLayout>
  );
}

function CheckResult(props: {
  t: Translate;
  check: ImportCheck;
  csv: string;
  codes: CodeMode;
  user: SignedIn;
  importKey?: string | undefined;
}) {
  const { t, check } = props;
  if (!check.ok) {
    const lined = check.issues.filter((issue) => issue.line !== undefined);
    return (
      <section aria-labelledby="check-title">
        <h2 id="check-title">{t("import.previewTitle")}</h2>
        <div class="error-summary" role="alert">
          {lined.length > 0
            ? t("import.bad", { count: check.badLines }) +
              (check.badLines > lined.length
                ? ` ${t("import.badListed", { shown: lined.length })}`
                : "")
            : t("import.fileProblem", { message: check.message })}
        </div>
        {lined.length > 0 ? (
          <ColumnsTable columns={[t("import.col.line"), t("import.col.problem")]}>
            {check.issues.map((issue) => (
              <tr>
                <th scope="row">
                  {issue.line === undefined ? "—" : t("import.badLine", { line: issue.line })}
                </th>
                <td>{issue.message}</td>
              </tr>
            ))}
          </ColumnsTable>
        ) : null}
      </section>
    );
  }
  const groups = Object.entries(check.byGroupQuestion);
  return (
    <section aria-labelledby="check-title">
      <h2 id="check-title">{t("import.previewTitle")}</h2>
      <p class="notice" role="status">
        {t("import.good", { count: check.rows })}
      </p>
      {check.alreadyImported ? (
        <p class="error-summary" role="alert">
          {t("import.alreadyImported", {
            date: check.alreadyImported.at.slice(0, 10),
            rows: check.alreadyImported.rows,
          })}
        </p>
      ) : null}
      <h3>{t("import.byGroup")}</h3>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t("import.col.group")}</th>
              {QUESTIONS.map((q) => (
                <th scope="col" title={t(`question.${q}`)}>
                  {q}
                </th>
              ))}
              <th scope="col">{t("import.col.total")}</th>
            </tr>
          </thead>
          <tbody>
            {groups.map(([group, counts]) => (
              <tr>
                <th scope="row">{group}</th>
                {QUESTIONS.map((q) => (
                  <td>{counts[q] ?? 0}</td>
                ))}
                <td>{QUESTIONS.reduce((sum, q) => sum + (counts[q] ?? 0), 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>{t("import.sample", { count: check.sample.length })}</h3>
      <ColumnsTable
        columns={[
          t("import.col.line"),
          t("import.col.group"),
          t("import.col.questionShort"),
          t("import.col.text"),
          t("import.col.code"),
          t("import.col.language"),
        ]}
      >
        {check.sample.map((row) => (
          <tr>
            <td>{row.line}</td>
            <td>{row.group}</td>
            <td>{row.question}</td>
            <td lang={row.language}>{row.text}</td>
            <td>{row.code ?? ""}</td>
            <td>{row.language ?? ""}</td>
          </tr>
        ))}
      </ColumnsTable>
      {/* The save step sends the same text back; the node checks it all again before saving. */}
      <form method="post" action="/admin/import" enctype="multipart/form-data" data-busy>
        <CsrfField token={props.user.csrf} />
        {props.importKey ? <input type="hidden" name="importKey" value={props.importKey} /> : null}
        <input type="hidden" name="csv" value={props.csv} />
        <input type="hidden" name="codes" value={props.codes} />
        <p>
          <button class="primary" type="submit" autofocus>
            {t("import.confirm", { count: check.rows })}
          </button>{" "}
          <a href="/admin/import">{t("import.startOver")}</a>
        </p>
        <BusyStatus label={t("import.saving")} />
      </form>
    </section>
  );
}
