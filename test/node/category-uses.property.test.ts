import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createTestvilleNode, TESTVILLE } from "./helpers";

// The public category list, from the uses the database keeps (docs/architecture.md, "Public
// category list"), must be exactly what a fresh scan of the syntheses gives (the query it
// replaced), after any sequence of writes: own and received syntheses written, withdrawn,
// replaced, removed (cascades included), by this connection, another one, or one without foreign
// keys (a SQLite shell's default: no cascade), in transactions and savepoints rolled back or
// committed.

const OWN = ["fishers", "anglers"];
// A builtin code, demoted, removed or replaced by hand: its uses were not written while builtin.
const BUILTIN = "young-people";
// Few keys, so that writes meet: a row replaced, withdrawn, moved onto another one.
const ORIGINS = ["https://a.example/t"];
const PERIODS = ["2025", "2026"];

type Write = (db: Database.Database) => void;

const index = (n: number) => fc.integer({ min: 0, max: n - 1 });
const category = fc.constantFrom(...OWN, BUILTIN, "other");
// A payload's categories as a version may list them: several, repeated, in any order, some entry
// without a code, a code that is a number; the key missing or an object; other fields changing
// while the list stays (the update trigger compares the lists, docs/architecture.md).
const entry = fc.oneof(
  { arbitrary: category.map((c) => ({ category: c })), weight: 4 },
  category.map((c) => ({ note: c })),
  fc.constantFrom({ category: null }, { category: 7 }, { category: "7" }, "fishers", 7),
);
const payloadOf = fc
  .tuple(
    fc.oneof(
      { arbitrary: fc.array(entry, { maxLength: 3 }).map((c) => ({ categories: c })), weight: 6 },
      fc.constant({}),
      fc.constant({ categories: "fishers" }),
      category.map((c) => ({ categories: { first: { category: c } } })),
    ),
    fc.boolean(),
  )
  .map(([p, note]) => JSON.stringify(note ? { ...p, note: "edited" } : p))
  // Text that is not JSON, as a hand-written row may hold: it uses nothing.
  .chain((p) => fc.oneof({ arbitrary: fc.constant(p), weight: 12 }, fc.constant("not JSON")));

const received: fc.Arbitrary<Write> = fc.oneof(
  fc
    .tuple(index(1), index(2), payloadOf, fc.constantFrom("ignore", "replace", "upsert", "keep"))
    .map(([o, p, c, mode]) => (db: Database.Database) => {
      const verb = mode === "ignore" || mode === "replace" ? `insert or ${mode}` : "insert";
      const conflict =
        mode === "upsert"
          ? "on conflict (origin, period_key) do update set payload = excluded.payload"
          : mode === "keep"
            ? "on conflict (origin, period_key) do update set via = 'again'"
            : "";
      db.prepare(`${verb} into received_syntheses
        (origin, period_key, object_id, version, hash, payload, activity, received_at)
        values (?, ?, ?, 1, 'h', ?, '{}', 'now') ${conflict}`).run(
        ORIGINS[o],
        PERIODS[p],
        `${ORIGINS[o]}/${PERIODS[p]}`,
        c,
      );
    }),
  fc.tuple(index(1), index(2), fc.boolean()).map(([o, p, w]) => (db: Database.Database) => {
    db.prepare(
      "update received_syntheses set withdrawn_at = ? where origin = ? and period_key = ?",
    ).run(w ? "now" : null, ORIGINS[o], PERIODS[p]);
  }),
  fc.tuple(index(1), index(2), payloadOf).map(([o, p, c]) => (db: Database.Database) => {
    db.prepare("update received_syntheses set payload = ? where origin = ? and period_key = ?").run(
      c,
      ORIGINS[o],
      PERIODS[p],
    );
  }),
  // A row written under an id a deleted or replaced row had (uses left behind without foreign keys).
  fc
    .tuple(index(3), index(2), payloadOf, fc.boolean())
    .map(([id, p, c, w]) => (db: Database.Database) => {
      db.prepare(`insert or replace into received_syntheses
        (id, origin, period_key, object_id, version, hash, payload, activity, received_at, withdrawn_at)
        values (?, ?, ?, ?, 1, 'h', ?, '{}', 'now', ?)`).run(
        id + 1,
        ORIGINS[0],
        PERIODS[p],
        `${ORIGINS[0]}/${PERIODS[p]}`,
        c,
        w ? "now" : null,
      );
    }),
  fc.tuple(index(1), index(2)).map(([o, p]) => (db: Database.Database) => {
    db.prepare("delete from received_syntheses where origin = ? and period_key = ?").run(
      ORIGINS[o],
      PERIODS[p],
    );
  }),
  fc.tuple(index(1), index(2)).map(([o, p]) => (db: Database.Database) => {
    db.prepare(
      "update or replace received_syntheses set period_key = ? where origin = ? and period_key <> ?",
    ).run(PERIODS[p], ORIGINS[o], PERIODS[p]);
  }),
);

