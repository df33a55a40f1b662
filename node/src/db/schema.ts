import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

const createdAt = () =>
  text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`);

export const territories = sqliteTable("territories", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  country: text("country").notNull(),
  region: text("region"),
  localityType: text("locality_type", { enum: ["urban", "peri-urban", "rural", "mixed"] }),
  languages: text("languages", { mode: "json" }).$type<string[]>().notNull(),
  description: text("description"),
  population: integer("population"),
  latitude: real("latitude"),
  longitude: real("longitude"),
  gridId: text("grid_id").notNull(),
  gridVersion: text("grid_version").notNull(),
  createdAt: createdAt(),
  updatedAt: text("updated_at"),
});

/** The extensible controlled list of homogeneous-group categories. */
export const groupCategories = sqliteTable("group_categories", {
  code: text("code").primaryKey(),
  labelEn: text("label_en").notNull(),
  labelFr: text("label_fr").notNull(),
  builtin: integer("builtin", { mode: "boolean" }).notNull().default(false),
});

export const groups = sqliteTable(
  "groups",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    territoryId: integer("territory_id")
      .notNull()
      .references(() => territories.id, { onDelete: "cascade" }),
    label: text("label").notNull(),
    category: text("category")
      .notNull()
      .references(() => groupCategories.code),
    sessionDates: text("session_dates", { mode: "json" }).$type<string[]>().notNull(),
    /** The first session date: decides which period the group belongs to. */
    firstSession: text("first_session").notNull(),
    participants: integer("participants").notNull(),
    cycle: integer("cycle").notNull(),
    marginsGender: text("margins_gender", { mode: "json" }).$type<Record<string, number>>(),
    marginsAge: text("margins_age", { mode: "json" }).$type<Record<string, number>>(),
    notes: text("notes"),
    createdAt: createdAt(),
    updatedAt: text("updated_at"),
  },
  (t) => [
    index("groups_territory_session").on(t.territoryId, t.firstSession),
    check("groups_participants_positive", sql`${t.participants} > 0`),
    check("groups_cycle_range", sql`${t.cycle} between 0 and 3`),
  ],
);

export const criteria = sqliteTable(
  "criteria",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    groupId: integer("group_id")
      .notNull()
      .references(() => groups.id, { onDelete: "cascade" }),
    question: text("question", { enum: ["Q1", "Q2", "Q3", "Q4"] }).notNull(),
    text: text("text").notNull(),
    language: text("language"),
    /** Canonical SPIRAL code; component and dimension are its roll-up, kept for GROUP BY. */
    code: text("code"),
    component: text("component"),
    dimension: text("dimension"),
    status: text("status", { enum: ["unclassified", "proposed", "validated"] })
      .notNull()
      .default("unclassified"),
    classifiedBy: text("classified_by"),
    classifiedAt: text("classified_at"),
    createdAt: createdAt(),
    updatedAt: text("updated_at"),
  },
  (t) => [
    // One index serves both per-group listing and the synthesis GROUP BY (fewer indexes, faster imports).
    index("criteria_group_status").on(t.groupId, t.status, t.question, t.component),
    check(
      "criteria_code_matches_status",
      sql`(${t.status} = 'unclassified') = (${t.code} is null)`,
    ),
  ],
);

/** Every version of a synthesis this node published, payload verbatim. */
export const synthesisVersions = sqliteTable(
  "synthesis_versions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    uuid: text("uuid").notNull().unique(),
    territoryId: integer("territory_id")
      .notNull()
      .references(() => territories.id, { onDelete: "cascade" }),
    periodKey: text("period_key").notNull(),
    version: integer("version").notNull(),
    participants: integer("participants").notNull(),
    payload: text("payload").notNull(),
    hash: text("hash").notNull(),
    publishedBy: text("published_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("synthesis_versions_period_version").on(t.territoryId, t.periodKey, t.version),
  ],
);

/** Small node-wide settings (e.g. the hash of the admin API token). */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

/** Who changed what, for facilitators to review. */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: createdAt(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    subject: text("subject").notNull(),
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>(),
  },
  (t) => [index("audit_log_at").on(t.at)],
);
