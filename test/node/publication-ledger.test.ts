import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStorage } from "@spiral-network/node/db/open";
import { publishedGroups } from "@spiral-network/node/db/schema";
import { createNode } from "@spiral-network/node/node";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addValidatedCriteria, createGroup, T, TESTVILLE, useTestvilleNode } from "./helpers";

const PERIOD = { start: "2026-01-01", end: "2026-06-14" };

describe("the publication ledger", () => {
  const t = useTestvilleNode();

  const group = async (participants: number, category = "parents", date = "2026-02-01") => {
    const id = await createGroup(t.admin, {
      label: `group ${participants}`,
      category,
      participants,
      sessionDates: [date],
      margins: { gender: { female: participants } },
    });
    await addValidatedCriteria(t.admin, id, [{ question: "Q1", text: `c${id}`, code: "A01" }]);
    return id;
  };
  const ledger = () => t.node.storage.db.select().from(publishedGroups).all();

  it("records each group behind each cell as it was published, and keeps it when the group changes", async () => {
    const parents = await group(12);
    const farmers = await group(3, "farmers");
    const v1 = await t.admin.post(`${T}/syntheses`, { period: PERIOD });
    expect(v1.status).toBe(201);
    const versionId = t.services.syntheses.list(TESTVILLE.slug)[0]?.id;
    const recorded = [
      {
        versionId,
        groupId: parents,
        participants: 12,
        category: "parents",
        cell: "other",
        marginsGender: { female: 12 },
        marginsAge: null,
      },
      {
        versionId,
        groupId: farmers,
        participants: 3,
        category: "farmers",
        cell: "other",
        marginsGender: { female: 3 },
        marginsAge: null,
      },
    ];
    // "farmers" (3) is pooled, and "parents" folded into "other" with it.
    expect(v1.body.payload.categories.map((c: { category: string }) => c.category)).toEqual([
      "other",
    ]);
    expect(ledger()).toEqual(recorded);

    await t.admin.patch(`${T}/groups/${parents}`, { participants: 14 });
    await t.admin.delete(`${T}/groups/${farmers}`);
    expect(ledger()).toEqual(recorded);
  });

  it("never leaves the node: no group id in what the API serves", async () => {
    const id = await group(12);
    const published = await t.admin.post(`${T}/syntheses`, { period: PERIOD });
    const served = [
      published.text,
      (await t.anonymous.get(`${T}/syntheses`)).text,
      (await t.anonymous.get(`${T}/syntheses/${published.body.id}`)).text,
      (await t.admin.get(`${T}/synthesis?start=${PERIOD.start}&end=${PERIOD.end}`)).text,
    ].join("\n");
    expect(ledger()).toHaveLength(1);
    expect(served).not.toMatch(/groupId|published_groups|ledger/);
    expect(served).not.toContain(`"id":${id}`);
  });

  it("keeps withdrawn versions: what they showed still counts", async () => {
    await group(10);
    await group(2, "farmers", "2026-05-20");
    const year = await t.admin.post(`${T}/syntheses`, { period: PERIOD });
    expect(year.status).toBe(201);
    t.services.syntheses.withdraw(TESTVILLE.slug, year.body.synthesisId, "test");

    const spring = await t.admin.post(`${T}/syntheses`, {
      period: { start: "2026-01-01", end: "2026-04-30" },
    });
    expect(spring.status).toBe(409);
    expect(spring.body.reasons).toEqual([
      "comparing with version 1 of 2026-01-01/2026-06-14 would isolate 2 participant(s), fewer than k = 5",
    ]);
  });
});

