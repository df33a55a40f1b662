import type { SynthesisPayload } from "@spiral-network/protocol";
import type { BarRow, BarSeries } from "../charts/grouped-bar-chart";
import { SynthesisCharts } from "../charts/synthesis-charts";
import type { Lang, Translate } from "../i18n";
import { bandInWords, blockerInWords, withheldInWords } from "./disclosure-words";
import { AdminLayout, CsrfField, InlineChoice, PostButton, type SignedIn } from "./layout";
import { CategoryTotalsTable } from "./parts/category-totals-table";
import { ColumnsTable } from "./parts/columns-table";
import { PeriodForm, type PeriodValues, periodQuery } from "./synthesis-page";

type Errors = Record<string, string | undefined>;

/** One published version, as the list shows it. */
export interface PublishedVersion {
  /** The synthesis (all versions of one period): its public page and the withdraw target. */
  synthesisId: string;
  periodKey: string;
  version: number;
  publishedAt: string;
  hash: string;
  withdrawn: boolean;
  /** Only the latest version of a synthesis carries the withdraw button. */
  latest: boolean;
}

export interface PublishPageProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  canEdit: boolean;
  hasTerritory: boolean;
  period: PeriodValues;
  periodErrors: Errors;
  notice?: string | undefined;
  /** The version just published (after the redirect): the page links to its public page. */
  publishedVersion?: number | undefined;
  /** A refused publish or withdraw, in plain words (with the rule's reasons when there are any). */
  failure?: { message: string; reasons: string[] } | undefined;
  /** The disclosure policy, to state the rules. */
  policy: { k: number; marginMinimum: number };
  /** Absent when the period could not be read. */
  preview?:
    | {
        correction: boolean;
        /** The published version nothing has changed since: there is nothing to publish. */
        unchangedSince: number | null;
        /** The period's criteria by state: only validated ones are counted. */
        pending: { unclassified: number; proposed: number; validated: number };
        previousVersion: number | null;
        nextVersion: number;
        blockers: string[];
        withheld: Array<{ what: string; reason: string }>;
        payload: SynthesisPayload | null;
        /** The payload exactly as it is sent, pretty-printed. */
        json: string;
        series: BarSeries[];
        dimensions: BarRow[];
        components: BarRow[];
        categories: BarRow[];
      }
    | undefined;
  categoryLabel: (code: string) => string;
  versions: PublishedVersion[];
  /** The sub-networks the territory joined (accepted), to address the synthesis to. */
  subnetworks?: { options: SubnetworkChoice[]; checked: number[] } | undefined;
}

/** A joined sub-network, named by the id of the territory's follow of it. */
export interface SubnetworkChoice {
  id: number;
  name: string;
  handle?: string | undefined;
}

