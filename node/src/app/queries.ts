import { isPublicMeeting, type Period } from "@spiral-network/protocol";
import { spreadsheetCsv } from "../csv-export";
import type { NetworkService } from "../federation/network";
import { computeFigure, type FigureParams, figureChoices } from "../figures";
import type { CoveragePage } from "../services/aggregates";
import { GoneError, NotFoundError } from "../services/errors";
import type { Services } from "../services/index";
import { meetingUrl, meetingView } from "../services/meetings";
import type { MeetingFilter } from "../services/received-meetings";
import { subnetworkView } from "../services/subnetworks";
import { territoryView } from "../services/territories";
import { type Actor, allows, authorize } from "./permissions";

/** The export's columns: the import's (group, question, text, code, language), then the status. */
export const CRITERIA_EXPORT_COLUMNS = [
  "group",
  "question",
  "text",
  "code",
  "language",
  "status",
] as const;

/**
 * Who may see more than the public: an actor whose role may `read` (a token or a session). An
 * anonymous caller (undefined) gets what the public pages show.
 */
export const mayRead = (actor: Actor | undefined): actor is Actor =>
  actor !== undefined && allows(actor.role, "read");

/**
 * The application layer's queries (docs/architecture.md, "The application layer"): every read of
 * the JSON API and the workspace. Each states what it needs: `read` (any signed-in role or token),
 * or nothing for what is public anyway — and then an actor who may read sees what the public does
 * not (withdrawn versions, followers-only meetings, a sub-network's moderators).
 */