describe("the publication ledger migration", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ledger-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A database file as it was before the ledger (migrations up to the one before it), then `sql`. */
  const databaseBeforeLedger = (sql: string): string => {
    const migrations = join(dir, "drizzle");
    cpSync(new URL("../../node/drizzle", import.meta.url), migrations, { recursive: true });
    const journalFile = join(migrations, "meta", "_journal.json");
    const journal = JSON.parse(readFileSync(journalFile, "utf8"));
    journal.entries = journal.entries.filter(
      (e: { tag: string }) => e.tag < "0004_publication_ledger",
    );
    writeFileSync(journalFile, JSON.stringify(journal));
    const file = join(dir, "node.db");
    const sqlite = new Database(file);
    migrate(drizzle(sqlite), { migrationsFolder: migrations });
    sqlite.exec(sql);
    sqlite.close();
    return file;
  };
  /** The ledger rows of `file`, opened (and so migrated) as the node opens its database. */
  const ledgerOf = (file: string) => {
    const storage = openStorage(file);
    try {
      return storage.db.select().from(publishedGroups).all();
    } finally {
      storage.close();
    }
  };

  it("backfills versions published before the ledger from the groups of their period", () => {
    const file = databaseBeforeLedger(`
      insert into territories (id, slug, name, country, languages, grid_id, grid_version)
        values (1, 'testville', 'Testville', 'FR', '["fr"]', 'spiral-9d', '1');
      insert into group_categories (code, label_en, label_fr)
        values ('parents', 'Parents', 'Parents'), ('farmers', 'Farmers', 'Agriculteurs');
      insert into groups (id, territory_id, label, category, session_dates, first_session, participants, cycle)
        values (1, 1, 'a', 'parents', '["2026-02-01"]', '2026-02-01', 12, 1),
               (2, 1, 'b', 'farmers', '["2026-03-01"]', '2026-03-01', 6, 2),
               (3, 1, 'c', 'farmers', '["2025-03-01"]', '2025-03-01', 9, 1),
               (4, 1, 'd', 'parents', '["2026-03-02"]', '2026-03-02', 4, 1);
      insert into criteria (group_id, question, text, code, component, dimension, status)
        values (1, 'Q1', 'x', 'A01', 'A01', 'A', 'validated'),
               (2, 'Q1', 'y', 'A01', 'A01', 'A', 'validated'),
               (3, 'Q1', 'z', 'A01', 'A01', 'A', 'validated'),
               (4, 'Q1', 'w', 'A01', 'A01', 'A', 'proposed');
      insert into syntheses (uuid, territory_id, period_key) values ('s1', 1, '2026-01-01/2026-06-14'),
        ('s2', 1, '2026-01-01/2026-06-14#cycle1');
      insert into synthesis_versions (uuid, synthesis_uuid, territory_id, period_key, version, participants, payload, hash, published_by)
        values ('v1', 's1', 1, '2026-01-01/2026-06-14', 1, 18,
                '{"categories":[{"category":"parents"},{"category":"farmers"}]}', 'h1', 'x'),
               ('v2', 's2', 1, '2026-01-01/2026-06-14#cycle1', 1, 12, '{}', 'h2', 'x');
    `);

    const rows = ledgerOf(file);
    expect(rows.map((r) => [r.versionId, r.groupId, r.participants, r.cell])).toEqual([
      [1, 1, 12, "parents"],
      [1, 2, 6, "farmers"],
      [2, 1, 12, null],
    ]);
  });
  it("does not put behind a version a group created after it was published", () => {
    // Version 1 (February) had group 1 only; group 2 was formed in March and version 2 added it.
    // Backfilled alike, the two versions would hide that version 2 − version 1 is group 2.
    const file = databaseBeforeLedger(`
      insert into territories (id, slug, name, country, languages, grid_id, grid_version)
        values (1, 'testville', 'Testville', 'FR', '["fr"]', 'spiral-9d', '1');
      insert into group_categories (code, label_en, label_fr) values ('parents', 'Parents', 'Parents');
      insert into groups (id, territory_id, label, category, session_dates, first_session, participants, cycle, created_at)
        values (1, 1, 'a', 'parents', '["2026-02-01"]', '2026-02-01', 12, 1, '2026-02-01T09:00:00.000Z'),
               (2, 1, 'b', 'parents', '["2026-03-01"]', '2026-03-01', 6, 1, '2026-03-01T09:00:00.000Z');
      insert into criteria (group_id, question, text, code, component, dimension, status)
        values (1, 'Q1', 'x', 'A01', 'A01', 'A', 'validated'),
               (2, 'Q1', 'y', 'A01', 'A01', 'A', 'validated');
      insert into syntheses (uuid, territory_id, period_key) values ('s1', 1, '2026-01-01/2026-06-14');
      insert into synthesis_versions (uuid, synthesis_uuid, territory_id, period_key, version, participants, payload, hash, published_by, created_at)
        values ('v1', 's1', 1, '2026-01-01/2026-06-14', 1, 12, '{}', 'h1', 'x', '2026-02-15T10:00:00.000Z'),
               ('v2', 's1', 1, '2026-01-01/2026-06-14', 2, 18, '{}', 'h2', 'x', '2026-03-20T10:00:00.000Z');
    `);

    const rows = ledgerOf(file);
    expect(rows.map((r) => [r.versionId, r.groupId])).toEqual([
      [1, 1],
      [2, 1],
      [2, 2],
    ]);
  });
  it("so a later range cannot isolate a small group that joined between two earlier versions", () => {
    // Before the upgrade: version 1 (February) = A (5) + B (3); C (5) joined in March and
    // version 2 = A + B + C. Both were public; version 2 − version 1 = C.
    const file = databaseBeforeLedger(`
      insert into territories (id, slug, name, country, languages, grid_id, grid_version)
        values (1, 'testville', 'Testville', 'FR', '["fr"]', 'spiral-9d', '2026.1-partial');
      insert into group_categories (code, label_en, label_fr) values ('parents', 'Parents', 'Parents');
      insert into groups (id, territory_id, label, category, session_dates, first_session, participants, cycle, created_at)
        values (1, 1, 'A', 'parents', '["2026-02-01"]', '2026-02-01', 5, 1, '2026-02-01T09:00:00.000Z'),
               (2, 1, 'B', 'parents', '["2026-02-03"]', '2026-02-03', 3, 1, '2026-02-03T09:00:00.000Z'),
               (3, 1, 'C', 'parents', '["2026-03-01"]', '2026-03-01', 5, 1, '2026-03-01T09:00:00.000Z');
      insert into criteria (group_id, question, text, code, component, dimension, status)
        values (1, 'Q1', 'x', 'A01', 'A01', 'A', 'validated'),
               (2, 'Q1', 'y', 'A02', 'A02', 'A', 'validated'),
               (3, 'Q1', 'z', 'A03', 'A03', 'A', 'validated');
      insert into syntheses (uuid, territory_id, period_key) values ('s1', 1, '2026-01-01/2026-06-14');
      insert into synthesis_versions (uuid, synthesis_uuid, territory_id, period_key, version, participants, payload, hash, published_by, created_at)
        values ('v1', 's1', 1, '2026-01-01/2026-06-14', 1, 8, '{}', 'h1', 'x', '2026-02-15T10:00:00.000Z'),
               ('v2', 's1', 1, '2026-01-01/2026-06-14', 2, 13, '{}', 'h2', 'x', '2026-03-20T10:00:00.000Z');
    `);

    const node = createNode({
      databaseFile: file,
      publicUrl: "http://node.test",
      logger: { error: () => {}, info: () => {}, warn: () => {} },
      now: () => new Date("2026-06-20T10:00:00.000Z"),
    });
    try {
      // From 2 February: B + C (8). Minus (version 2 − version 1 = C) it would be B, 3 participants.
      const range = { start: "2026-02-02", end: "2026-06-14" };
      const preview = node.services.syntheses.preview("testville", range);
      expect(preview.publishable).toBe(false);
      expect(preview.blockers.join(" ")).toMatch(/would isolate 3 participant\(s\)/);
    } finally {
      node.close();
    }
  });
});
