import type Database from "better-sqlite3";

/**
 * A stamp that changes whenever `table` may have changed, for what a service keeps in memory
 * between reads (docs/architecture.md, "Figures state"). Temporary triggers (the connection's
 * own, not stored in the database file) count this connection's writes to the table — of
 * `columns` only, for updates, when given — and SQLite's `data_version` changes on another
 * connection's commit. A write rolled back takes its count back with it: keep what was read
 * under a stamp only when it was read outside a transaction. One definition per table and
 * connection: a second call for the same table keeps the first one's columns.
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
  const events = {
    inserted: "INSERT",
    updated: columns ? `UPDATE OF ${columns.join(", ")}` : "UPDATE",
    deleted: "DELETE",
  };
  sqlite.exec(`
    CREATE TEMP TABLE IF NOT EXISTS write_counts (name TEXT PRIMARY KEY, n INTEGER NOT NULL);
    INSERT OR IGNORE INTO write_counts (name, n) VALUES ('${table}', 0);
    ${Object.entries(events)
      .map(
        ([name, event]) => `CREATE TEMP TRIGGER IF NOT EXISTS ${table}_${name}_counted
          AFTER ${event} ON main.${table}
          BEGIN UPDATE write_counts SET n = n + 1 WHERE name = '${table}'; END;`,
      )
      .join("\n")}`);
  const writes = sqlite.prepare("SELECT n FROM temp.write_counts WHERE name = ?").pluck();
  const dataVersion = sqlite.prepare("PRAGMA data_version").pluck();
  return () => `${writes.get(table)}:${dataVersion.get()}`;
}
