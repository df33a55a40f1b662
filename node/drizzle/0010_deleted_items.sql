CREATE TABLE `deleted_items` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`territory_id` integer NOT NULL,
	`kind` text NOT NULL,
	`label` text NOT NULL,
	`group_id` integer NOT NULL,
	`rows` text NOT NULL,
	`deleted_at` text NOT NULL,
	`expires_at` text NOT NULL,
	FOREIGN KEY (`territory_id`) REFERENCES `territories`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `deleted_items_expires` ON `deleted_items` (`expires_at`);