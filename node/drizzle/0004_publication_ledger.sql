CREATE TABLE `published_groups` (
	`version_id` integer NOT NULL,
	`group_id` integer NOT NULL,
	`participants` integer NOT NULL,
	`category` text NOT NULL,
	`cell` text,
	`margins_gender` text,
	`margins_age` text,
	PRIMARY KEY(`version_id`, `group_id`),
	FOREIGN KEY (`version_id`) REFERENCES `synthesis_versions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
-- Versions published before the ledger existed: the groups behind them are taken to be the groups
-- of their period with validated criteria as they stand now (exact unless a group was edited,
-- deleted or classified since), leaving out groups created after the version was published (so
-- that version 1 and version 2 of a period are not taken to hold the same groups). docs/protocol.md
-- §4 and docs/facilitators-guide.md say so.
INSERT OR IGNORE INTO `published_groups` (`version_id`, `group_id`, `participants`, `category`, `cell`, `margins_gender`, `margins_age`)
SELECT v.`id`, g.`id`, g.`participants`, g.`category`,
  CASE
    WHEN json_extract(v.`payload`, '$.categories') IS NULL THEN NULL
    WHEN EXISTS (
      SELECT 1 FROM json_each(v.`payload`, '$.categories') c
      WHERE json_extract(c.`value`, '$.category') = g.`category` AND g.`category` <> 'other'
    ) THEN g.`category`
    ELSE 'other'
  END,
  g.`margins_gender`, g.`margins_age`
FROM `synthesis_versions` v
JOIN `groups` g ON g.`territory_id` = v.`territory_id`
  AND g.`created_at` <= v.`created_at`
  AND g.`first_session` BETWEEN substr(v.`period_key`, 1, 10) AND substr(v.`period_key`, 12, 10)
  AND (instr(v.`period_key`, '#cycle') = 0
    OR g.`cycle` = CAST(substr(v.`period_key`, instr(v.`period_key`, '#cycle') + 6) AS integer))
WHERE EXISTS (
  SELECT 1 FROM `criteria` c
  WHERE c.`group_id` = g.`id` AND c.`status` = 'validated' AND c.`component` IS NOT NULL
);
