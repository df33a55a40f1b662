CREATE TABLE `actor_keys` (
	`identifier` text PRIMARY KEY NOT NULL,
	`rsa_public` text NOT NULL,
	`rsa_private` text NOT NULL,
	`ed25519_public` text NOT NULL,
	`ed25519_private` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `aggregate_cells` (
	`level` text NOT NULL,
	`country` text NOT NULL,
	`region` text NOT NULL,
	`category` text NOT NULL,
	`grid_id` text NOT NULL,
	`grid_version` text NOT NULL,
	`period_key` text NOT NULL,
	`period_start` text NOT NULL,
	`period_end` text NOT NULL,
	`question` text NOT NULL,
	`component` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`level`, `country`, `region`, `category`, `grid_id`, `grid_version`, `period_key`, `question`, `component`)
);
--> statement-breakpoint
CREATE INDEX `aggregate_cells_zero` ON `aggregate_cells` (`count`) WHERE "aggregate_cells"."count" = 0;--> statement-breakpoint
CREATE TABLE `aggregate_entries` (
	`origin` text NOT NULL,
	`period_key` text NOT NULL,
	`period_start` text NOT NULL,
	`period_end` text NOT NULL,
	`version` integer NOT NULL,
	`hash` text NOT NULL,
	`hashes` text NOT NULL,
	`conflicted` integer NOT NULL,
	`withdrawn` integer NOT NULL,
	`local` integer NOT NULL,
	`via` text,
	`name` text NOT NULL,
	`country` text NOT NULL,
	`region` text NOT NULL,
	`grid_id` text NOT NULL,
	`grid_version` text NOT NULL,
	`participants` integer NOT NULL,
	`groups` integer NOT NULL,
	`criteria` integer NOT NULL,
	`payload` text NOT NULL,
	PRIMARY KEY(`origin`, `period_key`)
);
--> statement-breakpoint
CREATE INDEX `aggregate_entries_place` ON `aggregate_entries` (`country`,`region`);--> statement-breakpoint
CREATE TABLE `aggregate_people` (
	`level` text NOT NULL,
	`country` text NOT NULL,
	`region` text NOT NULL,
	`category` text NOT NULL,
	`grid_id` text NOT NULL,
	`grid_version` text NOT NULL,
	`period_key` text NOT NULL,
	`period_start` text NOT NULL,
	`period_end` text NOT NULL,
	`participants` integer NOT NULL,
	`groups` integer NOT NULL,
	`territories` integer NOT NULL,
	PRIMARY KEY(`level`, `country`, `region`, `category`, `grid_id`, `grid_version`, `period_key`)
);
--> statement-breakpoint
CREATE INDEX `aggregate_people_empty` ON `aggregate_people` (`territories`) WHERE "aggregate_people"."territories" = 0;--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`subject` text NOT NULL,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_at` ON `audit_log` (`created_at`);--> statement-breakpoint
CREATE TABLE `criteria` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`group_id` integer NOT NULL,
	`question` text NOT NULL,
	`text` text NOT NULL,
	`language` text,
	`code` text,
	`component` text,
	`dimension` text,
	`status` text DEFAULT 'unclassified' NOT NULL,
	`classified_by` text,
	`classified_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text,
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "criteria_code_matches_status" CHECK(("criteria"."status" = 'unclassified') = ("criteria"."code" is null))
);
--> statement-breakpoint
CREATE INDEX `criteria_group_status` ON `criteria` (`group_id`,`status`,`question`,`component`);--> statement-breakpoint
CREATE TABLE `followers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`actor` text NOT NULL,
	`follower` text NOT NULL,
	`inbox` text NOT NULL,
	`shared_inbox` text,
	`handle` text,
	`name` text,
	`follow_activity_id` text NOT NULL,
	`state` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `followers_actor_follower` ON `followers` (`actor`,`follower`);--> statement-breakpoint
CREATE TABLE `following` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`actor` text NOT NULL,
	`target` text NOT NULL,
	`target_inbox` text NOT NULL,
	`target_shared_inbox` text,
	`target_handle` text,
	`target_name` text,
	`target_type` text,
	`follow_activity_id` text NOT NULL,
	`state` text NOT NULL,
	`last_pulled_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `following_actor_target` ON `following` (`actor`,`target`);--> statement-breakpoint
