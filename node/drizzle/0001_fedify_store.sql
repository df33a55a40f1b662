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