CREATE TABLE `public_category_uses` (
	`code` text NOT NULL,
	`received_id` integer,
	`version_id` integer,
	FOREIGN KEY (`received_id`) REFERENCES `received_syntheses`(`id`) ON UPDATE cascade ON DELETE cascade,
	FOREIGN KEY (`version_id`) REFERENCES `synthesis_versions`(`id`) ON UPDATE cascade ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `public_category_uses_code` ON `public_category_uses` (`code`);--> statement-breakpoint
CREATE INDEX `public_category_uses_received` ON `public_category_uses` (`received_id`);--> statement-breakpoint
CREATE INDEX `public_category_uses_version` ON `public_category_uses` (`version_id`);--> statement-breakpoint
-- Kept by triggers: every write of a public synthesis, by the node or any connection on the file.
-- Every code, builtins included (the reader asks only about the node's own categories, and a
-- code's builtin flag may change after the write).
-- A row inserted first drops any use left under its id (see below: a row deleted by a connection
-- without foreign keys, then written again under the same id, would inherit the old payload's
-- categories). An update of either table may change the payload, the withdrawal or the row's id:
-- its uses are written again (a new version listing the same categories in the same order keeps
-- them). A category is an object of `$.categories` with a `category` field: a payload that is not
-- JSON, or an entry that is not an object (both only written by hand: the scan this replaces
-- failed on them at every public read), has no use and is never parsed further, so such a row
-- migrates and can still be withdrawn, published again or rewritten. A
-- row deleted (by a cascade, or by a REPLACE, which fires no delete trigger) takes its uses with it
-- through the foreign key; a use whose row is gone or withdrawn all the same (a connection without
-- foreign keys) is not counted by the reader, which joins the row.
CREATE TRIGGER `received_category_uses_insert` AFTER INSERT ON `received_syntheses`
BEGIN
  DELETE FROM `public_category_uses` WHERE `received_id` = new.`id`;
  INSERT INTO `public_category_uses` (`code`, `received_id`)
    SELECT DISTINCT json_extract(CASE WHEN c.type = 'object' THEN c.value END, '$.category'), new.`id`
    FROM json_each(CASE WHEN json_valid(new.`payload`) THEN new.`payload` END, '$.categories') c
    WHERE new.`withdrawn_at` IS NULL AND json_extract(CASE WHEN c.type = 'object' THEN c.value END, '$.category') IS NOT NULL;
END;--> statement-breakpoint
CREATE TRIGGER `received_category_uses_update` AFTER UPDATE ON `received_syntheses`
WHEN old.`id` IS NOT new.`id` OR old.`withdrawn_at` IS NOT new.`withdrawn_at`
  OR CASE
    WHEN old.`payload` IS new.`payload` THEN 0
    ELSE (SELECT json_group_array(json_extract(CASE WHEN c.type = 'object' THEN c.value END, '$.category'))
            FROM json_each(CASE WHEN json_valid(old.`payload`) THEN old.`payload` END, '$.categories') c) IS NOT
         (SELECT json_group_array(json_extract(CASE WHEN c.type = 'object' THEN c.value END, '$.category'))
            FROM json_each(CASE WHEN json_valid(new.`payload`) THEN new.`payload` END, '$.categories') c)
  END
BEGIN
  DELETE FROM `public_category_uses` WHERE `received_id` IN (old.`id`, new.`id`);
  INSERT INTO `public_category_uses` (`code`, `received_id`)
    SELECT DISTINCT json_extract(CASE WHEN c.type = 'object' THEN c.value END, '$.category'), new.`id`
    FROM json_each(CASE WHEN json_valid(new.`payload`) THEN new.`payload` END, '$.categories') c
    WHERE new.`withdrawn_at` IS NULL AND json_extract(CASE WHEN c.type = 'object' THEN c.value END, '$.category') IS NOT NULL;
END;--> statement-breakpoint
CREATE TRIGGER `version_category_uses_insert` AFTER INSERT ON `synthesis_versions`
BEGIN
  DELETE FROM `public_category_uses` WHERE `version_id` = new.`id`;
  INSERT INTO `public_category_uses` (`code`, `version_id`)
    SELECT DISTINCT json_extract(CASE WHEN c.type = 'object' THEN c.value END, '$.category'), new.`id`
    FROM json_each(CASE WHEN json_valid(new.`payload`) THEN new.`payload` END, '$.categories') c
    WHERE new.`withdrawn_at` IS NULL AND json_extract(CASE WHEN c.type = 'object' THEN c.value END, '$.category') IS NOT NULL;
END;--> statement-breakpoint
CREATE TRIGGER `version_category_uses_update` AFTER UPDATE ON `synthesis_versions`
WHEN old.`id` IS NOT new.`id` OR old.`withdrawn_at` IS NOT new.`withdrawn_at`
  OR CASE
    WHEN old.`payload` IS new.`payload` THEN 0
    ELSE (SELECT json_group_array(json_extract(CASE WHEN c.type = 'object' THEN c.value END, '$.category'))
            FROM json_each(CASE WHEN json_valid(old.`payload`) THEN old.`payload` END, '$.categories') c) IS NOT
         (SELECT json_group_array(json_extract(CASE WHEN c.type = 'object' THEN c.value END, '$.category'))
            FROM json_each(CASE WHEN json_valid(new.`payload`) THEN new.`payload` END, '$.categories') c)
  END
BEGIN
  DELETE FROM `public_category_uses` WHERE `version_id` IN (old.`id`, new.`id`);
  INSERT INTO `public_category_uses` (`code`, `version_id`)
    SELECT DISTINCT json_extract(CASE WHEN c.type = 'object' THEN c.value END, '$.category'), new.`id`
    FROM json_each(CASE WHEN json_valid(new.`payload`) THEN new.`payload` END, '$.categories') c
    WHERE new.`withdrawn_at` IS NULL AND json_extract(CASE WHEN c.type = 'object' THEN c.value END, '$.category') IS NOT NULL;
END;--> statement-breakpoint
-- The uses of what was public before this migration (a payload that is not JSON, written by hand,
-- has none: the scan this replaces failed on it at every public read).
INSERT INTO `public_category_uses` (`code`, `received_id`)
  SELECT DISTINCT json_extract(CASE WHEN c.type = 'object' THEN c.value END, '$.category'), r.`id`
  FROM (SELECT `id`, `payload` FROM `received_syntheses`
        WHERE `withdrawn_at` IS NULL AND json_valid(`payload`)) r,
    json_each(r.`payload`, '$.categories') c
  WHERE json_extract(CASE WHEN c.type = 'object' THEN c.value END, '$.category') IS NOT NULL;--> statement-breakpoint
INSERT INTO `public_category_uses` (`code`, `version_id`)
  SELECT DISTINCT json_extract(CASE WHEN c.type = 'object' THEN c.value END, '$.category'), v.`id`
  FROM (SELECT `id`, `payload` FROM `synthesis_versions`
        WHERE `withdrawn_at` IS NULL AND json_valid(`payload`)) v,
    json_each(v.`payload`, '$.categories') c
  WHERE json_extract(CASE WHEN c.type = 'object' THEN c.value END, '$.category') IS NOT NULL;
