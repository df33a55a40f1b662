import type { TestNode } from "../node/helpers";

/** Five statements in French and English, confirmed as the territory's public words. */
export function pathInput(
  code = "A01",
  overrides: { confirmedPublic?: boolean; criteria?: number[] } = {},
) {
  const words = ["très difficile", "difficile", "moyen", "bon", "idéal"];
  return {
    code,
    statements: words.map((fr, i) => ({
      text: { fr: `${code} : ${fr}`, en: `${code}: level ${i + 1}` },
      criteria: i === 0 ? (overrides.criteria ?? []) : [],
    })),
    confirmedPublic: overrides.confirmedPublic ?? true,
  };
}

/** A campaign on the given paths (first half of 2026, cycle 1). */
export function campaignInput(paths: string[], overrides: Record<string, unknown> = {}) {
  return {
    label: "Enquête printemps",
    start: "2026-03-01",
    end: "2026-06-30",
    cycle: 1,
    phase: "ex-ante" as const,
    paths,
    askCategory: true,
    ...overrides,
  };
}

/** Creates paths and a campaign through the services; returns their ids. */
export function startCampaign(
  t: TestNode,
  codes = ["A01", "A02"],
  overrides: Record<string, unknown> = {},
) {
  const progress = t.services.progress;
  const paths = codes.map(
    (code) => progress.savePath("testville", null, pathInput(code), "test").uuid,
  );
  const campaign = progress.createCampaign("testville", campaignInput(paths, overrides), "test");
  const versions = progress.getCampaign("testville", campaign.uuid).paths.map((p) => p.version.id);
  return { paths, campaign: campaign.uuid, versions };
}

/** Answers with fresh codes: one response per entry of `levels` (level per path version, in order). */
export function answerMany(
  t: TestNode,
  campaign: string,
  versions: number[],
  levels: Array<Array<number | "dk">>,
  category: string | null = null,
) {
  const codes = t.services.progress.issueCodes("testville", campaign, levels.length, "test");
  levels.forEach((row, i) => {
    const answers = Object.fromEntries(versions.map((v, j) => [String(v), row[j] ?? "dk"]));
    t.services.progress.answer(campaign, codes[i] as string, answers, category ?? "");
  });
}
