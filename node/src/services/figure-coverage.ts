import { PLAUSIBILITY_DEFAULTS } from "@spiral-network/protocol";

/**
 * What a figure's coverage needs, kept per place as entries change (docs/architecture.md,
 * "Figures state"): a read of the world, one country or one region finds its exclusion counts,
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
}

export type Level = "world" | "country" | "region";
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
}

export interface Place<E> {
  level: Level;
  country: string;
  /** Every entry of the place, sorted by key (the coverage lists' order). */
  sorted: E[];
  all: PlaceCell<E>;
  trusted: PlaceCell<E>;
}

type Status = "conflicted" | "other-grid-version" | "overlapping" | "counted";

/** What one entry added to one cell, to take it back when its origin changes. */
interface Added<E> {
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
});

const placeKey = (level: Level, country: string, region: string) =>
  level === "world"
    ? "w"
    : level === "country"
      ? `c\u0000${country}`
      : `r\u0000${country}\u0000${region}`;

const placeOf = (level: Level, entry: CoverageEntry) =>
  placeKey(level, entry.country, level === "region" ? entry.region : "");

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

/** The implausible entries of a cell: over the ceiling, or out of line with their peers. */
export const implausibleOf = <E>(cell: PlaceCell<E>): Set<E> =>
  new Set([...cell.ceiling, ...sortedOutliers(cell.logs)]);

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

  const placeFor = (key: string, level: Level, country: string) => {
    let place = places.get(key);
    if (!place) {
      place = { level, country, sorted: [], all: emptyCell(), trusted: emptyCell() };
      places.set(key, place);
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

  const put = (a: Added<E>) => {
    count(a, 1);
    if (a.x !== null) insertSorted(a.cell.logs, { x: a.x, entry: a.entry }, byLog);
    if (a.cell === a.place.all) {
      insertSorted(a.place.sorted, a.entry, byKey);
      countRegion(a.place, a.entry.region, 1);
      const g = `${a.entry.gridId}\u0000${a.entry.gridVersion}`;
      grids.set(g, (grids.get(g) ?? 0) + 1);
    }
  };
  const take = (a: Added<E>) => {
    count(a, -1);
    if (a.x !== null) removeSorted(a.cell.logs, { x: a.x, entry: a.entry }, byLog);
    if (a.cell === a.place.all) {
      removeSorted(a.place.sorted, a.entry, byKey);
      countRegion(a.place, a.entry.region, -1);
      const g = `${a.entry.gridId}\u0000${a.entry.gridVersion}`;
      const n = (grids.get(g) ?? 0) - 1;
      if (n > 0) grids.set(g, n);
      else grids.delete(g);
    }
  };

  /** Takes an origin's entries out of every cell and puts them back as they are now. */
  const refresh = (origin: string) => {
    for (const a of added.get(origin) ?? []) take(a);
    added.delete(origin);
    const entries = entriesOf(origin);
    if (entries.length === 0) return;
    const trusted = isTrusted(origin);
    const list: Added<E>[] = [];
    for (const level of LEVELS) {
      const byPlace = new Map<string, E[]>();
      for (const entry of entries) {
        const key = placeOf(level, entry);
        const group = byPlace.get(key);
        if (group) group.push(entry);
        else byPlace.set(key, [entry]);
      }
      for (const [key, group] of byPlace) {
        const place = placeFor(key, level, (group[0] as E).country);
        const losers = new Set<E>();
        overlapLosers(
          group.filter((e) => statusOf(e, losers) === "counted"),
          losers,
        );
        for (const entry of group) {
          const status = statusOf(entry, losers);
          const x =
            status === "counted" && entry.criteria > 0
              ? Math.log(entry.criteria / entry.participants)
              : null;
          list.push({ place, cell: place.all, entry, status, x });
          if (trusted) list.push({ place, cell: place.trusted, entry, status, x });
        }
      }
    }
    for (const a of list) put(a);
    added.set(origin, list);
  };

  return {
    /** An origin whose entries (or trust) changed: brought up to date by the next `sync`. */
    touch(origin: string): void {
      stale.add(origin);
    },
    sync(): void {
      for (const origin of stale) refresh(origin);
      stale.clear();
    },
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
