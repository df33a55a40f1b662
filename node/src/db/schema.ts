import type { MeetingPayload, ProgressPayload, SynthesisPayload } from "@spiral-network/protocol";
import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

/**
 * An ActivityPub activity kept verbatim as JSON-LD (integrity proof intact, no LD signature): it
 * is re-verified and re-served as received, so it stays a plain JSON object, never a parsed shape.
 */
export type ActivityJson = { [key: string]: unknown };

/** What an audit entry adds to its action and subject (JSON values only). */
export type AuditDetail = { [key: string]: unknown };

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
  /** Links shown on the territory's actor (its website, partners). */
  links: text("links", { mode: "json" }).$type<Array<{ label: string; url: string }>>(),
  population: integer("population"),
  latitude: real("latitude"),
  longitude: real("longitude"),
  gridId: text("grid_id").notNull(),
  gridVersion: text("grid_version").notNull(),
  /** Follow requests wait for a facilitator's approval instead of being accepted at once. */
  manualApproval: integer("manual_approval", { mode: "boolean" }).notNull().default(false),
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

/**
 * A published synthesis: one per territory and period, the ActivityPub `Article` whose versions
 * go out as Create then Update, and whose withdrawal goes out as Delete.
 */
export const syntheses = sqliteTable(
  "syntheses",
  {
    uuid: text("uuid").primaryKey(),
    territoryId: integer("territory_id")
      .notNull()
      .references(() => territories.id, { onDelete: "cascade" }),
    periodKey: text("period_key").notNull(),
    withdrawnAt: text("withdrawn_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("syntheses_territory_period").on(t.territoryId, t.periodKey)],
);

/** Every version of a synthesis this node published, payload verbatim. */
export const synthesisVersions = sqliteTable(
  "synthesis_versions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    uuid: text("uuid").notNull().unique(),
    synthesisUuid: text("synthesis_uuid")
      .notNull()
      .references(() => syntheses.uuid, { onDelete: "cascade" }),
    territoryId: integer("territory_id")
      .notNull()
      .references(() => territories.id, { onDelete: "cascade" }),
    periodKey: text("period_key").notNull(),
    version: integer("version").notNull(),
    participants: integer("participants").notNull(),
    payload: text("payload").notNull(),
    hash: text("hash").notNull(),
    publishedBy: text("published_by").notNull(),
    /**
     * When the synthesis was withdrawn while this was a published version: it never becomes
     * public again, even if a later version is published (see docs/protocol.md §6, "Withdrawal unpublishes").
     */
    withdrawnAt: text("withdrawn_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("synthesis_versions_period_version").on(t.territoryId, t.periodKey, t.version),
  ],
);

/**
 * The publication ledger: for every version this node published (any period, corrections and
 * withdrawn ones included), the groups behind its public cells as they were then — participants,
 * category, margins and the category cell (`other` included; null without breakdown) each was
 * counted in. The atom rule checks every draft against it (docs/protocol.md §4). It never leaves
 * the node. `group_id` has no foreign key: a deleted group stays in what was published.
 */
export const publishedGroups = sqliteTable(
  "published_groups",
  {
    versionId: integer("version_id")
      .notNull()
      .references(() => synthesisVersions.id, { onDelete: "cascade" }),
    groupId: integer("group_id").notNull(),
    participants: integer("participants").notNull(),
    category: text("category").notNull(),
    cell: text("cell"),
    marginsGender: text("margins_gender", { mode: "json" }).$type<Record<string, number>>(),
    marginsAge: text("margins_age", { mode: "json" }).$type<Record<string, number>>(),
  },
  (t) => [primaryKey({ columns: [t.versionId, t.groupId] })],
);

/** Key pairs of the actors this node hosts, as JWK, created once: [RSA, Ed25519] (order is fixed). */
export const actorKeys = sqliteTable("actor_keys", {
  identifier: text("identifier").primaryKey(),
  rsaPublic: text("rsa_public", { mode: "json" }).$type<JsonWebKey>().notNull(),
  rsaPrivate: text("rsa_private", { mode: "json" }).$type<JsonWebKey>().notNull(),
  ed25519Public: text("ed25519_public", { mode: "json" }).$type<JsonWebKey>().notNull(),
  ed25519Private: text("ed25519_private", { mode: "json" }).$type<JsonWebKey>().notNull(),
  createdAt: createdAt(),
});

/**
 * The outbox: every activity this node sends, written in the same transaction as the change it
 * announces, signed and delivered after commit. Its JSON is what /activities/{uuid} serves.
 */
export const outboxActivities = sqliteTable(
  "outbox_activities",
  {
    uuid: text("uuid").primaryKey(),
    actor: text("actor").notNull(),
    type: text("type", {
      enum: ["Create", "Update", "Delete", "Follow", "Accept", "Reject", "Undo", "Announce"],
    }).notNull(),
    /** The id of the object the activity is about (Article URL, Follow id, …). */
    objectId: text("object_id").notNull(),
    synthesisUuid: text("synthesis_uuid").references(() => syntheses.uuid, {
      onDelete: "set null",
    }),
    synthesisVersionId: integer("synthesis_version_id").references(() => synthesisVersions.id, {
      onDelete: "set null",
    }),
    meetingUuid: text("meeting_uuid"),
    /** A progress version (Create/Update of a campaign's progress Article). */
    progressVersionId: integer("progress_version_id").references(() => progressVersions.id, {
      onDelete: "set null",
    }),
    /** The meeting as it was when this activity was recorded (Create/Update). */
    meetingPayload: text("meeting_payload", { mode: "json" }).$type<MeetingPayload>(),
    /** Actor URLs to deliver to; null = the actor's accepted followers at send time. */
    recipients: text("recipients", { mode: "json" }).$type<string[]>(),
    /** The activity as sent (with its integrity proof, without the LD signature); null until prepared. */
    json: text("json", { mode: "json" }).$type<ActivityJson>(),
    createdAt: createdAt(),
    sentAt: text("sent_at"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
  },
  (t) => [
    index("outbox_pending").on(t.sentAt, t.createdAt),
    index("outbox_synthesis").on(t.synthesisUuid, t.createdAt),
  ],
);

/**
 * Whether a followed actor or a follower answers: every failed contact (a delivery to its inbox,
 * an anti-entropy pull, a look-up) counts in `failures` and leaves its reason; after a few in a
 * row, or one permanent failure, the peer is unreachable since `unreachable_since`. The next
 * contact that succeeds clears them all.
 */
const reachability = () => ({
  failures: integer("failures").notNull().default(0),
  lastError: text("last_error"),
  lastErrorAt: text("last_error_at"),
  unreachableSince: text("unreachable_since"),
});

/** Actors a local actor follows (outgoing follows) and where each request stands. */
export const following = sqliteTable(
  "following",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    actor: text("actor").notNull(),
    target: text("target").notNull(),
    targetInbox: text("target_inbox").notNull(),
    targetSharedInbox: text("target_shared_inbox"),
    targetHandle: text("target_handle"),
    targetName: text("target_name"),
    targetType: text("target_type"),
    followActivityId: text("follow_activity_id").notNull(),
    state: text("state", { enum: ["pending", "accepted", "rejected"] }).notNull(),
    lastPulledAt: text("last_pulled_at"),
    ...reachability(),
    createdAt: createdAt(),
    updatedAt: text("updated_at"),
  },
  (t) => [uniqueIndex("following_actor_target").on(t.actor, t.target)],
);

/** Remote actors that follow a local actor (incoming follows). */
export const followers = sqliteTable(
  "followers",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    actor: text("actor").notNull(),
    follower: text("follower").notNull(),
    inbox: text("inbox").notNull(),
    sharedInbox: text("shared_inbox"),
    handle: text("handle"),
    name: text("name"),
    followActivityId: text("follow_activity_id").notNull(),
    state: text("state", { enum: ["pending", "accepted"] }).notNull(),
    /**
     * Whether the follower is a SPIRAL node's actor (it serves a known-syntheses stream): a
     * sub-network sends those the whole original activity, others (Mastodon) the object's URI.
     */
    spiral: integer("spiral", { mode: "boolean" }).notNull().default(false),
    ...reachability(),
    createdAt: createdAt(),
    updatedAt: text("updated_at"),
  },
  (t) => [uniqueIndex("followers_actor_follower").on(t.actor, t.follower)],
);

/**
 * Syntheses received from other territories: for each origin and period the latest accepted
 * version, with the activity stored verbatim (integrity proof intact, no LD signature) so it
 * can be served to peers and re-verified.
 */
export const receivedSyntheses = sqliteTable(
  "received_syntheses",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    origin: text("origin").notNull(),
    periodKey: text("period_key").notNull(),
    objectId: text("object_id").notNull(),
    version: integer("version").notNull(),
    hash: text("hash").notNull(),
    payload: text("payload", { mode: "json" }).$type<SynthesisPayload>().notNull(),
    activity: text("activity", { mode: "json" }).$type<ActivityJson>().notNull(),
    /** The relay (a node or sub-network) it came through; null when delivered by its origin. */
    via: text("via"),
    /** Set when a different content arrived under the same version: excluded until a newer version. */
    conflictedAt: text("conflicted_at"),
    conflictingHash: text("conflicting_hash"),
    /** The activity behind `conflictingHash`, served to peers so they see the conflict too. */
    conflictingActivity: text("conflicting_activity", { mode: "json" }).$type<ActivityJson>(),
    withdrawnAt: text("withdrawn_at"),
    /**
     * The origin's Delete that withdrew it, as received (integrity proof intact, no `signature`):
     * served to peers as a tombstone so a node that missed the Delete still converges.
     */
    withdrawal: text("withdrawal", { mode: "json" }).$type<ActivityJson>(),
    receivedAt: text("received_at").notNull(),
  },
  (t) => [
    uniqueIndex("received_origin_period").on(t.origin, t.periodKey),
    index("received_object").on(t.objectId),
  ],
);

