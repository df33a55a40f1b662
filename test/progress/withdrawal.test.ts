import type { ProgressPayload } from "@spiral-network/protocol";
import { describe, expect, it } from "vitest";
import { PUBLIC_URL, useTestvilleNode } from "../node/helpers";
import { answerMany, startCampaign } from "./fixtures";

// Withdrawing a campaign's progress (docs/protocol.md §13): gone from the public pages, the
// figures and the served activities, a Delete in the outbox; at a receiver, a Delete that came
// before the version keeps it out of the figures.

describe("withdrawing a campaign's progress", () => {
  const t = useTestvilleNode();

  const published = () => {
    const { progress } = t.services;
    const { campaign, versions } = startCampaign(t, ["A01"]);
    answerMany(t, campaign, versions, [[1], [2], [4], [4], [5], [5]]);
    const row = progress.publish("testville", campaign, "test");
    return { campaign, versions, row, payload: JSON.parse(row.payload) as ProgressPayload };
  };

  it("takes it off the public page, the figures and the served activities, and sends a Delete; publishing again is a new version", async () => {
    const { progress, progressFigures, outbox } = t.services;
    const { campaign, versions } = published();
    expect(progressFigures.query({ code: "A01" }).rows).toHaveLength(1);
    const sent = () =>
      t.node.storage.sqlite
        .prepare("select uuid, type from outbox_activities where object_id = ? order by rowid")
        .all(`${PUBLIC_URL}/progress/${campaign}`) as Array<{ uuid: string; type: string }>;
    expect(sent().map((r) => r.type)).toEqual(["Create"]);
    const create = outbox.get(sent()[0]?.uuid as string);
    expect(create && outbox.isPublic(create)).toBe(true);
    progress.withdraw("testville", campaign, "test");
    expect(progress.publicProgress(campaign)).toBeUndefined();
    expect(progress.publishedFor("testville")).toEqual([]);
    expect(progress.servedArticle(campaign)).toBeUndefined();
    expect(progressFigures.query({ code: "A01" }).rows).toEqual([]);
    expect(sent().map((r) => r.type)).toEqual(["Create", "Delete"]);
    const page = await t.node.app.request(`${PUBLIC_URL}/progress/${campaign}`);
    expect(page.status).toBe(410);
    const article = await t.node.app.request(`${PUBLIC_URL}/progress/${campaign}`, {
      headers: { accept: "application/activity+json" },
    });
    expect(article.status).toBe(410);
    expect(await article.json()).toMatchObject({ type: "Tombstone", formerType: "Article" });
    // The Create that published it is served as a Tombstone from now on (/activities/{uuid}).
    expect(create && outbox.withdrawnAt(create)).toBeTruthy();
    expect(create && outbox.isPublic(create)).toBe(false);
    expect(() => progress.withdraw("testville", campaign, "test")).toThrow(/already withdrawn/);
    // Five more answers, published again: version 2, public on its own.
    answerMany(t, campaign, versions, [[3], [3], [3], [3], [3]]);
    const again = progress.publish("testville", campaign, "test");
    expect(again.version).toBe(2);
    expect(progress.publicProgress(campaign)?.payload.respondents).toBe(11);
    expect(progressFigures.query({ code: "A01" }).rows).toHaveLength(1);
  });

  it("refuses to withdraw what was never published", () => {
    const { campaign } = startCampaign(t, ["A01"]);
    expect(() => t.services.progress.withdraw("testville", campaign, "test")).toThrow(
      /never published/,
    );
  });

  it("at a receiver, a Delete that arrived before the version keeps that version out of the figures", () => {
    const { payload } = published();
    const origin = "https://elsewhere.example/actors/elsewhere";
    const objectId = `https://elsewhere.example/progress/${payload.campaign.id}`;
    t.services.received.keepEarlyWithdrawal(origin, objectId, {
      published: "2026-06-15T12:00:00Z",
      activity: { type: "Delete", published: "2026-06-15T12:00:00Z" },
    });
    const outcome = t.services.progressFigures.accept({
      origin,
      objectId,
      payload,
      local: false,
      activity: { type: "Create", published: "2026-06-15T10:00:00Z" },
    });
    expect(outcome).toBe("withdrawn");
    expect(t.services.progressFigures.list().map((e) => e.origin)).not.toContain(origin);
  });
});
