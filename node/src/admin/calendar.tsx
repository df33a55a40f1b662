import { type CalendarMeeting, CalendarPage } from "@spiral-network/admin-ui/admin/calendar-page";
import type { Lang } from "@spiral-network/admin-ui/i18n";
import {
  isPublicMeeting,
  type MeetingPayload,
  meetingPlaceText,
  meetingWhenLabel,
} from "@spiral-network/protocol";
import { type AdminApp, type AdminKit, outcomeNotice } from "./kit";

/** What the meeting forms send back to the calendar (`?done=`). */
const OUTCOMES = {
  created: "meetings.created",
  updated: "meetings.updated",
  cancelled: "meetings.cancelled",
  alreadyCancelled: "meetings.alreadyCancelled",
  deleted: "meetings.deleted",
} as const;

/** Upcoming meetings of the territory and of the network, with the iCalendar feeds. */
export function registerCalendarRoutes(admin: AdminApp, kit: AdminKit) {
  const { protect, territoryOf, canEdit } = kit;
  const { publicUrl } = kit.app.node;

  const meetingOf = (
    payload: MeetingPayload,
    url: string,
    lang: Lang,
    withTerritory: boolean,
  ): CalendarMeeting => ({
    title: payload.title,
    when: meetingWhenLabel(payload, lang),
    timeZone: payload.timeZone,
    place: payload.place ? meetingPlaceText(payload.place) : undefined,
    online: payload.onlineUrl !== undefined,
    territory: withTerritory ? payload.territory.name : undefined,
    status: payload.status,
    followersOnly: !isPublicMeeting(payload),
    url,
  });

  admin.get("/calendar", protect(), (c) => {
    const user = kit.user(c);
    const lang = c.get("lang");
    const territory = territoryOf(c);
    const done = outcomeNotice(OUTCOMES, c.req.query("done"));
    // The feeds are the public ones of the node's pages (node/src/pages.tsx).
    const territoryMeetings = territory
      ? kit.app.meetings.list(kit.actor(c), territory.slug, { upcoming: true }).map((view) => ({
          ...meetingOf(view, view.url, lang, false),
          ...(canEdit(c) ? { editUrl: `/admin/meetings/${view.id}/edit` } : {}),
        }))
      : [];
    // The network: the other local territories' meetings (if any) and those received.
    const otherLocal = kit.app.meetings
      .upcomingEverywhere(kit.actor(c))
      .filter(({ row }) => row.territoryId !== territory?.id)
      .map(({ row, url }) => ({ payload: row.payload, url }));
    const received = kit.app.meetings.received().map((row) => ({
      payload: row.payload,
      url: row.objectId,
    }));
    const networkMeetings = [...otherLocal, ...received]
      .sort((a, b) => a.payload.startUtc.localeCompare(b.payload.startUtc))
      .map((m) => meetingOf(m.payload, m.url, lang, true));
    return c.html(
      <CalendarPage
        t={c.get("t")}
        lang={lang}
        user={user}
        canEdit={canEdit(c)}
        notice={done ? c.get("t")(done) : undefined}
        territory={
          territory && {
            name: territory.name,
            feedUrl: `${publicUrl}/actors/${territory.slug}/meetings.ics`,
          }
        }
        networkFeedUrl={`${publicUrl}/meetings.ics`}
        territoryMeetings={territoryMeetings}
        networkMeetings={networkMeetings}
      />,
    );
  });
}
