import {
  GridPage,
  type GridPageProps,
  type GridPreview,
} from "@spiral-network/admin-ui/admin/grid-page";
import type { Lang } from "@spiral-network/admin-ui/i18n";
import type { Grid } from "@spiral-network/protocol";
import { bodyLimit } from "hono/body-limit";
import { ConflictError, InvalidInputError, NotFoundError, UpstreamError } from "../services/errors";
import type { GridImportPreview } from "../services/grids";
import { type AdminApp, type AdminContext, type AdminKit, str } from "./kit";

/** The largest grid file the workspace takes (the shipped one is about 15 KiB). */
const MAX_GRID_BYTES = 1024 * 1024;
const GRID_FORM_PATHS = new Set(["/admin/grid/preview", "/admin/grid/import"]);
/** Whether a request goes to the grid import routes, which set their own body limit. */
export const takesGridForms = (path: string) => GRID_FORM_PATHS.has(path.replace(/\/$/, ""));

/** How much of a grid is confirmed, provisional, and not named (for the page's honest state). */
export function gridState(grid: Grid): GridPageProps["active"] {
  const entries = [...grid.dimensions, ...grid.components];
  return {
    id: grid.id,
    version: grid.version,
    total: entries.length,
    confirmed: entries.filter((e) => e.status === "confirmed").length,
    provisional: entries.filter((e) => e.provisional).length,
    unnamed: entries.filter((e) => !e.named).length,
  };
}

const label = (entry: { label: { en: string; fr: string } }, lang: Lang) =>
  lang === "fr" ? entry.label.fr : entry.label.en;

/** The service's preview as the page shows it, in the page's language. */
function previewView(preview: GridImportPreview, lang: Lang): GridPreview {
  const { changes } = preview;
  return {
    from: `${changes.from.id} ${changes.from.version}`,
    to: `${changes.to.id} ${changes.to.version}`,
    version: changes.to.version,
    added: changes.added.map((c) => ({
      code: c.code,
      label: label(c, lang),
      provisional: c.provisional,
    })),
    relabelled: changes.relabelled.map((r) => ({
      code: r.code,
      before: (lang === "fr" ? r.before.fr : r.before.en) ?? "",
      after: (lang === "fr" ? r.after.fr : r.after.en) ?? "",
    })),
    restated: changes.restated,
    moved: changes.changes
      .filter((c) => c.kind !== "split")
      .map((c) => `${[c.from].flat().join(" + ")} → ${c.to}`),
    review: changes.review,
    criteriaMoved: preview.criteriaMoved,
    criteriaToReview: preview.criteriaToReview,
  };
}

/**
 * The grid page (admins): versions held, versions other territories use (fetch, accept), and the
 * import of a grid file in two steps — check (preview), then import the same text — through the
 * application layer the JSON API and the command line use.
 */
export function registerGridRoutes(admin: AdminApp, kit: AdminKit) {
  const { protect } = kit;
  const gridLimit = bodyLimit({
    maxSize: MAX_GRID_BYTES + 64 * 1024,
    onError: (c) =>
      kit.message(
        c as AdminContext,
        400,
        "badRequest.title",
        "The grid file is larger than 1 MiB.",
      ),
  });

  const page = (
    c: AdminContext,
    props: Partial<Pick<GridPageProps, "text" | "preview" | "refused" | "errors" | "notice">>,
    status: 200 | 400 = 200,
  ) => {
    const { active, versions, unknown } = kit.app.grids.list(kit.actor(c));
    return c.html(
      <GridPage
        t={c.get("t")}
        lang={c.get("lang")}
        user={kit.user(c)}
        active={gridState(active)}
        versions={versions}
        unknown={unknown}
        text={props.text ?? ""}
        preview={props.preview}
        refused={props.refused}
        errors={props.errors}
        notice={props.notice}
      />,
      status,
    );
  };

  /** A refusal (a bad file, a failed fetch) as the page's list of reasons. */
  const refusal = (error: unknown): string[] => {
    if (error instanceof InvalidInputError) {
      return error.issues.length > 0
        ? error.issues.map((i) => (i.path === "mapping" ? i.message : `${i.path}: ${i.message}`))
        : [error.message];
    }
    if (
      error instanceof ConflictError ||
      error instanceof NotFoundError ||
      error instanceof UpstreamError
    ) {
      return [error.message];
    }
    throw error;
  };

  admin.get("/grid", protect("manageNode"), (c) => {
    const t = c.get("t");
    const notice = c.req.query("applied")
      ? t("grid.applied", {
          version: c.req.query("applied") ?? "",
          review: Number(c.req.query("review") ?? 0),
        })
      : c.req.query("accepted")
        ? t("grid.accepted", { version: c.req.query("accepted") ?? "" })
        : c.req.query("fetched")
          ? t("grid.fetched", {
              version: c.req.query("fetched") ?? "",
              source: c.req.query("source") ?? "",
            })
          : undefined;
    return page(c, { notice });
  });

  admin.post("/grid/preview", gridLimit, protect("manageNode"), async (c) => {
    const t = c.get("t");
    const held = str(c.get("form"), "held");
    let text = str(c.get("form"), "text");
    if (held) {
      const [id = "", version = ""] = held.split("\n");
      try {
        text = JSON.stringify(kit.app.grids.held(kit.actor(c), id, version));
      } catch (error) {
        return page(c, { refused: refusal(error) }, 400);
      }
    } else {
      const body = await c.req.parseBody();
      const file = body.file instanceof File && body.file.size > 0 ? body.file : undefined;
      if (file) text = await file.text();
    }
    if (text.trim() === "") return page(c, { errors: { input: t("grid.noInput") } }, 400);
    try {
      const preview = kit.app.grids.preview(kit.actor(c), text);
      return page(c, { text, preview: previewView(preview, c.get("lang")) });
    } catch (error) {
      return page(c, { text, refused: refusal(error) }, 400);
    }
  });

  admin.post("/grid/import", gridLimit, protect("manageNode"), (c) => {
    const text = str(c.get("form"), "text");
    if (text === "") return page(c, { errors: { input: c.get("t")("grid.noInput") } }, 400);
    try {
      const result = kit.app.grids.apply(kit.actor(c), text);
      const query = new URLSearchParams({
        applied: result.changes.to.version,
        review: String(result.criteriaToReview),
      });
      return c.redirect(`/admin/grid?${query}`, 303);
    } catch (error) {
      return page(c, { text, refused: refusal(error) }, 400);
    }
  });

  admin.post("/grid/fetch", protect("manageNode"), async (c) => {
    try {
      const held = await kit.app.grids.fetchFrom(kit.actor(c), str(c.get("form"), "actor"));
      const query = new URLSearchParams({ fetched: held.version, source: held.source });
      return c.redirect(`/admin/grid?${query}`, 303);
    } catch (error) {
      return page(c, { refused: refusal(error) }, 400);
    }
  });

  admin.post("/grid/accept", protect("manageNode"), (c) => {
    const form = c.get("form");
    try {
      const held = kit.app.grids.accept(kit.actor(c), str(form, "id"), str(form, "version"));
      return c.redirect(`/admin/grid?${new URLSearchParams({ accepted: held.version })}`, 303);
    } catch (error) {
      return page(c, { refused: refusal(error) }, 400);
    }
  });
}
