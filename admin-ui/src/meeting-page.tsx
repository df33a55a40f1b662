import { raw } from "hono/html";
import type { Lang, Translate } from "./i18n";
import { type FeedLink, Layout } from "./layout";

export interface MeetingPageProps {
  t: Translate;
  lang: Lang;
  switchUrl: string;
  title: string;
  /** One line: date, local time with time zone, place. */
  when: string;
  /** Readable HTML made by the node from the meeting (escaped there). */
  contentHtml: string;
  cancelled: boolean;
  territory: { name: string; url: string };
  eventUrl: string;
  icsUrl: string;
  registrationUrl?: string | undefined;
  /** The Atom feed of the territory's meetings. */
  feed: FeedLink;
}

/** The HTML face of a meeting (the URL its Event points to), with an "add to calendar" link. */
export function MeetingPage(props: MeetingPageProps) {
  const { t, lang } = props;
  const title = props.cancelled ? `${t("public.meeting.cancelled")} ${props.title}` : props.title;
  return (
    <Layout
      t={t}
      lang={lang}
      title={`${title} — ${props.territory.name}`}
      description={props.when}
      url={props.eventUrl}
      switchUrl={props.switchUrl}
      feeds={[props.feed]}
      head={
        <>
          <link rel="alternate" type="application/activity+json" href={props.eventUrl} />
          <link rel="alternate" type="text/calendar" href={props.icsUrl} />
        </>
      }
    >
      <p>
        <a href={props.territory.url}>{props.territory.name}</a>
      </p>
      <h1>{title}</h1>
      <p>
        <strong>{props.when}</strong>
      </p>
      {raw(props.contentHtml)}
      <p>
        <a href={props.icsUrl}>{t("public.meeting.ics")}</a>
        {props.registrationUrl ? (
          <>
            {" · "}
            <a href={props.registrationUrl}>{t("public.meeting.register")}</a>
          </>
        ) : null}
      </p>
    </Layout>
  );
}
