import {
  AGE_FIELDS,
  CriteriaPage,
  GENDER_FIELDS,
  GroupDeletePage,
  GroupFormPage,
  GroupsPage,
  QUESTION_CODES,
  type QuestionCode,
} from "@spiral-network/admin-ui/admin/groups-page";
import type { UndoNotice } from "@spiral-network/admin-ui/admin/layout";
import type { MessageKey, Translate } from "@spiral-network/admin-ui/i18n";
import { categoryChoices } from "@spiral-network/admin-ui/labels";
import {
  type HomogeneousGroup,
  homogeneousGroupSchema,
  languageTag,
} from "@spiral-network/protocol";
import { type Actor, allows } from "../app/index";
import { csvDownload } from "../csv-export";
import { criterionUpdateSchema } from "../services/criteria";
import { ConflictError, InvalidInputError, NotFoundError } from "../services/errors";
import { groupView } from "../services/groups";
import { UNDO_MINUTES } from "../services/trash";
import { type AdminApp, type AdminContext, type AdminKit, type Errors, str } from "./kit";

/** Where the workspace offers the criteria export (CSV). */
const EXPORT_PATH = "/admin/criteria/export";

/** Groups (list, create, edit) and the fast criteria entry per group and question. */
export function registerGroupRoutes(admin: AdminApp, kit: AdminKit) {
  const { protect, message } = kit;
  const { territoryOf, canEdit, idParam } = kit;
  const notFound = kit.noTerritory;
  /** The group named in the path, in the node's territory; undefined when there is none. */
  const groupOf = (c: AdminContext) => {
    const territory = territoryOf(c);
    const id = idParam(c, "id");
    if (!territory || id === undefined) return undefined;
    try {
      return { territory, group: kit.app.groups.get(kit.actor(c), territory.slug, id) };
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  };
  /** The Undo notice of `?undo=<id>` while that deletion can still be undone. */
  const undoNotice = (c: AdminContext, slug: string): UndoNotice | undefined => {
    const id = Number(c.req.query("undo"));
    if (!Number.isSafeInteger(id) || id <= 0) return undefined;
    const entry = kit.app.trash.find(kit.actor(c), slug, id);
    if (!entry) return undefined;
    const t = c.get("t");
    return {
      id: entry.id,
      message:
        entry.kind === "group" ? t("undo.group", { label: entry.label }) : t("criteria.deleted"),
      until: entry.expiresAt,
    };
  };
  const categoryOptions = (c: AdminContext) =>
    categoryChoices(kit.app.categories.list(kit.actor(c)), c.get("lang"));

  // The territory's criteria as a spreadsheet: admins only (the application layer's `export`).
  admin.get("/criteria/export", protect("export"), (c) => {
    const territory = territoryOf(c);
    if (!territory) return notFound(c);
    const csv = kit.app.criteria.exportCsv(kit.actor(c), territory.slug);
    return c.body(csv, 200, csvDownload(`${territory.slug}-criteria.csv`));
  });

  admin.get("/groups", protect(), (c) => {
    const user = kit.user(c);
    const territory = territoryOf(c);
    const labels = new Map(categoryOptions(c).map((cat) => [cat.code, cat.label]));
    const t = c.get("t");
    const notice = c.req.query("updated") !== undefined ? t("groups.updated") : undefined;
    const undo = territory && undoNotice(c, territory.slug);
    return c.html(
      <GroupsPage
        t={t}
        lang={c.get("lang")}
        user={user}
        canEdit={canEdit(c)}
        exportUrl={territory && allows(kit.account(c).role, "export") ? EXPORT_PATH : undefined}
        hasTerritory={territory !== undefined}
        notice={notice}
        undo={undo}
        groups={(territory ? kit.app.groups.list(kit.actor(c), territory.slug) : []).map((g) => ({
          id: g.id,
          label: g.label,
          category: labels.get(g.category) ?? g.category,
          sessionDates: g.sessionDates,
          participants: g.participants,
          criteria: g.criteria ?? 0,
        }))}
      />,
    );
  });

  const groupFormPage = (
    c: AdminContext,
    group: { id: number; label: string } | undefined,
    values: Record<string, string>,
    errors: Errors = {},
  ) => {
    const user = kit.user(c);
    return c.html(
      <GroupFormPage
        t={c.get("t")}
        lang={c.get("lang")}
        user={user}
        group={group}
        categories={categoryOptions(c)}
        values={values}
        errors={errors}
      />,
      Object.values(errors).some(Boolean) ? 400 : 200,
    );
  };

  admin.get("/groups/new", protect("edit"), (c) => {
    if (!territoryOf(c)) return notFound(c);
    return groupFormPage(c, undefined, { cycle: "0" });
  });

  admin.get("/groups/:id/edit", protect("edit"), (c) => {
    const found = groupOf(c);
    if (!found) return c.notFound();
    const g = groupView(found.group);
    const values: Record<string, string> = {
      label: g.label,
      category: g.category,
      sessionDates: g.sessionDates.join(", "),
      participants: String(g.participants),
      cycle: String(g.cycle),
      notes: g.notes ?? "",
    };
    for (const band of GENDER_FIELDS) {
      const n = g.margins.gender?.[band];
      if (n !== undefined) values[`gender_${band}`] = String(n);
    }
    for (const band of AGE_FIELDS) {
      const n = g.margins.age?.[band];
      if (n !== undefined) values[`age_${band}`] = String(n);
    }
    return groupFormPage(c, { id: g.id, label: g.label }, values);
  });

  /** Saves a group form (create or update); the form comes back with messages when wrong. */
  const saveGroup = (c: AdminContext, existing: { id: number; label: string } | undefined) => {
    const territory = territoryOf(c);
    if (!territory) return notFound(c);
    const t = c.get("t");
    const form = c.get("form");
    const { values, errors, group } = parseGroupForm(t, form);
    if (!kit.app.categories.exists(kit.actor(c), values.category ?? ""))
      errors.category ??= t("error.category");
    if (!group || Object.values(errors).some(Boolean)) {
      return groupFormPage(c, existing, values, errors);
    }
    try {
      if (existing) {
        kit.app.groups.update(kit.actor(c), territory.slug, existing.id, {
          ...group,
          margins: group.margins,
          notes: group.notes,
        });
        return c.redirect("/admin/groups?updated", 303);
      }
      const row = kit.app.groups.create(kit.actor(c), territory.slug, group);
      return c.redirect(`/admin/groups/${row.id}/criteria?question=Q1&created`, 303);
    } catch (error) {
      if (error instanceof InvalidInputError) {
        for (const issue of error.issues) {
          const field = issue.path.split(".")[0] ?? "label";
          errors[field in values || field === "category" ? field : "label"] ??= t("error.invalid");
        }
        return groupFormPage(c, existing, values, errors);
      }
      throw error;
    }
  };

  admin.post("/groups", protect("edit"), (c) => saveGroup(c, undefined));
  admin.post("/groups/:id", protect("edit"), (c) => {
    const found = groupOf(c);
    if (!found) return c.notFound();
    return saveGroup(c, { id: found.group.id, label: found.group.label });
  });

  const criteriaPage = (
    c: AdminContext,
    found: NonNullable<ReturnType<typeof groupOf>>,
    props: {
      question: QuestionCode;
      paste: boolean;
      values: { text?: string; lines?: string; language: string };
      errors?: { text?: string; language?: string; lines?: string[] };
      notice?: string | undefined;
      editing?: { id: number; text: string; error?: string | undefined } | undefined;
    },
    status: 200 | 400 = 200,
  ) => {
    const undo = undoNotice(c, found.territory.slug);
    const user = kit.user(c);
    const actor = kit.actor(c);
    const filter = { groupId: found.group.id, question: props.question };
    const { total } = kit.app.criteria.list(actor, found.territory.slug, {
      ...filter,
      limit: 0,
      offset: 0,
    });
    // One page at a time; the last by default, where what was just typed appears.
    const count = Math.max(1, Math.ceil(total / CRITERIA_PAGE));
    const asked = Number(c.req.query("page") ?? c.get("form")?.page);
    const number = Number.isSafeInteger(asked) && asked >= 1 ? Math.min(asked, count) : count;
    const { items } = kit.app.criteria.list(actor, found.territory.slug, {
      ...filter,
      limit: CRITERIA_PAGE,
      offset: (number - 1) * CRITERIA_PAGE,
    });
    return c.html(
      <CriteriaPage
        t={c.get("t")}
        lang={c.get("lang")}
        user={user}
        canEdit={canEdit(c)}
        group={{ id: found.group.id, label: found.group.label }}
        criteria={items}
        errors={props.errors ?? {}}
        question={props.question}
        paste={props.paste}
        values={props.values}
        notice={undo ? undefined : props.notice}
        undo={undo}
        languages={found.territory.languages}
        page={{ number, count, size: CRITERIA_PAGE, total }}
        editing={props.editing}
      />,
      status,
    );
  };
  const asQuestion = (value: string | undefined): QuestionCode | undefined =>
    QUESTION_CODES.find((q) => q === value);
  /** A criterion of the group, or undefined (another group's, or none). */
  const criterionOf = (
    actor: Actor,
    found: NonNullable<ReturnType<typeof groupOf>>,
    id: number,
  ) => {
    if (!Number.isSafeInteger(id) || id <= 0) return undefined;
    try {
      const row = kit.app.criteria.get(actor, found.territory.slug, id);
      return row.groupId === found.group.id ? row : undefined;
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  };
  /** The language of the group's latest criterion (the last used), else the territory's first. */
  const lastLanguage = (actor: Actor, found: NonNullable<ReturnType<typeof groupOf>>): string => {
    const filter = { groupId: found.group.id };
    const { total } = kit.app.criteria.list(actor, found.territory.slug, {
      ...filter,
      limit: 0,
      offset: 0,
    });
    const [latest] = kit.app.criteria.list(actor, found.territory.slug, {
      ...filter,
      limit: 1,
      offset: Math.max(0, total - 1),
    }).items;
    return latest?.language ?? found.territory.languages[0] ?? "";
  };

  admin.get("/groups/:id/criteria", protect(), (c) => {
    const found = groupOf(c);
    if (!found) return c.notFound();
    const t = c.get("t");
    const query = c.req.query();
    const added = Number(query.added);
    const notice =
      query.created !== undefined
        ? t("groups.created", { label: found.group.label })
        : query.restored !== undefined
          ? query.restored === "group"
            ? t("undo.groupRestored", { label: found.group.label })
            : t("undo.criterionRestored")
          : query.updated !== undefined
            ? t("criteria.updated")
            : added === 1
              ? t("criteria.added")
              : added > 1
                ? t("criteria.addedMany", { count: added })
                : undefined;
    const question = asQuestion(query.question) ?? "Q1";
    // ?edit=<id> shows that criterion as an input; an id not listed here is ignored.
    const editId = Number(query.edit);
    const editable = query.edit ? criterionOf(kit.actor(c), found, editId) : undefined;
    return criteriaPage(c, found, {
      question,
      paste: query.mode === "paste",
      values: { language: query.language ?? lastLanguage(kit.actor(c), found) },
      notice,
      editing:
        editable?.question === question ? { id: editable.id, text: editable.text } : undefined,
    });
  });

  admin.post("/groups/:id/criteria", protect("edit"), (c) => {
    const found = groupOf(c);
    if (!found) return c.notFound();
    const t = c.get("t");
    const form = c.get("form");
    const question = asQuestion(str(form, "question"));
    if (!question) return message(c, 400, "badRequest.title", t("badRequest.body"));
    const paste = form.mode === "paste";
    const language = str(form, "language");
    const values = paste
      ? { lines: form.lines ?? "", language }
      : { text: str(form, "text"), language };
    const errors: { text?: string; language?: string; lines?: string[] } = {};
    if (language && !languageTag.safeParse(language).success) errors.language = t("error.language");

    // Each criterion with the line it came from (1 in the single mode).
    const entries: Array<{ line: number; text: string }> = [];
    const lineErrors: string[] = [];
    if (paste) {
      (form.lines ?? "").split(/\r\n|\r|\n/).forEach((raw, index) => {
        const text = raw.trim();
        if (!text) return;
        if (text.length > 2000) {
          lineErrors.push(t("error.line", { line: index + 1, message: t("error.criterionLong") }));
        }
        entries.push({ line: index + 1, text });
      });
      if (entries.length === 0) lineErrors.push(t("error.pasteEmpty"));
      if (lineErrors.length > 0) errors.lines = lineErrors;
    } else {
      const text = str(form, "text");
      if (!text) errors.text = t("error.criterionEmpty");
      else if (text.length > 2000) errors.text = t("error.criterionLong");
      entries.push({ line: 1, text });
    }
    const failed = () => criteriaPage(c, found, { question, paste, values, errors }, 400);
    if (errors.text || errors.language || errors.lines) return failed();
    try {
      kit.app.criteria.add(
        kit.actor(c),
        found.territory.slug,
        found.group.id,
        entries.map((e) => ({ question, text: e.text, ...(language ? { language } : {}) })),
      );
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      for (const issue of error.issues) {
        const [index = "0", field = ""] = issue.path.split(".");
        if (field === "language") errors.language = t("error.language");
        else {
          const entry = entries[Number(index)];
          const problem = t("error.invalid");
          if (paste) {
            errors.lines = [
              ...(errors.lines ?? []),
              t("error.line", { line: entry?.line ?? 0, message: problem }),
            ];
          } else errors.text = problem;
        }
      }
      return failed();
    }
    const back = new URLSearchParams({ question });
    if (paste) back.set("mode", "paste");
    back.set("added", String(entries.length));
    return c.redirect(`/admin/groups/${found.group.id}/criteria?${back}`, 303);
  });

  /** Saves the text of one criterion (the inline edit); a wrong text re-renders the input. */
  admin.post("/groups/:id/criteria/:criterionId", protect("edit"), (c) => {
    const found = groupOf(c);
    const criterionId = idParam(c, "criterionId");
    if (!found || criterionId === undefined) return c.notFound();
    let criterion: ReturnType<typeof kit.app.criteria.get>;
    try {
      criterion = kit.app.criteria.get(kit.actor(c), found.territory.slug, criterionId);
    } catch (error) {
      if (error instanceof NotFoundError) return c.notFound();
      throw error;
    }
    if (criterion.groupId !== found.group.id) return c.notFound();
    const question = asQuestion(criterion.question) ?? "Q1";
    const t = c.get("t");
    const text = str(c.get("form"), "text");
    const patch = criterionUpdateSchema.safeParse({ text });
    if (!patch.success) {
      return criteriaPage(
        c,
        found,
        {
          question,
          paste: false,
          values: { language: lastLanguage(kit.actor(c), found) },
          editing: {
            id: criterion.id,
            text,
            error: text ? t("error.criterionLong") : t("error.criterionEmpty"),
          },
        },
        400,
      );
    }
    try {
      kit.app.criteria.update(kit.actor(c), found.territory.slug, criterion.id, patch.data);
    } catch (error) {
      if (error instanceof NotFoundError) return c.notFound();
      throw error;
    }
    return c.redirect(
      `/admin/groups/${found.group.id}/criteria?question=${question}${pageParam(c)}&updated#c-${criterion.id}`,
      303,
    );
  });

  admin.post("/groups/:id/criteria/:criterionId/delete", protect("edit"), (c) => {
    const found = groupOf(c);
    const criterionId = idParam(c, "criterionId");
    if (!found || criterionId === undefined) return c.notFound();
    let question: string;
    let undoId: number;
    try {
      const criterion = kit.app.criteria.get(kit.actor(c), found.territory.slug, criterionId);
      if (criterion.groupId !== found.group.id) return c.notFound();
      question = criterion.question;
      undoId = kit.app.criteria.delete(kit.actor(c), found.territory.slug, criterionId).undoId;
    } catch (error) {
      if (error instanceof NotFoundError) return c.notFound();
      throw error;
    }
    return c.redirect(
      `/admin/groups/${found.group.id}/criteria?question=${question}${pageParam(c)}&undo=${undoId}#list`,
      303,
    );
  });

  admin.get("/groups/:id/delete", protect("edit"), (c) => {
    const found = groupOf(c);
    if (!found) return c.notFound();
    const count =
      kit.app.groups.list(kit.actor(c), found.territory.slug).find((g) => g.id === found.group.id)
        ?.criteria ?? 0;
    return c.html(
      <GroupDeletePage
        t={c.get("t")}
        lang={c.get("lang")}
        user={kit.user(c)}
        group={{ id: found.group.id, label: found.group.label, criteria: count }}
        minutes={UNDO_MINUTES}
      />,
    );
  });

  admin.post("/groups/:id/delete", protect("edit"), (c) => {
    const found = groupOf(c);
    if (!found) return c.notFound();
    const { undoId } = kit.app.groups.delete(kit.actor(c), found.territory.slug, found.group.id);
    return c.redirect(`/admin/groups?undo=${undoId}`, 303);
  });

  /** Undoes a deletion while it can be: the criterion or the group comes back as it was. */
  admin.post("/undo/:id", protect("edit"), (c) => {
    const territory = territoryOf(c);
    const id = idParam(c, "id");
    if (!territory || id === undefined) return c.notFound();
    const t = c.get("t");
    let entry: ReturnType<typeof kit.app.trash.restore>;
    try {
      entry = kit.app.trash.restore(kit.actor(c), territory.slug, id);
    } catch (error) {
      if (error instanceof NotFoundError || error instanceof ConflictError) {
        return message(c, 409, "badRequest.title", t("undo.expired"));
      }
      throw error;
    }
    const question = entry.kind === "criterion" ? (entry.rows.criteria[0]?.question ?? "Q1") : "Q1";
    return c.redirect(
      `/admin/groups/${entry.groupId}/criteria?question=${String(question)}&restored=${entry.kind}`,
      303,
    );
  });
}

/** How many criteria a page of the criteria entry lists. */
export const CRITERIA_PAGE = 100;

/** `&page=N` of a form that names the page it was sent from (edit, delete), else "". */
const pageParam = (c: AdminContext) => {
  const page = Number(c.get("form")?.page);
  return Number.isSafeInteger(page) && page >= 1 && page <= 1_000_000 ? `&page=${page}` : "";
};

/** Reads a group form into a group for the service, with translated field messages. */
function parseGroupForm(
  t: Translate,
  form: Record<string, string>,
): { values: Record<string, string>; errors: Errors; group?: HomogeneousGroup } {
  const fields = [
    "label",
    "category",
    "sessionDates",
    "participants",
    "cycle",
    ...GENDER_FIELDS.map((b) => `gender_${b}`),
    ...AGE_FIELDS.map((b) => `age_${b}`),
  ];
  const values: Record<string, string> = Object.fromEntries(fields.map((k) => [k, str(form, k)]));
  values.notes = (form.notes ?? "").trim();
  const errors: Errors = {};
  /** A whole number, or NaN (so the schema refuses it), or undefined when empty. */
  const whole = (value: string | undefined) =>
    !value ? undefined : /^\d{1,7}$/.test(value) ? Number(value) : Number.NaN;
  const counts = (prefix: "gender" | "age", bands: readonly string[]) => {
    const out: Record<string, number> = {};
    for (const band of bands) {
      const n = whole(values[`${prefix}_${band}`]);
      if (n === undefined) continue;
      if (!Number.isInteger(n) || n > 10_000) errors[`${prefix}_${band}`] = t("error.count");
      else out[band] = n;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  };
  const gender = counts("gender", GENDER_FIELDS);
  const age = counts("age", AGE_FIELDS);
  const input = {
    label: values.label,
    category: values.category,
    sessionDates: (values.sessionDates ?? "").split(/[\s,;]+/).filter(Boolean),
    participants: whole(values.participants),
    cycle: whole(values.cycle) ?? 0,
    ...(gender || age
      ? { margins: { ...(gender ? { gender } : {}), ...(age ? { age } : {}) } }
      : {}),
    ...(values.notes ? { notes: values.notes } : {}),
  };
  const parsed = homogeneousGroupSchema.safeParse(input);
  if (parsed.success) return { values, errors, group: parsed.data };
  const keys: Record<string, MessageKey> = {
    label: "error.label",
    category: "error.category",
    sessionDates: "error.sessionDates",
    participants: "error.participants",
    cycle: "error.cycle",
    notes: "error.notes",
  };
  for (const issue of parsed.error.issues) {
    const [field = "label", margin, band] = issue.path.map(String);
    if (field === "margins" && (margin === "gender" || margin === "age")) {
      if (band) errors[`${margin}_${band}`] ??= t("error.count");
      else errors[margin] ??= t("error.marginsTotal");
    } else errors[field in keys ? field : "label"] ??= t(keys[field] ?? "error.invalid");
  }
  return { values, errors };
}
