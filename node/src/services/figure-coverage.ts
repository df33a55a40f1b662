import { PLAUSIBILITY_DEFAULTS } from "@spiral-network/protocol";

/**
 * What a figure's coverage needs, kept per place as entries change (docs/architecture.md,
 * "Figures state"): a read of the world, one country or one region — or, worldwide, of one
 * period, one category, or one category in one period (a slice) — finds its exclusion counts,
 * overlap losers, counted origins and the sorted plausibility ratios ready, instead of scanning
 * every entry. Everything here follows the protocol's `aggregate()` (protocol/src/aggregation.ts):
 * exclusion reasons in its order, `resolveOverlaps`, `plausibilityOutliers`.
 */

/** What the coverage reads of an entry (the index's entries carry it). */
export interface CoverageEntry {
  key: string;
  origin: string;
  periodKey: string;
  start: string;
  end: string;
  country: string;
  region: string;
  conflicted: boolean;
  gridId: string;
  gridVersion: string;
  participants: number;
  criteria: number;
  endorsed: boolean;
  /** The group categories its payload breaks its counts down by. */
  categories: readonly string[];
  /**
   * Whether its origin was trusted at the last refresh of the origin's cells: written here, so
   * a walk over a place's entries tells untrusted ones without a lookup each.
   */
  originTrusted: boolean;
}

export type Level = "world" | "country" | "region";
/**
 * Slices kept at most (16 of them took 6.5 MiB of heap over 10 000 entries, built in 0.3 s all
 * told: docs/benchmarks.md, "Aggregates"); reads of others scan, as before slices were kept.
 */
export const MAX_SLICES = 16;
const LEVELS: readonly Level[] = ["world", "country", "region"];

/** One entry's log-ratio of criteria per participant, as the plausibility rule takes it. */
interface Logged<E> {
  x: number;
  entry: E;
}

/** The coverage state of one place in one view (every entry, or the trusted origins' only). */
export interface PlaceCell<E> {
  entries: number;
  conflicted: number;
  otherGrid: number;
  /** Candidates another period of the same territory outranks (`resolveOverlaps`). */
  losers: Set<E>;
  /** Candidates that count (not losers), and how many of them each origin has. */
  counted: number;
  origins: Map<string, number>;
  /** The counted entries reporting criteria, sorted by (log-ratio, key). */
  logs: Logged<E>[];
  /** Counted entries over the hard ceiling of criteria per participant. */
  ceiling: Set<E>;
  /** Counted entries outside the endorsed partition (the endorsed figure adds them back). */
  offPartition: Set<E>;
  /** The last `implausibleOf` answer, given again while the same entries are implausible. */
  implausible: Implausible<E> | null;
}

/** A cell's implausible entries, and their origins sorted (a figure's flagged origins). */
export interface Implausible<E> {
  /** Over the ceiling, then the outliers, in the order `implausibleOf` found them. */
  list: readonly E[];
  entries: ReadonlySet<E>;
  origins: readonly string[];
}

/** A period, as entries' (start, end): the cycles of one period fall in the same slice. */
export interface SlicePeriod {
  start: string;
  end: string;
}

export interface Place<E> {
  level: Level;
  country: string;
  /** A slice's category ("" for every category, as every place but a category's slice). */
  category: string;
  /** A slice's period (null for every period). */
  period: SlicePeriod | null;
  /** Every entry of the place, sorted by key (the coverage lists' order). */
  sorted: E[];
  all: PlaceCell<E>;
  trusted: PlaceCell<E>;
  /** Refreshes of an origin with entries here, counted (see `unchangedThrough`). */
  edits: number;
  /** The origins of the last EDITS_KEPT refreshes, at `edits` modulo EDITS_KEPT. */
  edited: string[];
}

/** Refreshed origins a place remembers (what a read's memo of the place is checked against). */
const EDITS_KEPT = 64;

