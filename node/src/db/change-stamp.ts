import type Database from "better-sqlite3";

/**
 * A stamp that changes whenever `table` may have changed, for what a service keeps in memory
 * between reads (docs/architecture.md, "Figures state"). Temporary triggers (the connection's
 * own, not stored in the database file) count this connection's writes to the table — of
 * `columns` only, for updates, when given — and SQLite's `data_version` changes on another
 * connection's commit. A write rolled back takes its count back with it: keep what was read
 * under a stamp only when it was read outside a transaction. The stamps of one table on one
 * connection share its count: a second call with other columns adds its own update trigger
 * (named after its columns), so each stamp changes on its columns' updates, and maybe on others'.
 *
 * An update may also delete other rows without a DELETE trigger firing: an UPDATE OR REPLACE
 * (or a key declared ON CONFLICT REPLACE) deletes the row whose unique key the update takes, and
 * SQLite fires delete triggers for that only with `recursive_triggers` on. So an update of a
 * unique key's column (the primary key and rowid included) counts too, whatever `columns` says; and every
 * update counts when a unique index is on an expression (its columns are not known).
 */
export function changeStamp(
  sqlite: Database.Database,
  table: string,
  columns?: readonly string[],
): () => string {
  // Names written into SQL: the callers' own constants, checked all the same.
  if (![table, ...(columns ?? [])].every((name) => /^[a-z_]+$/.test(name))) {
    throw new Error(`changeStamp: not a table or column name: ${table} ${columns ?? ""}`);
  }
  const watched = columns && withKeyColumns(sqlite, table, columns);
  // Trigger names quoted, parts separated by a character no table or column name has here: two
  // tables' triggers never share a name. The update's is named after its columns.
  const events = {
    [`counted:${table}:inserted`]: "INSERT",
    [`counted:${table}:updated:${watched ? watched.join(",") : "*"}`]: watched
      ? `UPDATE OF ${watched.map(quoted).join(", ")}`
      : "UPDATE",
    [`counted:${table}:deleted`]: "DELETE",
  };
  sqlite.exec(`
    CREATE TEMP TABLE IF NOT EXISTS write_counts (name TEXT PRIMARY KEY, n INTEGER NOT NULL);
    INSERT OR IGNORE INTO write_counts (name, n) VALUES ('${table}', 0);
    ${Object.entries(events)
      .map(
        ([name, event]) => `CREATE TEMP TRIGGER IF NOT EXISTS ${quoted(name)}
          AFTER ${event} ON main.${table}
          BEGIN UPDATE write_counts SET n = n + 1 WHERE name = '${table}'; END;`,
      )
      .join("\n")}`);
  const writes = sqlite.prepare("SELECT n FROM temp.write_counts WHERE name = ?").pluck();
  const dataVersion = sqlite.prepare("PRAGMA data_version").pluck();
  return () => `${writes.get(table)}:${dataVersion.get()}`;
}

/** An SQL identifier quoted (the key columns come from the schema, not the caller). */
const quoted = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * `columns` and the columns of the table's primary key, rowid and unique indexes, or null when a unique
 * index is on an expression (every update must count then).
 */
function withKeyColumns(
  sqlite: Database.Database,
  table: string,
  columns: readonly string[],
): string[] | null {
  const keys = new Set(columns);
  const info = sqlite.prepare(`PRAGMA main.table_info(${table})`).all() as Array<{
    name: string;
    pk: number;
  }>;
  for (const column of info) if (column.pk > 0) keys.add(column.name);
  // The rowid written by name (rowid, oid, _rowid_) fires no trigger of its alias column.
  const withoutRowid = sqlite
    .prepare("SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?")
    .pluck()
    .get(table);
  if (withoutRowid === 0) for (const name of ["rowid", "oid", "_rowid_"]) keys.add(name);
  const indexes = sqlite.prepare(`PRAGMA main.index_list(${table})`).all() as Array<{
    name: string;
    unique: number;
  }>;
  for (const index of indexes.filter((i) => i.unique)) {
    const parts = sqlite.prepare("SELECT name FROM pragma_index_info(?)").pluck().all(index.name);
    if (parts.some((name) => name === null)) return null;
    for (const name of parts as string[]) keys.add(name);
  }
  return [...keys];
}
