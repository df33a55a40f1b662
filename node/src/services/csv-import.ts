import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import {
  type ClassificationStatus,
  languageTag,
  type Question,
  questionSchema,
  SpiralCodeError,
} from "@spiral-network/protocol";
import { type CsvError, parse } from "csv-parse/sync";
import { and, desc, eq, or, sql } from "drizzle-orm";
import { z } from "zod";
import { auditLog, groups } from "../db/schema";
import type { AuditService } from "./audit";
import type { Actor, ServiceContext } from "./context";
import {
  type CriterionInsert,
  classificationColumns,
  createCodeParser,
  prepareCriterionInsert,
} from "./criteria";
import { InvalidInputError } from "./errors";
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

/** What a preview adds to a dry run's result. */
export interface CsvImportPreview extends CsvImportResult {
  /** The same rows (same groups, questions, texts) were imported before: when, and how many. */
  alreadyImported?: { at: string; rows: number };
  /** Group label → question → number of rows. */
  byGroupQuestion: Record<string, Partial<Record<Question, number>>>;
  /** The first rows, as they would be saved, with the line each starts on. */
  sample: Array<{
    line: number;
    group: string;
    question: Question;
    text: string;
    language: string | undefined;
    code: string | undefined;
  }>;
}

const MAX_REPORTED_ISSUES = 1000;

/**
 * Why a line (or the whole file) is refused: `message` in English (what the API reports), and
 * a kind with its values for a caller that words it in another language (the workspace).
 */
export type CsvProblem = { message: string } & (
  | { kind: "notUtf8" }
  | { kind: "empty" }
  | { kind: "notCsv"; detail: string }
  | { kind: "missingColumns"; columns: string }
  | { kind: "noRows" }
  | { kind: "fieldCount"; fields: number; header: number }
  | { kind: "noGroup" }
  | { kind: "unknownGroup"; group: string }
  | { kind: "ambiguousGroup"; group: string }
  | { kind: "unknownQuestion"; question: string }
  | { kind: "emptyText" }
  | { kind: "longText" }
  | { kind: "badLanguage"; language: string }
  | { kind: "badCode"; detail: string }
);
/** The problems of one line (no line: the file as a whole). */
export interface CsvLineProblems {
  line?: number | undefined;
  problems: CsvProblem[];
}

/**
 * A file refused as a whole. `issues` are what the API reports; `lines` the same problems by
 * kind; `badLines` counts every bad line, even beyond those listed; `problem` is the reason
 * when no line is at fault (an empty file).
 */
export class CsvRejected extends InvalidInputError {
  readonly lines: CsvLineProblems[];
  readonly badLines: number;
  readonly problem: CsvProblem | undefined;
  constructor(
    message: string,
    lines: CsvLineProblems[] = [],
    options: { badLines?: number; problem?: CsvProblem } = {},
  ) {
    super(
      message,
      lines.map(({ line, problems }) => ({
        path: `line ${line ?? "?"}`,
        ...(line !== undefined ? { line } : {}),
        message: problems.map((p) => p.message).join("; "),
      })),
    );
    this.lines = lines;
    this.badLines = options.badLines ?? lines.length;
    this.problem = options.problem;
  }
}
/** A refusal of the whole file, no line at fault. */
const fileRejected = (message: string, problem: CsvProblem) =>
  new CsvRejected(message, [], { problem });
const TEXT_EMPTY = "the criterion text is empty";
const TEXT_LONG = "a criterion is one idea: 2000 characters at most";
const TEXT_MAX = 2000;

/**
 * criterionTextSchema's check (trimmed, 1–2000 code points) with its messages, without zod's
 * per-call work: it runs once per CSV row. test/node/csv-import.test.ts checks that both agree
 * on any text.
 */
export function checkCriterionText(
  value: string,
): { success: true; data: string } | { success: false; problem: CsvProblem } {
  const checked = checkedText(value);
  return typeof checked === "string"
    ? { success: true, data: checked }
    : { success: false, problem: checked };
}

/** checkCriterionText without a result object per row: the trimmed text, or its problem. */
function checkedText(value: string): string | CsvProblem {
  const data = value.trim();
  if (data.length === 0) return { kind: "emptyText", message: TEXT_EMPTY };
  // Counted in code points, as zod counts; a text within the limit in UTF-16 units is within it.
  if (data.length > TEXT_MAX && codePoints(data) > TEXT_MAX) {
    return { kind: "longText", message: TEXT_LONG };
  }
  return data;
}

