import {
  type GridCatalog,
  type LevelPlan,
  levelElement,
  rekeyer,
  sharedLevel,
} from "./grid-mapping.ts";
import { multisetAdd, multisetElement, multisetHex } from "./multiset-hash.ts";
import { compareCodeUnits } from "./order.ts";
import { dimensionSubtotals, periodKey, type SynthesisPayload } from "./synthesis-payload.ts";
import { QUESTIONS, type Question } from "./vocabulary.ts";

/**
 * Aggregation (docs/protocol.md §10): the state every node keeps of the syntheses it received, and the
 * figures any node computes from it, with their coverage and fingerprint. Pure: the same inputs
 * give the same state, figures and fingerprint on every node, whatever the order or repetition
 * of deliveries. This is the reference the node's incremental (SQL) totals are checked against.
 */

// ---------------------------------------------------------------------------------------------
// Records and the state (a state-based CRDT)
// ---------------------------------------------------------------------------------------------

/** One received (or own) synthesis version. `origin` is the territory actor URL that signed it. */
export interface SynthesisRecord {
  /** The territory actor URL; must equal `payload.territory.id`. */
  origin: string;
  /** `periodKey(payload.period)`. */
  periodKey: string;
  /** `payload.version`. */
  version: number;
  /** `payload.hash`, the content hash. */
  hash: string;
  payload: SynthesisPayload;
}

/** The record of a (validated) payload: origin, period key, version and hash read from it. */
export function synthesisRecord(payload: SynthesisPayload): SynthesisRecord {
  return {
    origin: payload.territory.id,
    periodKey: periodKey(payload.period),
    version: payload.version,
    hash: payload.hash,
    payload,
  };
}

/**
 * Why a record's own fields disagree with its payload (null when they agree). The content hash
 * itself is not recomputed here: payloads are validated with `synthesisPayloadSchema` (which
 * checks the hash) before they reach the state.
 */
export function recordProblem(record: SynthesisRecord): string | null {
  const { payload } = record;
  if (record.origin !== payload.territory.id) {
    return "the payload's territory is not the origin that signed it (forged origin)";
  }
  if (record.periodKey !== periodKey(payload.period)) return "the period key does not match";
  if (record.version !== payload.version) return "the version does not match";
  if (record.hash !== payload.hash) return "the hash does not match";
  return null;
}

/**
 * What the state holds for one (origin, period): the highest version seen, and every distinct
 * content hash seen at that version. More than one hash means the origin published two different
 * syntheses under the same version: the entry is conflicted and excluded from every figure until
 * a higher version arrives.
 */
export interface StateEntry {
  readonly origin: string;
  readonly periodKey: string;
  readonly version: number;
  /** Sorted, unique: the hashes seen at `version`. */
  readonly hashes: readonly string[];
  /** One record per hash, in the order of `hashes`. */
  readonly records: readonly SynthesisRecord[];
}

/**
 * The aggregate state: `entryKey(origin, periodKey)` → entry. The map's iteration order carries
 * no meaning (everything that reads the state sorts); the state is never mutated, every change
 * returns a new map.
 */
export type AggregateState = ReadonlyMap<string, StateEntry>;

/** The key of an (origin, period) in the state: `${origin}\n${periodKey}`. */
export function entryKey(origin: string, periodKey: string): string {
  return `${origin}\n${periodKey}`;
}

/** Whether the origin published two different syntheses under the entry's version. */
export function isConflicted(entry: StateEntry): boolean {
  return entry.hashes.length > 1;
}

/** The state of a node that has received nothing. */
export function emptyState(): AggregateState {
  return new Map();
}

function singleEntry(record: SynthesisRecord): StateEntry {
  return {
    origin: record.origin,
    periodKey: record.periodKey,
    version: record.version,
    hashes: [record.hash],
    records: [record],
  };
}

