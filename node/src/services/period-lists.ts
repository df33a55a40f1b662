/**
 * The figures index's entries by period (docs/architecture.md, "Figures state"): one list per
 * (start, end), and within it one per published category, each in key order, kept with the
 * index. A figure with a period range or one category and no place scans the lists of the
 * periods inside the range (of that category) instead of every entry.
 */

export interface PeriodEntry {
  key: string;
  start: string;
  end: string;
  categories: readonly string[];
}

interface PeriodList<E> {
  start: string;
  end: string;
  entries: E[];
  byCategory: Map<string, E[]>;
}

const periodOf = (entry: PeriodEntry) => `${entry.start}\n${entry.end}`;

/** Whether a period lies in [from, to] (either bound may be absent). */
const inRange = (list: { start: string; end: string }, from?: string, to?: string) =>
  (from === undefined || list.start >= from) && (to === undefined || list.end <= to);

/** Index of the first entry whose key is ≥ `key` in a list sorted by key. */
function lowerBound(list: readonly PeriodEntry[], key: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as PeriodEntry).key < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const byKey = (a: PeriodEntry, b: PeriodEntry) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Puts an entry in a key-ordered list, or replaces the one of the same key; true if added. */
function putSorted<E extends PeriodEntry>(list: E[], entry: E): boolean {
  const at = lowerBound(list, entry.key);
  if (list[at]?.key === entry.key) {
    list[at] = entry;
    return false;
  }
  list.splice(at, 0, entry);
  return true;
}

/** Removes the entry of this key from a key-ordered list; true if it held it. */
function dropSorted(list: PeriodEntry[], key: string): boolean {
  const at = lowerBound(list, key);
  if (list[at]?.key !== key) return false;
  list.splice(at, 1);
  return true;
}

export function createPeriodLists<E extends PeriodEntry>() {
  const lists = new Map<string, PeriodList<E>>();
  let size = 0;

  const listOf = (entry: E): PeriodList<E> => {
    const period = periodOf(entry);
    let list = lists.get(period);
    if (!list) {
      list = { start: entry.start, end: entry.end, entries: [], byCategory: new Map() };
      lists.set(period, list);
    }
    return list;
  };
  const categoryList = (list: PeriodList<E>, category: string): E[] => {
    let entries = list.byCategory.get(category);
    if (!entries) {
      entries = [];
      list.byCategory.set(category, entries);
    }
    return entries;
  };

  return {
    /**
     * Adds an entry, or replaces the one of the same key (drop the one it replaces first when
     * its period or categories may differ).
     */
    put(entry: E): void {
      const list = listOf(entry);
      if (putSorted(list.entries, entry)) size++;
      for (const category of new Set(entry.categories))
        putSorted(categoryList(list, category), entry);
    },

    /** Removes the entry of this key, as filed under this period and these categories. */
    drop(entry: PeriodEntry): void {
      const period = periodOf(entry);
      const list = lists.get(period);
      if (!list || !dropSorted(list.entries, entry.key)) return;
      size--;
      for (const category of new Set(entry.categories)) {
        const entries = list.byCategory.get(category);
        if (entries) dropSorted(entries, entry.key);
      }
      if (list.entries.length === 0) lists.delete(period);
    },

    /** Replaces every list by these entries (given in key order). */
    reset(entries: readonly E[]): void {
      lists.clear();
      size = 0;
      for (const entry of entries) {
        const list = listOf(entry);
        list.entries.push(entry);
        for (const category of new Set(entry.categories)) categoryList(list, category).push(entry);
        size++;
      }
    },

    /**
     * The entries whose period lies in [from, to] (either bound may be absent), those that
     * publish `category` when given, in key order; null when they are more than a quarter of
     * all entries (a scan of them all costs less than putting several lists back in key order).
     */
    within(
      from: string | undefined,
      to: string | undefined,
      category?: string,
    ): readonly E[] | null {
      const picked: E[][] = [];
      let count = 0;
      for (const list of lists.values()) {
        if (!inRange(list, from, to)) continue;
        const entries = category === undefined ? list.entries : list.byCategory.get(category);
        if (!entries || entries.length === 0) continue;
        picked.push(entries);
        count += entries.length;
      }
      if (picked.length <= 1) return picked[0] ?? [];
      if (count * 4 > size) return null;
      return picked.flat().sort(byKey);
    },

    /**
     * The entries of one period (null: of every period) that publish `category` ("": all of
     * them), as the lists hold them (one list per period).
     */
    slice(period: { start: string; end: string } | null, category: string): E[][] {
      const picked: E[][] = [];
      for (const list of lists.values()) {
        if (period && (list.start !== period.start || list.end !== period.end)) continue;
        const entries = category === "" ? list.entries : list.byCategory.get(category);
        if (entries && entries.length > 0) picked.push(entries);
      }
      return picked;
    },

    /** The periods held whose (start, end) lies in [from, to], and how many periods are held. */
    periodsWithin(
      from: string | undefined,
      to: string | undefined,
    ): { within: Array<{ start: string; end: string }>; held: number } {
      const within: Array<{ start: string; end: string }> = [];
      for (const list of lists.values()) {
        if (!inRange(list, from, to)) continue;
        within.push({ start: list.start, end: list.end });
      }
      return { within, held: lists.size };
    },

    size: () => size,
  };
}
export type PeriodLists<E extends PeriodEntry> = ReturnType<typeof createPeriodLists<E>>;
