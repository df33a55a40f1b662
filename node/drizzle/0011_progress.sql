CREATE TABLE `campaign_codes` (
	`hash` text PRIMARY KEY NOT NULL,
	`campaign_uuid` text NOT NULL,
	`used` integer DEFAULT false NOT NULL,
	FOREIGN KEY (`campaign_uuid`) REFERENCES `campaigns`(`uuid`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `campaign_codes_campaign` ON `campaign_codes` (`campaign_uuid`);--> statement-breakpoint
CREATE TABLE `campaign_paths` (
	`campaign_uuid` text NOT NULL,
	`path_version_id` integer NOT NULL,
	PRIMARY KEY(`campaign_uuid`, `path_version_id`),
	FOREIGN KEY (`campaign_uuid`) REFERENCES `campaigns`(`uuid`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`path_version_id`) REFERENCES `progress_path_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `campaigns` (
	`uuid` text PRIMARY KEY NOT NULL,
	`territory_id` integer NOT NULL,
	`label` text NOT NULL,
	`period_start` text NOT NULL,
	`period_end` text NOT NULL,
	`cycle` integer NOT NULL,
	`phase` text NOT NULL,
	`ask_category` integer DEFAULT false NOT NULL,
	`closed_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`territory_id`) REFERENCES `territories`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "campaigns_cycle_range" CHECK("campaigns"."cycle" between 0 and 3)
);
--> statement-breakpoint
CREATE INDEX `campaigns_territory` ON `campaigns` (`territory_id`);--> statement-breakpoint
CREATE TABLE `progress_entries` (
	`origin` text NOT NULL,
	`campaign_id` text NOT NULL,
	`object_id` text NOT NULL,
	`version` integer NOT NULL,
	`hashes` text NOT NULL,
	`payload` text NOT NULL,
	`local` integer NOT NULL,
	`via` text,
	`activity` text,
	`country` text NOT NULL,
	`region` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	PRIMARY KEY(`origin`, `campaign_id`)
);
--> statement-breakpoint
CREATE INDEX `progress_entries_place` ON `progress_entries` (`country`,`region`);--> statement-breakpoint
CREATE TABLE `progress_path_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`path_uuid` text NOT NULL,
	`version` integer NOT NULL,
	`statements` text NOT NULL,
	`languages` text NOT NULL,
	`confirmed_public` integer NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`path_uuid`) REFERENCES `progress_paths`(`uuid`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `progress_path_versions_version` ON `progress_path_versions` (`path_uuid`,`version`);--> statement-breakpoint
CREATE TABLE `progress_paths` (
	`uuid` text PRIMARY KEY NOT NULL,
	`territory_id` integer NOT NULL,
	`code` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`territory_id`) REFERENCES `territories`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `progress_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`uuid` text NOT NULL,
	`campaign_uuid` text NOT NULL,
	`territory_id` integer NOT NULL,
	`version` integer NOT NULL,
	`respondents` integer NOT NULL,
	`payload` text NOT NULL,
	`hash` text NOT NULL,
	`published_by` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`campaign_uuid`) REFERENCES `campaigns`(`uuid`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`territory_id`) REFERENCES `territories`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `progress_versions_uuid_unique` ON `progress_versions` (`uuid`);--> statement-breakpoint
CREATE UNIQUE INDEX `progress_versions_version` ON `progress_versions` (`campaign_uuid`,`version`);--> statement-breakpoint
CREATE TABLE `published_responses` (
	`version_id` integer NOT NULL,
	`response_id` integer NOT NULL,
	`category` text NOT NULL,
	`cell` text,
	PRIMARY KEY(`version_id`, `response_id`),
	FOREIGN KEY (`version_id`) REFERENCES `progress_versions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `survey_answers` (
	`response_id` integer NOT NULL,
	`path_version_id` integer NOT NULL,
	`level` integer,
	PRIMARY KEY(`response_id`, `path_version_id`),
	FOREIGN KEY (`response_id`) REFERENCES `survey_responses`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "survey_answers_level" CHECK("survey_answers"."level" is null or "survey_answers"."level" between 1 and 5)
);
--> statement-breakpoint
CREATE TABLE `survey_responses` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`campaign_uuid` text NOT NULL,
	`category` text,
	`day` text NOT NULL,
	`source` text NOT NULL,
	FOREIGN KEY (`campaign_uuid`) REFERENCES `campaigns`(`uuid`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `survey_responses_campaign` ON `survey_responses` (`campaign_uuid`,`category`);--> statement-breakpoint
ALTER TABLE `outbox_activities` ADD `progress_version_id` integer REFERENCES progress_versions(id);