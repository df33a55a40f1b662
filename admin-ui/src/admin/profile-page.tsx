import type { Lang, Translate } from "../i18n";
import { LanguagesField, RegionField, TextArea } from "./form-fields";
import { AdminLayout, CsrfField, ErrorSummary, Field, type SignedIn } from "./layout";

/** How many link rows the form shows (the profile holds at most this many). */
export const PROFILE_LINKS = 5;

export interface ProfilePageProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  /** name, description, languages, region, link_label_N, link_url_N (N = 1…5). */
  values: Record<string, string>;
  errors: Record<string, string | undefined>;
  notice?: string | undefined;
}

/** The territory's profile as its actor shows it: name, description, languages, region, links. */
export function ProfilePage(props: ProfilePageProps) {
  const { t, user, values: v, errors: e } = props;
  const rows = Array.from({ length: PROFILE_LINKS }, (_, i) => i + 1);
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={t("profile.title")}
      path="/admin/territory/profile"
      user={user}
      notice={props.notice}
    >
      <p>{t("profile.intro")}</p>
      <ErrorSummary t={t} errors={e} />
      <form method="post" action="/admin/territory/profile" novalidate>
        <CsrfField token={user.csrf} />
        <Field name="name" label={t("profile.name")} value={v.name} error={e.name} required />
        <TextArea
          name="description"
          label={t("profile.description")}
          rows={5}
          hint={t("profile.description.hint")}
          value={v.description}
          error={e.description}
        />
        <LanguagesField t={t} value={v.languages} error={e.languages} />
        <RegionField t={t} value={v.region} error={e.region} />
        <fieldset aria-describedby="links-hint">
          <legend>{t("profile.links")}</legend>
          <span class="hint" id="links-hint">
            {t("profile.links.hint")}
          </span>
          {rows.map((n) => (
            <div class="field-row">
              <Field
                name={`link_label_${n}`}
                label={t("profile.link.label", { n })}
                value={v[`link_label_${n}`]}
                error={e[`link_label_${n}`]}
              />
              <Field
                name={`link_url_${n}`}
                label={t("profile.link.url", { n })}
                value={v[`link_url_${n}`]}
                error={e[`link_url_${n}`]}
              />
            </div>
          ))}
        </fieldset>
        <button type="submit" class="primary">
          {t("profile.save")}
        </button>
      </form>
    </AdminLayout>
  );
}
