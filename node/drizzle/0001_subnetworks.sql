CREATE TABLE `subnetwork_items` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`subnetwork` text NOT NULL,
	`origin` text NOT NULL,
	`object_id` text NOT NULL,
	`kind` text NOT NULL,
	`period_key` text,
	`activity_id` text NOT NULL,
	`deleted_at` text,
	`relayed_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `subnetwork_items_object` ON `subnetwork_items` (`subnetwork`,`object_id`);--> statement-breakpoint
CREATE TABLE `subnetwork_removals` (
	`subnetwork` text NOT NULL,
	`member` text NOT NULL,
	`removed_by` text NOT NULL,
	`removed_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	PRIMARY KEY(`subnetwork`, `member`)
);
--> statement-breakpoint
CREATE TABLE `subnetworks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`theme` text NOT NULL,
	`admission` text DEFAULT 'open' NOT NULL,
	`moderators` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `subnetworks_slug_unique` ON `subnetworks` (`slug`);--> statement-breakpoint
ALTER TABLE `followers` ADD `spiral` integer DEFAULT false NOT NULL;