import type { BarRow, BarSeries } from "../charts/grouped-bar-chart";
import { SynthesisCharts } from "../charts/synthesis-charts";
import type { Lang, MessageKey, Translate } from "../i18n";
import { AdminLayout, CsrfField, type SignedIn } from "./layout";
import { webHref } from "./network-page";
import { CategoryTotalsTable } from "./parts/category-totals-table";

const QUESTIONS = ["Q1", "Q2", "Q3", "Q4"] as const;

export interface ReceivedSynthesisItem {
  id: number;
  territory: { url: string; name: string; country: string; region?: string | undefined };
  period: { start: string; end: string; cycle?: number | undefined };
  version: number;
  receivedAt: string;
  /** The relay it came through (absent: delivered by its own territory). */
  via?: { url: string; label: string } | undefined;
  conflicted: boolean;
  withdrawn: boolean;
}

export interface ReceivedSynthesesPageProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  items: ReceivedSynthesisItem[];
}

/** The period in words: start – end, and the SPIRAL cycle when given. */
export function periodLabel(t: Translate, period: ReceivedSynthesisItem["period"]): string {
  const range = `${period.start} – ${period.end}`;
  return period.cycle === undefined
    ? range
    : `${range} (${t("received.cycle", { cycle: period.cycle })})`;
}

const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** Verification: only proof-checked syntheses are stored; withdrawal and conflicts are marked. */
function verificationKey(item: ReceivedSynthesisItem): MessageKey {
  if (item.withdrawn) return "received.state.withdrawn";
  return "received.state.verified";
}

function ViaCell(props: { t: Translate; via: ReceivedSynthesisItem["via"] }) {
  return props.via ? (
    <a href={webHref(props.via.url)} rel="noopener noreferrer">
      {props.via.label}
    </a>
  ) : (
    props.t("received.direct")
  );
}

