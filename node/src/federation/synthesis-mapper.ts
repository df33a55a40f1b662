import { Article, Hashtag, PUBLIC_COLLECTION, Source } from "@fedify/vocab";
import {
  disclosureViolations,
  escapeHtml,
  type Grid,
  QUESTIONS,
  type Question,
  SYNTHESIS_MEDIA_TYPE,
  type SynthesisPayload,
  synthesisPayloadSchema,
  unknownGridCodes,
} from "@spiral-network/protocol";
import type { Temporal } from "temporal-polyfill";
import { periodLabel } from "./period-label";
import { readSourcePayload } from "./source-payload";

export { periodLabel };

/** Pure mapping between a synthesis payload and its ActivityStreams `Article` (docs/protocol.md §6). */

const SIDE_LABEL: Record<Question, string> = {
  Q1: "Well-being",
  Q2: "Ill-being",
  Q3: "What you do, or could do",
  Q4: "What should be done together",
};

function synthesisName(payload: SynthesisPayload): string {
  return `Well-being synthesis — ${payload.territory.name} — ${periodLabel(payload.period)}`;
}

function topDimensions(payload: SynthesisPayload, question: Question, grid: Grid, n: number) {
  return Object.entries(payload.dimensions[question] ?? {})
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([code, count]) => ({ code, count, label: grid.entry(code)?.label.en ?? code }));
}

/** One line with the key figures (Mastodon shows the name, this summary and the link). */
function synthesisSummary(payload: SynthesisPayload, grid: Grid): string {
  const top = topDimensions(payload, "Q1", grid, 1)[0];
  const most = top ? `; well-being is most often about ${top.label.toLowerCase()}` : "";
  const groups = `${payload.groups} group${payload.groups === 1 ? "" : "s"}`;
  return (
    `${payload.totals.criteria} criteria from ${payload.participants} participants in ` +
    `${groups} (${payload.territory.country}, version ${payload.version})${most}.`
  );
}

/** Readable HTML without tables or images: for each question, dimensions by number of criteria. */
function synthesisHtml(payload: SynthesisPayload, grid: Grid): string {
  const sections = QUESTIONS.filter((q) => payload.totals.byQuestion[q]).map((question) => {
    const items = topDimensions(payload, question, grid, 20)
      .map((d) => `<li>${escapeHtml(d.label)} (${d.code}): ${d.count}</li>`)
      .join("");
    return `<p><strong>${SIDE_LABEL[question]}</strong> — ${payload.totals.byQuestion[question]} criteria</p><ul>${items}</ul>`;
  });
  return (
    `<p>${escapeHtml(payload.territory.name)}: ${payload.totals.criteria} criteria written by ` +
    `${payload.participants} citizens in ${payload.groups} homogeneous groups (SPIRAL method).</p>` +
    sections.join("")
  );
}

export interface ArticleUris {
  id: URL;
  actor: URL;
  followers: URL;
  /** HTML page of the synthesis (the same URL serves the Article to federation clients). */
  url: URL;
  /** The node's home page (every synthesis it publishes): where #SPIRAL links to. */
  home: URL;
  /** Sub-networks (Group actors) it is addressed to (FEP-1b12), if any. */
  audiences?: URL[];
}

/** How one kind of publication reads as an Article: its title, summary, HTML and media type. */
export interface ArticleFace<P> {
  name: (payload: P) => string;
  summary: (payload: P, grid: Grid) => string;
  html: (payload: P, grid: Grid) => string;
  mediaType: string;
}

/** The mapping from one kind of payload to the Article it goes out as (see `payloadArticle`). */
export function articleMapper<P extends { territory: { name: string } }>(face: ArticleFace<P>) {
  return (
    payload: P,
    uris: ArticleUris,
    grid: Grid,
    published: Temporal.Instant,
    updated?: Temporal.Instant,
  ): Article =>
    payloadArticle(
      {
        territoryName: payload.territory.name,
        name: face.name(payload),
        summary: face.summary(payload, grid),
        content: face.html(payload, grid),
        source: JSON.stringify(payload),
        mediaType: face.mediaType,
      },
      uris,
      published,
      updated,
    );
}

/** The Article a synthesis goes out as: a readable face, and the exact payload in `source`. */
export const synthesisToArticle = articleMapper<SynthesisPayload>({
  name: synthesisName,
  summary: synthesisSummary,
  html: synthesisHtml,
  mediaType: SYNTHESIS_MEDIA_TYPE,
});

/**
 * The Article a territory's publication (a synthesis, a campaign's progress) goes out as: its
 * readable face, public, to its followers, tagged #SPIRAL and with the territory's own tag, and
 * the exact payload in `source`.
 */
function payloadArticle(
  face: {
    territoryName: string;
    name: string;
    summary: string;
    content: string;
    source: string;
    mediaType: string;
  },
  uris: ArticleUris,
  published: Temporal.Instant,
  updated?: Temporal.Instant,
): Article {
  const territoryTag = face.territoryName.replace(/[^\p{L}\p{N}]+/gu, "");
  // Hashtags link to pages that list what they name: the node's home page for #SPIRAL, the
  // territory's page (its actor URL, HTML for browsers) for the territory's own tag.
  const tags: Array<[string, URL]> = [["SPIRAL", uris.home]];
  if (territoryTag) tags.push([territoryTag, uris.actor]);
  return new Article({
    id: uris.id,
    attribution: uris.actor,
    name: face.name,
    summary: face.summary,
    content: face.content,
    url: uris.url,
    to: PUBLIC_COLLECTION,
    cc: uris.followers,
    published,
    ...(updated ? { updated } : {}),
    // Lemmy-style readers look for the group on the object itself, not only on the activity.
    ...(uris.audiences?.length ? { audiences: uris.audiences } : {}),
    tags: tags.map(([tag, href]) => new Hashtag({ href, name: `#${tag}` })),
    source: new Source({ content: face.source, mediaType: face.mediaType }),
  });
}

/** The reason given for a payload that breaks the disclosure floors (inbox guard and handlers). */
export const disclosureRefusal = (problems: string[]) =>
  `refused by the disclosure rules: ${problems.join("; ")}`;

export type ArticleParse = { ok: true; payload: SynthesisPayload } | { ok: false; reason: string };

/**
 * Reads the payload back from an Article, with the same schema the origin built it with, and the
 * disclosure floors every receiver applies whatever the origin's own settings.
 */
export function articleToSynthesis(article: Article, grid: Grid): ArticleParse {
  const parsed = readSourcePayload(article.source, SYNTHESIS_MEDIA_TYPE, synthesisPayloadSchema);
  if (!parsed.ok) return parsed;
  const unsafe = disclosureViolations(parsed.payload);
  if (unsafe.length > 0) return { ok: false, reason: disclosureRefusal(unsafe) };
  if (parsed.payload.grid.id === grid.id && parsed.payload.grid.version === grid.version) {
    const unknown = unknownGridCodes(parsed.payload, grid);
    if (unknown.length > 0)
      return { ok: false, reason: `unknown grid codes: ${unknown.join(", ")}` };
  }
  return parsed;
}
