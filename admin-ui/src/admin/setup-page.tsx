import type { Lang, Translate } from "../i18n";
import {
  EmailField,
  LanguagesField,
  NewPasswordField,
  PasswordField,
  RegionField,
} from "./form-fields";
import { AdminLayout, CsrfField, ErrorSummary, Field } from "./layout";

export interface SetupPageProps {
  t: Translate;
  lang: Lang;
  csrf: string;
  minPasswordLength: number;
  /** The territory already hosted (created through the API): then only the account is asked. */
  existingTerritory?: string | undefined;
  values?: Record<string, string>;
  errors?: Record<string, string | undefined>;
}

/**
 * First-run setup: the one-time setup code, the territory (when there is none) and the first
 * admin account. The code is never written back into the page.
 */
export function SetupPage(props: SetupPageProps) {
  const { t } = props;
  const v = props.values ?? {};
  const e = props.errors ?? {};
  return (
    <AdminLayout t={t} lang={props.lang} title={t("setup.title")} path="/admin/setup">
      <p>
        {props.existingTerritory
          ? t("setup.territoryExists", { name: props.existingTerritory })
          : t("setup.intro")}
      </p>
      <ErrorSummary t={t} errors={e} />
      <form method="post" action="/admin/setup" novalidate>
        <CsrfField token={props.csrf} />
        <Field
          name="setupCode"
          label={t("setup.code")}
          hint={t("setup.code.hint")}
          error={e.setupCode}
          autocomplete="off"
          required
        />
        {props.existingTerritory ? null : (
          <fieldset>
            <legend>{t("setup.territory")}</legend>
            <Field
              name="territoryName"
              label={t("field.territoryName")}
              value={v.territoryName}
              error={e.territoryName}
              required
            />
            <Field
              name="slug"
              label={t("field.slug")}
              hint={t("hint.slug")}
              value={v.slug}
              error={e.slug}
              required
            />
            <Field
              name="country"
              label={t("field.country")}
              value={v.country}
              error={e.country}
              autocomplete="country"
              required
            />
            <RegionField t={t} value={v.region} error={e.region} />
            <LanguagesField t={t} value={v.languages} error={e.languages} />
          </fieldset>
        )}
        <fieldset>
          <legend>{t("setup.account")}</legend>
          <Field
            name="name"
            label={t("field.name")}
            value={v.name}
            error={e.name}
            autocomplete="name"
            required
          />
          <EmailField t={t} value={v.email} error={e.email} autocomplete="username" />
          <NewPasswordField
            t={t}
            name="password"
            label={t("field.password")}
            minLength={props.minPasswordLength}
            error={e.password}
          />
          <PasswordField
            name="passwordConfirm"
            label={t("field.passwordConfirm")}
            error={e.passwordConfirm}
            autocomplete="new-password"
          />
        </fieldset>
        <button class="primary" type="submit">
          {t(props.existingTerritory ? "setup.submitAccount" : "setup.submit")}
        </button>
      </form>
    </AdminLayout>
  );
}
