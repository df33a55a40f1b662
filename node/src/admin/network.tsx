import {
  ActorPreviewPage,
  type FollowingItem,
  NetworkPage,
} from "@spiral-network/admin-ui/admin/network-page";
import {
  RELAY_REFUSAL,
  ReceivedSynthesesPage,
  type ReceivedSynthesisDetail,
  type ReceivedSynthesisItem,
  ReceivedSynthesisPage,
  type RelayOption,
} from "@spiral-network/admin-ui/admin/received-syntheses-page";
import {
  breakdownRows,
  type CountMatrix,
  codeRows,
  gridRows,
  type RowSpec,
  sideSeries,
} from "@spiral-network/admin-ui/charts/count-rows";
import {
  type Lang,
  type MessageKey,
  type Translate,
  translator,
} from "@spiral-network/admin-ui/i18n";
import { categoryLabeller } from "@spiral-network/admin-ui/labels";
import type { GridCatalog } from "@spiral-network/protocol";
import type { Actor } from "../app/index";
import { PrivateAddressRefused } from "../federation/network-errors";
import { ConflictError, InvalidInputError, NotFoundError, UpstreamError } from "../services/errors";
import { followerView, followingView } from "../services/follows";
import type { ReceivedSynthesisRow } from "../services/received-syntheses";
import { territoryActorId } from "../services/territories";
import { TARGET_MAX } from "./actor-target";
import { type AdminApp, type AdminContext, type AdminKit, outcomeNotice, str } from "./kit";

/** Notices shown on the network page after an action (`?done=…`). */
const DONE: Record<string, MessageKey> = {
  unfollowed: "network.unfollowed",
  approved: "network.approved",
  removed: "network.removed",
  approval: "network.manualUpdated",
};

/**
 * The network pages: following (with a preview before a follow), followers (approve, refuse,
 * remove), the manual-approval setting, and the syntheses received from other territories.
 */
