import { type CalendarMeeting, CalendarPage } from "@spiral-network/admin-ui/admin/calendar-page";
import type { Lang } from "@spiral-network/admin-ui/i18n";
import {
  isPublicMeeting,
  type MeetingPayload,
  meetingPlaceText,
  meetingWhenLabel,
} from "@spiral-network/protocol";
import { meetingUrl } from "../services/meetings";
import type { AdminApp, AdminKit } from "./kit";

/** Upcoming meetings of the territory and of the network, with the iCalendar feeds. */
export function registerCalendarRoutes(admin: AdminApp, kit: AdminKit) {
  const { services, protect, territoryOf } = kit;
  const { publicUrl } = services.ctx;

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
    // The feeds are the public ones of the node's pages (node/src/pages.tsx).
    const territoryMeetings = territory
      ? services.meetings
          .list(territory.slug, { upcoming: true })
          .map((row) => meetingOf(row.payload, meetingUrl(publicUrl, row.uuid), lang, false))
      : [];
    // The network: the other local territories' meetings (if any) and those received.
    const otherLocal = services.meetings
      .upcomingEverywhere()
      .filter((row) => row.territoryId !== territory?.id)
      .map((row) => ({
        payload: row.payload,
        url: meetingUrl(publicUrl, row.uuid),
      }));
    const received = services.receivedMeetings.upcoming().map((row) => ({
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