/**
 * The group categories each public synthesis uses: one row per category code (builtins included)
 * of a received synthesis or an own published version that is not withdrawn. Kept by triggers on
 * those two tables (migration 0016), so every write path keeps it, whichever connection writes; a
 * row deleted, by a cascade or by a REPLACE, takes its uses with it through the foreign key, and a
 * row inserted drops any use left under its id (a connection without foreign keys). The public
 * category list asks it instead of scanning every payload (docs/architecture.md, "Public
 * category list").
 */
export const publicCategoryUses = sqliteTable(
  "public_category_uses",
  {
    code: text("code").notNull(),
    receivedId: integer("received_id").references(() => receivedSyntheses.id, {
      onDelete: "cascade",
      onUpdate: "cascade",
    }),
    versionId: integer("version_id").references(() => synthesisVersions.id, {
      onDelete: "cascade",
      onUpdate: "cascade",
    }),
  },
  (t) => [
    index("public_category_uses_code").on(t.code),
    index("public_category_uses_received").on(t.receivedId),
    index("public_category_uses_version").on(t.versionId),
  ],
);

/**
 * Withdrawals (Delete of an Article) received from an origin, newest per object, kept whether or
 * not the synthesis has arrived yet: a Create/Update of that object published before the Delete,
 * delivered or pulled later, is stored as withdrawn instead of bringing the synthesis back.
 */
