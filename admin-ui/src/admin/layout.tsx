import type { Child } from "hono/jsx";
import { type Lang, languageInfo, type MessageKey, type Translate } from "../i18n";
import { LANGUAGE_SWITCH_STYLE, LanguageSwitch } from "../language-switch";

/** Who is signed in, as the layout shows it (absent on setup and login). */
export interface SignedIn {
  name: string;
  role: "admin" | "facilitator" | "viewer";
  /** The session's CSRF token, for the sign-out form. */
  csrf: string;
  /** The node's territories and the one the workspace is on (the switcher shows with two). */
  territories?: ReadonlyArray<{ slug: string; name: string }>;
  territory?: string | undefined;
}

/** The top bar's territory switcher: every page works on the territory chosen here. */
function TerritorySwitch(props: { t: Translate; user: SignedIn; path: string }) {
  const { t, user } = props;
  const territories = user.territories ?? [];
  if (territories.length < 2) return null;
  return (
    <form method="post" action="/admin/territory" class="territory-switch">
      <input type="hidden" name="_csrf" value={user.csrf} />
      <input type="hidden" name="back" value={props.path} />
      <label for="territory-switch">{t("territory.label")}</label>
      <select id="territory-switch" name="territory">
        {territories.map((x) => (
          <option value={x.slug} selected={x.slug === user.territory}>
            {x.name}
          </option>
        ))}
      </select>
      <button type="submit">{t("territory.switch")}</button>
    </form>
  );
}

export interface AdminLayoutProps {
  t: Translate;
  lang: Lang;
  title: string;
  /** The path of this page, so the language switch comes back to it. */
  path: string;
  user?: SignedIn | undefined;
  /** A message shown above the content (after an action). */
  notice?: string | undefined;
  /** A deletion that can still be undone: its notice carries the Undo button. */
  undo?: UndoNotice | undefined;
  children: Child;
}

/** What a deletion's notice says and the entry its Undo button restores. */
export interface UndoNotice {
  id: number;
  message: string;
  /** ISO instant after which the deletion is final. */
  until: string;
}

const STYLE = `
  *, *::before, *::after { box-sizing: border-box; }
  body { font-family: system-ui, sans-serif; margin: 0; line-height: 1.5; color: #1b1b1b; background: #fafafa; }
  header.bar { background: #24405f; color: #fff; }
  header.bar .inner, main { max-width: 48rem; margin: 0 auto; padding: 0.75rem 1rem; }
  header.bar .inner { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; }
  header.bar a, header.bar button { color: #fff; }
  header.bar .brand { font-weight: 600; margin-inline-end: auto; text-decoration: none; }
  header.bar form { margin: 0; }
  header.bar nav.sections { flex-basis: 100%; display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; }
  header.bar [aria-current=page] { font-weight: 700; }
  header.bar button { background: none; border: 1px solid #fff8; border-radius: 4px; padding: 0.25rem 0.6rem; font: inherit; cursor: pointer; }
  h1 { font-size: 1.5rem; margin: 0.5rem 0 1rem; }
  h2 { font-size: 1.15rem; margin-top: 1.5rem; }
  .muted { color: #555; }
  .nowrap { white-space: nowrap; }
  .notice { background: #e7f3e9; border-inline-start: 4px solid #2e7d32; padding: 0.5rem 0.75rem; }
  .notice.undo { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; }
  .notice.undo p, .notice.undo form { margin: 0; }
  .error-summary, .error { color: #a4000f; }
  .error-summary { background: #fdecee; border-inline-start: 4px solid #a4000f; padding: 0.5rem 0.75rem; }
  .error-summary p { margin: 0; }
  .error-summary ul { margin: 0.25rem 0 0; padding-inline-start: 1.2rem; }
  .error-summary a { color: #a4000f; }
  .field .error, fieldset > .error { display: block; font-weight: 500; }
  fieldset { border: 1px solid #ccc; border-radius: 6px; margin: 0 0 1rem; padding: 0.5rem 1rem 1rem; background: #fff; }
  legend { font-weight: 600; padding: 0 0.25rem; }
  .field { margin: 0.75rem 0; }
  .field label { display: block; font-weight: 500; }
  .field .hint { display: block; font-size: 0.9rem; color: #555; }
  input[type=text], input[type=search], input[type=email], input[type=password], input[type=number], select, textarea { width: 100%; max-width: 28rem; padding: 0.5rem; font: inherit; border: 1px solid #888; border-radius: 4px; }
  textarea { max-width: 40rem; }
  input[type=number] { max-width: 8rem; }
  .field-row { display: flex; flex-wrap: wrap; gap: 0 1rem; }
  .tabs { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; padding: 0; list-style: none; }
  .tabs [aria-current=page] { font-weight: 700; }
  ul.lines { margin: 0.25rem 0 0; }
  input[aria-invalid=true], textarea[aria-invalid=true] { border-color: #a4000f; border-width: 2px; }
  main { overflow-wrap: break-word; }
  button.primary { background: #24405f; color: #fff; border: 0; border-radius: 4px; padding: 0.6rem 1.2rem; font: inherit; cursor: pointer; }
  main button:not(.primary) { font: inherit; color: #1b1b1b; background: #fff; border: 1px solid #888; border-radius: 4px; padding: 0.45rem 1rem; cursor: pointer; }
  main button.small { font-size: 0.9rem; padding: 0.2rem 0.5rem; }
  table { border-collapse: collapse; width: 100%; background: #fff; }
  th, td { text-align: start; padding: 0.4rem 0.5rem; border-bottom: 1px solid #ddd; vertical-align: top; }
  td form { display: inline-flex; gap: 0.25rem; margin-block: 0 0.25rem; margin-inline: 0 0.25rem; }
  td select { width: auto; padding: 0.2rem; }
  header.bar .territory-switch { display: inline-flex; gap: 0.35rem; align-items: center; }
  header.bar .territory-switch select { width: auto; padding: 0.2rem; }
  ul.tasks { padding: 0; list-style: none; }
  ul.tasks li { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 0.6rem 0.75rem; margin: 0.5rem 0; }
  .tag { font-size: 0.8rem; background: #eee; border-radius: 3px; padding: 0 0.3rem; margin-inline-start: 0.3rem; }
  .focus blockquote { font-size: 1.15rem; background: #fff; border-inline-start: 4px solid #24405f; margin: 0.5rem 0; padding: 0.5rem 0.75rem; }
  ul.picker, ul.recent { padding-inline-start: 1.2rem; }
  .badge-provisional { background: #fff3cd; border: 1px solid #b58900; }
  @media (max-width: 32rem) {
    .table-wrap { overflow-x: auto; }
    /* The key column (a group's name, an actor) stays in view while the others scroll. */
    .table-wrap th:first-child, .table-wrap td:first-child { position: sticky; left: 0; z-index: 1; background: #fff; box-shadow: 1px 0 0 #ddd; min-width: 7rem; max-width: 45vw; }
  }
`;

