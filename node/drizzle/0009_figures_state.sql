-- Edited by hand after generation: drizzle-kit copied the new columns (endorsed, fingerprint)
-- from the old tables, which do not have them; the copies below leave them to their defaults
-- (the node rebuilds the totals once when it finds the older definition).
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_aggregate_cells` (
	`level` text NOT NULL,
	`country` text NOT NULL,
	`region` text NOT NULL,
	`category` text NOT NULL,
	`grid_id` text NOT NULL,
	`grid_version` text NOT NULL,
	`period_key` text NOT NULL,
	`period_start` text NOT NULL,
	`period_end` text NOT NULL,
	`endorsed` integer DEFAULT false NOT NULL,
	`question` text NOT NULL,
	`component` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`level`, `country`, `region`, `category`, `grid_id`, `grid_version`, `period_key`, `endorsed`, `question`, `component`)
);
--> statement-breakpoint
INSERT INTO `__new_aggregate_cells`("level", "country", "region", "category", "grid_id", "grid_version", "period_key", "period_start", "period_end", "question", "component", "count") SELECT "level", "country", "region", "category", "grid_id", "grid_version", "period_key", "period_start", "period_end", "question", "component", "count" FROM `aggregate_cells`;--> statement-breakpoint
DROP TABLE `aggregate_cells`;--> statement-breakpoint
ALTER TABLE `__new_aggregate_cells` RENAME TO `aggregate_cells`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `aggregate_cells_zero` ON `aggregate_cells` (`count`) WHERE "aggregate_cells"."count" = 0;--> statement-breakpoint
CREATE TABLE `__new_aggregate_people` (
	`level` text NOT NULL,
	`country` text NOT NULL,
	`region` text NOT NULL,
	`category` text NOT NULL,
	`grid_id` text NOT NULL,
	`grid_version` text NOT NULL,
	`period_key` text NOT NULL,
	`period_start` text NOT NULL,
	`period_end` text NOT NULL,
	`endorsed` integer DEFAULT false NOT NULL,
	`participants` integer NOT NULL,
	`groups` integer NOT NULL,
	`territories` integer NOT NULL,
	`fingerprint` text DEFAULT '' NOT NULL,
	PRIMARY KEY(`level`, `country`, `region`, `category`, `grid_id`, `grid_version`, `period_key`, `endorsed`)
);
--> statement-breakpoint
INSERT INTO `__new_aggregate_people`("level", "country", "region", "category", "grid_id", "grid_version", "period_key", "period_start", "period_end", "participants", "groups", "territories") SELECT "level", "country", "region", "category", "grid_id", "grid_version", "period_key", "period_start", "period_end", "participants", "groups", "territories" FROM `aggregate_people`;--> statement-breakpoint
DROP TABLE `aggregate_people`;--> statement-breakpoint
ALTER TABLE `__new_aggregate_people` RENAME TO `aggregate_people`;--> statement-breakpoint
CREATE INDEX `aggregate_people_empty` ON `aggregate_people` (`territories`) WHERE "aggregate_people"."territories" = 0;--> statement-breakpoint
ALTER TABLE `aggregate_entries` ADD `endorsed` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `aggregate_entries` ADD `categories` text DEFAULT '[]' NOT NULL;