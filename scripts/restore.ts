/**
 * `npm run restore -- <backup file>`: replaces the node's database with a backup. Refuses while
 * the node runs (stop it first); creates DATA_DIR when missing; says what it restored.
 */
import path from "node:path";
import { loadConfig } from "@spiral-network/node/config";
import { restoreDataDir } from "@spiral-network/node/ops/backup";

const backup = process.argv[2];
if (!backup) {
  console.error("usage: npm run restore -- <backup file>   (stop the node first)");
  process.exit(2);
}
const config = loadConfig(process.env);
try {
  const report = restoreDataDir(path.resolve(backup), path.resolve(config.dataDir));
  console.log(`restored ${backup} into ${report.database}:`);
  const territories = report.territories.length > 0 ? report.territories.join(", ") : "none";
  console.log(`  territories: ${territories}`);
  console.log(
    `  ${report.criteria} criteria, ${report.syntheses} published syntheses, ${report.meetings} meetings`,
  );
  console.log(
    `  following ${report.following}, followers ${report.followers}, ${report.accounts} account(s), ${report.queuedDeliveries} queued deliveries`,
  );
  console.log(
    report.tokenFile
      ? `  admin token file restored: ${report.tokenFile}`
      : "  no admin token file beside the backup: use your ADMIN_TOKEN or the token you kept",
  );
  if (report.keptPrevious) console.log(`the previous database is kept as ${report.keptPrevious}`);
} catch (error) {
  console.error(`restore failed: ${(error as Error).message}`);
  process.exit(1);
}
