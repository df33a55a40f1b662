/**
 * `npm run bench:progress` (node --import tsx scripts/bench-progress.ts): self-survey campaigns
 * and progress figures (docs/benchmarks.md, printed). Nothing is asserted.
 *
 * Two nodes on temp-file databases (WAL, synchronous=FULL, as in production), each with the
 * same migrations: "ours" runs the node's code, "bare" is the other node's database driven with
 * prepared better-sqlite3 statements doing the same storage work, measured in the same run.
 *
 * 1. Answering: a campaign of PATHS paths and RESPONSES one-time codes. Each response is
 *    answered through the public page (`POST /survey/{campaign}` through `app.request`: form
 *    parsing, the code claimed, the response and its answers stored, the thank-you page
 *    rendered), alternating with the bare baseline (the code's UPDATE, the response's INSERT and
 *    one INSERT per path, in one transaction). Every response is a sample: p50 and p95.
 * 2. Result computation: `services.progress.results` (the distribution per path over every
 *    response) against the bare GROUP BY on the same database; then the publication draft
 *    (`services.progress.preview`: the tallies, category pooling and the atom rule over 10 000
 *    respondents) beside the same GROUP BY. REPS samples each, alternating.
 * 3. Aggregation: TERRITORIES territories' progress payloads (draftProgress, checked with the
 *    payload schema; PATHS paths on as many components, 3 categories each) accepted into a node's
 *    state (`services.progressFigures.accept`, one transaction each), then figures read through
 *    `services.progressFigures.query` (no filter; one dimension; one country and phase) against
 *    a bare SQL sum over the stored payloads (json_each, GROUP BY code and phase: the same counts,
 *    without the coverage, exclusions and fingerprint). REPS samples each, alternating.
 *
 * Knobs: BENCH_RESPONSES (10000), BENCH_PATHS (20), BENCH_TERRITORIES (1000), BENCH_REPS (30),
 * BENCH_TIMEOUT_MS (30 min watchdog; the answering alone takes several minutes on a busy 2-core machine). Progress goes to stderr, the report to stdout.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { createNode, type SpiralNode } from "@spiral-network/node/node";
import {
  DEFAULT_POLICY,
  defaultGrid,
  draftProgress,
  type ProgressLevel,
  type ProgressPayload,
  type ProgressTally,
  progressPayloadSchema,
} from "@spiral-network/protocol";
import {
  envNumber,
  envSamples,
  percentile,
  progress,
  silentLogger,
  tableLine,
  watchdog,
} from "./lib/harness";
import { seededRandom } from "./lib/seeded-random";

const RESPONSES = envNumber("BENCH_RESPONSES", 10_000);
const PATHS = envNumber("BENCH_PATHS", 20);
const TERRITORIES = envNumber("BENCH_TERRITORIES", 1_000);
const REPS = envSamples("BENCH_REPS", 30);
const TIMEOUT_MS = envNumber("BENCH_TIMEOUT_MS", 1_800_000);

const random = seededRandom(19);
const CATEGORIES = ["young-people", "women", "elderly-people", "farmers"];
const COMPONENTS = defaultGrid.components.map((c) => c.code);
const codeOf = (i: number) => COMPONENTS[i % COMPONENTS.length] as string;

function startNode(dir: string, name: string): SpiralNode {
  const node = createNode({
    databaseFile: path.join(dir, `${name}.db`),
    publicUrl: `http://${name}.bench`,
    logger: silentLogger,
    now: () => new Date("2026-06-15T12:00:00Z"),
  });
  node.services.territories.create(
    { slug: "ville", name: "Ville", country: "FR", languages: ["fr", "en"] },
    "bench",
  );
  return node;
}

/** PATHS paths and a campaign over them; answers the campaign id, its path version ids and codes. */
function setUpCampaign(node: SpiralNode) {
  const { progress: service } = node.services;
  const paths = Array.from({ length: PATHS }, (_, i) => {
    const code = codeOf(i);
    return service.savePath(
      "ville",
      null,
      {
        code,
        statements: [1, 2, 3, 4, 5].map((level) => ({
          text: { fr: `${code} niveau ${level}`, en: `${code} level ${level}` },
          criteria: [],
        })),
        confirmedPublic: true,
      },
      "bench",
    ).uuid;
  });
  const campaign = service.createCampaign(
    "ville",
    {
      label: "Bench",
      start: "2026-06-01",
      end: "2026-06-30",
      cycle: 1,
      phase: "ex-ante",
      paths,
      askCategory: true,
    },
    "bench",
  );
  const versions = service.getCampaign("ville", campaign.uuid).paths.map((p) => p.version.id);
  const codes: string[] = [];
  for (let i = 0; i < RESPONSES; i += 1000) {
    codes.push(
      ...service.issueCodes("ville", campaign.uuid, Math.min(1000, RESPONSES - i), "bench"),
    );
  }
  return { campaign: campaign.uuid, versions, codes };
}

