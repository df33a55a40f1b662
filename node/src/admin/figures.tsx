import { FiguresExplorerPage, type ScopeResult } from "@spiral-network/admin-ui/admin/figures-page";
import { FIGURE_FIELDS, figureApiUrl, hasFigureQuery, parseFigureQuery } from "../figures";
import { gridLabeller } from "../grid-labels";
import type { AdminApp, AdminContext, AdminKit } from "./kit";

/**
 * The aggregates explorer (/admin/figures): every signed-in role reads it. Filters are a GET form
 * with the API's parameter names (a second set prefixed "b_" when comparing); the figures come
 * from the same computation as GET /api/v1/aggregates, which is public, so the download links
 * point there.
 */
export function registerFigureRoutes(admin: AdminApp, kit: AdminKit) {
  const { protect, signedIn } = kit;
  const { grid } = kit.app.node;

  const scope = (c: AdminContext, prefix: string): ScopeResult => {
    const parsed = parseFigureQuery(c.req.query(), prefix);
    if (!parsed.ok) {
      return {
        form: parsed.form,
        problems: parsed.problems.map((p) => `${p.field}: ${p.message}`),
      };
    }
    return {
      form: parsed.form,
      figure: kit.app.figures.compute(parsed.params),
      problems: [],
      csvUrl: figureApiUrl(parsed.params, "csv"),
      jsonUrl: figureApiUrl(parsed.params, "json"),
    };
  };

  admin.get("/figures", protect(), (c) => {
    const t = c.get("t");
    const lang = c.get("lang");
    const query = c.req.query();
    const comparing = query.compare === "1" || hasFigureQuery(query, "b_");
    const a = scope(c, "");
    const b = comparing ? scope(c, "b_") : undefined;
    const alone = new URLSearchParams();
    for (const field of FIGURE_FIELDS) if (query[field]) alone.set(field, query[field]);
    const sides = (["well-being", "ill-being", "action"] as const).map((side) => ({
      key: side,
      label: t(`figures.side.${side}`),
      questions: grid.file.questions.filter((q) => q.side === side).map((q) => q.code),
    }));
    const invalid = a.problems.length > 0 || (b?.problems.length ?? 0) > 0;
    const name = gridLabeller(grid, t, lang, {
      markProvisional: true,
      known: kit.app.grids.catalog(kit.actor(c)).grids,
    });
    // Keys a figure over several grid versions adds (codes of another version, groups).
    const extraKeys = [
      ...new Set(
        [a.figure, b?.figure].flatMap((f) =>
          Object.values(f?.counts ?? {}).flatMap((cells) => Object.keys(cells ?? {})),
        ),
      ),
    ]
      .filter((code) => grid.entry(code)?.kind !== "component")
      .sort();
    return c.html(
      <FiguresExplorerPage
        t={t}
        lang={lang}
        user={signedIn(c)}
        path="/admin/figures"
        choices={kit.app.figures.choices(kit.actor(c))}
        a={a}
        b={b}
        aloneUrl={`/admin/figures?${alone.toString()}`}
        dimensions={grid.dimensions.map((d) => ({ code: d.code, label: name(d.code) }))}
        components={[...grid.components.map((d) => d.code), ...extraKeys].map((code) => ({
          code,
          label: name(code),
        }))}
        sides={sides}
      />,
      invalid ? 400 : 200,
    );
  });
}