/** The workspace's sections, in the order of the top bar. */
const SECTIONS: ReadonlyArray<{ href: string; label: MessageKey; adminOnly?: boolean }> = [
  { href: "/admin/groups", label: "nav.groups" },
  { href: "/admin/classify", label: "nav.classify" },
  { href: "/admin/synthesis", label: "nav.synthesis" },
  { href: "/admin/progress", label: "nav.progress" },
  { href: "/admin/network", label: "nav.network" },
  { href: "/admin/subnetworks", label: "nav.subnetworks" },
  { href: "/admin/figures", label: "nav.figures" },
  { href: "/admin/calendar", label: "nav.calendar" },
  { href: "/admin/account", label: "nav.account" },
  { href: "/admin/users", label: "nav.users", adminOnly: true },
  { href: "/admin/grid", label: "nav.grid", adminOnly: true },
];

/** The shell of every workspace page: a top bar (sign-out, language), then the content. */
export function AdminLayout(props: AdminLayoutProps) {
  const { t, lang, user } = props;
  const here = props.path.split("?")[0] ?? "";
  return (
    <html lang={lang} dir={languageInfo(lang).dir}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${props.title} — ${t("app.title")}`}</title>
        <style>{STYLE + LANGUAGE_SWITCH_STYLE}</style>
        {/* Disables a long form's button once sent and shows its progress (forms marked data-busy). */}
        <script src="/admin/assets/busy.js" defer />
      </head>
      <body>
        <header class="bar">
          <div class="inner">
            <a class="brand" href="/admin">
              {t("app.node")} · {t("app.title")}
            </a>
            <LanguageSwitch
              t={t}
              lang={lang}
              href={(other) => `/admin/lang/${other}?back=${encodeURIComponent(props.path)}`}
            />
            {user ? <TerritorySwitch t={t} user={user} path={props.path} /> : null}
            {user ? (
              <form method="post" action="/admin/logout">
                <input type="hidden" name="_csrf" value={user.csrf} />
                <button type="submit">{t("nav.signOut")}</button>
              </form>
            ) : null}
            {user ? (
              // A navigation landmark on its own line, the current section marked.
              <nav class="sections">
                {SECTIONS.filter((s) => !s.adminOnly || user.role === "admin").map((s) => (
                  <a
                    href={s.href}
                    aria-current={
                      here === s.href || here.startsWith(`${s.href}/`) ? "page" : undefined
                    }
                  >
                    {t(s.label)}
                  </a>
                ))}
              </nav>
            ) : null}
          </div>
        </header>
        <main>
          <h1>{props.title}</h1>
          {props.notice ? (
            <p class="notice" role="status">
              {props.notice}
            </p>
          ) : null}
          {props.undo && user ? (
            <div class="notice undo" role="status">
              <p>
                {props.undo.message} {t("undo.until", { time: props.undo.until.slice(11, 16) })}
              </p>
              <form method="post" action={`/admin/undo/${props.undo.id}`}>
                <CsrfField token={user.csrf} />
                <button type="submit">{t("undo.button")}</button>
              </form>
            </div>
          ) : null}
          {props.children}
        </main>
      </body>
    </html>
  );
}

/**
 * The status line of a form marked `data-busy`: hidden until the form is sent, then (with the
 * workspace's small script) it says the node is working and for how many seconds.
 */
export function BusyStatus(props: { label: string }) {
  return (
    <p data-busy-status hidden role="status" class="busy">
      <progress aria-label={props.label} /> {props.label} (<span data-busy-seconds>0</span> s)
    </p>
  );
}

/** A hidden CSRF field: every form of the workspace carries one. */
export function CsrfField(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}

/**
 * A form of one small button posting to `action` (approve, remove, leave, …), with its CSRF
 * field; `children` are its hidden fields, if any.
 */
export function PostButton(props: {
  action: string;
  csrf: string;
  label: string;
  /** Names what the button acts on when its label alone does not (screen readers). */
  ariaLabel?: string | undefined;
  children?: Child;
}) {
  return (
    <form method="post" action={props.action}>
      <CsrfField token={props.csrf} />
      {props.children}
      <button type="submit" class="small" aria-label={props.ariaLabel}>
        {props.label}
      </button>
    </form>
  );
}

/**
 * The list of problems at the top of a form that failed validation: each one a link to its
 * field (`f-<name>` unless `idOf` says otherwise), so a keyboard or screen-reader user goes
 * straight to it.
 */
export function ErrorSummary(props: {
  t: Translate;
  errors: Record<string, string | undefined>;
  idOf?: (name: string) => string;
}) {
  const listed = Object.entries(props.errors).filter(
    (entry): entry is [string, string] => typeof entry[1] === "string" && entry[1] !== "",
  );
  const idOf = props.idOf ?? ((name: string) => `f-${name}`);
  return listed.length > 0 ? (
    <div class="error-summary" role="alert">
      <p>{props.t("error.summary")}</p>
      <ul>
        {listed.map(([name, message]) => (
          <li>
            <a href={`#${idOf(name)}`}>{message}</a>
          </li>
        ))}
      </ul>
    </div>
  ) : null;
}

