import type { Lang, MessageKey, Translate } from "../i18n";
import type { CodeLabel } from "../labels";
import { Checkboxes, RadioChoices, TextArea } from "./form-fields";
import { AdminLayout, CsrfField, ErrorSummary, Field, PostButton, type SignedIn } from "./layout";
import { followStateLabel, webHref } from "./network-page";
import { ColumnsTable } from "./parts/columns-table";

type Errors = Record<string, string | undefined>;

/** A theme with its codes already named in the page's language ("B01 · Noise"). */
export interface ThemeLabels {
  dimensions: string[];
  components: string[];
  categories: string[];
}

export interface HostedSubnetworkItem {
  slug: string;
  name: string;
  handle: string;
  admission: "open" | "approval";
  members: number;
  pending: number;
}

export interface JoinedSubnetworkItem {
  id: number;
  target: string;
  handle?: string | undefined;
  name?: string | undefined;
  /** pending, accepted, rejected (or any later state, shown as given). */
  state: string;
  since: string;
}

/** One thing a sub-network relayed, as the hosted page and a joined feed show it. */
export interface RelayedItem {
  kind: "synthesis" | "meeting" | "progress";
  objectId: string;
  /** The territory that published it: its name when known, else its address. */
  territory: string;
  territoryUrl: string;
  title?: string | undefined;
  version?: number | undefined;
  periodKey?: string | undefined;
  deleted: boolean;
  relayedAt: string;
}

const day = (iso: string) => iso.slice(0, 10);

/** A remote member or sub-network: its name linking to it, then its handle when known. */
function RemoteActorName(props: { href: string; name: string; handle?: string | undefined }) {
  return (
    <>
      <a href={webHref(props.href)} rel="noopener noreferrer">
        {props.name}
      </a>
      {props.handle ? (
        <>
          {" "}
          <span class="muted">{props.handle}</span>
        </>
      ) : null}
    </>
  );
}

/** What a theme covers, as a definition list (or the sentence saying it takes everything). */
function ThemeView(props: { t: Translate; theme: ThemeLabels }) {
  const { t, theme } = props;
  const parts: Array<[MessageKey, string[]]> = [
    ["subnetworks.theme.dimensions", theme.dimensions],
    ["subnetworks.theme.components", theme.components],
    ["subnetworks.theme.categories", theme.categories],
  ];
  const set = parts.filter(([, values]) => values.length > 0);
  if (set.length === 0) return <p class="muted">{t("subnetworks.theme.all")}</p>;
  return (
    <dl class="theme">
      {set.map(([key, values]) => (
        <>
          <dt>{t(key)}</dt>
          <dd>{values.join(" · ")}</dd>
        </>
      ))}
    </dl>
  );
}

export interface SubnetworksPageProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  isAdmin: boolean;
  canEdit: boolean;
  hasTerritory: boolean;
  hosted: HostedSubnetworkItem[];
  joined: JoinedSubnetworkItem[];
  notice?: string | undefined;
}

