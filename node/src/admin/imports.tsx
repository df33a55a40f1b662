import { randomBytes } from "node:crypto";
import {
  CODE_MODES,
  type CodeMode,
  type ImportCheck,
  ImportPage,
} from "@spiral-network/admin-ui/admin/import-page";
import { MessagePage } from "@spiral-network/admin-ui/admin/layout";
import type { Translate } from "@spiral-network/admin-ui/i18n";
import { bodyLimit } from "hono/body-limit";
import { type CsvProblem, CsvRejected } from "../services/csv-import";
import { ConflictError } from "../services/errors";
import { type AdminApp, type AdminContext, type AdminKit, type Reply, str } from "./kit";

/** The largest CSV accepted by the workspace (the other forms stay at the small global limit). */
const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
const MAX_SIZE_LABEL = "5 MiB";
/** Room for the multipart envelope and the other fields around a file of the largest size. */
const MAX_IMPORT_BODY = MAX_IMPORT_BYTES + 64 * 1024;
/** How many of the good rows the preview shows. */
const SAMPLE_SIZE = 20;

const IMPORT_PATHS = new Set(["/admin/import", "/admin/import/preview"]);
/** Whether a request goes to the import routes, which set their own, larger body limit. */
export const takesLargeForms = (path: string) => IMPORT_PATHS.has(path.replace(/\/$/, ""));

/** Text as the node stores it: no BOM, LF line ends (browsers send CRLF from forms). */
const normalise = (text: string) => text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");

/**
 * The CSV import of criteria in two steps: POST /import/preview checks the file or pasted text
 * without saving; POST /import saves the text carried by the preview's form, after checking it
 * all again (all or nothing), so a changed text with bad lines saves nothing.
 */