export function registerNetworkRoutes(admin: AdminApp, kit: AdminKit) {
  const { protect, territoryOf, canEdit, idParam } = kit;
  const network = kit.app.network.available ? kit.app.network : undefined;
  const { publicUrl, grid } = kit.app.node;
  const host = new URL(publicUrl).host;

  admin.get("/network", protect(), (c) => {
    const user = kit.user(c);
    const t = c.get("t");
    const territory = territoryOf(c);
    let notice: string | undefined;
    const followedId = Number(c.req.query("followed"));
    if (territory && Number.isSafeInteger(followedId) && followedId > 0) {
      const row = kit.app.network
        .following(kit.actor(c), territory.slug)
        .find((f) => f.id === followedId);
      if (row) notice = t("network.followed", { name: row.targetName ?? row.target });
    }
    const done = outcomeNotice(DONE, c.req.query("done"));
    if (done) notice = t(done);
    if (c.req.query("gone") !== undefined) notice = t("network.error.gone");
    return c.html(
      <NetworkPage
        t={t}
        lang={c.get("lang")}
        user={user}
        canEdit={canEdit(c)}
        networkAvailable={network !== undefined}
        territory={
          territory && {
            name: territory.name,
            handle: `@${territory.slug}@${host}`,
            manualApproval: territory.manualApproval,
          }
        }
        following={
          territory
            ? kit.app.network.following(kit.actor(c), territory.slug).map(followingView)
            : []
        }
        followers={
          territory ? kit.app.network.followers(kit.actor(c), territory.slug).map(followerView) : []
        }
        notice={notice}
      />,
    );
  });

  /** The preview page, or the form again with why the look-up failed (400 or 502). */
  const previewPage = async (c: AdminContext, target: string) => {
    const user = kit.user(c);
    const t = c.get("t");
    const territory = territoryOf(c);
    if (!territory) return kit.noTerritory(c);
    const page = (props: {
      error?: string;
      preview?: Parameters<typeof ActorPreviewPage>[0]["preview"];
      existing?: FollowingItem["state"];
      isSelf?: boolean;
    }) => <ActorPreviewPage t={t} lang={c.get("lang")} user={user} target={target} {...props} />;
    if (!network) return c.html(page({ error: t("network.unavailable") }), 503);
    // Reading an actor needs Fedify's vocabulary: loaded with the look-up, not with the
    // workspace (docs/architecture.md, "How federation is loaded").
    const { previewActor } = await import("./actor-preview");
    const result = await previewActor((found) => network.lookUp(kit.actor(c), found), target);
    if (!result.ok) {
      if (result.reason === "unreachable") {
        return c.html(page({ error: t("network.error.unreachable") }), 502);
      }
      if (result.reason === "timeout") {
        const seconds = network.outboundTimeoutSeconds;
        return c.html(page({ error: t("network.error.timeout", { seconds }) }), 504);
      }
      if (result.reason === "too-large") {
        return c.html(page({ error: t("network.error.tooLarge") }), 502);
      }
      const reason =
        result.reason === "private" ? "network.error.private" : "network.error.invalid";
      return c.html(page({ error: t(reason) }), 400);
    }
    const { preview } = result;
    return c.html(
      page({
        preview,
        existing: kit.app.network.followingByTarget(kit.actor(c), territory.slug, preview.id)
          ?.state,
        isSelf: preview.id === territoryActorId(publicUrl, territory.slug),
      }),
    );
  };

  admin.get("/network/preview", protect("edit"), (c) =>
    previewPage(c, (c.req.query("target") ?? "").slice(0, TARGET_MAX + 1)),
  );

  admin.post("/network/follow", protect("edit"), async (c) => {
    const territory = territoryOf(c);
    if (!territory) return kit.noTerritory(c);
    const target = str(c.get("form"), "target");
    const user = kit.user(c);
    const t = c.get("t");
    const failed = (error: string, status: 400 | 502 | 503 | 504) =>
      c.html(
        <ActorPreviewPage t={t} lang={c.get("lang")} user={user} target={target} error={error} />,
        status,
      );
    if (!network) return failed(t("network.unavailable"), 503);
    if (target.length < 3 || target.length > TARGET_MAX) {
      return failed(t("network.error.invalid"), 400);
    }
    try {
      const row = await kit.app.network.follow(kit.actor(c), territory.slug, target);
      return c.redirect(`/admin/network?followed=${row.id}`, 303);
    } catch (error) {
      if (error instanceof PrivateAddressRefused) return failed(t("network.error.private"), 400);
      if (error instanceof InvalidInputError) {
        const self = error.message.includes("itself");
        return failed(t(self ? "network.error.self" : "network.error.invalid"), 400);
      }
      if (error instanceof NotFoundError) return failed(t("network.error.unreachable"), 502);
      if (error instanceof UpstreamError && error.status === 504) {
        const seconds = network.outboundTimeoutSeconds;
        return failed(t("network.error.timeout", { seconds }), 504);
      }
      if (error instanceof UpstreamError) return failed(t("network.error.tooLarge"), 502);
      throw error;
    }
  });

  /** Runs a follow action on the row named in the path; a row gone meanwhile is not an error. */
  const followAction =
    (action: (actor: Actor, slug: string, id: number) => Promise<void>, done: keyof typeof DONE) =>
    async (c: AdminContext) => {
      const territory = territoryOf(c);
      if (!territory) return kit.noTerritory(c);
      const id = idParam(c, "id");
      if (id === undefined) return c.notFound();
      if (!network) return c.redirect("/admin/network", 303);
      try {
        await action(kit.actor(c), territory.slug, id);
      } catch (error) {
        if (error instanceof NotFoundError) return c.redirect("/admin/network?gone", 303);
        throw error;
      }
      return c.redirect(`/admin/network?done=${done}`, 303);
    };

  admin.post(
    "/network/following/:id/unfollow",
    protect("edit"),
    followAction((actor, slug, id) => kit.app.network.unfollow(actor, slug, id), "unfollowed"),
  );
  admin.post(
    "/network/followers/:id/approve",
    protect("edit"),
    followAction((actor, slug, id) => kit.app.network.approve(actor, slug, id), "approved"),
  );
  admin.post(
    "/network/followers/:id/remove",
    protect("edit"),
    followAction((actor, slug, id) => kit.app.network.remove(actor, slug, id), "removed"),
  );

  admin.post("/network/approval", protect("edit"), (c) => {
    const territory = territoryOf(c);
    if (!territory) return kit.noTerritory(c);
    const value = str(c.get("form"), "manualApproval");
    if (value !== "on" && value !== "off") {
      return kit.message(c, 400, "badRequest.title", c.get("t")("badRequest.body"));
    }
    kit.app.territoryProfiles.update(kit.actor(c), territory.slug, {
      manualApproval: value === "on",
    });
    return c.redirect("/admin/network?done=approval", 303);
  });

  /** Names a relay by what this node knows of it (a followed actor), else by its address. */
  const relayLabel = (c: AdminContext, url: string) => {
    const territory = territoryOf(c);
    const known = territory && kit.app.network.followingByTarget(kit.actor(c), territory.slug, url);
    if (known?.targetName) return known.targetName;
    try {
      const parsed = new URL(url);
      return `${parsed.host}${parsed.pathname}`;
    } catch {
      return url;
    }
  };

  const itemOf = (c: AdminContext, row: ReceivedSynthesisRow): ReceivedSynthesisItem => {
    const payload = row.payload;
    return {
      id: row.id,
      territory: {
        url: row.origin,
        name: payload.territory.name,
        country: payload.territory.country,
        region: payload.territory.region,
      },
      period: payload.period,
      version: row.version,
      receivedAt: row.receivedAt,
      via: row.via ? { url: row.via, label: relayLabel(c, row.via) } : undefined,
      conflicted: row.conflictedAt !== null,
      withdrawn: row.withdrawnAt !== null,
    };
  };

  admin.get("/network/syntheses", protect(), (c) => {
    const user = kit.user(c);
    return c.html(
      <ReceivedSynthesesPage
        t={c.get("t")}
        lang={c.get("lang")}
        user={user}
        items={kit.app.received.list(kit.actor(c)).map((row) => itemOf(c, row))}
      />,
    );
  });

  /** Why a received synthesis cannot be relayed now, if it cannot. */
  const relayOption = (c: AdminContext, row: ReceivedSynthesisRow): RelayOption | undefined => {
    const territory = territoryOf(c);
    if (!network || !territory || !canEdit(c)) return undefined;
    const followers = kit.app.network.acceptedFollowers(kit.actor(c), territory.slug).length;
    if (row.withdrawnAt !== null) return { followers, refusal: "withdrawn" };
    if (row.conflictedAt !== null) return { followers, refusal: "conflicted" };
    if (followers === 0) return { followers, refusal: "noFollowers" };
    return { followers };
  };

  /** The received synthesis named in the path, or undefined when there is none. */
  const receivedOf = (c: AdminContext): ReceivedSynthesisRow | undefined => {
    const id = idParam(c, "id");
    if (id === undefined) return undefined;
    try {
      return kit.app.received.get(kit.actor(c), id);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  };

  admin.get("/network/syntheses/:id", protect(), (c) => {
    const user = kit.user(c);
    const row = receivedOf(c);
    if (!row) return c.notFound();
    const t = c.get("t");
    const lang = c.get("lang");
    return c.html(
      <ReceivedSynthesisPage
        t={t}
        lang={lang}
        user={user}
        item={detailOf(c, row, t, lang)}
        relay={relayOption(c, row)}
        notice={c.req.query("relayed") !== undefined ? t("received.relay.done") : undefined}
      />,
    );
  });

  /** Re-announces the synthesis, unchanged, to this territory's followers. */
  admin.post("/network/syntheses/:id/relay", protect("edit"), async (c) => {
    const territory = territoryOf(c);
    if (!territory) return kit.noTerritory(c);
    const row = receivedOf(c);
    if (!row) return c.notFound();
    const back = `/admin/network/syntheses/${row.id}`;
    const refusal = relayOption(c, row)?.refusal;
    if (!network) return c.redirect(back, 303);
    const t = c.get("t");
    if (refusal) return kit.message(c, 409, "received.relay.refused", t(RELAY_REFUSAL[refusal]));
    try {
      await kit.app.network.relay(kit.actor(c), territory.slug, row.id);
    } catch (error) {
      // Withdrawn or conflicted since the check: say which, in the page language.
      if (error instanceof ConflictError) {
        const now = kit.app.received.get(kit.actor(c), row.id);
        const why = now.withdrawnAt !== null ? "withdrawn" : "conflicted";
        return kit.message(c, 409, "received.relay.refused", t(RELAY_REFUSAL[why]));
      }
      if (error instanceof NotFoundError) return c.notFound();
      throw error;
    }
    return c.redirect(`${back}?relayed`, 303);
  });

  const seriesFor = (t: Translate) => sideSeries(grid.file.questions, t);

  /**
   * Rows for the grid's entries, then for any code the payload counts that this node's grid
   * lacks (another grid version), so no count is dropped: named from that version when this
   * node knows it, else "not named in this grid version".
   */
  const rowsFor = (
    entries: typeof grid.dimensions,
    matrix: CountMatrix,
    lang: Lang,
    payloadGrid?: { id: string; version: string },
    catalog?: GridCatalog,
  ): RowSpec[] => {
    const notNamed = translator(lang)("grid.notNamed");
    const rows = gridRows(entries, lang, notNamed);
    const known = new Set(rows.map((r) => r.key));
    const unknown = new Set(
      Object.values(matrix).flatMap((cells) =>
        Object.keys(cells ?? {}).filter((k) => !known.has(k)),
      ),
    );
    const theirs = payloadGrid && catalog?.get(payloadGrid.id, payloadGrid.version);
    const name = (code: string) => {
      const entry = theirs?.entry(code);
      return entry?.named ? entry.label[lang] : notNamed;
    };
    return [
      ...rows,
      ...[...unknown].sort().map((code) => ({ key: code, label: `${code} · ${name(code)}` })),
    ];
  };

  /** The payload's counts as chart rows (labels in the page's language). */
  const detailOf = (
    c: AdminContext,
    row: ReceivedSynthesisRow,
    t: Translate,
    lang: Lang,
  ): ReceivedSynthesisDetail => {
    const payload = row.payload;
    const series = seriesFor(t);
    const categoryLabel = categoryLabeller(kit.app.categories.list(kit.actor(c)), t, lang);
    const categories = payload.categories ?? [];
    const known = kit.app.grids.catalog(kit.actor(c));
    return {
      ...itemOf(c, row),
      objectId: row.objectId,
      grid: {
        name: `${payload.grid.id} ${payload.grid.version}`,
        known: known.get(payload.grid.id, payload.grid.version) !== undefined,
      },
      hash: row.hash,
      previous: payload.previous,
      correction: payload.correction,
      conflictingHash: row.conflictingHash ?? undefined,
      participants: payload.participants,
      groups: payload.groups,
      criteria: payload.totals.criteria,
      byQuestion: payload.totals.byQuestion,
      series,
      dimensions: codeRows(
        payload.dimensions,
        rowsFor(grid.dimensions, payload.dimensions, lang, payload.grid, known),
        series,
      ),
      components: codeRows(
        payload.counts,
        rowsFor(grid.components, payload.counts, lang, payload.grid, known),
        series,
        {
          omitEmpty: true,
        },
      ),
      categories:
        categories.length === 0
          ? undefined
          : {
              rows: breakdownRows(
                categories.map((cat) => ({
                  key: cat.category,
                  label: categoryLabel(cat.category),
                  counts: cat.counts,
                })),
                series,
              ),
              totals: categories.map((cat) => ({
                label: categoryLabel(cat.category),
                groups: cat.groups,
                participants: cat.participants,
              })),
            },
    };
  };
}
