/**
 * `npm run demo:network`: three Spiral Network nodes on this machine (ports BASE_PORT…+2,
 * default 8081–8083), each with its own demo territory. They follow each other, publish their
 * syntheses, and the script prints what each node received — federation you can watch. The third
 * node also hosts a sub-network ("essentials", a Group actor) that Mulhouse and Porto join: what
 * Porto addresses to it reaches Mulhouse through the group's Announce.
 * Data lives in DATA_DIR/demo-network/<slug> (default ./data/demo-network); Ctrl-C stops it.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { serve } from "@hono/node-server";
import { demoGroups, demoTerritory } from "@spiral-network/node/demo/demo-data";
import { demoNetworkTerritories } from "@spiral-network/node/demo/demo-network-data";
import { seedDemoMeetings, seedTerritory } from "@spiral-network/node/demo/seed";
import { LOG_LEVELS, type LogLevel } from "@spiral-network/node/logger";
import { configureLogging } from "@spiral-network/node/logging";
import { createNode, type SpiralNode } from "@spiral-network/node/node";
import { pollUntil } from "./lib/harness";

const basePort = Number(process.env.BASE_PORT ?? 8081);
const dataDir = path.resolve(process.env.DATA_DIR ?? "./data", "demo-network");
const territories = [{ territory: demoTerritory, groups: demoGroups }, ...demoNetworkTerritories];

interface Running {
  slug: string;
  url: string;
  node: SpiralNode;
  close(): Promise<void>;
}

async function startOne(data: (typeof territories)[number], port: number): Promise<Running> {
  const slug = data.territory.slug;
  const url = `http://localhost:${port}`;
  const dir = path.join(dataDir, slug);
  mkdirSync(dir, { recursive: true });
  const node = createNode({
    databaseFile: path.join(dir, "spiral.db"),
    publicUrl: url,
    // Three nodes share this process's log: each one's category names it (spiral·porto·…).
    logCategory: ["spiral", slug],
    allowPrivateAddress: true,
    antiEntropyIntervalMs: 60_000,
    setupCodeFile: path.join(dir, "setup-code"),
  });
  if (node.services.territories.list().length === 0) seedTerritory(node.services, data);
  await (await node.federation.get()).deps.keys.keyPairs(slug);
  const server = serve({ fetch: node.app.fetch, port, hostname: "127.0.0.1" });
  node.start();
  return {
    slug,
    url,
    node,
    close: async () => {
      server.close();
      await node.close();
    },
  };
}

/** Polls `check` every 200 ms for at most `timeoutMs`; whether it held. */
const waitFor = (check: () => boolean, timeoutMs: number) =>
  pollUntil(check, { timeoutMs, intervalMs: 200 });

/** The third node hosts the "essentials" sub-network; the given territories join it. */
async function startSubnetwork(host: Running, members: Running[]): Promise<string> {
  const slug = "essentials";
  const { subnetworks } = host.node.services;
  if (!subnetworks.find(slug)) {
    subnetworks.create(
      {
        slug,
        name: "Access to essential resources",
        description: "Territories comparing what people say about work, housing and income.",
        theme: { dimensions: ["A"] },
        admission: "open",
      },
      "demo",
    );
  }
  const groupUrl = subnetworks.actorUrl(slug);
  console.log(
    `
Sub-network "${slug}" on ${host.slug}'s node: ${groupUrl}  (@${slug}@localhost:${new URL(host.url).port})`,
  );
  for (const member of members) {
    const joined = member.node.network.subnetworks
      .joined(member.slug)
      .some((g) => g.target === groupUrl && g.state === "accepted");
    if (!joined) await member.node.network.subnetworks.join(member.slug, groupUrl);
  }
  const allIn = () =>
    members.every((m) =>
      m.node.network.subnetworks
        .joined(m.slug)
        .some((g) => g.target === groupUrl && g.state === "accepted"),
    );
  await waitFor(allIn, 20_000);
  const names = subnetworks
    .members(slug)
    .map((m) => `${m.handle ?? m.follower} (${m.state})`)
    .join(", ");
  console.log(`  members: ${names}`);
  return groupUrl;
}