/** What publishing the period would send, what it holds back and why; the publish form; the published versions. */
export function PublishPage(props: PublishPageProps) {
  const { t, preview, user } = props;
  const query = periodQuery(props.period);
  const path = `/admin/synthesis/preview?${query}${preview?.correction ? "&correction=1" : ""}`;
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={t("publish.title")}
      path={path}
      user={user}
      notice={props.notice}
    >
      <JustPublished t={t} version={props.publishedVersion} versions={props.versions} />
      <p>{t("publish.intro")}</p>
      <p>{t("publish.rules", { k: props.policy.k, margin: props.policy.marginMinimum })}</p>
      {props.failure ? (
        <div class="error-summary" role="alert" id="failure">
          <p>{props.failure.message}</p>
          {props.failure.reasons.length > 0 ? (
            <ul>
              {props.failure.reasons.map((r) => (
                <li>{blockerInWords(t, r)}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      {!props.hasTerritory ? (
        <p class="muted">{t("groups.noTerritory")}</p>
      ) : (
        <>
          <PeriodForm
            t={t}
            action="/admin/synthesis/preview"
            period={props.period}
            errors={props.periodErrors}
            hidden={preview?.correction ? { correction: "1" } : {}}
          />
          <p>
            <a href={`/admin/synthesis?${query}`}>{t("publish.backToSynthesis")}</a>
          </p>
          {preview ? <Preview {...props} preview={preview} query={query} /> : null}
          <Versions {...props} />
        </>
      )}
    </AdminLayout>
  );
}

function Preview(
  props: PublishPageProps & {
    preview: NonNullable<PublishPageProps["preview"]>;
    query: string;
  },
) {
  const { t, preview, categoryLabel } = props;
  const { payload } = preview;
  return (
    <>
      {preview.unchangedSince !== null ? (
        <p class="notice" id="up-to-date">
          {t("publish.upToDate", { version: preview.unchangedSince })}
        </p>
      ) : null}
      <Pending t={t} pending={preview.pending} lang={props.lang} />
      {preview.unchangedSince === null && preview.blockers.length > 0 ? (
        <section aria-labelledby="blockers">
          <h2 id="blockers">{t("publish.blockers")}</h2>
          <ul class="blockers">
            {preview.blockers.map((b) => (
              <li>{blockerInWords(t, b)}</li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="withheld">
        <h2 id="withheld">{t("publish.withheld")}</h2>
        {preview.withheld.length === 0 ? (
          <p class="muted">{t("publish.withheld.none")}</p>
        ) : (
          <ul class="withheld">
            {preview.withheld.map((w) => (
              <li>{withheldInWords(t, w, categoryLabel)}</li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="readable">
        <h2 id="readable">{t("publish.readable")}</h2>
        {payload ? <Readable {...props} payload={payload} /> : <p>{t("publish.nothing")}</p>}
      </section>
      {payload ? (
        <section aria-labelledby="raw">
          <h2 id="raw">{t("publish.raw")}</h2>
          <pre
            class="raw-json"
            tabindex={0}
            style="overflow:auto;max-height:30rem;background:#fff;border:1px solid #ddd;padding:0.5rem"
          >
            <code>{preview.json}</code>
          </pre>
        </section>
      ) : null}
      <PublishForm {...props} />
    </>
  );
}

function Readable(
  props: PublishPageProps & {
    preview: NonNullable<PublishPageProps["preview"]>;
    payload: SynthesisPayload;
  },
) {
  const { t, payload, preview, categoryLabel } = props;
  const period = `${payload.period.start} → ${payload.period.end}${
    payload.period.cycle === undefined
      ? ""
      : ` (${t("synthesis.cycle.n", { n: payload.period.cycle })})`
  }`;
  const margins = Object.entries(payload.margins ?? {}).map(
    ([name, cells]) =>
      `${t(`margin.${name as "gender" | "age"}`)}${t("punct.colon")} ${Object.entries(cells ?? {})
        .map(([band, n]) => `${bandInWords(t, name as "gender" | "age", band)} ${n}`)
        .join(", ")}`,
  );
  const row = (label: string, value: string | number) => (
    <tr>
      <th scope="row">{label}</th>
      <td>{value}</td>
    </tr>
  );
  return (
    <>
      <div class="table-wrap">
        <table class="readable">
          <tbody>
            {row(t("publish.field.territory"), payload.territory.name)}
            {row(t("publish.field.period"), period)}
            {row(t("publish.field.grid"), `${payload.grid.id} ${payload.grid.version}`)}
            {row(t("publish.field.groups"), payload.groups)}
            {row(t("publish.field.participants"), payload.participants)}
            {row(t("publish.field.criteria"), payload.totals.criteria)}
            {row(t("publish.field.version"), payload.version)}
            {row(t("publish.field.previous"), payload.previous ?? t("publish.none"))}
            {row(
              t("publish.field.correction"),
              payload.correction ? t("publish.yes") : t("publish.no"),
            )}
            {row(
              t("publish.field.margins"),
              margins.length > 0 ? margins.join(" · ") : t("publish.none"),
            )}
          </tbody>
        </table>
      </div>
      {payload.categories ? (
        <>
          <h3>{t("publish.categories")}</h3>
          <CategoryTotalsTable
            class="published-categories"
            columns={{
              category: t("publish.col.category"),
              groups: t("publish.col.groups"),
              participants: t("publish.col.participants"),
            }}
            rows={payload.categories.map((c) => ({
              label: categoryLabel(c.category),
              groups: c.groups,
              participants: c.participants,
            }))}
          />
        </>
      ) : null}
      <SynthesisCharts
        t={t}
        id="payload"
        level={3}
        series={preview.series}
        dimensions={preview.dimensions}
        components={preview.components}
        categories={preview.categories}
      />
    </>
  );
}

/** How many of the period's criteria are not counted, and why (with their share of all). */
function Pending(props: {
  t: Translate;
  lang: Lang;
  pending: { unclassified: number; proposed: number; validated: number };
}) {
  const { t, pending } = props;
  const total = pending.unclassified + pending.proposed + pending.validated;
  const share = (n: number) =>
    new Intl.NumberFormat(props.lang, { style: "percent", maximumFractionDigits: 0 }).format(
      total === 0 ? 0 : n / total,
    );
  const notCounted = pending.unclassified + pending.proposed;
  return (
    <section aria-labelledby="pending">
      <h2 id="pending">{t("publish.pending")}</h2>
      {notCounted === 0 ? (
        <p>{t("publish.pending.none", { total })}</p>
      ) : (
        <>
          <ul class="pending">
            {pending.unclassified > 0 ? (
              <li>
                {t("publish.pending.unclassified", {
                  count: pending.unclassified,
                  share: share(pending.unclassified),
                })}
              </li>
            ) : null}
            {pending.proposed > 0 ? (
              <li>
                {t("publish.pending.proposed", {
                  count: pending.proposed,
                  share: share(pending.proposed),
                })}
              </li>
            ) : null}
            <li>
              {t("publish.pending.counted", {
                count: pending.validated,
                share: share(pending.validated),
              })}
            </li>
          </ul>
          <p>
            <a href="/admin/classify">{t("publish.pending.classify")}</a>
          </p>
        </>
      )}
    </section>
  );
}

/** The publish form: period and correction as previewed; more choices (checkboxes) fit in its fieldset. */
function PublishForm(
  props: PublishPageProps & {
    preview: NonNullable<PublishPageProps["preview"]>;
    query: string;
  },
) {
  const { t, preview, period, user } = props;
  const toggled = `/admin/synthesis/preview?${props.query}${preview.correction ? "" : "&correction=1"}`;
  return (
    <section aria-labelledby="publish">
      <h2 id="publish">{t("publish.form")}</h2>
      {!props.canEdit ? (
        <p class="muted">{t("publish.viewerOnly")}</p>
      ) : preview.unchangedSince !== null ? (
        <p>{t("publish.upToDate", { version: preview.unchangedSince })}</p>
      ) : (
        <form method="post" action="/admin/synthesis/publish" class="publish">
          <CsrfField token={user.csrf} />
          <input type="hidden" name="start" value={period.start} />
          <input type="hidden" name="end" value={period.end} />
          <input type="hidden" name="cycle" value={period.cycle} />
          <p>{t("publish.form.intro", { version: preview.nextVersion })}</p>
          {preview.previousVersion !== null ? (
            <fieldset>
              <div class="field">
                <input
                  type="checkbox"
                  id="publish-correction"
                  name="correction"
                  value="1"
                  checked={preview.correction}
                  aria-describedby="publish-correction-hint"
                />{" "}
                <label for="publish-correction" style="display:inline">
                  {t("publish.correction", { version: preview.previousVersion })}
                </label>
                <span class="hint" id="publish-correction-hint">
                  {t("publish.correction.hint", {
                    state: preview.correction
                      ? t("publish.correction.as")
                      : t("publish.correction.notAs"),
                  })}{" "}
                  <a href={toggled}>
                    {preview.correction
                      ? t("publish.correction.showNotAs")
                      : t("publish.correction.showAs")}
                  </a>
                </span>
              </div>
            </fieldset>
          ) : null}
          <SubnetworkChoices t={t} choices={props.subnetworks} />
          {preview.payload ? (
            <button type="submit" class="primary">
              {t("publish.review")}
            </button>
          ) : (
            // Blocked: the choices stay (a correction may be allowed), never a button that fails.
            <p id="publish-blocked">{t("publish.form.blockedNoButton")}</p>
          )}
        </form>
      )}
    </section>
  );
}

/** Checkboxes of the joined sub-networks; each one ticked re-announces the synthesis to its members. */
function SubnetworkChoices(props: { t: Translate; choices: PublishPageProps["subnetworks"] }) {
  const { t, choices } = props;
  if (!choices) return null;
  return (
    <fieldset aria-describedby="publish-subnetworks-hint">
      <legend>{t("publish.subnetworks")}</legend>
      <span class="hint" id="publish-subnetworks-hint">
        {t("publish.subnetworks.hint")}
      </span>
      {choices.options.length === 0 ? (
        <p class="muted">{t("publish.subnetworks.none")}</p>
      ) : (
        choices.options.map((o) => (
          <InlineChoice
            type="checkbox"
            id={`publish-subnetwork-${o.id}`}
            name={`subnetwork_${o.id}`}
            value="1"
            checked={choices.checked.includes(o.id)}
          >
            {o.name}
            {o.handle ? <span class="muted"> {o.handle}</span> : null}
          </InlineChoice>
        ))
      )}
    </fieldset>
  );
}

function Versions(props: PublishPageProps) {
  const { t, versions, user } = props;
  return (
    <section aria-labelledby="versions">
      <h2 id="versions">{t("publish.versions")}</h2>
      {versions.length === 0 ? (
        <p class="muted">{t("publish.versions.none")}</p>
      ) : (
        <ColumnsTable
          class="versions"
          columns={[
            t("publish.col.period"),
            t("publish.col.version"),
            t("publish.col.date"),
            t("publish.col.hash"),
            t("publish.col.page"),
            t("publish.col.status"),
          ]}
        >
          {versions.map((v) => (
            <tr data-synthesis={v.synthesisId} data-version={v.version}>
              <td>{v.periodKey}</td>
              <td>{v.version}</td>
              <td>{v.publishedAt.slice(0, 10)}</td>
              <td>
                <code style="word-break:break-all">{v.hash}</code>
              </td>
              <td>
                <a href={`/syntheses/${v.synthesisId}`}>{t("publish.open")}</a>
              </td>
              <td>
                {v.withdrawn ? t("publish.status.withdrawn") : t("publish.status.public")}
                {props.canEdit && v.latest && !v.withdrawn ? (
                  <PostButton
                    action="/admin/synthesis/withdraw"
                    csrf={user.csrf}
                    label={t("publish.withdraw")}
                  >
                    <input type="hidden" name="synthesis" value={v.synthesisId} />
                    <input type="hidden" name="back" value={periodQuery(props.period)} />
                  </PostButton>
                ) : null}
              </td>
            </tr>
          ))}
        </ColumnsTable>
      )}
    </section>
  );
}

/** Right after publishing: where the new version can be seen (and shared) by everyone. */
function JustPublished(props: {
  t: Translate;
  version: number | undefined;
  versions: PublishedVersion[];
}) {
  // Newest first, so the first match is the version this redirect is about.
  const published = props.versions.find(
    (v) => v.version === props.version && v.latest && !v.withdrawn,
  );
  if (!published) return null;
  return (
    <p id="published-link">
      <a href={`/syntheses/${published.synthesisId}`}>{props.t("publish.done.link")}</a>
    </p>
  );
}