/** The ids a control's `aria-describedby` names: its hint and its error, when it has them. */
export function describedBy(
  id: string,
  hint: string | undefined,
  error: string | undefined,
): string | undefined {
  return (
    [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined
  );
}

/** A control's hint and error, with the ids `describedBy` links it to. */
export function HintAndError(props: {
  id: string;
  hint?: string | undefined;
  error?: string | undefined;
}) {
  return (
    <>
      {props.hint ? (
        <span class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </span>
      ) : null}
      {props.error ? (
        <span class="error" id={`${props.id}-error`}>
          {props.error}
        </span>
      ) : null}
    </>
  );
}

/** One checkbox or radio button with its label beside it (a line of a fieldset's choices). */
export function InlineChoice(props: {
  type: "checkbox" | "radio";
  id: string;
  name: string;
  value: string;
  checked: boolean;
  children: Child;
}) {
  return (
    <div>
      <input
        type={props.type}
        id={props.id}
        name={props.name}
        value={props.value}
        checked={props.checked}
      />{" "}
      <label for={props.id} style="display:inline">
        {props.children}
      </label>
    </div>
  );
}

/** A labelled input with its hint and its error, linked for screen readers. */
export function Field(props: {
  name: string;
  label: string;
  type?: "text" | "email" | "password" | "number";
  value?: string | undefined;
  error?: string | undefined;
  hint?: string | undefined;
  autocomplete?: string;
  required?: boolean;
  autofocus?: boolean;
  min?: number;
  max?: number;
}) {
  const id = `f-${props.name}`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <HintAndError id={id} hint={props.hint} error={props.error} />
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        value={props.type === "password" ? undefined : (props.value ?? "")}
        autocomplete={props.autocomplete}
        required={props.required ?? false}
        autofocus={props.autofocus ?? false}
        min={props.min}
        max={props.max}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={describedBy(id, props.hint, props.error)}
      />
    </div>
  );
}

/** A page with a title and a message only (forbidden, expired form, …). */
export function MessagePage(props: {
  t: Translate;
  lang: Lang;
  title: string;
  body: string;
  path: string;
  user?: SignedIn | undefined;
}) {
  return (
    <AdminLayout
      t={props.t}
      lang={props.lang}
      title={props.title}
      path={props.path}
      user={props.user}
    >
      <p>{props.body}</p>
      <p>
        <a href="/admin">{props.t("csrf.back")}</a>
      </p>
    </AdminLayout>
  );
}