/** The entry after one more record; the same object when the record changes nothing. */
function entryWith(held: StateEntry | undefined, record: SynthesisRecord): StateEntry {
  if (!held || record.version > held.version) return singleEntry(record);
  if (record.version < held.version || held.hashes.includes(record.hash)) return held;
  const records = [...held.records, record].sort((a, b) => compareCodeUnits(a.hash, b.hash));
  return { ...held, hashes: records.map((r) => r.hash), records };
}

/** The least upper bound of two entries of the same key; returns `a` or `b` when it is one. */
function joinEntries(a: StateEntry, b: StateEntry): StateEntry {
  if (a.version !== b.version) return a.version > b.version ? a : b;
  if (b.hashes.every((h) => a.hashes.includes(h))) return a;
  if (a.hashes.every((h) => b.hashes.includes(h))) return b;
  let joined = a;
  for (const record of b.records) joined = entryWith(joined, record);
  return joined;
}

/**
 * Adds one delivered record to the state: a higher version replaces the entry (and clears a
 * conflict), the same version adds its hash (a different hash makes the entry conflicted), an
 * older version changes nothing. A record whose fields disagree with its payload
 * (`recordProblem`) is ignored. Returns the same map when nothing changed.
 */
export function mergeRecord(state: AggregateState, record: SynthesisRecord): AggregateState {
  return mergeRecords(state, [record]);
}

/** `mergeRecord` for many records at once (one copy of the map, however many records). */
export function mergeRecords(
  state: AggregateState,
  records: Iterable<SynthesisRecord>,
): AggregateState {
  let next: Map<string, StateEntry> | null = null;
  for (const record of records) {
    if (recordProblem(record) !== null) continue;
    const key = entryKey(record.origin, record.periodKey);
    const held = (next ?? state).get(key);
    const entry = entryWith(held, record);
    if (entry === held) continue;
    next ??= new Map(state);
    next.set(key, entry);
  }
  return next ?? state;
}

/**
 * The join of two states (what a node holds after receiving everything another node holds):
 * commutative, associative and idempotent, so states converge whatever the order of exchanges.
 * Returns `a` when `b` adds nothing to it.
 */
export function joinStates(a: AggregateState, b: AggregateState): AggregateState {
  if (a.size === 0) return b.size === 0 ? a : b;
  let next: Map<string, StateEntry> | null = null;
  for (const [key, theirs] of b) {
    const ours = a.get(key);
    const joined = ours ? joinEntries(ours, theirs) : theirs;
    if (joined === ours) continue;
    next ??= new Map(a);
    next.set(key, joined);
  }
  return next ?? a;
}

/**
 * Every record the state holds, sorted by (origin, period, hash): what a node serves as its
 * "known syntheses". Both copies of a conflicted entry are included, so that the conflict
 * reaches every node and not only the ones the origin sent both copies to.
 */
export function stateRecords(state: AggregateState): SynthesisRecord[] {
  return sortedEntries(state).flatMap((entry) => entry.records);
}

/**
 * The entries by (origin, periodKey). Sorting the keys gives that order: `\n` sorts before any
 * character an actor URL may hold.
 */
function sortedEntries(state: AggregateState): StateEntry[] {
  return [...state.keys()].sort().map((key) => state.get(key) as StateEntry);
}

// ---------------------------------------------------------------------------------------------
// Fingerprint
// ---------------------------------------------------------------------------------------------

/** What identifies one included synthesis version in a fingerprint. */
export interface VersionRef {
  origin: string;
  periodKey: string;
  version: number;
  hash: string;
}

/** The prefix of a fingerprint: which definition made it (nodes compare only equal prefixes). */
export const FINGERPRINT_PREFIX = "sha256-sum:";

/**
 * The canonical form of one included version (RFC 8785 JSON of its four fields, keys sorted):
 * the element the fingerprint's multiset hash adds. Written directly, the same bytes as
 * `canonicalJson({hash, origin, periodKey, version})`.
 */
export function versionElementText({ origin, periodKey, version, hash }: VersionRef): string {
  return (
    `{"hash":${JSON.stringify(hash)},"origin":${JSON.stringify(origin)},` +
    `"periodKey":${JSON.stringify(periodKey)},"version":${version}}`
  );
}

