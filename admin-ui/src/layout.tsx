import type { Child } from "hono/jsx";
import { FIGURE_STYLE } from "./figures-view";
import { LANGUAGES, type Lang, languageInfo, type Translate } from "./i18n";
import { LANGUAGE_SWITCH_STYLE, LanguageSwitch } from "./language-switch";

/** What every public page tells the shell: its title, its address and a one-line description. */
export interface PublicPageMeta {
  t: Translate;
  lang: Lang;
  title: string;
  /** One sentence for link previews (Open Graph) and search engines. */
  description: string;
  /** The page's canonical address (absolute). */
  url: string;
  /** Open Graph type: a territory is a profile, a synthesis an article, the rest a website. */
  ogType?: "website" | "profile" | "article";
  /** The page's path and query without `lang`: the language switch adds `?lang=…` to it. */
  switchUrl: string;
  /** Atom feeds of what the page lists, announced in its head for feed readers. */
  feeds?: readonly FeedLink[] | undefined;
}

/** An Atom feed a page offers: its title and address. */
export interface FeedLink {
  title: string;
  url: string;
}

/** A visible link to a feed, beside what it follows. */
export function FeedAnchor(props: { t: Translate; feed: FeedLink }) {
  return (
    <a class="feed" href={props.feed.url} type="application/atom+xml" title={props.feed.title}>
      {props.t("public.feed.link")}
    </a>
  );
}

const STYLE = `
  *, *::before, *::after { box-sizing: border-box; }
  body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 48rem; padding: 0 1rem 1rem; line-height: 1.5; color: #1b1b1b; overflow-wrap: break-word; }
  nav.site { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; padding: 0.75rem 0; border-bottom: 1px solid #ddd; }
  nav.site .brand { font-weight: 600; margin-inline-end: auto; }
  h1 { margin: 1rem 0 0.25rem; font-size: 1.6rem; line-height: 1.25; }
  h2 { font-size: 1.2rem; margin-top: 1.75rem; }
  a { color: #1d4f91; }
  .muted { color: #555; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: start; padding-block: 0.3rem; padding-inline: 0 0.5rem; border-bottom: 1px solid #e3e3e3; vertical-align: top; }
  code { background: #f1f1f1; padding: 0 0.25rem; overflow-wrap: anywhere; }
  code.handle { display: inline-block; font-size: 1.15rem; padding: 0.3rem 0.6rem; border: 1px solid #bbb; border-radius: 4px; user-select: all; -webkit-user-select: all; }
  footer { margin-top: 2rem; border-top: 1px solid #ddd; padding-top: 0.5rem; }
  dl.coverage { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 1rem; }
  dl.coverage dd { margin: 0; }
  .print-only { display: none; }
  @media print {
    @page { margin: 15mm; }
    body { max-width: none; padding: 0; font-size: 11pt; color: #000; }
    nav.site, footer, .no-print, a.feed { display: none; }
    .print-only { display: block; }
    a { color: inherit; text-decoration: none; }
    h1, h2, h3 { break-after: avoid; }
    section, tr, ul.figure-list li, dl.coverage { break-inside: avoid; }
    .table-wrap { overflow: visible; }
    code { background: none; padding: 0; }
    .figure-bar { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  }
`;

/** The HTML shell shared by every public page: head with Open Graph, a small nav, a footer. */
export function Layout(props: PublicPageMeta & { head?: Child; children: Child }) {
  const { t, lang } = props;
  const info = languageInfo(lang);
  const langUrl = (other: Lang) => {
    const url = new URL(props.switchUrl, "http://page.invalid");
    url.searchParams.set("lang", other);
    return `${url.pathname}${url.search}`;
  };
  return (
    <html lang={lang} dir={info.dir}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <meta name="description" content={props.description} />
        <meta property="og:title" content={props.title} />
        <meta property="og:description" content={props.description} />
        <meta property="og:type" content={props.ogType ?? "website"} />
        <meta property="og:url" content={props.url} />
        <meta property="og:site_name" content={t("public.site")} />
        <meta property="og:locale" content={info.locale.replace("-", "_")} />
        <link rel="canonical" href={props.url} />
        {LANGUAGES.filter((other) => other !== lang).map((other) => (
          <link rel="alternate" hreflang={other} href={new URL(langUrl(other), props.url).href} />
        ))}
        {props.feeds?.map((feed) => (
          <link rel="alternate" type="application/atom+xml" title={feed.title} href={feed.url} />
        ))}
        {props.head}
        <style>{STYLE + FIGURE_STYLE + LANGUAGE_SWITCH_STYLE}</style>
      </head>
      <body>
        <nav class="site" aria-label={t("public.site")}>
          <a class="brand" href="/">
            {t("public.site")}
          </a>
          <a href="/figures">{t("public.nav.figures")}</a>
          <LanguageSwitch t={t} lang={lang} href={langUrl} />
        </nav>
        <main>{props.children}</main>
        <footer>
          <p class="muted">
            <a href="/api/v1/openapi.json">{t("public.footer.api")}</a> ·{" "}
            <a href="/admin">{t("public.footer.workspace")}</a>
          </p>
        </footer>
      </body>
    </html>
  );
}