export function createQueries(services: Services, network?: NetworkService) {
  const { ctx } = services;
  const net = (): NetworkService => {
    if (!network) throw new Error("the network service is not available");
    return network;
  };
  /** A query that needs `read`. */
  const read =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (actor: Actor, ...args: A): R => {
      authorize(actor, "read");
      return fn(...args);
    };
  const { territories, groups, criteria, syntheses, follows, received, subnetworks } = services;
  const meetingViewOf = (row: Parameters<typeof meetingView>[0]) => meetingView(row, ctx.publicUrl);

  return {
    /** What the node is configured with: its grid, public address, disclosure policy and clock. */
    node: {
      grid: ctx.grid,
      publicUrl: ctx.publicUrl,
      policy: ctx.policy,
      now: ctx.now,
    },
    territories: {
      /** The node's territories as the API shows them (public: each is an actor anyone follows). */
      views: () => territories.list().map((row) => territoryView(row, ctx.publicUrl)),
      view: (slug: string) => territoryView(territories.get(slug), ctx.publicUrl),
    },
    groups: {
      list: read(groups.list.bind(groups)),
      get: read(groups.get.bind(groups)),
    },
    criteria: {
      list: read(criteria.list.bind(criteria)),
      get: read(criteria.get.bind(criteria)),
      recentCodes: read(criteria.recentCodes.bind(criteria)),
      /**
       * Every criterion of the territory as a spreadsheet (group, question, text, code, language,
       * status): raw data, so admins only (`export`), and never public.
       */
      exportCsv(actor: Actor, slug: string): string {
        authorize(actor, "export");
        return spreadsheetCsv(CRITERIA_EXPORT_COLUMNS, criteria.exportRows(slug));
      },
    },
    suggestions: {
      suggest: read(services.suggestions.suggest.bind(services.suggestions)),
    },
    /** Paths of progress, campaigns and their results (docs/facilitators-guide.md). */
    progress: {
      listPaths: read(services.progress.listPaths.bind(services.progress)),
      getPath: read(services.progress.getPath.bind(services.progress)),
      criteriaFor: read(services.progress.criteriaFor.bind(services.progress)),
      listCampaigns: read(services.progress.listCampaigns.bind(services.progress)),
      getCampaign: read(services.progress.getCampaign.bind(services.progress)),
      results: read(services.progress.results.bind(services.progress)),
      campaignsOnPath: read(services.progress.campaignsOnPath.bind(services.progress)),
      preview: read(services.progress.preview.bind(services.progress)),
      /** Network figures of progress (received and own), with coverage and fingerprint. */
      figures: read(services.progressFigures.query.bind(services.progressFigures)),
      /** The same figures for anyone: they are built from published payloads only. */
      networkFigures: services.progressFigures.query.bind(services.progressFigures),
    },
    /** A deleted criterion or group that can still be brought back (within its few minutes). */
    trash: {
      find: read(services.trash.find.bind(services.trash)),
    },
    categories: {
      /** Every category to an actor who may read; to anyone else the ones already public. */
      list: (actor: Actor | undefined) =>
        mayRead(actor) ? services.categories.list() : services.categories.publicList(),
      exists: read(services.categories.exists.bind(services.categories)),
    },
    syntheses: {
      /** The local figures of a period (the per-group SQL tallies a publication would sum). */
      figures: read((slug: string, period: Period) => syntheses.figures(slug, period)),
      /** Every published version, withdrawn ones included, with its series' withdrawal. */
      versions: read((slug: string) => {
        const rows = syntheses.list(slug);
        const withdrawn = new Map<string, boolean>();
        for (const row of rows) {
          if (withdrawn.has(row.synthesisUuid)) continue;
          const series = syntheses.series(row.synthesisUuid)?.series;
          withdrawn.set(row.synthesisUuid, Boolean(series?.withdrawnAt));
        }
        return rows.map((row) => ({ row, withdrawn: withdrawn.get(row.synthesisUuid) ?? false }));
      }),
      get: read(syntheses.get.bind(syntheses)),
      /** The versions anyone may read (none withdrawn), newest first. */
      publicList: (slug: string) => syntheses.publicList(slug),
      /** One version for anyone: a withdrawn one is gone (410). */
      publicGet: (slug: string, uuid: string) => syntheses.publicGet(slug, uuid),
    },
    meetings: {
      /** A territory's meetings; followers-only ones only to an actor who may read. */
      list(actor: Actor | undefined, slug: string, options: { upcoming?: boolean } = {}) {
        return services.meetings
          .list(slug, options)
          .filter((row) => mayRead(actor) || isPublicMeeting(row.payload))
          .map(meetingViewOf);
      },
      get(actor: Actor | undefined, slug: string, id: string) {
        const row = services.meetings.get(slug, id);
        if (!mayRead(actor) && !isPublicMeeting(row.payload)) {
          throw new NotFoundError(`no meeting ${id} in territory "${slug}"`);
        }
        return meetingViewOf(row);
      },
      /** Every upcoming meeting of the node's territories, followers-only ones included. */
      upcomingEverywhere: read(() =>
        services.meetings.upcomingEverywhere().map((row) => ({
          row,
          url: meetingUrl(ctx.publicUrl, row.uuid),
        })),
      ),
      /** Upcoming meetings received from other territories (they are public where they come from). */
      received: (filter: MeetingFilter = {}) => services.receivedMeetings.upcoming(filter),
      /** Upcoming public meetings of this node's territories and those received, soonest first. */
      network(filter: { kind?: string[]; country?: string[]; from?: string; to?: string }) {
        const local = services.meetings
          .upcomingEverywhere()
          .filter((row) => isPublicMeeting(row.payload))
          .map((row) => ({ url: meetingUrl(ctx.publicUrl, row.uuid), local: true, ...row.payload }))
          .filter(
            (m) =>
              (!filter.kind || filter.kind.includes(m.kind)) &&
              (!filter.country || filter.country.includes(m.territory.country)) &&
              (!filter.from || m.startUtc >= filter.from) &&
              (!filter.to || m.startUtc <= `${filter.to}T23:59:59.999Z`),
          );
        const remote = services.receivedMeetings
          .upcoming({
            kinds: filter.kind,
            countries: filter.country,
            from: filter.from,
            to: filter.to,
          })
          .filter((row) => isPublicMeeting(row.payload))
          .map((row) => ({ url: row.objectId, local: false, ...row.payload }));
        return [...local, ...remote].sort((a, b) => a.startUtc.localeCompare(b.startUtc));
      },
    },
    network: {
      /** Whether the node federates (a node built without it, in some tests, does not). */
      available: network !== undefined,
      /** How long an outbound request may take (said when a look-up timed out). */
      outboundTimeoutSeconds: network?.outboundTimeoutSeconds ?? 0,
      /**
       * Looks a handle or actor URL up, for the preview before a follow: `edit`, as the follow it
       * prepares (a look-up makes the node fetch from elsewhere).
       */
      lookUp(actor: Actor, target: string) {
        authorize(actor, "edit");
        return net().lookUp(target);
      },
      /** Whom the territory follows (404 for an unknown territory). */
      following: read((slug: string) => {
        territories.get(slug);
        return follows.following(slug);
      }),
      followingByTarget: read(follows.followingByTarget.bind(follows)),
      followers: read((slug: string) => {
        territories.get(slug);
        return follows.followers(slug);
      }),
      acceptedFollowers: read(follows.acceptedFollowers.bind(follows)),
      /** The sub-networks the territory joined or asked to join. */
      joinedSubnetworks: read((slug: string) => net().subnetworks.joined(slug)),
      /** What arrived through a joined sub-network (verified), newest first. */
      subnetworkFeed: read((slug: string, id: string | number) => net().subnetworks.feed(slug, id)),
    },
    received: {
      /** The latest received version per origin and period; withdrawn ones only to readers. */
      list: (actor: Actor | undefined) =>
        received.list().filter((row) => mayRead(actor) || row.withdrawnAt === null),
      /** One received synthesis; once its origin withdrew it, gone (410) to anyone but readers. */
      get(actor: Actor | undefined, id: number) {
        const row = received.get(id);
        if (row.withdrawnAt && !mayRead(actor)) {
          throw new GoneError(`received synthesis ${row.id} was withdrawn by its origin`);
        }
        return row;
      },
    },
    subnetworks: {
      /** A hosted sub-network as anyone sees it; its moderators only to an actor who may read. */
      view(actor: Actor | undefined, row: Parameters<typeof subnetworkView>[0]) {
        const { moderators, ...rest } = subnetworkView(row, ctx.publicUrl);
        return mayRead(actor) ? { ...rest, moderators } : rest;
      },
      list: () => subnetworks.list(),
      get: (slug: string) => subnetworks.get(slug),
      find: (slug: string) => subnetworks.find(slug),
      members: read(subnetworks.members.bind(subnetworks)),
      /** What a hosted sub-network relayed, newest first (deleted ones only asked by readers). */
      relayed(actor: Actor | undefined, slug: string, { includeDeleted = false } = {}) {
        subnetworks.get(slug);
        return subnetworks.items(subnetworks.actorUrl(slug), {
          includeDeleted: includeDeleted && mayRead(actor),
        });
      },
    },
    figures: {
      /** A network figure (public: it is built from published syntheses only). */
      compute: (
        params: Omit<FigureParams, "format" | "coverage_offset" | "coverage_limit">,
        page?: CoveragePage,
      ) => computeFigure(services, params, page),
      /** The filter form's choices; an actor who may read also sees the node's own categories. */
      choices: (actor: Actor | undefined) =>
        figureChoices(services, mayRead(actor) ? "workspace" : "public"),
    },
    users: {
      /** The accounts' names (for showing who moderates). */
      names: read(() => new Map(services.users.list().map((u) => [u.id, u.name]))),
    },
  };
}
export type Queries = ReturnType<typeof createQueries>;
