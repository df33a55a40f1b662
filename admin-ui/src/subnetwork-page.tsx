import type { Lang, MessageKey, Translate } from "./i18n";
import { Layout } from "./layout";

export interface SubnetworkPublicPageProps {
  t: Translate;
  lang: Lang;
  switchUrl: string;
  actorUrl: string;
  /** `@slug@host`: what a territory's facilitator or a Mastodon user looks up. */
  handle: string;
  subnetwork: {
    name: string;
    description?: string | undefined;
    admission: "open" | "approval";
    /** Codes already named in the page's language. */
    theme: { dimensions: string[]; components: string[]; categories: string[] };
  };
  members: Array<{ name: string; url: string }>;
}

/** A sub-network's public page: the HTML face of its Group actor (same URL). */
export function SubnetworkPublicPage(props: SubnetworkPublicPageProps) {
  const { t, lang, actorUrl, handle, subnetwork: s, members } = props;
  const theme: Array<[MessageKey, string[]]> = [
    ["public.group.dimensions", s.theme.dimensions],
    ["public.group.components", s.theme.components],
    ["public.group.categories", s.theme.categories],
  ];
  const themeSet = theme.filter(([, values]) => values.length > 0);
  return (
    <Layout
      t={t}
      lang={lang}
      title={`${s.name} — ${t("public.site")}`}
      description={s.description ?? t("public.group.description", { name: s.name })}
      url={actorUrl}
      ogType="profile"
      switchUrl={props.switchUrl}
      head={<link rel="alternate" type="application/activity+json" href={actorUrl} />}
    >
      <h1>{s.name}</h1>
      <p class="muted">{t("public.group.kind")}</p>
      {s.description ? <p>{s.description}</p> : null}
      <section aria-labelledby="theme">
        <h2 id="theme">{t("public.group.theme")}</h2>
        {themeSet.length === 0 ? (
          <p>{t("public.group.theme.all")}</p>
        ) : (
          <dl>
            {themeSet.map(([key, values]) => (
              <>
                <dt>{t(key)}</dt>
                <dd>
                  <ul>
                    {values.map((v) => (
                      <li>{v}</li>
                    ))}
                  </ul>
                </dd>
              </>
            ))}
          </dl>
        )}
      </section>
      <section aria-labelledby="admission">
        <h2 id="admission">{t("public.group.admission")}</h2>
        <p>{t(`public.group.admission.${s.admission}`)}</p>
      </section>
      <section aria-labelledby="members">
        <h2 id="members">{t("public.group.members")}</h2>
        {members.length === 0 ? (
          <p class="muted">{t("public.group.members.none")}</p>
        ) : (
          <ul class="members">
            {members.map((m) => (
              <li>
                <a href={m.url}>{m.name}</a>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="join">
        <h2 id="join">{t("public.group.join")}</h2>
        <p>
          <code class="handle">{handle}</code>
        </p>
        <p>{t("public.group.join.territory")}</p>
        <p>{t("public.group.join.mastodon")}</p>
      </section>
    </Layout>
  );
}
