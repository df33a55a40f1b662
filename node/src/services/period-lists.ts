/**
 * The figures index's entries by period (docs/architecture.md, "Figures state"): one list per
 * (start, end), each in key order, kept with the index. A figure with a period range and no
 * place scans the lists of the periods inside the range instead of every entry.
 */

export interface PeriodEntry {
  key: string;
  start: string;
  end: string;
}

const periodOf = (entry: PeriodEntry) => `${entry.start}\n${entry.end}`;

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

export function createPeriodLists<E extends PeriodEntry>() {
  const lists = new Map<string, { start: string; end: string; entries: E[] }>();
  let size = 0;

  return {
    /** Adds an entry, or replaces the one of the same key (same period: the key holds it). */
    put(entry: E): void {
      const period = periodOf(entry);
      let list = lists.get(period);
      if (!list) {
        list = { start: entry.start, end: entry.end, entries: [] };
        lists.set(period, list);
      }
      const at = lowerBound(list.entries, entry.key);
      if (list.entries[at]?.key === entry.key) list.entries[at] = entry;
      else {
        list.entries.splice(at, 0, entry);
        size++;
      }
    },

    /** Removes the entry of this key and period, if held. */
    drop(entry: PeriodEntry): void {
      const period = periodOf(entry);
      const list = lists.get(period);
      if (!list) return;
      const at = lowerBound(list.entries, entry.key);
      if (list.entries[at]?.key !== entry.key) return;
      list.entries.splice(at, 1);
      size--;
      if (list.entries.length === 0) lists.delete(period);
    },

    /** Replaces every list by these entries (given in key order). */
    reset(entries: readonly E[]): void {
      lists.clear();
      size = 0;
      for (const entry of entries) {
        const period = periodOf(entry);
        let list = lists.get(period);
        if (!list) {
          list = { start: entry.start, end: entry.end, entries: [] };
          lists.set(period, list);
        }
        list.entries.push(entry);
        size++;
      }
    },

    /**
     * The entries whose period lies in [from, to] (either bound may be absent), in key order;
     * null when they are more than a quarter of all entries (a scan of them all costs less than
     * putting several lists back in key order).
     */
    within(from: string | undefined, to: string | undefined): readonly E[] | null {
      const picked: E[][] = [];
      let count = 0;
      for (const list of lists.values()) {
        if (from !== undefined && list.start < from) continue;
        if (to !== undefined && list.end > to) continue;
        picked.push(list.entries);
        count += list.entries.length;
      }
      if (picked.length <= 1) return picked[0] ?? [];
      if (count * 4 > size) return null;
      return picked.flat().sort(byKey);
    },

    size: () => size,
  };
}
export type PeriodLists<E extends PeriodEntry> = ReturnType<typeof createPeriodLists<E>>;
