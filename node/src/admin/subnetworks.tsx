import {
  HostedSubnetworkPage,
  JoinedFeedPage,
  type RelayedItem,
  SubnetworkFormPage,
  type SubnetworkFormValues,
  SubnetworksPage,
  type ThemeLabels,
} from "@spiral-network/admin-ui/admin/subnetworks-page";
import type { Lang, MessageKey, Translate } from "@spiral-network/admin-ui/i18n";
import { categoryChoices } from "@spiral-network/admin-ui/labels";
import { allows } from "../app/index";
import type { SubnetworkTheme } from "../db/schema";
import { ConflictError, InvalidInputError, NotFoundError } from "../services/errors";
import { followingView } from "../services/follows";
import type { SubnetworkItemRow, SubnetworkRow } from "../services/subnetworks";
import {
  memberView,
  subnetworkInputSchema,
  subnetworkPatchSchema,
  subnetworkView,
} from "../services/subnetworks";
import {
  type AdminApp,
  type AdminContext,
  type AdminKit,
  type Errors,
  hasErrors,
  outcomeNotice,
  str,
} from "./kit";

/** Notices after an action (`?done=…`). */
const DONE: Record<string, MessageKey> = {
  created: "subnetworks.created",
  updated: "subnetworks.updated",
  approved: "subnetworks.member.approved",
  removed: "subnetworks.member.removed",
  gone: "subnetworks.member.gone",
  left: "subnetworks.left",
};

/** The form's fields; the service's issue paths (theme.components.0 …) map onto them. */
const FIELDS = [
  "slug",
  "name",
  "description",
  "dimensions",
  "components",
  "categories",
  "admission",
  "moderators",
] as const;
type FormField = (typeof FIELDS)[number];

/** Checkboxes carry their value in their name (`prefix` + value): one field per box. */
const checkedValues = (form: Record<string, string>, prefix: string) =>
  Object.keys(form)
    .filter((k) => k.startsWith(prefix) && form[k] !== "")
    .map((k) => k.slice(prefix.length))
    .filter(Boolean);

const codeList = (text: string) =>
  text
    .split(/[\s,;]+/)
    .map((c) => c.trim().toUpperCase())
    .filter(Boolean);

/**
 * Sub-networks in the workspace: the ones this node hosts (admins create and change them; admins
 * and each one's moderators approve and remove members) and the ones the territory joined (state,
 * leave, what arrived through each). Joining happens from the network page's preview.
 */