/** What reached each member through the sub-network, and its figure for the sub-network. */
async function showSubnetwork(host: Running, members: Running[], groupUrl: string): Promise<void> {
  const feedOf = (m: Running) => {
    const row = m.node.network.subnetworks.joined(m.slug).find((g) => g.target === groupUrl);
    return row ? m.node.network.subnetworks.feed(m.slug, row.id) : [];
  };
  const reached = () => members.every((m) => feedOf(m).length > 0);
  await waitFor(reached, 20_000);
  console.log(`  relayed by the group: ${host.node.services.subnetworks.items(groupUrl).length}`);
  for (const m of members) {
    const feed = feedOf(m);
    console.log(`  ${m.slug} received through the group: ${feed.length} item(s)`);
    for (const item of feed) {
      console.log(`    ${item.kind} from ${item.territory ?? item.origin} ${item.periodKey ?? ""}`);
    }
    const figure = m.node.services.aggregates.query(
      {
        scope: "verified",
        robust: false,
        entries: m.node.services.subnetworks.relayedEntries(groupUrl),
      },
      () => true,
    );
    console.log(
      `    sub-network figure: ${figure.territories} territory, ${figure.totals.criteria} criteria  fingerprint ${figure.fingerprint.slice(0, 23)}…`,
    );
  }
}

