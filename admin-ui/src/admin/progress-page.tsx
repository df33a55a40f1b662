import { shareGood } from "@spiral-network/protocol";
import { type LevelCountsView, ProgressChart, percentText } from "../charts/progress-chart";
import type { Lang, MessageKey, Translate } from "../i18n";
import { RadioChoices } from "./form-fields";
import {
  AdminLayout,
  CsrfField,
  ErrorSummary,
  Field,
  HintAndError,
  InlineChoice,
  PostButton,
  type SignedIn,
} from "./layout";

/** Paths of progress, self-survey campaigns, results and publication in the workspace. */

const PAGE_STYLE = `
  .statement { border: 1px solid #ccc; border-radius: 4px; padding: 0.5rem 0.75rem; margin: 0 0 0.75rem; }
  .statement textarea, .field textarea { width: 100%; min-height: 3.5rem; font: inherit; }
  .two { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1rem; }
  @media (max-width: 40rem) { .two { grid-template-columns: 1fr; } }
  aside.criteria { background: #f1f4f8; padding: 0.5rem 0.75rem; border-radius: 4px; }
  aside.criteria li { margin-bottom: 0.25rem; }
  .error { color: #b3261e; display: block; }
  .hint { color: #555; display: block; font-size: 0.9rem; }
  .field { margin-bottom: 0.75rem; }
  .field label { display: block; font-weight: 600; }
  .tag { border: 1px solid #888; border-radius: 3px; padding: 0 0.3rem; font-size: 0.85rem; margin-left: 0.4rem; }
  ul.codes { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: 0.5rem; }
  ul.codes li { border: 1px dashed #555; padding: 0.5rem; break-inside: avoid; }
  ul.codes code { font-size: 1.2rem; letter-spacing: 0.05em; }
  @media print { header.bar, .noprint { display: none; } }
`;

export interface PathSummary {
  uuid: string;
  code: string;
  /** The grid label of the code, in the page language. */
  label: string;
  version: number;
  usable: boolean;
  /** The statement of level 1 … 5 in the page language (or the first language written). */
  preview: string[];
}

export interface CampaignSummary {
  uuid: string;
  label: string;
  period: string;
  cycle: number;
  phase: "ex-ante" | "ex-post";
  closed: boolean;
  published: number | null;
}

export interface ProgressHomeProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  canEdit: boolean;
  paths: PathSummary[];
  campaigns: CampaignSummary[];
  notice?: string | undefined;
}

export function ProgressHomePage(props: ProgressHomeProps) {
  const { t, lang, user } = props;
  return (
    <AdminLayout
      t={t}
      lang={lang}
      title={t("progress.title")}
      path="/admin/progress"
      user={user}
      notice={props.notice}
    >
      <style>{PAGE_STYLE}</style>
      <p>{t("progress.intro")}</p>
      <h2>{t("progress.paths")}</h2>
      {props.paths.length === 0 ? <p>{t("progress.paths.none")}</p> : null}
      <ul id="paths">
        {props.paths.map((p) => (
          <li data-path={p.uuid}>
            <a href={`/admin/progress/paths/${p.uuid}`}>
              <strong>{p.code}</strong> · {p.label}
            </a>{" "}
            <span class="tag">{t("progress.path.version", { version: p.version })}</span>
            <span class="tag">
              {t(p.usable ? "progress.path.complete" : "progress.path.incomplete")}
            </span>
          </li>
        ))}
      </ul>
      {props.canEdit ? (
        <p>
          <a href="/admin/progress/paths/new">{t("progress.path.new")}</a>
        </p>
      ) : null}
      <h2>{t("progress.campaigns")}</h2>
      {props.campaigns.length === 0 ? <p>{t("progress.campaigns.none")}</p> : null}
      <ul id="campaigns">
        {props.campaigns.map((c) => (
          <li data-campaign={c.uuid}>
            <a href={`/admin/progress/campaigns/${c.uuid}`}>{c.label}</a> — {c.period},{" "}
            {t("progress.figures.cycle")} {c.cycle}, {t(`progress.phase.${c.phase}`)}
            {c.closed ? <span class="tag">{t("progress.campaign.closed")}</span> : null}
            {c.published !== null ? (
              <span class="tag">{t("progress.published.latest", { version: c.published })}</span>
            ) : null}
          </li>
        ))}
      </ul>
      {props.canEdit ? (
        <p>
          <a href="/admin/progress/campaigns/new">{t("progress.campaign.new")}</a>
        </p>
      ) : null}
      <p>
        <a href="/admin/progress/figures">{t("progress.figures")}</a>
      </p>
    </AdminLayout>
  );
}