export function registerSubnetworkRoutes(admin: AdminApp, kit: AdminKit) {
  const { protect, territoryOf, canEdit, idParam } = kit;
  const network = kit.app.network.available;
  const { publicUrl, grid } = kit.app.node;

  const isAdmin = (c: AdminContext) => allows(kit.account(c).role, "manageNode");
  /** Admins, and the sub-network's moderators who may edit (the application layer's rule). */
  const mayModerate = (c: AdminContext, slug: string) => kit.app.mayModerate(kit.actor(c), slug);

  const categoryLabels = (c: AdminContext, lang: Lang) =>
    new Map(
      categoryChoices(kit.app.categories.list(kit.actor(c)), lang).map((x) => [x.code, x.label]),
    );
  const themeLabels = (c: AdminContext, theme: SubnetworkTheme, lang: Lang): ThemeLabels => {
    const categories = categoryLabels(c, lang);
    const code = (c: string) => `${c} · ${grid.entry(c)?.label[lang] ?? c}`;
    return {
      dimensions: theme.dimensions.map(code),
      components: theme.components.map(code),
      categories: theme.categories.map((c) => categories.get(c) ?? c),
    };
  };

  /** Names a territory by what the node knows of it (a member, a followed actor), else its address. */
  const territoryLabel = (url: string, known: Map<string, string>) => {
    const name = known.get(url);
    if (name) return name;
    try {
      const parsed = new URL(url);
      return `${parsed.host}${parsed.pathname}`;
    } catch {
      return url;
    }
  };

  admin.get("/subnetworks", protect(), (c) => {
    const user = kit.user(c);
    const t = c.get("t");
    const territory = territoryOf(c);
    const done = outcomeNotice(DONE, c.req.query("done"));
    const hosted = kit.app.subnetworks.list().map((row) => {
      const members = kit.app.subnetworks.members(kit.actor(c), row.slug);
      return {
        slug: row.slug,
        name: row.name,
        handle: subnetworkView(row, publicUrl).handle,
        admission: row.admission,
        members: members.filter((m) => m.state === "accepted").length,
        pending: members.filter((m) => m.state === "pending").length,
      };
    });
    const joined = territory
      ? kit.app.network
          .following(kit.actor(c), territory.slug)
          .filter((f) => f.targetType === "Group")
          .map(followingView)
      : [];
    return c.html(
      <SubnetworksPage
        t={t}
        lang={c.get("lang")}
        user={user}
        isAdmin={isAdmin(c)}
        canEdit={canEdit(c)}
        hasTerritory={territory !== undefined}
        hosted={hosted}
        joined={joined}
        notice={done ? t(done) : undefined}
      />,
    );
  });

  // ——— Creating and changing a hosted sub-network (admins) ———

  const choices = (c: AdminContext, lang: Lang) => ({
    dimensions: grid.dimensions.map((d) => ({
      code: d.code,
      label: `${d.code} · ${d.label[lang]}`,
    })),
    categories: categoryChoices(kit.app.categories.list(kit.actor(c)), lang),
    users: kit.app.accounts
      .list(kit.actor(c))
      .filter((u) => !u.disabled)
      .map((u) => ({ id: u.id, name: u.name, email: u.email })),
  });

  const formPage = (
    c: AdminContext,
    values: SubnetworkFormValues,
    errors: Errors,
    editing?: SubnetworkRow,
  ) => {
    const user = kit.user(c);
    return c.html(
      <SubnetworkFormPage
        t={c.get("t")}
        lang={c.get("lang")}
        user={user}
        editing={editing && { slug: editing.slug, name: editing.name }}
        values={values}
        errors={errors}
        choices={choices(c, c.get("lang"))}
      />,
      hasErrors(errors) ? 400 : 200,
    );
  };

  const valuesOf = (form: Record<string, string>): SubnetworkFormValues => ({
    slug: str(form, "slug"),
    name: str(form, "name"),
    description: str(form, "description"),
    dimensions: checkedValues(form, "dimension_"),
    components: str(form, "components"),
    categories: checkedValues(form, "category_"),
    admission: str(form, "admission"),
    moderators: checkedValues(form, "moderator_")
      .map(Number)
      .filter((n) => Number.isSafeInteger(n) && n > 0),
  });

  const valuesFromRow = (row: SubnetworkRow): SubnetworkFormValues => ({
    slug: row.slug,
    name: row.name,
    description: row.description ?? "",
    dimensions: row.theme.dimensions,
    components: row.theme.components.join(", "),
    categories: row.theme.categories,
    admission: row.admission,
    moderators: row.moderators,
  });

  /** Checks what the service cannot name in the page's words (unknown codes, admission). */
  const precheck = (t: Translate, values: SubnetworkFormValues): Errors => {
    const unknown = codeList(values.components).filter(
      (code) => grid.entry(code)?.kind !== "component",
    );
    return {
      components:
        unknown.length > 0
          ? t("subnetworks.error.components", { codes: unknown.join(", ") })
          : undefined,
      admission:
        values.admission === "open" || values.admission === "approval"
          ? undefined
          : t("subnetworks.error.admission"),
    };
  };

  const inputOf = (values: SubnetworkFormValues) => ({
    name: values.name,
    description: values.description,
    theme: {
      dimensions: values.dimensions,
      components: [...new Set(codeList(values.components))],
      categories: values.categories,
    },
    admission: values.admission as "open" | "approval",
    moderators: values.moderators,
  });

  /** Issues (paths such as theme.components.0) as field errors, in the page's language. */
  const fieldErrors = (
    t: Translate,
    values: SubnetworkFormValues,
    issues: ReadonlyArray<{ path: string; message: string }>,
  ): Errors => {
    const errors: Errors = {};
    for (const issue of issues) {
      const [head, second] = issue.path.split(".");
      const field = (head === "theme" ? second : head) as FormField;
      if (!FIELDS.includes(field)) {
        errors.name ??= issue.message;
        continue;
      }
      errors[field] =
        field === "components"
          ? t("subnetworks.error.components", { codes: values.components })
          : t(`subnetworks.error.${field}`);
    }
    return errors;
  };

  /** Every field's problem at once, before anything is written (the service checks again). */
  const check = (t: Translate, values: SubnetworkFormValues, creating: boolean): Errors => {
    const input = inputOf(values);
    const parsed = creating
      ? subnetworkInputSchema.safeParse({ slug: values.slug, ...input })
      : subnetworkPatchSchema.safeParse(input);
    const issues = parsed.success
      ? []
      : parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    const errors = fieldErrors(t, values, issues);
    for (const [field, message] of Object.entries(precheck(t, values))) {
      if (message) errors[field] = message;
    }
    return errors;
  };

  /** The service's refusal as field errors, in the page's language. */
  const errorsOf = (t: Translate, values: SubnetworkFormValues, error: unknown): Errors | null => {
    if (error instanceof ConflictError) return { slug: t("subnetworks.error.slugTaken") };
    if (!(error instanceof InvalidInputError)) return null;
    const errors = fieldErrors(t, values, error.issues);
    if (!hasErrors(errors)) errors.name = error.message;
    return errors;
  };

  admin.get("/subnetworks/new", protect("manageNode"), (c) =>
    formPage(
      c,
      {
        slug: "",
        name: "",
        description: "",
        dimensions: [],
        components: "",
        categories: [],
        admission: "approval",
        moderators: [],
      },
      {},
    ),
  );

  admin.post("/subnetworks", protect("manageNode"), (c) => {
    const t = c.get("t");
    const values = valuesOf(c.get("form"));
    const errors = check(t, values, true);
    if (hasErrors(errors)) return formPage(c, values, errors);
    try {
      const row = kit.app.subnetworks.create(kit.actor(c), {
        slug: values.slug,
        ...inputOf(values),
      });
      return c.redirect(`/admin/subnetworks/hosted/${row.slug}?done=created`, 303);
    } catch (error) {
      const fieldErrors = errorsOf(t, values, error);
      if (fieldErrors) return formPage(c, values, fieldErrors);
      throw error;
    }
  });

  const hostedOf = (c: AdminContext) => kit.app.subnetworks.find(c.req.param("slug") ?? "");
  const notFound = (c: AdminContext) =>
    kit.message(c, 404, "notFound.title", c.get("t")("subnetworks.notFound"));

  admin.get("/subnetworks/hosted/:slug/edit", protect("manageNode"), (c) => {
    const row = hostedOf(c);
    if (!row) return notFound(c);
    return formPage(c, valuesFromRow(row), {}, row);
  });

  admin.post("/subnetworks/hosted/:slug", protect("manageNode"), (c) => {
    const row = hostedOf(c);
    if (!row) return notFound(c);
    const t = c.get("t");
    const values = { ...valuesOf(c.get("form")), slug: row.slug };
    const errors = check(t, values, false);
    if (hasErrors(errors)) return formPage(c, values, errors, row);
    try {
      kit.app.subnetworks.update(kit.actor(c), row.slug, inputOf(values));
    } catch (error) {
      const fieldErrors = errorsOf(t, values, error);
      if (fieldErrors) return formPage(c, values, fieldErrors, row);
      throw error;
    }
    return c.redirect(`/admin/subnetworks/hosted/${row.slug}?done=updated`, 303);
  });

  // ——— One hosted sub-network: members and relayed items ———

  const hostedItem = (item: SubnetworkItemRow, known: Map<string, string>): RelayedItem => ({
    kind: item.kind,
    objectId: item.objectId,
    territory: territoryLabel(item.origin, known),
    territoryUrl: item.origin,
    periodKey: item.periodKey ?? undefined,
    deleted: item.deletedAt !== null,
    relayedAt: item.relayedAt,
  });

  admin.get("/subnetworks/hosted/:slug", protect(), (c) => {
    const user = kit.user(c);
    const row = hostedOf(c);
    if (!row) return notFound(c);
    const t = c.get("t");
    const lang = c.get("lang");
    const view = subnetworkView(row, publicUrl);
    const members = kit.app.subnetworks.members(kit.actor(c), row.slug);
    const known = new Map(
      members.filter((m) => m.name).map((m) => [m.follower, m.name as string] as const),
    );
    const userNames = kit.app.users.names(kit.actor(c));
    const done = outcomeNotice(DONE, c.req.query("done"));
    return c.html(
      <HostedSubnetworkPage
        t={t}
        lang={lang}
        user={user}
        isAdmin={isAdmin(c)}
        mayModerate={mayModerate(c, row.slug)}
        subnetwork={{
          slug: row.slug,
          name: row.name,
          handle: view.handle,
          actorId: view.actorId,
          description: view.description,
          admission: row.admission,
          theme: themeLabels(c, row.theme, lang),
          moderators: row.moderators.map((id) => userNames.get(id) ?? `#${id}`),
        }}
        members={members.map(memberView)}
        relayed={kit.app.subnetworks
          .relayed(kit.actor(c), row.slug, { includeDeleted: true })
          .map((item) => hostedItem(item, known))}
        notice={done ? t(done) : undefined}
      />,
    );
  });

  /** Approve or remove a member: admins and the sub-network's moderators only. */
  const memberAction =
    (action: "approve" | "remove") =>
    async (c: AdminContext): Promise<Response> => {
      const row = hostedOf(c);
      if (!row) return notFound(c);
      const t = c.get("t");
      if (!mayModerate(c, row.slug)) {
        return kit.message(c, 403, "forbidden.title", t("subnetworks.forbidden"));
      }
      const id = idParam(c, "id");
      if (id === undefined) return c.notFound();
      if (!network) return kit.message(c, 409, "badRequest.title", t("subnetworks.unavailable"));
      const back = `/admin/subnetworks/hosted/${row.slug}`;
      try {
        const command = action === "approve" ? "approveMember" : "removeMember";
        await kit.app.subnetworks[command](kit.actor(c), row.slug, id);
      } catch (error) {
        if (error instanceof NotFoundError) return c.redirect(`${back}?done=gone`, 303);
        throw error;
      }
      return c.redirect(`${back}?done=${action === "approve" ? "approved" : "removed"}`, 303);
    };
  admin.post(
    "/subnetworks/hosted/:slug/members/:id/approve",
    protect("moderate"),
    memberAction("approve"),
  );
  admin.post(
    "/subnetworks/hosted/:slug/members/:id/remove",
    protect("moderate"),
    memberAction("remove"),
  );

  // ——— Joined sub-networks: leave, feed ———

  const joinedOf = (c: AdminContext) => {
    const territory = territoryOf(c);
    const id = idParam(c, "id");
    if (!territory || id === undefined) return undefined;
    const row = kit.app.network
      .following(kit.actor(c), territory.slug)
      .find((f) => f.id === id && f.targetType === "Group");
    return row && { territory, row };
  };

  admin.post("/subnetworks/joined/:id/leave", protect("edit"), async (c) => {
    const found = joinedOf(c);
    if (!found) return c.redirect("/admin/subnetworks", 303);
    if (!network) {
      return kit.message(c, 409, "badRequest.title", c.get("t")("subnetworks.unavailable"));
    }
    try {
      await kit.app.subnetworks.leave(kit.actor(c), found.territory.slug, found.row.id);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
    return c.redirect("/admin/subnetworks?done=left", 303);
  });

  admin.get("/subnetworks/joined/:id", protect(), (c) => {
    const user = kit.user(c);
    const found = joinedOf(c);
    if (!found) return notFound(c);
    const { territory, row } = found;
    const t = c.get("t");
    if (!network) return kit.message(c, 409, "badRequest.title", t("subnetworks.unavailable"));
    const known = new Map<string, string>();
    const feed = kit.app.network.subnetworkFeed(kit.actor(c), territory.slug, row.id);
    const items: RelayedItem[] = feed.map((item) => ({
      kind: item.kind,
      objectId: item.objectId,
      territory: item.territory ?? territoryLabel(item.origin, known),
      territoryUrl: item.origin,
      title: item.title,
      version: item.version,
      periodKey: item.periodKey,
      deleted: item.deleted,
      relayedAt: item.relayedAt,
    }));
    return c.html(
      <JoinedFeedPage
        t={t}
        lang={c.get("lang")}
        user={user}
        subnetwork={{
          id: row.id,
          name: row.targetName ?? row.targetHandle ?? row.target,
          target: row.target,
          handle: row.targetHandle ?? undefined,
          state: row.state,
        }}
        items={items}
      />,
    );
  });
}
