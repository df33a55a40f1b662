import { type CsvError, parse } from "csv-parse/sync";
import { eq } from "drizzle-orm";
import { z } from "zod";
import {
  type ClassificationStatus,
  criterionTextSchema,
  languageTag,
  questionSchema,
  SpiralCodeError,
} from "../../../protocol/src/index";
import { criteria, groups } from "../db/schema";
import type { AuditService } from "./audit";
import type { Actor, ServiceContext } from "./context";
import { type CriterionInsert, classificationColumns, createCodeParser } from "./criteria";
import { type FieldIssue, InvalidInputError } from "./errors";
import type { TerritoryService } from "./territories";

/** Header names accepted for each column (English and French), compared case-insensitively. */
const COLUMN_ALIASES = {
  group: ["group", "groupe", "group_id", "group_label"],
  question: ["question"],
  text: ["text", "texte", "criterion", "critère", "critere"],
  code: ["code", "spiral_code"],
  language: ["language", "langue", "lang"],
} as const;
type Column = keyof typeof COLUMN_ALIASES;

export const csvImportOptionsSchema = z.object({
  dryRun: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  /** What a code given in the file counts as: a proposal to review, or already validated. */
  codes: z.enum(["proposed", "validated"]).default("proposed"),
});
export type CsvImportOptions = z.output<typeof csvImportOptionsSchema>;

export interface CsvImportResult {
  rows: number;
  imported: number;
  dryRun: boolean;
  byGroup: Record<string, number>;
}

const MAX_REPORTED_ISSUES = 1000;
const INSERT_BATCH = 1000;

class CsvRejected extends InvalidInputError {}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    // Find every line that is not valid UTF-8 so the user can fix the file (or re-save it as UTF-8).
    const issues: FieldIssue[] = [];
    const decoder = new TextDecoder("utf-8", { fatal: true });
    let start = 0;
    let line = 1;
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 0x0a) {
        try {
          decoder.decode(bytes.subarray(start, i));
        } catch {
          issues.push({
            path: `line ${line}`,
            line,
            message: "not valid UTF-8 (save the file as UTF-8)",
          });
        }
        start = i + 1;
        line++;
      }
    }
    throw new CsvRejected("the file is not UTF-8 text; nothing was imported", issues);
  }
}

function detectDelimiter(headerLine: string): "," | ";" {
  const semicolons = headerLine.split(";").length;
  const commas = headerLine.split(",").length;
  return semicolons > commas ? ";" : ",";
}

function mapHeader(header: string[]): Record<Column, number | undefined> {
  const normalised = header.map((h) => h.trim().toLowerCase());
  const find = (column: Column) => {
    const index = normalised.findIndex((h) =>
      (COLUMN_ALIASES[column] as readonly string[]).includes(h),
    );
    return index === -1 ? undefined : index;
  };
  const columns = {
    group: find("group"),
    question: find("question"),
    text: find("text"),
    code: find("code"),
    language: find("language"),
  };
  const missing = (["group", "question", "text"] as const).filter((c) => columns[c] === undefined);
  if (missing.length > 0) {
    throw new CsvRejected(
      `the header must name the columns group, question and text (optional: code, language); missing: ${missing.join(", ")}`,
      [{ path: "line 1", line: 1, message: `missing column(s): ${missing.join(", ")}` }],
    );
  }
  return columns;
}

/**
 * Imports criteria from CSV: UTF-8 with or without BOM, comma or semicolon, quoted newlines.
 * Every row is checked first; one bad row means nothing is imported and every bad line is reported.
 */
