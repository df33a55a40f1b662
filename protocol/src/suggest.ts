/**
 * Classification suggestions: which grid components a new criterion probably belongs to, learnt
 * from the criteria this node has already validated. Pure and deterministic (no I/O, no clock,
 * no randomness), so the node, the tests and the benchmark compute the same thing.
 *
 * How a suggestion is computed:
 * 1. Words. A text is lower-cased, stripped of accents, split on anything that is not a letter
 *    or digit; words shorter than 3 letters and a small explicit list of French and English
 *    stop words are dropped; each word is lightly stemmed by removing one common plural or
 *    suffix, keeping at least 3 letters, then cut to its first 5 letters (`logements` → `log`,
 *    `housing` → `hous`, `familles` and `family` → `famil`). A text counts each word once.
 * 2. Model. Every validated criterion is a document labelled by its component (A03, D00…);
 *    the English and French labels of each grid component, with the grid's keywords for it in every
 *    language, are one more, weaker, document each.
 *    Words are weighted by inverse document frequency over all of them (`ln(1 + N / df)`: a word
 *    found in few documents says more), and every document becomes a unit-length vector.
 * 3. Suggestion. The criterion's vector is compared by cosine similarity with every validated
 *    criterion sharing at least one word (through an inverted index, so unrelated ones cost
 *    nothing). The `neighbours` most similar ones (10 by default) vote for their component
 *    with their similarity; each grid label adds its own similarity times `labelWeight` (0.3),
 *    so a node with no validated criterion still gets suggestions from the grid's words.
 *    Components are ranked by total score, ties by code; each comes with the most similar
 *    validated criteria that voted for it and the words it shares with the grid label.
 */

/** A validated criterion the model learns from: its text and the component it was coded under. */
export interface LabelledText {
  text: string;
  component: string;
  /** Kept to report which criteria led to a suggestion (e.g. the database id). */
  id?: number | undefined;
}

/** A grid component as the model reads it (a GridEntry fits). */
export interface LabelledComponent {
  code: string;
  label: { en: string; fr: string };
  /** The grid's everyday words for it, per language (docs/protocol.md, "Grid search"). */
  keywords?: Partial<Record<string, readonly string[]>>;
}

export interface SuggestionOptions {
  /** How many components to return (3). */
  limit?: number;
  /** How many nearest validated criteria vote (10). */
  neighbours?: number;
  /** How many example criteria to report per suggestion (2). */
  examples?: number;
  /** Weight of a grid label's similarity against one validated criterion's (0.3). */
  labelWeight?: number;
}

export interface SuggestionExample {
  text: string;
  id?: number | undefined;
  /** Cosine similarity with the criterion, 0..1. */
  similarity: number;
}

export interface Suggestion {
  component: string;
  /** Sum of the votes: similarities of the voting criteria plus the weighted label similarity. */
  score: number;
  /** The most similar validated criteria coded under this component, best first. */
  because: SuggestionExample[];
  /** The criterion's words (lower case, no accents) whose stem is in the component's grid label. */
  labelWords: string[];
}

export interface SuggestionModel {
  /** How many validated criteria the model learnt from. */
  readonly size: number;
  suggest(text: string, options?: SuggestionOptions): Suggestion[];
}

/** Dropped before weighting: words every criterion uses, in French and English. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  // French (accents already stripped).
  (
    "les des une uns aux par pour sur sous dans avec sans chez entre vers que qui quoi dont " +
    "est sont etre ete avoir ont avons avez fait faire peut peuvent plus moins tres trop " +
    "pas rien tout tous toute toutes mon mes ton tes son ses notre nos votre vos leur leurs " +
    "moi toi lui elle elles nous vous ils eux cette ces cet autre autres meme quand comme " +
    "mais donc car aussi encore deja bien general generale pouvoir vouloir faut " +
    // English.
    "the and for with without from into onto about over under this that these those " +
    "are was were been being have has had does did doing not can could would should will " +
    "you your yours our ours their theirs his her hers its they them who what when where " +
    "which there here than then very more most less all any some much many just also own " +
    "get got general"
  ).split(" "),
);

/** Removed from the end of a word, the first that fits, keeping a stem of 3 letters or more. */
const SUFFIXES = [
  "issements",
  "issement",
  "ements",
  "ement",
  "ations",
  "ation",
  "ments",
  "ment",
  "ities",
  "ites",
  "ite",
  "ity",
  "ness",
  "ings",
  "ing",
  "euses",
  "euse",
  "eux",
  "ives",
  "ive",
  "ies",
  "ers",
  "er",
  "ed",
  "es",
  "s",
  "x",
  "e",
  "y",
];
const MIN_STEM = 3;
/** Longer stems tried on the benchmark fixture (6, 7, none) found fewer right components. */
const MAX_STEM = 5;

