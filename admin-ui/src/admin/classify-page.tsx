import type { Lang, Translate } from "../i18n";
import { QUESTION_CODES, type QuestionCode } from "./groups-page";
import { AdminLayout, CsrfField, type SignedIn } from "./layout";
import { ColumnsTable } from "./parts/columns-table";

/** A criterion as the classification pages show it. */
export interface ClassifyItem {
  id: number;
  text: string;
  language?: string | undefined;
  question: string;
  group: string;
  /** Proposed code and its component label (review tab). */
  code?: string | undefined;
  label?: string | undefined;
}

/** A grid component offered by the picker: its label in the interface language and the other. */
export interface PickerEntry {
  code: string;
  label: string;
  other: string;
  otherLang: Lang;
  provisional: boolean;
}

/** A component suggested for the criterion in focus, and why (protocol/src/suggest.ts). */
export interface SuggestionEntry extends PickerEntry {
  /** Similar validated criteria coded under it, most similar first. */
  because: string[];
  /** The criterion's words found in its grid label. */
  labelWords: string[];
}

/** Access keys of the first suggestions: 1, 2, 3 (P, V and S are the code form's). */
export const SUGGESTION_KEYS = ["1", "2", "3"] as const;

export interface ClassifyPageProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  canEdit: boolean;
  hasTerritory: boolean;
  tab: "queue" | "review";
  /** The unclassified criteria shown (the first of the queue), and how many remain in all. */
  queue: ClassifyItem[];
  queueTotal: number;
  focus?: ClassifyItem | undefined;
  /** The code typed or picked, and the parser's reason when it was refused. */
  code: string;
  error?: string | undefined;
  q: string;
  results: PickerEntry[];
  recent: PickerEntry[];
  /** Suggestions for the criterion in focus, best first (at most 3 get an access key). */
  suggestions: SuggestionEntry[];
  review: ClassifyItem[];
  reviewTotal: number;
  notice?: string | undefined;
  /** Criteria a grid import queued for review: their code was split into several. */
  gridReview?: GridReviewItem[] | undefined;
}

/** A criterion whose code the new grid version splits (it keeps its code until reclassified). */
export interface GridReviewItem {
  id: number;
  text: string;
  question: string;
  code: string;
  choices: string[];
  toVersion: string;
}

