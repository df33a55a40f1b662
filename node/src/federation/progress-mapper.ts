import type { Article } from "@fedify/vocab";
import {
  escapeHtml,
  type Grid,
  MIN_K,
  PROGRESS_MEDIA_TYPE,
  type ProgressPayload,
  progressDisclosureViolations,
  progressPayloadSchema,
  shareGood,
  unknownPathCodes,
} from "@spiral-network/protocol";
import { readSourcePayload } from "./source-payload";
import { articleMapper } from "./synthesis-mapper";

/** Pure mapping between a progress payload and its ActivityStreams `Article` (docs/protocol.md §13). */

const percent = (share: number | null) => (share === null ? "–" : `${Math.round(share * 100)} %`);

const phaseWords = (payload: ProgressPayload) =>
  payload.campaign.phase === "ex-ante" ? "before actions" : "after actions";

function progressName(payload: ProgressPayload): string {
  const { period } = payload.campaign;
  return `Progress indicators — ${payload.territory.name} — ${period.start} – ${period.end}, cycle ${payload.campaign.cycle}`;
}

/** One line: respondents and the share at 4–5 on each path (Mastodon shows name, summary, link). */
function progressSummary(payload: ProgressPayload, grid: Grid): string {
  const paths = payload.paths
    .map(
      (p) =>
        `${grid.entry(p.code)?.label.en ?? p.code}: ${percent(shareGood(p.counts))} good or ideal`,
    )
    .join("; ");
  return `${payload.respondents} respondents (${phaseWords(payload)}, ${payload.territory.country}, version ${payload.version}) — ${paths}.`;
}

/** Readable HTML without tables or images: per path, its five situations with their counts. */
function progressHtml(payload: ProgressPayload, grid: Grid): string {
  const paths = payload.paths.map((p) => {
    const items = p.statements
      .map((s) => {
        const text = s.text.en ?? Object.values(s.text)[0] ?? "";
        return `<li>${s.level}. ${escapeHtml(text)}: ${p.counts[String(s.level) as "1"]}</li>`;
      })
      .join("");
    const label = escapeHtml(grid.entry(p.code)?.label.en ?? p.code);
    return `<p><strong>${label}</strong> (${p.code}) — ${percent(shareGood(p.counts))} at 4–5, ${p.counts.dontKnow} did not know</p><ul>${items}</ul>`;
  });
  return (
    `<p>${escapeHtml(payload.territory.name)}: ${payload.respondents} inhabitants placed themselves ` +
    `on the territory's paths of progress (SPIRAL self-survey, ${phaseWords(payload)}).</p>` +
    paths.join("")
  );
}

/** The Article a campaign's progress goes out as: a readable face, the exact payload in `source`. */
export const progressToArticle = articleMapper<ProgressPayload>({
  name: progressName,
  summary: progressSummary,
  html: progressHtml,
  mediaType: PROGRESS_MEDIA_TYPE,
});

export type ProgressParse = { ok: true; payload: ProgressPayload } | { ok: false; reason: string };

/**
 * Reads the payload back from an Article with the schema the origin built it with (levels other
 * than 1–5 are refused by it), and the floors every receiver applies whatever the origin's own
 * settings: at least k respondents, no category cell under k.
 */
export function articleToProgress(article: Article, grid: Grid): ProgressParse {
  const parsed = readSourcePayload(article.source, PROGRESS_MEDIA_TYPE, progressPayloadSchema);
  if (!parsed.ok) return parsed;
  const unsafe = progressDisclosureViolations(parsed.payload, MIN_K);
  if (unsafe.length > 0) {
    return { ok: false, reason: `refused by the disclosure rules: ${unsafe.join("; ")}` };
  }
  if (parsed.payload.grid.id === grid.id && parsed.payload.grid.version === grid.version) {
    const unknown = unknownPathCodes(parsed.payload, (code) => grid.entry(code) !== undefined);
    if (unknown.length > 0)
      return { ok: false, reason: `unknown grid codes: ${unknown.join(", ")}` };
  }
  return parsed;
}

/**
 * Whether a progress publication touches a sub-network's theme: one of its paths is on a theme
 * component or dimension; a theme's categories need one of them published as a cell.
 */
export function progressTouchesTheme(
  payload: ProgressPayload,
  theme: {
    dimensions: readonly string[];
    components: readonly string[];
    categories: readonly string[];
  },
): boolean {
  const wantsCodes = theme.dimensions.length > 0 || theme.components.length > 0;
  const codesMatch = payload.paths.some(
    (p) => theme.components.includes(p.code) || theme.dimensions.includes(p.code.charAt(0)),
  );
  if (wantsCodes && !codesMatch) return false;
  if (theme.categories.length > 0) {
    const cells = (payload.categories ?? []).map((c) => c.category);
    if (!cells.some((c) => theme.categories.includes(c))) return false;
  }
  return true;
}
