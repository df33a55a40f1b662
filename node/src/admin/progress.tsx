import {
  CampaignFormPage,
  CampaignPage,
  type CampaignPath,
  type CampaignSummary,
  CodesSheetPage,
  PathFormPage,
  type PathSummary,
  ProgressFiguresPage,
  ProgressHomePage,
} from "@spiral-network/admin-ui/admin/progress-page";
import type { Lang } from "@spiral-network/admin-ui/i18n";
import { groupCategoryLabel, pathCodeSchema } from "@spiral-network/protocol";
import { encode } from "uqr";
import type { LocalStatement } from "../db/schema";
import { progressFilterOf } from "../progress-query";
import { ConflictError, InvalidInputError, NotFoundError } from "../services/errors";
import { type CampaignRow, surveyUrl } from "../services/progress";
import {
  type AdminApp,
  type AdminContext,
  type AdminKit,
  type Errors,
  outcomeNotice,
  str,
} from "./kit";

/** Statement texts in a language, else the first written (what a page shows). */
export const statementTexts = (
  statements: readonly LocalStatement[] | ReadonlyArray<{ text: Record<string, string> }>,
  language: string,
) => statements.map((s) => s.text[language] ?? Object.values(s.text)[0] ?? "");

const OUTCOMES = {
  saved: "progress.saved",
  created: "progress.campaign.created",
  paper: "progress.paper.saved",
  withdrawn: "progress.withdrawn",
} as const;

/** Field errors from a refused command: each issue beside its field, the message otherwise. */
function errorsOf(error: unknown): Errors | undefined {
  if (!(error instanceof InvalidInputError)) return undefined;
  const errors: Errors = {};
  for (const issue of error.issues) {
    const field = issue.path.startsWith("statements") ? "s1" : (issue.path.split(".")[0] ?? "form");
    errors[field] = errors[field] ? `${errors[field]} ${issue.message}` : issue.message;
  }
  if (Object.keys(errors).length === 0) errors.form = error.message;
  return errors;
}

