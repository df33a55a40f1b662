import type { Lang, MessageKey, Translate } from "../i18n";
import {
  AdminLayout,
  CsrfField,
  describedBy,
  HintAndError,
  PostButton,
  type SignedIn,
} from "./layout";
import { ColumnsTable } from "./parts/columns-table";

export interface FollowingItem {
  id: number;
  target: string;
  handle?: string | undefined;
  name?: string | undefined;
  type?: string | undefined;
  state: "pending" | "accepted" | "rejected";
  since: string;
  lastPulledAt?: string | undefined;
  /** Set while deliveries, pulls or look-ups keep failing (see the follow rows' reachability). */
  unreachableSince?: string | undefined;
  lastError?: string | undefined;
}

export interface FollowerItem {
  id: number;
  follower: string;
  handle?: string | undefined;
  name?: string | undefined;
  state: "pending" | "accepted";
  since: string;
  unreachableSince?: string | undefined;
  lastError?: string | undefined;
}

/** What the workspace shows of an actor before following it. */
export interface ActorPreviewView {
  /** The actor URL (what a follow names). */
  id: string;
  handle: string | undefined;
  name: string | undefined;
  /** The profile text, tags removed (remote HTML is never rendered as HTML). */
  summary: string | undefined;
  /** The ActivityStreams type: Organization, Group, Person, Service or Application. */
  type: string;
  /** A SPIRAL territory is an Organization, a sub-network a Group; anything else is "other". */
  kind: "territory" | "subnetwork" | "other";
  /** Profile fields (Country, Region, Languages, …) as plain text, in the actor's order. */
  fields: Array<{ name: string; value: string }>;
  manuallyApprovesFollowers: boolean;
  /** The actor's web page, when it gives one. */
  url: string | undefined;
}

export interface NetworkPageProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  canEdit: boolean;
  /** Absent when the node hosts no territory yet. */
  territory?: { name: string; handle: string; manualApproval: boolean } | undefined;
  /** False when this workspace was started without the federation (nothing can be sent). */
  networkAvailable: boolean;
  following: FollowingItem[];
  followers: FollowerItem[];
  notice?: string | undefined;
}

const day = (iso: string) => iso.slice(0, 10);

/** A remote address as a link target only when it is a web address (never javascript: etc.). */
export const webHref = (url: string): string | undefined =>
  /^https?:\/\//i.test(url) ? url : undefined;

/** The type of a followed actor in words (territory, sub-network, or its ActivityStreams type). */
function actorTypeLabel(t: Translate, type: string | undefined): string {
  if (type === "Organization") return t("network.kind.territory");
  if (type === "Group") return t("network.kind.subnetwork");
  return type ? t("network.kind.other", { type }) : t("network.kind.unknown");
}

/** The follow form: a handle or URL, looked up and previewed before anything is sent. */
function FollowForm(props: { t: Translate; value?: string | undefined; error?: string }) {
  const { t } = props;
  return (
    <form method="get" action="/admin/network/preview" aria-labelledby="follow-heading">
      <div class="field">
        <label for="f-target">{t("network.target")}</label>
        <HintAndError id="f-target" hint={t("network.target.hint")} error={props.error} />
        <input
          id="f-target"
          name="target"
          type="text"
          value={props.value ?? ""}
          required
          maxlength={500}
          autocomplete="off"
          spellcheck={false}
          aria-invalid={props.error ? "true" : undefined}
          aria-describedby={describedBy("f-target", t("network.target.hint"), props.error)}
        />
      </div>
      <button type="submit" class="primary">
        {t("network.lookUp")}
      </button>
    </form>
  );
}

