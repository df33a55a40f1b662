import type { Lang, MessageKey, Translate } from "../i18n";
import { AdminLayout, type SignedIn } from "./layout";
import { webHref } from "./network-page";

export interface CalendarMeeting {
  title: string;
  /** Date and time in the meeting's own zone, already formatted, with the zone's name. */
  when: string;
  timeZone: string;
  /** The place in one line, or absent for an online-only meeting. */
  place?: string | undefined;
  online: boolean;
  /** Organising territory (network meetings). */
  territory?: string | undefined;
  status: "scheduled" | "postponed" | "cancelled";
  /** Only the territory's followers see it. */
  followersOnly: boolean;
  /** The public meeting page. */
  url: string;
  /** Where the territory's own meeting is changed (editors only). */
  editUrl?: string | undefined;
}

export interface CalendarPageProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  canEdit: boolean;
  notice?: string | undefined;
  territory?: { name: string; feedUrl: string } | undefined;
  networkFeedUrl: string;
  territoryMeetings: CalendarMeeting[];
  networkMeetings: CalendarMeeting[];
}

function MeetingList(props: { t: Translate; meetings: CalendarMeeting[]; id: string }) {
  const { t } = props;
  return (
    <ul class="tasks" id={props.id}>
      {props.meetings.map((m) => (
        <li>
          <a href={webHref(m.url)}>
            <strong>{m.title}</strong>
          </a>
          {m.status !== "scheduled" ? (
            <span class="tag">{t(`calendar.status.${m.status}` as MessageKey)}</span>
          ) : null}
          {m.followersOnly ? <span class="tag">{t("calendar.followersOnly")}</span> : null}
          {m.editUrl ? (
            <>
              {" "}
              <a href={m.editUrl} aria-label={t("meetings.changeNamed", { title: m.title })}>
                {t("meetings.change")}
              </a>
            </>
          ) : null}
          <br />
          <time>{m.when}</time>
          {m.territory ? (
            <>
              <br />
              {m.territory}
            </>
          ) : null}
          <br />
          {m.place ?? ""}
          {m.place && m.online ? " · " : ""}
          {m.online ? t("calendar.online") : ""}
        </li>
      ))}
    </ul>
  );
}

function FeedLink(props: { label: string; url: string; id: string; help: string }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <span class="hint" id={`${props.id}-hint`}>
        {props.help}
      </span>
      <input
        id={props.id}
        type="text"
        readonly
        value={props.url}
        aria-describedby={`${props.id}-hint`}
      />{" "}
      <a href={props.url}>{props.url}</a>
    </div>
  );
}

/** Upcoming meetings of the territory and of the network, and the calendar feeds. */
export function CalendarPage(props: CalendarPageProps) {
  const { t, user } = props;
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={t("calendar.title")}
      path="/admin/calendar"
      user={user}
      notice={props.notice}
    >
      <section aria-labelledby="feeds-heading">
        <h2 id="feeds-heading">{t("calendar.feeds")}</h2>
        {props.territory ? (
          <FeedLink
            id="feed-territory"
            label={t("calendar.territoryFeed", { name: props.territory.name })}
            url={props.territory.feedUrl}
            help={t("calendar.territoryFeed.help")}
          />
        ) : null}
        <FeedLink
          id="feed-network"
          label={t("calendar.networkFeed")}
          url={props.networkFeedUrl}
          help={t("calendar.networkFeed.help")}
        />
      </section>
      <section aria-labelledby="territory-meetings-heading">
        <h2 id="territory-meetings-heading">
          {props.territory
            ? t("calendar.territoryMeetings", { name: props.territory.name })
            : t("calendar.territoryMeetings", { name: "—" })}
        </h2>
        {props.territory && props.canEdit ? (
          <p>
            <a href="/admin/meetings/new">{t("meetings.new")}</a>
          </p>
        ) : null}
        {!props.territory ? (
          <p class="muted">{t("groups.noTerritory")}</p>
        ) : props.territoryMeetings.length === 0 ? (
          <p>{t("calendar.none")}</p>
        ) : (
          <MeetingList t={t} meetings={props.territoryMeetings} id="territory-meetings" />
        )}
      </section>
      <section aria-labelledby="network-meetings-heading">
        <h2 id="network-meetings-heading">{t("calendar.networkMeetings")}</h2>
        {props.networkMeetings.length === 0 ? (
          <p>{t("calendar.networkNone")}</p>
        ) : (
          <MeetingList t={t} meetings={props.networkMeetings} id="network-meetings" />
        )}
      </section>
    </AdminLayout>
  );
}
