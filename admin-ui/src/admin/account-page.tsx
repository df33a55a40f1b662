import type { Lang, Translate } from "../i18n";
import { NewPasswordField, PasswordField } from "./form-fields";
import { AdminLayout, CsrfField, ErrorSummary, Field, type SignedIn } from "./layout";

export interface AccountPageProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  email: string;
  minPasswordLength: number;
  errors?: Record<string, string | undefined>;
  notice?: string | undefined;
  /** The account's personal API tokens, newest first. */
  tokens: readonly ApiTokenItem[];
  /** A token just created: shown this once. */
  newToken?: string | undefined;
}

/** One personal API token as the account page lists it (never the secret). */
export interface ApiTokenItem {
  id: number;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** The account's API tokens: the one just created (shown once), the list, and a form for more. */
function ApiTokens(props: {
  t: Translate;
  csrf: string;
  tokens: readonly ApiTokenItem[];
  newToken?: string | undefined;
  error?: string | undefined;
}) {
  const { t } = props;
  return (
    <>
      <h2 id="tokens">{t("tokens.title")}</h2>
      <p class="muted">{t("tokens.intro")}</p>
      {props.newToken ? (
        <p class="notice" role="status">
          {t("tokens.created")} <code>{props.newToken}</code>
        </p>
      ) : null}
      {props.tokens.length === 0 ? (
        <p>{t("tokens.none")}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>{t("tokens.label")}</th>
              <th>{t("tokens.createdAt")}</th>
              <th>{t("tokens.lastUsed")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {props.tokens.map((token) => (
              <tr>
                <td>{token.label}</td>
                <td>{token.createdAt.slice(0, 10)}</td>
                <td>{token.lastUsedAt?.slice(0, 16).replace("T", " ") ?? t("tokens.never")}</td>
                <td>
                  {token.revokedAt ? (
                    t("tokens.revoked")
                  ) : (
                    <form method="post" action={`/admin/account/tokens/${token.id}/revoke`}>
                      <CsrfField token={props.csrf} />
                      <button type="submit">{t("tokens.revoke")}</button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form method="post" action="/admin/account/tokens" novalidate>
        <CsrfField token={props.csrf} />
        <Field name="label" label={t("tokens.label")} error={props.error} required />
        <button type="submit">{t("tokens.create")}</button>
      </form>
    </>
  );
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
        <PasswordField
          name="currentPassword"
          label={t("account.currentPassword")}
          error={e.currentPassword}
          autocomplete="current-password"
        />
        <NewPasswordField
          t={t}
          name="newPassword"
          label={t("account.newPassword")}
          minLength={props.minPasswordLength}
          error={e.newPassword}
        />
        <PasswordField
          name="newPasswordConfirm"
          label={t("account.newPasswordConfirm")}
          error={e.newPasswordConfirm}
          autocomplete="new-password"
        />
        <button class="primary" type="submit">
          {t("account.save")}
        </button>
      </form>
      <ApiTokens
        t={t}
        csrf={user.csrf}
        tokens={props.tokens}
        newToken={props.newToken}
        error={e.label}
      />
    </AdminLayout>
  );
}
