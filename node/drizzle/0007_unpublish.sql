CREATE TABLE `received_withdrawals` (
	`origin` text NOT NULL,
	`object_id` text NOT NULL,
	`published` text NOT NULL,
	`activity` text,
	`received_at` text NOT NULL,
	PRIMARY KEY(`origin`, `object_id`)
);
--> statement-breakpoint
ALTER TABLE `synthesis_versions` ADD `withdrawn_at` text;--> statement-breakpoint
UPDATE `synthesis_versions` SET `withdrawn_at` = (SELECT `withdrawn_at` FROM `syntheses` WHERE `syntheses`.`uuid` = `synthesis_versions`.`synthesis_uuid`) WHERE `withdrawn_at` IS NULL;