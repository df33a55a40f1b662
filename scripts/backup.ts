/**
 * `npm run backup -- [file]`: online backup of the node's database (safe while it runs), with the
 * generated admin token file copied beside it (`<file>.admin-token`) when there is one.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { loadConfig } from "@spiral-network/node/config";
import { backupDataDir } from "@spiral-network/node/ops/backup";

const config = loadConfig(process.env);
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const target = path.resolve(
  process.argv[2] ?? path.join(config.dataDir, "backups", `spiral-${stamp}.db`),
);
mkdirSync(path.dirname(target), { recursive: true });
const { pages, tokenCopy } = await backupDataDir(config.dataDir, target, (done, total) => {
  process.stderr.write(`\rbacking up: ${done}/${total} pages`);
});
process.stderr.write("\n");
console.log(`backup written to ${target} (${pages} pages)`);
if (tokenCopy)
  console.log(`admin token file copied to ${tokenCopy} (keep it as safe as the backup)`);
