import { stemmer as arabic } from "@orama/stemmers/arabic";
import { stemmer as english } from "@orama/stemmers/english";
import { stemmer as french } from "@orama/stemmers/french";
import { stemmer as italian } from "@orama/stemmers/italian";
import { stemmer as portuguese } from "@orama/stemmers/portuguese";
import { stemmer as spanish } from "@orama/stemmers/spanish";
import type { Grid, GridEntry, Language } from "./grid.ts";

/**
 * Search over a grid's components, as the classification picker offers it (docs/protocol.md,
 * "Grid search").
 *
 * - A code, in any case, lists the components it starts: `a0` → A00…A09, `a03/p15` → A03.
 * - Words find components by their labels in every language the grid gives, the English
 *   description, and the grid's `keywords` (everyday words per language: bus, loyer, médecin).
 *   A dimension's labels and keywords count for its "in general" component (D → D00).
 * - Matching ignores case and accents and compares Snowball stems (so `médecins` finds
 *   `médecin`, `transports` finds `transport`): each text is stemmed in its own language; a
 *   query word, whose language is not known, in every language of the grid. A word of 4 letters
 *   or more also matches the beginning of a word (`pollu` finds pollution), for typing.
 * - Every word of the query must match. Components are ranked by how they match (a keyword or
 *   a label before a description, a whole word before a beginning), then by code.
 */

type Stemmer = (word: string) => string;

/** One Snowball stemmer per language the grid may label in. */
const STEMMERS: Record<Language, Stemmer> = {
  en: english,
  fr: french,
  pt: portuguese,
  es: spanish,
  it: italian,
  ar: arabic,
};

/** Lower case, no accents or other combining marks (é → e, Arabic short vowels dropped). */
export function foldWord(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/** The words of a text, lower-cased (accents kept for the stemmers). */
const wordsOf = (text: string): string[] =>
  text
    .toLowerCase()
    .split(/[^\p{L}\p{M}\p{N}]+/u)
    .filter((word) => word.length > 0);

/** Small words every text has, which would match everything (the query drops them). */
const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a an and the of in on for to with or at by de des du la le les l d un une et en au aux " +
    "pour par sur avec ou da do dos das o os e em no na um uma com por el los las y con del al " +
    "il lo gli i di del della e per con su ou و في من على"
  ).split(" "),
);

/**
 * Where a query word met an entry: the higher, the better. A keyword counts as much as a label
 * (both name the entry); a word found as written gets one more point than one found only by its
 * stem, which another language's stemmer may have given (fr habits and pt habitação share
 * `habit`).
 */
const Match = { Keyword: 3, Label: 3, Description: 2, Prefix: 1 } as const;
type Match = (typeof Match)[keyof typeof Match];

interface IndexedEntry {
  entry: GridEntry;
  /** Folded stem → the best kind of text it came from. */
  stems: Map<string, Match>;
  /** Folded whole word → the best kind of text it came from (also for prefix matching). */
  words: Map<string, Match>;
}

export interface GridSearch {
  /** The components matching a query, best first; an empty query lists them all. */
  search(query: string): GridEntry[];
}

const CODE_QUERY = /^([A-Za-z])(\d{0,2})(?:-\d{0,2})?(?:\/.*)?$/;
const PREFIX_MIN = 4;

/** Builds the search index of a grid once; searching it is then a few set look-ups. */
export function createGridSearch(grid: Grid): GridSearch {
  const indexed = grid.components.map((component): IndexedEntry => {
    const stems = new Map<string, Match>();
    const words = new Map<string, Match>();
    const keep = (map: Map<string, Match>, key: string, kind: Match) => {
      if ((map.get(key) ?? 0) < kind) map.set(key, kind);
    };
    const add = (text: string | undefined, language: Language, kind: Match) => {
      for (const word of wordsOf(text ?? "")) {
        keep(words, foldWord(word), kind);
        keep(stems, foldWord(STEMMERS[language](word)), kind);
      }
    };
    const dimension = grid.entry(component.dimension);
    const own = component.code.endsWith("00") && dimension ? [component, dimension] : [component];
    for (const entry of own) {
      for (const [language, label] of Object.entries(entry.label) as Array<[Language, string]>) {
        add(label, language, Match.Label);
      }
      for (const [language, list] of Object.entries(entry.keywords) as Array<
        [Language, readonly string[]]
      >) {
        for (const keyword of list) add(keyword, language, Match.Keyword);
      }
      add(entry.description, "en", Match.Description);
    }
    return { entry: component, stems, words };
  });

  /** How well one query word matches an entry (0: not at all). */
  const score = (item: IndexedEntry, word: string): number => {
    const folded = foldWord(word);
    const asWritten = item.words.get(folded);
    if (asWritten) return asWritten * 2 + 1;
    let best = 0;
    for (const stem of Object.values(STEMMERS)) {
      best = Math.max(best, item.stems.get(foldWord(stem(word))) ?? 0);
    }
    if (best > 0) return best * 2;
    if (folded.length >= PREFIX_MIN) {
      for (const known of item.words.keys()) if (known.startsWith(folded)) return Match.Prefix * 2;
    }
    return 0;
  };

  return {
    search(query) {
      const q = query.trim();
      if (!q) return [...grid.components];
      const code = CODE_QUERY.exec(q);
      if (code) {
        const prefix = `${code[1] ?? ""}${code[2] ?? ""}`.toUpperCase();
        return grid.components.filter((entry) => entry.code.startsWith(prefix));
      }
      const words = wordsOf(q).filter((word) => !STOP_WORDS.has(foldWord(word)));
      if (words.length === 0) return [];
      return indexed
        .map((item) => {
          let total = 0;
          for (const word of words) {
            const s = score(item, word);
            if (s === 0) return undefined;
            total += s;
          }
          return { item, total };
        })
        .filter((found) => found !== undefined)
        .sort((a, b) => b.total - a.total || a.item.entry.code.localeCompare(b.item.entry.code))
        .map((found) => found.item.entry);
    },
  };
}
