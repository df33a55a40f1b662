import {
  type ClassifyItem,
  ClassifyPage,
  type PickerEntry,
  SUGGESTION_KEYS,
  type SuggestionEntry,
} from "@spiral-network/admin-ui/admin/classify-page";
import { type Lang, translator } from "@spiral-network/admin-ui/i18n";
import {
  createGridSearch,
  type GridEntry,
  parseSpiralCode,
  SpiralCodeError,
  type Suggestion,
} from "@spiral-network/protocol";
import { gridLabeller } from "../grid-labels";
import { criterionView } from "../services/criteria";
import { NotFoundError } from "../services/errors";
import { type AdminApp, type AdminContext, type AdminKit, str } from "./kit";

/** The classification queue, the grid picker and the review of proposed codes. */
export function registerClassifyRoutes(admin: AdminApp, kit: AdminKit) {
  const { protect, message } = kit;
  const { territoryOf, canEdit, idParam } = kit;
  const notFound = kit.noTerritory;

  /** Unclassified criteria read at once to find the one in focus; the page lists fewer. */
  const QUEUE_WINDOW = 500;
  const QUEUE_SHOWN = 20;
  const REVIEW_SHOWN = 100;
  const RECENT_CODES = 8;
  const { grid } = kit.app.node;
  /** Codes in any case, words in every language of the grid (docs/protocol.md, "Grid search"). */
  const gridSearch = createGridSearch(grid);

  const pickerEntry = (lang: Lang, entry: GridEntry, code = entry.code): PickerEntry => {
    // The second label shown: English beside any other language, French beside English.
    const other: Lang = lang === "en" ? "fr" : "en";
    return {
      code,
      // An entry whose name this grid version does not have says so, in both languages.
      label: entry.named ? entry.label[lang] : translator(lang)("grid.notNamed"),
      other: entry.named ? entry.label[other] : translator(other)("grid.notNamed"),
      otherLang: other,
      provisional: entry.provisional,
    };
  };
  /** A full code (A01/P15) as a picker entry labelled by its component or dimension. */
  const codeEntry = (lang: Lang, code: string): PickerEntry | undefined => {
    try {
      const parsed = parseSpiralCode(code, grid);
      const entry = grid.entry(parsed.namesComponent ? parsed.component : parsed.dimension);
      return entry && pickerEntry(lang, entry, parsed.canonical);
    } catch (error) {
      if (error instanceof SpiralCodeError) return undefined; // coded under another grid
      throw error;
    }
  };
  /** A suggestion as the page shows it; undefined for a component missing from this grid. */
  const suggestionEntry = (lang: Lang, s: Suggestion): SuggestionEntry | undefined => {
    const entry = grid.entry(s.component);
    return (
      entry && {
        ...pickerEntry(lang, entry),
        because: s.because.map((example) => example.text),
        labelWords: s.labelWords,
      }
    );
  };
  const positiveInt = (value: string | undefined) => {
    const n = Number(value);
    return value && Number.isSafeInteger(n) && n > 0 ? n : undefined;
  };

  const classifyPage = (
    c: AdminContext,
    props: {
      tab?: "queue" | "review";
      focusId?: number | undefined;
      after?: number | undefined;
      code?: string;
      error?: string;
      q?: string;
      notice?: string | undefined;
    },
    status: 200 | 400 = 200,
  ) => {
    const user = kit.user(c);
    const lang = c.get("lang");
    const territory = territoryOf(c);
    const q = (props.q ?? "").slice(0, 100);
    const base = {
      t: c.get("t"),
      lang,
      user,
      canEdit: canEdit(c),
      tab: props.tab ?? "queue",
      code: props.code ?? "",
      error: props.error,
      q,
      notice: props.notice,
    } as const;
    if (!territory) {
      return c.html(
        <ClassifyPage
          {...base}
          hasTerritory={false}
          queue={[]}
          queueTotal={0}
          results={[]}
          recent={[]}
          suggestions={[]}
          review={[]}
          reviewTotal={0}
        />,
        status,
      );
    }
    const { slug } = territory;
    const groupLabels = new Map(
      kit.app.groups.list(kit.actor(c), slug).map((g) => [g.id, g.label]),
    );
    const item = (v: ReturnType<typeof criterionView>): ClassifyItem => ({
      id: v.id,
      text: v.text,
      language: v.language,
      question: v.question,
      group: groupLabels.get(v.groupId) ?? String(v.groupId),
      code: v.code,
      label: v.component ? gridLabeller(grid, c.get("t"), lang)(v.component) : undefined,
    });
    const unclassified = kit.app.criteria.list(kit.actor(c), slug, {
      status: "unclassified",
      limit: QUEUE_WINDOW,
      offset: 0,
    });
    const waiting = unclassified.items.map(item);
    let index =
      props.focusId !== undefined
        ? waiting.findIndex((i) => i.id === props.focusId)
        : props.after !== undefined
          ? waiting.findIndex((i) => i.id > (props.after ?? 0))
          : 0;
    let focus = waiting[index];
    if (!focus && props.focusId !== undefined) {
      // A criterion already classified, named on purpose (or re-shown with its error).
      try {
        focus = item(criterionView(kit.app.criteria.get(kit.actor(c), slug, props.focusId)));
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
    }
    if (!focus) {
      index = 0;
      focus = waiting[0];
    }
    const queue = waiting.slice(Math.max(index, 0), Math.max(index, 0) + QUEUE_SHOWN);
    const proposed = kit.app.criteria.list(kit.actor(c), slug, {
      status: "proposed",
      limit: REVIEW_SHOWN,
      offset: 0,
    });
    return c.html(
      <ClassifyPage
        {...base}
        hasTerritory={true}
        queue={queue}
        queueTotal={unclassified.total}
        focus={focus}
        results={gridSearch.search(q).map((entry) => pickerEntry(lang, entry))}
        recent={kit.app.criteria
          .recentCodes(kit.actor(c), slug, RECENT_CODES)
          .flatMap((code) => codeEntry(lang, code) ?? [])}
        suggestions={
          focus && base.tab === "queue"
            ? kit.app.suggestions
                .suggest(kit.actor(c), slug, focus.text, SUGGESTION_KEYS.length)
                .flatMap((s) => suggestionEntry(lang, s) ?? [])
            : []
        }
        review={proposed.items.map(item)}
        reviewTotal={proposed.total}
        gridReview={kit.app.grids.reviews(kit.actor(c), slug).map((r) => ({
          id: r.criterionId,
          text: r.text,
          question: r.question,
          code: r.code,
          choices: r.choices,
          toVersion: r.toVersion,
        }))}
      />,
      status,
    );
  };

  admin.get("/classify", protect(), (c) => {
    const t = c.get("t");
    const query = c.req.query();
    const validated = positiveInt(query.validated) ?? (query.validated === "0" ? 0 : undefined);
    const notice =
      query.saved !== undefined
        ? t("classify.saved", { code: query.saved.slice(0, 40) })
        : query.skipped !== undefined
          ? t("classify.skipped")
          : validated !== undefined
            ? t("classify.validatedMany", { count: validated })
            : undefined;
    return classifyPage(c, {
      tab: query.tab === "review" ? "review" : "queue",
      focusId: positiveInt(query.focus),
      after: positiveInt(query.after),
      code: (query.code ?? "").trim().slice(0, 40),
      q: query.q ?? "",
      notice,
    });
  });

  admin.post("/classify/validate", protect("edit"), (c) => {
    const territory = territoryOf(c);
    if (!territory) return notFound(c);
    const ids = str(c.get("form"), "ids")
      .split(",")
      .slice(0, 1000)
      .flatMap((raw) => positiveInt(raw.trim()) ?? []);
    const changed =
      ids.length > 0 ? kit.app.criteria.validate(kit.actor(c), territory.slug, ids) : 0;
    return c.redirect(`/admin/classify?tab=review&validated=${changed}`, 303);
  });

  admin.post("/classify/:id", protect("edit"), (c) => {
    const territory = territoryOf(c);
    const id = idParam(c, "id");
    if (!territory) return notFound(c);
    if (id === undefined) return c.notFound();
    const t = c.get("t");
    const form = c.get("form");
    const action = str(form, "action");
    try {
      kit.app.criteria.get(kit.actor(c), territory.slug, id);
    } catch (error) {
      if (error instanceof NotFoundError) return c.notFound();
      throw error;
    }
    if (action === "skip") return c.redirect(`/admin/classify?after=${id}&skipped`, 303);
    if (action !== "proposed" && action !== "validated") {
      return message(c, 400, "badRequest.title", t("badRequest.body"));
    }
    const code = str(form, "code").slice(0, 100);
    const refuse = (error: string) => classifyPage(c, { focusId: id, code, error }, 400);
    if (!code) return refuse(t("classify.error.empty"));
    let canonical: string;
    try {
      canonical = parseSpiralCode(code, grid).canonical;
    } catch (error) {
      if (error instanceof SpiralCodeError) return refuse(error.reason);
      throw error;
    }
    kit.app.criteria.classify(kit.actor(c), territory.slug, id, {
      code: canonical,
      status: action,
    });
    return c.redirect(`/admin/classify?after=${id}&saved=${encodeURIComponent(canonical)}`, 303);
  });
}
