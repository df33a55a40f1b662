import { escapeHtml } from "@spiral-network/protocol";

/** Who wrote a feed or an entry: a territory (its actor's address) or the node. */
export interface FeedAuthor {
  name: string;
  uri: string;
}

/** One entry: everything in it is already public (the public pages' rules). */
export interface FeedEntry {
  /** A permanent address: the synthesis's Article, the meeting's Event, a received object. */
  id: string;
  /** Plain text; escaped here. */
  title: string;
  /** The page a reader opens. */
  url: string;
  updated: string;
  published?: string | undefined;
  /** Plain text; escaped here. */
  summary?: string | undefined;
  /** HTML already escaped by whoever built it (e.g. the protocol's meeting HTML). */
  contentHtml?: string | undefined;
  author?: FeedAuthor | undefined;
}

export interface FeedSpec {
  /** The feed's own address: its atom:id and its rel="self" link. */
  selfUrl: string;
  /** The public page the feed follows (rel="alternate"). */
  pageUrl: string;
  /** Plain text. */
  title: string;
  /** Plain text. */
  subtitle?: string | undefined;
  author: FeedAuthor;
  entries: readonly FeedEntry[];
}

/**
 * Characters XML 1.0 allows nowhere, not even as a character reference (its Char production):
 * a peer may put them in its territory's name, and one would make the whole feed unreadable.
 */
const NOT_XML_CHAR =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters removed
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const xmlSafe = (text: string) => text.replace(NOT_XML_CHAR, "");
const safeText = <T extends string | undefined>(text: T): T =>
  (text === undefined ? text : xmlSafe(text)) as T;

/** The date an Atom document wants (RFC 3339, UTC). */
const instant = (iso: string) => new Date(iso);

/**
 * An Atom 1.0 document (RFC 4287) with the `feed` library: atom:id, atom:updated (the newest
 * entry's), the author, the self and alternate links; titles and summaries are escaped here, as
 * the library marks them as HTML.
 */
export async function atomFeed(unsafe: FeedSpec): Promise<string> {
  // Loaded with the first feed asked for, not at start (≈ 4 MB; docs/benchmarks.md, "A light node").
  const { Feed } = await import("feed");
  const spec = safeSpec(unsafe);
  const newest = spec.entries.reduce<string | undefined>(
    (latest, entry) => (latest === undefined || entry.updated > latest ? entry.updated : latest),
    undefined,
  );
  const feed = new Feed({
    id: spec.selfUrl,
    title: spec.title,
    ...(spec.subtitle ? { description: spec.subtitle } : {}),
    link: spec.pageUrl,
    feedLinks: { atom: spec.selfUrl },
    // An empty feed says the epoch: a date of its own would tell something the pages do not.
    updated: instant(newest ?? "1970-01-01T00:00:00.000Z"),
    author: { name: spec.author.name, link: spec.author.uri },
    generator: "Spiral Network",
  });
  for (const entry of spec.entries) {
    feed.addItem({
      id: entry.id,
      title: escapeHtml(entry.title),
      link: entry.url,
      date: instant(entry.updated),
      ...(entry.published ? { published: instant(entry.published) } : {}),
      ...(entry.summary ? { description: escapeHtml(entry.summary) } : {}),
      ...(entry.contentHtml ? { content: entry.contentHtml } : {}),
      ...(entry.author ? { author: [{ name: entry.author.name, link: entry.author.uri }] } : {}),
    });
  }
  return feed.atom1();
}

/** Every string of a feed without the characters XML cannot carry. */
function safeSpec(spec: FeedSpec): FeedSpec {
  const author = (a: FeedAuthor): FeedAuthor => ({ name: xmlSafe(a.name), uri: xmlSafe(a.uri) });
  return {
    selfUrl: xmlSafe(spec.selfUrl),
    pageUrl: xmlSafe(spec.pageUrl),
    title: xmlSafe(spec.title),
    subtitle: safeText(spec.subtitle),
    author: author(spec.author),
    entries: spec.entries.map((entry) => ({
      id: xmlSafe(entry.id),
      title: xmlSafe(entry.title),
      url: xmlSafe(entry.url),
      updated: entry.updated,
      published: entry.published,
      summary: safeText(entry.summary),
      contentHtml: safeText(entry.contentHtml),
      author: entry.author ? author(entry.author) : undefined,
    })),
  };
}

export const ATOM_TYPE = "application/atom+xml; charset=utf-8";