export interface PathFormProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  /** null for a new path. */
  uuid: string | null;
  code: string;
  codeLabel?: string | undefined;
  /** The languages a statement can be written in (the territory's). */
  languages: string[];
  statements: Array<{ text: Record<string, string>; passage: string | null; criteria: number[] }>;
  confirmed: boolean;
  /** Validated criteria on the code, shown beside the statements. */
  criteria: Array<{ id: number; text: string; question: string }>;
  errors: Record<string, string | undefined>;
  notice?: string | undefined;
}

const PASSAGE_KEYS = ["P", "O", "Q", "S"] as const;

function StatementFields(props: { t: Translate; form: PathFormProps; index: number }) {
  const { t, form, index } = props;
  const level = index + 1;
  const statement = form.statements[index] ?? { text: {}, passage: null, criteria: [] };
  const error = form.errors[`s${level}`];
  return (
    <fieldset class="statement" id={`statement-${level}`}>
      <legend>{t(`progress.level.${level}` as MessageKey)}</legend>
      {error ? (
        <span class="error" id={`s${level}-error`}>
          {error}
        </span>
      ) : null}
      {form.languages.map((language) => {
        const id = `s${level}-${language}`;
        return (
          <div class="field">
            <label for={id}>{t("progress.statement", { lang: language })}</label>
            <textarea id={id} name={`s${level}.${language}`} lang={language} maxlength={500}>
              {statement.text[language] ?? ""}
            </textarea>
          </div>
        );
      })}
      {level > 1 ? (
        <div class="field">
          <label for={`s${level}-passage`}>{t("progress.passage")}</label>
          <select id={`s${level}-passage`} name={`s${level}.passage`}>
            {PASSAGE_KEYS.map((p) => (
              <option value={p} selected={(statement.passage ?? PASSAGE_KEYS[level - 2]) === p}>
                {t(`progress.passage.${p}`)}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {form.criteria.length > 0 ? (
        <div class="field">
          <label for={`s${level}-criteria`}>{t("progress.linked")}</label>
          <select
            id={`s${level}-criteria`}
            name={`s${level}.criteria`}
            multiple
            size={Math.min(4, form.criteria.length)}
          >
            {form.criteria.map((c) => (
              <option value={String(c.id)} selected={statement.criteria.includes(c.id)}>
                {c.question} · {c.text.slice(0, 80)}
              </option>
            ))}
          </select>
        </div>
      ) : null}
    </fieldset>
  );
}

/** Writing a path: the code, five statements with passages, the validated criteria beside. */
export function PathFormPage(props: PathFormProps) {
  const { t, lang, user } = props;
  const action = props.uuid ? `/admin/progress/paths/${props.uuid}` : "/admin/progress/paths/new";
  const title = props.uuid
    ? t("progress.path.title", { code: props.code })
    : t("progress.path.newTitle");
  return (
    <AdminLayout t={t} lang={lang} title={title} path={action} user={user} notice={props.notice}>
      <style>{PAGE_STYLE}</style>
      <ErrorSummary t={t} errors={props.errors} />
      {props.uuid === null ? (
        <form method="get" action="/admin/progress/paths/new" class="noprint">
          <Field
            name="code"
            label={t("progress.path.code")}
            hint={t("progress.path.code.hint")}
            value={props.code}
            error={props.errors.code}
          />
          <button type="submit">{t("progress.path.code.choose")}</button>
        </form>
      ) : null}
      <div class="two">
        <form method="post" action={action} id="path-form">
          <CsrfField token={user.csrf} />
          <input type="hidden" name="code" value={props.code} />
          {props.codeLabel ? (
            <p>
              <strong>{props.code}</strong> · {props.codeLabel}
            </p>
          ) : null}
          {[0, 1, 2, 3, 4].map((index) => (
            <StatementFields t={t} form={props} index={index} />
          ))}
          <div class="field">
            <InlineChoice
              type="checkbox"
              id="confirm"
              name="confirmedPublic"
              value="yes"
              checked={props.confirmed}
            >
              {t("progress.confirm")}
            </InlineChoice>
            <HintAndError id="confirm" error={props.errors.confirmedPublic} />
          </div>
          <button type="submit">{t("progress.save")}</button>
        </form>
        <aside class="criteria" aria-labelledby="criteria-title">
          <h2 id="criteria-title">{t("progress.criteria", { code: props.code || "–" })}</h2>
          <p class="hint">{t("progress.criteria.help")}</p>
          {props.criteria.length === 0 ? <p>{t("progress.criteria.none")}</p> : null}
          <ul id="criteria">
            {props.criteria.map((c) => (
              <li data-criterion={c.id}>
                <span class="tag">{c.question}</span> {c.text}
              </li>
            ))}
          </ul>
        </aside>
      </div>
    </AdminLayout>
  );
}

export interface CampaignFormProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  paths: PathSummary[];
  values: Record<string, string>;
  chosen: string[];
  errors: Record<string, string | undefined>;
}

export function CampaignFormPage(props: CampaignFormProps) {
  const { t, lang, user, values, errors } = props;
  const usable = props.paths.filter((p) => p.usable);
  return (
    <AdminLayout
      t={t}
      lang={lang}
      title={t("progress.campaign.new")}
      path="/admin/progress/campaigns/new"
      user={user}
    >
      <style>{PAGE_STYLE}</style>
      <ErrorSummary t={t} errors={errors} />
      <form method="post" action="/admin/progress/campaigns/new">
        <CsrfField token={user.csrf} />
        <Field
          name="label"
          label={t("progress.campaign.label")}
          value={values.label}
          error={errors.label}
          required
        />
        <div class="field">
          <label for="f-start">{t("progress.campaign.start")}</label>
          <HintAndError id="f-start" error={errors.start} />
          <input id="f-start" name="start" type="date" value={values.start ?? ""} required />
        </div>
        <div class="field">
          <label for="f-end">{t("progress.campaign.end")}</label>
          <HintAndError id="f-end" error={errors.end} />
          <input id="f-end" name="end" type="date" value={values.end ?? ""} required />
        </div>
        <Field
          name="cycle"
          type="number"
          min={0}
          max={3}
          label={t("progress.campaign.cycle")}
          value={values.cycle ?? "1"}
          error={errors.cycle}
        />
        <RadioChoices
          id="phase"
          name="phase"
          legend={t("progress.campaign.phase")}
          options={(["ex-ante", "ex-post"] as const).map((phase) => ({
            value: phase,
            label: t(`progress.phase.${phase}`),
          }))}
          checked={values.phase ?? "ex-ante"}
        />
        <fieldset>
          <legend>{t("progress.campaign.paths")}</legend>
          <HintAndError id="paths" error={errors.paths} />
          {usable.length === 0 ? <p>{t("progress.paths.none")}</p> : null}
          {usable.map((p) => (
            <InlineChoice
              type="checkbox"
              id={`path-${p.uuid}`}
              name="paths"
              value={p.uuid}
              checked={props.chosen.includes(p.uuid)}
            >
              {p.code} · {p.label}
            </InlineChoice>
          ))}
        </fieldset>
        <div class="field">
          <InlineChoice
            type="checkbox"
            id="askCategory"
            name="askCategory"
            value="yes"
            checked={values.askCategory === "yes"}
          >
            {t("progress.campaign.askCategory")}
          </InlineChoice>
        </div>
        <button type="submit">{t("progress.campaign.create")}</button>
      </form>
    </AdminLayout>
  );
}

export interface CampaignPath {
  versionId: number;
  pathUuid: string;
  code: string;
  label: string;
  /** Statements of levels 1–5 in the page language (or the first written). */
  statements: string[];
  counts: LevelCountsView;
  /** The same path in the territory's other campaigns, for ex-ante/ex-post. */
  others: Array<{
    label: string;
    phase: "ex-ante" | "ex-post";
    /** First day of that campaign (YYYY-MM-DD). */
    start: string;
    counts: LevelCountsView;
  }>;
}

export interface CampaignPageProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  canEdit: boolean;
  campaign: CampaignSummary & { surveyUrl: string; askCategory: boolean; start: string };
  codes: { issued: number; used: number };
  respondents: number;
  paths: CampaignPath[];
  categories: Array<{ code: string; label: string }>;
  preview: {
    /** A published version is public now (not withdrawn): it may be withdrawn. */
    withdrawable: boolean;
    publishable: boolean;
    blockers: string[];
    withheld: Array<{ what: string; reason: string }>;
    nextVersion: number;
  };
  k: number;
  notice?: string | undefined;
}

/** Level choices of one path as radio buttons (paper entry and the public survey share them). */
export function LevelChoices(props: {
  t: Translate;
  name: string;
  legend: string;
  statements: string[];
  statementLang?: string | undefined;
  checked?: string | undefined;
}) {
  const { t } = props;
  return (
    <fieldset class="statement">
      <legend>{props.legend}</legend>
      {[1, 2, 3, 4, 5].map((level) => (
        <div>
          <input
            type="radio"
            id={`${props.name}-${level}`}
            name={props.name}
            value={String(level)}
            checked={props.checked === String(level)}
          />{" "}
          <label for={`${props.name}-${level}`} style="display:inline">
            <strong>{level}</strong> —{" "}
            <span lang={props.statementLang}>{props.statements[level - 1] ?? ""}</span>
          </label>
        </div>
      ))}
      <div>
        <input
          type="radio"
          id={`${props.name}-dk`}
          name={props.name}
          value="dk"
          checked={props.checked === undefined || props.checked === "dk"}
        />{" "}
        <label for={`${props.name}-dk`} style="display:inline">
          {t("progress.level.dk")}
        </label>
      </div>
    </fieldset>
  );
}

export function CampaignPage(props: CampaignPageProps) {
  const { t, lang, user, campaign } = props;
  const base = `/admin/progress/campaigns/${campaign.uuid}`;
  return (
    <AdminLayout
      t={t}
      lang={lang}
      title={t("progress.campaign.title", { label: campaign.label })}
      path={base}
      user={user}
      notice={props.notice}
    >
      <style>{PAGE_STYLE}</style>
      <p>
        {campaign.period}, {t("progress.figures.cycle")} {campaign.cycle},{" "}
        {t(`progress.phase.${campaign.phase}`)}
        {campaign.closed ? <span class="tag">{t("progress.campaign.closed")}</span> : null}
      </p>
      <div class="field">
        <label for="survey-url">{t("progress.campaign.surveyUrl")}</label>
        <input id="survey-url" type="text" readonly value={campaign.surveyUrl} />{" "}
        <a href={campaign.surveyUrl}>{campaign.surveyUrl}</a>
      </div>
      <h2>{t("progress.results")}</h2>
      <p id="respondents">
        {props.respondents === 0
          ? t("progress.results.none")
          : t("progress.results.respondents", { n: props.respondents })}
      </p>
      {props.paths.map((p, index) => (
        <section data-path={p.pathUuid}>
          <h3>
            {p.code} · {p.label}
          </h3>
          <p class="share">
            {t("progress.results.share", { share: percentText(shareGood(p.counts)) })}
          </p>
          <ProgressChart
            id={`chart-${index}`}
            t={t}
            title={t("progress.chart.title", { path: `${p.code} · ${p.label}` })}
            series={[
              {
                label: `${t(`progress.phase.short.${campaign.phase}`)} ${campaign.start.slice(0, 7)}`,
                counts: p.counts,
              },
            ]}
          />
          {p.others.length > 0 ? (
            <>
              <h4>{t("progress.compare")}</h4>
              <ul class="compared">
                {[
                  ...p.others,
                  { label: campaign.label, phase: campaign.phase, start: campaign.start },
                ].map((o) => (
                  <li>
                    {t(`progress.phase.short.${o.phase}`)} {o.start.slice(0, 7)}: {o.label}
                  </li>
                ))}
              </ul>
              <ProgressChart
                id={`compare-${index}`}
                t={t}
                shares
                title={`${t("progress.compare")} — ${p.code}`}
                series={[
                  ...p.others.map((o) => ({
                    label: `${t(`progress.phase.short.${o.phase}`)} ${o.start.slice(0, 7)}`,
                    counts: o.counts,
                  })),
                  {
                    label: `${t(`progress.phase.short.${campaign.phase}`)} ${campaign.start.slice(0, 7)}`,
                    counts: p.counts,
                  },
                ]}
              />
            </>
          ) : null}
        </section>
      ))}
      {props.canEdit ? (
        <>
          <h2>{t("progress.codes")}</h2>
          <p id="codes-status">{t("progress.codes.status", props.codes)}</p>
          <form method="post" action={`${base}/codes`}>
            <CsrfField token={user.csrf} />
            <Field
              name="count"
              type="number"
              min={1}
              max={1000}
              label={t("progress.codes.howMany")}
              value="30"
            />
            <button type="submit">{t("progress.codes.print")}</button>
          </form>
          <PostButton
            action={`${base}/${campaign.closed ? "reopen" : "close"}`}
            csrf={user.csrf}
            label={t(campaign.closed ? "progress.campaign.reopen" : "progress.campaign.close")}
          />
          <h2>{t("progress.paper")}</h2>
          <form method="post" action={`${base}/paper`} id="paper-form">
            <CsrfField token={user.csrf} />
            {props.paths.map((p) => (
              <LevelChoices
                t={t}
                name={`p${p.versionId}`}
                legend={`${p.code} · ${p.label}`}
                statements={p.statements}
              />
            ))}
            {campaign.askCategory ? (
              <div class="field">
                <label for="paper-category">{t("survey.category")}</label>
                <select id="paper-category" name="category">
                  <option value="">{t("survey.category.none")}</option>
                  {props.categories.map((c) => (
                    <option value={c.code}>{c.label}</option>
                  ))}
                </select>
              </div>
            ) : null}
            <button type="submit">{t("progress.paper.save")}</button>
          </form>
          <h2>{t("progress.publish")}</h2>
          <p>{t("progress.publish.help", { k: props.k })}</p>
          {props.preview.blockers.length > 0 ? (
            <>
              <h3>{t("progress.publish.blocked")}</h3>
              <ul id="blockers">
                {props.preview.blockers.map((b) => (
                  <li>{b}</li>
                ))}
              </ul>
            </>
          ) : null}
          {props.preview.withheld.length > 0 ? (
            <>
              <h3>{t("progress.publish.withheld")}</h3>
              <ul id="withheld">
                {props.preview.withheld.map((w) => (
                  <li>
                    {w.what}: {w.reason}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {props.preview.publishable ? (
            <PostButton
              action={`${base}/publish`}
              csrf={user.csrf}
              label={t("progress.publish.button", { version: props.preview.nextVersion })}
            />
          ) : null}
          {props.preview.withdrawable ? (
            <>
              <h3>{t("progress.withdraw")}</h3>
              <p>{t("progress.withdraw.help")}</p>
              <PostButton
                action={`${base}/withdrawal`}
                csrf={user.csrf}
                label={t("progress.withdraw")}
              >
                <div class="field">
                  <label>
                    <input type="checkbox" name="confirm" value="yes" required />{" "}
                    {t("progress.withdraw.confirm")}
                  </label>
                </div>
              </PostButton>
            </>
          ) : null}
        </>
      ) : null}
    </AdminLayout>
  );
}

/**
 * A QR code as static SVG: one path of unit squares for the dark modules, a quiet zone of four
 * modules around them (what scanners need), black on white whatever the page's colours.
 */
function QrCode(props: { modules: boolean[][]; label: string }) {
  const size = props.modules.length;
  const quiet = 4;
  let d = "";
  props.modules.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) d += `M${x + quiet} ${y + quiet}h1v1h-1z`;
    });
  });
  const side = size + 2 * quiet;
  return (
    <svg
      role="img"
      aria-label={props.label}
      viewBox={`0 0 ${side} ${side}`}
      width="128"
      height="128"
      shape-rendering="crispEdges"
      style="display:block;margin:0 0 0.25rem"
    >
      <rect width={side} height={side} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}

/** The printable sheet of new one-time codes (shown once). */
export function CodesSheetPage(props: {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  label: string;
  surveyUrl: string;
  /** Each code, with the QR code of the answer page's address carrying it (dark modules). */
  codes: Array<{ code: string; qr: boolean[][] }>;
}) {
  const { t, lang, user } = props;
  return (
    <AdminLayout
      t={t}
      lang={lang}
      title={t("progress.codes.sheetTitle", { label: props.label })}
      path="/admin/progress"
      user={user}
    >
      <style>{PAGE_STYLE}</style>
      <p class="noprint">{t("progress.codes.sheetHelp")}</p>
      <ul class="codes" id="codes">
        {props.codes.map(({ code, qr }) => (
          <li>
            <QrCode modules={qr} label={t("progress.codes.qr", { code })} />
            {t("progress.codes.instruction", { url: props.surveyUrl })}
            <br />
            <code>{code}</code>
          </li>
        ))}
      </ul>
    </AdminLayout>
  );
}

export interface ProgressFiguresProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  filter: { code: string; country: string; cycle: string; category: string };
  rows: Array<{
    code: string;
    label: string;
    phases: Array<{
      phase: "ex-ante" | "ex-post";
      counts: LevelCountsView;
      territories: number;
      share: number | null;
    }>;
  }>;
  coverage: {
    included: Array<{ name: string; country: string; version: number }>;
    excluded: Array<{ origin: string; reason: string }>;
    fingerprint: string;
  };
  csvUrl: string;
}

/** Network figures of progress: per path component, ex-ante beside ex-post, with coverage. */
export function ProgressFiguresView(props: Omit<ProgressFiguresProps, "user" | "lang" | "filter">) {
  const { t } = props;
  return (
    <>
      <p>{t("progress.figures.intro")}</p>
      {props.rows.length === 0 ? <p id="no-progress">{t("progress.figures.none")}</p> : null}
      {props.rows.map((row, index) => (
        <section data-code={row.code}>
          <h3>
            {row.code} · {row.label}
          </h3>
          <ul>
            {row.phases.map((p) => (
              <li data-phase={p.phase}>
                {t(`progress.phase.${p.phase}`)}:{" "}
                {t("progress.results.share", { share: percentText(p.share) })},{" "}
                {t("progress.figures.territories", { n: p.territories })}
              </li>
            ))}
          </ul>
          <ProgressChart
            id={`network-${index}`}
            t={t}
            shares
            title={t("progress.chart.title", { path: `${row.code} · ${row.label}` })}
            series={row.phases.map((p) => ({
              label: t(`progress.phase.${p.phase}`),
              counts: p.counts,
            }))}
          />
        </section>
      ))}
      <h3>{t("progress.figures.coverage")}</h3>
      <ul id="progress-coverage">
        {props.coverage.included.map((i) => (
          <li>
            {i.name} ({i.country}), v{i.version}
          </li>
        ))}
      </ul>
      {props.coverage.excluded.length > 0 ? (
        <>
          <h4>{t("progress.figures.excluded")}</h4>
          <ul>
            {props.coverage.excluded.map((e) => (
              <li>
                {e.origin}: {e.reason}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <p>
        {t("progress.figures.fingerprint")}:{" "}
        <code id="progress-fingerprint">{props.coverage.fingerprint}</code>
      </p>
      <p>
        <a href={props.csvUrl}>{t("progress.figures.csv")}</a>
      </p>
    </>
  );
}

export function ProgressFiguresPage(props: ProgressFiguresProps) {
  const { t, lang, user, filter } = props;
  return (
    <AdminLayout
      t={t}
      lang={lang}
      title={t("progress.figures")}
      path="/admin/progress/figures"
      user={user}
    >
      <style>{PAGE_STYLE}</style>
      <form method="get" action="/admin/progress/figures" class="noprint">
        <Field
          name="code"
          label={t("progress.figures.code")}
          value={filter.code}
          hint={t("progress.path.code.hint")}
        />
        <Field name="country" label={t("figures.country")} value={filter.country} />
        <Field name="cycle" label={t("progress.figures.cycle")} value={filter.cycle} />
        <Field name="category" label={t("figures.category")} value={filter.category} />
        <button type="submit">{t("progress.filter")}</button>
      </form>
      <ProgressFiguresView {...props} />
    </AdminLayout>
  );
}