/** The integer one included version adds to a fingerprint (`multisetElement` of its text). */
export function versionElement(ref: VersionRef): bigint {
  return multisetElement(versionElementText(ref));
}

/** A fingerprint from the multiset hash of its included versions. */
export function fingerprintOf(sum: bigint): string {
  return `${FINGERPRINT_PREFIX}${multisetHex(sum)}`;
}

/**
 * The fingerprint of a figure: `sha256-sum:` + the multiset hash (`multisetHash`, 64 hex digits)
 * of the canonical forms of the included (origin, periodKey, version, hash) — the sum modulo
 * 2^256 of their SHA-256 digests. Order does not matter, and a node keeps it up to date by adding
 * and subtracting one element per change. Two nodes showing the same fingerprint computed their
 * figure from the same synthesis versions.
 */
export function fingerprint(included: ReadonlyArray<VersionRef>): string {
  let sum = 0n;
  for (const ref of included) sum = multisetAdd(sum, versionElement(ref));
  return fingerprintOf(sum);
}

// ---------------------------------------------------------------------------------------------
// Plausibility
// ---------------------------------------------------------------------------------------------

/** Parameters of the plausibility rule; the defaults are `PLAUSIBILITY_DEFAULTS`. */
export interface PlausibilityOptions {
  /** Hard ceiling: more criteria per participant than this is implausible. */
  ceiling?: number;
  /** The relative rule applies only with at least this many syntheses in scope. */
  minEntries?: number;
  /** Modified z-score beyond which (in absolute value) a synthesis is out of line. */
  threshold?: number;
  /**
   * The relative rule also needs the ratio to be more than this many times above or below the
   * median ratio (1 disables this safeguard, leaving the z-score alone).
   */
  minFactor?: number;
}

export const PLAUSIBILITY_DEFAULTS = {
  ceiling: 40,
  minEntries: 5,
  threshold: 3.5,
  minFactor: 3,
} as const;

/**
 * The k-th smallest value of `values` (0-based), rearranging them: quickselect, O(n) on
 * average. Leaves every value below index k at most the result.
 */
function select(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (hi > lo) {
    // Median of three as the pivot, then a Hoare partition.
    const mid = (lo + hi) >> 1;
    const a = values[lo] as number;
    const b = values[mid] as number;
    const c = values[hi] as number;
    const pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((values[i] as number) < pivot) i++;
      while ((values[j] as number) > pivot) j--;
      if (i <= j) {
        const t = values[i] as number;
        values[i] = values[j] as number;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k] as number;
  }
  return values[k] as number;
}

/** The median of `values` (rearranged): the middle one, or the mean of the two middle ones. */
function median(values: Float64Array): number {
  const mid = values.length >> 1;
  const upper = select(values, mid);
  if (values.length % 2 === 1) return upper;
  // After selecting, the lower middle value is the largest of those before index mid.
  let lower = values[0] as number;
  for (let i = 1; i < mid; i++) if ((values[i] as number) > lower) lower = values[i] as number;
  return (lower + upper) / 2;
}

/**
 * The plausibility rule. A synthesis is flagged as implausible when:
 *
 * 1. **Hard ceiling** — it reports more than 40 criteria per participant. A SPIRAL session
 *    yields a handful of sticky notes per person, so 40 is already generous.
 * 2. **Out of line with its peers** — among the syntheses in scope that report at least one
 *    criterion, if there are at least 5 of them: take for each the natural logarithm of its
 *    number of criteria per participant, x; take the median m of these values and their
 *    median absolute deviation MAD (the median of |x − m|). A synthesis is flagged when its
 *    modified z-score 0.6745 × (x − m) / MAD is above 3.5 or below −3.5 **and** its ratio is
 *    more than 3 times above or below the median ratio. With fewer than 5 such syntheses, or
 *    when MAD is 0 (half of them or more share exactly the same ratio), only the ceiling
 *    applies.
 *
 * The logarithm makes "ten times too many" and "ten times too few" equally far from the
 * median; median and MAD are not dragged by the outliers they are meant to catch. The factor
 * of 3 keeps the rule to what is wildly out of line: when peers are very alike, MAD is small
 * and the z-score alone would flag ordinary variation (in the network simulation, 3.5 criteria
 * per participant against a median of 5). The rule reads nothing but the payloads
 * (`totals.criteria` and `participants` of the whole territory, whatever the filter), so every
 * node holding the same syntheses flags the same ones.
 *
 * `entries` are the entries in scope (`aggregate` passes those that match the filter and are
 * not conflicted, untrusted or on another grid); a conflicted entry is read through its first
 * record. Returns the keys (`entryKey`) of the flagged entries.
 */
