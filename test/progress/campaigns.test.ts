import { progressPayloadSchema } from "@spiral-network/protocol";
import { describe, expect, it } from "vitest";
import { useTestvilleNode } from "../node/helpers";
import { answerMany, campaignInput, pathInput, startCampaign } from "./fixtures";

/** The error's message and the messages of its field issues, in one line. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    const issues = (error as { issues?: Array<{ message: string }> }).issues ?? [];
    return [(error as Error).message, ...issues.map((i) => i.message)].join(" | ");
  }
  throw new Error("expected a refusal");
}

describe("paths of progress and campaigns", () => {
  const t = useTestvilleNode();

  it("keeps versions of a path and refuses an incomplete or unconfirmed one in a campaign", () => {
    const { progress } = t.services;
    const incomplete = pathInput("A01");
    incomplete.statements[4] = { text: {} as never, criteria: [] };
    const draft = progress.savePath("testville", null, incomplete, "test");
    expect(progress.getPath("testville", draft.uuid).complete).toBe(false);
    expect(
      refusal(() => progress.createCampaign("testville", campaignInput([draft.uuid]), "test")),
    ).toMatch(/five statements/);
    const unconfirmed = progress.savePath(
      "testville",
      draft.uuid,
      pathInput("A01", { confirmedPublic: false }),
      "test",
    );
    expect(unconfirmed.version.version).toBe(2);
    expect(
      refusal(() => progress.createCampaign("testville", campaignInput([draft.uuid]), "test")),
    ).toMatch(/confirmation/);
    const ready = progress.savePath("testville", draft.uuid, pathInput("A01"), "test");
    expect(ready.version.version).toBe(3);
    expect(progress.getPath("testville", draft.uuid).usable).toBe(true);
    // Saving the same words again adds no version.
    expect(
      progress.savePath("testville", draft.uuid, pathInput("A01"), "test").version.version,
    ).toBe(3);
  });

  it("refuses a path on a code the grid does not know, or linked to a criterion that is not validated", () => {
    const { progress } = t.services;
    expect(refusal(() => progress.savePath("testville", null, pathInput("Z99"), "test"))).toMatch(
      /Z99 is not a component/,
    );
    expect(
      refusal(() =>
        progress.savePath("testville", null, pathInput("A01", { criteria: [12345] }), "test"),
      ),
    ).toMatch(/not validated here \| unknown or unvalidated criteria: 12345/);
  });

  it("takes one response per code, and refuses reused and forged codes with the same message", () => {
    const { progress } = t.services;
    const { campaign, versions } = startCampaign(t);
    const [code] = progress.issueCodes("testville", campaign, 1, "test");
    const answers = { [String(versions[0])]: 4, [String(versions[1])]: "dk" };
    progress.answer(campaign, code as string, answers, "");
    const reused = (() => {
      try {
        progress.answer(campaign, code as string, answers, "");
      } catch (error) {
        return (error as Error).message;
      }
    })();
    const forged = (() => {
      try {
        progress.answer(campaign, "ABCDE-FGHJK", answers, "");
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(reused).toBeDefined();
    expect(reused).toBe(forged);
    expect(progress.results("testville", campaign).respondents).toBe(1);
    // Lower case and without the dash is the same code: still used.
    expect(() =>
      progress.answer(campaign, (code as string).toLowerCase().replace("-", ""), answers, ""),
    ).toThrow(reused as string);
  });

  it("keeps neither the time nor the order of answers: the day only, and random ids", () => {
    const { campaign, versions } = startCampaign(t, ["A01"]);
    answerMany(
      t,
      campaign,
      versions,
      Array.from({ length: 20 }, () => [3]),
    );
    const rows = t.node.storage.sqlite
      .prepare("select * from survey_responses where campaign_uuid = ? order by rowid")
      .all(campaign) as Array<Record<string, unknown>>;
    expect(Object.keys(rows[0] ?? {}).sort()).toEqual([
      "campaign_uuid",
      "category",
      "day",
      "id",
      "source",
    ]);
    expect(new Set(rows.map((r) => r.day))).toEqual(new Set(["2026-06-15"]));
    // Twenty answers one after the other: sequential ids would span 19.
    const ids = rows.map((r) => r.id as number);
    expect(Math.max(...ids) - Math.min(...ids)).toBeGreaterThan(1000);
  });

  it("keeps no order of answers in the answer rows either: their storage order is the random response id's", () => {
    const { campaign, versions } = startCampaign(t, ["A01", "A02"]);
    // Each respondent answers a pair of levels of its own, so its rows tell which one it was.
    const pairs = Array.from({ length: 8 }, (_, i) => [1 + (i % 5), 1 + Math.floor(i / 5)]);
    answerMany(t, campaign, versions, pairs);
    const rows = t.node.storage.sqlite
      .prepare(
        `select a.response_id as id, a.path_version_id as path, a.level as level
         from survey_answers a join survey_responses r on r.id = a.response_id
         where r.campaign_uuid = ? order by a.rowid`,
      )
      .all(campaign) as Array<{ id: number; path: number; level: number }>;
    const who = new Map<number, string>();
    for (const r of rows) who.set(r.id, `${who.get(r.id) ?? ""}${r.path}:${r.level};`);
    const submitted = pairs.map(([a, b]) => `${versions[0]}:${a};${versions[1]}:${b};`);
    const inStorageOrder = [...new Set(rows.map((r) => r.id))].map((id) =>
      submitted.indexOf(who.get(id) as string),
    );
    const inIdOrder = [...new Set(rows.map((r) => r.id))]
      .sort((a, b) => a - b)
      .map((id) => submitted.indexOf(who.get(id) as string));
    expect(new Set(inStorageOrder).size).toBe(8);
    // The rows' physical order (rowid) says nothing the random id does not: not when they came.
    expect(inStorageOrder).toEqual(inIdOrder);
  });

  it("does not burn a code on invalid answers", () => {
    const { progress } = t.services;
    const { campaign, versions } = startCampaign(t);
    const [code] = progress.issueCodes("testville", campaign, 1, "test");
    expect(() =>
      progress.answer(campaign, code as string, { [String(versions[0])]: 6 }, ""),
    ).toThrow(/answers are not valid/);
    expect(refusal(() => progress.answer(campaign, code as string, { "999999": 3 }, ""))).toMatch(
      /not a path of this campaign: 999999/,
    );
    progress.answer(campaign, code as string, { [String(versions[0])]: 3 }, "");
    expect(progress.results("testville", campaign).respondents).toBe(1);
  });

  it("counts the distribution per path and refuses publishing under k respondents", () => {
    const { progress } = t.services;
    const { campaign, versions } = startCampaign(t);
    answerMany(t, campaign, versions, [
      [1, 5],
      [2, 5],
      [4, "dk"],
      [4, 3],
    ]);
    const results = progress.results("testville", campaign);
    expect(results.paths[0]?.counts).toEqual({
      "1": 1,
      "2": 1,
      "3": 0,
      "4": 2,
      "5": 0,
      dontKnow: 0,
    });
    expect(results.paths[1]?.counts).toEqual({
      "1": 0,
      "2": 0,
      "3": 1,
      "4": 0,
      "5": 2,
      dontKnow: 1,
    });
    expect(() => progress.publish("testville", campaign, "test")).toThrow(/cannot be published/);
    expect(progress.preview("testville", campaign).blockers.join()).toMatch(
      /4 respondent\(s\), fewer than k = 5/,
    );
  });

  it("publishes a valid payload without criterion texts or response ids, and refuses a second version that isolates fewer than k", () => {
    const { progress } = t.services;
    const { campaign, versions } = startCampaign(t);
    answerMany(
      t,
      campaign,
      versions,
      Array.from({ length: 6 }, (_, i) => [1 + (i % 5), 3]),
      "young-people",
    );
    const first = progress.publish("testville", campaign, "test");
    const payload = progressPayloadSchema.parse(JSON.parse(first.payload));
    expect(payload.respondents).toBe(6);
    expect(payload.paths[0]?.statements[0]?.text).toEqual({
      fr: "A01 : très difficile",
      en: "A01: level 1",
    });
    expect(JSON.stringify(payload)).not.toMatch(/criteria/);
    // Two more respondents would be told apart by subtracting version 1 from version 2.
    answerMany(t, campaign, versions, [
      [5, 5],
      [5, 5],
    ]);
    expect(progress.preview("testville", campaign).blockers.join()).toMatch(/isolate 2 respondent/);
    answerMany(t, campaign, versions, [
      [4, 4],
      [4, 4],
      [4, 4],
    ]);
    const second = progress.publish("testville", campaign, "test");
    expect(second.version).toBe(2);
    const fig = t.services.progressFigures.query({ code: "A01" });
    expect(fig.rows[0]?.counts["5"]).toBe(3);
    expect(fig.coverage.included).toHaveLength(1);
  });

  it("refuses publishing a campaign that has not started (receivers would refuse it)", () => {
    const { progress } = t.services;
    const { campaign, versions } = startCampaign(t, ["A01"], {
      start: "2026-07-01",
      end: "2026-07-31",
    });
    answerMany(
      t,
      campaign,
      versions,
      Array.from({ length: 5 }, () => [3]),
    );
    expect(refusal(() => progress.publish("testville", campaign, "test"))).toMatch(
      /has not started yet \| starts after today \(2026-06-15\)/,
    );
  });

  it("types in paper answers without a code", () => {
    const { progress } = t.services;
    const { campaign, versions } = startCampaign(t);
    progress.enterPaper("testville", campaign, { [String(versions[0])]: 2 }, "", "test");
    expect(progress.results("testville", campaign).paths[0]?.counts["2"]).toBe(1);
  });
});
