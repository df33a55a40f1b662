import type { Lang, Translate } from "./i18n";
import { Layout } from "./layout";

/** What a visitor sees for an address that names nothing public (never a bare "404 Not Found"). */
export function NotFoundPage(props: { t: Translate; lang: Lang; url: string; switchUrl: string }) {
  const { t } = props;
  return (
    <Layout
      t={t}
      lang={props.lang}
      title={t("public.notFound.title")}
      description={t("public.notFound.body")}
      url={props.url}
      switchUrl={props.switchUrl}
    >
      <h1>{t("public.notFound.title")}</h1>
      <p>{t("public.notFound.body")}</p>
      <p>
        <a href="/">{t("public.notFound.home")}</a>
      </p>
    </Layout>
  );
}
