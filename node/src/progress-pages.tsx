import { isLang, type Lang, pickLanguage, translator } from "@spiral-network/admin-ui/i18n";
import { categoryChoices } from "@spiral-network/admin-ui/labels";
import {
  ProgressFiguresPublicPage,
  ProgressPublicPage,
} from "@spiral-network/admin-ui/progress-public-page";
import { SurveyPage } from "@spiral-network/admin-ui/survey-page";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getCookie } from "hono/cookie";
import { progressFigureView, statementTexts } from "./admin/progress";
import { type BackoffPolicy, clientAddress, createBackoffThrottle } from "./admin/throttle";
import { progressFilterOf } from "./progress-query";
import { ConflictError, InvalidInputError, NotFoundError } from "./services/errors";
import type { Services } from "./services/index";
import { progressUrl } from "./services/progress";

/**
 * Refused codes from one client address (docs/facilitators-guide.md, "Self-survey campaigns"):
 * a few free, then a pause that doubles. The address stays in memory only, never in the database.
 */
export const SURVEY_CODE_POLICY: BackoffPolicy = {
  free: 10,
  firstPauseMs: 60_000,
  maxPauseMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
};

const UUID = "[0-9a-f-]{36}";
const HTML_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The public self-survey answer page (no account, no script) and the public page of a
 * campaign's published progress. Answers are throttled per client address on refused codes.
 */