/** Following and followers of the territory, the follow form and the approval setting. */
export function NetworkPage(props: NetworkPageProps) {
  const { t, user, territory } = props;
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={t("network.title")}
      path="/admin/network"
      user={user}
      notice={props.notice}
    >
      <p>{t("network.intro")}</p>
      <p>
        <a href="/admin/network/syntheses">{t("network.receivedLink")}</a>
      </p>
      {!territory ? (
        <p class="muted">{t("groups.noTerritory")}</p>
      ) : (
        <>
          <p>{t("network.yourHandle", { handle: territory.handle })}</p>
          {!props.networkAvailable ? <p class="muted">{t("network.unavailable")}</p> : null}
          {props.canEdit && props.networkAvailable ? (
            <section aria-labelledby="follow-heading">
              <h2 id="follow-heading">{t("network.follow")}</h2>
              <FollowForm t={t} />
            </section>
          ) : null}
          <section aria-labelledby="following-heading">
            <h2 id="following-heading">
              {t("network.following")} ({props.following.length})
            </h2>
            {props.following.length === 0 ? (
              <p>{t("network.followingNone")}</p>
            ) : (
              <FollowingTable {...props} />
            )}
          </section>
          <section aria-labelledby="followers-heading">
            <h2 id="followers-heading">
              {t("network.followers")} ({props.followers.length})
            </h2>
            <ApprovalSetting {...props} manualApproval={territory.manualApproval} />
            {props.followers.length === 0 ? (
              <p>{t("network.followersNone")}</p>
            ) : (
              <FollowersTable {...props} manualApproval={territory.manualApproval} />
            )}
          </section>
        </>
      )}
    </AdminLayout>
  );
}

/** The state of a follow, membership or join in words (known states translated, others as given). */
export function followStateLabel(t: Translate, state: string): string {
  return state === "pending" || state === "accepted" || state === "rejected"
    ? t(`network.state.${state}` as MessageKey)
    : state;
}

/** The state of a follow, and whether its peer stopped answering (since when, why). */
function FollowState(props: {
  t: Translate;
  state: string;
  unreachableSince?: string | undefined;
  lastError?: string | undefined;
}) {
  const { t, unreachableSince } = props;
  return (
    <>
      <span class={`tag state-${props.state}`}>{followStateLabel(t, props.state)}</span>
      {unreachableSince ? (
        <span class="tag state-unreachable">
          {props.lastError
            ? t("network.state.unreachableBecause", {
                date: day(unreachableSince),
                reason: props.lastError,
              })
            : t("network.state.unreachable", { date: day(unreachableSince) })}
        </span>
      ) : null}
    </>
  );
}

/** A followed or following actor: its name linking to it, then its handle when it differs. */
function PeerName(props: { href: string; label: string; handle?: string | undefined }) {
  const { handle } = props;
  return (
    <>
      <a href={webHref(props.href)} rel="noopener noreferrer">
        {props.label}
      </a>
      {handle && handle !== props.label ? <span class="muted"> {handle}</span> : null}
    </>
  );
}

function FollowingTable(props: NetworkPageProps) {
  const { t, user } = props;
  return (
    <ColumnsTable
      columns={[
        t("network.col.actor"),
        t("network.col.type"),
        t("network.col.state"),
        t("network.col.since"),
        t("network.col.lastPulled"),
        props.canEdit && props.networkAvailable ? t("groups.col.actions") : null,
      ]}
    >
      {props.following.map((f) => {
        const label = f.name ?? f.handle ?? f.target;
        return (
          <tr>
            <td>
              <PeerName href={f.target} label={label} handle={f.handle} />
            </td>
            <td>{actorTypeLabel(t, f.type)}</td>
            <td>
              <FollowState t={t} {...f} />
            </td>
            <td>{day(f.since)}</td>
            <td>{f.lastPulledAt ? day(f.lastPulledAt) : "—"}</td>
            {props.canEdit && props.networkAvailable ? (
              <td>
                <PostButton
                  action={`/admin/network/following/${f.id}/unfollow`}
                  csrf={user.csrf}
                  label={t("network.unfollow")}
                  ariaLabel={t("network.unfollowNamed", { name: label })}
                />
              </td>
            ) : null}
          </tr>
        );
      })}
    </ColumnsTable>
  );
}

function ApprovalSetting(props: NetworkPageProps & { manualApproval: boolean }) {
  const { t, user } = props;
  return (
    <>
      <p>{props.manualApproval ? t("network.manualOn") : t("network.manualOff")}</p>
      {props.canEdit ? (
        <PostButton
          action="/admin/network/approval"
          csrf={user.csrf}
          label={props.manualApproval ? t("network.manualTurnOff") : t("network.manualTurnOn")}
        >
          <input type="hidden" name="manualApproval" value={props.manualApproval ? "off" : "on"} />
        </PostButton>
      ) : null}
    </>
  );
}

