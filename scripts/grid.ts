/**
 * `npm run grid -- <preview|import> <grid file>`: the grid import from the command line, through
 * the same application layer as the workspace (docs/running-a-node.md, "Grid versions").
 * `preview` says what would change and changes nothing; `import` applies it. Stop the node first
 * (the command takes the data directory's lock, as the node does); `npm run grid -- list` shows
 * the versions held.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { ADMIN_TOKEN_ACTOR, type Application } from "@spiral-network/node/app";
import { loadConfig } from "@spiral-network/node/config";
import { createNode } from "@spiral-network/node/node";
import { InvalidInputError } from "@spiral-network/node/services/errors";

const [command, file] = process.argv.slice(2);
const USAGE = "usage: npm run grid -- list | preview <grid file> | import <grid file>";
if (!command || (command !== "list" && !file)) {
  console.error(USAGE);
  process.exit(2);
}

type Preview = ReturnType<Application["grids"]["preview"]>;

function describe(preview: Preview): string[] {
  const { changes } = preview;
  const lines = [`${changes.from.id} ${changes.from.version} → ${changes.to.version}`];
  const list = (label: string, items: string[]) =>
    lines.push(`  ${label}: ${items.length > 0 ? items.join(", ") : "none"}`);
  list(
    "new components",
    changes.added.map((c) => `${c.code} ${c.label.en}`),
  );
  list(
    "renamed labels",
    changes.relabelled.map((r) => `${r.code} "${r.before.en}" → "${r.after.en}"`),
  );
  list(
    "status changes",
    changes.restated.map((r) => `${r.code} ${r.before} → ${r.after}`),
  );
  list(
    "codes that move",
    changes.changes
      .filter((c) => c.kind !== "split")
      .map((c) => `${[c.from].flat().join("+")} → ${c.to} (${c.kind})`),
  );
  list("codes split (criteria to review)", changes.review);
  lines.push(`  criteria moved to a new code: ${preview.criteriaMoved}`);
  lines.push(`  criteria queued for review: ${preview.criteriaToReview}`);
  lines.push(`  document hash: ${preview.hash}`);
  return lines;
}

const config = loadConfig(process.env);
const node = createNode({
  databaseFile: path.join(config.dataDir, "spiral.db"),
  dataDir: config.dataDir,
  publicUrl: config.publicUrl,
  adminToken: config.adminToken,
});
try {
  const grids = node.application.grids;
  if (command === "list") {
    const { active, versions } = grids.list(ADMIN_TOKEN_ACTOR);
    console.log(`in use: ${active.id} ${active.version}`);
    for (const v of versions)
      console.log(`  ${v.id} ${v.version} ${v.state} (${v.source}) ${v.hash}`);
  } else {
    const text = readFileSync(path.resolve(file as string), "utf8");
    if (command === "preview") {
      for (const line of describe(grids.preview(ADMIN_TOKEN_ACTOR, text))) console.log(line);
      console.log("nothing changed: run `npm run grid -- import <file>` to apply");
    } else if (command === "import") {
      for (const line of describe(grids.apply(ADMIN_TOKEN_ACTOR, text))) console.log(line);
      console.log("imported: the node uses this grid from its next start");
    } else {
      console.error(USAGE);
      process.exitCode = 2;
    }
  }
} catch (error) {
  if (!(error instanceof InvalidInputError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
} finally {
  await node.close();
}