export function createProgressPages(services: Services, options: { trustProxy: boolean }) {
  const routes = new Hono();
  const { publicUrl, grid } = services.ctx;
  const throttle = createBackoffThrottle(services.ctx.now, SURVEY_CODE_POLICY);

  routes.use(async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
    c.header("Content-Security-Policy", HTML_POLICY);
    c.header("Referrer-Policy", "no-referrer");
    c.header("X-Content-Type-Options", "nosniff");
  });
  routes.use(
    `/survey/:uuid{${UUID}}`,
    bodyLimit({ maxSize: 32 * 1024, onError: (c) => c.text("The form is too large.", 413) }),
  );

  /** The interface language: `?lang=` when it names one, else the cookie or Accept-Language. */
  const pageLang = (c: Context, asked: string | undefined): Lang =>
    isLang(asked) ? asked : pickLanguage(getCookie(c, "lang"), c.req.header("accept-language"));
  /** A grid entry's label, or its code when this node's grid does not hold it. */
  const labelOf = (code: string, lang: Lang) => (grid.entry(code) ? grid.label(code, lang) : code);

  /** The statement language (among those written) and the interface language for it. */
  const languagesFor = (c: Context, available: string[], asked: string | undefined) => {
    const accept = (c.req.header("accept-language") ?? "")
      .split(",")
      .map((part) => part.split(";")[0]?.trim().toLowerCase().split("-")[0] ?? "");
    const textLang =
      (asked && available.includes(asked) ? asked : undefined) ??
      accept.find((l) => available.includes(l)) ??
      available[0] ??
      "en";
    return { textLang, lang: pageLang(c, textLang) };
  };

  const render = (
    c: Context,
    uuid: string,
    asked: string | undefined,
    extra: {
      outcome?: "thanks" | "refused" | "invalid" | "busy";
      values?: Record<string, string>;
      code?: string;
    } = {},
    status: 200 | 400 | 409 | 429 = 200,
  ) => {
    let survey: ReturnType<Services["progress"]["survey"]>;
    try {
      survey = services.progress.survey(uuid);
    } catch (error) {
      if (error instanceof NotFoundError) return c.text("This survey is not open.", 404);
      throw error;
    }
    const available = [...new Set(survey.paths.flatMap((p) => p.version.languages))].sort();
    const { textLang, lang } = languagesFor(c, available, asked);
    const t = translator(lang);
    return c.html(
      <SurveyPage
        t={t}
        lang={lang}
        textLang={textLang}
        languages={available}
        territory={survey.territory.name}
        action={`/survey/${uuid}`}
        paths={survey.paths.map((p) => ({
          versionId: p.version.id,
          code: p.code,
          label: labelOf(p.code, lang),
          statements: statementTexts(p.version.statements, textLang),
        }))}
        askCategory={survey.campaign.askCategory}
        categories={categoryChoices(survey.categories, lang)}
        outcome={extra.outcome}
        values={extra.code ? { ...extra.values, code: extra.code } : extra.values}
      />,
      status,
    );
  };

  // A scanned QR code carries the code in `?code=`: the form comes with it filled in.
  routes.get(`/survey/:uuid{${UUID}}`, (c) => {
    const code = (c.req.query("code") ?? "").slice(0, 32);
    return render(c, c.req.param("uuid"), c.req.query("lang"), code ? { code } : {});
  });

  routes.post(`/survey/:uuid{${UUID}}`, async (c) => {
    const uuid = c.req.param("uuid");
    let form: Record<string, string>;
    try {
      const body = await c.req.parseBody();
      form = Object.fromEntries(
        Object.entries(body).map(([k, v]) => [k, typeof v === "string" ? v : ""]),
      );
    } catch {
      return c.text("The form could not be read.", 400);
    }
    const asked = form.lang;
    const address = clientAddress(c, options.trustProxy);
    if (throttle.waitMs(address) > 0) return render(c, uuid, asked, { outcome: "busy" }, 429);
    const answers = Object.fromEntries(
      Object.entries(form)
        .filter(([k]) => /^p\d{1,12}$/.test(k))
        .map(([k, v]) => [k.slice(1), v === "dk" ? "dk" : Number(v)]),
    );
    try {
      services.progress.answer(uuid, form.code ?? "", answers, form.category ?? "");
    } catch (error) {
      if (error instanceof NotFoundError) return c.text("This survey is not open.", 404);
      if (error instanceof InvalidInputError)
        return render(c, uuid, asked, { outcome: "invalid", values: form }, 400);
      if (error instanceof ConflictError) {
        // Forged, reused or another campaign's: one answer, one status, the same work done.
        throttle.fail(address);
        return render(c, uuid, asked, { outcome: "refused", values: form }, 409);
      }
      throw error;
    }
    return render(c, uuid, asked, { outcome: "thanks" });
  });

  routes.get(`/progress/:uuid{${UUID}}`, (c) => {
    const uuid = c.req.param("uuid");
    const withdrawnAt = services.progress.withdrawnAt(uuid);
    if (withdrawnAt) {
      // Withdrawn by its territory: gone, a Tombstone for federation clients (as for syntheses).
      if (/application\/(activity\+json|ld\+json)/.test(c.req.header("accept") ?? "")) {
        const tombstone = {
          "@context": "https://www.w3.org/ns/activitystreams",
          id: progressUrl(publicUrl, uuid),
          type: "Tombstone",
          formerType: "Article",
          deleted: withdrawnAt,
        };
        return c.body(JSON.stringify(tombstone), 410, {
          "Content-Type": "application/activity+json; charset=utf-8",
          Vary: "Accept",
        });
      }
      const lang = pageLang(c, undefined);
      return c.text(translator(lang)("progress.public.gone"), 410);
    }
    const found = services.progress.publicProgress(uuid);
    if (!found) return c.notFound();
    // Federation clients get the Article as it was signed and sent (the same URL is its id).
    if (/application\/(activity\+json|ld\+json)/.test(c.req.header("accept") ?? "")) {
      const article = services.progress.servedArticle(uuid);
      if (!article) return c.notFound();
      return c.body(JSON.stringify(article), 200, {
        "Content-Type": "application/activity+json; charset=utf-8",
        Vary: "Accept",
      });
    }
    const asked = c.req.query("lang");
    const lang = pageLang(c, asked);
    const t = translator(lang);
    const { payload } = found;
    const url = new URL(c.req.url);
    url.searchParams.delete("lang");
    return c.html(
      <ProgressPublicPage
        t={t}
        lang={lang}
        switchUrl={`${url.pathname}${url.search}`}
        url={progressUrl(publicUrl, uuid)}
        territory={{ name: payload.territory.name, url: payload.territory.id }}
        period={`${payload.campaign.period.start} – ${payload.campaign.period.end}`}
        phase={payload.campaign.phase}
        respondents={payload.respondents}
        version={payload.version}
        hash={payload.hash}
        paths={payload.paths.map((p) => ({
          code: p.code,
          label: labelOf(p.code, lang),
          statements: statementTexts(p.statements, lang),
          counts: p.counts,
        }))}
      />,
    );
  });

  // The network's progress figures for anyone (the workspace's explorer shows the same).
  routes.get("/figures/progress", (c) => {
    const asked = c.req.query("lang");
    const lang = pageLang(c, asked);
    const t = translator(lang);
    const { filter } = progressFilterOf((name) => c.req.query(name));
    const figures = services.progressFigures.query(filter);
    const url = new URL(c.req.url);
    const search = url.search;
    url.searchParams.delete("lang");
    return c.html(
      <ProgressFiguresPublicPage
        t={t}
        lang={lang}
        switchUrl={`${url.pathname}${url.search}`}
        url={`${publicUrl}/figures/progress`}
        {...progressFigureView(figures, (code) => labelOf(code, lang))}
        csvUrl={`/api/v1/progress/figures.csv${search}`}
      />,
    );
  });

  return routes;
}
