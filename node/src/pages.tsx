import { percentText } from "@spiral-network/admin-ui/charts/progress-chart";
import { FiguresPage } from "@spiral-network/admin-ui/figures-page";
import { HomePage } from "@spiral-network/admin-ui/home-page";
import {
  isLang,
  type Lang,
  pickLanguage,
  type Translate,
  translator,
} from "@spiral-network/admin-ui/i18n";
import { categoryChoices } from "@spiral-network/admin-ui/labels";
import { MeetingPage } from "@spiral-network/admin-ui/meeting-page";
import { NotFoundPage } from "@spiral-network/admin-ui/not-found-page";
import { SubnetworkPublicPage } from "@spiral-network/admin-ui/subnetwork-page";
import { SynthesisPage } from "@spiral-network/admin-ui/synthesis-page";
import { TerritoryPage } from "@spiral-network/admin-ui/territory-page";
import {
  isPublicMeeting,
  type MeetingPayload,
  meetingHtml,
  meetingSummaryLine,
  type SynthesisPayload,
  shareGood,
} from "@spiral-network/protocol";
import { type Context, Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { periodLabel } from "./federation/period-label";
import { ATOM_TYPE, atomFeed, type FeedEntry } from "./feeds";
import { computeFigure, figureApiUrl, figureChoices, parseFigureQuery } from "./figures";
import { gridLabeller } from "./grid-labels";
import type { Services } from "./services/index";
import { meetingUrl } from "./services/meetings";
import { activityUrl } from "./services/outbox";
import { progressUrl } from "./services/progress";
import { synthesisUrl, synthesisVersionView } from "./services/syntheses";
import { type TerritoryRow, territoryActorId } from "./services/territories";

/**
 * Public pages. Federation clients get ActivityStreams at these URLs (Fedify answers first);
 * browsers fall through to here. The admin UI renders; this module only gathers what it shows.
 */
type PagesEnv = { Variables: { lang: Lang; t: Translate } };

const ACTIVITY_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

/** The language cookie, shared with the workspace's switch (path /). */
const LANG_COOKIE = "lang";

export function createPages(services: Services) {
  const pages = new Hono<PagesEnv>();
  const { publicUrl, grid } = services.ctx;

  // Language: ?lang= (the pages' switch, remembered in the same cookie as the workspace's), then
  // the `lang` cookie, then Accept-Language. HTML answers get the workspace's strict policy.
  pages.use(async (c, next) => {
    const asked = c.req.query("lang");
    if (isLang(asked)) {
      setCookie(c, LANG_COOKIE, asked, {
        path: "/",
        sameSite: "Lax",
        secure: publicUrl.startsWith("https:"),
        maxAge: 365 * 24 * 3600,
      });
    }
    const lang = isLang(asked)
      ? asked
      : pickLanguage(getCookie(c, LANG_COOKIE), c.req.header("accept-language"));
    c.set("lang", lang);
    c.set("t", translator(lang));
    await next();
    // A browser asking for something that is not (or no longer) public gets a page in its
    // language with a way back; ActivityPub and API clients keep the plain 404.
    if (
      c.res.status === 404 &&
      !c.res.headers.get("content-type")?.startsWith("text/html") &&
      (c.req.header("accept") ?? "").includes("text/html")
    ) {
      c.res = undefined;
      c.res = await c.html(
        <NotFoundPage
          t={translator(lang)}
          lang={lang}
          url={`${publicUrl}${c.req.path}`}
          switchUrl={switchUrl(c)}
        />,
        404,
      );
    }
    if (c.res.headers.get("content-type")?.startsWith("text/html")) {
      c.header("Content-Language", lang);
      c.header("Vary", "Accept, Accept-Language, Cookie");
      c.header("X-Content-Type-Options", "nosniff");
      c.header(
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'",
      );
    }
  });

  /** The page asked for without `lang` (other query parameters kept): the switch adds it. */
  const switchUrl = (c: Context<PagesEnv>) => {
    const url = new URL(c.req.url);
    url.searchParams.delete("lang");
    return `${url.pathname}${url.search}`;
  };
  const page = (c: Context<PagesEnv>) => ({
    t: c.get("t"),
    lang: c.get("lang"),
    switchUrl: switchUrl(c),
  });
  const synthesisTitle = (t: Translate, payload: SynthesisPayload) =>
    t("public.synthesis.title", {
      name: payload.territory.name,
      period: periodLabel(payload.period),
    });

  const synthesisSummary = (t: Translate, payload: SynthesisPayload) =>
    t(payload.groups === 1 ? "public.synthesis.intro.oneGroup" : "public.synthesis.intro", {
      name: payload.territory.name,
      criteria: payload.totals.criteria,
      participants: payload.participants,
      groups: payload.groups,
    });

  /** The latest public (not withdrawn) version of each synthesis of a territory. */
  const publishedSyntheses = (slug: string) => {
    const seen = new Set<string>();
    return services.syntheses
      .publicList(slug)
      .filter((v) => !seen.has(v.synthesisUuid) && seen.add(v.synthesisUuid));
  };

  const calendarUrl = (slug: string) => `${publicUrl}/actors/${slug}/meetings.ics`;
  const synthesesFeedUrl = (slug: string) => `${publicUrl}/actors/${slug}/syntheses.atom`;
  const meetingsFeedUrl = (slug: string) => `${publicUrl}/actors/${slug}/meetings.atom`;
  const receivedFeedUrl = `${publicUrl}/received-syntheses.atom`;
  const synthesesFeed = (t: Translate, name: string, slug: string) => ({
    title: t("public.feed.syntheses", { name }),
    url: synthesesFeedUrl(slug),
  });
  const meetingsFeed = (t: Translate, name: string, slug: string) => ({
    title: t("public.feed.meetings", { name }),
    url: meetingsFeedUrl(slug),
  });
  const receivedFeed = (t: Translate) => ({
    title: t("public.feed.received"),
    url: receivedFeedUrl,
  });
  const isPublic = (row: { payload: MeetingPayload }) => isPublicMeeting(row.payload);
  const publicMeetings = (slug: string) =>
    services.meetings.list(slug, { upcoming: true }).filter(isPublic);
  const calendarEntry = (uuid: string, payload: MeetingPayload) => ({
    uid: meetingUrl(publicUrl, uuid),
    url: meetingUrl(publicUrl, uuid),
    payload,
  });
  const ics = (c: Context, body: string, filename: string) =>
    c.body(body, 200, {
      "Content-Type": "text/calendar; charset=utf-8",
      "Content-Disposition": `inline; filename="${filename}"`,
    });

  /** A published version's figures, read from its payload. */
  const figuresOf = (v: { payload: string }) => {
    const payload = JSON.parse(v.payload) as SynthesisPayload;
    return {
      groups: payload.groups,
      participants: payload.participants,
      criteria: payload.totals.criteria,
    };
  };

  // Only what was published: no live count of groups or criteria (polling them after a session
  // would tell what that one group wrote).
  pages.get("/", (c) => {
    const territories = services.territories.list().map((t) => {
      return {
        slug: t.slug,
        actorUrl: territoryActorId(publicUrl, t.slug),
        calendarUrl: calendarUrl(t.slug),
        name: t.name,
        country: t.country,
        region: t.region ?? undefined,
        description: t.description ?? undefined,
        languages: t.languages,
        feed: synthesesFeed(c.get("t"), t.name, t.slug),
        syntheses: publishedSyntheses(t.slug).map((v) => ({
          ...synthesisVersionView(v),
          url: synthesisUrl(publicUrl, v.synthesisUuid),
          figures: figuresOf(v),
        })),
      };
    });
    return c.html(
      <HomePage
        {...page(c)}
        nodeUrl={publicUrl}
        territories={territories}
        receivedFeed={receivedFeed(c.get("t"))}
      />,
    );
  });

  /** A hosted sub-network's page: theme in the page's language, member territories, how to join. */
  const capped = (name: string) => (name.length > 100 ? `${name.slice(0, 99)}…` : name);
  const subnetworkPage = (c: Context<PagesEnv>, slug: string) => {
    const row = services.subnetworks.find(slug);
    if (!row) return c.notFound();
    const lang = c.get("lang");
    const code = (entry: string) => `${entry} · ${grid.entry(entry)?.label[lang] ?? entry}`;
    // Labels of the categories anyone may see; another one shows as the code the theme names.
    const categories = new Map(
      categoryChoices(services.categories.publicList(), lang).map((x) => [x.code, x.label]),
    );
    // Accepted SPIRAL territories only (not pending requests, not fediverse accounts); names
    // come from remote actors, so they are capped.
    const members = services.follows
      .acceptedFollowers(row.slug)
      .filter((m) => m.spiral && /^https?:\/\//.test(m.follower))
      .map((m) => ({ name: capped(m.name ?? m.handle ?? m.follower), url: m.follower }));
    return c.html(
      <SubnetworkPublicPage
        {...page(c)}
        actorUrl={territoryActorId(publicUrl, row.slug)}
        handle={`@${row.slug}@${new URL(publicUrl).host}`}
        subnetwork={{
          name: row.name,
          description: row.description ?? undefined,
          admission: row.admission,
          theme: {
            dimensions: row.theme.dimensions.map(code),
            components: row.theme.components.map(code),
            categories: row.theme.categories.map((cat) => categories.get(cat) ?? cat),
          },
        }}
        members={members}
      />,
    );
  };

  pages.get("/actors/:slug", (c) => {
    const territory = services.territories.list().find((t) => t.slug === c.req.param("slug"));
    if (!territory) return subnetworkPage(c, c.req.param("slug"));
    const syntheses = publishedSyntheses(territory.slug).map((v) => {
      const payload = JSON.parse(v.payload) as SynthesisPayload;
      return {
        url: synthesisUrl(publicUrl, v.synthesisUuid),
        title: synthesisTitle(c.get("t"), payload),
        version: v.version,
        publishedAt: v.createdAt,
        figures: figuresOf(v),
      };
    });
    const meetings = publicMeetings(territory.slug).map((row) => {
      const payload = row.payload;
      return {
        url: meetingUrl(publicUrl, row.uuid),
        title: payload.title,
        when: meetingSummaryLine(payload, c.get("lang")),
      };
    });
    return c.html(
      <TerritoryPage
        {...page(c)}
        countryFiguresUrl={`/figures?country=${encodeURIComponent(territory.country)}`}
        actorUrl={territoryActorId(publicUrl, territory.slug)}
        calendarUrl={calendarUrl(territory.slug)}
        feeds={{
          syntheses: synthesesFeed(c.get("t"), territory.name, territory.slug),
          meetings: meetingsFeed(c.get("t"), territory.name, territory.slug),
        }}
        meetings={meetings}
        handle={`@${territory.slug}@${new URL(publicUrl).host}`}
        territory={{
          name: territory.name,
          country: territory.country,
          region: territory.region ?? undefined,
          description: territory.description ?? undefined,
          languages: territory.languages,
        }}
        syntheses={syntheses}
        progress={services.progress.publishedFor(territory.slug).map(({ row, payload }) => ({
          url: progressUrl(publicUrl, row.campaignUuid),
          title: `${payload.campaign.period.start} – ${payload.campaign.period.end} · ${c.get("t")(`progress.phase.${payload.campaign.phase}`)}`,
          paths: payload.paths.map((p) => ({
            label: `${p.code} · ${grid.entry(p.code) ? grid.label(p.code, c.get("lang")) : p.code}`,
            share: percentText(shareGood(p.counts)),
          })),
        }))}
      />,
    );
  });

  pages.get("/syntheses/:uuid", (c) => {
    const found = services.syntheses.series(c.req.param("uuid"));
    if (!found) return c.notFound();
    const t = c.get("t");
    if (found.series.withdrawnAt) return c.text(t("public.synthesis.gone"), 410);
    const { payload, territory, latest } = found;
    const lang = c.get("lang");
    const labels = Object.fromEntries(
      [...Object.values(payload.dimensions), ...Object.values(payload.counts)]
        .flatMap((cells) => Object.keys(cells ?? {}))
        .map((code) => [code, gridLabeller(grid, t, lang, { markProvisional: true })(code)]),
    );
    return c.html(
      <SynthesisPage
        {...page(c)}
        title={synthesisTitle(t, payload)}
        summary={synthesisSummary(t, payload)}
        dimensions={payload.dimensions}
        components={payload.counts}
        coverage={{
          period: periodLabel(payload.period),
          groups: payload.groups,
          participants: payload.participants,
          criteria: payload.totals.criteria,
        }}
        labels={labels}
        territory={{ name: territory.name, url: territoryActorId(publicUrl, territory.slug) }}
        version={latest.version}
        hash={latest.hash}
        publishedAt={latest.createdAt}
        articleUrl={synthesisUrl(publicUrl, found.series.uuid)}
        feed={synthesesFeed(t, territory.name, territory.slug)}
        grid={`${payload.grid.id} ${payload.grid.version}`}
      />,
    );
  });

  // Calendar feeds: a territory's upcoming public meetings (its own, including cancelled ones so
  // calendar apps see the cancellation), and the network's (this node's and those received).
  // The iCalendar writer (and its time-zone table) is loaded on the first feed asked for.
  const calendar = () => import("./calendar/ical");
  pages.get("/actors/:slug/meetings.ics", async (c) => {
    const territory = services.territories.list().find((t) => t.slug === c.req.param("slug"));
    if (!territory) return c.notFound();
    const entries = publicMeetings(territory.slug).map((row) =>
      calendarEntry(row.uuid, row.payload),
    );
    const { meetingsCalendar } = await calendar();
    return ics(
      c,
      meetingsCalendar({
        name: `${territory.name} — SPIRAL meetings`,
        url: calendarUrl(territory.slug),
        meetings: entries,
      }),
      `${territory.slug}-meetings.ics`,
    );
  });

  pages.get("/meetings.ics", async (c) => {
    const local = services.meetings
      .upcomingEverywhere()
      .filter(isPublic)
      .map((row) => calendarEntry(row.uuid, row.payload));
    const received = services.receivedMeetings
      .upcoming()
      .filter(isPublic)
      .map((row) => ({
        uid: row.objectId,
        url: row.objectId,
        payload: row.payload,
      }));
    const meetings = [...local, ...received].sort((a, b) =>
      a.payload.startUtc.localeCompare(b.payload.startUtc),
    );
    const { meetingsCalendar } = await calendar();
    return ics(
      c,
      meetingsCalendar({
        name: "Spiral Network — upcoming meetings",
        url: `${publicUrl}/meetings.ics`,
        meetings,
      }),
      "spiral-network-meetings.ics",
    );
  });

  pages.get("/meetings/:file{[0-9a-f-]{36}\\.ics}", async (c) => {
    const uuid = c.req.param("file").slice(0, -4);
    const found = services.meetings.byUuid(uuid);
    if (!found || found.meeting.deletedAt || !isPublic(found.meeting)) return c.notFound();
    const payload = found.meeting.payload;
    const { singleMeetingCalendar } = await calendar();
    return ics(c, singleMeetingCalendar(calendarEntry(uuid, payload)), `${uuid}.ics`);
  });

  pages.get("/meetings/:uuid", (c) => {
    const found = services.meetings.byUuid(c.req.param("uuid"));
    if (!found || !isPublic(found.meeting)) return c.notFound();
    if (found.meeting.deletedAt) return c.text(c.get("t")("public.meeting.gone"), 410);
    const payload = found.meeting.payload;
    const url = meetingUrl(publicUrl, found.meeting.uuid);
    const lang = c.get("lang");
    return c.html(
      <MeetingPage
        {...page(c)}
        title={payload.title}
        when={meetingSummaryLine(payload, lang)}
        contentHtml={meetingHtml(payload, lang)}
        cancelled={payload.status === "cancelled"}
        territory={{
          name: found.territory.name,
          url: territoryActorId(publicUrl, found.territory.slug),
        }}
        eventUrl={url}
        icsUrl={`${url}.ics`}
        registrationUrl={payload.registrationUrl}
        feed={meetingsFeed(c.get("t"), found.territory.name, found.territory.slug)}
      />,
    );
  });

  // The network's figures: the same query parameters, computation and fingerprint as
  // GET /api/v1/aggregates, whose URLs are the download links.
  pages.get("/figures", (c) => {
    const lang = c.get("lang");
    const parsed = parseFigureQuery(c.req.query());
    const figure = parsed.ok ? computeFigure(services, parsed.params) : undefined;
    const name = gridLabeller(grid, c.get("t"), lang, { markProvisional: true });
    const labels = Object.fromEntries(grid.dimensions.map((d) => [d.code, name(d.code)]));
    return c.html(
      <FiguresPage
        {...page(c)}
        url={`${publicUrl}/figures`}
        form={parsed.form}
        choices={figureChoices(services, "public")}
        figure={figure}
        problems={parsed.ok ? [] : parsed.problems.map((p) => `${p.field}: ${p.message}`)}
        labels={labels}
        csvUrl={parsed.ok ? figureApiUrl(parsed.params, "csv") : undefined}
        jsonUrl={parsed.ok ? figureApiUrl(parsed.params, "json") : undefined}
        receivedFeed={receivedFeed(c.get("t"))}
      />,
      parsed.ok ? 200 : 400,
    );
  });

  // Atom feeds (docs/joining-the-network.md, "Feeds"): what the public pages list, nothing more;
  // a withdrawn synthesis is gone from them as from the pages.
  const atom = async (c: Context, xml: Promise<string>) =>
    c.body(await xml, 200, { "Content-Type": ATOM_TYPE });
  const territoryNamed = (slug: string) => services.territories.list().find((t) => t.slug === slug);
  const authorOf = (territory: TerritoryRow) => ({
    name: territory.name,
    uri: territoryActorId(publicUrl, territory.slug),
  });

  pages.get("/actors/:slug/syntheses.atom", (c) => {
    const territory = territoryNamed(c.req.param("slug"));
    if (!territory) return c.notFound();
    const t = c.get("t");
    // The first public version of each synthesis says when it was first published.
    const first = new Map<string, string>();
    for (const v of services.syntheses.publicList(territory.slug)) {
      const known = first.get(v.synthesisUuid);
      if (known === undefined || v.createdAt < known) first.set(v.synthesisUuid, v.createdAt);
    }
    const entries = publishedSyntheses(territory.slug).map((v): FeedEntry => {
      const payload = JSON.parse(v.payload) as SynthesisPayload;
      const url = synthesisUrl(publicUrl, v.synthesisUuid);
      return {
        id: url,
        url,
        title: synthesisTitle(t, payload),
        updated: v.createdAt,
        published: first.get(v.synthesisUuid),
        summary: `${synthesisSummary(t, payload)} ${t("public.synthesis.version", {
          version: v.version,
          date: v.createdAt.slice(0, 10),
        })} ${v.hash}`,
      };
    });
    return atom(
      c,
      atomFeed({
        selfUrl: synthesesFeedUrl(territory.slug),
        pageUrl: territoryActorId(publicUrl, territory.slug),
        title: t("public.feed.syntheses", { name: territory.name }),
        author: authorOf(territory),
        entries,
      }),
    );
  });

  pages.get("/actors/:slug/meetings.atom", (c) => {
    const territory = territoryNamed(c.req.param("slug"));
    if (!territory) return c.notFound();
    const lang = c.get("lang");
    const entries = publicMeetings(territory.slug).map((row): FeedEntry => {
      const url = meetingUrl(publicUrl, row.uuid);
      const cancelled = row.payload.status === "cancelled";
      return {
        id: url,
        url,
        title: `${cancelled ? `${c.get("t")("public.meeting.cancelled")} ` : ""}${row.payload.title}`,
        updated: row.updatedAt ?? row.createdAt,
        published: row.createdAt,
        summary: meetingSummaryLine(row.payload, lang),
        contentHtml: meetingHtml(row.payload, lang),
      };
    });
    return atom(
      c,
      atomFeed({
        selfUrl: meetingsFeedUrl(territory.slug),
        pageUrl: territoryActorId(publicUrl, territory.slug),
        title: c.get("t")("public.feed.meetings", { name: territory.name }),
        author: authorOf(territory),
        entries,
      }),
    );
  });

  // The network's syntheses this node received, as the public API lists them: the latest version
  // of each origin and period, never a withdrawn one. Each entry names its origin territory.
  pages.get("/received-syntheses.atom", (c) => {
    const t = c.get("t");
    const entries = services.received
      .list()
      .filter((row) => row.withdrawnAt === null)
      .map((row): FeedEntry => {
        const payload = row.payload;
        return {
          id: row.objectId,
          url: row.objectId,
          title: synthesisTitle(t, payload),
          updated: row.receivedAt,
          summary: `${synthesisSummary(t, payload)} ${t("public.synthesis.version", {
            version: row.version,
            date: row.receivedAt.slice(0, 10),
          })} ${row.hash}`,
          author: { name: payload.territory.name, uri: row.origin },
        };
      });
    return atom(
      c,
      atomFeed({
        selfUrl: receivedFeedUrl,
        pageUrl: `${publicUrl}/figures`,
        title: t("public.feed.received"),
        subtitle: t("public.feed.received.intro"),
        author: {
          name: t("public.feed.node", { host: new URL(publicUrl).host }),
          uri: `${publicUrl}/`,
        },
        entries,
      }),
    );
  });

  // Every activity this node sent stays dereferenceable, exactly as sent — except the
  // publication of a withdrawn synthesis version: a Tombstone (410) takes its place.
  pages.get("/activities/:uuid", (c) => {
    const row = services.outbox.get(c.req.param("uuid"));
    if (!row?.json) return c.notFound();
    const withdrawnAt = services.outbox.withdrawnAt(row);
    if (withdrawnAt) {
      const tombstone = {
        "@context": "https://www.w3.org/ns/activitystreams",
        id: activityUrl(publicUrl, row.uuid),
        type: "Tombstone",
        formerType: row.type,
        deleted: withdrawnAt,
      };
      return c.body(JSON.stringify(tombstone), 410, { "Content-Type": ACTIVITY_JSON });
    }
    if (!services.outbox.isPublic(row)) return c.notFound();
    return c.body(JSON.stringify(row.json), 200, { "Content-Type": ACTIVITY_JSON });
  });

  return pages;
}
