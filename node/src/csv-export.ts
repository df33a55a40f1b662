import { stringify } from "csv-stringify/sync";

/**
 * A cell a spreadsheet would run as a formula (CSV injection): it starts with = + - @, a tab or
 * a carriage return. Such a cell is prefixed with an apostrophe, which spreadsheets show as text.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export const neutralise = (cell: string): string => (FORMULA_START.test(cell) ? `'${cell}` : cell);

/**
 * A CSV document for spreadsheets: UTF-8 with a byte-order mark (so Excel reads accents),
 * CRLF line ends, a header, quoting where needed (csv-stringify), every text cell neutralised.
 */
export function spreadsheetCsv<K extends string>(
  columns: readonly K[],
  rows: ReadonlyArray<Record<K, string | number | null>>,
): string {
  return stringify(
    rows.map((row) => columns.map((column) => row[column] ?? "")),
    {
      bom: true,
      header: true,
      columns: [...columns],
      record_delimiter: "windows",
      cast: { string: neutralise },
    },
  );
}

/** The headers of a CSV download that is nobody else's: an attachment no cache keeps. */
export const csvDownload = (filename: string) => ({
  "Content-Type": "text/csv; charset=utf-8",
  "Content-Disposition": `attachment; filename="${filename}"`,
  "Cache-Control": "no-store",
});