export const emptyPlace = <E>(
  level: Level,
  country: string,
  category: string,
  period: SlicePeriod | null,
): Place<E> => ({
  level,
  country,
  category,
  period,
  sorted: [],
  all: emptyCell(),
  trusted: emptyCell(),
  edits: 0,
  edited: [],
});

/**
 * Whether a place's entries up to `lastKey` (in key order) are as they were at its `since`-th
 * edit: no origin refreshed since has a key at or before it. Entries sort by origin first, so
 * an origin's refresh changes nothing before its own keys (its trust, overlaps and versions are
 * its own). False when more edits happened than the place remembers.
 */
export function unchangedThrough<E>(place: Place<E>, since: number, lastKey: string): boolean {
  if (place.edits - since > EDITS_KEPT) return false;
  for (let at = since + 1; at <= place.edits; at++) {
    if (`${place.edited[at % EDITS_KEPT]}\n` <= lastKey) return false;
  }
  return true;
}

const noteEdit = <E>(place: Place<E>, origin: string) => {
  place.edits++;
  place.edited[place.edits % EDITS_KEPT] = origin;
};

type Status = "conflicted" | "other-grid-version" | "overlapping" | "counted";

/** What one entry added to one cell, to take it back when its origin changes. */
interface Added<E> {
  /** Which place or slice, which of its cells, which entry: what a new version replaces. */
  id: string;
  place: Place<E>;
  cell: PlaceCell<E>;
  entry: E;
  status: Status;
  x: number | null;
}

export const emptyCell = <E>(): PlaceCell<E> => ({
  entries: 0,
  conflicted: 0,
  otherGrid: 0,
  losers: new Set(),
  counted: 0,
  origins: new Map(),
  logs: [],
  ceiling: new Set(),
  offPartition: new Set(),
  implausible: null,
});

const placeKey = (level: Level, country: string, region: string) =>
  level === "world"
    ? "w"
    : level === "country"
      ? `c\u0000${country}`
      : `r\u0000${country}\u0000${region}`;

/** A worldwide slice: one period (or every one) and one category (or every one). */
const sliceKey = (period: SlicePeriod | null, category: string) =>
  `s\u0000${period?.start ?? ""}\u0000${period?.end ?? ""}\u0000${category}`;

/**
 * Where an entry is counted: its three places, and of the slices kept (`kept`), its period's,
 * its categories' and its categories' in its period.
 */
interface Home {
  key: string;
  level: Level;
  country: string;
  category: string;
  period: SlicePeriod | null;
}
const homesOf = (entry: CoverageEntry, kept: ReadonlySet<string>): Home[] => {
  const homes: Home[] = LEVELS.map((level) => ({
    key: placeKey(level, entry.country, level === "region" ? entry.region : ""),
    level,
    country: level === "world" ? "" : entry.country,
    category: "",
    period: null,
  }));
  if (kept.size === 0) return homes;
  const period = { start: entry.start, end: entry.end };
  const slice = (p: SlicePeriod | null, category: string) => {
    const key = sliceKey(p, category);
    if (kept.has(key)) homes.push({ key, level: "world", country: "", category, period: p });
  };
  slice(period, "");
  for (const category of new Set(entry.categories)) {
    slice(period, category);
    slice(null, category);
  }
  return homes;
};

/** Days a period spans (inclusive). */
const periodDays = (entry: CoverageEntry) =>
  (Date.parse(`${entry.end}T00:00:00Z`) - Date.parse(`${entry.start}T00:00:00Z`)) / 86_400_000 + 1;

/** The protocol's `resolveOverlaps` for the candidates of one origin: the ones that do not count. */
export function overlapLosers<E extends CoverageEntry>(list: readonly E[], losers: Set<E>): void {
  if (list.length < 2) return;
  const ranked = [...list].sort(
    (a, b) =>
      periodDays(b) - periodDays(a) ||
      (a.periodKey < b.periodKey ? -1 : a.periodKey > b.periodKey ? 1 : 0),
  );
  const kept: E[] = [];
  for (const entry of ranked) {
    if (kept.some((k) => entry.start <= k.end && k.start <= entry.end)) losers.add(entry);
    else kept.push(entry);
  }
}