export const receivedWithdrawals = sqliteTable(
  "received_withdrawals",
  {
    origin: text("origin").notNull(),
    objectId: text("object_id").notNull(),
    /** When the origin made the Delete (its `published`, else when it arrived). */
    published: text("published").notNull(),
    /** The Delete as received, when its integrity proof verified (no `signature`). */
    activity: text("activity", { mode: "json" }).$type<ActivityJson>(),
    receivedAt: text("received_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.origin, t.objectId] })],
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
    detail: text("detail", { mode: "json" }).$type<AuditDetail>(),
  },
  (t) => [index("audit_log_at").on(t.at)],
);

/**
 * The aggregation state (docs/protocol.md §10): for each origin territory and period, the entry that counts —
 * the latest version held (own publications included), whether it is conflicted (several contents
 * under that version) or withdrawn, and the facts filters need. Kept in step with received and
 * published syntheses, inside the same transactions.
 */
export const aggregateEntries = sqliteTable(
  "aggregate_entries",
  {
    origin: text("origin").notNull(),
    periodKey: text("period_key").notNull(),
    periodStart: text("period_start").notNull(),
    periodEnd: text("period_end").notNull(),
    version: integer("version").notNull(),
    /** The content hash of the version (the smallest one when conflicted, so every node agrees). */
    hash: text("hash").notNull(),
    /** Every content hash held under that version, sorted; more than one = conflicted. */
    hashes: text("hashes", { mode: "json" }).$type<string[]>().notNull(),
    conflicted: integer("conflicted", { mode: "boolean" }).notNull(),
    withdrawn: integer("withdrawn", { mode: "boolean" }).notNull(),
    /** Whether this is one of this node's own territories. */
    local: integer("local", { mode: "boolean" }).notNull(),
    /** The relay it came through, if any (for the "endorsed" trust scope). */
    via: text("via"),
    /**
     * Whether the entry is in the node's "endorsed" trust scope (own territory, followed, or
     * relayed by a followed actor) as last reconciled with the follows: which partition of
     * `aggregate_cells`/`aggregate_people` it is counted in.
     */
    endorsed: integer("endorsed", { mode: "boolean" }).notNull().default(false),
    /** The group categories the payload publishes a breakdown for (for the category filter). */
    categories: text("categories", { mode: "json" }).$type<string[]>().notNull().default([]),
    name: text("name").notNull(),
    country: text("country").notNull(),
    region: text("region").notNull(),
    gridId: text("grid_id").notNull(),
    gridVersion: text("grid_version").notNull(),
    participants: integer("participants").notNull(),
    groups: integer("groups").notNull(),
    criteria: integer("criteria").notNull(),
    /** The payload that is (or would be) counted, for exclusions and recomputation. */
    payload: text("payload", { mode: "json" }).$type<SynthesisPayload>().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.origin, t.periodKey] }),
    index("aggregate_entries_place").on(t.country, t.region),
  ],
);

