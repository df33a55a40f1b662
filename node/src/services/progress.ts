import { createHash, randomInt, randomUUID } from "node:crypto";
import {
  CAMPAIGN_PHASES,
  DEFAULT_PASSAGES,
  draftProgress,
  isoDate,
  type LedgerVersion,
  languageTag,
  PASSAGES,
  type ProgressLevel,
  type ProgressPayload,
  type ProgressTally,
  type SurveyPath,
} from "@spiral-network/protocol";
import { and, asc, count, desc, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import {
  campaignCodes,
  campaignPaths,
  campaigns,
  criteria,
  groups,
  type LocalStatement,
  outboxActivities,
  progressPaths,
  progressPathVersions,
  progressVersions,
  publishedResponses,
  surveyAnswers,
  surveyResponses,
} from "../db/schema";
import type { AuditService } from "./audit";
import type { CategoryService } from "./categories";
import type { Actor, ServiceContext } from "./context";
import { territoryCriterionIds } from "./criteria";
import { ConflictError, InvalidInputError, NotFoundError, refuseBeforeStart } from "./errors";
import type { OutboxService } from "./outbox";
import type { ProgressFigureService } from "./progress-figures";
import { draftAnswer } from "./publication-ledger";
import { addressedSubnetworks } from "./subnetworks";
import { type TerritoryRow, type TerritoryService, territoryActorId } from "./territories";

export type PathVersionRow = typeof progressPathVersions.$inferSelect;
export type CampaignRow = typeof campaigns.$inferSelect;
export type ProgressVersionRow = typeof progressVersions.$inferSelect;

/** URL of a campaign's progress publication (the Article and its HTML page). */
export const progressUrl = (publicUrl: string, campaignUuid: string) =>
  `${publicUrl}/progress/${campaignUuid}`;
/** The public answer page of a campaign. */
export const surveyUrl = (publicUrl: string, campaignUuid: string) =>
  `${publicUrl}/survey/${campaignUuid}`;

/** What every refused code hears, whether it never existed, was used, or belongs elsewhere. */
export const CODE_REFUSED =
  "this code cannot be used: check it, or ask the facilitator for another";

/** Codes: 10 letters and digits without look-alikes (0/O, 1/I/L), shown in groups of 5. */
const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const CODE_LENGTH = 10;
export const MAX_CODES_PER_BATCH = 1000;
/** Answer rowids per response (a campaign has at most 100 paths); ids < 2^47, so rowids < 2^62. */
const ANSWER_ROWIDS_PER_RESPONSE = 2n ** 15n;

/** Upper case, without spaces or dashes: what a person may type for a printed code. */
export const normaliseCode = (code: string) => code.toUpperCase().replace(/[\s-]+/g, "");
const codeHash = (campaignUuid: string, code: string) =>
  createHash("sha256")
    .update(`${campaignUuid}\n${normaliseCode(code)}`)
    .digest("hex");

function newCode(): string {
  let code = "";
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

const statementInput = z.strictObject({
  passage: z.enum(PASSAGES).nullable().optional(),
  text: z.record(languageTag, z.string().trim().max(500)).default({}),
  criteria: z.array(z.number().int().positive()).max(200).default([]),
});

export const pathInputSchema = z.strictObject({
  code: z.string().regex(/^[A-Z](\d{2})?$/, "a component code such as A01, or a dimension letter"),
  statements: z.array(statementInput).length(5, "a path has five statements, levels 1 to 5"),
  confirmedPublic: z.boolean().default(false),
});
export type PathInput = z.input<typeof pathInputSchema>;

export const campaignInputSchema = z
  .strictObject({
    label: z.string().trim().min(1, "give the campaign a name").max(200),
    start: isoDate,
    end: isoDate,
    cycle: z.number().int().min(0).max(3),
    phase: z.enum(CAMPAIGN_PHASES),
    paths: z.array(z.string().uuid()).min(1, "pick at least one path").max(100),
    askCategory: z.boolean().default(false),
  })
  .refine((c) => c.start <= c.end, { message: "the period ends before it starts", path: ["end"] });
export type CampaignInput = z.input<typeof campaignInputSchema>;

/** An answer per path version id: a level, or "dk" (don't know); a missing path is "dk". */
export const answersSchema = z.record(
  z.string().regex(/^\d{1,12}$/),
  z.union([z.literal("dk"), z.number().int().min(1).max(5)]),
);
export type Answers = z.infer<typeof answersSchema>;

const parse = <S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> => {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InvalidInputError(
    what,
    parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
  );
};

/** A statement is written when it has a text in at least one language. */
const written = (s: LocalStatement) => Object.values(s.text).some((t) => t.trim().length > 0);
export const pathComplete = (v: Pick<PathVersionRow, "statements">) =>
  v.statements.length === 5 && v.statements.every(written);
/** A path a campaign may use: five statements, confirmed as the territory's public words. */
export const pathUsable = (v: PathVersionRow) => pathComplete(v) && v.confirmedPublic;

const publicStatements = (v: PathVersionRow) =>
  v.statements.map((s) => ({
    level: s.level,
    passage: s.passage,
    text: Object.fromEntries(Object.entries(s.text).filter(([, t]) => t.trim().length > 0)),
  }));

export function createProgressService(
  ctx: ServiceContext,
  audit: AuditService,
  territories: TerritoryService,
  categories: CategoryService,
  outbox: OutboxService,
  figures: ProgressFigureService,
) {
  const latestPathVersion = (pathUuid: string) =>
    ctx.db
      .select()
      .from(progressPathVersions)
      .where(eq(progressPathVersions.pathUuid, pathUuid))
      .orderBy(desc(progressPathVersions.version))
      .limit(1)
      .get();

  const pathOf = (territory: TerritoryRow, uuid: string) => {
    const path = ctx.db
      .select()
      .from(progressPaths)
      .where(and(eq(progressPaths.uuid, uuid), eq(progressPaths.territoryId, territory.id)))
      .get();
    if (!path) throw new NotFoundError(`no path ${uuid} in territory "${territory.slug}"`);
    return path;
  };

  const campaignOf = (territory: TerritoryRow, uuid: string): CampaignRow => {
    const row = ctx.db
      .select()
      .from(campaigns)
      .where(and(eq(campaigns.uuid, uuid), eq(campaigns.territoryId, territory.id)))
      .get();
    if (!row) throw new NotFoundError(`no campaign ${uuid} in territory "${territory.slug}"`);
    return row;
  };

  const campaignPathVersions = (campaignUuid: string) =>
    ctx.db
      .select({ version: progressPathVersions, code: progressPaths.code })
      .from(campaignPaths)
      .innerJoin(progressPathVersions, eq(progressPathVersions.id, campaignPaths.pathVersionId))
      .innerJoin(progressPaths, eq(progressPaths.uuid, progressPathVersions.pathUuid))
      .where(eq(campaignPaths.campaignUuid, campaignUuid))
      .orderBy(asc(progressPaths.code), asc(progressPathVersions.id))
      .all();

  /** Checks linked criteria: each must be a validated criterion of the territory. */
  const checkCriteria = (territory: TerritoryRow, ids: number[]) => {
    if (ids.length === 0) return;
    const ok = new Set(territoryCriterionIds(ctx.db, territory.id, ids, "validated"));
    const missing = [...new Set(ids)].filter((id) => !ok.has(id));
    if (missing.length > 0) {
      throw new InvalidInputError("a statement is linked to criteria that are not validated here", [
        { path: "statements", message: `unknown or unvalidated criteria: ${missing.join(", ")}` },
      ]);
    }
  };

  /** Level counts per (category, path version, level): one GROUP BY, the results and the draft's. */
  const tallies = (campaignUuid: string) =>
    ctx.db
      .select({
        category: surveyResponses.category,
        pathVersionId: surveyAnswers.pathVersionId,
        level: surveyAnswers.level,
        count: count(),
      })
      .from(surveyAnswers)
      .innerJoin(surveyResponses, eq(surveyResponses.id, surveyAnswers.responseId))
      .where(eq(surveyResponses.campaignUuid, campaignUuid))
      .groupBy(surveyResponses.category, surveyAnswers.pathVersionId, surveyAnswers.level)
      .all();

  const respondents = (campaignUuid: string) =>
    ctx.db
      .select({ id: surveyResponses.id, category: surveyResponses.category })
      .from(surveyResponses)
      .where(eq(surveyResponses.campaignUuid, campaignUuid))
      .all();

  /** Every progress version the territory published, as the atom rule reads it. */
  const ledgerHistory = (territoryId: number): LedgerVersion[] => {
    const rows = ctx.db
      .select({ version: progressVersions, response: publishedResponses })
      .from(progressVersions)
      .leftJoin(publishedResponses, eq(publishedResponses.versionId, progressVersions.id))
      .where(eq(progressVersions.territoryId, territoryId))
      .orderBy(asc(progressVersions.id))
      .all();
    const versions = new Map<
      number,
      LedgerVersion & { groups: LedgerVersion["groups"][number][] }
    >();
    for (const { version, response } of rows) {
      let entry = versions.get(version.id);
      if (!entry) {
        entry = {
          periodKey: `campaign:${version.campaignUuid}`,
          version: version.version,
          groups: [],
          margins: [],
        };
        versions.set(version.id, entry);
      }
      if (response) {
        entry.groups.push({
          id: response.responseId,
          participants: 1,
          category: response.category,
          cell: response.cell,
        });
      }
    }
    return [...versions.values()];
  };

  const latestProgress = (campaignUuid: string) =>
    ctx.db
      .select()
      .from(progressVersions)
      .where(eq(progressVersions.campaignUuid, campaignUuid))
      .orderBy(desc(progressVersions.version))
      .limit(1)
      .get();

  const draftFor = (territory: TerritoryRow, campaign: CampaignRow) => {
    const paths = campaignPathVersions(campaign.uuid);
    const byVersionId = new Map(paths.map((p) => [p.version.id, p]));
    const surveyPaths: SurveyPath[] = paths.map((p) => ({
      id: p.version.pathUuid,
      version: p.version.version,
      code: p.code,
      statements: publicStatements(p.version),
    }));
    const cells: ProgressTally[] = tallies(campaign.uuid).flatMap((t) => {
      const path = byVersionId.get(t.pathVersionId);
      if (!path) return [];
      return [
        {
          category: t.category,
          pathId: path.version.pathUuid,
          level: (t.level ?? null) as ProgressLevel | null,
          count: t.count,
        },
      ];
    });
    const previous = latestProgress(campaign.uuid);
    const draft = draftProgress({
      territory: {
        id: territoryActorId(ctx.publicUrl, territory.slug),
        name: territory.name,
        country: territory.country,
        ...(territory.region ? { region: territory.region } : {}),
      },
      campaign: {
        id: campaign.uuid,
        period: { start: campaign.periodStart, end: campaign.periodEnd },
        cycle: campaign.cycle,
        phase: campaign.phase,
      },
      grid: { id: territory.gridId, version: territory.gridVersion },
      paths: surveyPaths,
      responses: respondents(campaign.uuid),
      tallies: cells,
      previous: previous ? { version: previous.version, hash: previous.hash } : null,
      policy: ctx.policy,
      history: ledgerHistory(territory.id),
    });
    return { previous, draft };
  };

  /** Stores one response and its answers (inside the caller's transaction). */
  const storeResponse = (
    campaign: CampaignRow,
    answers: Answers,
    category: string | null,
    source: "online" | "paper",
  ) => {
    const pathIds = new Set(campaignPathVersions(campaign.uuid).map((p) => p.version.id));
    // A random id, not the next one: the order in which people answered is not kept.
    let response: { id: number } | undefined;
    while (!response) {
      response = ctx.db
        .insert(surveyResponses)
        .values({
          id: randomInt(1, 2 ** 47),
          campaignUuid: campaign.uuid,
          category,
          day: ctx.now().toISOString().slice(0, 10),
          source,
        })
        .onConflictDoNothing()
        .returning({ id: surveyResponses.id })
        .get();
    }
    // The answer rows' rowid is derived from the random response id: left to SQLite, it would
    // grow with every answer and keep the order in which people answered after all.
    const base = BigInt(response.id) * ANSWER_ROWIDS_PER_RESPONSE;
    [...pathIds].forEach((id, position) => {
      const answer = answers[String(id)];
      const level = answer === undefined || answer === "dk" ? null : answer;
      ctx.db.run(
        sql`insert into survey_answers (rowid, response_id, path_version_id, level) values (${base + BigInt(position)}, ${response.id}, ${id}, ${level})`,
      );
    });
    return response.id;
  };

  /** Answers must name the campaign's paths only; the category a known one, if asked. */
  const checkAnswer = (campaign: CampaignRow, answersInput: unknown, category: unknown) => {
    const answers = parse(answersSchema, answersInput, "the answers are not valid");
    const pathIds = new Set(campaignPathVersions(campaign.uuid).map((p) => String(p.version.id)));
    const stray = Object.keys(answers).filter((id) => !pathIds.has(id));
    if (stray.length > 0) {
      throw new InvalidInputError("the answers are not valid", [
        { path: "answers", message: `not a path of this campaign: ${stray.join(", ")}` },
      ]);
    }
    let chosen: string | null = null;
    if (campaign.askCategory && typeof category === "string" && category !== "") {
      if (!categories.exists(category)) {
        throw new InvalidInputError("the group category is not valid", [
          { path: "category", message: `unknown category ${category}` },
        ]);
      }
      chosen = category;
    }
    return { answers, category: chosen };
  };

  return {
    // ----- paths -----
    listPaths(slug: string) {
      const territory = territories.get(slug);
      const paths = ctx.db
        .select()
        .from(progressPaths)
        .where(eq(progressPaths.territoryId, territory.id))
        .orderBy(asc(progressPaths.code), asc(progressPaths.createdAt))
        .all();
      return paths.flatMap((p) => {
        const latest = latestPathVersion(p.uuid);
        return latest
          ? [
              {
                uuid: p.uuid,
                code: p.code,
                latest,
                complete: pathComplete(latest),
                usable: pathUsable(latest),
              },
            ]
          : [];
      });
    },
    getPath(slug: string, uuid: string) {
      const territory = territories.get(slug);
      const path = pathOf(territory, uuid);
      const latest = latestPathVersion(uuid);
      if (!latest) throw new NotFoundError(`no path ${uuid}`);
      return {
        uuid,
        code: path.code,
        latest,
        complete: pathComplete(latest),
        usable: pathUsable(latest),
      };
    },
    /** Creates a path (no uuid) or a new version of one; an unchanged save adds no version. */
    savePath(slug: string, uuid: string | null, input: PathInput, actor: Actor) {
      const territory = territories.get(slug);
      const data = parse(pathInputSchema, input, "the path is not valid");
      const entry = ctx.grid.entry(data.code);
      if (!entry) {
        throw new InvalidInputError("the path is not valid", [
          { path: "code", message: `${data.code} is not a component or dimension of the grid` },
        ]);
      }
      checkCriteria(
        territory,
        data.statements.flatMap((s) => s.criteria),
      );
      const statements: LocalStatement[] = data.statements.map((s, i) => {
        const level = (i + 1) as LocalStatement["level"];
        return {
          level,
          passage: level === 1 ? null : (s.passage ?? DEFAULT_PASSAGES[level as 2 | 3 | 4 | 5]),
          text: Object.fromEntries(Object.entries(s.text).filter(([, t]) => t.length > 0)),
          criteria: [...new Set(s.criteria)].sort((a, b) => a - b),
        };
      });
      const languages = [...new Set(statements.flatMap((s) => Object.keys(s.text)))].sort();
      return ctx.db.transaction(() => {
        const pathUuid = uuid ?? randomUUID();
        if (uuid) {
          const path = pathOf(territory, uuid);
          if (path.code !== data.code) {
            throw new InvalidInputError("the path is not valid", [
              { path: "code", message: "a path stays on its component: write a new path instead" },
            ]);
          }
        } else {
          ctx.db
            .insert(progressPaths)
            .values({ uuid: pathUuid, territoryId: territory.id, code: data.code })
            .run();
        }
        const latest = uuid ? latestPathVersion(uuid) : undefined;
        if (
          latest &&
          JSON.stringify(latest.statements) === JSON.stringify(statements) &&
          latest.confirmedPublic === data.confirmedPublic
        ) {
          return { uuid: pathUuid, version: latest };
        }
        const version = ctx.db
          .insert(progressPathVersions)
          .values({
            pathUuid,
            version: (latest?.version ?? 0) + 1,
            statements,
            languages,
            confirmedPublic: data.confirmedPublic,
            createdBy: actor,
          })
          .returning()
          .get();
        audit.record(actor, "path.save", `path:${pathUuid}`, {
          version: version.version,
          code: data.code,
        });
        return { uuid: pathUuid, version };
      });
    },
    /** Validated criteria on the path's component (or dimension): what a path is written from. */
    criteriaFor(slug: string, code: string, limit = 200) {
      const territory = territories.get(slug);
      const onCode =
        code.length === 1 ? eq(criteria.dimension, code) : eq(criteria.component, code);
      return ctx.db
        .select({
          id: criteria.id,
          text: criteria.text,
          question: criteria.question,
          code: criteria.code,
        })
        .from(criteria)
        .innerJoin(groups, eq(groups.id, criteria.groupId))
        .where(and(eq(groups.territoryId, territory.id), eq(criteria.status, "validated"), onCode))
        .orderBy(asc(criteria.question), asc(criteria.id))
        .limit(limit)
        .all();
    },

    // ----- campaigns -----
    listCampaigns(slug: string) {
      const territory = territories.get(slug);
      return ctx.db
        .select()
        .from(campaigns)
        .where(eq(campaigns.territoryId, territory.id))
        .orderBy(desc(campaigns.periodStart), asc(campaigns.label))
        .all();
    },
    getCampaign(slug: string, uuid: string) {
      const territory = territories.get(slug);
      const campaign = campaignOf(territory, uuid);
      const codes = ctx.db
        .select({ used: campaignCodes.used, n: count() })
        .from(campaignCodes)
        .where(eq(campaignCodes.campaignUuid, uuid))
        .groupBy(campaignCodes.used)
        .all();
      return {
        campaign,
        paths: campaignPathVersions(uuid),
        codes: {
          issued: codes.reduce((a, c) => a + c.n, 0),
          used: codes.find((c) => c.used)?.n ?? 0,
        },
        published: latestProgress(uuid) ?? null,
      };
    },
    createCampaign(slug: string, input: CampaignInput, actor: Actor): CampaignRow {
      const territory = territories.get(slug);
      const data = parse(campaignInputSchema, input, "the campaign is not valid");
      return ctx.db.transaction(() => {
        const versions = [...new Set(data.paths)].map((uuid, i) => {
          pathOf(territory, uuid);
          const latest = latestPathVersion(uuid);
          if (!latest || !pathUsable(latest)) {
            throw new InvalidInputError("the campaign is not valid", [
              {
                path: `paths.${i}`,
                message:
                  "this path needs five statements and your confirmation that they are the territory's public words",
              },
            ]);
          }
          return latest;
        });
        const row = ctx.db
          .insert(campaigns)
          .values({
            uuid: randomUUID(),
            territoryId: territory.id,
            label: data.label,
            periodStart: data.start,
            periodEnd: data.end,
            cycle: data.cycle,
            phase: data.phase,
            askCategory: data.askCategory,
          })
          .returning()
          .get();
        ctx.db
          .insert(campaignPaths)
          .values(versions.map((v) => ({ campaignUuid: row.uuid, pathVersionId: v.id })))
          .run();
        audit.record(actor, "campaign.create", `campaign:${row.uuid}`, { paths: versions.length });
        return row;
      });
    },
    /** Closes (or reopens) a campaign to online answers. */
    setClosed(slug: string, uuid: string, closed: boolean, actor: Actor): void {
      const territory = territories.get(slug);
      campaignOf(territory, uuid);
      ctx.db
        .update(campaigns)
        .set({ closedAt: closed ? ctx.now().toISOString().slice(0, 10) : null })
        .where(eq(campaigns.uuid, uuid))
        .run();
      audit.record(actor, closed ? "campaign.close" : "campaign.reopen", `campaign:${uuid}`);
    },
    /** New one-time codes; only their hashes are kept, so the sheet is shown once. */
    issueCodes(slug: string, uuid: string, howMany: number, actor: Actor): string[] {
      const territory = territories.get(slug);
      campaignOf(territory, uuid);
      if (!Number.isInteger(howMany) || howMany < 1 || howMany > MAX_CODES_PER_BATCH) {
        throw new InvalidInputError("the number of codes is not valid", [
          { path: "count", message: `between 1 and ${MAX_CODES_PER_BATCH}` },
        ]);
      }
      // Only codes whose hash was new are handed out: one drawn again (however unlikely) could
      // be a code already printed, or used.
      const issued: string[] = [];
      ctx.db.transaction(() => {
        while (issued.length < howMany) {
          const drawn = new Map<string, string>();
          while (drawn.size < howMany - issued.length) {
            const code = newCode();
            drawn.set(codeHash(uuid, code), code);
          }
          const inserted = ctx.db
            .insert(campaignCodes)
            .values([...drawn.keys()].map((hash) => ({ hash, campaignUuid: uuid })))
            .onConflictDoNothing()
            .returning({ hash: campaignCodes.hash })
            .all();
          for (const { hash } of inserted) issued.push(drawn.get(hash) as string);
        }
        audit.record(actor, "campaign.codes", `campaign:${uuid}`, { count: howMany });
      });
      return issued;
    },
    /** A campaign as the public answer page shows it; NotFound when unknown or closed. */
    survey(uuid: string) {
      const campaign = ctx.db.select().from(campaigns).where(eq(campaigns.uuid, uuid)).get();
      if (!campaign || campaign.closedAt) throw new NotFoundError("no open survey at this address");
      const territory = territories.list().find((t) => t.id === campaign.territoryId);
      if (!territory) throw new NotFoundError("no open survey at this address");
      return {
        campaign,
        territory,
        paths: campaignPathVersions(uuid),
        categories: campaign.askCategory ? categories.publicList() : [],
      };
    },
    /**
     * A respondent's answers with a one-time code. The answers are checked first (nothing about
     * the code is looked at before), then one UPDATE claims the code: a forged, reused or
     * foreign code all fail at that same statement with the same message.
     */
    answer(uuid: string, code: string, answersInput: unknown, category: unknown): void {
      const { campaign } = this.survey(uuid);
      const checked = checkAnswer(campaign, answersInput, category);
      const hash = codeHash(uuid, typeof code === "string" ? code.slice(0, 64) : "");
      ctx.db.transaction(() => {
        const claimed = ctx.db
          .update(campaignCodes)
          .set({ used: true })
          .where(
            and(
              eq(campaignCodes.hash, hash),
              eq(campaignCodes.campaignUuid, uuid),
              eq(campaignCodes.used, false),
            ),
          )
          .run();
        if (claimed.changes !== 1) throw new ConflictError(CODE_REFUSED);
        storeResponse(campaign, checked.answers, checked.category, "online");
      });
    },
    /** A paper answer typed in by a facilitator (no code: the paper was the code). */
    enterPaper(slug: string, uuid: string, answersInput: unknown, category: unknown, actor: Actor) {
      const territory = territories.get(slug);
      const campaign = campaignOf(territory, uuid);
      const checked = checkAnswer(campaign, answersInput, category);
      return ctx.db.transaction(() => {
        const id = storeResponse(campaign, checked.answers, checked.category, "paper");
        audit.record(actor, "campaign.paper", `campaign:${uuid}`);
        return id;
      });
    },

    // ----- results and publication -----
    /** The campaign's distribution per path (local: every answer, no disclosure control). */
    results(slug: string, uuid: string) {
      const territory = territories.get(slug);
      const campaign = campaignOf(territory, uuid);
      const paths = campaignPathVersions(uuid);
      const total =
        ctx.db
          .select({ n: count() })
          .from(surveyResponses)
          .where(eq(surveyResponses.campaignUuid, uuid))
          .get()?.n ?? 0;
      const cells = tallies(uuid);
      return {
        campaign,
        respondents: total,
        paths: paths.map((p) => {
          const counts = { "1": 0, "2": 0, "3": 0, "4": 0, "5": 0, dontKnow: 0 };
          for (const cell of cells) {
            if (cell.pathVersionId !== p.version.id) continue;
            const key = cell.level === null ? "dontKnow" : (String(cell.level) as "1");
            counts[key] += cell.count;
          }
          return {
            pathUuid: p.version.pathUuid,
            pathVersionId: p.version.id,
            code: p.code,
            version: p.version,
            counts,
          };
        }),
      };
    },
    /** Campaigns on a path (any version of it), for the ex-ante/ex-post comparison. */
    campaignsOnPath(slug: string, pathUuid: string) {
      const territory = territories.get(slug);
      pathOf(territory, pathUuid);
      return ctx.db
        .selectDistinct({ uuid: campaigns.uuid })
        .from(campaignPaths)
        .innerJoin(progressPathVersions, eq(progressPathVersions.id, campaignPaths.pathVersionId))
        .innerJoin(campaigns, eq(campaigns.uuid, campaignPaths.campaignUuid))
        .where(eq(progressPathVersions.pathUuid, pathUuid))
        .all()
        .map((r) => r.uuid);
    },
    preview(slug: string, uuid: string) {
      const territory = territories.get(slug);
      const campaign = campaignOf(territory, uuid);
      const { previous, draft } = draftFor(territory, campaign);
      return {
        previous: previous ?? null,
        ...draftAnswer(draft),
      };
    },
    /** Publishes a new progress version of the campaign; refused when a disclosure rule forbids it. */
    publish(
      slug: string,
      uuid: string,
      actor: Actor,
      options: { subnetworks?: ReadonlyArray<string | number> } = {},
    ): ProgressVersionRow {
      const territory = territories.get(slug);
      const addressed = addressedSubnetworks(ctx.db, territory.slug, options.subnetworks);
      const today = ctx.now().toISOString().slice(0, 10);
      const row = ctx.db.transaction((tx) => {
        const campaign = campaignOf(territory, uuid);
        // Receivers refuse a campaign that has not started (docs/protocol.md §13).
        refuseBeforeStart(campaign.periodStart, today, "the campaign has not started yet", "start");
        const { previous, draft } = draftFor(territory, campaign);
        if (!draft.payload)
          throw new ConflictError("this campaign cannot be published", draft.blockers);
        const payload: ProgressPayload = draft.payload;
        if (previous && !previous.withdrawnAt) {
          const before = JSON.parse(previous.payload) as ProgressPayload;
          const strip = ({ version, previous, hash, ...rest }: ProgressPayload) =>
            JSON.stringify(rest);
          if (strip(before) === strip(payload)) {
            throw new ConflictError(`nothing changed since version ${previous.version}`);
          }
        }
        const version = tx
          .insert(progressVersions)
          .values({
            uuid: randomUUID(),
            campaignUuid: uuid,
            territoryId: territory.id,
            version: payload.version,
            respondents: payload.respondents,
            payload: JSON.stringify(payload),
            hash: payload.hash,
            publishedBy: actor,
          })
          .returning()
          .get();
        for (let i = 0; i < draft.ledger.length; i += 500) {
          tx.insert(publishedResponses)
            .values(
              draft.ledger.slice(i, i + 500).map((g) => ({
                versionId: version.id,
                responseId: Number(g.id),
                category: g.category,
                cell: g.cell,
              })),
            )
            .run();
        }
        const objectId = progressUrl(ctx.publicUrl, uuid);
        figures.accept({ origin: payload.territory.id, objectId, payload, local: true });
        outbox.record({
          actor: territory.slug,
          type: payload.version === 1 ? "Create" : "Update",
          objectId,
          progressVersionId: version.id,
          ...(addressed ? { recipients: addressed } : {}),
        });
        audit.record(actor, "progress.publish", `campaign:${uuid}`, {
          version: version.version,
          hash: version.hash,
        });
        return version;
      });
      ctx.notifyOutbox();
      return row;
    },
    /**
     * Withdraws a campaign's published progress: every version leaves the public pages and this
     * node's figures, and a Delete of its Article goes to the followers and every sub-network it
     * was addressed to. Publishing again later is a new version, public on its own; the
     * withdrawn versions stay in the progress ledger (they were public).
     */
    withdraw(slug: string, uuid: string, actor: Actor): void {
      const territory = territories.get(slug);
      ctx.db.transaction((tx) => {
        const campaign = campaignOf(territory, uuid);
        const latest = latestProgress(campaign.uuid);
        if (!latest) throw new ConflictError("this campaign's progress was never published");
        if (latest.withdrawnAt)
          throw new ConflictError("this campaign's progress is already withdrawn");
        const withdrawnAt = ctx.now().toISOString();
        tx.update(progressVersions)
          .set({ withdrawnAt })
          .where(
            and(
              eq(progressVersions.campaignUuid, campaign.uuid),
              isNull(progressVersions.withdrawnAt),
            ),
          )
          .run();
        const objectId = progressUrl(ctx.publicUrl, campaign.uuid);
        figures.withdraw(territoryActorId(ctx.publicUrl, territory.slug), objectId);
        outbox.record({
          actor: territory.slug,
          type: "Delete",
          objectId,
          progressVersionId: latest.id,
        });
        audit.record(actor, "progress.withdraw", `campaign:${campaign.uuid}`, {
          version: latest.version,
        });
      });
      ctx.notifyOutbox();
    },
    /** When the campaign's progress was first published (the Article's `published`). */
    firstPublished(campaignUuid: string): string | undefined {
      return ctx.db
        .select({ at: progressVersions.createdAt })
        .from(progressVersions)
        .where(eq(progressVersions.campaignUuid, campaignUuid))
        .orderBy(asc(progressVersions.version))
        .limit(1)
        .get()?.at;
    },
    progressVersionById(id: number): ProgressVersionRow | undefined {
      return ctx.db.select().from(progressVersions).where(eq(progressVersions.id, id)).get();
    },
    /**
     * The Article of a campaign's latest published version as it was signed and sent (for
     * federation clients dereferencing its id), with the activity's `@context`; undefined when
     * none was prepared yet.
     */
    servedArticle(uuid: string): Record<string, unknown> | undefined {
      if (latestProgress(uuid)?.withdrawnAt) return undefined;
      const row = ctx.db
        .select({ json: outboxActivities.json })
        .from(outboxActivities)
        .innerJoin(progressVersions, eq(progressVersions.id, outboxActivities.progressVersionId))
        .where(and(eq(progressVersions.campaignUuid, uuid), isNotNull(outboxActivities.json)))
        .orderBy(desc(progressVersions.version))
        .limit(1)
        .get();
      const object = row?.json?.object;
      if (!row?.json || !object || typeof object !== "object") return undefined;
      return { "@context": row.json["@context"], ...(object as Record<string, unknown>) };
    },
    /** When the campaign's published progress was withdrawn; null when it is public or was never published. */
    withdrawnAt(uuid: string): string | null {
      return latestProgress(uuid)?.withdrawnAt ?? null;
    },
    /** The latest published progress of a campaign, for its public page; undefined when none. */
    publicProgress(uuid: string) {
      const latest = latestProgress(uuid);
      if (!latest || latest.withdrawnAt) return undefined;
      return { row: latest, payload: JSON.parse(latest.payload) as ProgressPayload };
    },
    /** Every territory's latest published progress versions (newest first), for its public page. */
    publishedFor(slug: string) {
      const territory = territories.get(slug);
      const rows = ctx.db
        .select()
        .from(progressVersions)
        .where(eq(progressVersions.territoryId, territory.id))
        .orderBy(desc(progressVersions.id))
        .all();
      const seen = new Set<string>();
      return rows
        .filter((r) => !seen.has(r.campaignUuid) && seen.add(r.campaignUuid))
        .filter((r) => r.withdrawnAt === null)
        .map((r) => ({ row: r, payload: JSON.parse(r.payload) as ProgressPayload }));
    },
  };
}
export type ProgressService = ReturnType<typeof createProgressService>;