/** One respondent's levels (1–5 or "dk") on every path, and a category or none. */
function answerOf(versions: number[]) {
  const levels = versions.map(() =>
    random() < 0.08 ? "dk" : String(1 + Math.floor(random() * 5)),
  );
  const category =
    random() < 0.3 ? "" : (CATEGORIES[Math.floor(random() * CATEGORIES.length)] as string);
  return { levels, category };
}

const pct = (values: number[], q: number) => percentile(values, q).toFixed(3);

async function main() {
  const stop = watchdog("bench-progress", TIMEOUT_MS);
  const dir = mkdtempSync(path.join(tmpdir(), "spiral-bench-progress-"));
  const ours = startNode(dir, "ours");
  const bare = startNode(dir, "bare");
  try {
    progress(`setting up a campaign of ${PATHS} paths and ${RESPONSES} codes on both nodes…`);
    const mine = setUpCampaign(ours);
    const theirs = setUpCampaign(bare);
    const db = bare.storage.sqlite;
    const claim = db.prepare(
      "update campaign_codes set used = 1 where hash = ? and campaign_uuid = ? and used = 0",
    );
    const insertResponse = db.prepare(
      "insert into survey_responses (campaign_uuid, category, day, source) values (?, ?, ?, 'online')",
    );
    const insertAnswer = db.prepare(
      "insert into survey_answers (response_id, path_version_id, level) values (?, ?, ?)",
    );
    const { createHash } = await import("node:crypto");
    const bareAnswer = db.transaction((code: string, levels: string[], category: string) => {
      const hash = createHash("sha256")
        .update(`${theirs.campaign}\n${code.replace("-", "")}`)
        .digest("hex");
      if (claim.run(hash, theirs.campaign).changes !== 1) throw new Error("bare: code refused");
      const id = insertResponse.run(
        theirs.campaign,
        category || null,
        "2026-06-15",
      ).lastInsertRowid;
      theirs.versions.forEach((v, j) => {
        const level = levels[j];
        insertAnswer.run(id, v, level === "dk" ? null : Number(level));
      });
    });

    progress(`answering ${RESPONSES} responses on each, alternating (POST /survey vs bare SQL)…`);
    const http: number[] = [];
    const sql: number[] = [];
    for (let i = 0; i < RESPONSES; i++) {
      const { levels, category } = answerOf(mine.versions);
      const form = new URLSearchParams({ code: mine.codes[i] as string, category });
      mine.versions.forEach((v, j) => {
        form.set(`p${v}`, levels[j] as string);
      });
      let t = performance.now();
      const response = await ours.app.request(`/survey/${mine.campaign}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: form.toString(),
      });
      await response.text();
      http.push(performance.now() - t);
      if (response.status !== 200) throw new Error(`answer ${i} refused: ${response.status}`);
      t = performance.now();
      bareAnswer(theirs.codes[i] as string, levels, category);
      sql.push(performance.now() - t);
      if ((i + 1) % 2000 === 0) progress(`${i + 1} answered`);
    }

    progress("computing results and drafts…");
    const groupBy = db.prepare(
      `select r.category, a.path_version_id, a.level, count(*) as n from survey_answers a
       join survey_responses r on r.id = a.response_id where r.campaign_uuid = ?
       group by r.category, a.path_version_id, a.level`,
    );
    const results: number[] = [];
    const drafts: number[] = [];
    const bareResults: number[] = [];
    let respondents = 0;
    let publishable = false;
    for (let i = 0; i < REPS; i++) {
      let t = performance.now();
      respondents = ours.services.progress.results("ville", mine.campaign).respondents;
      results.push(performance.now() - t);
      t = performance.now();
      groupBy.all(theirs.campaign);
      bareResults.push(performance.now() - t);
      t = performance.now();
      publishable = ours.services.progress.preview("ville", mine.campaign).publishable;
      drafts.push(performance.now() - t);
    }

    progress(`building ${TERRITORIES} territories' payloads…`);
    const payloads: ProgressPayload[] = [];
    for (let n = 0; n < TERRITORIES; n++) {
      const country = ["FR", "PT", "BE", "ES", "IT"][n % 5] as string;
      const paths = Array.from({ length: PATHS }, (_, i) => ({
        id: `00000000-0000-4000-8000-${String(n * 100 + i).padStart(12, "0")}`,
        version: 1,
        code: codeOf(i),
        statements: [1, 2, 3, 4, 5].map((level) => ({
          level: level as 1,
          passage: level === 1 ? null : ("P" as const),
          text: { en: `situation ${level}` },
        })),
      }));
      const people = 20 + Math.floor(random() * 200);
      const responses = Array.from({ length: people }, (_, i) => ({
        id: i + 1,
        category: CATEGORIES[i % 3] as string,
      }));
      const tallies: ProgressTally[] = [];
      for (const r of responses) {
        for (const p of paths) {
          tallies.push({
            category: r.category,
            pathId: p.id,
            level: (1 + Math.floor(random() * 5)) as ProgressLevel,
            count: 1,
          });
        }
      }
      const draft = draftProgress({
        territory: { id: `https://n${n}.example/actors/t${n}`, name: `T${n}`, country },
        campaign: {
          id: `00000000-0000-4000-9000-${String(n).padStart(12, "0")}`,
          period: { start: "2026-03-01", end: "2026-04-30" },
          cycle: 1,
          phase: n % 2 === 0 ? "ex-ante" : "ex-post",
        },
        grid: { id: defaultGrid.id, version: defaultGrid.version },
        paths,
        responses,
        tallies,
        previous: null,
        policy: DEFAULT_POLICY,
      });
      payloads.push(progressPayloadSchema.parse(draft.payload));
    }
    progress("accepting them into the state (one transaction each)…");
    const t = performance.now();
    for (const payload of payloads) {
      ours.storage.sqlite.transaction(() =>
        ours.services.progressFigures.accept({
          origin: payload.territory.id,
          objectId: `${payload.territory.id}/progress`,
          payload,
          local: false,
        }),
      )();
    }
    const loadMs = performance.now() - t;
    const sumSql = ours.storage.sqlite.prepare(
      `select json_extract(p.value, '$.code') as code, json_extract(e.payload, '$.campaign.phase') as phase,
              sum(json_extract(p.value, '$.counts."1"')) as l1, sum(json_extract(p.value, '$.counts."2"')) as l2,
              sum(json_extract(p.value, '$.counts."3"')) as l3, sum(json_extract(p.value, '$.counts."4"')) as l4,
              sum(json_extract(p.value, '$.counts."5"')) as l5, sum(json_extract(p.value, '$.counts.dontKnow')) as dk
       from progress_entries e, json_each(e.payload, '$.paths') p
       where (@country is null or e.country = @country) and (@phase is null or json_extract(e.payload, '$.campaign.phase') = @phase)
         and (@dimension is null or substr(json_extract(p.value, '$.code'), 1, 1) = @dimension)
       group by code, phase`,
    );
    const queries = [
      { name: "no filter", filter: {}, args: { country: null, phase: null, dimension: null } },
      {
        name: "dimension A",
        filter: { code: "A" },
        args: { country: null, phase: null, dimension: "A" },
      },
      {
        name: "FR, ex-post",
        filter: { country: "FR", phase: "ex-post" as const },
        args: { country: "FR", phase: "ex-post", dimension: null },
      },
    ];
    const figures = queries.map(() => [] as number[]);
    const bareFigures = queries.map(() => [] as number[]);
    const agree: boolean[] = [];
    for (let i = 0; i < REPS; i++) {
      queries.forEach((q, k) => {
        let start = performance.now();
        const figure = ours.services.progressFigures.query(q.filter);
        figures[k]?.push(performance.now() - start);
        start = performance.now();
        const rows = sumSql.all(q.args) as Array<{ l4: number; l5: number }>;
        bareFigures[k]?.push(performance.now() - start);
        if (i === 0) {
          const good = (xs: Array<{ l4: number; l5: number }>) =>
            xs.reduce((a, r) => a + r.l4 + r.l5, 0);
          agree.push(
            good(rows) === figure.rows.reduce((a, r) => a + r.counts["4"] + r.counts["5"], 0),
          );
        }
      });
    }

    const line = tableLine([46, 12, 12, 14, 14]);
    console.log(
      `\nbench-progress — ${RESPONSES} responses on ${PATHS} paths, ${TERRITORIES} territories; load ${loadavg()[0]?.toFixed(2)}`,
    );
    console.log(line(["figure (ms)", "p50", "p95", "bare p50", "bare p95"]));
    console.log(
      line([
        `answering, POST /survey (n=${http.length})`,
        pct(http, 0.5),
        pct(http, 0.95),
        pct(sql, 0.5),
        pct(sql, 0.95),
      ]),
    );
    console.log(
      line([
        `results, ${respondents} respondents (n=${results.length})`,
        pct(results, 0.5),
        pct(results, 0.95),
        pct(bareResults, 0.5),
        pct(bareResults, 0.95),
      ]),
    );
    console.log(
      line([
        `publication draft (n=${drafts.length})`,
        pct(drafts, 0.5),
        pct(drafts, 0.95),
        pct(bareResults, 0.5),
        pct(bareResults, 0.95),
      ]),
    );
    queries.forEach((q, k) => {
      console.log(
        line([
          `figures of ${TERRITORIES} territories, ${q.name} (n=${figures[k]?.length})`,
          pct(figures[k] ?? [], 0.5),
          pct(figures[k] ?? [], 0.95),
          pct(bareFigures[k] ?? [], 0.5),
          pct(bareFigures[k] ?? [], 0.95),
        ]),
      );
    });
    console.log(
      `loading ${TERRITORIES} payloads into the state: ${loadMs.toFixed(0)} ms (${(loadMs / TERRITORIES).toFixed(2)} ms each)`,
    );
    console.log(
      `draft publishable: ${publishable}; figures agree with the bare sums (levels 4–5): ${agree.every(Boolean)}`,
    );
  } finally {
    await ours.close();
    await bare.close();
    rmSync(dir, { recursive: true, force: true });
    stop();
  }
}

await main();
