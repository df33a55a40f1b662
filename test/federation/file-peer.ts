import { spawn } from "node:child_process";
import http from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { getRequestListener } from "@hono/node-server";
import { createNode, type NodeOptions, type SpiralNode } from "@spiral-network/node/node";
import { adminApi, type Peer, peerNodeOptions } from "./harness";

/**
 * A node on a data directory (a real database file and its lock), served on 127.0.0.1 — the
 * shape of a production node, so it can be stopped and started again on the same port.
 */
export interface FilePeer extends Pick<Peer, "api"> {
  node: SpiralNode;
  url: string;
  slug: string;
  actorUrl: string;
  port: number;
  logs: string[];
  /** Stops serving and closes the node (its lock is released). */
  stop(): Promise<void>;
}

export async function startFilePeer(
  dataDir: string,
  options: { port?: number; territory?: string } & Partial<NodeOptions> = {},
): Promise<FilePeer> {
  const { port: wanted, territory, ...nodeOptions } = options;
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(wanted ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const { logs, options: peerOptions } = peerNodeOptions(url);
  let node: SpiralNode;
  try {
    node = createNode({
      databaseFile: path.join(dataDir, "spiral.db"),
      dataDir,
      ...peerOptions,
      ...nodeOptions,
    });
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }
  server.on("request", getRequestListener(node.app.fetch));
  if (territory && !node.services.territories.list().some((t) => t.slug === territory)) {
    node.services.territories.create(
      { slug: territory, name: territory, country: "FR", languages: ["en"] } as never,
      "test",
    );
  }
  for (const t of node.services.territories.list())
    await (await node.federation.get()).deps.keys.keyPairs(t.slug);
  node.start();
  const slug = territory ?? node.services.territories.list()[0]?.slug ?? "";
  return {
    node,
    url,
    port,
    logs,
    slug,
    actorUrl: `${url}/actors/${slug}`,
    api: adminApi(node),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await node.close();
    },
  };
}

const betterSqlite = createRequire(import.meta.url).resolve("better-sqlite3");

/**
 * A process that takes a data directory the way a node does — its pid in the lock file and, when
 * `claim` is set, a 5-minute lease on every queued message — then is killed with SIGKILL, as a
 * crash would. Resolves once it is dead; its lock file and claims stay behind.
 */
export async function crashedProcess(dataDir: string, claim: boolean): Promise<number> {
  const script = `
    const fs = require("node:fs");
    if (${claim}) {
      const db = new (require(${JSON.stringify(betterSqlite)}))(${JSON.stringify(path.join(dataDir, "spiral.db"))});
      db.prepare("UPDATE fedify_queue SET locked_by = 'crashed-process', locked_until = ?").run(Date.now() + 300000);
      db.close();
    }
    fs.writeFileSync(${JSON.stringify(path.join(dataDir, "node.lock"))}, process.pid + "\\n");
    process.stdout.write("ready\\n");
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("ready")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`the crashing process exited early (${code})`)));
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("no pid");
  await new Promise<void>((resolve) => {
    child.removeAllListeners("exit");
    child.on("exit", () => resolve());
    child.kill("SIGKILL");
  });
  return pid;
}