function codePoints(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/** How many distinct values of one column an import keeps parsed (cellMemo). */
export const CELL_MEMO = 4096;

/**
 * `parse` memoised by cell value: a file repeats the same few groups, questions, languages and
 * codes, each parsed once (with the same zod schemas and code parser) and its result reused.
 * The memo is emptied when it reaches CELL_MEMO entries: a file whose every line holds another
 * bad value would otherwise keep a zod error per line (≈ 0.9 KB each, measured; with a bad
 * question and language on each ~22-byte line, some 2.5 GB for the 32 MiB the API accepts).
 */
export function cellMemo<T>(parse: (value: string) => T) {
  const cache = new Map<string, T>();
  const memoised = (value: string) => {
    let result = cache.get(value);
    if (result === undefined) {
      result = parse(value);
      if (cache.size >= CELL_MEMO) cache.clear();
      cache.set(value, result);
    }
    return result;
  };
  return Object.assign(memoised, { memoSize: () => cache.size });
}

/** Thrown to roll back a dry run once every line has been checked. */
class DryRunFinished extends Error {}

/**
 * The file's bytes for csv-parse, after checking they are UTF-8: without the BOMs a decoder and
 * then a `^\uFEFF` replace would remove (two at most; csv-parse's `bom` option takes a third, as
 * it did on the decoded text). csv-parse reads bytes: decoding the file to a string first would
 * only have it encoded back (≈ 0.1–0.25 s for 100 000 rows, docs/benchmarks.md).
 */
function utf8Bytes(bytes: Uint8Array): Buffer {
  if (!isUtf8(bytes)) rejectNotUtf8(bytes);
  let start = 0;
  for (let bom = 0; bom < 2 && startsWithBom(bytes, start); bom++) start += 3;
  const input = Buffer.from(bytes.buffer, bytes.byteOffset + start, bytes.byteLength - start);
  if (headerHasNul(input)) {
    // UTF-16 without its BOM: valid UTF-8, a NUL beside each character of the header.
    throw new CsvRejected("the file is not UTF-8 text; nothing was imported", [
      {
        line: 1,
        problems: [{ kind: "notUtf8", message: "UTF-16 text, not UTF-8 (save the file as UTF-8)" }],
      },
    ]);
  }
  return input;
}

/** Whether the first line holds a NUL byte, which no header has. */
function headerHasNul(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length && bytes[i] !== 0x0a && bytes[i] !== 0x0d; i++) {
    if (bytes[i] === 0) return true;
  }
  return false;
}

const startsWithBom = (bytes: Uint8Array, at: number) =>
  bytes[at] === 0xef && bytes[at + 1] === 0xbb && bytes[at + 2] === 0xbf;

/** Names every line that is not valid UTF-8 so the user can fix the file (or re-save it as UTF-8). */
function rejectNotUtf8(bytes: Uint8Array): never {
  const lines: CsvLineProblems[] = [];
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let start = 0;
  let line = 1;
  // A UTF-8 sequence holds no byte below 0x80: cutting at line ends cuts none in two.
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || endsLine(bytes, i)) {
      try {
        decoder.decode(bytes.subarray(start, i));
      } catch {
        lines.push({
          line,
          problems: [{ kind: "notUtf8", message: "not valid UTF-8 (save the file as UTF-8)" }],
        });
      }
      start = i + 1;
      line++;
    }
  }
  throw new CsvRejected("the file is not UTF-8 text; nothing was imported", lines);
}

/** Whether the (UTF-8) file holds only white space, as `String.prototype.trim` counts it. */
function isBlank(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    // Beyond ASCII, white space is Unicode's (no-break space, BOM...): decode to be sure.
    if (byte >= 0x80) return bytes.toString("utf8").trim() === "";
    if (byte !== 0x20 && (byte < 0x09 || byte > 0x0d)) return false;
  }
  return true;
}

/**
 * The delimiter the first line (past blank ones) uses most (a comma when as many or none),
 * outside quoted fields: a column name may hold either character, and the first line ends at
 * its first CR or LF (a file with CR line ends has no LF, and its texts may hold the other).
 */