/** The criteria a grid import queued for review, each with a link to classify it again. */
function GridReviewSection(props: { t: Translate; items: GridReviewItem[] }) {
  const { t, items } = props;
  if (items.length === 0) return null;
  return (
    <section aria-labelledby="grid-review-title" id="grid-review">
      <h2 id="grid-review-title">{t("classify.review.title")}</h2>
      <p>{t("classify.review.help", { to: items[0]?.toVersion ?? "" })}</p>
      <ul>
        {items.map((item) => (
          <li>
            {t("classify.review.item", {
              text: item.text,
              question: item.question,
              code: item.code,
              choices: item.choices.join(", "),
            })}{" "}
            <a href={`/admin/classify?focus=${item.id}#f-code`}>{t("classify.review.open")}</a>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** An entry's name in the other language, then the provisional tag when it is one. */
function OtherNameAndProvisional(props: { t: Translate; entry: PickerEntry }) {
  const { entry } = props;
  return (
    <>
      <small class="muted" lang={entry.otherLang}>
        {entry.other}
      </small>
      {entry.provisional ? (
        <span class="tag badge-provisional">{props.t("classify.provisional")}</span>
      ) : null}
    </>
  );
}

const questionKey = (q: string): QuestionCode => QUESTION_CODES.find((c) => c === q) ?? "Q1";

/**
 * The classification workspace: the queue of unclassified criteria with one in focus and its
 * code form, a grid picker that works without JavaScript (search by code or words, links that
 * fill the code), recently used codes; and the review tab of proposed classifications.
 */
export function ClassifyPage(props: ClassifyPageProps) {
  const { t, user, focus } = props;
  const pickHref = (code: string) => {
    const params = new URLSearchParams();
    if (focus) params.set("focus", String(focus.id));
    if (props.q) params.set("q", props.q);
    params.set("code", code);
    return `/admin/classify?${params}#f-code`;
  };
  const entryLink = (entry: PickerEntry) => (
    <>
      <a href={pickHref(entry.code)}>
        <strong>{entry.code}</strong> {entry.label}
      </a>{" "}
      <OtherNameAndProvisional t={t} entry={entry} />
    </>
  );
  const path = props.tab === "review" ? "/admin/classify?tab=review" : "/admin/classify";
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={t("classify.title")}
      path={path}
      user={user}
      notice={props.notice}
    >
      <nav aria-label={t("classify.tabs")}>
        <ul class="tabs">
          <li>
            <a href="/admin/classify" aria-current={props.tab === "queue" ? "page" : undefined}>
              {t("classify.tab.queue", { count: props.queueTotal })}
            </a>
          </li>
          <li>
            <a
              href="/admin/classify?tab=review"
              aria-current={props.tab === "review" ? "page" : undefined}
            >
              {t("classify.tab.review", { count: props.reviewTotal })}
            </a>
          </li>
        </ul>
      </nav>
      {!props.hasTerritory ? (
        <p class="muted">{t("groups.noTerritory")}</p>
      ) : props.tab === "review" ? (
        <ReviewTab {...props} />
      ) : (
        <>
          {!props.canEdit ? <p class="muted">{t("classify.readOnly")}</p> : null}
          <GridReviewSection t={t} items={props.gridReview ?? []} />
          {focus ? (
            <section aria-labelledby="focus-title" class="focus">
              <h2 id="focus-title">{t("classify.focus")}</h2>
              <blockquote lang={focus.language}>{focus.text}</blockquote>
              <p class="muted">
                {t(`question.${questionKey(focus.question)}`)} · {t("classify.group")}
                {t("punct.colon")} {focus.group}
              </p>
              {props.canEdit ? (
                <>
                  {props.error ? (
                    <p class="error-summary" role="alert">
                      {t("classify.error.summary")}
                    </p>
                  ) : null}
                  <form method="post" action={`/admin/classify/${focus.id}`} novalidate>
                    <CsrfField token={user.csrf} />
                    <div class="field">
                      <label for="f-code">{t("classify.code")}</label>
                      <span class="hint" id="f-code-hint">
                        {t("classify.code.hint")}
                      </span>
                      {props.error ? (
                        <span class="error" id="f-code-error">
                          {props.error}
                        </span>
                      ) : null}
                      <input
                        id="f-code"
                        name="code"
                        type="text"
                        value={props.code}
                        autocomplete="off"
                        autocapitalize="characters"
                        spellcheck={false}
                        autofocus
                        aria-invalid={props.error ? "true" : undefined}
                        aria-describedby={props.error ? "f-code-hint f-code-error" : "f-code-hint"}
                      />
                    </div>
                    <div class="field-row">
                      <button
                        class="primary"
                        type="submit"
                        name="action"
                        value="proposed"
                        accesskey="p"
                      >
                        {t("classify.propose")}
                      </button>
                      <button
                        class="primary"
                        type="submit"
                        name="action"
                        value="validated"
                        accesskey="v"
                      >
                        {t("classify.validate")}
                      </button>
                      <button type="submit" name="action" value="skip" accesskey="s">
                        {t("classify.skip")}
                      </button>
                    </div>
                    <p class="hint muted">
                      {t("classify.keys")}
                      {props.suggestions.length > 0 ? ` ${t("classify.keys.suggestions")}` : null}
                    </p>
                  </form>
                </>
              ) : null}
            </section>
          ) : (
            <>
              <p>{t("classify.empty")}</p>
              <NextStep t={t} otherTabCount={props.reviewTotal} otherTab="review" />
            </>
          )}
          {focus ? <Suggestions {...props} focus={focus} /> : null}
          {props.canEdit && focus ? (
            <section aria-labelledby="picker-title">
              <h2 id="picker-title">{t("classify.picker")}</h2>
              {props.recent.length > 0 ? (
                <>
                  <h3>{t("classify.recent")}</h3>
                  <ul class="recent">
                    {props.recent.map((entry) => (
                      <li>{entryLink(entry)}</li>
                    ))}
                  </ul>
                </>
              ) : null}
              <search>
                <form method="get" action="/admin/classify">
                  <input type="hidden" name="focus" value={String(focus.id)} />
                  {props.code ? <input type="hidden" name="code" value={props.code} /> : null}
                  <div class="field">
                    <label for="f-q">{t("classify.search")}</label>
                    <span class="hint" id="f-q-hint">
                      {t("classify.search.hint")}
                    </span>
                    <input
                      id="f-q"
                      name="q"
                      type="search"
                      value={props.q}
                      autocomplete="off"
                      aria-describedby="f-q-hint"
                    />
                  </div>
                  <button type="submit">{t("classify.searchSubmit")}</button>
                </form>
              </search>
              <h3>
                {props.q
                  ? t("classify.results", { count: props.results.length, q: props.q })
                  : t("classify.allComponents")}
              </h3>
              {props.results.length === 0 ? (
                <p>{t("classify.noResults")}</p>
              ) : (
                <ul class="picker">
                  {props.results.map((entry) => (
                    <li>{entryLink(entry)}</li>
                  ))}
                </ul>
              )}
            </section>
          ) : null}
          {props.queue.length > 0 ? (
            <section aria-labelledby="queue-title">
              <h2 id="queue-title">
                {t("classify.queue", { shown: props.queue.length, total: props.queueTotal })}
              </h2>
              <ol>
                {props.queue.map((item) => (
                  <li>
                    {item.id === focus?.id ? (
                      <strong lang={item.language} aria-current="true">
                        {item.text}
                      </strong>
                    ) : (
                      <a href={`/admin/classify?focus=${item.id}`} lang={item.language}>
                        {item.text}
                      </a>
                    )}{" "}
                    <span class="muted">
                      ({item.question} · {item.group})
                    </span>
                  </li>
                ))}
              </ol>
            </section>
          ) : null}
        </>
      )}
    </AdminLayout>
  );
}

/**
 * The suggested components for the criterion in focus: each a one-click form proposing its code
 * (access keys 1–3) for editors, plain text for viewers, with the reason it was suggested.
 */
function Suggestions(props: ClassifyPageProps & { focus: ClassifyItem }) {
  const { t, user, focus } = props;
  return (
    <section aria-labelledby="suggest-title">
      <h2 id="suggest-title">{t("classify.suggestions")}</h2>
      {props.suggestions.length === 0 ? (
        <p class="muted">{t("classify.suggestions.none")}</p>
      ) : (
        <>
          <p class="hint muted">{t("classify.suggestions.intro")}</p>
          <ul class="tasks suggestions">
            {props.suggestions.map((entry, index) => {
              const key = SUGGESTION_KEYS[index];
              return (
                <li>
                  {props.canEdit ? (
                    <form method="post" action={`/admin/classify/${focus.id}`}>
                      <CsrfField token={user.csrf} />
                      <input type="hidden" name="code" value={entry.code} />
                      <button type="submit" name="action" value="proposed" accesskey={key}>
                        {t("classify.suggestion.propose", { code: entry.code })}
                      </button>{" "}
                      {entry.label} <OtherNameAndProvisional t={t} entry={entry} />
                      {key ? (
                        <small class="muted">
                          {" "}
                          ({t("classify.suggestion.key")} <kbd>{key}</kbd>)
                        </small>
                      ) : null}
                    </form>
                  ) : (
                    <p>
                      <strong>{entry.code}</strong> {entry.label}{" "}
                      <OtherNameAndProvisional t={t} entry={entry} />
                    </p>
                  )}
                  {entry.because.length > 0 ? (
                    <p class="muted">
                      {t("classify.suggestion.because")}{" "}
                      {entry.because.map((text, i) => (
                        <>
                          {i > 0 ? " · " : null}
                          <q>{text}</q>
                        </>
                      ))}
                    </p>
                  ) : null}
                  {entry.labelWords.length > 0 ? (
                    <p class="muted">
                      {t("classify.suggestion.labelWords", { words: entry.labelWords.join(", ") })}
                    </p>
                  ) : null}
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}

function ReviewTab(props: ClassifyPageProps) {
  const { t, user } = props;
  if (props.review.length === 0) {
    return (
      <>
        <p>{t("classify.review.none")}</p>
        <NextStep t={t} otherTabCount={props.queueTotal} otherTab="queue" />
      </>
    );
  }
  return (
    <>
      <p>{t("classify.review.intro", { shown: props.review.length, total: props.reviewTotal })}</p>
      <ColumnsTable
        columns={[t("classify.col.criterion"), t("classify.col.code"), t("classify.col.group")]}
      >
        {props.review.map((item) => (
          <tr>
            <td lang={item.language}>{item.text}</td>
            <td>
              <strong>{item.code}</strong> {item.label}
            </td>
            <td>
              {item.question} · {item.group}
            </td>
          </tr>
        ))}
      </ColumnsTable>
      {props.canEdit ? (
        <form method="post" action="/admin/classify/validate">
          <CsrfField token={user.csrf} />
          <input type="hidden" name="ids" value={props.review.map((i) => i.id).join(",")} />
          <p>
            <button class="primary" type="submit">
              {t("classify.validateShown", { count: props.review.length })}
            </button>
          </p>
        </form>
      ) : (
        <p class="muted">{t("classify.readOnly")}</p>
      )}
    </>
  );
}

/** When a tab is empty: the other tab if it has work, else the synthesis those codes feed. */
function NextStep(props: { t: Translate; otherTab: "queue" | "review"; otherTabCount: number }) {
  const { t } = props;
  return (
    <p id="next-step">
      {props.otherTabCount > 0 ? (
        <a href={props.otherTab === "review" ? "/admin/classify?tab=review" : "/admin/classify"}>
          {t(`classify.next.${props.otherTab}`, { count: props.otherTabCount })}
        </a>
      ) : (
        <a href="/admin/synthesis">{t("classify.next.synthesis")}</a>
      )}
    </p>
  );
}
