import { Article, Hashtag, PUBLIC_COLLECTION, Source } from "@fedify/vocab";
import {
  articleToSynthesis,
  periodLabel,
  synthesisToArticle,
} from "@spiral-network/node/federation/synthesis-mapper";
import { defaultGrid, SYNTHESIS_MEDIA_TYPE, type SynthesisPayload } from "@spiral-network/protocol";
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import { isValidPayload, makePayload, rehash, withExtraCount } from "./synthesis-fixtures";

const NODE = "https://mulhouse.example";
const uris = {
  id: new URL(`${NODE}/syntheses/0b1e8a3c-6a52-4c3e-9a39-3f6f3b0f5a11`),
  actor: new URL(`${NODE}/actors/mulhouse`),
  followers: new URL(`${NODE}/actors/mulhouse/followers`),
  url: new URL(`${NODE}/syntheses/0b1e8a3c-6a52-4c3e-9a39-3f6f3b0f5a11`),
  home: new URL(`${NODE}/`),
};
const PUBLISHED = Temporal.Instant.from("2026-03-01T10:00:00Z");

const toArticle = (payload: SynthesisPayload, updated?: Temporal.Instant) =>
  synthesisToArticle(payload, uris, defaultGrid, PUBLISHED, updated);

/** The Article as another node sees it: serialised to compact JSON-LD and parsed again. */
async function overTheWire(article: Article): Promise<Article> {
  return Article.fromJsonLd(await article.toJsonLd({ format: "compact" }));
}

/** An Article shaped like ours but carrying the given source. */
const articleWithSource = (content: string, mediaType = SYNTHESIS_MEDIA_TYPE) =>
  new Article({ id: uris.id, attribution: uris.actor, source: new Source({ content, mediaType }) });

describe("synthesisToArticle → articleToSynthesis", () => {
  it("round-trips the exact payload through compact JSON-LD", async () => {
    const payload = makePayload();
    const received = await overTheWire(toArticle(payload));
    const parsed = articleToSynthesis(received, defaultGrid);
    expect(parsed).toEqual({ ok: true, payload });
    // Byte for byte: the hash still matches what the origin computed.
    expect(received.source?.content).toBe(JSON.stringify(payload));
  });

  it("round-trips a later version with a cycle, and carries `updated`", async () => {
    const payload = makePayload({
      version: 3,
      period: { start: "2026-01-01", end: "2026-06-30", cycle: 2 },
    });
    const updated = Temporal.Instant.from("2026-05-02T08:30:00Z");
    const received = await overTheWire(toArticle(payload, updated));
    expect(articleToSynthesis(received, defaultGrid)).toEqual({ ok: true, payload });
    expect(received.updated?.toString()).toBe(updated.toString());
    expect(received.published?.toString()).toBe(PUBLISHED.toString());
  });

  it("is an Article a Mastodon user can read: name, one-line summary, HTML list, url, hashtags", async () => {
    const payload = makePayload({ name: "Mulhouse" });
    const article = await overTheWire(toArticle(payload));

    expect(article.id?.href).toBe(uris.id.href);
    expect(article.attributionId?.href).toBe(uris.actor.href);
    expect(article.name?.toString()).toBe("Well-being synthesis — Mulhouse — 2026");
    expect(article.toId?.href).toBe(PUBLIC_COLLECTION.href);
    expect(article.ccId?.href).toBe(uris.followers.href);
    expect(article.url).toBeInstanceOf(URL);
    expect((article.url as URL).href).toBe(uris.url.href);

    const summary = article.summary?.toString() ?? "";
    expect(summary).not.toMatch(/[\r\n]/);
    expect(summary).not.toMatch(/</);
    expect(summary).toContain("10 criteria from 12 participants in 2 groups");
    expect(summary).toContain("version 1");
    // The most frequent Q1 dimension, by its label: A (3 + 1 criteria) = access to resources.
    expect(summary).toContain("access to essential resources");

    const content = article.content?.toString() ?? "";
    expect(content).toMatch(/<ul>.*<li>.*<\/li>.*<\/ul>/s);
    expect(content).not.toMatch(/<table|<img|<script|<iframe/i);
    // Dimensions by number of criteria, labelled from the grid: A = A05 (3) + A01 (1).
    expect(content).toContain(
      "<ul><li>Access to essential resources (A): 4</li><li>Personal relations (D): 2</li></ul>",
    );
    expect(content).toContain("<ul><li>Living environment (B): 4</li></ul>");
    // One section per question that has criteria: Q1 and Q2 here, not Q3 / Q4.
    expect(content.match(/<ul>/g)).toHaveLength(2);
    expect(content).toContain("Well-being</strong> — 6 criteria");
    expect(content).toContain("Ill-being</strong> — 4 criteria");
    expect(content).not.toContain("Actions</strong>");

    const tags: Hashtag[] = [];
    for await (const tag of article.getTags()) tags.push(tag as Hashtag);
    expect(tags.every((t) => t instanceof Hashtag)).toBe(true);
    expect(tags.map((t) => t.name?.toString())).toEqual(["#SPIRAL", "#Mulhouse"]);
    // Pages that exist: the node's home page (every synthesis) and the territory's page.
    expect(tags.map((t) => t.href?.href)).toEqual([`${NODE}/`, `${NODE}/actors/mulhouse`]);

    expect(article.source?.mediaType).toBe("application/vnd.spiral.synthesis+json");
    expect(JSON.parse(String(article.source?.content))).toEqual(payload);
  });

  it("escapes the territory name in HTML and strips it to letters and digits for the hashtag", async () => {
    const payload = makePayload({ name: `Saint-Louis <b>"&"</b>` });
    const article = toArticle(payload);
    const content = article.content?.toString() ?? "";
    expect(content).not.toContain("<b>");
    expect(content).toContain("Saint-Louis &#60;b&#62;&#34;&#38;&#34;&#60;/b&#62;");
    const tags: string[] = [];
    for await (const tag of article.getTags()) tags.push(String((tag as Hashtag).name));
    expect(tags).toEqual(["#SPIRAL", "#SaintLouisbb"]);
    expect(articleToSynthesis(await overTheWire(article), defaultGrid)).toEqual({
      ok: true,
      payload,
    });
  });
});

