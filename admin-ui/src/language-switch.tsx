import { LANGUAGES, type Lang, languageInfo, type Translate } from "./i18n";

/**
 * The language switch of every page: a disclosure (works without JavaScript, opens with the
 * keyboard) naming the current language, then a list of every language in its own name, each a
 * link in that language (`lang`, `hreflang`) to the same page in it. A language whose
 * translation waits for review says so beside the current language.
 */
export function LanguageSwitch(props: { t: Translate; lang: Lang; href: (lang: Lang) => string }) {
  const { t, lang } = props;
  const current = languageInfo(lang);
  return (
    <details class="lang-switch">
      <summary>
        {t("lang.choose")}
        {t("punct.colon")} <span lang={lang}>{current.name}</span>
        {current.toReview ? <span class="lang-review"> ({t("lang.toReview")})</span> : null}
      </summary>
      <ul>
        {LANGUAGES.map((other) => {
          const info = languageInfo(other);
          return (
            <li>
              <a
                href={props.href(other)}
                hreflang={other}
                lang={other}
                dir={info.dir}
                aria-current={other === lang ? "true" : undefined}
              >
                {info.name}
              </a>
            </li>
          );
        })}
      </ul>
    </details>
  );
}

/** Styles of the switch, shared by the workspace and the public pages (logical properties). */
export const LANGUAGE_SWITCH_STYLE = `
  .lang-switch { position: relative; }
  .lang-switch summary { cursor: pointer; }
  .lang-switch ul { position: absolute; inset-inline-end: 0; z-index: 2; margin: 0.25rem 0 0; padding: 0.35rem 0.75rem; list-style: none; background: #fff; border: 1px solid #888; border-radius: 4px; min-inline-size: 9rem; }
  .lang-switch li { padding: 0.15rem 0; }
  .lang-switch ul a { color: #1d4f91; }
  .lang-switch [aria-current=true] { font-weight: 700; }
`;