const own: fc.Arbitrary<Write> = fc.oneof(
  fc
    .tuple(index(2), fc.integer({ min: 1, max: 2 }), payloadOf)
    .map(([p, v, c]) => (db: Database.Database) => {
      db.prepare(`insert or ignore into syntheses (uuid, territory_id, period_key)
        select ?, id, ? from territories`).run(`s-${p}`, PERIODS[p]);
      // Only under a territory still there: one removed by the shell (no cascade) leaves its
      // syntheses behind, which the foreign key would refuse a version of.
      db.prepare(`insert or ignore into synthesis_versions (uuid, synthesis_uuid, territory_id,
          period_key, version, participants, payload, hash, published_by)
        select ?, s.uuid, s.territory_id, s.period_key, ?, 1, ?, 'h', 'admin'
        from syntheses s join territories t on t.id = s.territory_id where s.uuid = ?`).run(
        `v-${p}-${v}`,
        v,
        c,
        `s-${p}`,
      );
    }),
  fc.tuple(index(2), fc.boolean()).map(([p, w]) => (db: Database.Database) => {
    db.prepare("update synthesis_versions set withdrawn_at = ? where period_key = ?").run(
      w ? "now" : null,
      PERIODS[p],
    );
  }),
  index(2).map((p) => (db: Database.Database) => {
    db.prepare("delete from syntheses where period_key = ?").run(PERIODS[p]);
  }),
  fc.constant((db: Database.Database) => {
    db.prepare("delete from territories").run();
  }),
);

const own3 = fc.constantFrom(...OWN, BUILTIN);
const categories: fc.Arbitrary<Write> = fc.oneof(
  fc
    .tuple(own3, fc.constantFrom("ignore", "replace"), fc.boolean())
    .map(([c, verb, b]) => (db: Database.Database) => {
      db.prepare(`insert or ${verb} into group_categories (code, label_en, label_fr, builtin)
          values (?, ?, ?, ?)`).run(c, c, c, b ? 1 : 0);
    }),
  own3.map((c) => (db: Database.Database) => {
    db.prepare("delete from group_categories where code = ?").run(c);
  }),
  fc.tuple(own3, fc.boolean()).map(([c, b]) => (db: Database.Database) => {
    db.prepare("update group_categories set builtin = ? where code = ?").run(b ? 1 : 0, c);
  }),
  fc.tuple(own3, own3).map(([from, to]) => (db: Database.Database) => {
    db.prepare("update or replace group_categories set code = ? where code = ?").run(to, from);
  }),
);

const write = fc.oneof({ arbitrary: received, weight: 3 }, own, categories);

type Step =
  | { kind: "plain"; write: Write }
  | { kind: "other"; write: Write }
  | { kind: "shell"; write: Write }
  | { kind: "rolled back"; write: Write }
  | { kind: "savepoint"; kept: Write; undone: Write }
  | { kind: "vacuum" };

