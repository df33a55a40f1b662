import { raw } from "hono/html";
import { Layout } from "./layout";

export interface SynthesisPageProps {
  title: string;
  summary: string;
  /** Readable HTML made by the node from counts only (escaped there). */
  contentHtml: string;
  territory: { name: string; url: string };
  version: number;
  hash: string;
  publishedAt: string;
  articleUrl: string;
}

/** The HTML face of a published synthesis (the URL its Article points to). */
export function SynthesisPage(props: SynthesisPageProps) {
  return (
    <Layout
      title={props.title}
      lang="en"
      head={<link rel="alternate" type="application/activity+json" href={props.articleUrl} />}
    >
      <p>
        <a href={props.territory.url}>{props.territory.name}</a>
      </p>
      <h1>{props.title}</h1>
      <p>{props.summary}</p>
      {raw(props.contentHtml)}
      <p class="muted">
        Version {props.version}, published {props.publishedAt.slice(0, 10)} · content hash{" "}
        <code>{props.hash}</code>
      </p>
    </Layout>
  );
}