describe("articleToSynthesis refuses, with a reason", () => {
  const refusal = (article: Article) => {
    const parsed = articleToSynthesis(article, defaultGrid);
    expect(parsed.ok).toBe(false);
    return (parsed as { reason: string }).reason;
  };

  it("an Article without a source or with another media type", () => {
    const payload = JSON.stringify(makePayload());
    expect(refusal(articleWithSource(payload, "text/markdown"))).toBe(
      `no ${SYNTHESIS_MEDIA_TYPE} source`,
    );
    expect(refusal(articleWithSource(payload, "application/json"))).toMatch(/no .* source/);
    expect(refusal(new Article({ id: uris.id, content: "<p>hello</p>" }))).toMatch(
      /no application\/vnd\.spiral\.synthesis\+json source/,
    );
  });

  it("a source that is not JSON", () => {
    expect(refusal(articleWithSource("{ not json"))).toBe("the source is not JSON");
    expect(refusal(articleWithSource(""))).toBe("the source is not JSON");
  });

  it("a source with no text", () => {
    const article = new Article({
      id: uris.id,
      source: new Source({ mediaType: SYNTHESIS_MEDIA_TYPE }),
    });
    expect(refusal(article)).toBe("the source has no text");
  });

  it("an invalid payload: negative count, tampered hash, absurd participants, wrong schema", () => {
    const payload = makePayload();

    const negative = structuredClone(payload) as any;
    negative.counts.Q1.A05 = -3;
    expect(refusal(articleWithSource(JSON.stringify(rehash(negative))))).toMatch(
      /^invalid payload: counts\.Q1\.A05: /,
    );

    const tampered = structuredClone(payload) as any;
    tampered.participants = 13;
    tampered.categories[0].participants = 7;
    expect(refusal(articleWithSource(JSON.stringify(tampered)))).toContain(
      "hash: the content hash does not match the payload",
    );

    const absurd = rehash({ ...structuredClone(payload), participants: 50_000_000 });
    expect(refusal(articleWithSource(JSON.stringify(absurd)))).toMatch(
      /^invalid payload: participants: /,
    );

    expect(refusal(articleWithSource(JSON.stringify({ hello: "world" })))).toMatch(
      /^invalid payload: .*schema/,
    );
    expect(refusal(articleWithSource(JSON.stringify([payload])))).toMatch(/^invalid payload/);
  });

  it("unknown grid codes when the payload uses this node's grid (id and version)", () => {
    const payload = withExtraCount(makePayload(), "Q1", "A08", 2);
    expect(isValidPayload(payload)).toBe(true);
    expect(refusal(articleWithSource(JSON.stringify(payload)))).toBe("unknown grid codes: A08");

    const several = withExtraCount(withExtraCount(payload, "Q2", "Z99", 1), "Q3", "A10", 1);
    expect(refusal(articleWithSource(JSON.stringify(several)))).toBe(
      "unknown grid codes: A08, A10, Z99",
    );
  });

  it("but accepts codes it cannot check when the payload uses another grid version", () => {
    const other = withExtraCount(
      makePayload({ grid: { id: defaultGrid.id, version: "2099.1" } }),
      "Q1",
      "A08",
      2,
    );
    expect(articleToSynthesis(articleWithSource(JSON.stringify(other)), defaultGrid)).toEqual({
      ok: true,
      payload: other,
    });
  });
});

describe("periodLabel", () => {
  it("a calendar year is just the year", () => {
    expect(periodLabel({ start: "2026-01-01", end: "2026-12-31" })).toBe("2026");
  });
  it("any other range is shown in full", () => {
    expect(periodLabel({ start: "2026-01-01", end: "2026-06-30" })).toBe("2026-01-01 – 2026-06-30");
    expect(periodLabel({ start: "2025-01-01", end: "2026-12-31" })).toBe("2025-01-01 – 2026-12-31");
    expect(periodLabel({ start: "2026-01-02", end: "2026-12-31" })).toBe("2026-01-02 – 2026-12-31");
  });
  it("a cycle is named after the range", () => {
    expect(periodLabel({ start: "2026-01-01", end: "2026-12-31", cycle: 2 })).toBe("2026, cycle 2");
    expect(periodLabel({ start: "2026-03-01", end: "2026-05-31", cycle: 0 })).toBe(
      "2026-03-01 – 2026-05-31, cycle 0",
    );
  });
  it("the Article name uses it", () => {
    const payload = makePayload({
      name: "Porto",
      period: { start: "2026-01-01", end: "2026-06-30", cycle: 1 },
    });
    expect(toArticle(payload).name?.toString()).toBe(
      "Well-being synthesis — Porto — 2026-01-01 – 2026-06-30, cycle 1",
    );
  });
});
