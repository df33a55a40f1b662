import { raw } from "hono/html";
import { Layout } from "./layout";

export interface MeetingPageProps {
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
}

/** The HTML face of a meeting (the URL its Event points to), with an "add to calendar" link. */
export function MeetingPage(props: MeetingPageProps) {
  return (
    <Layout
      title={props.title}
      lang="en"
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
      <h1>
        {props.cancelled ? "Cancelled: " : ""}
        {props.title}
      </h1>
      <p>
        <strong>{props.when}</strong>
      </p>
      {raw(props.contentHtml)}
      <p>
        <a href={props.icsUrl}>Add to your calendar (.ics)</a>
        {props.registrationUrl ? (
          <>
            {" · "}
            <a href={props.registrationUrl}>Register</a>
          </>
        ) : null}
      </p>
    </Layout>
  );
}