function detectDelimiter(bytes: Buffer): "," | ";" {
  let semicolons = 0;
  let commas = 0;
  let quoted = false;
  let i = 0;
  while (bytes[i] === 0x0a || bytes[i] === 0x0d) i++; // blank lines, which csv-parse skips
  for (; i < bytes.length; i++) {
    const byte = bytes[i];
    // An escaped quote ("") toggles twice.
    if (byte === 0x22) quoted = !quoted;
    else if (quoted) continue;
    else if (byte === 0x0a || byte === 0x0d) break;
    else if (byte === 0x3b) semicolons++;
    else if (byte === 0x2c) commas++;
  }
  return semicolons > commas ? ";" : ",";
}

/** Whether `bytes[i]` ends a line as an editor shows it: LF, CRLF (at its LF), or CR alone. */
function endsLine(bytes: Uint8Array, i: number): boolean {
  return bytes[i] === 0x0a || (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a);
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
      [
        {
          line: 1,
          problems: [
            {
              kind: "missingColumns",
              columns: missing.join(", "),
              message: `missing column(s): ${missing.join(", ")}`,
            },
          ],
        },
      ],
    );
  }
  return columns;
}

/**
 * The line end that ends records, found as csv-parse finds it: the first CRLF, LF or CR
 * outside quotes (an LF when there is none). csv-parse keeps the other kinds in the fields.
 */
function recordDelimiter(bytes: Uint8Array): "\r\n" | "\n" | "\r" {
  let quoted = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === 0x22) quoted = !quoted;
    else if (quoted) continue;
    else if (byte === 0x0a) return "\n";
    else if (byte === 0x0d) return bytes[i + 1] === 0x0a ? "\r\n" : "\r";
  }
  return "\n";
}

/**
 * The line (1-based, as an editor shows it, LF, CRLF or CR ending a line) on which each record
 * starts, from the byte offset where csv-parse says the record before it ends (its
 * `info.bytes`, past its record delimiter). csv-parse's own `info.lines` is not usable: it
 * counts skipped blank lines into the next record and CRLF inside quotes as two. The record
 * starts after the blank lines csv-parse skipped (record delimiters in a row), and after the
 * LF of a CRLF when CR alone ends records. Call it for the records in file order.
 */
