/**
 * `npm run bench:suggestions` (node --import tsx scripts/bench-suggestions.ts): how good and how
 * fast the classification suggestions are (protocol/src/suggest.ts). Nothing is
 * asserted; the figures are printed and recorded in docs/benchmarks.md.
 *
 * 1. Fixture: every criterion of the demo data (Mulhouse in node/src/demo/demo-data.ts; Porto and
 *    Namur in demo-network-data.ts), labelled with the component of the code its facilitators
 *    gave. Leave-one-out: for each criterion, a model is built from all the OTHER criteria of
 *    the same territory (what that node would have validated), and the criterion is suggested.
 *    Top-1 / top-3 hit: the right component is first / among the first three; the dimension
 *    level counts a hit when a suggested component is in the right dimension. Also printed:
 *    the same with the grid labels only (a node with nothing validated yet) and, for scale,
 *    always guessing the territory's most frequent components.
 * 2. Speed: a synthetic node of BENCH_SIZE (10 000) validated criteria, made by pairing demo
 *    texts (two criteria of the same component joined, so the vocabulary stays realistic);
 *    times building the model (BENCH_BUILDS, 5) and suggesting every demo text (p50, p95).
 *    Then the node service on an in-memory database holding those criteria: the first call
 *    (read + build) and the next calls (cache hit: one aggregate query + suggestion).
 */
import { cpus, loadavg } from "node:os";
import { demoGroups, demoTerritory } from "@spiral-network/node/demo/demo-data";
import { demoNetworkTerritories } from "@spiral-network/node/demo/demo-network-data";
import { createNode } from "@spiral-network/node/node";
import {
  buildSuggestionModel,
  defaultGrid,
  type LabelledText,
  parseSpiralCode,
  type Suggestion,
} from "@spiral-network/protocol";
import { envNumber, percentile, silentLogger, time } from "./lib/harness";

const SIZE = envNumber("BENCH_SIZE", 10_000);
const BUILDS = envNumber("BENCH_BUILDS", 5);

interface Labelled extends LabelledText {
  territory: string;
  language: string;
}

const territories = [
  { slug: demoTerritory.slug, groups: demoGroups },
  ...demoNetworkTerritories.map((t) => ({ slug: t.territory.slug, groups: t.groups })),
];
const fixture: Labelled[] = territories.flatMap((t) =>
  t.groups.flatMap((group) =>
    group.criteria.map((c) => ({
      territory: t.slug,
      language: group.language,
      text: c.text,
      component: parseSpiralCode(c.code, defaultGrid).component,
    })),
  ),
);

interface Tally {
  n: number;
  top1: number;
  top3: number;
  dim1: number;
  dim3: number;
  none: number;
}
const tally = (): Tally => ({ n: 0, top1: 0, top3: 0, dim1: 0, dim3: 0, none: 0 });
const dimension = (component: string) => component.slice(0, 1);
function count(t: Tally, expected: string, got: Suggestion[]) {
  const codes = got.map((s) => s.component);
  t.n += 1;
  if (codes.length === 0) t.none += 1;
  if (codes[0] === expected) t.top1 += 1;
  if (codes.slice(0, 3).includes(expected)) t.top3 += 1;
  if (codes[0] !== undefined && dimension(codes[0]) === dimension(expected)) t.dim1 += 1;
  if (codes.slice(0, 3).some((c) => dimension(c) === dimension(expected))) t.dim3 += 1;
}
const pct = (k: number, n: number) => `${((100 * k) / Math.max(n, 1)).toFixed(1)} %`.padStart(7);
const row = (name: string, t: Tally) =>
  `${name.padEnd(34)} │ ${String(t.n).padStart(4)} │ ${pct(t.top1, t.n)} │ ${pct(t.top3, t.n)} │ ${pct(t.dim1, t.n)} │ ${pct(t.dim3, t.n)} │ ${pct(t.none, t.n)}`;