/** Where an aggregate row counts: level, place, category, grid and period (shared by both tables). */
const aggregateScopeColumns = () => ({
  level: text("level", { enum: ["world", "country", "region"] }).notNull(),
  country: text("country").notNull(),
  region: text("region").notNull(),
  category: text("category").notNull(),
  gridId: text("grid_id").notNull(),
  gridVersion: text("grid_version").notNull(),
  periodKey: text("period_key").notNull(),
  periodStart: text("period_start").notNull(),
  periodEnd: text("period_end").notNull(),
  /** The trust partition: entries in the node's endorsed scope (1) or not (0). */
  endorsed: integer("endorsed", { mode: "boolean" }).notNull().default(false),
});

/**
 * Incremental totals: counts of the entries that count (not conflicted, not withdrawn), in two
 * partitions (endorsed or not, so the endorsed scope is its own cells), rolled up
 * at three levels so any filter reads few rows: level "world" (country = region = ""), "country"
 * (region = "") and "region". `category` is "" for territory totals, otherwise a published group
 * category (incl. the pooled "other").
 */
export const aggregateCells = sqliteTable(
  "aggregate_cells",
  {
    ...aggregateScopeColumns(),
    question: text("question").notNull(),
    component: text("component").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [
    primaryKey({
      columns: [
        t.level,
        t.country,
        t.region,
        t.category,
        t.gridId,
        t.gridVersion,
        t.periodKey,
        t.endorsed,
        t.question,
        t.component,
      ],
    }),
    // Cells that fall back to zero are deleted after each replacement: found through this index.
    index("aggregate_cells_zero").on(t.count).where(sql`${t.count} = 0`),
  ],
);

/** Participants, groups and territories behind the cells, at the same levels. */
export const aggregatePeople = sqliteTable(
  "aggregate_people",
  {
    ...aggregateScopeColumns(),
    participants: integer("participants").notNull(),
    groups: integer("groups").notNull(),
    territories: integer("territories").notNull(),
    /**
     * The multiset hash (64 hex digits, docs/protocol.md §10) of the versions counted in this
     * row: fingerprints of a filter are sums of these, kept up to date one version at a time.
     */
    fingerprint: text("fingerprint").notNull().default(""),
  },
  (t) => [
    primaryKey({
      columns: [
        t.level,
        t.country,
        t.region,
        t.category,
        t.gridId,
        t.gridVersion,
        t.periodKey,
        t.endorsed,
      ],
    }),
    index("aggregate_people_empty").on(t.territories).where(sql`${t.territories} = 0`),
  ],
);

/** Meetings a local territory announces (the ActivityPub `Event` at /meetings/{uuid}). */
export const meetings = sqliteTable(
  "meetings",
  {
    uuid: text("uuid").primaryKey(),
    territoryId: integer("territory_id")
      .notNull()
      .references(() => territories.id, { onDelete: "cascade" }),
    /** The current `spiral/meeting@1` payload (what the Event's source carries). */
    payload: text("payload", { mode: "json" }).$type<MeetingPayload>().notNull(),
    startUtc: text("start_utc").notNull(),
    endUtc: text("end_utc").notNull(),
    sequence: integer("sequence").notNull(),
    deletedAt: text("deleted_at"),
    createdAt: createdAt(),
    updatedAt: text("updated_at"),
  },
  (t) => [index("meetings_territory_start").on(t.territoryId, t.startUtc)],
);

/** Meetings received from other territories: the latest state of each Event, verified. */
export const receivedMeetings = sqliteTable(
  "received_meetings",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    origin: text("origin").notNull(),
    objectId: text("object_id").notNull().unique(),
    payload: text("payload", { mode: "json" }).$type<MeetingPayload>().notNull(),
    activity: text("activity", { mode: "json" }).$type<ActivityJson>().notNull(),
    sequence: integer("sequence").notNull(),
    startUtc: text("start_utc").notNull(),
    endUtc: text("end_utc").notNull(),
    country: text("country").notNull(),
    kind: text("kind").notNull(),
    via: text("via"),
    deletedAt: text("deleted_at"),
    receivedAt: text("received_at").notNull(),
  },
  (t) => [index("received_meetings_start").on(t.startUtc)],
);