function recordLineCounter(bytes: Uint8Array): (previousEnd: number) => number {
  const delimiter = recordDelimiter(bytes);
  const first = delimiter.charCodeAt(0);
  const crlf = delimiter.length === 2;
  let scanned = 0;
  let lineEnds = 0;
  return (previousEnd) => {
    let start = previousEnd;
    while (bytes[start] === first && (!crlf || bytes[start + 1] === 0x0a)) {
      start += delimiter.length;
    }
    if (bytes[start] === 0x0a && bytes[start - 1] === 0x0d) start++;
    for (; scanned < start; scanned++) if (endsLine(bytes, scanned)) lineEnds++;
    return lineEnds + 1;
  };
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

  /**
   * Checks every line and imports (or, on a dry run, rolls back); `onRow` sees each good row
   * with its line and group label, in file order, while there is no bad line yet (one object
   * for every row, filled again for the next one: copy what is kept).
   */
  const run = (
    slug: string,
    bytes: Uint8Array,
    options: CsvImportOptions,
    actor: Actor,
    onRow?: (row: CriterionInsert, line: () => number, group: string) => void,
  ): CsvImportResult & { rowsHash: string } => {
    const territory = territories.get(slug);
    const input = utf8Bytes(bytes);
    const empty = () =>
      fileRejected("the file is empty; nothing was imported", {
        kind: "empty",
        message: "the file is empty",
      });
    if (isBlank(input)) throw empty();
    const parseOptions = {
      delimiter: detectDelimiter(input),
      relax_column_count: true,
      skip_empty_lines: true,
      bom: true,
    };
    // Where each record ends (csv-parse's `info.bytes`), for line numbers. Only a preview (which
    // shows lines) and a file with a bad line need them: an import parses without `info` (one
    // object less per record) and parses again with it only when a line must be named.
    const withEnds = () =>
      parse(input, { ...parseOptions, info: true }) as unknown as Array<{
        record: string[];
        info: { bytes: number };
      }>;
    let records: string[][];
    let ends: number[] | undefined;
    try {
      if (onRow) {
        const parsed = withEnds();
        records = parsed.map((r) => r.record);
        ends = parsed.map((r) => r.info.bytes);
      } else {
        records = parse(input, parseOptions) as string[][];
      }
    } catch (error) {
      const csvError = error as CsvError & { lines?: number; bytes?: number };
      // csv-parse's `lines` counts a CRLF inside quotes as two and, for an unclosed quote, is
      // the end of the file; its `bytes` is where the field at fault starts (at the delimiter
      // before it, or at the end of the record before), whose line is the one an editor shows.
      const line =
        typeof csvError.bytes === "number"
          ? recordLineCounter(input)(csvError.bytes)
          : csvError.lines || undefined;
      const detail =
        line === undefined
          ? csvError.message
          : csvError.message.replace(/ at line \d+/, ` at line ${line}`);
      throw new CsvRejected(`the file is not valid CSV: ${detail}; nothing was imported`, [
        { line, problems: [{ kind: "notCsv", detail, message: detail }] },
      ]);
    }
    const header = records[0];
    if (!header) throw empty();
    const columns = mapHeader(header);

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
    const fingerprint = rowsFingerprint();
    const issues: CsvLineProblems[] = [];
    let badLines = 0;
    let imported = 0;
    /** Rows per group id, in the order groups are first met. */
    const perGroup = new Map<number, number>();

    const groupOf = cellMemo((value) => byKey.get(value.toLowerCase()) ?? "unknown");
    const questionOf = cellMemo((value) => questionSchema.safeParse(value.toUpperCase()));
    const languageOf = cellMemo((value) => languageTag.safeParse(value));
    const classificationOf = cellMemo(
      (value): ReturnType<typeof classificationColumns> | string => {
        try {
          return classificationColumns(value === "" ? null : parseCode(value), status, actor, at);
        } catch (error) {
          if (!(error instanceof SpiralCodeError)) throw error;
          return error.message;
        }
      },
    );

    // One function for every record (not a closure per record: this runs 100 000 times a file).
    const cellOf = (record: string[], column: Column) => {
      const index = columns[column];
      return index === undefined ? "" : (record[index] ?? "").trim();
    };
    /**
     * The row being checked: one object for every record, filled in place once its record is
     * good (no object, no problem list per row: docs/benchmarks.md, "CSV import and synthesis").
     */
    const row: CriterionInsert = {
      groupId: 0,
      question: "Q1",
      text: "",
      language: null,
      code: null,
      component: null,
      dimension: null,
      status: "unclassified",
      classifiedBy: null,
      classifiedAt: null,
    };
    const problems: CsvProblem[] = []; // emptied for each record, copied when it has any
    /** Checks one record: fills `row` and returns nothing, or returns why it is refused. */
    const checkRecord = (record: string[]): CsvProblem[] | undefined => {
      problems.length = 0;
      if (record.length > header.length) {
        problems.push({
          kind: "fieldCount",
          fields: record.length,
          header: header.length,
          message: `${record.length} fields where the header has ${header.length}`,
        });
      }
      const groupKey = cellOf(record, "group");
      const group = groupKey === "" ? "none" : groupOf(groupKey);
      if (group === "none") problems.push({ kind: "noGroup", message: "no group" });
      else if (group === "unknown") {
        problems.push({
          kind: "unknownGroup",
          group: groupKey,
          message: `unknown group "${groupKey}"`,
        });
      } else if (group === "ambiguous") {
        problems.push({
          kind: "ambiguousGroup",
          group: groupKey,
          message: `several groups are labelled "${groupKey}"; use the group id`,
        });
      }
      const question = questionOf(cellOf(record, "question"));
      if (!question.success) {
        problems.push({
          kind: "unknownQuestion",
          question: cellOf(record, "question"),
          message: `unknown question "${cellOf(record, "question")}" (Q1, Q2, Q3 or Q4)`,
        });
      }
      const text = checkedText(cellOf(record, "text"));
      if (typeof text !== "string") problems.push(text);
      const languageCell = cellOf(record, "language");
      const language = languageCell === "" ? null : languageOf(languageCell);
      if (language && !language.success) {
        problems.push({
          kind: "badLanguage",
          language: languageCell,
          message: `bad language "${languageCell}"`,
        });
      }
      const classification = classificationOf(cellOf(record, "code"));
      if (typeof classification === "string") {
        problems.push({
          kind: "badCode",
          detail: classification,
          message: classification,
        });
      }
      if (
        problems.length > 0 ||
        typeof group !== "number" ||
        !question.success ||
        typeof text !== "string" ||
        typeof classification === "string"
      ) {
        return problems.slice();
      }
      row.groupId = group;
      row.question = question.data;
      row.text = text;
      row.language = language?.success ? language.data : null;
      row.code = classification.code;
      row.component = classification.component;
      row.dimension = classification.dimension;
      row.status = classification.status;
      row.classifiedBy = classification.classifiedBy;
      row.classifiedAt = classification.classifiedAt;
      return undefined;
    };

    const byGroup: Record<string, number> = {};
    /** The rows per group label (two groups may share a label), once every row is counted. */
    const countByGroup = () => {
      for (const [id, n] of perGroup) {
        const label = labels.get(id) ?? String(id);
        byGroup[label] = (byGroup[label] ?? 0) + n;
      }
    };

    // One pass inside a transaction: rows are inserted while the file is checked, and any bad
    // line (or a dry run) rolls everything back, so nothing is ever partially imported.
    try {
      ctx.db.transaction(() => {
        const insert = prepareCriterionInsert(ctx.storage);
        const lineOf = recordLineCounter(input);
        // Called in file order (bad lines and preview samples are met in order).
        const lineAt = (index: number) => {
          ends ??= withEnds().map((r) => r.info.bytes);
          return lineOf(ends[index - 1] as number);
        };
        for (let index = 1; index < records.length; index++) {
          const problems = checkRecord(records[index] as string[]);
          if (problems) {
            const line = lineAt(index);
            badLines++;
            if (issues.length < MAX_REPORTED_ISSUES) issues.push({ line, problems });
            continue;
          }
          if (badLines > 0) continue;
          insert(row);
          const groupId = row.groupId as number;
          fingerprint.add(groupId, row.question, row.text);
          imported++;
          perGroup.set(groupId, (perGroup.get(groupId) ?? 0) + 1);
          onRow?.(row, () => lineAt(index), labels.get(groupId) ?? String(groupId));
        }
        if (badLines > 0) {
          const shown = badLines > issues.length ? ` (the first ${issues.length} are listed)` : "";
          throw new CsvRejected(`${badLines} bad line(s)${shown}; nothing was imported`, issues, {
            badLines,
          });
        }
        if (imported === 0) {
          throw fileRejected("the file has a header but no criteria", {
            kind: "noRows",
            message: "the file has a header but no criteria",
          });
        }
        countByGroup();
        if (options.dryRun) throw new DryRunFinished();
        audit.record(actor, "criteria.import", `territory:${slug}`, {
          rows: imported,
          byGroup,
          rowsHash: fingerprint.digest(),
        });
      });
    } catch (error) {
      if (!(error instanceof DryRunFinished)) throw error;
    }
    return {
      rows: imported,
      imported: options.dryRun ? 0 : imported,
      dryRun: options.dryRun,
      byGroup,
      rowsHash: fingerprint.digest(),
    };
  };

  const rowsHashOf = sql`json_extract(${auditLog.detail}, '$.rowsHash')`;
  const importsOf = (slug: string) =>
    and(eq(auditLog.action, "criteria.import"), eq(auditLog.subject, `territory:${slug}`));
  /** The latest import of the territory with exactly these rows (any of `hashes`), from the audit log. */
  const previousImport = (slug: string, hashes: string[]) => {
    const row = ctx.db
      .select({ at: auditLog.at, detail: auditLog.detail })
      .from(auditLog)
      .where(and(importsOf(slug), or(...hashes.map((hash) => sql`${rowsHashOf} = ${hash}`))))
      .orderBy(desc(auditLog.id))
      .get();
    return row ? { at: row.at, rows: Number(row.detail?.rows ?? 0) } : undefined;
  };
  /** Whether the territory has imports recorded with the former fingerprint (legacyRowsHash). */
  const hasLegacyImports = (slug: string) =>
    ctx.db
      .select({ id: auditLog.id })
      .from(auditLog)
      .where(and(importsOf(slug), sql`substr(${rowsHashOf}, 1, 3) <> ${FINGERPRINT_PREFIX}`))
      .limit(1)
      .get() !== undefined;

  return {
    import(
      slug: string,
      bytes: Uint8Array,
      options: CsvImportOptions,
      actor: Actor,
    ): CsvImportResult {
      const { rowsHash: _, ...result } = run(slug, bytes, options, actor);
      return result;
    },
    /**
     * A dry run that also says what would be imported: the count per group and question and the
     * first `sampleSize` rows with their line. Bad lines throw as on an import; nothing is saved.
     */
    preview(
      slug: string,
      bytes: Uint8Array,
      options: Omit<CsvImportOptions, "dryRun">,
      actor: Actor,
      sampleSize = 20,
    ): CsvImportPreview {
      const byGroupQuestion: CsvImportPreview["byGroupQuestion"] = {};
      const sample: CsvImportPreview["sample"] = [];
      // Imports recorded before the fingerprint changed are recognised by the former one.
      const legacyKeys = hasLegacyImports(slug) ? ([] as string[]) : undefined;
      const result = run(slug, bytes, { ...options, dryRun: true }, actor, (row, line, group) => {
        legacyKeys?.push(JSON.stringify([row.groupId, row.question, row.text]));
        const counts = byGroupQuestion[group] ?? {};
        byGroupQuestion[group] = counts;
        counts[row.question] = (counts[row.question] ?? 0) + 1;
        if (sample.length < sampleSize) {
          sample.push({
            line: line(),
            group,
            question: row.question,
            text: row.text,
            language: row.language ?? undefined,
            code: row.code ?? undefined,
          });
        }
      });
      const { rowsHash: hash, ...checked } = result;
      const hashes = legacyKeys ? [hash, legacyRowsHash(legacyKeys)] : [hash];
      const previous = previousImport(slug, hashes);
      return {
        ...checked,
        byGroupQuestion,
        sample,
        ...(previous ? { alreadyImported: previous } : {}),
      };
    },
  };
}
export type CsvImportService = ReturnType<typeof createCsvImportService>;