async function main(): Promise<void> {
  const level = LOG_LEVELS.find((l) => l === process.env.LOG_LEVEL) ?? "warn";
  await configureLogging(level satisfies LogLevel);
  console.log(
    "ALLOW_PRIVATE_ADDRESSES is on for these demo nodes: never do this on a real node.\n",
  );
  const nodes = await Promise.all(territories.map((t, i) => startOne(t, basePort + i)));
  for (const n of nodes) {
    console.log(`${n.slug.padEnd(10)} ${n.url}   (@${n.slug}@localhost:${new URL(n.url).port})`);
    // No account yet: the workspace's first-run setup asks for the code in this file.
    const setupCode = n.node.setupCode.prepare();
    if (setupCode) console.log(`           ${n.url}/admin/setup — setup code ${setupCode}`);
  }

  console.log("\nEach territory follows the two others…");
  for (const follower of nodes) {
    for (const target of nodes) {
      if (follower === target) continue;
      const known = follower.node.services.follows.followingByTarget(
        follower.slug,
        `${target.url}/actors/${target.slug}`,
      );
      if (known?.state === "accepted") continue;
      await follower.node.network.follow(follower.slug, `${target.url}/actors/${target.slug}`);
    }
  }
  const everyoneAccepted = () =>
    nodes.every(
      (n) =>
        n.node.services.follows.following(n.slug).filter((f) => f.state === "accepted").length ===
        nodes.length - 1,
    );
  console.log(
    everyoneAccepted() || (await waitFor(everyoneAccepted, 20_000))
      ? "  all follows accepted"
      : "  some follows are still pending",
  );

  console.log("\nSyntheses received by each node (published at seed time, pulled on Accept):");
  const everyoneReceived = () =>
    nodes.every((n) => n.node.services.received.list().length >= nodes.length - 1);
  await waitFor(everyoneReceived, 20_000);
  for (const n of nodes) {
    const received = n.node.services.received.list();
    console.log(`  ${n.slug}:`);
    for (const r of received) {
      const payload = r.payload as {
        territory: { name: string };
        totals: { criteria: number };
        participants: number;
      };
      console.log(
        `    ${payload.territory.name.padEnd(10)} v${r.version}  ${payload.totals.criteria} criteria, ${payload.participants} participants  ${r.via ? `(via ${r.via})` : "(from its origin)"}`,
      );
    }
    if (received.length === 0) console.log("    (nothing yet)");
  }
  // A sub-network on the third node; Mulhouse and Porto join it (Follow → Accept).
  const host = nodes[2];
  const porto = nodes[1];
  const subnetworkUrl = host ? await startSubnetwork(host, nodes.slice(0, 2)) : undefined;

  // A live publication: Porto holds one more session and publishes version 2 of its synthesis,
  // addressed to the sub-network too.
  if (porto && !porto.node.services.syntheses.list(porto.slug).some((v) => v.version > 1)) {
    console.log(`\n${porto.slug} adds a session of 8 students and publishes version 2…`);
    const { services } = porto.node;
    const group = services.groups.create(
      porto.slug,
      {
        label: "Estudantes do Polo da Asprela",
        category: "students",
        sessionDates: ["2026-10-07"],
        participants: 8,
        cycle: 1,
      },
      "demo",
    );
    const added = services.criteria.add(
      porto.slug,
      group.id,
      [
        {
          question: "Q1",
          text: "Ter tempo para estudar sem trabalhar à noite",
          code: "A05",
          language: "pt",
        },
        {
          question: "Q2",
          text: "Rendas de quarto impossíveis perto da faculdade",
          code: "A03/P15",
          language: "pt",
        },
        { question: "Q3", text: "Partilhar boleias para o campus", code: "E00", language: "pt" },
      ],
      "demo",
    );
    services.criteria.validate(
      porto.slug,
      added.map((c) => c.id),
      "demo",
    );
    services.syntheses.publish(
      porto.slug,
      { start: "2026-01-01", end: "2026-12-31" },
      false,
      "demo",
      subnetworkUrl ? { subnetworks: [subnetworkUrl] } : {},
    );
    const arrived = () =>
      nodes
        .filter((n) => n !== porto)
        .every((n) => n.node.services.received.list().some((r) => r.version === 2));
    console.log(
      (await waitFor(arrived, 20_000))
        ? "  version 2 reached both other nodes (Update)"
        : "  version 2 has not arrived everywhere yet",
    );
  }

  if (subnetworkUrl && host) await showSubnetwork(host, nodes.slice(0, 2), subnetworkUrl);

  // Meetings: Mulhouse announces its upcoming sessions; the others list them and can subscribe.
  const mulhouse = nodes[0];
  if (
    mulhouse &&
    mulhouse.node.services.meetings.list(mulhouse.slug, { upcoming: true }).length === 0
  ) {
    console.log(`\n${mulhouse.slug} announces its upcoming meetings…`);
    seedDemoMeetings(mulhouse.node.services, mulhouse.slug);
  }
  const meetingsArrived = () =>
    nodes.slice(1).every((n) => n.node.services.receivedMeetings.upcoming().length >= 3);
  await waitFor(meetingsArrived, 20_000);
  for (const n of nodes.slice(1)) {
    const received = n.node.services.receivedMeetings.upcoming();
    console.log(`  ${n.slug} lists ${received.length} upcoming meeting(s) from the network:`);
    for (const m of received) {
      const payload = m.payload as { title: string; start: string; timeZone: string };
      console.log(`    ${payload.start.replace("T", " ")} (${payload.timeZone})  ${payload.title}`);
    }
  }
  console.log(`  calendar feed: ${nodes[1]?.url}/meetings.ics`);

  // Every node computes the network figure from what it holds: the fingerprints must agree.
  console.log("\nNetwork figure computed by each node (verified scope, all countries):");
  const figures = nodes.map((n) => ({
    slug: n.slug,
    figure: n.node.services.aggregates.query({ scope: "verified", robust: false }, () => true),
  }));
  for (const { slug, figure } of figures) {
    console.log(
      `  ${slug.padEnd(10)} ${figure.territories} territories, ${figure.totals.criteria} criteria, ${figure.participants} participants  fingerprint ${figure.fingerprint.slice(0, 23)}…`,
    );
  }
  const agree = new Set(figures.map((f) => f.figure.fingerprint)).size === 1;
  console.log(agree ? "  → the same fingerprint on every node" : "  → the nodes do not agree yet");

  console.log(
    `\nTry: curl -H 'Accept: application/activity+json' ${nodes[0]?.url}/actors/${nodes[0]?.slug}`,
  );
  console.log(`     curl ${nodes[1]?.url}/api/v1/received-syntheses
     curl '${nodes[2]?.url}/api/v1/aggregates?country=PT,BE&format=csv'
     curl ${nodes[2]?.url}/api/v1/subnetworks
     curl '${nodes[0]?.url}/api/v1/aggregates?subnetwork=${nodes[2]?.url}/actors/essentials'`);
  console.log("Ctrl-C stops the three nodes.");

  const stop = async () => {
    await Promise.all(nodes.map((n) => n.close()));
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
  if (process.env.DEMO_EXIT_AFTER_SECONDS) {
    setTimeout(() => void stop(), Number(process.env.DEMO_EXIT_AFTER_SECONDS) * 1000);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