/**
 * People who sign in to the facilitator workspace (/admin). Emails are stored lower-cased; the
 * password hash is self-describing: `scrypt$N$r$p$salt$hash` (base64url), per-user salt.
 */
export const users = sqliteTable("users", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  role: text("role", { enum: ["admin", "facilitator", "viewer"] }).notNull(),
  passwordHash: text("password_hash").notNull(),
  disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
  createdAt: createdAt(),
  updatedAt: text("updated_at"),
});

/**
 * Browser sessions of the workspace. The id is the SHA-256 (hex) of the cookie value, so a copy of
 * the database does not hold usable sessions; expiry slides forward as the session is used.
 */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The CSRF token every form of this session carries. */
    csrfToken: text("csrf_token").notNull(),
    createdAt: createdAt(),
    expiresAt: text("expires_at").notNull(),
    lastSeenAt: text("last_seen_at").notNull(),
  },
  (t) => [index("sessions_user").on(t.userId), index("sessions_expires").on(t.expiresAt)],
);

/**
 * Personal API tokens (docs/running-a-node.md, "API tokens"). Only the SHA-256 of the token is
 * stored; a request made with one acts as its account, with the account's current role.
 */
export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** SHA-256 (hex) of the token. */
    hash: text("hash").notNull().unique(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    label: text("label").notNull(),
    createdAt: createdAt(),
    lastUsedAt: text("last_used_at"),
    revokedAt: text("revoked_at"),
  },
  (t) => [index("api_tokens_user").on(t.userId)],
);

/** What a sub-network is about: syntheses touching it are relayed (every set empty = all). */
export interface SubnetworkTheme {
  /** Grid dimensions (one letter, e.g. "A"). */
  dimensions: string[];
  /** Grid components (e.g. "A05"). */
  components: string[];
  /** Group categories (e.g. "young-people"). */
  categories: string[];
}

/**
 * Sub-networks this node hosts: thematic `Group` actors (FEP-1b12) at /actors/{slug}, in the same
 * URL space as territories. Members are the group's followers (the `followers` table, actor =
 * slug); their syntheses and meetings addressed to the group are re-announced to every member.
 */
export const subnetworks = sqliteTable("subnetworks", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  description: text("description"),
  theme: text("theme", { mode: "json" }).$type<SubnetworkTheme>().notNull(),
  /** open: a Follow is accepted at once; approval: it waits for a moderator. */
  admission: text("admission", { enum: ["open", "approval"] })
    .notNull()
    .default("open"),
  /** Local users (ids) who may approve and remove members. */
  moderators: text("moderators", { mode: "json" }).$type<number[]>().notNull(),
  createdAt: createdAt(),
  updatedAt: text("updated_at"),
});

