import { LevelChoices } from "./admin/progress-page";
import type { Lang, Translate } from "./i18n";

/**
 * The public self-survey answer page: no account, no script, phone width. Statements are shown
 * in the respondent's language among those the territory wrote; interface strings in the
 * nearest language the node speaks.
 */

export interface SurveyPageProps {
  t: Translate;
  /** The interface language. */
  lang: Lang;
  /** The language the statements are shown in. */
  textLang: string;
  /** Languages the statements exist in, for the switch. */
  languages: string[];
  territory: string;
  action: string;
  paths: Array<{ versionId: number; code: string; label: string; statements: string[] }>;
  categories: Array<{ code: string; label: string }>;
  askCategory: boolean;
  /** After an answer: thanks, a refusal, or invalid answers. */
  outcome?: "thanks" | "refused" | "invalid" | "busy" | undefined;
  /** What was sent, kept when the form comes back with a problem. */
  values?: Record<string, string> | undefined;
}

const STYLE = `
  *, *::before, *::after { box-sizing: border-box; }
  body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 40rem; padding: 0 0.75rem 2rem; line-height: 1.5; color: #1b1b1b; font-size: 1.05rem; }
  h1 { font-size: 1.4rem; line-height: 1.25; }
  fieldset.statement { border: 1px solid #bbb; border-radius: 6px; margin: 0 0 1rem; padding: 0.5rem 0.75rem; }
  fieldset.statement legend { font-weight: 700; padding: 0 0.25rem; }
  fieldset.statement div { padding: 0.35rem 0; }
  input[type=radio] { width: 1.2rem; height: 1.2rem; vertical-align: middle; }
  input[type=text], select { font: inherit; padding: 0.4rem; width: 100%; max-width: 20rem; }
  button { font: inherit; padding: 0.6rem 1.2rem; border-radius: 6px; border: 1px solid #24405f; background: #24405f; color: #fff; }
  .hint { color: #555; display: block; font-size: 0.95rem; }
  .notice { border-left: 4px solid #2e7d32; padding: 0.5rem 0.75rem; background: #eef6ee; }
  .problem { border-left: 4px solid #b3261e; padding: 0.5rem 0.75rem; background: #fbeeee; }
  nav a { margin-right: 0.75rem; }
`;

const OUTCOME = {
  thanks: "survey.thanks",
  refused: "survey.refused",
  invalid: "survey.invalid",
  busy: "survey.busy",
} as const;

export function SurveyPage(props: SurveyPageProps) {
  const { t } = props;
  const values = props.values ?? {};
  const title = t("survey.title", { territory: props.territory });
  return (
    <html lang={props.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{title}</title>
        <style>{STYLE}</style>
      </head>
      <body>
        {props.languages.length > 1 ? (
          <nav aria-label={t("survey.language")}>
            {props.languages.map((language) => (
              <a
                href={`?lang=${language}`}
                hreflang={language}
                lang={language}
                aria-current={language === props.textLang ? "true" : undefined}
              >
                {language}
              </a>
            ))}
          </nav>
        ) : null}
        <main>
          <h1>{title}</h1>
          {props.outcome ? (
            <p
              class={props.outcome === "thanks" ? "notice" : "problem"}
              role={props.outcome === "thanks" ? "status" : "alert"}
              id="outcome"
            >
              {t(OUTCOME[props.outcome])}
            </p>
          ) : null}
          {props.outcome === "thanks" ? null : (
            <>
              <p>{t("survey.intro")}</p>
              <form method="post" action={props.action}>
                <input type="hidden" name="lang" value={props.textLang} />
                <p>
                  <label for="code">
                    <strong>{t("survey.code")}</strong>
                  </label>
                  <span class="hint" id="code-hint">
                    {t("survey.code.hint")}
                  </span>
                  <input
                    type="text"
                    id="code"
                    name="code"
                    required
                    autocomplete="off"
                    autocapitalize="characters"
                    spellcheck={false}
                    maxlength={32}
                    aria-describedby="code-hint"
                    value={
                      props.outcome === undefined || props.outcome === "invalid"
                        ? (values.code ?? "")
                        : ""
                    }
                  />
                </p>
                {props.paths.map((p) => (
                  <LevelChoices
                    t={t}
                    name={`p${p.versionId}`}
                    legend={p.label}
                    statements={p.statements}
                    statementLang={props.textLang}
                    checked={values[`p${p.versionId}`]}
                  />
                ))}
                {props.askCategory ? (
                  <p>
                    <label for="category">
                      <strong>{t("survey.category")}</strong>
                    </label>
                    <select id="category" name="category">
                      <option value="">{t("survey.category.none")}</option>
                      {props.categories.map((c) => (
                        <option value={c.code} selected={values.category === c.code}>
                          {c.label}
                        </option>
                      ))}
                    </select>
                  </p>
                ) : null}
                <button type="submit">{t("survey.submit")}</button>
              </form>
            </>
          )}
        </main>
      </body>
    </html>
  );
}
