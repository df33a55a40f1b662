import { createHash } from "node:crypto";
import { PublishConfirmPage } from "@spiral-network/admin-ui/admin/publish-confirm-page";
import {
  type PublishedVersion,
  PublishPage,
  type PublishPageProps,
} from "@spiral-network/admin-ui/admin/publish-page";
import {
  CYCLES,
  type MinorityItem,
  type PeriodValues,
  periodQuery,
  SynthesisPage,
} from "@spiral-network/admin-ui/admin/synthesis-page";
import {
  breakdownRows,
  type CountMatrix,
  codeRows,
  gridRows,
  sideSeries,
} from "@spiral-network/admin-ui/charts/count-rows";
import { type Lang, type Translate, translator } from "@spiral-network/admin-ui/i18n";
import { categoryLabeller } from "@spiral-network/admin-ui/labels";
import {
  dimensionSubtotals,
  type GroupTally,
  isoDate,
  minorityViews,
  type Period,
  periodKey as periodKeyOf,
  type Question,
} from "@spiral-network/protocol";

import { ConflictError, InvalidInputError, NotFoundError } from "../services/errors";
import { joinedSubnetworks, subnetworkChoices } from "./joined";
import type { AdminApp, AdminContext, AdminKit, Errors } from "./kit";
import { str } from "./kit";

type Tally = GroupTally["counts"][number];