export function createCsvImportService(
  ctx: ServiceContext,
  audit: AuditService,
  territories: TerritoryService,
) {
  const parseCode = createCodeParser(ctx.grid);

  return {
    import(
      slug: string,
      bytes: Uint8Array,
      options: CsvImportOptions,
      actor: Actor,
    ): CsvImportResult {
      const territory = territories.get(slug);
      const text = decodeUtf8(bytes).replace(/^\uFEFF/, "");
      if (text.trim() === "") throw new CsvRejected("the file is empty; nothing was imported");
      const firstLine = text.slice(0, text.search(/\r?\n|$/));
      let records: Array<{ record: string[]; info: { lines: number } }>;
      try {
        records = parse(text, {
          delimiter: detectDelimiter(firstLine),
          info: true,
          relax_column_count: true,
          skip_empty_lines: true,
          bom: true,
        }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
      } catch (error) {
        const csvError = error as CsvError & { lines?: number };
        const line = csvError.lines;
        throw new CsvRejected(
          `the file is not valid CSV: ${csvError.message}; nothing was imported`,
          [{ path: `line ${line ?? "?"}`, ...(line ? { line } : {}), message: csvError.message }],
        );
      }
      const [header, ...body] = records;
      if (!header) throw new CsvRejected("the file is empty; nothing was imported");
      const columns = mapHeader(header.record);

      // Groups are named by id or by label (case-insensitive); a label used twice is ambiguous.
      const byKey = new Map<string, number | "ambiguous">();
      const labels = new Map<number, string>();
      for (const g of ctx.db
        .select({ id: groups.id, label: groups.label })
        .from(groups)
        .where(eq(groups.territoryId, territory.id))
        .all()) {
        labels.set(g.id, g.label);
        byKey.set(String(g.id), g.id);
        const key = g.label.trim().toLowerCase();
        byKey.set(key, byKey.has(key) ? "ambiguous" : g.id);
      }

      const at = ctx.now().toISOString();
      const status: ClassificationStatus = options.codes;
      const issues: FieldIssue[] = [];
      const rows: CriterionInsert[] = [];
      const byGroup: Record<string, number> = {};
      let previousEnd = header.info.lines;
      for (const { record, info } of body) {
        const line = previousEnd + 1;
        previousEnd = info.lines;
        const problems: string[] = [];
        const cell = (column: Column) => {
          const index = columns[column];
          return index === undefined ? "" : (record[index] ?? "").trim();
        };
        if (record.length > header.record.length) {
          problems.push(`${record.length} fields where the header has ${header.record.length}`);
        }
        const groupKey = cell("group");
        const group = byKey.get(groupKey.toLowerCase());
        if (groupKey === "") problems.push("no group");
        else if (group === undefined) problems.push(`unknown group "${groupKey}"`);
        else if (group === "ambiguous")
          problems.push(`several groups are labelled "${groupKey}"; use the group id`);
        const question = questionSchema.safeParse(cell("question").toUpperCase());
        if (!question.success)
          problems.push(`unknown question "${cell("question")}" (Q1, Q2, Q3 or Q4)`);
        const textResult = criterionTextSchema.safeParse(cell("text"));
        if (!textResult.success) problems.push(textResult.error.issues[0]?.message ?? "bad text");
        const languageCell = cell("language");
        const language = languageCell === "" ? null : languageTag.safeParse(languageCell);
        if (language && !language.success) problems.push(`bad language "${languageCell}"`);
        let code = null;
        const codeCell = cell("code");
        if (codeCell !== "") {
          try {
            code = parseCode(codeCell);
          } catch (error) {
            if (!(error instanceof SpiralCodeError)) throw error;
            problems.push(error.message);
          }
        }
        if (problems.length > 0) {
          if (issues.length < MAX_REPORTED_ISSUES) {
            issues.push({ path: `line ${line}`, line, message: problems.join("; ") });
          }
          continue;
        }
        const groupId = group as number;
        const groupLabel = labels.get(groupId) ?? String(groupId);
        byGroup[groupLabel] = (byGroup[groupLabel] ?? 0) + 1;
        rows.push({
          groupId,
          question: question.data as NonNullable<typeof question.data>,
          text: textResult.data as string,
          language: language?.success ? language.data : null,
          ...classificationColumns(code, status, actor, at),
        });
      }
      if (issues.length > 0) {
        throw new CsvRejected(
          `${issues.length === MAX_REPORTED_ISSUES ? "at least " : ""}${issues.length} bad line(s); nothing was imported`,
          issues,
        );
      }
      if (rows.length === 0) throw new CsvRejected("the file has a header but no criteria");
      if (!options.dryRun) {
        ctx.db.transaction((tx) => {
          for (let i = 0; i < rows.length; i += INSERT_BATCH) {
            tx.insert(criteria)
              .values(rows.slice(i, i + INSERT_BATCH))
              .run();
          }
          audit.record(actor, "criteria.import", `territory:${slug}`, {
            rows: rows.length,
            byGroup,
          });
        });
      }
      return {
        rows: rows.length,
        imported: options.dryRun ? 0 : rows.length,
        dryRun: options.dryRun,
        byGroup,
      };
    },
  };
}
export type CsvImportService = ReturnType<typeof createCsvImportService>;