/** The sub-networks hosted here (with a link to create one) and those the territory joined. */
export function SubnetworksPage(props: SubnetworksPageProps) {
  const { t, user } = props;
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={t("subnetworks.title")}
      path="/admin/subnetworks"
      user={user}
      notice={props.notice}
    >
      <p>{t("subnetworks.intro")}</p>
      <section aria-labelledby="hosted">
        <h2 id="hosted">{t("subnetworks.hosted")}</h2>
        <p>{t("subnetworks.hosted.intro")}</p>
        {props.isAdmin ? (
          <p>
            <a href="/admin/subnetworks/new">{t("subnetworks.new")}</a>
          </p>
        ) : null}
        {props.hosted.length === 0 ? (
          <p class="muted">{t("subnetworks.hosted.none")}</p>
        ) : (
          <ColumnsTable
            class="hosted"
            columns={[
              t("subnetworks.col.name"),
              t("subnetworks.col.handle"),
              t("subnetworks.col.admission"),
              t("subnetworks.col.members"),
            ]}
          >
            {props.hosted.map((s) => (
              <tr data-slug={s.slug}>
                <th scope="row">
                  <a href={`/admin/subnetworks/hosted/${s.slug}`}>{s.name}</a>
                </th>
                <td>
                  <code>{s.handle}</code>
                </td>
                <td>{t(`subnetworks.admission.${s.admission}`)}</td>
                <td>
                  {s.members}
                  {s.pending > 0 ? ` (+${s.pending} ${t("network.state.pending")})` : ""}
                </td>
              </tr>
            ))}
          </ColumnsTable>
        )}
      </section>
      <section aria-labelledby="joined">
        <h2 id="joined">{t("subnetworks.joined")}</h2>
        <p>
          {t("subnetworks.joined.intro")}{" "}
          <a href="/admin/network">{t("subnetworks.joined.network")}</a>
        </p>
        {!props.hasTerritory ? (
          <p class="muted">{t("groups.noTerritory")}</p>
        ) : props.joined.length === 0 ? (
          <p class="muted">{t("subnetworks.joined.none")}</p>
        ) : (
          <ColumnsTable
            class="joined"
            columns={[
              t("subnetworks.col.name"),
              t("subnetworks.col.state"),
              t("subnetworks.col.since"),
              t("subnetworks.col.feed"),
              props.canEdit ? t("subnetworks.col.actions") : null,
            ]}
          >
            {props.joined.map((j) => {
              const name = j.name ?? j.handle ?? j.target;
              return (
                <tr data-joined={j.id}>
                  <th scope="row">
                    <RemoteActorName href={j.target} name={name} handle={j.handle} />
                  </th>
                  <td>{followStateLabel(t, j.state)}</td>
                  <td>{day(j.since)}</td>
                  <td>
                    <a href={`/admin/subnetworks/joined/${j.id}`}>{t("subnetworks.feedLink")}</a>
                  </td>
                  {props.canEdit ? (
                    <td>
                      <PostButton
                        action={`/admin/subnetworks/joined/${j.id}/leave`}
                        csrf={user.csrf}
                        label={t("subnetworks.leave", { name })}
                      />
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </ColumnsTable>
        )}
      </section>
    </AdminLayout>
  );
}

export interface SubnetworkFormValues {
  slug: string;
  name: string;
  description: string;
  dimensions: string[];
  /** The component codes as typed. */
  components: string;
  categories: string[];
  admission: string;
  moderators: number[];
}

export interface SubnetworkFormPageProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  /** Absent when creating; the sub-network being changed otherwise. */
  editing?: { slug: string; name: string } | undefined;
  values: SubnetworkFormValues;
  errors: Errors;
  choices: {
    dimensions: CodeLabel[];
    categories: CodeLabel[];
    users: Array<{ id: number; name: string; email: string }>;
  };
}

/** Creating or changing a hosted sub-network: name, description, theme, admission, moderators. */
export function SubnetworkFormPage(props: SubnetworkFormPageProps) {
  const { t, user, values, errors, choices, editing } = props;
  const title = editing ? t("subnetworks.editTitle", { name: editing.name }) : t("subnetworks.new");
  const action = editing ? `/admin/subnetworks/hosted/${editing.slug}` : "/admin/subnetworks";
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={title}
      path={editing ? `${action}/edit` : "/admin/subnetworks/new"}
      user={user}
    >
      <ErrorSummary t={t} errors={errors} />
      <form method="post" action={action} class="subnetwork">
        <CsrfField token={user.csrf} />
        {editing ? null : (
          <Field
            name="slug"
            label={t("subnetworks.field.slug")}
            hint={t("subnetworks.field.slug.hint")}
            value={values.slug}
            error={errors.slug}
            required
          />
        )}
        <Field
          name="name"
          label={t("subnetworks.field.name")}
          value={values.name}
          error={errors.name}
          required
        />
        <TextArea
          name="description"
          label={t("subnetworks.field.description")}
          rows={3}
          value={values.description}
          error={errors.description}
        />
        <p class="hint">{t("subnetworks.theme.hint")}</p>
        <Checkboxes
          legend={t("subnetworks.field.dimensions")}
          prefix="dimension_"
          options={choices.dimensions.map((d) => ({ value: d.code, label: d.label }))}
          checked={values.dimensions}
          error={errors.dimensions}
        />
        <Field
          name="components"
          label={t("subnetworks.field.components")}
          hint={t("subnetworks.field.components.hint")}
          value={values.components}
          error={errors.components}
        />
        <Checkboxes
          legend={t("subnetworks.field.categories")}
          prefix="category_"
          options={choices.categories.map((c) => ({ value: c.code, label: c.label }))}
          checked={values.categories}
          error={errors.categories}
        />
        <RadioChoices
          id="f-admission"
          name="admission"
          legend={t("subnetworks.field.admission")}
          options={(["open", "approval"] as const).map((a) => ({
            value: a,
            label: t(`subnetworks.admission.${a}`),
          }))}
          checked={values.admission}
          error={errors.admission}
        />
        {choices.users.length === 0 ? (
          <p class="muted">{t("subnetworks.field.moderators.none")}</p>
        ) : (
          <Checkboxes
            legend={t("subnetworks.field.moderators")}
            prefix="moderator_"
            options={choices.users.map((u) => ({
              value: String(u.id),
              label: `${u.name} <${u.email}>`,
            }))}
            checked={values.moderators.map(String)}
            error={errors.moderators}
          />
        )}
        <button type="submit" class="primary">
          {editing ? t("subnetworks.save") : t("subnetworks.create")}
        </button>
      </form>
      <p>
        <a href={editing ? `/admin/subnetworks/hosted/${editing.slug}` : "/admin/subnetworks"}>
          {t("subnetworks.back")}
        </a>
      </p>
    </AdminLayout>
  );
}

export interface HostedSubnetworkPageProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  isAdmin: boolean;
  /** Admins and this sub-network's moderators (not viewers) approve and remove members. */
  mayModerate: boolean;
  subnetwork: {
    slug: string;
    name: string;
    handle: string;
    actorId: string;
    description?: string | undefined;
    admission: "open" | "approval";
    theme: ThemeLabels;
    moderators: string[];
  };
  members: Array<{
    id: number;
    member: string;
    name?: string | undefined;
    handle?: string | undefined;
    state: string;
    since: string;
  }>;
  relayed: RelayedItem[];
  notice?: string | undefined;
}

/** One hosted sub-network: what it is, its members (approve, remove) and what it relayed. */
export function HostedSubnetworkPage(props: HostedSubnetworkPageProps) {
  const { t, user, subnetwork: s } = props;
  const base = `/admin/subnetworks/hosted/${s.slug}`;
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={s.name}
      path={base}
      user={user}
      notice={props.notice}
    >
      {s.description ? <p>{s.description}</p> : null}
      <dl>
        <dt>{t("subnetworks.col.handle")}</dt>
        <dd>
          <code>{s.handle}</code>
        </dd>
        <dt>{t("subnetworks.publicPage")}</dt>
        <dd>
          <a href={s.actorId}>{s.actorId}</a>
        </dd>
        <dt>{t("subnetworks.col.admission")}</dt>
        <dd>{t(`subnetworks.admission.${s.admission}`)}</dd>
        <dt>{t("subnetworks.moderators")}</dt>
        <dd>
          {s.moderators.length > 0 ? s.moderators.join(", ") : t("subnetworks.moderators.none")}
        </dd>
      </dl>
      <h2>{t("subnetworks.theme")}</h2>
      <ThemeView t={t} theme={s.theme} />
      {props.isAdmin ? (
        <p>
          <a href={`${base}/edit`}>{t("subnetworks.edit")}</a>
        </p>
      ) : null}
      <section aria-labelledby="members">
        <h2 id="members">{t("subnetworks.members")}</h2>
        {props.mayModerate ? null : <p class="muted">{t("subnetworks.members.readOnly")}</p>}
        {props.members.length === 0 ? (
          <p class="muted">{t("subnetworks.members.none")}</p>
        ) : (
          <ColumnsTable
            class="members"
            columns={[
              t("subnetworks.col.member"),
              t("subnetworks.col.state"),
              t("subnetworks.col.since"),
              props.mayModerate ? t("subnetworks.col.actions") : null,
            ]}
          >
            {props.members.map((m) => {
              const name = m.name ?? m.handle ?? m.member;
              return (
                <tr data-member={m.id} data-state={m.state}>
                  <th scope="row">
                    <RemoteActorName href={m.member} name={name} handle={m.handle} />
                  </th>
                  <td>{followStateLabel(t, m.state)}</td>
                  <td>{day(m.since)}</td>
                  {props.mayModerate ? (
                    <td>
                      {m.state === "pending" ? (
                        <PostButton
                          action={`${base}/members/${m.id}/approve`}
                          csrf={user.csrf}
                          label={t("subnetworks.member.approve", { name })}
                        />
                      ) : null}
                      <PostButton
                        action={`${base}/members/${m.id}/remove`}
                        csrf={user.csrf}
                        label={t("subnetworks.member.remove", { name })}
                      />
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </ColumnsTable>
        )}
      </section>
      <section aria-labelledby="relayed">
        <h2 id="relayed">{t("subnetworks.relayed")}</h2>
        <ItemsTable t={t} items={props.relayed} empty={t("subnetworks.relayed.none")} />
      </section>
      <p>
        <a href="/admin/subnetworks">{t("subnetworks.back")}</a>
      </p>
    </AdminLayout>
  );
}

/** Relayed syntheses and meetings: kind, territory, title, version, period, deleted. */
function ItemsTable(props: { t: Translate; items: RelayedItem[]; empty: string }) {
  const { t, items } = props;
  if (items.length === 0) return <p class="muted">{props.empty}</p>;
  return (
    <ColumnsTable
      class="items"
      columns={[
        t("subnetworks.col.kind"),
        t("subnetworks.col.territory"),
        t("subnetworks.col.title"),
        t("subnetworks.col.version"),
        t("subnetworks.col.period"),
        t("subnetworks.col.relayedAt"),
        t("subnetworks.col.deleted"),
      ]}
    >
      {items.map((item) => (
        <tr data-object={item.objectId} data-kind={item.kind}>
          <td>{t(`subnetworks.kind.${item.kind}`)}</td>
          <td>
            <a href={webHref(item.territoryUrl)} rel="noopener noreferrer">
              {item.territory}
            </a>
          </td>
          <td>
            <a href={webHref(item.objectId)} rel="noopener noreferrer">
              {item.title ?? item.objectId}
            </a>
          </td>
          <td>{item.version ?? ""}</td>
          <td>{item.periodKey ?? ""}</td>
          <td>{day(item.relayedAt)}</td>
          <td>{item.deleted ? t("subnetworks.yes") : t("subnetworks.no")}</td>
        </tr>
      ))}
    </ColumnsTable>
  );
}

export interface JoinedFeedPageProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  subnetwork: {
    id: number;
    name: string;
    target: string;
    handle?: string | undefined;
    state: string;
  };
  items: RelayedItem[];
}

/** What arrived through one joined sub-network. */
export function JoinedFeedPage(props: JoinedFeedPageProps) {
  const { t, subnetwork: s } = props;
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={t("subnetworks.feedTitle", { name: s.name })}
      path={`/admin/subnetworks/joined/${s.id}`}
      user={props.user}
    >
      <p>{t("subnetworks.feed.intro")}</p>
      <dl>
        <dt>{t("subnetworks.col.handle")}</dt>
        <dd>
          <a href={webHref(s.target)} rel="noopener noreferrer">
            {s.handle ?? s.target}
          </a>
        </dd>
        <dt>{t("subnetworks.col.state")}</dt>
        <dd>{followStateLabel(t, s.state)}</dd>
      </dl>
      <ItemsTable t={t} items={props.items} empty={t("subnetworks.feed.none")} />
      <p>
        <a href="/admin/subnetworks">{t("subnetworks.back")}</a>
      </p>
    </AdminLayout>
  );
}