/** A period key ("2026-01-01/2026-12-31#cycle1") as a confirmation names it. */
const periodInWords = (key: string) =>
  key.replace("/", " → ").replace(/#cycle(\d+)$/, " (cycle $1)");

/**
 * The synthesis of the territory's validated criteria for a period (charts, minority views),
 * the publish preview (exactly what leaves the node, what is held back and why), publishing
 * and withdrawing.
 */
export function registerSynthesisRoutes(admin: AdminApp, kit: AdminKit) {
  const { protect, territoryOf, canEdit } = kit;
  const { grid, policy, now } = kit.app.node;

  /** The current calendar year: what a facilitator most often publishes. */
  const defaultPeriod = (): PeriodValues => {
    const year = now().getUTCFullYear();
    return { start: `${year}-01-01`, end: `${year}-12-31`, cycle: "" };
  };

  /** Reads a period from query or form fields; errors are per field, in the page language. */
  const readPeriod = (
    t: Translate,
    fields: Record<string, string | undefined>,
    /** Pages open on the current year; a form that publishes must name its period. */
    { defaultToYear = true } = {},
  ): { values: PeriodValues; period?: Period; errors: Errors } => {
    const given = (name: string) => (fields[name] ?? "").trim().slice(0, 40);
    const values: PeriodValues =
      defaultToYear && given("start") === "" && given("end") === "" && fields.cycle === undefined
        ? defaultPeriod()
        : { start: given("start"), end: given("end"), cycle: given("cycle") };
    const errors: Errors = {};
    for (const name of ["start", "end"] as const) {
      if (!isoDate.safeParse(values[name]).success) errors[name] = t("synthesis.error.date");
    }
    if (values.cycle !== "" && !(CYCLES as readonly string[]).includes(values.cycle)) {
      errors.cycle = t("synthesis.error.cycle");
    }
    if (!errors.start && !errors.end && values.start > values.end) {
      errors.end = t("synthesis.error.order");
    }
    if (Object.values(errors).some(Boolean)) return { values, errors };
    const period: Period = {
      start: values.start,
      end: values.end,
      ...(values.cycle === "" ? {} : { cycle: Number(values.cycle) }),
    };
    return { values, period, errors };
  };

  const seriesFor = (t: Translate) => sideSeries(grid.file.questions, t);
  const labelsOfCategories = (c: AdminContext, t: Translate, lang: Lang) =>
    categoryLabeller(kit.app.categories.list(kit.actor(c)), t, lang);

  const dimensionRows = (lang: Lang) =>
    gridRows(grid.dimensions, lang, translator(lang)("grid.notNamed"));
  const componentRows = (lang: Lang) =>
    gridRows(grid.components, lang, translator(lang)("grid.notNamed"));

  /** Adds tallies into a question → component → count matrix. */
  const matrixOf = (tallies: readonly Tally[]) => {
    const matrix: Record<string, Record<string, number>> = {};
    for (const { question, component, count } of tallies) {
      const cells = matrix[question] ?? {};
      cells[component] = (cells[component] ?? 0) + count;
      matrix[question] = cells;
    }
    return matrix;
  };

  /**
   * The local figures of a period: the application layer's query answers the very per-group
   * tallies a publication would sum; this only turns them into chart rows.
   */
  const localFigures = (
    c: AdminContext,
    slug: string,
    period: Period,
    t: Translate,
    lang: Lang,
  ) => {
    const figures = kit.app.syntheses.figures(kit.actor(c), slug, period);
    const { groupsInPeriod, unclassified, proposed } = figures;
    const counted = figures.groups.map((g) => ({ group: g, tallies: g.counts }));
    const counts = matrixOf(counted.flatMap((g) => g.tallies));
    const series = seriesFor(t);
    const categoryLabel = labelsOfCategories(c, t, lang);
    const byCategory = new Map<string, Tally[]>();
    for (const { group, tallies } of counted) {
      byCategory.set(group.category, [...(byCategory.get(group.category) ?? []), ...tallies]);
    }
    const categories = [...byCategory]
      .map(([code, tallies]) => ({
        key: code,
        label: categoryLabel(code),
        counts: matrixOf(tallies),
      }))
      .sort((a, b) => a.label.localeCompare(b.label, lang));
    const groupName = new Map(
      counted.map(({ group }) => [group.id, `${group.label} (${categoryLabel(group.category)})`]),
    );
    const minority: MinorityItem[] = minorityViews(
      counted.map(({ group, tallies }) => ({ group: group.id, counts: tallies })),
    ).map((view) => {
      const entry = grid.entry(view.component);
      return {
        code: view.component,
        label: entry?.named ? entry.label[lang] : translator(lang)("grid.notNamed"),
        provisional: entry?.provisional ?? false,
        group: groupName.get(view.group) ?? String(view.group),
        counts: series
          .map((s) => ({
            label: s.label,
            count: s.questions.reduce((sum, q) => sum + (view.byQuestion[q as Question] ?? 0), 0),
          }))
          .filter((c) => c.count > 0),
      };
    });
    return {
      groupsInPeriod,
      groupsCounted: counted.length,
      participants: counted.reduce((sum, g) => sum + g.group.participants, 0),
      criteria: counted.reduce((sum, g) => sum + g.tallies.reduce((n, x) => n + x.count, 0), 0),
      unclassified,
      proposed,
      series,
      dimensions: codeRows(dimensionSubtotals(counts) as CountMatrix, dimensionRows(lang), series),
      components: codeRows(counts, componentRows(lang), series, { omitEmpty: true }),
      categories: breakdownRows(categories, series),
      minority,
    };
  };

  admin.get("/synthesis", protect(), (c) => {
    const user = kit.user(c);
    const t = c.get("t");
    const lang = c.get("lang");
    const territory = territoryOf(c);
    const { values, period, errors } = readPeriod(t, c.req.query());
    return c.html(
      <SynthesisPage
        t={t}
        lang={lang}
        user={user}
        hasTerritory={territory !== undefined}
        period={values}
        periodErrors={errors}
        figures={territory && period ? localFigures(c, territory.slug, period, t, lang) : undefined}
      />,
      period || !territory ? 200 : 400,
    );
  });

  /** The published versions of the territory, newest first, with their synthesis's state. */
  const publishedVersions = (c: AdminContext, slug: string): PublishedVersion[] => {
    const versions = kit.app.syntheses.versions(kit.actor(c), slug);
    const latest = new Map<string, number>();
    for (const { row } of versions) {
      latest.set(row.synthesisUuid, Math.max(latest.get(row.synthesisUuid) ?? 0, row.version));
    }
    return versions.map(({ row, withdrawn }) => ({
      synthesisId: row.synthesisUuid,
      periodKey: row.periodKey,
      version: row.version,
      publishedAt: row.createdAt,
      hash: row.hash,
      withdrawn,
      latest: latest.get(row.synthesisUuid) === row.version,
    }));
  };

  const publishPage = (
    c: AdminContext,
    fields: Record<string, string | undefined>,
    options: {
      status?: 200 | 400 | 409;
      notice?: string | undefined;
      publishedVersion?: number | undefined;
      failure?: PublishPageProps["failure"];
      defaultToYear?: boolean;
    } = {},
  ) => {
    const user = kit.user(c);
    const t = c.get("t");
    const lang = c.get("lang");
    const territory = territoryOf(c);
    const { values, period, errors } = readPeriod(t, fields, options);
    const correction = fields.correction === "1" || fields.correction === "on";
    const categoryLabel = labelsOfCategories(c, t, lang);
    let preview: PublishPageProps["preview"];
    if (territory && period) {
      const draft = kit.app.syntheses.preview(kit.actor(c), territory.slug, period, correction);
      const series = seriesFor(t);
      const payload = draft.payload;
      const { unclassified, proposed, groups } = kit.app.syntheses.figures(
        kit.actor(c),
        territory.slug,
        period,
      );
      const validated = groups.reduce(
        (sum, g) => sum + g.counts.reduce((n, cell) => n + cell.count, 0),
        0,
      );
      preview = {
        correction,
        unchangedSince: draft.unchangedSince,
        pending: { unclassified, proposed, validated },
        previousVersion: draft.previousVersion?.version ?? null,
        nextVersion: (draft.previousVersion?.version ?? 0) + 1,
        blockers: draft.blockers,
        withheld: draft.withheld,
        payload,
        json: payload ? JSON.stringify(payload, null, 2) : "",
        series,
        dimensions: payload ? codeRows(payload.dimensions, dimensionRows(lang), series) : [],
        components: payload
          ? codeRows(payload.counts, componentRows(lang), series, { omitEmpty: true })
          : [],
        categories: breakdownRows(
          (payload?.categories ?? []).map((cat) => ({
            key: cat.category,
            label: categoryLabel(cat.category),
            counts: cat.counts,
          })),
          series,
        ),
      };
    }
    const status = options.status ?? (period || !territory ? 200 : 400);
    return c.html(
      <PublishPage
        t={t}
        lang={lang}
        user={user}
        canEdit={canEdit(c)}
        hasTerritory={territory !== undefined}
        period={values}
        periodErrors={errors}
        notice={options.notice}
        publishedVersion={options.publishedVersion}
        failure={options.failure}
        policy={policy}
        preview={preview}
        categoryLabel={categoryLabel}
        versions={territory ? publishedVersions(c, territory.slug) : []}
        subnetworks={
          territory && {
            options: joinedSubnetworks(kit.app, kit.actor(c), territory.slug),
            checked: subnetworkChoices(fields),
          }
        }
      />,
      status,
    );
  };

  /**
   * Before publishing: a page naming what followers will receive (version, figures, how many
   * followers, which sub-networks), whose form comes back with confirm=1 and a fingerprint of
   * the figures, so figures that changed meanwhile are shown again rather than sent unseen.
   * Undefined when the form is confirmed and current, or when publishing would be refused
   * anyway (the refusal then says why).
   */
  const publishConfirmation = (
    c: AdminContext,
    slug: string,
    form: Record<string, string>,
    period: Period,
    correction: boolean,
  ) => {
    const draft = kit.app.syntheses.preview(kit.actor(c), slug, period, correction);
    const payload = draft.payload;
    if (!payload || draft.unchangedSince !== null) return undefined;
    const fingerprint = createHash("sha256")
      .update(JSON.stringify({ ...payload, updated: "" }))
      .digest("base64url")
      .slice(0, 22);
    const confirmed = str(form, "confirm") === "1";
    if (confirmed && str(form, "fingerprint") === fingerprint) return undefined;
    const t = c.get("t");
    const addressed = subnetworkChoices(form);
    const joined = joinedSubnetworks(kit.app, kit.actor(c), slug);
    // A sub-network not joined: publishing refuses it and says so.
    if (!addressed.every((id) => joined.some((s) => s.id === id))) return undefined;
    const names = joined.filter((s) => addressed.includes(s.id)).map((s) => s.name);
    const hidden: Record<string, string> = {
      start: period.start,
      end: period.end,
      cycle: period.cycle === undefined ? "" : String(period.cycle),
      fingerprint,
      ...(correction ? { correction: "1" } : {}),
      ...Object.fromEntries(addressed.map((id) => [`subnetwork_${id}`, "1"])),
    };
    const values = { start: hidden.start ?? "", end: hidden.end ?? "", cycle: hidden.cycle ?? "" };
    return c.html(
      <PublishConfirmPage
        t={t}
        lang={c.get("lang")}
        user={kit.user(c)}
        notice={confirmed ? t("publish.changed") : undefined}
        confirm={{
          kind: "publish",
          version: payload.version,
          period: periodInWords(periodKeyOf(period)),
          followers: kit.app.syntheses.audience(kit.actor(c), slug),
          correctionOf: payload.correction
            ? (draft.previousVersion?.version ?? undefined)
            : undefined,
          figures: {
            groups: payload.groups,
            participants: payload.participants,
            criteria: payload.totals.criteria,
          },
          subnetworks: names,
          action: "/admin/synthesis/publish",
          hidden,
          back: `/admin/synthesis/preview?${periodQuery(values)}${correction ? "&correction=1" : ""}`,
        }}
      />,
      confirmed ? 409 : 200,
    );
  };

  admin.get("/synthesis/preview", protect(), (c) => {
    const t = c.get("t");
    const query = c.req.query();
    const published = Number(query.published);
    const notice =
      Number.isSafeInteger(published) && published > 0
        ? t("publish.done", { version: published })
        : query.withdrawn !== undefined
          ? t("publish.withdrawn")
          : undefined;
    return publishPage(c, query, {
      notice,
      publishedVersion: Number.isSafeInteger(published) && published > 0 ? published : undefined,
    });
  });

  admin.post("/synthesis/publish", protect("edit"), (c) => {
    const territory = territoryOf(c);
    if (!territory) return kit.noTerritory(c);
    const t = c.get("t");
    const form = c.get("form");
    const { values, period } = readPeriod(t, form, { defaultToYear: false });
    if (!period) return publishPage(c, form, { status: 400, defaultToYear: false });
    const correction = str(form, "correction") !== "";
    const addressed = subnetworkChoices(form);
    const confirmation = publishConfirmation(c, territory.slug, form, period, correction);
    if (confirmation) return confirmation;
    try {
      // None ticked: the service's default (a new version goes where the previous one went).
      const row = kit.app.syntheses.publish(
        kit.actor(c),
        territory.slug,
        period,
        correction,
        addressed.length > 0 ? { subnetworks: addressed } : {},
      );
      return c.redirect(
        `/admin/synthesis/preview?${periodQuery(values)}&published=${row.version}`,
        303,
      );
    } catch (error) {
      if (error instanceof ConflictError) {
        const unchanged = /^nothing changed since version (\d+)$/.exec(error.message);
        const failure = unchanged
          ? { message: t("publish.unchanged", { version: Number(unchanged[1]) }), reasons: [] }
          : error.reasons.length > 0
            ? { message: t("publish.refused"), reasons: error.reasons }
            : { message: t("publish.conflict", { reason: error.message }), reasons: [] };
        return publishPage(c, form, { status: 409, failure });
      }
      if (error instanceof InvalidInputError) {
        const reason = error.issues.some((i) => i.path.startsWith("subnetworks"))
          ? t("publish.subnetworks.invalid")
          : error.issues.map((i) => i.message).join("; ") || error.message;
        return publishPage(c, form, {
          status: 400,
          failure: { message: t("publish.invalid", { reason }), reasons: [] },
        });
      }
      throw error;
    }
  });

  admin.post("/synthesis/withdraw", protect("edit"), (c) => {
    const territory = territoryOf(c);
    if (!territory) return kit.noTerritory(c);
    const t = c.get("t");
    const form = c.get("form");
    // Back to the period the facilitator was looking at (only the period fields are kept).
    const back = new URLSearchParams(str(form, "back").slice(0, 200));
    const fields = {
      start: back.get("start") ?? undefined,
      end: back.get("end") ?? undefined,
      cycle: back.get("cycle") ?? undefined,
    };
    const synthesis = str(form, "synthesis");
    if (!/^[0-9a-f-]{36}$/.test(synthesis)) {
      return kit.message(c, 404, "notFound.title", t("publish.notFound"));
    }
    if (str(form, "confirm") !== "1") {
      const version = publishedVersions(c, territory.slug).find(
        (v) => v.synthesisId === synthesis && v.latest && !v.withdrawn,
      );
      if (!version) return kit.message(c, 404, "notFound.title", t("publish.notFound"));
      return c.html(
        <PublishConfirmPage
          t={t}
          lang={c.get("lang")}
          user={kit.user(c)}
          confirm={{
            kind: "withdraw",
            version: version.version,
            period: periodInWords(version.periodKey),
            followers: kit.app.syntheses.audience(kit.actor(c), territory.slug),
            action: "/admin/synthesis/withdraw",
            hidden: { synthesis, back: str(form, "back") },
            back: `/admin/synthesis/preview?${back}`,
          }}
        />,
      );
    }
    try {
      kit.app.syntheses.withdraw(kit.actor(c), territory.slug, synthesis);
    } catch (error) {
      if (error instanceof NotFoundError) {
        return kit.message(c, 404, "notFound.title", t("publish.notFound"));
      }
      if (error instanceof ConflictError) {
        const message = /already withdrawn/.test(error.message)
          ? t("publish.alreadyWithdrawn")
          : t("publish.conflict", { reason: error.message });
        return publishPage(c, fields, { status: 409, failure: { message, reasons: [] } });
      }
      throw error;
    }
    const { values, period } = readPeriod(t, fields);
    return c.redirect(
      `/admin/synthesis/preview?${period ? `${periodQuery(values)}&` : ""}withdrawn`,
      303,
    );
  });
}
