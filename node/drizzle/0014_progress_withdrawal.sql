ALTER TABLE `progress_entries` ADD `withdrawn` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `progress_versions` ADD `withdrawn_at` text;