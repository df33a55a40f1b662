-- Survey answers stored before this release kept SQLite's growing rowid, i.e. the order in which
-- people answered. Their rowid is now derived from the random response id (response id × 2^15 +
-- the answer's place within its response), as new answers get it (services/progress.ts).
CREATE TEMP TABLE `survey_answers_reorder` AS
  SELECT `response_id`, `path_version_id`, `level`,
    `response_id` * 32768 + (row_number() OVER (PARTITION BY `response_id` ORDER BY `path_version_id`)) - 1 AS `new_rowid`
  FROM `survey_answers`;--> statement-breakpoint
DELETE FROM `survey_answers`;--> statement-breakpoint
INSERT INTO `survey_answers` (`rowid`, `response_id`, `path_version_id`, `level`)
  SELECT `new_rowid`, `response_id`, `path_version_id`, `level` FROM `survey_answers_reorder` ORDER BY `new_rowid`;--> statement-breakpoint
DROP TABLE `survey_answers_reorder`;