CREATE TABLE `group_categories` (
	`code` text PRIMARY KEY NOT NULL,
	`label_en` text NOT NULL,
	`label_fr` text NOT NULL,
	`builtin` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE `groups` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`territory_id` integer NOT NULL,
	`label` text NOT NULL,
	`category` text NOT NULL,
	`session_dates` text NOT NULL,
	`first_session` text NOT NULL,
	`participants` integer NOT NULL,
	`cycle` integer NOT NULL,
	`margins_gender` text,
	`margins_age` text,
	`notes` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text,
	FOREIGN KEY (`territory_id`) REFERENCES `territories`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`category`) REFERENCES `group_categories`(`code`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "groups_participants_positive" CHECK("groups"."participants" > 0),
	CONSTRAINT "groups_cycle_range" CHECK("groups"."cycle" between 0 and 3)
);
--> statement-breakpoint
CREATE INDEX `groups_territory_session` ON `groups` (`territory_id`,`first_session`);--> statement-breakpoint
CREATE TABLE `meetings` (
	`uuid` text PRIMARY KEY NOT NULL,
	`territory_id` integer NOT NULL,
	`payload` text NOT NULL,
	`start_utc` text NOT NULL,
	`end_utc` text NOT NULL,
	`sequence` integer NOT NULL,
	`deleted_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text,
	FOREIGN KEY (`territory_id`) REFERENCES `territories`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `meetings_territory_start` ON `meetings` (`territory_id`,`start_utc`);--> statement-breakpoint
CREATE TABLE `outbox_activities` (
	`uuid` text PRIMARY KEY NOT NULL,
	`actor` text NOT NULL,
	`type` text NOT NULL,
	`object_id` text NOT NULL,
	`synthesis_uuid` text,
	`synthesis_version_id` integer,
	`meeting_uuid` text,
	`meeting_payload` text,
	`recipients` text,
	`json` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`sent_at` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	FOREIGN KEY (`synthesis_uuid`) REFERENCES `syntheses`(`uuid`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`synthesis_version_id`) REFERENCES `synthesis_versions`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `outbox_pending` ON `outbox_activities` (`sent_at`,`created_at`);--> statement-breakpoint
CREATE INDEX `outbox_synthesis` ON `outbox_activities` (`synthesis_uuid`,`created_at`);--> statement-breakpoint
CREATE TABLE `received_meetings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`origin` text NOT NULL,
	`object_id` text NOT NULL,
	`payload` text NOT NULL,
	`activity` text NOT NULL,
	`sequence` integer NOT NULL,
	`start_utc` text NOT NULL,
	`end_utc` text NOT NULL,
	`country` text NOT NULL,
	`kind` text NOT NULL,
	`via` text,
	`deleted_at` text,
	`received_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `received_meetings_object_id_unique` ON `received_meetings` (`object_id`);--> statement-breakpoint
CREATE INDEX `received_meetings_start` ON `received_meetings` (`start_utc`);--> statement-breakpoint
CREATE TABLE `received_syntheses` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`origin` text NOT NULL,
	`period_key` text NOT NULL,
	`object_id` text NOT NULL,
	`version` integer NOT NULL,
	`hash` text NOT NULL,
	`payload` text NOT NULL,
	`activity` text NOT NULL,
	`via` text,
	`conflicted_at` text,
	`conflicting_hash` text,
	`conflicting_activity` text,
	`withdrawn_at` text,
	`received_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `received_origin_period` ON `received_syntheses` (`origin`,`period_key`);--> statement-breakpoint
CREATE INDEX `received_object` ON `received_syntheses` (`object_id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`csrf_token` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`expires_at` text NOT NULL,
	`last_seen_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE INDEX `sessions_expires` ON `sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `syntheses` (
	`uuid` text PRIMARY KEY NOT NULL,
	`territory_id` integer NOT NULL,
	`period_key` text NOT NULL,
	`withdrawn_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`territory_id`) REFERENCES `territories`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `syntheses_territory_period` ON `syntheses` (`territory_id`,`period_key`);--> statement-breakpoint
CREATE TABLE `synthesis_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`uuid` text NOT NULL,
	`synthesis_uuid` text NOT NULL,
	`territory_id` integer NOT NULL,
	`period_key` text NOT NULL,
	`version` integer NOT NULL,
	`participants` integer NOT NULL,
	`payload` text NOT NULL,
	`hash` text NOT NULL,
	`published_by` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`synthesis_uuid`) REFERENCES `syntheses`(`uuid`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`territory_id`) REFERENCES `territories`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `synthesis_versions_uuid_unique` ON `synthesis_versions` (`uuid`);--> statement-breakpoint
CREATE UNIQUE INDEX `synthesis_versions_period_version` ON `synthesis_versions` (`territory_id`,`period_key`,`version`);--> statement-breakpoint
CREATE TABLE `territories` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`country` text NOT NULL,
	`region` text,
	`locality_type` text,
	`languages` text NOT NULL,
	`description` text,
	`population` integer,
	`latitude` real,
	`longitude` real,
	`grid_id` text NOT NULL,
	`grid_version` text NOT NULL,
	`manual_approval` integer DEFAULT false NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `territories_slug_unique` ON `territories` (`slug`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`password_hash` text NOT NULL,
	`disabled` integer DEFAULT false NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);--> statement-breakpoint
CREATE TABLE `fedify_kv` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`expires_at` integer
);
--> statement-breakpoint
CREATE INDEX `fedify_kv_expires` ON `fedify_kv` (`expires_at`);--> statement-breakpoint
CREATE TABLE `fedify_queue` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`message` text NOT NULL,
	`ordering_key` text,
	`available_at` integer NOT NULL,
	`locked_by` text,
	`locked_until` integer,
	`enqueued_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `fedify_queue_available` ON `fedify_queue` (`available_at`,`id`);--> statement-breakpoint
CREATE INDEX `fedify_queue_ordering` ON `fedify_queue` (`ordering_key`,`id`);