/** Lower case without accents: `Être` → `etre`. */
export function foldText(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/**
 * Removes one common plural or suffix (French or English) from a folded word, then keeps at most
 * its first 5 letters, which joins more forms of a word (famille, family → famil).
 */
export function stemWord(word: string): string {
  const suffix = SUFFIXES.find((end) => word.length - end.length >= MIN_STEM && word.endsWith(end));
  return (suffix ? word.slice(0, -suffix.length) : word).slice(0, MAX_STEM);
}

/** The words of a text that carry meaning: stem → the folded word first seen with that stem. */
function wordForms(text: string): Map<string, string> {
  const words = new Map<string, string>();
  for (const raw of foldText(text).split(/[^\p{L}\p{N}]+/u)) {
    if (raw.length < 3 || STOP_WORDS.has(raw)) continue;
    const stem = stemWord(raw);
    if (!words.has(stem)) words.set(stem, raw);
  }
  return words;
}

/** The distinct stemmed words of a text that carry meaning, in order of first appearance. */
export function textWords(text: string): string[] {
  return [...wordForms(text).keys()];
}

/** A document as sparse unit vector: word index → weight. */
type Vector = Map<number, number>;

interface Document {
  component: string;
  text: string;
  id?: number | undefined;
  /** Position among the validated criteria (ties broken by it, so order is stable). */
  order: number;
}

const DEFAULTS = { limit: 3, neighbours: 10, examples: 2, labelWeight: 0.3 } as const;
/** Scores closer than this count as equal, so float noise never reorders a tie. */
const EPSILON = 1e-9;

/**
 * Builds the model once from the validated criteria and the grid's components; `suggest` may
 * then be called many times. Criteria coded under a component missing from `components` still
 * vote (a node may keep codes of an older grid); empty texts are ignored.
 */
export function buildSuggestionModel(
  validated: readonly LabelledText[],
  components: readonly LabelledComponent[],
): SuggestionModel {
  const vocabulary = new Map<string, number>();
  const documentFrequency: number[] = [];
  const wordIndex = (word: string) => {
    let index = vocabulary.get(word);
    if (index === undefined) {
      index = vocabulary.size;
      vocabulary.set(word, index);
      documentFrequency.push(0);
    }
    return index;
  };
  const count = (words: string[]) =>
    words.map((word) => {
      const index = wordIndex(word);
      documentFrequency[index] = (documentFrequency[index] ?? 0) + 1;
      return index;
    });

  const documents: Document[] = [];
  const documentWords: number[][] = [];
  for (const item of validated) {
    const words = textWords(item.text);
    if (words.length === 0) continue;
    documents.push({
      component: item.component,
      text: item.text,
      id: item.id,
      order: documents.length,
    });
    documentWords.push(count(words));
  }
  const labels = components.map((c) => {
    const keywords = Object.values(c.keywords ?? {}).flatMap((list) => list ?? []);
    const words = textWords([c.label.en, c.label.fr, ...keywords].join(" "));
    return { code: c.code, words, indexes: count(words) };
  });

  const total = documents.length + labels.length;
  const idf = documentFrequency.map((df) => Math.log(1 + total / df));
  const unitVector = (indexes: readonly number[]): Vector => {
    let norm = 0;
    for (const i of indexes) norm += (idf[i] ?? 0) ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    return new Map(indexes.map((i) => [i, (idf[i] ?? 0) * scale]));
  };

  const vectors = documentWords.map(unitVector);
  /** Word index → [document position, weight] of the validated criteria using it. */
  const postings = new Map<number, Array<[number, number]>>();
  vectors.forEach((vector, position) => {
    for (const [word, weight] of vector) {
      const list = postings.get(word);
      if (list) list.push([position, weight]);
      else postings.set(word, [[position, weight]]);
    }
  });
  const labelVectors = labels.map((l) => ({ ...l, vector: unitVector(l.indexes) }));

  return {
    size: documents.length,
    suggest(text, options = {}) {
      const { limit, neighbours, examples, labelWeight } = { ...DEFAULTS, ...options };
      const forms = wordForms(text);
      const words = [...forms.keys()].filter((w) => vocabulary.has(w));
      if (words.length === 0 || limit <= 0) return [];
      const query = unitVector(words.map((w) => vocabulary.get(w) ?? 0));

      const similarity = new Map<number, number>();
      for (const [word, weight] of query) {
        for (const [position, other] of postings.get(word) ?? []) {
          similarity.set(position, (similarity.get(position) ?? 0) + weight * other);
        }
      }
      const nearest = [...similarity]
        .sort(([a, sa], [b, sb]) => sb - sa || a - b)
        .slice(0, Math.max(0, neighbours));

      const scores = new Map<string, Suggestion>();
      const entry = (component: string) => {
        const known = scores.get(component);
        if (known) return known;
        const fresh: Suggestion = { component, score: 0, because: [], labelWords: [] };
        scores.set(component, fresh);
        return fresh;
      };
      for (const [position, sim] of nearest) {
        const doc = documents[position];
        if (!doc) continue;
        const s = entry(doc.component);
        s.score += sim;
        if (s.because.length < examples) {
          s.because.push({ text: doc.text, id: doc.id, similarity: round(sim) });
        }
      }
      for (const label of labelVectors) {
        let sim = 0;
        for (const [word, weight] of query) sim += weight * (label.vector.get(word) ?? 0);
        if (sim <= 0) continue;
        const s = entry(label.code);
        s.score += labelWeight * sim;
        s.labelWords = label.words.flatMap((w) => {
          const form = query.has(vocabulary.get(w) ?? -1) ? forms.get(w) : undefined;
          return form ? [form] : [];
        });
      }
      return [...scores.values()]
        .map((s) => ({ ...s, score: round(s.score) }))
        .sort((a, b) =>
          Math.abs(b.score - a.score) > EPSILON
            ? b.score - a.score
            : a.component < b.component
              ? -1
              : a.component > b.component
                ? 1
                : 0,
        )
        .slice(0, limit);
    },
  };
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;
