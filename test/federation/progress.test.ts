import { randomUUID } from "node:crypto";
import {
  contentHash,
  DEFAULT_POLICY,
  draftProgress,
  type ProgressPayload,
} from "@spiral-network/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait";
import { follow, type Peer, settled, startPeer } from "./harness";
import { type HostilePeer, startHostilePeer } from "./hostile-peer";

// spiral/progress@1 across nodes (docs/protocol.md §13): a territory's published campaign reaches
// its followers and the members of a sub-network whose theme holds the path's component, is
// verified and counted there with the same fingerprint as at the origin; payloads breaking the
// floors are refused whatever their origin says.

const statements = (code: string) =>
  [1, 2, 3, 4, 5].map((level) => ({ text: { en: `${code} situation ${level}` }, criteria: [] }));

/** A path, a campaign, `levels.length` paper answers, then a publication (to `subnetworks`). */
async function publishCampaign(peer: Peer, code: string, levels: number[], subnetworks?: string[]) {
  const base = `/territories/${peer.slug}`;
  const path = await peer.api("POST", `${base}/paths`, {
    code,
    statements: statements(code),
    confirmedPublic: true,
  });
  expect(path.status).toBe(201);
  const campaign = await peer.api("POST", `${base}/campaigns`, {
    label: `Survey ${code}`,
    start: "2026-01-10",
    end: "2026-02-20",
    cycle: 1,
    phase: "ex-ante",
    paths: [path.body.id],
  });
  expect(campaign.status).toBe(201);
  const id = campaign.body.id as string;
  const detail = await peer.api("GET", `${base}/campaigns/${id}`);
  const versionId = String(detail.body.paths[0].versionId);
  for (const level of levels) {
    await peer.api("POST", `${base}/campaigns/${id}/responses`, {
      answers: { [versionId]: level },
    });
  }
  const published = await peer.api(
    "POST",
    `${base}/campaigns/${id}/progress`,
    subnetworks ? { subnetworks } : {},
  );
  expect(published.status, JSON.stringify(published.body)).toBe(201);
  return { id, versionId, payload: published.body.payload as ProgressPayload };
}

const heldBy = (peer: Peer, campaign: string) =>
  peer.node.services.progressFigures.list().find((e) => e.campaignId === campaign);