export function registerImportRoutes(admin: AdminApp, kit: AdminKit) {
  const { protect, signedIn, territoryOf } = kit;

  const importLimit = bodyLimit({
    maxSize: MAX_IMPORT_BODY,
    onError: (c) => tooLarge(c as AdminContext),
  });
  const tooLarge = (c: AdminContext) => {
    const t = c.get("t");
    return c.html(
      <MessagePage
        t={t}
        lang={c.get("lang")}
        title={t("import.tooLarge.title")}
        body={t("import.tooLarge.body", { size: MAX_SIZE_LABEL })}
        path="/admin/import"
        user={signedIn(c)}
      />,
      413,
    );
  };

  const page = (
    c: AdminContext,
    props: {
      csv?: string;
      codes?: CodeMode;
      check?: ImportCheck;
      errors?: { input?: string };
      notice?: string;
      imported?: boolean;
      importKey?: string;
    },
    status: 200 | 400 = 200,
  ): Reply => {
    const user = kit.user(c);
    return c.html(
      <ImportPage
        t={c.get("t")}
        lang={c.get("lang")}
        user={user}
        maxSize={MAX_SIZE_LABEL}
        csv={props.csv ?? ""}
        codes={props.codes ?? "proposed"}
        check={props.check}
        errors={props.errors}
        notice={props.notice}
        imported={props.imported}
        importKey={props.importKey}
      />,
      status,
    );
  };

  const codesOf = (c: AdminContext): CodeMode | undefined => {
    const value = c.get("form").codes ?? "proposed";
    return CODE_MODES.find((mode) => mode === value);
  };

  /** A refusal of the import service as the page shows it, translated; other errors go up. */
  const rejection = (c: AdminContext, error: unknown): ImportCheck => {
    if (!(error instanceof CsvRejected)) throw error;
    const t = c.get("t");
    return {
      ok: false,
      issues: error.lines.map(({ line, problems }) => ({
        line,
        message: problems
          .map((problem) => describe(t, problem))
          .join(t("import.problem.separator")),
      })),
      badLines: error.badLines,
      message: error.problem ? describe(t, error.problem) : error.message,
    };
  };

  admin.get("/import", protect("edit"), (c) => {
    if (!territoryOf(c)) return kit.noTerritory(c);
    const imported = Number(c.req.query("imported"));
    const again = c.req.query("again") !== undefined;
    return page(c, {
      ...(imported > 0
        ? {
            notice: c.get("t")(again ? "import.again" : "import.imported", { count: imported }),
            imported: true,
          }
        : {}),
    });
  });

  admin.post("/import/preview", importLimit, protect("edit"), async (c) => {
    const territory = territoryOf(c);
    if (!territory) return kit.noTerritory(c);
    const t = c.get("t");
    const codes = codesOf(c);
    if (!codes) return kit.message(c, 400, "badRequest.title", t("badRequest.body"));
    // The kit's form reader keeps strings only; the file comes from the same (cached) body.
    const body = await c.req.parseBody();
    const file = body.file instanceof File && body.file.size > 0 ? body.file : undefined;
    if (file && file.size > MAX_IMPORT_BYTES) return tooLarge(c);
    let bytes: Uint8Array;
    let csv = "";
    if (file) {
      bytes = new Uint8Array(await file.arrayBuffer());
      try {
        csv = normalise(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
        bytes = new TextEncoder().encode(csv);
      } catch {
        // Not UTF-8: the service lists the lines to re-save; there is no text to show back.
      }
    } else {
      csv = normalise(c.get("form").csv ?? "");
      if (csv.trim() === "") {
        return page(c, { codes, errors: { input: t("import.noInput") } }, 400);
      }
      bytes = new TextEncoder().encode(csv);
    }
    let check: ImportCheck;
    try {
      const preview = kit.app.imports.preview(
        kit.actor(c),
        territory.slug,
        bytes,
        { codes },
        SAMPLE_SIZE,
      );
      check = {
        ok: true,
        rows: preview.rows,
        byGroupQuestion: preview.byGroupQuestion,
        sample: preview.sample,
        alreadyImported: preview.alreadyImported,
      };
    } catch (error) {
      check = rejection(c, error);
    }
    // A one-time key: the import form sent twice (double click, reload) imports once.
    const importKey = randomBytes(18).toString("base64url");
    return page(c, { csv, codes, check, importKey }, check.ok ? 200 : 400);
  });

  admin.post("/import", importLimit, protect("edit"), (c) => {
    const territory = territoryOf(c);
    if (!territory) return kit.noTerritory(c);
    const t = c.get("t");
    const codes = codesOf(c);
    if (!codes) return kit.message(c, 400, "badRequest.title", t("badRequest.body"));
    const csv = normalise(c.get("form").csv ?? "");
    if (csv.trim() === "") return page(c, { codes, errors: { input: t("import.noInput") } }, 400);
    const bytes = new TextEncoder().encode(csv);
    if (bytes.length > MAX_IMPORT_BYTES) return tooLarge(c);
    const key = str(c.get("form"), "importKey");
    try {
      const options = { codes, dryRun: false };
      if (/^[\w-]{16,64}$/.test(key)) {
        const { result, replayed } = kit.app.imports.importOnce(
          kit.actor(c),
          territory.slug,
          key,
          bytes,
          options,
        );
        return c.redirect(
          `/admin/import?imported=${result.imported}${replayed ? "&again" : ""}`,
          303,
        );
      }
      const result = kit.app.imports.import(kit.actor(c), territory.slug, bytes, options);
      return c.redirect(`/admin/import?imported=${result.imported}`, 303);
    } catch (error) {
      if (error instanceof ConflictError) {
        return kit.message(c, 409, "badRequest.title", t("badRequest.body"));
      }
      return page(c, { csv, codes, check: rejection(c, error) }, 400);
    }
  });
}

/** One problem of a CSV file in the page's language. */
function describe(t: Translate, problem: CsvProblem): string {
  switch (problem.kind) {
    case "notCsv":
    case "badCode":
      return t(`import.problem.${problem.kind}`, { detail: problem.detail });
    case "missingColumns":
      return t("import.problem.missingColumns", { columns: problem.columns });
    case "fieldCount":
      return t("import.problem.fieldCount", { fields: problem.fields, header: problem.header });
    case "unknownGroup":
    case "ambiguousGroup":
      return t(`import.problem.${problem.kind}`, { group: problem.group });
    case "unknownQuestion":
      return t("import.problem.unknownQuestion", { question: problem.question });
    case "badLanguage":
      return t("import.problem.badLanguage", { language: problem.language });
    default:
      return t(`import.problem.${problem.kind}`);
  }
}