function FollowersTable(props: NetworkPageProps & { manualApproval: boolean }) {
  const { t, user } = props;
  const actions = props.canEdit && props.networkAvailable;
  return (
    <ColumnsTable
      columns={[
        t("network.col.actor"),
        t("network.col.state"),
        t("network.col.since"),
        actions ? t("groups.col.actions") : null,
      ]}
    >
      {props.followers.map((f) => {
        const label = f.name ?? f.handle ?? f.follower;
        return (
          <tr>
            <td>
              <PeerName href={f.follower} label={label} handle={f.handle} />
            </td>
            <td>
              <FollowState t={t} {...f} />
            </td>
            <td>{day(f.since)}</td>
            {actions ? (
              <td>
                {f.state === "pending" ? (
                  <PostButton
                    action={`/admin/network/followers/${f.id}/approve`}
                    csrf={user.csrf}
                    label={t("network.approve")}
                    ariaLabel={t("network.approveNamed", { name: label })}
                  />
                ) : null}
                <PostButton
                  action={`/admin/network/followers/${f.id}/remove`}
                  csrf={user.csrf}
                  label={f.state === "pending" ? t("network.refuse") : t("network.remove")}
                  ariaLabel={
                    f.state === "pending"
                      ? t("network.refuseNamed", { name: label })
                      : t("network.removeNamed", { name: label })
                  }
                />
              </td>
            ) : null}
          </tr>
        );
      })}
    </ColumnsTable>
  );
}

export interface ActorPreviewPageProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  target: string;
  preview?: ActorPreviewView | undefined;
  /** Why the look-up failed (already translated). */
  error?: string | undefined;
  /** The state of an existing follow of this actor, if any. */
  existing?: FollowingItem["state"] | undefined;
  /** True when the target is this node's own territory. */
  isSelf?: boolean;
}

/** What a handle or URL points to, and the button that follows it. */
export function ActorPreviewPage(props: ActorPreviewPageProps) {
  const { t, user, preview } = props;
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={t("network.previewTitle")}
      path="/admin/network"
      user={user}
    >
      {props.error || !preview ? (
        <>
          <p class="error-summary" role="alert">
            {props.error}
          </p>
          <FollowForm t={t} value={props.target} error={props.error} />
        </>
      ) : (
        <>
          <section aria-labelledby="preview-heading" class="preview">
            <h2 id="preview-heading">{preview.name ?? preview.handle ?? preview.id}</h2>
            <dl>
              <dt>{t("network.col.type")}</dt>
              <dd data-kind={preview.kind}>{actorTypeLabel(t, preview.type)}</dd>
              {preview.handle ? (
                <>
                  <dt>{t("network.handle")}</dt>
                  <dd>{preview.handle}</dd>
                </>
              ) : null}
              <dt>{t("network.address")}</dt>
              <dd>
                <a href={webHref(preview.url ?? preview.id)} rel="noopener noreferrer">
                  {preview.id}
                </a>
              </dd>
              {preview.summary ? (
                <>
                  <dt>{t("network.summary")}</dt>
                  <dd>{preview.summary}</dd>
                </>
              ) : null}
              {preview.fields.map((field) => (
                <>
                  <dt>{field.name}</dt>
                  <dd>{field.value}</dd>
                </>
              ))}
              <dt>{t("network.approvalColumn")}</dt>
              <dd>
                {preview.manuallyApprovesFollowers
                  ? t("network.approvalByHand")
                  : t("network.approvalAuto")}
              </dd>
            </dl>
            {preview.kind === "other" ? <p class="muted">{t("network.otherWarning")}</p> : null}
          </section>
          {props.isSelf ? (
            <p>{t("network.isSelf")}</p>
          ) : props.existing ? (
            <p>{t("network.alreadyFollowing", { state: followStateLabel(t, props.existing) })}</p>
          ) : (
            <form method="post" action="/admin/network/follow">
              <CsrfField token={user.csrf} />
              <input type="hidden" name="target" value={preview.id} />
              {/* A sub-network is joined by following it: same request, its own words. */}
              {preview.kind === "subnetwork" ? <p>{t("subnetworks.joinHint")}</p> : null}
              <button type="submit" class="primary">
                {preview.kind === "subnetwork"
                  ? t("subnetworks.join")
                  : t("network.followConfirm", {
                      name: preview.name ?? preview.handle ?? preview.id,
                    })}
              </button>
            </form>
          )}
        </>
      )}
      <p>
        <a href="/admin/network">{t("network.back")}</a>
      </p>
    </AdminLayout>
  );
}