/**
 * Members a moderator removed from a sub-network: nothing of theirs is relayed any more, and a
 * new Follow from them waits for a moderator whatever the admission policy.
 */
export const subnetworkRemovals = sqliteTable(
  "subnetwork_removals",
  {
    subnetwork: text("subnetwork").notNull(),
    member: text("member").notNull(),
    removedBy: text("removed_by").notNull(),
    removedAt: text("removed_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
  },
  (t) => [primaryKey({ columns: [t.subnetwork, t.member] })],
);

/**
 * What a sub-network relayed: on the node hosting it, what it announced; on a member's node, what
 * arrived through it (verified against the origin's proof). Feeds and the "sub-network"
 * aggregate filter read it.
 */
export const subnetworkItems = sqliteTable(
  "subnetwork_items",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** The group's actor URL. */
    subnetwork: text("subnetwork").notNull(),
    origin: text("origin").notNull(),
    objectId: text("object_id").notNull(),
    kind: text("kind", { enum: ["synthesis", "meeting", "progress"] }).notNull(),
    /** For a synthesis: the period it covers (its aggregate entry is (origin, periodKey)). */
    periodKey: text("period_key"),
    /** The latest relayed activity about the object (Create or Update). */
    activityId: text("activity_id").notNull(),
    deletedAt: text("deleted_at"),
    relayedAt: text("relayed_at").notNull(),
  },
  (t) => [uniqueIndex("subnetwork_items_object").on(t.subnetwork, t.objectId)],
);

/**
 * Idempotency keys of the write API (docs/running-a-node.md, "The JSON API"): the first answer to a request sent
 * with an `Idempotency-Key`, replayed when the same request comes again; kept 24 hours. A row
 * without a status is a request in progress (`owner`: the node process that runs it).
 */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    /**
     * Who sent it (the API actor and a digest of its credential), so one caller's keys never
     * answer another's, nor a replaced admin token's.
     */
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    /** SHA-256 of the method, path, query and body: the same key with another request is refused. */
    fingerprint: text("fingerprint").notNull(),
    owner: text("owner").notNull(),
    status: integer("status"),
    contentType: text("content_type"),
    body: text("body"),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.scope, t.key] }),
    index("idempotency_keys_created").on(t.createdAt),
  ],
);

/**
 * Deleted criteria and groups, kept a few minutes so that a deletion can be undone (the
 * workspace's Undo notice), then purged. The rows have left their tables: nothing here is ever
 * counted in a synthesis or listed.
 */
export const deletedItems = sqliteTable(
  "deleted_items",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    territoryId: integer("territory_id")
      .notNull()
      .references(() => territories.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["criterion", "group"] }).notNull(),
    /** The group's label, or the criterion's text: what the notice names. */
    label: text("label").notNull(),
    groupId: integer("group_id").notNull(),
    /** The rows as they were (ids kept: autoincrement ids are never reused). */
    rows: text("rows", { mode: "json" })
      .$type<{ group?: Record<string, unknown>; criteria: Array<Record<string, unknown>> }>()
      .notNull(),
    deletedAt: text("deleted_at").notNull(),
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [index("deleted_items_expires").on(t.expiresAt)],
);

// ---------------------------------------------------------------------------------------------
// Paths of progress and self-survey campaigns (docs/facilitators-guide.md, "Paths of progress")
// ---------------------------------------------------------------------------------------------

/** One statement of a path version as kept locally: its public text and the criteria behind it. */
export interface LocalStatement {
  level: 1 | 2 | 3 | 4 | 5;
  passage: "P" | "O" | "Q" | "S" | null;
  /** Language tag → the territory's own public words about this situation. */
  text: Record<string, string>;
  /** Ids of the validated criteria it was drawn from (never published). */
  criteria: number[];
}

/** A path of progress: five situations on one component (or dimension) of the grid. */
export const progressPaths = sqliteTable("progress_paths", {
  uuid: text("uuid").primaryKey(),
  territoryId: integer("territory_id")
    .notNull()
    .references(() => territories.id, { onDelete: "cascade" }),
  /** A component (A01) or a dimension letter (A). */
  code: text("code").notNull(),
  createdAt: createdAt(),
});

