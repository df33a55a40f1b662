import type { Child } from "hono/jsx";

/** The HTML shell shared by every page. */
export function Layout(props: { title: string; lang: string; head?: Child; children: Child }) {
  return (
    <html lang={props.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        {props.head}
        <style>{`
          body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 48rem; padding: 1rem; line-height: 1.5; color: #1b1b1b; }
          h1 { margin-bottom: 0.25rem; }
          .muted { color: #555; }
          table { border-collapse: collapse; }
          th, td { text-align: left; padding: 0.25rem 0.75rem 0.25rem 0; }
          code { background: #f1f1f1; padding: 0 0.25rem; }
        `}</style>
      </head>
      <body>{props.children}</body>
    </html>
  );
}
