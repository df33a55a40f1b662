CREATE TABLE `grid_reviews` (
	`criterion_id` integer PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`from_version` text NOT NULL,
	`to_version` text NOT NULL,
	`choices` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`criterion_id`) REFERENCES `criteria`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `grid_versions` (
	`grid_id` text NOT NULL,
	`version` text NOT NULL,
	`hash` text NOT NULL,
	`document` text NOT NULL,
	`state` text NOT NULL,
	`source` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`adopted_at` text,
	PRIMARY KEY(`grid_id`, `version`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `grid_versions_one_active` ON `grid_versions` (`state`) WHERE "grid_versions"."state" = 'active';