export function plausibilityFlags(
  entries: Iterable<StateEntry>,
  options: PlausibilityOptions = {},
): Set<string> {
  const keys: string[] = [];
  const totals: PlausibilityInput[] = [];
  for (const entry of entries) {
    const payload = entry.records[0]?.payload;
    if (!payload) continue;
    keys.push(entryKey(entry.origin, entry.periodKey));
    totals.push({ criteria: payload.totals.criteria, participants: payload.participants });
  }
  const flagged = new Set<string>();
  for (const index of plausibilityOutliers(totals, options)) flagged.add(keys[index] as string);
  return flagged;
}

/** What the plausibility rule reads of a synthesis: the whole territory's totals. */
export interface PlausibilityInput {
  criteria: number;
  participants: number;
}

/**
 * The plausibility rule (`plausibilityFlags`) over bare totals: the indices, in `items`, of the
 * implausible ones. What `plausibilityFlags` runs, exported for stores that keep the totals
 * apart from the payloads.
 */
export function plausibilityOutliers(
  items: ReadonlyArray<PlausibilityInput>,
  options: PlausibilityOptions = {},
): number[] {
  const ceiling = options.ceiling ?? PLAUSIBILITY_DEFAULTS.ceiling;
  const minEntries = options.minEntries ?? PLAUSIBILITY_DEFAULTS.minEntries;
  const threshold = options.threshold ?? PLAUSIBILITY_DEFAULTS.threshold;
  const minDistance = Math.log(options.minFactor ?? PLAUSIBILITY_DEFAULTS.minFactor);
  const flagged = new Set<number>();
  const logIndex: number[] = [];
  const logs: number[] = [];
  items.forEach(({ criteria, participants }, index) => {
    if (criteria > ceiling * participants) flagged.add(index);
    if (criteria > 0) {
      logIndex.push(index);
      logs.push(Math.log(criteria / participants));
    }
  });
  if (logs.length >= minEntries) {
    // Order statistics by selection, not sorting (the values are finite).
    const m = median(Float64Array.from(logs));
    const mad = median(Float64Array.from(logs, (x) => Math.abs(x - m)));
    if (mad !== 0) {
      logs.forEach((x, i) => {
        const distance = Math.abs(x - m);
        if ((0.6745 * distance) / mad > threshold && distance > minDistance) {
          flagged.add(logIndex[i] as number);
        }
      });
    }
  }
  return [...flagged].sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------------------------
// Filters, coverage and figures
// ---------------------------------------------------------------------------------------------

/**
 * Which syntheses a figure covers. Every list is a set of accepted values; an absent or empty
 * list does not restrict.
 */
export interface AggregateFilter {
  /** ISO 3166-1 alpha-2 codes (`payload.territory.country`). */
  countries?: string[];
  /** Region labels (`payload.territory.region`); a territory without a region never matches. */
  regions?: string[];
  /** Origin actor URLs: only these territories (e.g. one territory to set against its country). */
  origins?: string[];
  /**
   * Group categories: the figure adds up these categories of each synthesis's published
   * breakdown (counts, participants, groups); "other" (the pooled rest) is a category like any.
   * A synthesis that publishes none of them is out of scope.
   */
  categories?: string[];
  /** YYYY-MM-DD: a synthesis is in range when its whole period lies within [from, to]. */
  periodFrom?: string;
  periodTo?: string;
  /** Only this question's counts (participants and groups are unchanged). */
  question?: Question;
  /** The grid the figure is about; defaults to `options.grid`. */
  grid?: { id: string; version: string };
  /**
   * Only these (origin, period) entries, as `entryKey`s: e.g. the syntheses a sub-network
   * relayed from its members. Unlike the lists above, an empty list restricts to nothing.
   */
  entries?: string[];
}

export interface AggregateOptions {
  /** This node's grid: syntheses coded with another grid id or version are excluded. */
  grid: { id: string; version: string };
  /**
   * The grid versions this node knows, with their mappings. When given, syntheses coded with
   * another known version of the same grid count too, at the finest level the versions share
   * (`sharedLevel` in grid-mapping.ts); another grid id, or a version not known, is excluded
   * ("other-grid-version"), so a territory cannot lower everyone's figures to dimension level
   * by naming a version nobody holds.
   */
  grids?: GridCatalog;
  /** The trust scope: origins for which this returns false are excluded ("untrusted"). */
  trusted?: (origin: string) => boolean;
  plausibility?: PlausibilityOptions;
  /**
   * false (default): the raw figure — implausible syntheses are counted, and listed in
   * `flagged`. true: the robust figure — they are excluded with reason "implausible" (and still
   * listed in `flagged`). Both figures come from the same state; each has its own fingerprint.
   */
  robust?: boolean;
}

export type ExclusionReason =
  | "conflicted"
  | "implausible"
  | "untrusted"
  | "other-grid-version"
  | "overlapping";

/** An included synthesis version, with what a reader needs to name it. */
export interface IncludedVersion extends VersionRef {
  name: string;
  country: string;
  /** In a figure over several grid versions: the level this synthesis's counts entered at. */
  level?: LevelPlan["level"];
}

/** An excluded (origin, period) and why. */
export interface ExcludedVersion {
  origin: string;
  periodKey: string;
  version: number;
  reason: ExclusionReason;
}

/** Where a figure spans several grid versions: the level each version's syntheses counted at. */
export interface GridLevels {
  level: LevelPlan["level"];
  versions: string[];
  levelOf: LevelPlan["levelOf"];
  groups: LevelPlan["groups"];
}

export interface Coverage {
  /** Present when the included syntheses were coded with several grid versions. */
  gridLevels?: GridLevels;
  /** Sorted by (origin, periodKey). */
  included: IncludedVersion[];
  /** Sorted by (origin, periodKey). */
  excluded: ExcludedVersion[];
  /** Origins with at least one implausible synthesis in scope, sorted (raw and robust alike). */
  flagged: string[];
}

type QuestionCells = Partial<Record<Question, Record<string, number>>>;

export interface Aggregate {
  /** question → component → number of criteria. */
  counts: QuestionCells;
  /** question → dimension → number of criteria. */
  dimensions: QuestionCells;
  totals: { criteria: number; byQuestion: Partial<Record<Question, number>> };
  participants: number;
  groups: number;
  /** Distinct origins among the included syntheses. */
  territories: number;
  coverage: { included: IncludedVersion[]; excluded: ExcludedVersion[] };
  /** `fingerprint(coverage.included)` (bound to the grid level when it spans several versions). */
  fingerprint: string;
  /** Present when the included syntheses were coded with several grid versions. */
  gridLevels?: GridLevels;
  /** Origins flagged implausible (see `plausibilityFlags`), in the raw and the robust figure. */
  flagged: string[];
  /** Which figure this is (`options.robust`). */
  robust: boolean;
}

const restricts = (list: readonly string[] | undefined): list is readonly string[] =>
  list !== undefined && list.length > 0;

/**
 * Whether an entry matches the filter's country, region, period and category. A conflicted
 * entry is judged by its first record (smallest hash).
 */
function inScope(entry: StateEntry, filter: AggregateFilter): boolean {
  const payload = entry.records[0]?.payload;
  if (!payload) return false;
  const { territory, period } = payload;
  if (restricts(filter.origins) && !filter.origins.includes(entry.origin)) return false;
  if (restricts(filter.countries) && !filter.countries.includes(territory.country)) return false;
  if (restricts(filter.regions)) {
    if (territory.region === undefined || !filter.regions.includes(territory.region)) return false;
  }
  if (filter.periodFrom !== undefined && period.start < filter.periodFrom) return false;
  if (filter.periodTo !== undefined && period.end > filter.periodTo) return false;
  if (restricts(filter.categories)) {
    const wanted = filter.categories;
    if (!payload.categories?.some((c) => wanted.includes(c.category))) return false;
  }
  if (filter.entries !== undefined) {
    if (!filter.entries.includes(entryKey(entry.origin, entry.periodKey))) return false;
  }
  return true;
}

/** Days a period spans (inclusive), from its YYYY-MM-DD bounds. */
const periodDays = (period: { start: string; end: string }) =>
  (Date.parse(`${period.end}T00:00:00Z`) - Date.parse(`${period.start}T00:00:00Z`)) / 86_400_000 +
  1;

const periodOf = (entry: StateEntry) => (entry.records[0] as SynthesisRecord).payload.period;

/**
 * One territory counts once per query range: among the entries of one origin that would count,
 * nested or overlapping periods are resolved by one rule, the same on every node. The widest
 * period (most days) wins; between periods of the same width, the smaller period key (code-unit
 * order) wins; then each next period counts only if it overlaps none already counted. Periods
 * that do not overlap (2025 and 2026) all count. Returns the entries that count and the others
 * ("overlapping"), each in the order given.
 */
export function resolveOverlaps(entries: readonly StateEntry[]): {
  counted: StateEntry[];
  overlapping: StateEntry[];
} {
  const byOrigin = new Map<string, StateEntry[]>();
  for (const entry of entries) {
    const list = byOrigin.get(entry.origin);
    if (list) list.push(entry);
    else byOrigin.set(entry.origin, [entry]);
  }
  const losers = new Set<StateEntry>();
  for (const list of byOrigin.values()) {
    if (list.length < 2) continue;
    const ranked = list
      .map((entry) => ({ entry, period: periodOf(entry), days: periodDays(periodOf(entry)) }))
      .sort((a, b) => b.days - a.days || compareCodeUnits(a.entry.periodKey, b.entry.periodKey));
    const kept: Array<{ start: string; end: string }> = [];
    for (const { entry, period } of ranked) {
      if (kept.some((k) => period.start <= k.end && k.start <= period.end)) losers.add(entry);
      else kept.push(period);
    }
  }
  if (losers.size === 0) return { counted: [...entries], overlapping: [] };
  return {
    counted: entries.filter((e) => !losers.has(e)),
    overlapping: entries.filter((e) => losers.has(e)),
  };
}

function selectEntries(
  state: AggregateState,
  filter: AggregateFilter,
  options: AggregateOptions,
): { included: StateEntry[]; excluded: ExcludedVersion[]; flagged: string[] } {
  const grid = filter.grid ?? options.grid;
  const excluded: ExcludedVersion[] = [];
  const candidates: StateEntry[] = [];
  const exclude = (entry: StateEntry, reason: ExclusionReason) =>
    excluded.push({
      origin: entry.origin,
      periodKey: entry.periodKey,
      version: entry.version,
      reason,
    });
  for (const entry of sortedEntries(state)) {
    if (!inScope(entry, filter)) continue;
    const payloadGrid = (entry.records[0] as SynthesisRecord).payload.grid;
    if (options.trusted && !options.trusted(entry.origin)) exclude(entry, "untrusted");
    else if (isConflicted(entry)) exclude(entry, "conflicted");
    else if (
      payloadGrid.id !== grid.id ||
      (payloadGrid.version !== grid.version &&
        !options.grids?.get(payloadGrid.id, payloadGrid.version))
    ) {
      // Another grid, or a version this node does not know (an admin may fetch and accept it).
      exclude(entry, "other-grid-version");
    } else candidates.push(entry);
  }
  const { counted, overlapping } = resolveOverlaps(candidates);
  for (const entry of overlapping) exclude(entry, "overlapping");
  const implausible = plausibilityFlags(counted, options.plausibility);
  const flagged = new Set<string>();
  const included: StateEntry[] = [];
  for (const entry of counted) {
    if (implausible.has(entryKey(entry.origin, entry.periodKey))) {
      flagged.add(entry.origin);
      if (options.robust) {
        exclude(entry, "implausible");
        continue;
      }
    }
    included.push(entry);
  }
  excluded.sort(
    (a, b) => compareCodeUnits(a.origin, b.origin) || compareCodeUnits(a.periodKey, b.periodKey),
  );
  return { included, excluded, flagged: [...flagged].sort(compareCodeUnits) };
}

function includedVersion(entry: StateEntry): IncludedVersion {
  const record = entry.records[0] as SynthesisRecord;
  return {
    origin: entry.origin,
    periodKey: entry.periodKey,
    version: entry.version,
    hash: record.hash,
    name: record.payload.territory.name,
    country: record.payload.territory.country,
  };
}

/**
 * The coverage of a figure without its sums: which versions `aggregate` would include and
 * exclude (and why) for this filter, and the flagged origins. Exclusion reasons are tested in
 * this order: untrusted, conflicted, other grid version, overlapping (another period of the same
 * territory counts, see `resolveOverlaps`), implausible (robust figure only).
 */
export function coverage(
  state: AggregateState,
  filter: AggregateFilter,
  options: AggregateOptions,
): Coverage {
  const { included, excluded, flagged } = selectEntries(state, filter, options);
  const plan = levelPlan(included, filter, options);
  return {
    included: includedVersions(included, plan),
    excluded,
    flagged,
    ...(plan ? { gridLevels: gridLevels(plan) } : {}),
  };
}

/** The included versions as coverage lists them, each with its grid level over several versions. */
function includedVersions(included: readonly StateEntry[], plan: LevelPlan | null) {
  if (!plan) return included.map(includedVersion);
  return included.map((entry) => ({
    ...includedVersion(entry),
    level: plan.levelOf[(entry.records[0] as SynthesisRecord).payload.grid.version] ?? plan.level,
  }));
}

/** The level the included entries add up at, when they span several grid versions (else null). */
export function levelPlan(
  included: readonly StateEntry[],
  filter: AggregateFilter,
  options: AggregateOptions,
): LevelPlan | null {
  if (!options.grids) return null;
  const versions = included.map((e) => (e.records[0] as SynthesisRecord).payload.grid.version);
  return sharedLevel(options.grids, (filter.grid ?? options.grid).id, versions);
}

/** What a coverage says of a level plan (without its functions). */
export const gridLevels = (plan: LevelPlan): GridLevels => ({
  level: plan.level,
  versions: plan.versions,
  levelOf: plan.levelOf,
  groups: plan.groups,
});

/** The fingerprint of a coverage: its list's, bound to the grid level when it has one. */
export function coverageFingerprint(
  included: ReadonlyArray<VersionRef>,
  plan: LevelPlan | null,
): string {
  let sum = plan ? levelElement(plan) : 0n;
  for (const ref of included) sum = multisetAdd(sum, versionElement(ref));
  return fingerprintOf(sum);
}

/**
 * The non-zero cells of a payload as (question, component, count), sorted: its territory counts,
 * or with `category` that category's counts from the breakdown (none when it is not published).
 * The storage layer adds and subtracts exactly these cells.
 */
export function payloadCells(
  payload: SynthesisPayload,
  options: { category?: string } = {},
): Array<{ question: Question; component: string; count: number }> {
  const counts =
    options.category === undefined
      ? payload.counts
      : payload.categories?.find((c) => c.category === options.category)?.counts;
  const cells: Array<{ question: Question; component: string; count: number }> = [];
  for (const question of QUESTIONS) {
    const byComponent = counts?.[question];
    if (!byComponent) continue;
    for (const component of Object.keys(byComponent).sort(compareCodeUnits)) {
      const count = byComponent[component] ?? 0;
      if (count > 0) cells.push({ question, component, count });
    }
  }
  return cells;
}

function sortedCells(cells: Record<string, Record<string, number>>): QuestionCells {
  const result: QuestionCells = {};
  for (const question of QUESTIONS) {
    const byCode = cells[question];
    if (!byCode) continue;
    const sorted: Record<string, number> = {};
    for (const code of Object.keys(byCode).sort(compareCodeUnits)) {
      sorted[code] = byCode[code] as number;
    }
    if (Object.keys(sorted).length > 0) result[question] = sorted;
  }
  return result;
}

/**
 * Adds the cells of `source` (the same as `payloadCells`, unsorted) into `sums`; `rekey` re-keys
 * each code first (counts of another grid version at the level the versions share).
 */
function addCells(
  sums: Map<Question, Map<string, number>>,
  questions: readonly Question[],
  source: QuestionCells,
  rekey?: (code: string) => string,
): void {
  for (const question of questions) {
    const byComponent = source[question];
    if (!byComponent) continue;
    let cells = sums.get(question);
    if (!cells) {
      cells = new Map();
      sums.set(question, cells);
    }
    for (const component in byComponent) {
      const count = byComponent[component] ?? 0;
      if (count <= 0) continue;
      const key = rekey ? rekey(component) : component;
      cells.set(key, (cells.get(key) ?? 0) + count);
    }
  }
}

/**
 * A figure by full recomputation: the sum of the latest synthesis of every (origin, period) in
 * scope, with its coverage and fingerprint. Without a `categories` filter the territory totals
 * are summed; with one, the selected categories of each breakdown. Excluded: untrusted origins
 * (`options.trusted`), conflicted entries, syntheses on another grid (exact id and version
 * match with `filter.grid ?? options.grid`), periods of a territory that overlap one of its
 * periods that counts (`resolveOverlaps`: a territory counts once per query range), and, in the
 * robust figure (`options.robust`), implausible ones (`plausibilityFlags` over the entries left).
 */
export function aggregate(
  state: AggregateState,
  filter: AggregateFilter,
  options: AggregateOptions,
): Aggregate {
  const { included, excluded, flagged } = selectEntries(state, filter, options);
  const plan = levelPlan(included, filter, options);
  const sums = new Map<Question, Map<string, number>>();
  const questions = filter.question === undefined ? QUESTIONS : [filter.question];
  let participants = 0;
  let groups = 0;
  for (const entry of included) {
    const { payload } = entry.records[0] as SynthesisRecord;
    // Where entries enter: counts of several grid versions are re-keyed at their shared level.
    const rekey = plan ? rekeyer(plan, payload.grid.version) : undefined;
    const add = (source: QuestionCells) => addCells(sums, questions, source, rekey);
    if (restricts(filter.categories)) {
      for (const breakdown of payload.categories ?? []) {
        if (!filter.categories.includes(breakdown.category)) continue;
        add(breakdown.counts);
        participants += breakdown.participants;
        groups += breakdown.groups;
      }
    } else {
      add(payload.counts);
      participants += payload.participants;
      groups += payload.groups;
    }
  }
  const counts: Record<string, Record<string, number>> = {};
  for (const [question, cells] of sums) counts[question] = Object.fromEntries(cells);
  const sorted = sortedCells(counts);
  const byQuestion: Partial<Record<Question, number>> = {};
  let criteria = 0;
  for (const question of QUESTIONS) {
    const total = Object.values(sorted[question] ?? {}).reduce((a, b) => a + b, 0);
    if (total > 0) byQuestion[question] = total;
    criteria += total;
  }
  const versions = includedVersions(included, plan);
  return {
    counts: sorted,
    dimensions: sortedCells(dimensionSubtotals(sorted) as Record<string, Record<string, number>>),
    totals: { criteria, byQuestion },
    participants,
    groups,
    territories: new Set(included.map((e) => e.origin)).size,
    coverage: { included: versions, excluded },
    fingerprint: coverageFingerprint(versions, plan),
    flagged,
    robust: options.robust === true,
    ...(plan ? { gridLevels: gridLevels(plan) } : {}),
  };
}