const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: write.map((w): Step => ({ kind: "plain", write: w })), weight: 4 },
  write.map((w): Step => ({ kind: "other", write: w })),
  write.map((w): Step => ({ kind: "shell", write: w })),
  write.map((w): Step => ({ kind: "rolled back", write: w })),
  fc.tuple(write, write).map(([kept, undone]): Step => ({ kind: "savepoint", kept, undone })),
  fc.constant<Step>({ kind: "vacuum" }),
);

/**
 * The query publicList ran before its used categories were kept between reads, reading only
 * objects in a payload that is JSON (the scan failed on anything else).
 */
const freshList = (db: Database.Database): string[] => {
  const code = "json_extract(case when c.type = 'object' then c.value end, '$.category')";
  const each = (payload: string) =>
    `json_each(case when json_valid(${payload}) then ${payload} end, '$.categories')`;
  const used = new Set(
    db
      .prepare(`select distinct ${code} as code
        from synthesis_versions v, ${each("v.payload")} c
        where v.withdrawn_at is null
        union
        select distinct ${code}
        from received_syntheses r, ${each("r.payload")} c
        where r.withdrawn_at is null`)
      .pluck()
      .all() as string[],
  );
  return (
    db.prepare("select code, builtin from group_categories order by code").all() as Array<{
      code: string;
      builtin: number;
    }>
  )
    .filter((c) => c.builtin || used.has(c.code))
    .map((c) => c.code);
};

describe("the public category list, from the uses the database keeps", () => {
  it("is what a fresh scan gives after any sequence of writes", () => {
    // One node (and a second connection on its file) for every run, emptied between runs: the
    // service keeps what it read across runs as it would across requests.
    const dir = mkdtempSync(path.join(tmpdir(), "category-uses-prop-"));
    const file = path.join(dir, "node.db");
    const t = createTestvilleNode({ databaseFile: file });
    const other = new Database(file);
    other.pragma("foreign_keys = ON");
    other.pragma("busy_timeout = 5000");
    // better-sqlite3 turns foreign keys on by default; the sqlite3 shell does not.
    const shell = new Database(file);
    shell.pragma("foreign_keys = OFF");
    shell.pragma("busy_timeout = 5000");
    const db = t.services.ctx.storage.sqlite;
    const listed = () => t.services.categories.publicList().map((c) => c.code);
    const reset = () => {
      db.exec(`delete from received_syntheses; delete from synthesis_versions; delete from syntheses;
        delete from group_categories where builtin = 0 or code in ('fishers', 'anglers');
        insert into group_categories (code, label_en, label_fr, builtin)
          values ('fishers', 'Fishers', 'Pêcheurs', 0);`);
      t.services.categories.ensureBuiltins();
      db.prepare("update group_categories set builtin = 1 where code = ?").run(BUILTIN);
      if (!t.services.territories.list().length) t.services.territories.create(TESTVILLE, "test");
    };
    try {
      fc.assert(
        fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
          reset();
          expect(listed()).toEqual(freshList(db));
          for (const s of steps) {
            if (s.kind === "plain") s.write(db);
            if (s.kind === "other") s.write(other);
            if (s.kind === "shell") s.write(shell);
            if (s.kind === "vacuum") db.exec("vacuum");
            if (s.kind === "rolled back") {
              db.exec("begin");
              s.write(db);
              expect(listed()).toEqual(freshList(db));
              db.exec("rollback");
            }
            if (s.kind === "savepoint") {
              db.exec("begin");
              s.kept(db);
              expect(listed()).toEqual(freshList(db));
              db.exec("savepoint undone");
              s.undone(db);
              expect(listed()).toEqual(freshList(db));
              db.exec("rollback to undone");
              db.exec("release undone");
              expect(listed()).toEqual(freshList(db));
              db.exec("commit");
            }
            expect(listed()).toEqual(freshList(db));
          }
        }),
        { numRuns: 400 },
      );
    } finally {
      other.close();
      shell.close();
      t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
