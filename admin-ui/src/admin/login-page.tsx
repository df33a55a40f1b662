import type { Lang, Translate } from "../i18n";
import { EmailField, PasswordField } from "./form-fields";
import { AdminLayout, CsrfField } from "./layout";

export interface LoginPageProps {
  t: Translate;
  lang: Lang;
  csrf: string;
  email?: string | undefined;
  /** Why the last attempt failed (wrong credentials, too many attempts). */
  error?: string | undefined;
  notice?: string | undefined;
}

export function LoginPage(props: LoginPageProps) {
  const { t } = props;
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={t("login.title")}
      path="/admin/login"
      notice={props.notice}
    >
      {props.error ? (
        <p class="error-summary" role="alert">
          {props.error}
        </p>
      ) : null}
      <form method="post" action="/admin/login">
        <CsrfField token={props.csrf} />
        <EmailField t={t} value={props.email} autocomplete="username" />
        <PasswordField
          name="password"
          label={t("field.password")}
          autocomplete="current-password"
        />
        <button class="primary" type="submit">
          {t("login.submit")}
        </button>
      </form>
    </AdminLayout>
  );
}
