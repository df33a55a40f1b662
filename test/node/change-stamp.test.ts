import { changeStamp } from "@spiral-network/node/db/change-stamp";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";

// A stamp of chosen columns must still change when a row goes: a row replaced away by an update
// of a unique key (UPDATE OR REPLACE) is deleted without its DELETE trigger firing.
describe("changeStamp of chosen columns", () => {
  const open = () => {
    const db = new Database(":memory:");
    db.exec(`create table following (id integer primary key, actor text not null, target text not null,
      state text not null, pulled_at text);
      create unique index following_actor_target on following (actor, target);
      insert into following (actor, target, state) values ('a', 't', 'accepted'), ('b', 't', 'pending');`);
    return db;
  };
  // The unique key (actor, target), the id, the rowid by each of its names: each rewritten onto
  // the other row's, which is deleted without a DELETE trigger.
  it.each(["actor = 'a'", "id = 1", "rowid = 1", "oid = 1", "_rowid_ = 1"])(
    "changes when an update (set %s) replaces a row away",
    (assignment) => {
      const db = open();
      const stamp = changeStamp(db, "following", ["target", "state"]);
      const before = stamp();
      db.exec(`update or replace following set ${assignment} where actor = 'b'`);
      expect(db.prepare("select state from following").pluck().all()).toEqual(["pending"]);
      expect(stamp()).not.toBe(before);
      db.close();
    },
  );
  it("keeps its stamp on an update of another column", () => {
    const db = open();
    const stamp = changeStamp(db, "following", ["target", "state"]);
    const before = stamp();
    db.exec("update following set pulled_at = 'now'");
    expect(stamp()).toBe(before);
    db.close();
  });
});

// Two stamps of one table on one connection (two services, say) with other columns: each must
// change on an update of its own columns, whichever was defined first.
describe("two changeStamps of one table with other columns", () => {
  it("each changes on an update of its columns", () => {
    const db = new Database(":memory:");
    db.exec("create table notes (id integer primary key, body text, seen_at text)");
    db.exec("insert into notes (body) values ('a')");
    changeStamp(db, "notes", ["body"]);
    const seen = changeStamp(db, "notes", ["seen_at"]);
    const before = seen();
    db.exec("update notes set seen_at = 'now'");
    expect(seen()).not.toBe(before);
    db.close();
  });
});

// Trigger names are made of the table's name and its columns': two tables' triggers must never
// share a name (the second would not be created), whatever the names.
describe("changeStamps of tables whose names run into each other's trigger names", () => {
  it("each counts its own table's writes", () => {
    const db = new Database(":memory:");
    db.exec(`create table a (x_inserted text primary key) without rowid;
      create table a_updated_x (id integer primary key)`);
    changeStamp(db, "a", ["x_inserted"]);
    const other = changeStamp(db, "a_updated_x");
    const before = other();
    db.exec("insert into a_updated_x (id) values (1)");
    expect(other()).not.toBe(before);
    db.close();
  });
});