// 1. Leave-one-out hit rates.
const ALL = "validated + labels, all";
const LABELS_ONLY = "grid labels only";
const FREQUENT = "most frequent components";
const byName = new Map<string, Tally>(
  [
    ALL,
    ...territories.map((t) => `validated + labels, ${t.slug}`),
    ...[...new Set(fixture.map((c) => c.language))].map(
      (l) => `validated + labels, written in ${l}`,
    ),
    LABELS_ONLY,
    FREQUENT,
  ].map((name) => [name, tally()]),
);
const at = (name: string): Tally => {
  const known = byName.get(name);
  if (!known) throw new Error(`no tally named ${name}`);
  return known;
};
const labelsOnly = buildSuggestionModel([], defaultGrid.components);
for (const t of territories) {
  const own = fixture.filter((c) => c.territory === t.slug);
  const frequency = new Map<string, number>();
  for (const c of own) frequency.set(c.component, (frequency.get(c.component) ?? 0) + 1);
  own.forEach((held, index) => {
    const rest = own.filter((_, i) => i !== index);
    const got = buildSuggestionModel(rest, defaultGrid.components).suggest(held.text);
    count(at(ALL), held.component, got);
    count(at(`validated + labels, ${t.slug}`), held.component, got);
    count(at(`validated + labels, written in ${held.language}`), held.component, got);
    count(at(LABELS_ONLY), held.component, labelsOnly.suggest(held.text));
    // Most frequent components among the others, ties by code: the bar to beat.
    const counts = new Map<string, number>(frequency);
    counts.set(held.component, (counts.get(held.component) ?? 1) - 1);
    const frequent = [...counts]
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
      .slice(0, 3)
      .map(([component]) => ({ component, score: 0, because: [], labelWords: [] }));
    count(at(FREQUENT), held.component, frequent);
  });
}
console.log(
  `Hit rates, leave-one-out within each territory (${fixture.length} demo criteria, ${territories.length} territories)`,
);
console.log(`${"model".padEnd(34)} │    n │   top-1 │   top-3 │   dim-1 │   dim-3 │ none`);
for (const [name, t] of byName) console.log(row(name, t));

// 2. Speed on a synthetic node of SIZE validated criteria.
const byComponent = new Map<string, string[]>();
for (const c of fixture)
  byComponent.set(c.component, [...(byComponent.get(c.component) ?? []), c.text]);
const synthetic: LabelledText[] = [];
for (let i = 0; synthetic.length < SIZE; i += 1) {
  const base = fixture[i % fixture.length];
  if (!base) break;
  const same = byComponent.get(base.component) ?? [base.text];
  const other = same[(i * 7 + Math.floor(i / fixture.length)) % same.length] ?? "";
  synthetic.push({ id: i + 1, text: `${base.text} ${other}`, component: base.component });
}
const quantile = (samples: number[], q: number) => percentile(samples, q, "upper");
const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;
let model = buildSuggestionModel(synthetic, defaultGrid.components);
const builds = Array.from({ length: BUILDS }, () =>
  time(() => {
    model = buildSuggestionModel(synthetic, defaultGrid.components);
  }),
);
const suggests = fixture.map((c) => time(() => model.suggest(c.text)));
console.log(
  `\nSpeed, ${synthetic.length} validated criteria (model in memory; Node ${process.version}, ${cpus().length} cores, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")})`,
);
console.log(`build the model: p50 ${ms(quantile(builds, 0.5))}, max ${ms(Math.max(...builds))}`);
console.log(
  `suggest (${suggests.length} texts): p50 ${ms(quantile(suggests, 0.5))}, p95 ${ms(quantile(suggests, 0.95))}, max ${ms(Math.max(...suggests))}`,
);

// 3. Through the node service, on an in-memory database.
const node = createNode({
  databaseFile: ":memory:",
  publicUrl: "http://bench.test",
  logger: silentLogger,
  adminToken: "bench-admin-token-0123456789abcdef",
});
try {
  const { services } = node;
  services.territories.create(
    { slug: "bench", name: "Bench", country: "FR", languages: ["fr", "en"] },
    "bench",
  );
  const group = services.groups.create(
    "bench",
    {
      label: "Bench group",
      category: "young-people",
      sessionDates: ["2026-05-12"],
      participants: 12,
      cycle: 0,
    },
    "bench",
  );
  const rows = services.criteria.add(
    "bench",
    group.id,
    synthetic.map((c) => ({ question: "Q1" as const, text: c.text, code: c.component })),
    "bench",
  );
  services.criteria.validate(
    "bench",
    rows.map((r) => r.id),
    "bench",
  );
  const first = time(() => services.suggestions.suggest("bench", "Avoir un logement"));
  const cached = fixture
    .slice(0, 200)
    .map((c) => time(() => services.suggestions.suggest("bench", c.text)));
  console.log(`\nThrough the node service (SQLite in memory, ${rows.length} validated criteria)`);
  console.log(`first request (read + build): ${ms(first)}`);
  console.log(
    `next requests (cache check + suggest, ${cached.length}): p50 ${ms(quantile(cached, 0.5))}, p95 ${ms(quantile(cached, 0.95))}`,
  );
} finally {
  await node.close();
}
