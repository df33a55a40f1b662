ALTER TABLE `followers` ADD `failures` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `followers` ADD `last_error` text;--> statement-breakpoint
ALTER TABLE `followers` ADD `last_error_at` text;--> statement-breakpoint
ALTER TABLE `followers` ADD `unreachable_since` text;--> statement-breakpoint
ALTER TABLE `following` ADD `failures` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `following` ADD `last_error` text;--> statement-breakpoint
ALTER TABLE `following` ADD `last_error_at` text;--> statement-breakpoint
ALTER TABLE `following` ADD `unreachable_since` text;