/** Every version of a path; a campaign keeps the version it was started with. */
export const progressPathVersions = sqliteTable(
  "progress_path_versions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    pathUuid: text("path_uuid")
      .notNull()
      .references(() => progressPaths.uuid, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    statements: text("statements", { mode: "json" }).$type<LocalStatement[]>().notNull(),
    languages: text("languages", { mode: "json" }).$type<string[]>().notNull(),
    /** The facilitator confirmed the texts are the territory's own public words (not criteria). */
    confirmedPublic: integer("confirmed_public", { mode: "boolean" }).notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("progress_path_versions_version").on(t.pathUuid, t.version)],
);

/** A self-survey campaign: paths, a period, a cycle, ex-ante or ex-post. */
export const campaigns = sqliteTable(
  "campaigns",
  {
    uuid: text("uuid").primaryKey(),
    territoryId: integer("territory_id")
      .notNull()
      .references(() => territories.id, { onDelete: "cascade" }),
    label: text("label").notNull(),
    periodStart: text("period_start").notNull(),
    periodEnd: text("period_end").notNull(),
    cycle: integer("cycle").notNull(),
    phase: text("phase", { enum: ["ex-ante", "ex-post"] }).notNull(),
    /** Whether respondents may pick a group category for breakdowns. */
    askCategory: integer("ask_category", { mode: "boolean" }).notNull().default(false),
    closedAt: text("closed_at"),
    createdAt: createdAt(),
  },
  (t) => [
    index("campaigns_territory").on(t.territoryId),
    check("campaigns_cycle_range", sql`${t.cycle} between 0 and 3`),
  ],
);

/** The path versions a campaign asks about. */
export const campaignPaths = sqliteTable(
  "campaign_paths",
  {
    campaignUuid: text("campaign_uuid")
      .notNull()
      .references(() => campaigns.uuid, { onDelete: "cascade" }),
    pathVersionId: integer("path_version_id")
      .notNull()
      .references(() => progressPathVersions.id),
  },
  (t) => [primaryKey({ columns: [t.campaignUuid, t.pathVersionId] })],
);

/**
 * One-time codes: only their SHA-256 is kept, and nothing links a code to the response it was
 * used for (so no code sheet can tell who answered what).
 */
