import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { afterEach, describe, expect, it } from "vitest";
import { createTestNode, type TestNode } from "./helpers";

const uses = (...codes: string[]) =>
  JSON.stringify({ categories: codes.map((category) => ({ category })) });
const isPublic = (t: TestNode) =>
  t.services.categories.publicList().some((c) => c.code === "fishers");
const INSERT_RECEIVED = `insert into received_syntheses
  (origin, period_key, object_id, version, hash, payload, activity, received_at)
  values (?, '2026', ?, 1, 'h', ?, '{}', '2026-12-07T00:00:00Z')`;

/**
 * A test node on a file of its own (so another connection can open it), with the node's own
 * category "fishers" that no synthesis uses yet.
 */
function nodeOnFile() {
  const dir = mkdtempSync(path.join(tmpdir(), "category-uses-"));
  const file = path.join(dir, "node.db");
  const t = createTestNode({ databaseFile: file });
  const sqlite = t.services.ctx.storage.sqlite;
  sqlite.exec(
    "insert into group_categories (code, label_en, label_fr, builtin) values ('fishers', 'Fishers', 'Pêcheurs', 0)",
  );
  return {
    t,
    file,
    sqlite,
    close() {
      t.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The categories public syntheses use are kept by the database (table public_category_uses,
// written by triggers): the public list follows every write, whoever writes it — a received
// synthesis written, withdrawn or removed, here or by another connection on the file; a write
// rolled back.
describe("a node's own category on the public list, as received syntheses use it", () => {
  let node: ReturnType<typeof nodeOnFile>;
  afterEach(() => node.close());

  it("follows each write, and a rollback", () => {
    node = nodeOnFile();
    const { t, sqlite } = node;
    const receive = (origin: string, category: string) =>
      sqlite.prepare(INSERT_RECEIVED).run(`${origin}/t`, `${origin}/s/1`, uses(category));
    expect(isPublic(t)).toBe(false);
    receive("https://a.example", "other");
    expect(isPublic(t)).toBe(false);
    receive("https://b.example", "fishers");
    expect(isPublic(t)).toBe(true);
    sqlite
      .prepare("update received_syntheses set withdrawn_at = 'now' where origin = ?")
      .run("https://b.example/t");
    expect(isPublic(t)).toBe(false);
    sqlite
      .prepare("update received_syntheses set payload = ? where origin = ?")
      .run(uses("fishers"), "https://a.example/t");
    expect(isPublic(t)).toBe(true);
    sqlite.prepare("delete from received_syntheses where origin = ?").run("https://a.example/t");
    expect(isPublic(t)).toBe(false);
    // Inside a transaction the uncommitted use shows; rolled back, it goes with the write.
    expect(() =>
      sqlite.transaction(() => {
        receive("https://c.example", "fishers");
        expect(isPublic(t)).toBe(true);
        throw new Error("a later step failed");
      })(),
    ).toThrow("a later step failed");
    expect(isPublic(t)).toBe(false);
  });

  it("sees another connection's commit", () => {
    node = nodeOnFile();
    expect(isPublic(node.t)).toBe(false);
    const other = new Database(node.file);
    try {
      other
        .prepare(INSERT_RECEIVED)
        .run("https://b.example/t", "https://b.example/s/1", uses("fishers"));
    } finally {
      other.close();
    }
    expect(isPublic(node.t)).toBe(true);
  });
});

// A row replaced away (UPDATE OR REPLACE of its key, or a key column declared ON CONFLICT
// REPLACE) is deleted without any DELETE trigger firing (SQLite fires those only with
// recursive_triggers on): its uses must go all the same.
describe("a received synthesis replaced away by another row's key change", () => {
  let node: ReturnType<typeof nodeOnFile>;
  afterEach(() => node.close());
  it("takes its category off the public list", () => {
    node = nodeOnFile();
    const { t, sqlite } = node;
    const insert = sqlite.prepare(`insert into received_syntheses
      (origin, period_key, object_id, version, hash, payload, activity, received_at)
      values ('https://a.example/t', ?, ?, 1, 'h', ?, '{}', '2026-12-07T00:00:00Z')`);
    insert.run("2026", "https://a.example/s/1", uses("fishers"));
    insert.run("2025", "https://a.example/s/2", uses("other"));
    expect(isPublic(t)).toBe(true);
    sqlite
      .prepare(
        "update or replace received_syntheses set period_key = '2026' where period_key = '2025'",
      )
      .run();
    expect(sqlite.prepare("select count(*) from received_syntheses").pluck().get()).toBe(1);
    expect(isPublic(t)).toBe(false);
  });
});

describe("the uses of public categories on a database from before they were kept", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // A database migrated up to 0015 (before the uses were kept), at dir/node.db.
  const databaseBeforeUses = () => {
    dir = mkdtempSync(path.join(tmpdir(), "category-uses-migration-"));
    const migrations = path.join(dir, "drizzle");
    cpSync(new URL("../../node/drizzle", import.meta.url), migrations, { recursive: true });
    const journalFile = path.join(migrations, "meta", "_journal.json");
    const journal = JSON.parse(readFileSync(journalFile, "utf8"));
    journal.entries = journal.entries.filter(
      (e: { tag: string }) => e.tag < "0016_public_category_uses",
    );
    writeFileSync(journalFile, JSON.stringify(journal));
    const file = path.join(dir, "node.db");
    const before = new Database(file);
    migrate(drizzle(before), { migrationsFolder: migrations });
    return { file, before };
  };

  it("are taken from the syntheses already held when the node opens it", () => {
    const { file, before } = databaseBeforeUses();
    before.exec(`
      insert into territories (id, slug, name, country, languages, grid_id, grid_version)
        values (1, 'testville', 'Testville', 'FR', '["fr"]', 'spiral-9d', '1');
      insert into group_categories (code, label_en, label_fr, builtin) values
        ('fishers', 'Fishers', 'Pêcheurs', 0), ('anglers', 'Anglers', 'Pêcheurs à la ligne', 0),
        ('bakers', 'Bakers', 'Boulangers', 0), ('millers', 'Millers', 'Meuniers', 0);
      insert into syntheses (uuid, territory_id, period_key) values ('s1', 1, '2026'), ('s2', 1, '2025');
      insert into synthesis_versions (uuid, synthesis_uuid, territory_id, period_key, version,
          participants, payload, hash, published_by, withdrawn_at)
        values ('v1', 's1', 1, '2026', 1, 9, '${uses("anglers")}', 'h1', 'x', null),
               ('v2', 's2', 1, '2025', 1, 9, '${uses("millers")}', 'h2', 'x', 'then');
      insert into received_syntheses
          (origin, period_key, object_id, version, hash, payload, activity, received_at, withdrawn_at)
        values ('https://a.example/t', '2026', 'https://a.example/s/1', 1, 'h', '${uses("fishers", "other")}', '{}', 'now', null),
               ('https://b.example/t', '2026', 'https://b.example/s/1', 1, 'h', '${uses("bakers")}', '{}', 'now', 'then'),
               ('https://c.example/t', '2026', 'https://c.example/s/1', 1, 'h', 'not JSON, by hand', '{}', 'now', null);
    `);
    before.close();

    // Opened as a node opens its database: migrated, then asked over its public API.
    const node = createTestNode({ databaseFile: file });
    try {
      const listed = () =>
        node.services.categories
          .publicList()
          .filter((c) => !c.builtin)
          .map((c) => c.code);
      expect(listed()).toEqual(["anglers", "fishers"]);
      // The row whose payload was not JSON is written again as any other.
      node.services.ctx.storage.sqlite
        .prepare("update received_syntheses set payload = ? where origin = 'https://c.example/t'")
        .run(uses("bakers"));
      expect(listed()).toEqual(["anglers", "bakers", "fishers"]);
    } finally {
      node.close();
    }
  });

  // Written by hand before 0016: JSON whose categories are not objects (the scan this replaces
  // failed on them at every public read), and text that is not JSON. The migration must not stop
  // on them, no use comes of them, and the node can still withdraw, publish again or rewrite them.
  it("skip payloads whose categories are not objects, and let those rows be written again", () => {
    const { file, before } = databaseBeforeUses();
    const odd = ['{"categories":["fishers"]}', '{"categories":"fishers"}', "not JSON, by hand"];
    before.exec(`
      insert into territories (id, slug, name, country, languages, grid_id, grid_version)
        values (1, 'testville', 'Testville', 'FR', '["fr"]', 'spiral-9d', '1');
      insert into group_categories (code, label_en, label_fr, builtin) values
        ('fishers', 'Fishers', 'Pêcheurs', 0), ('bakers', 'Bakers', 'Boulangers', 0);
      insert into syntheses (uuid, territory_id, period_key) values ('s1', 1, '2026');
    `);
    odd.forEach((payload, i) => {
      before
        .prepare(`insert into synthesis_versions (uuid, synthesis_uuid, territory_id, period_key,
            version, participants, payload, hash, published_by) values (?, 's1', 1, '2026', ?, 9, ?, 'h', 'x')`)
        .run(`v${i}`, i + 1, payload);
      before
        .prepare(`insert into received_syntheses (origin, period_key, object_id, version, hash,
            payload, activity, received_at) values (?, '2026', ?, 1, 'h', ?, '{}', 'now')`)
        .run(`https://${i}.example/t`, `https://${i}.example/s/1`, payload);
    });
    before.close();

    const node = createTestNode({ databaseFile: file });
    try {
      const sqlite = node.services.ctx.storage.sqlite;
      const listed = () =>
        node.services.categories
          .publicList()
          .filter((c) => !c.builtin)
          .map((c) => c.code);
      expect(listed()).toEqual([]);
      for (const table of ["received_syntheses", "synthesis_versions"]) {
        // Withdrawn (a peer's Delete, an unpublish), published again, then given a new id.
        sqlite.prepare(`update ${table} set withdrawn_at = 'now'`).run();
        sqlite.prepare(`update ${table} set withdrawn_at = null`).run();
        sqlite.prepare(`update ${table} set id = id + 100`).run();
        expect(listed()).toEqual([]);
      }
      // A new payload on each: its categories count from then on.
      sqlite.prepare("update received_syntheses set payload = ?").run(uses("bakers"));
      sqlite.prepare("update synthesis_versions set payload = ?").run(uses("fishers"));
      expect(listed()).toEqual(["bakers", "fishers"]);
      sqlite.prepare("update synthesis_versions set payload = ?").run(odd[0]);
      expect(listed()).toEqual(["bakers"]);
    } finally {
      node.close();
    }
  });
});

// A connection without foreign keys (the sqlite3 shell's default) that deletes or replaces a row
// leaves its uses behind; a row written again under the same id (a REPLACE of the row by id, a
// row copied back from a backup) must not inherit them: the label would show while no public
// synthesis uses it.
describe("a received synthesis written again under its id by a connection without foreign keys", () => {
  let node: ReturnType<typeof nodeOnFile>;
  afterEach(() => node.close());
  const write = (verb: string) => `${verb} into received_syntheses
    (id, origin, period_key, object_id, version, hash, payload, activity, received_at)
    values (7, 'https://a.example/t', '2026', 'https://a.example/s/1', 1, 'h', ?, '{}', 'now')`;

  for (const [how, steps] of [
    ["replaced by id", [write("insert or replace")]],
    [
      "deleted then inserted again",
      ["delete from received_syntheses where id = 7", write("insert")],
    ],
  ] as const) {
    it(`does not keep the uses of the row it was before (${how})`, () => {
      node = nodeOnFile();
      const { t, sqlite } = node;
      sqlite.prepare(write("insert")).run(uses("fishers"));
      expect(isPublic(t)).toBe(true);
      const shell = new Database(node.file);
      try {
        shell.pragma("foreign_keys = OFF");
        for (const statement of steps) {
          const s = shell.prepare(statement);
          if (statement.includes("?")) s.run(uses("other"));
          else s.run();
        }
      } finally {
        shell.close();
      }
      expect(sqlite.prepare("select payload from received_syntheses").pluck().all()).toEqual([
        uses("other"),
      ]);
      expect(isPublic(t)).toBe(false);
    });
  }
});

// Uses are written for every code, builtin or not: a code whose builtin row is demoted or removed
// (by hand, on the file) and then kept or added as the node's own category is used by the
// syntheses already held, and must show, as the scan of the payloads showed it.
describe("a builtin code that becomes the node's own", () => {
  let t: TestNode;
  afterEach(() => t.close());
  for (const how of ["demoted", "removed then added"] as const) {
    it(`is listed while a public synthesis uses it (${how})`, () => {
      t = createTestNode();
      const sqlite = t.services.ctx.storage.sqlite;
      const builtin = sqlite
        .prepare("select code from group_categories where builtin = 1 order by code limit 1")
        .pluck()
        .get() as string;
      expect(builtin).toBeTypeOf("string");
      sqlite
        .prepare(`insert into received_syntheses
          (origin, period_key, object_id, version, hash, payload, activity, received_at)
          values ('https://a.example/t', '2026', 'https://a.example/s/1', 1, 'h', ?, '{}', 'now')`)
        .run(uses(builtin));
      if (how === "demoted") {
        sqlite.prepare("update group_categories set builtin = 0 where code = ?").run(builtin);
      } else {
        sqlite.prepare("delete from group_categories where code = ?").run(builtin);
        t.services.categories.add({ code: builtin, en: "Own", fr: "Propre" }, "admin");
      }
      const listed = t.services.categories.publicList().find((c) => c.code === builtin);
      expect(listed?.builtin).toBe(false);
    });
  }
});