const byLog = <E extends CoverageEntry>(a: Logged<E>, b: Logged<E>) =>
  a.x - b.x || (a.entry.key < b.entry.key ? -1 : a.entry.key > b.entry.key ? 1 : 0);

/** Index of the first element not before `probe` in a sorted array. */
function lowerBound<T>(list: readonly T[], probe: T, compare: (a: T, b: T) => number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compare(list[mid] as T, probe) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const byKey = (a: CoverageEntry, b: CoverageEntry) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * The k-th smallest (0-based) |x − m| over sorted x: two sorted runs, the distances left of m
 * (growing leftwards) and right of it, searched by bisection on how many come from the left.
 */
function kthDistance(logs: readonly Logged<unknown>[], m: number, split: number, k: number) {
  const left = (i: number) => Math.abs((logs[split - 1 - i] as Logged<unknown>).x - m);
  const right = (j: number) => Math.abs((logs[split + j] as Logged<unknown>).x - m);
  const nl = split;
  const nr = logs.length - split;
  let lo = Math.max(0, k + 1 - nr);
  let hi = Math.min(k + 1, nl);
  for (;;) {
    const a = (lo + hi) >> 1;
    const b = k + 1 - a;
    if (a > 0 && b < nr && left(a - 1) > right(b)) hi = a - 1;
    else if (b > 0 && a < nl && right(b - 1) > left(a)) lo = a + 1;
    else {
      const fromLeft = a > 0 ? left(a - 1) : Number.NEGATIVE_INFINITY;
      const fromRight = b > 0 ? right(b - 1) : Number.NEGATIVE_INFINITY;
      return Math.max(fromLeft, fromRight);
    }
  }
}

/**
 * The relative plausibility rule (`plausibilityOutliers`) over the sorted log-ratios: median and
 * MAD by order statistics, and the outliers, a prefix and a suffix of the sorted order.
 */
export function sortedOutliers<E>(logs: readonly Logged<E>[]): E[] {
  const n = logs.length;
  if (n < PLAUSIBILITY_DEFAULTS.minEntries) return [];
  const at = (i: number) => (logs[i] as Logged<E>).x;
  // The protocol's median: the middle value, or the mean of the two middle ones.
  const m = n % 2 === 1 ? at(n >> 1) : (at((n >> 1) - 1) + at(n >> 1)) / 2;
  const split = lowerBound(logs as Logged<E>[], { x: m } as Logged<E>, (a, b) => a.x - b.x);
  const mid = n >> 1;
  const upper = kthDistance(logs, m, split, mid);
  const mad = n % 2 === 1 ? upper : (kthDistance(logs, m, split, mid - 1) + upper) / 2;
  if (mad === 0) return [];
  const minDistance = Math.log(PLAUSIBILITY_DEFAULTS.minFactor);
  const far = (x: number) => {
    const distance = Math.abs(x - m);
    return (0.6745 * distance) / mad > PLAUSIBILITY_DEFAULTS.threshold && distance > minDistance;
  };
  const out: E[] = [];
  let i = 0;
  for (; i < n && far(at(i)); i++) out.push((logs[i] as Logged<E>).entry);
  for (let j = n - 1; j >= i && far(at(j)); j--) out.push((logs[j] as Logged<E>).entry);
  return out;
}

/**
 * The implausible entries of a cell: over the ceiling, or out of line with their peers. Most
 * changes leave them as they were (a read after each change would build the same sets again):
 * the cell keeps its last answer and gives it again while the list is the same.
 */
export function implausibleOf<E extends { origin: string }>(cell: PlaceCell<E>): Implausible<E> {
  const list = [...cell.ceiling, ...sortedOutliers(cell.logs)];
  const held = cell.implausible;
  if (held && held.list.length === list.length && held.list.every((e, i) => e === list[i])) {
    return held;
  }
  const entries = new Set(list);
  const origins = [...new Set(list.map((e) => e.origin))].sort();
  cell.implausible = { list, entries, origins };
  return cell.implausible;
}

/**
 * The per-place coverage state. `isTrusted` is the endorsed scope's trust (an origin's entries
 * are all in or all out of the trusted view); `entriesOf` lists an origin's entries from the
 * index. Changes are marked per origin (`touch`) and applied before the next read (`sync`):
 * an origin's few entries are taken out of every cell and put back, overlaps recomputed.
 */
export function createFigureCoverage<E extends CoverageEntry>(
  grid: { id: string; version: string },
  isTrusted: (origin: string) => boolean,
  entriesOf: (origin: string) => readonly E[],
) {
  const places = new Map<string, Place<E>>();
  /** The slices read so far: only those are kept (each is built at its first read). */
  const kept = new Set<string>();
  const added = new Map<string, Added<E>[]>();
  const stale = new Set<string>();
  /** Entries held per grid (id and version): whether other versions of a grid are held. */
  const grids = new Map<string, number>();
  let bulk = false;

  /** Per region label, the countries with entries in a region of that name. */
  const regions = new Map<string, Map<string, number>>();
  const countRegion = (place: Place<E>, region: string, sign: 1 | -1) => {
    if (place.level !== "region") return;
    let countries = regions.get(region);
    if (!countries) {
      countries = new Map();
      regions.set(region, countries);
    }
    const n = (countries.get(place.country) ?? 0) + sign;
    if (n > 0) countries.set(place.country, n);
    else countries.delete(place.country);
  };

  const placeFor = (home: Home) => {
    let place = places.get(home.key);
    if (!place) {
      place = emptyPlace(home.level, home.country, home.category, home.period);
      places.set(home.key, place);
    }
    return place;
  };

  const statusOf = (entry: E, losers: ReadonlySet<E>): Status => {
    if (entry.conflicted) return "conflicted";
    if (entry.gridId !== grid.id || entry.gridVersion !== grid.version) return "other-grid-version";
    return losers.has(entry) ? "overlapping" : "counted";
  };

  const insertSorted = <T>(list: T[], item: T, compare: (a: T, b: T) => number) => {
    if (bulk) list.push(item);
    else list.splice(lowerBound(list, item, compare), 0, item);
  };
  const removeSorted = <T>(list: T[], item: T, compare: (a: T, b: T) => number) => {
    const at = lowerBound(list, item, compare);
    if (at < list.length && compare(list[at] as T, item) === 0) list.splice(at, 1);
  };
  /** Replaces `old` by `item`, moving only the elements between their places (no splice). */
  const replaceSorted = <T>(list: T[], old: T, item: T, compare: (a: T, b: T) => number) => {
    const from = lowerBound(list, old, compare);
    if (from >= list.length || compare(list[from] as T, old) !== 0) {
      insertSorted(list, item, compare);
      return;
    }
    // Where `item` goes in the list as it is (`old` still in it).
    const to = lowerBound(list, item, compare);
    if (to > from) {
      list.copyWithin(from, from + 1, to);
      list[to - 1] = item;
    } else {
      list.copyWithin(to + 1, to, from);
      list[to] = item;
    }
  };

  const count = (a: Added<E>, sign: 1 | -1) => {
    const { cell, entry, status } = a;
    cell.entries += sign;
    if (status === "conflicted") cell.conflicted += sign;
    else if (status === "other-grid-version") cell.otherGrid += sign;
    else if (status === "overlapping") {
      if (sign > 0) cell.losers.add(entry);
      else cell.losers.delete(entry);
    } else {
      cell.counted += sign;
      const n = (cell.origins.get(entry.origin) ?? 0) + sign;
      if (n > 0) cell.origins.set(entry.origin, n);
      else cell.origins.delete(entry.origin);
      const ceiling = entry.criteria > PLAUSIBILITY_DEFAULTS.ceiling * entry.participants;
      const off = cell !== a.place.all && !entry.endorsed;
      if (sign > 0) {
        if (ceiling) cell.ceiling.add(entry);
        if (off) cell.offPartition.add(entry);
      } else {
        cell.ceiling.delete(entry);
        cell.offPartition.delete(entry);
      }
    }
  };

  /** Counts (not the sorted lists) of an addition, in or out. */
  const tally = (a: Added<E>, sign: 1 | -1) => {
    count(a, sign);
    if (a.cell !== a.place.all) return;
    countRegion(a.place, a.entry.region, sign);
    const g = `${a.entry.gridId}\u0000${a.entry.gridVersion}`;
    const n = (grids.get(g) ?? 0) + sign;
    if (n > 0) grids.set(g, n);
    else grids.delete(g);
  };
  const logOf = (a: Added<E>): Logged<E> => ({ x: a.x as number, entry: a.entry });
  const put = (a: Added<E>) => {
    tally(a, 1);
    if (a.x !== null) insertSorted(a.cell.logs, logOf(a), byLog);
    if (a.cell === a.place.all) insertSorted(a.place.sorted, a.entry, byKey);
  };
  const take = (a: Added<E>) => {
    tally(a, -1);
    if (a.x !== null) removeSorted(a.cell.logs, logOf(a), byLog);
    if (a.cell === a.place.all) removeSorted(a.place.sorted, a.entry, byKey);
  };
  /** A new version of an entry in the same cell: its lists' items moved, not spliced twice. */
  const swap = (old: Added<E>, next: Added<E>) => {
    tally(old, -1);
    tally(next, 1);
    const logs = next.cell.logs;
    if (old.x !== null && next.x !== null) replaceSorted(logs, logOf(old), logOf(next), byLog);
    else if (old.x !== null) removeSorted(logs, logOf(old), byLog);
    else if (next.x !== null) insertSorted(logs, logOf(next), byLog);
    if (next.cell === next.place.all) {
      replaceSorted(next.place.sorted, old.entry, next.entry, byKey);
    }
  };

  /** What one origin's entries of one place or slice add to its cells. */
  const additions = (home: Home, group: readonly E[], trusted: boolean): Added<E>[] => {
    const place = placeFor(home);
    const losers = new Set<E>();
    overlapLosers(
      group.filter((e) => statusOf(e, losers) === "counted"),
      losers,
    );
    const list: Added<E>[] = [];
    for (const entry of group) {
      const status = statusOf(entry, losers);
      const x =
        status === "counted" && entry.criteria > 0
          ? Math.log(entry.criteria / entry.participants)
          : null;
      const id = `${home.key}\u0000a\u0000${entry.key}`;
      list.push({ id, place, cell: place.all, entry, status, x });
      if (trusted) {
        const id = `${home.key}\u0000t\u0000${entry.key}`;
        list.push({ id, place, cell: place.trusted, entry, status, x });
      }
    }
    return list;
  };

  /** Builds a slice newly kept from its origins' entries in it (the other cells stay as they are). */
  const buildSlice = (home: Home, origins: Iterable<string>) => {
    // The slice is kept already: an entry is in it when it is one of the entry's homes.
    const inSlice = (entry: E) => homesOf(entry, kept).some((h) => h.key === home.key);
    bulk = true;
    for (const origin of origins) {
      const group = entriesOf(origin).filter(inSlice);
      if (group.length === 0) continue;
      const list = additions(home, group, isTrusted(origin));
      for (const a of list) put(a);
      added.set(origin, [...(added.get(origin) ?? []), ...list]);
    }
    bulk = false;
    const place = places.get(home.key);
    if (!place) return;
    place.sorted.sort(byKey);
    place.all.logs.sort(byLog);
    place.trusted.logs.sort(byLog);
  };

  const sync = () => {
    for (const origin of stale) refresh(origin);
    stale.clear();
  };

  /**
   * Takes an origin's entries out of every cell and puts them back as they are now (an entry
   * still in the same cell is swapped in place: its sorted lists shift between its two places).
   */
  const refresh = (origin: string) => {
    const before = new Map((added.get(origin) ?? []).map((a) => [a.id, a]));
    added.delete(origin);
    const entries = entriesOf(origin);
    const trusted = isTrusted(origin);
    for (const entry of entries) entry.originTrusted = trusted;
    const list: Added<E>[] = [];
    // The origin's entries grouped by the place or slice they count in (overlaps are resolved
    // among the entries of one group: those a read of that place or slice has in scope).
    const byHome = new Map<string, { home: Home; group: E[] }>();
    for (const entry of entries) {
      for (const home of homesOf(entry, kept)) {
        const held = byHome.get(home.key);
        if (held) held.group.push(entry);
        else byHome.set(home.key, { home, group: [entry] });
      }
    }
    for (const { home, group } of byHome.values()) list.push(...additions(home, group, trusted));
    for (const a of list) {
      const old = before.get(a.id);
      if (old) {
        before.delete(a.id);
        swap(old, a);
      } else put(a);
    }
    for (const old of before.values()) take(old);
    if (list.length > 0) added.set(origin, list);
    const edited = new Set<Place<E>>();
    for (const a of list) edited.add(a.place);
    for (const a of before.values()) edited.add(a.place);
    for (const place of edited) noteEdit(place, origin);
  };

  return {
    /** An origin whose entries (or trust) changed: brought up to date by the next `sync`. */
    touch(origin: string): void {
      stale.add(origin);
    },
    sync,
    /** Builds every place from the index's origins (sorted by key), sorting once at the end. */
    rebuild(origins: Iterable<string>): void {
      places.clear();
      regions.clear();
      added.clear();
      grids.clear();
      stale.clear();
      bulk = true;
      for (const origin of origins) refresh(origin);
      bulk = false;
      for (const place of places.values()) {
        place.sorted.sort(byKey);
        place.all.logs.sort(byLog);
        place.trusted.logs.sort(byLog);
      }
    },
    place(level: Level, country: string, region: string): Place<E> | undefined {
      return places.get(placeKey(level, country, region));
    },
    /**
     * The worldwide slice of one period (null: every one) and one category ("": every one),
     * kept from its first read on: then built from the entries of `origins` (those with entries
     * in it). "full": MAX_SLICES are kept already, the first ones read, until a restart, even
     * once emptied (the read scans instead: what slices cost is bounded, whoever reads);
     * "empty": no entry is in it (nothing kept).
     */
    slice(
      period: SlicePeriod | null,
      category: string,
      origins: () => Iterable<string>,
    ): Place<E> | "empty" | "full" {
      const key = sliceKey(period, category);
      if (!kept.has(key)) {
        if (kept.size >= MAX_SLICES) return "full";
        const them = new Set(origins());
        if (them.size === 0) return "empty";
        sync();
        kept.add(key);
        buildSlice({ key, level: "world", country: "", category, period }, them);
      }
      return places.get(key) ?? "empty";
    },
    /** The countries with entries in a region of that name (a region label may recur). */
    regionCountries(region: string): string[] {
      return [...(regions.get(region)?.keys() ?? [])];
    },
    /** Whether an entry of this grid id, in another version than the coverage's, is held. */
    holdsOtherVersion(gridId: string, versions: readonly string[]): boolean {
      return versions.some(
        (v) => v !== grid.version && (grids.get(`${gridId}\u0000${v}`) ?? 0) > 0,
      );
    },
    grid,
  };
}
export type FigureCoverage<E extends CoverageEntry> = ReturnType<typeof createFigureCoverage<E>>;
