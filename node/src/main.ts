import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { serve } from "@hono/node-server";
import { ConfigError, loadConfig } from "./config";
import { seedDemoAdmin, seedDemoTerritory } from "./demo/seed";
import { createLogger } from "./logger";
import { configureLogging } from "./logging";
import { createNode } from "./node";
import { DataDirLockedError } from "./ops/data-dir-lock";

/** Composition root: configuration → storage → services and federation → HTTP server. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  await configureLogging(config.logLevel);
  const logger = createLogger({ category: ["spiral", "node"] });
  mkdirSync(config.dataDir, { recursive: true });
  const databaseFile = path.join(config.dataDir, "spiral.db");
  const node = createNode({
    databaseFile,
    dataDir: config.dataDir,
    publicUrl: config.publicUrl,
    adminToken: config.adminToken,
    policy: config.disclosure,
    allowPrivateAddress: config.allowPrivateAddresses,
    trustProxy: config.trustProxy,
    setupCodeFile: path.join(config.dataDir, "setup-code"),
    antiEntropyIntervalMs: config.antiEntropyIntervalMs,
    outbound: config.outbound,
  });
  logger.info(`database ${databaseFile} (checked, migrations applied)`);
  if (config.allowPrivateAddresses) {
    logger.warn(
      "ALLOW_PRIVATE_ADDRESSES=true: this node will fetch private and loopback addresses. Use it only for a local demo network.",
    );
  }

  let demoAccount: { email: string; password: string } | undefined;
  if (node.services.territories.list().length === 0 && config.demoData) {
    const seeded = seedDemoTerritory(node.services);
    logger.info(
      `created the demo territory "${seeded.territory}": ${seeded.groups} groups, ${seeded.criteria} classified criteria, synthesis published, ${seeded.meetings} upcoming meetings, ${seeded.campaigns} progress campaigns published`,
    );
    demoAccount = await seedDemoAdmin(node.services);
  }
  // The first admin account needs the one-time setup code while no account exists (the demo
  // seed's account closes setup, and removes the code's file).
  const setupCode = node.services.users.isEmpty() ? node.setupCode.prepare() : undefined;
  if (!setupCode) node.setupCode.retire();

  // Keys are created once per territory, before anything is signed with them.
  // (Federation is loaded for that only when a territory has no keys yet.)
  await node.prepareKeys();
  node.start();

  // The generated token is also kept in the data directory (owner-only) so it can be found again.
  const tokenFile = path.join(config.dataDir, "admin-token");
  if (node.generatedAdminToken) {
    writeFileSync(tokenFile, `${node.generatedAdminToken}\n`, { mode: 0o600 });
  }
  // Likewise the demo account's password (the demo seed made it; change it or add your own account).
  const demoPasswordFile = path.join(config.dataDir, "demo-admin-password");
  if (demoAccount) {
    writeFileSync(demoPasswordFile, `${demoAccount.email}\n${demoAccount.password}\n`, {
      mode: 0o600,
    });
  }

  const server = serve({ fetch: node.app.fetch, port: config.port, hostname: config.host }, () => {
    const lines = [
      "",
      `Spiral Network node running at ${config.publicUrl}  (listening on ${config.host}:${config.port})`,
      `  API description: ${config.publicUrl}/api/v1/openapi.json`,
    ];
    const slug = node.services.territories.list()[0]?.slug ?? "<slug>";
    const token = config.adminToken
      ? "the ADMIN_TOKEN you set"
      : existsSync(tokenFile)
        ? `the token in ${tokenFile}`
        : "the token printed at the first start";
    const browser = setupCode
      ? "first visit: set up the node and create the first admin account with the setup code below"
      : demoAccount
        ? `demo account ${demoAccount.email}, password ${demoAccount.password} (also in ${demoPasswordFile})`
        : existsSync(demoPasswordFile)
          ? `your account, or the demo account in ${demoPasswordFile}`
          : "your account";
    lines.push(
      `  Sign in (browser): ${config.publicUrl}/admin — ${browser}`,
      `  Log in (API): the admin token as a bearer token (${token}), e.g.`,
      `    curl -H "Authorization: Bearer $(cat ${tokenFile})" ${config.publicUrl}/api/v1/territories/${slug}/groups`,
    );
    if (setupCode) {
      lines.push(
        `  First-run setup code: ${setupCode}`,
        `    Enter it at ${config.publicUrl}/admin/setup to create the first admin account. It is also in`,
        `    ${node.setupCode.file} (readable by this user only) and stops working once an account exists.`,
      );
    }
    process.stdout.write(`${lines.join("\n")}\n\n`);
  });

  // A port in use or a privileged port is a setup mistake: say so plainly instead of a stack trace.
  server.on("error", (error: NodeJS.ErrnoException) => {
    const reason =
      error.code === "EADDRINUSE"
        ? `port ${config.port} on ${config.host} is already in use (another node or program); stop it or choose another PORT`
        : error.code === "EACCES"
          ? `not allowed to listen on port ${config.port}; choose a PORT above 1024 or put a reverse proxy in front`
          : error.message;
    process.stderr.write(`the node could not start: ${reason}\n`);
    node.close().finally(() => process.exit(1));
  });

  const shutdown = (signal: string) => {
    logger.info(`${signal}: shutting down`);
    server.close(() => {
      node.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
    setTimeout(() => process.exit(1), 5000).unref();
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((error) => {
  // A second node on the same DATA_DIR is a setup mistake: the message says which pid holds it.
  const reason =
    error instanceof DataDirLockedError
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  process.stderr.write(`the node could not start: ${reason}\n`);
  process.exit(1);
});
