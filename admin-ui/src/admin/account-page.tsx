import type { Lang, Translate } from "../i18n";
import { AdminLayout, CsrfField, ErrorSummary, Field, type SignedIn } from "./layout";

export interface AccountPageProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  email: string;
  minPasswordLength: number;
  errors?: Record<string, string | undefined>;
  notice?: string | undefined;
}

/** The signed-in person's own account: who they are, and a form to change their password. */
export function AccountPage(props: AccountPageProps) {
  const { t, user } = props;
  const e = props.errors ?? {};
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={t("account.title")}
      path="/admin/account"
      user={user}
      notice={props.notice}
    >
      <p>
        {t("account.signedInAs", {
          name: user.name,
          email: props.email,
          role: t(`role.${user.role}`),
        })}
      </p>
      <h2 id="password">{t("account.password")}</h2>
      <p class="muted">{t("account.password.intro")}</p>
      <ErrorSummary t={t} errors={e} />
      <form method="post" action="/admin/account/password" novalidate>
        <CsrfField token={user.csrf} />
        <Field
          name="currentPassword"
          type="password"
          label={t("account.currentPassword")}
          error={e.currentPassword}
          autocomplete="current-password"
          required
        />
        <Field
          name="newPassword"
          type="password"
          label={t("account.newPassword")}
          hint={t("hint.password", { min: props.minPasswordLength })}
          error={e.newPassword}
          autocomplete="new-password"
          required
        />
        <Field
          name="newPasswordConfirm"
          type="password"
          label={t("account.newPasswordConfirm")}
          error={e.newPasswordConfirm}
          autocomplete="new-password"
          required
        />
        <button class="primary" type="submit">
          {t("account.save")}
        </button>
      </form>
    </AdminLayout>
  );
}