export const campaignCodes = sqliteTable(
  "campaign_codes",
  {
    hash: text("hash").primaryKey(),
    campaignUuid: text("campaign_uuid")
      .notNull()
      .references(() => campaigns.uuid, { onDelete: "cascade" }),
    used: integer("used", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [index("campaign_codes_campaign").on(t.campaignUuid)],
);

/**
 * A response: its category and the day only (no address, no time, no code); its id is random,
 * so not even the order of the answers is kept.
 */
export const surveyResponses = sqliteTable(
  "survey_responses",
  {
    // AUTOINCREMENT kept from the first schema; ids are given (random), never the next one.
    id: integer("id").primaryKey({ autoIncrement: true }),
    campaignUuid: text("campaign_uuid")
      .notNull()
      .references(() => campaigns.uuid, { onDelete: "cascade" }),
    category: text("category"),
    day: text("day").notNull(),
    source: text("source", { enum: ["online", "paper"] }).notNull(),
  },
  (t) => [index("survey_responses_campaign").on(t.campaignUuid, t.category)],
);

/** A response's answer on one path: a level 1–5, or null for "don't know". */
export const surveyAnswers = sqliteTable(
  "survey_answers",
  {
    responseId: integer("response_id")
      .notNull()
      .references(() => surveyResponses.id, { onDelete: "cascade" }),
    pathVersionId: integer("path_version_id").notNull(),
    level: integer("level"),
  },
  (t) => [
    // Response first: the tallies join answers to a campaign's responses by response id.
    primaryKey({ columns: [t.responseId, t.pathVersionId] }),
    check("survey_answers_level", sql`${t.level} is null or ${t.level} between 1 and 5`),
  ],
);

/** Every progress version this node published, payload verbatim. */
export const progressVersions = sqliteTable(
  "progress_versions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    uuid: text("uuid").notNull().unique(),
    campaignUuid: text("campaign_uuid")
      .notNull()
      .references(() => campaigns.uuid, { onDelete: "cascade" }),
    territoryId: integer("territory_id")
      .notNull()
      .references(() => territories.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    respondents: integer("respondents").notNull(),
    payload: text("payload").notNull(),
    hash: text("hash").notNull(),
    publishedBy: text("published_by").notNull(),
    createdAt: createdAt(),
    /** Set on every version when the territory withdraws the campaign's progress (a Delete). */
    withdrawnAt: text("withdrawn_at"),
  },
  (t) => [uniqueIndex("progress_versions_version").on(t.campaignUuid, t.version)],
);

/**
 * The progress publication ledger: the respondents behind every published progress version and
 * the category cell each was counted in, for the atom rule (docs/protocol.md §13). Never served.
 */
export const publishedResponses = sqliteTable(
  "published_responses",
  {
    versionId: integer("version_id")
      .notNull()
      .references(() => progressVersions.id, { onDelete: "cascade" }),
    responseId: integer("response_id").notNull(),
    category: text("category").notNull(),
    cell: text("cell"),
  },
  (t) => [primaryKey({ columns: [t.versionId, t.responseId] })],
);

/**
 * Progress aggregation state: per (origin, campaign) the latest version held, own publications
 * included; more than one hash under that version = conflicted (docs/protocol.md §13).
 */
export const progressEntries = sqliteTable(
  "progress_entries",
  {
    origin: text("origin").notNull(),
    campaignId: text("campaign_id").notNull(),
    objectId: text("object_id").notNull(),
    version: integer("version").notNull(),
    hashes: text("hashes", { mode: "json" }).$type<string[]>().notNull(),
    payload: text("payload", { mode: "json" }).$type<ProgressPayload>().notNull(),
    local: integer("local", { mode: "boolean" }).notNull(),
    via: text("via"),
    /** The verified activity as received (origin's proof intact), for re-serving; null if local. */
    activity: text("activity", { mode: "json" }).$type<ActivityJson>(),
    country: text("country").notNull(),
    region: text("region"),
    receivedAt: createdAt(),
    /** Withdrawn by its origin (a Delete): out of the figures until a newer version. */
    withdrawn: integer("withdrawn", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.origin, t.campaignId] }),
    index("progress_entries_place").on(t.country, t.region),
  ],
);

/**
 * The grid versions this node holds (docs/facilitators-guide.md, "A new grid version"): the one
 * in use (`active`, exactly one), earlier or accepted ones its figures can map through (`known`),
 * and ones fetched from another territory's actor, waiting for an admin (`offered`). `document`
 * is the grid file as held (with the mapping from its earlier version), `hash` its content hash.
 */
export const gridVersions = sqliteTable(
  "grid_versions",
  {
    gridId: text("grid_id").notNull(),
    version: text("version").notNull(),
    hash: text("hash").notNull(),
    document: text("document", { mode: "json" }).$type<{ [key: string]: unknown }>().notNull(),
    state: text("state", { enum: ["active", "known", "offered"] }).notNull(),
    /** "bundled", "import" (workspace, API or command line) or the URL it was fetched from. */
    source: text("source").notNull(),
    createdAt: createdAt(),
    adoptedAt: text("adopted_at"),
  },
  (t) => [
    primaryKey({ columns: [t.gridId, t.version] }),
    // Exactly one grid in use: a second "active" row is refused by the database itself.
    uniqueIndex("grid_versions_one_active").on(t.state).where(sql`${t.state} = 'active'`),
  ],
);

/**
 * Criteria whose code a grid import left for a facilitator to look at again (their component
 * was split): shown on the classification page until the criterion is classified again.
 */
export const gridReviews = sqliteTable("grid_reviews", {
  criterionId: integer("criterion_id")
    .primaryKey()
    .references(() => criteria.id, { onDelete: "cascade" }),
  code: text("code").notNull(),
  fromVersion: text("from_version").notNull(),
  toVersion: text("to_version").notNull(),
  /** The codes the component was split into. */
  choices: text("choices", { mode: "json" }).$type<string[]>().notNull(),
  createdAt: createdAt(),
});