export function registerProgressRoutes(admin: AdminApp, kit: AdminKit) {
  const { app, protect } = kit;
  const { grid, publicUrl, policy } = app.node;
  const label = (code: string, lang: Lang) => (grid.entry(code) ? grid.label(code, lang) : code);

  const territoryOr404 = (c: AdminContext) => kit.territoryOf(c);

  const pathSummaries = (c: AdminContext, slug: string): PathSummary[] => {
    const lang = c.get("lang");
    return app.progress.listPaths(kit.actor(c), slug).map((p) => ({
      uuid: p.uuid,
      code: p.code,
      label: label(p.code, lang),
      version: p.latest.version,
      usable: p.usable,
      preview: statementTexts(p.latest.statements, lang),
    }));
  };

  const campaignSummary = (row: CampaignRow, published: number | null): CampaignSummary => ({
    uuid: row.uuid,
    label: row.label,
    period: `${row.periodStart} – ${row.periodEnd}`,
    cycle: row.cycle,
    phase: row.phase,
    closed: row.closedAt !== null,
    published,
  });

  admin.get("/progress", protect(), (c) => {
    const territory = territoryOr404(c);
    if (!territory) return kit.noTerritory(c);
    const actor = kit.actor(c);
    const campaigns = app.progress
      .listCampaigns(actor, territory.slug)
      .map((row) =>
        campaignSummary(
          row,
          app.progress.getCampaign(actor, territory.slug, row.uuid).published?.version ?? null,
        ),
      );
    const t = c.get("t");
    const notice = outcomeNotice(OUTCOMES, c.req.query("done"));
    return c.html(
      <ProgressHomePage
        t={t}
        lang={c.get("lang")}
        user={kit.user(c)}
        canEdit={kit.canEdit(c)}
        paths={pathSummaries(c, territory.slug)}
        campaigns={campaigns}
        notice={notice ? t(notice) : undefined}
      />,
    );
  });

  // ——— Paths ———

  const pathForm = (
    c: AdminContext,
    input: {
      uuid: string | null;
      code: string;
      statements: Array<{
        text: Record<string, string>;
        passage: string | null;
        criteria: number[];
      }>;
      confirmed: boolean;
      errors?: Errors;
      notice?: string;
    },
    status: 200 | 400 | 409 = 200,
  ) => {
    const territory = territoryOr404(c);
    if (!territory) return kit.noTerritory(c);
    const lang = c.get("lang");
    const known = input.code !== "" && grid.entry(input.code) !== undefined;
    const criteria = known
      ? app.progress.criteriaFor(kit.actor(c), territory.slug, input.code)
      : [];
    const languages = [
      ...new Set([...territory.languages, ...input.statements.flatMap((s) => Object.keys(s.text))]),
    ];
    return c.html(
      <PathFormPage
        t={c.get("t")}
        lang={lang}
        user={kit.user(c)}
        uuid={input.uuid}
        code={input.code}
        codeLabel={known ? label(input.code, lang) : undefined}
        languages={languages}
        statements={input.statements}
        confirmed={input.confirmed}
        criteria={criteria}
        errors={input.errors ?? {}}
        notice={input.notice}
      />,
      status,
    );
  };

  /** The path form's fields as the service takes them. */
  const pathInputOf = (
    form: Record<string, string>,
    all: Record<string, string | string[]>,
    languages: string[],
  ) => ({
    code: str(form, "code"),
    confirmedPublic: form.confirmedPublic === "yes",
    statements: [1, 2, 3, 4, 5].map((level) => {
      const criteria = all[`s${level}.criteria`];
      const ids = (Array.isArray(criteria) ? criteria : criteria ? [criteria] : []).map(Number);
      const passage = str(form, `s${level}.passage`);
      return {
        text: Object.fromEntries(languages.map((l) => [l, str(form, `s${level}.${l}`)])),
        ...(level > 1 && ["P", "O", "Q", "S"].includes(passage) ? { passage: passage as "P" } : {}),
        criteria: ids.filter((id) => Number.isSafeInteger(id) && id > 0),
      };
    }),
  });

  const languagesOf = (form: Record<string, string>) =>
    [
      ...new Set(
        Object.keys(form).flatMap(
          (k) => /^s[1-5]\.([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)$/.exec(k)?.[1] ?? [],
        ),
      ),
    ].filter((l) => l !== "passage" && l !== "criteria");

  admin.get("/progress/paths/new", protect("edit"), (c) => {
    const code = (c.req.query("code") ?? "").trim().toUpperCase();
    const valid = code === "" || (pathCodeSchema.safeParse(code).success && grid.entry(code));
    return pathForm(
      c,
      {
        uuid: null,
        code: valid ? code : "",
        statements: [],
        confirmed: false,
        ...(valid ? {} : { errors: { code: c.get("t")("error.invalid") } }),
      },
      valid ? 200 : 400,
    );
  });

  const savePath = async (c: AdminContext, uuid: string | null) => {
    const territory = territoryOr404(c);
    if (!territory) return kit.noTerritory(c);
    const form = c.get("form");
    const all = (await c.req.parseBody({ all: true })) as Record<string, string | string[]>;
    const input = pathInputOf(form, all, languagesOf(form));
    try {
      const saved = app.progress.savePath(kit.actor(c), territory.slug, uuid, input);
      return c.redirect(`/admin/progress/paths/${saved.uuid}?done=saved`, 303);
    } catch (error) {
      const errors = errorsOf(error);
      if (!errors) throw error;
      return pathForm(
        c,
        {
          uuid,
          code: input.code,
          statements: input.statements.map((s) => ({ ...s, passage: s.passage ?? null })),
          confirmed: input.confirmedPublic,
          errors,
        },
        400,
      );
    }
  };

  admin.post("/progress/paths/new", protect("edit"), (c) => savePath(c, null));

  admin.get("/progress/paths/:uuid", protect(), (c) => {
    const territory = territoryOr404(c);
    if (!territory) return kit.noTerritory(c);
    const path = findOr404(() =>
      app.progress.getPath(kit.actor(c), territory.slug, c.req.param("uuid")),
    );
    if (!path) return c.notFound();
    const t = c.get("t");
    const notice = outcomeNotice(OUTCOMES, c.req.query("done"));
    return pathForm(c, {
      uuid: path.uuid,
      code: path.code,
      statements: path.latest.statements,
      confirmed: path.latest.confirmedPublic,
      ...(notice ? { notice: t(notice) } : {}),
    });
  });

  admin.post("/progress/paths/:uuid", protect("edit"), (c) => {
    const territory = territoryOr404(c);
    if (!territory) return kit.noTerritory(c);
    const uuid = c.req.param("uuid");
    if (!findOr404(() => app.progress.getPath(kit.actor(c), territory.slug, uuid)))
      return c.notFound();
    return savePath(c, uuid);
  });

  // ——— Campaigns ———

  const campaignForm = (
    c: AdminContext,
    values: Record<string, string>,
    chosen: string[],
    errors: Errors,
    status: 200 | 400,
  ) => {
    const territory = territoryOr404(c);
    if (!territory) return kit.noTerritory(c);
    return c.html(
      <CampaignFormPage
        t={c.get("t")}
        lang={c.get("lang")}
        user={kit.user(c)}
        paths={pathSummaries(c, territory.slug)}
        values={values}
        chosen={chosen}
        errors={errors}
      />,
      status,
    );
  };

  admin.get("/progress/campaigns/new", protect("edit"), (c) => campaignForm(c, {}, [], {}, 200));

  admin.post("/progress/campaigns/new", protect("edit"), async (c) => {
    const territory = territoryOr404(c);
    if (!territory) return kit.noTerritory(c);
    const form = c.get("form");
    const all = (await c.req.parseBody({ all: true })) as Record<string, string | string[]>;
    const chosen = (Array.isArray(all.paths) ? all.paths : all.paths ? [all.paths] : []).map(
      String,
    );
    const cycle = Number(str(form, "cycle"));
    try {
      const row = app.progress.createCampaign(kit.actor(c), territory.slug, {
        label: str(form, "label"),
        start: str(form, "start"),
        end: str(form, "end"),
        cycle: Number.isInteger(cycle) ? cycle : -1,
        phase: str(form, "phase") === "ex-post" ? "ex-post" : "ex-ante",
        paths: chosen,
        askCategory: form.askCategory === "yes",
      });
      return c.redirect(`/admin/progress/campaigns/${row.uuid}?done=created`, 303);
    } catch (error) {
      const errors = errorsOf(error);
      if (!errors) throw error;
      return campaignForm(c, form, chosen, errors, 400);
    }
  });

  /** The campaign page: results, codes, paper answers, publication. */
  const campaignPage = (c: AdminContext, uuid: string, notice?: string) => {
    const territory = territoryOr404(c);
    if (!territory) return kit.noTerritory(c);
    const actor = kit.actor(c);
    const found = findOr404(() => app.progress.getCampaign(actor, territory.slug, uuid));
    if (!found) return c.notFound();
    const lang = c.get("lang");
    const t = c.get("t");
    const results = app.progress.results(actor, territory.slug, uuid);
    const preview = app.progress.preview(actor, territory.slug, uuid);
    // Another campaign sharing several paths is read once.
    const resultsOf = new Map<string, typeof results>([[uuid, results]]);
    const resultsFor = (other: string) => {
      const known = resultsOf.get(other);
      if (known) return known;
      const read = app.progress.results(actor, territory.slug, other);
      resultsOf.set(other, read);
      return read;
    };
    const paths: CampaignPath[] = results.paths.map((p) => {
      const others = app.progress
        .campaignsOnPath(actor, territory.slug, p.pathUuid)
        .filter((other) => other !== uuid)
        .flatMap((other) => {
          const theirs = resultsFor(other);
          const same = theirs.paths.find((q) => q.pathUuid === p.pathUuid);
          return same
            ? [
                {
                  label: theirs.campaign.label,
                  phase: theirs.campaign.phase,
                  start: theirs.campaign.periodStart,
                  counts: same.counts,
                },
              ]
            : [];
        });
      return {
        versionId: p.pathVersionId,
        pathUuid: p.pathUuid,
        code: p.code,
        label: label(p.code, lang),
        statements: statementTexts(p.version.statements, lang),
        counts: p.counts,
        others,
      };
    });
    return c.html(
      <CampaignPage
        t={t}
        lang={lang}
        user={kit.user(c)}
        canEdit={kit.canEdit(c)}
        campaign={{
          ...campaignSummary(found.campaign, found.published?.version ?? null),
          surveyUrl: surveyUrl(publicUrl, uuid),
          askCategory: found.campaign.askCategory,
          start: found.campaign.periodStart,
        }}
        codes={found.codes}
        respondents={results.respondents}
        paths={paths}
        categories={app.categories
          .list(undefined)
          .map((cat) => ({ code: cat.code, label: groupCategoryLabel(cat, lang) }))}
        preview={{
          withdrawable: found.published !== null && found.published.withdrawnAt === null,
          publishable: preview.publishable,
          blockers: preview.blockers,
          withheld: preview.withheld,
          nextVersion: (preview.previous?.version ?? 0) + 1,
        }}
        k={policy.k}
        notice={notice}
      />,
    );
  };

  admin.get("/progress/campaigns/:uuid", protect(), (c) => {
    const key = outcomeNotice(OUTCOMES, c.req.query("done"));
    const published = Number(c.req.query("published"));
    const t = c.get("t");
    const notice = key
      ? t(key)
      : Number.isInteger(published) && published > 0
        ? t("progress.published", { version: published })
        : undefined;
    return campaignPage(c, c.req.param("uuid"), notice);
  });

  admin.post("/progress/campaigns/:uuid/codes", protect("edit"), (c) => {
    const territory = territoryOr404(c);
    if (!territory) return kit.noTerritory(c);
    const uuid = c.req.param("uuid");
    const found = findOr404(() => app.progress.getCampaign(kit.actor(c), territory.slug, uuid));
    if (!found) return c.notFound();
    const howMany = Number(str(c.get("form"), "count"));
    try {
      const codes = app.progress.issueCodes(kit.actor(c), territory.slug, uuid, howMany);
      return c.html(
        <CodesSheetPage
          t={c.get("t")}
          lang={c.get("lang")}
          user={kit.user(c)}
          label={found.campaign.label}
          surveyUrl={surveyUrl(publicUrl, uuid)}
          codes={codes.map((code) => ({
            code,
            // Scanned, it opens the answer page with the code filled in.
            qr: encode(`${surveyUrl(publicUrl, uuid)}?code=${encodeURIComponent(code)}`, {
              ecc: "M",
              border: 0,
            }).data,
          }))}
        />,
      );
    } catch (error) {
      if (error instanceof InvalidInputError)
        return kit.message(c, 400, "badRequest.title", error.issues[0]?.message ?? error.message);
      throw error;
    }
  });

  for (const [action, closed] of [
    ["close", true],
    ["reopen", false],
  ] as const) {
    admin.post(`/progress/campaigns/:uuid/${action}`, protect("edit"), (c) => {
      const territory = territoryOr404(c);
      if (!territory) return kit.noTerritory(c);
      const uuid = c.req.param("uuid");
      const done = findOr404(() => {
        app.progress.setClosed(kit.actor(c), territory.slug, uuid, closed);
        return true;
      });
      if (!done) return c.notFound();
      return c.redirect(`/admin/progress/campaigns/${uuid}`, 303);
    });
  }

  admin.post("/progress/campaigns/:uuid/paper", protect("edit"), (c) => {
    const territory = territoryOr404(c);
    if (!territory) return kit.noTerritory(c);
    const uuid = c.req.param("uuid");
    const form = c.get("form");
    const answers = Object.fromEntries(
      Object.entries(form)
        .filter(([k]) => /^p\d{1,12}$/.test(k))
        .map(([k, v]) => [k.slice(1), v === "dk" ? "dk" : Number(v)]),
    );
    try {
      app.progress.enterPaper(kit.actor(c), territory.slug, uuid, answers, str(form, "category"));
      return c.redirect(`/admin/progress/campaigns/${uuid}?done=paper`, 303);
    } catch (error) {
      if (error instanceof NotFoundError) return c.notFound();
      if (error instanceof InvalidInputError)
        return kit.message(c, 400, "badRequest.title", error.issues[0]?.message ?? error.message);
      throw error;
    }
  });

  admin.post("/progress/campaigns/:uuid/publish", protect("edit"), (c) => {
    const territory = territoryOr404(c);
    if (!territory) return kit.noTerritory(c);
    const uuid = c.req.param("uuid");
    try {
      const version = app.progress.publish(kit.actor(c), territory.slug, uuid);
      return c.redirect(`/admin/progress/campaigns/${uuid}?published=${version.version}`, 303);
    } catch (error) {
      if (error instanceof NotFoundError) return c.notFound();
      if (error instanceof ConflictError)
        return kit.message(
          c,
          409,
          "badRequest.title",
          [error.message, ...error.reasons].join(": "),
        );
      throw error;
    }
  });

  admin.post("/progress/campaigns/:uuid/withdrawal", protect("edit"), (c) => {
    const territory = territoryOr404(c);
    if (!territory) return kit.noTerritory(c);
    const uuid = c.req.param("uuid");
    const t = c.get("t");
    if (str(c.get("form"), "confirm") !== "yes") {
      return kit.message(c, 400, "badRequest.title", t("progress.withdraw.confirm"));
    }
    try {
      app.progress.withdraw(kit.actor(c), territory.slug, uuid);
      return c.redirect(`/admin/progress/campaigns/${uuid}?done=withdrawn`, 303);
    } catch (error) {
      if (error instanceof NotFoundError) return c.notFound();
      if (error instanceof ConflictError)
        return kit.message(c, 409, "badRequest.title", error.message);
      throw error;
    }
  });

  // ——— Network figures of progress ———

  admin.get("/progress/figures", protect(), (c) => {
    const lang = c.get("lang");
    const { filter, echo } = progressFilterOf((name) => c.req.query(name));
    const figures = app.progress.figures(kit.actor(c), filter);
    return c.html(
      <ProgressFiguresPage
        t={c.get("t")}
        lang={lang}
        user={kit.user(c)}
        filter={echo}
        {...progressFigureView(figures, (code) => label(code, lang))}
        csvUrl={`/api/v1/progress/figures.csv${new URL(c.req.url).search}`}
      />,
    );
  });
}

/** Runs a lookup; undefined when what it names does not exist (the route answers 404). */
function findOr404<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** Figures as the explorer shows them: per code, its phases side by side. */
export function progressFigureView(
  figures: ReturnType<AdminKit["app"]["progress"]["figures"]>,
  labelOf: (code: string) => string,
) {
  const byCode = new Map<
    string,
    { code: string; label: string; phases: Array<(typeof figures.rows)[number]> }
  >();
  for (const row of figures.rows) {
    const entry = byCode.get(row.code) ?? { code: row.code, label: labelOf(row.code), phases: [] };
    entry.phases.push(row);
    byCode.set(row.code, entry);
  }
  return {
    rows: [...byCode.values()],
    coverage: {
      included: figures.coverage.included.map((i) => ({
        name: i.name,
        country: i.country,
        version: i.version,
      })),
      excluded: figures.coverage.excluded.map((e) => ({ origin: e.origin, reason: e.reason })),
      fingerprint: figures.coverage.fingerprint,
    },
  };
}