/** How rowsFingerprint's values start (imports recorded before it carry a 64-hex SHA-256). */
const FINGERPRINT_PREFIX = "v2:";

/**
 * A fingerprint of the rows of an import — group, question and text of each, in any order — so
 * the workspace can warn when the same rows were already imported (docs/facilitators-guide.md,
 * "Importing criteria from CSV"). Each row is hashed on its own (two 32-bit lanes, cyrb53's
 * mixing, over the group id, the question's digit and the text's UTF-16 code units) and the
 * row hashes are summed per lane modulo 2^32: the same rows in any order, each as many times,
 * give the same sums, with no key per row, no sort and no SHA-256 of the whole file
 * (docs/benchmarks.md, "CSV import and synthesis"). Written `v2:<rows>:<16 hex digits>`.
 */
export function rowsFingerprint() {
  let rows = 0;
  let sum1 = 0;
  let sum2 = 0;
  return {
    add(groupId: number, question: string, text: string): void {
      let h1 = 0xdeadbeef ^ (groupId % 0x1_0000_0000);
      let h2 = 0x41c6ce57 ^ Math.floor(groupId / 0x1_0000_0000);
      const digit = question.charCodeAt(1);
      h1 = Math.imul(h1 ^ digit, 2654435761);
      h2 = Math.imul(h2 ^ digit, 1597334677);
      for (let i = 0; i < text.length; i++) {
        const unit = text.charCodeAt(i);
        h1 = Math.imul(h1 ^ unit, 2654435761);
        h2 = Math.imul(h2 ^ unit, 1597334677);
      }
      h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
      h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
      h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
      h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
      sum1 = (sum1 + h1) | 0;
      sum2 = (sum2 + h2) | 0;
      rows++;
    },
    digest(): string {
      const hex = (n: number) => (n >>> 0).toString(16).padStart(8, "0");
      return `${FINGERPRINT_PREFIX}${rows}:${hex(sum1)}${hex(sum2)}`;
    },
  };
}

/**
 * The fingerprint imports recorded before `rowsFingerprint` carry: the SHA-256 of the rows'
 * JSON keys `[groupId, question, text]`, sorted, one a line. Only a preview computes it, and
 * only when the territory has such imports, so that they are still recognised.
 */
export function legacyRowsHash(rowKeys: string[]): string {
  const hash = createHash("sha256");
  for (const key of [...rowKeys].sort()) hash.update(key).update("\n");
  return hash.digest("hex");
}
