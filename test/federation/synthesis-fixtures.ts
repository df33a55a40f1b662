import {
  contentHash,
  DEFAULT_POLICY,
  defaultGrid,
  draftSynthesis,
  type Period,
  type SynthesisPayload,
  synthesisPayloadSchema,
} from "@spiral-network/protocol";

/** Valid synthesis payloads for the federation unit tests (built the way a node builds them). */

export interface PayloadOptions {
  origin?: string;
  name?: string;
  country?: string;
  period?: Period;
  version?: number;
  /** Varies the counts: two payloads with different variants have different hashes. */
  variant?: number;
  grid?: { id: string; version: string };
}

export function makePayload(options: PayloadOptions = {}): SynthesisPayload {
  const version = options.version ?? 1;
  const origin = options.origin ?? "https://mulhouse.example/actors/mulhouse";
  const { payload, blockers } = draftSynthesis({
    territory: {
      id: origin,
      name: options.name ?? "Mulhouse",
      country: options.country ?? "FR",
    },
    period: options.period ?? { start: "2026-01-01", end: "2026-12-31" },
    grid: options.grid ?? { id: defaultGrid.id, version: defaultGrid.version },
    groups: [
      {
        category: "young-people",
        participants: 6,
        counts: [
          { question: "Q1", component: "A05", count: 3 + (options.variant ?? 0) },
          { question: "Q1", component: "D00", count: 2 },
          { question: "Q2", component: "B01", count: 4 },
        ],
      },
      {
        category: "farmers",
        participants: 6,
        counts: [{ question: "Q1", component: "A01", count: 1 }],
      },
    ],
    previous:
      version > 1
        ? { version: version - 1, hash: contentHash(`${origin} v${version - 1}`), participants: 12 }
        : null,
    correction: version > 1,
    policy: DEFAULT_POLICY,
  });
  if (!payload) throw new Error(`the fixture should be publishable: ${blockers.join("; ")}`);
  return structuredClone(payload);
}

/** Recomputes the content hash after an edit, so only the edit itself can be wrong. */
export function rehash<T extends { hash: string }>(payload: T): T {
  const { hash: _old, ...body } = payload;
  return { ...body, hash: contentHash(body) } as T;
}

/** A payload whose edit keeps it schema-valid (subtotals and totals follow the counts). */
export function withExtraCount(
  payload: SynthesisPayload,
  question: "Q1" | "Q2" | "Q3" | "Q4",
  code: string,
  n: number,
): SynthesisPayload {
  const copy = structuredClone(payload);
  const add = (cells: Record<string, number> = {}, key: string) => ({
    ...cells,
    [key]: (cells[key] ?? 0) + n,
  });
  copy.counts[question] = add(copy.counts[question], code);
  copy.dimensions[question] = add(copy.dimensions[question], code.charAt(0));
  copy.totals.byQuestion[question] = (copy.totals.byQuestion[question] ?? 0) + n;
  copy.totals.criteria += n;
  // The first category's breakdown follows, so the categories still add up to the counts.
  const first = copy.categories?.[0];
  if (first) first.counts[question] = add(first.counts[question], code);
  return rehash(copy);
}

export const isValidPayload = (payload: unknown) =>
  synthesisPayloadSchema.safeParse(payload).success;
