/** `npm run restore -- <backup file>`: replaces the node's database with a backup (stop the node first). */
import path from "node:path";
import { loadConfig } from "../node/src/config";
import { restoreDatabase } from "../node/src/ops/backup";

const backup = process.argv[2];
if (!backup) {
  console.error("usage: npm run restore -- <backup file>   (stop the node first)");
  process.exit(2);
}
const config = loadConfig(process.env);
const database = path.join(config.dataDir, "spiral.db");
try {
  const { keptPrevious } = restoreDatabase(path.resolve(backup), database);
  console.log(`restored ${backup} into ${database}`);
  if (keptPrevious) console.log(`the previous database is kept as ${keptPrevious}`);
} catch (error) {
  console.error(`restore failed: ${(error as Error).message}`);
  process.exit(1);
}