/** Every synthesis received from other territories, newest first. */
export function ReceivedSynthesesPage(props: ReceivedSynthesesPageProps) {
  const { t, user } = props;
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={t("received.title")}
      path="/admin/network/syntheses"
      user={user}
    >
      <p>{t("received.intro")}</p>
      <p>
        <a href="/admin/network">{t("network.back")}</a>
      </p>
      {props.items.length === 0 ? (
        <p>{t("received.none")}</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="muted">{t("received.caption", { count: props.items.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("received.col.territory")}</th>
                <th scope="col">{t("received.col.period")}</th>
                <th scope="col">{t("received.col.version")}</th>
                <th scope="col">{t("received.col.receivedAt")}</th>
                <th scope="col">{t("received.col.via")}</th>
                <th scope="col">{t("received.col.verification")}</th>
                <th scope="col">{t("received.col.conflicts")}</th>
              </tr>
            </thead>
            <tbody>
              {props.items.map((item) => (
                <tr>
                  <td>
                    <a href={`/admin/network/syntheses/${item.id}`}>{item.territory.name}</a>
                    <span class="muted">
                      {" "}
                      {item.territory.country}
                      {item.territory.region ? ` · ${item.territory.region}` : ""}
                    </span>
                  </td>
                  <td>{periodLabel(t, item.period)}</td>
                  <td>{item.version}</td>
                  <td>{when(item.receivedAt)}</td>
                  <td>
                    <ViaCell t={t} via={item.via} />
                  </td>
                  <td>{t(verificationKey(item))}</td>
                  <td>{item.conflicted ? t("received.conflicted") : t("received.noConflict")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </AdminLayout>
  );
}

export interface ReceivedSynthesisDetail extends ReceivedSynthesisItem {
  objectId: string;
  /** The grid version it was coded with, and whether this node knows it. */
  grid?: { name: string; known: boolean } | undefined;
  hash: string;
  previous: string | null;
  correction: boolean;
  conflictingHash?: string | undefined;
  participants: number;
  groups: number;
  criteria: number;
  byQuestion: Partial<Record<(typeof QUESTIONS)[number], number>>;
  /** The chart series (well-being, ill-being, actions), in the page language. */
  series: readonly BarSeries[];
  /** One row per dimension of the grid (and any other the payload counts). */
  dimensions: readonly BarRow[];
  /** One row per component with at least one criterion. */
  components: readonly BarRow[];
  /** Absent when the payload publishes no breakdown by group category. */
  categories?:
    | {
        rows: readonly BarRow[];
        totals: ReadonlyArray<{ label: string; groups: number; participants: number }>;
      }
    | undefined;
}

/**
 * Relaying: present for editors when the node is on the network. `refusal` says why this
 * synthesis cannot be relayed (withdrawn, conflicted, or nobody to relay it to).
 */
export interface RelayOption {
  followers: number;
  refusal?: "withdrawn" | "conflicted" | "noFollowers" | undefined;
}

export interface ReceivedSynthesisPageProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  item: ReceivedSynthesisDetail;
  relay?: RelayOption | undefined;
  notice?: string | undefined;
}

/** Why relaying is refused, in words (the page and the refusal answer say the same). */
export const RELAY_REFUSAL: Record<NonNullable<RelayOption["refusal"]>, MessageKey> = {
  withdrawn: "received.relay.withdrawn",
  conflicted: "received.relay.conflicted",
  noFollowers: "received.relay.noFollowers",
};

/** Shares the synthesis, unchanged, with this territory's followers (editors only). */
function RelaySection(props: { t: Translate; user: SignedIn; id: number; relay: RelayOption }) {
  const { t, relay } = props;
  return (
    <section aria-labelledby="relay">
      <h2 id="relay">{t("received.relay.title")}</h2>
      {relay.refusal ? (
        <p class="muted">{t(RELAY_REFUSAL[relay.refusal])}</p>
      ) : (
        <>
          <p>{t("received.relay.explained", { count: relay.followers })}</p>
          <form method="post" action={`/admin/network/syntheses/${props.id}/relay`}>
            <CsrfField token={props.user.csrf} />
            <button type="submit">{t("received.relay.button")}</button>
          </form>
        </>
      )}
    </section>
  );
}

/** One received synthesis: where it comes from, its state, and the charts of its counts. */
export function ReceivedSynthesisPage(props: ReceivedSynthesisPageProps) {
  const { t, user, item } = props;
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={t("received.detailTitle", {
        territory: item.territory.name,
        period: periodLabel(t, item.period),
      })}
      path={`/admin/network/syntheses/${item.id}`}
      user={user}
      notice={props.notice}
    >
      <p>
        <a href="/admin/network/syntheses">{t("received.back")}</a>
      </p>
      {item.conflicted ? (
        <p class="error-summary" role="note">
          {t("received.conflictExplained")}
        </p>
      ) : null}
      {item.withdrawn ? <p class="muted">{t("received.withdrawnExplained")}</p> : null}
      <dl>
        <dt>{t("received.col.territory")}</dt>
        <dd>
          <a href={webHref(item.territory.url)} rel="noopener noreferrer">
            {item.territory.name}
          </a>{" "}
          ({item.territory.country}
          {item.territory.region ? ` · ${item.territory.region}` : ""})
        </dd>
        <dt>{t("received.col.period")}</dt>
        <dd>{periodLabel(t, item.period)}</dd>
        <dt>{t("received.col.version")}</dt>
        <dd>
          {item.version}
          {item.correction ? ` (${t("received.correction")})` : ""}
        </dd>
        <dt>{t("received.col.receivedAt")}</dt>
        <dd>{when(item.receivedAt)}</dd>
        <dt>{t("received.col.via")}</dt>
        <dd>
          <ViaCell t={t} via={item.via} />
        </dd>
        <dt>{t("received.col.verification")}</dt>
        <dd>{t(verificationKey(item))}</dd>
        <dt>{t("received.col.conflicts")}</dt>
        <dd>{item.conflicted ? t("received.conflicted") : t("received.noConflict")}</dd>
        {item.grid ? (
          <>
            <dt>{t("grid.codedWith", { grid: "" }).trim()}</dt>
            <dd>
              {item.grid.name} (
              {item.grid.known ? t("grid.codedWith.known") : t("grid.codedWith.unknown")})
            </dd>
          </>
        ) : null}
        <dt>{t("received.hash")}</dt>
        <dd>
          <code>{item.hash}</code>
          {item.conflictingHash ? (
            <>
              {" "}
              {t("received.andConflicting")} <code>{item.conflictingHash}</code>
            </>
          ) : null}
        </dd>
        {item.previous ? (
          <>
            <dt>{t("received.previous")}</dt>
            <dd>
              <code>{item.previous}</code>
            </dd>
          </>
        ) : null}
        <dt>{t("received.object")}</dt>
        <dd>
          <a href={webHref(item.objectId)} rel="noopener noreferrer">
            {item.objectId}
          </a>
        </dd>
      </dl>

      {props.relay ? <RelaySection t={t} user={user} id={item.id} relay={props.relay} /> : null}

      <h2>{t("received.totals")}</h2>
      <div class="table-wrap">
        <table id="totals">
          <caption>{t("received.totals")}</caption>
          <tbody>
            <tr>
              <th scope="row">{t("received.participants")}</th>
              <td>{item.participants}</td>
            </tr>
            <tr>
              <th scope="row">{t("received.groups")}</th>
              <td>{item.groups}</td>
            </tr>
            <tr>
              <th scope="row">{t("received.criteria")}</th>
              <td>{item.criteria}</td>
            </tr>
            {QUESTIONS.map((q) => (
              <tr>
                <th scope="row">{t(`question.${q}` as MessageKey)}</th>
                <td>{item.byQuestion[q] ?? 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {item.categories ? (
        <>
          <h2>{t("received.byCategory")}</h2>
          <CategoryTotalsTable
            id="categories"
            caption={t("received.byCategory")}
            columns={{
              category: t("groups.col.category"),
              groups: t("received.groups"),
              participants: t("received.participants"),
            }}
            rows={item.categories.totals}
          />
        </>
      ) : null}

      <SynthesisCharts
        t={t}
        id="received"
        series={item.series}
        dimensions={item.dimensions}
        components={item.components}
        categories={item.categories?.rows}
      />
    </AdminLayout>
  );
}