describe("progress indicators across the network", () => {
  let host: Peer;
  let mulhouse: Peer;
  let porto: Peer;
  let lyon: Peer;
  let hostile: HostilePeer;
  let group: string;

  beforeAll(async () => {
    [host, mulhouse, porto, lyon] = await Promise.all([
      startPeer({ slug: "hub", name: "Hub", country: "BE" }),
      startPeer({ slug: "mulhouse", name: "Mulhouse", country: "FR", region: "FR-GES" }),
      startPeer({ slug: "porto", name: "Porto", country: "PT" }),
      startPeer({ slug: "lyon", name: "Lyon", country: "FR" }),
    ]);
    hostile = await startHostilePeer(mulhouse.actorUrl);
    const created = await host.api("POST", "/subnetworks", {
      slug: "resources",
      name: "Access to resources",
      theme: { components: ["A01"] },
      admission: "open",
    });
    expect(created.status).toBe(201);
    group = created.body.actorId;
    await follow(porto, mulhouse);
    for (const member of [mulhouse, lyon]) {
      const joined = await member.api("POST", `/territories/${member.slug}/subnetworks`, {
        target: group,
      });
      expect(joined.status).toBe(202);
      await waitFor(
        () =>
          member.node.services.follows.following(member.slug).find((f) => f.target === group)
            ?.state === "accepted",
        `${member.slug} to join the group`,
      );
    }
  });
  afterAll(async () => {
    await Promise.all([host, mulhouse, porto, lyon].map((p) => p?.close()));
    await hostile?.close();
  });

  it("reaches a follower and, through a sub-network on its component, a member; both count it with the origin's fingerprint", async () => {
    const { id, payload } = await publishCampaign(mulhouse, "A01", [1, 2, 4, 4, 5, 5], [group]);
    const atPorto = await waitFor(() => heldBy(porto, id), "Porto to receive the progress");
    expect(atPorto).toMatchObject({ version: 1, hashes: [payload.hash], via: null, local: false });
    const atLyon = await waitFor(() => heldBy(lyon, id), "Lyon to receive it through the group");
    expect(atLyon.via).toBe(group);
    const figure = (peer: Peer) => peer.api("GET", "/progress/figures?code=A01");
    const [origin, follower, member] = await Promise.all([
      figure(mulhouse),
      figure(porto),
      figure(lyon),
    ]);
    expect(follower.body.rows).toEqual([
      {
        code: "A01",
        phase: "ex-ante",
        counts: { "1": 1, "2": 1, "3": 0, "4": 2, "5": 2, dontKnow: 0 },
        territories: 1,
        share: 4 / 6,
      },
    ]);
    expect(follower.body.coverage.fingerprint).toBe(origin.body.coverage.fingerprint);
    expect(member.body.coverage.fingerprint).toBe(origin.body.coverage.fingerprint);
    // Its id dereferences to the Article as signed (federation clients), the page otherwise.
    const served = await fetch(`${mulhouse.url}/progress/${id}`, {
      headers: { accept: "application/activity+json" },
    });
    const article = await served.json();
    expect(article).toMatchObject({ type: "Article", id: `${mulhouse.url}/progress/${id}` });
    expect(JSON.parse(article.source.content)).toEqual(payload);
    // The figures explorer of the workspace's page, as JSON, names the territory covered.
    expect(follower.body.coverage.included.map((i: { name: string }) => i.name)).toEqual([
      "Mulhouse",
    ]);
  });

  it("a sub-network does not relay a campaign whose paths are off its theme; the follower still gets it", async () => {
    const { id } = await publishCampaign(mulhouse, "B01", [3, 3, 3, 3, 3], [group]);
    await waitFor(() => heldBy(porto, id), "Porto to receive the B01 progress");
    await waitFor(
      () => host.logs.some((l) => l.includes("does not touch its theme")),
      "the group to decline relaying it",
    );
    expect(heldBy(lyon, id)).toBeUndefined();
  });

  it("a territory that follows later gets the progress published before, by anti-entropy", async () => {
    const before = mulhouse.node.services.progressFigures
      .list()
      .filter((e) => e.local)
      .map((e) => e.campaignId)
      .sort();
    expect(before).toHaveLength(2);
    await follow(lyon, mulhouse);
    await waitFor(
      () => before.every((id) => heldBy(lyon, id)),
      "Lyon to pull both of Mulhouse's campaigns",
    );
    const [origin, late] = await Promise.all([
      mulhouse.api("GET", "/progress/figures"),
      lyon.api("GET", "/progress/figures"),
    ]);
    expect(late.body.coverage.fingerprint).toBe(origin.body.coverage.fingerprint);
  });

  it("refuses, on direct delivery, a payload under k respondents or with a level outside 1–5, even signed by its origin", async () => {
    const genuine = mulhouse.node.storage.sqlite
      .prepare(
        "select json from outbox_activities where progress_version_id is not null and json is not null limit 1",
      )
      .get() as { json: string };
    const template = JSON.parse(genuine.json);
    const base = draftProgress({
      territory: { id: hostile.actorUrl, name: "Evil", country: "FR" },
      campaign: {
        id: randomUUID(),
        period: { start: "2026-01-01", end: "2026-01-31" },
        cycle: 1,
        phase: "ex-ante",
      },
      grid: { id: "spiral-9d", version: "2026.1-partial" },
      paths: [
        {
          id: randomUUID(),
          version: 1,
          code: "A01",
          statements: [1, 2, 3, 4, 5].map((level) => ({
            level: level as 1,
            passage: level === 1 ? null : ("P" as const),
            text: { en: `s${level}` },
          })),
        },
      ],
      responses: [
        { id: 1, category: null },
        { id: 2, category: null },
      ],
      tallies: [],
      previous: null,
      policy: { ...DEFAULT_POLICY, k: 1 },
    }).payload as ProgressPayload;
    const rehash = (p: Record<string, unknown>) => {
      const { hash: _h, ...body } = p;
      return { ...body, hash: contentHash(body) };
    };
    const levelSix = rehash({
      ...base,
      respondents: 6,
      paths: base.paths.map((p) => ({ ...p, counts: { ...p.counts, dontKnow: 0, "6": 6 } })),
    });
    for (const [payload, reason] of [
      [base, "fewer than k = 5"],
      [levelSix, "invalid payload"],
    ] as const) {
      const { proof: _p, signature: _s, ...activity } = structuredClone(template);
      const object = `${hostile.url}/progress/${randomUUID()}`;
      const forged = {
        ...activity,
        id: `${hostile.url}/activities/${randomUUID()}`,
        actor: hostile.actorUrl,
        cc: [],
        object: {
          ...activity.object,
          id: object,
          url: object,
          attributedTo: hostile.actorUrl,
          cc: [],
          source: { ...activity.object.source, content: JSON.stringify(payload) },
        },
      };
      const proven = await hostile.prove(forged, hostile.ownEd);
      const response = await hostile.post(`${porto.url}/inbox`, proven, hostile.ownRsa);
      expect(response.status, response.text).toBe(400);
      expect(response.text).toContain(reason);
    }
    expect(
      porto.node.services.progressFigures.list().every((e) => e.origin !== hostile.actorUrl),
    ).toBe(true);
  });

  it("a withdrawal reaches the follower and the sub-network's member: their figures drop it, and a replayed copy does not bring it back", async () => {
    const { id, payload } = await publishCampaign(mulhouse, "A02", [1, 1, 2, 4, 5], [group]);
    await waitFor(() => heldBy(porto, id), "Porto to receive the A02 progress");
    const figure = async (peer: Peer) =>
      (await peer.api("GET", "/progress/figures?code=A02")).body.rows as unknown[];
    expect(await figure(porto)).toHaveLength(1);
    const withdrawn = await mulhouse.api(
      "POST",
      `/territories/${mulhouse.slug}/campaigns/${id}/progress/withdrawal`,
    );
    expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(204);
    // The origin: gone from its figures, its public page and the Article's address.
    expect(await figure(mulhouse)).toEqual([]);
    const page = await fetch(`${mulhouse.url}/progress/${id}`);
    expect(page.status).toBe(410);
    const again = await mulhouse.api(
      "POST",
      `/territories/${mulhouse.slug}/campaigns/${id}/progress/withdrawal`,
    );
    expect(again.status).toBe(409);
    // The follower (directly) and the member (through the sub-network) drop it.
    await waitFor(() => !heldBy(porto, id), "Porto to drop the withdrawn progress");
    expect(await figure(porto)).toEqual([]);
    await waitFor(() => !heldBy(lyon, id), "Lyon to drop it too");
    expect(await figure(lyon)).toEqual([]);
    // Once every delivery (the group's relay of the Delete included) is done, still gone.
    await settled(host, mulhouse, porto, lyon);
    expect(heldBy(porto, id)).toBeUndefined();
    expect(heldBy(lyon, id)).toBeUndefined();
    // A late or replayed copy of the withdrawn version is not counted again.
    const replay = porto.node.services.progressFigures.accept({
      origin: mulhouse.actorUrl,
      objectId: `${mulhouse.url}/progress/${id}`,
      payload,
      local: false,
    });
    expect(replay).toBe("withdrawn");
    expect(await figure(porto)).toEqual([]);
  });
});
