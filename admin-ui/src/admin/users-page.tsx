import type { Lang, Translate } from "../i18n";
import { EmailField, NewPasswordField } from "./form-fields";
import { AdminLayout, CsrfField, ErrorSummary, Field, type SignedIn } from "./layout";
import { ColumnsTable } from "./parts/columns-table";

const ROLES = ["admin", "facilitator", "viewer"] as const;

export interface UsersPageProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  currentUserId: number;
  minPasswordLength: number;
  users: Array<{
    id: number;
    email: string;
    name: string;
    role: (typeof ROLES)[number];
    disabled: boolean;
  }>;
  values?: Record<string, string>;
  errors?: Record<string, string | undefined>;
  notice?: string | undefined;
  /** A refused password reset: the account and why, shown next to its form. */
  resetError?: { userId: number; message: string } | undefined;
}

/** Accounts of the node (admins only): the list, role changes, and a form to create one. */
export function UsersPage(props: UsersPageProps) {
  const { t, user } = props;
  const v = props.values ?? {};
  const e = props.errors ?? {};
  const selectedRole = v.role ?? "facilitator";
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={t("users.title")}
      path="/admin/users"
      user={user}
      notice={props.notice}
    >
      <p>{t("users.intro")}</p>
      <ul>
        {ROLES.map((role) => (
          <li>
            <strong>{t(`role.${role}`)}</strong>
            {t("punct.colon")} {t(`role.${role}.help`)}
          </li>
        ))}
      </ul>
      {props.users.length === 0 ? (
        <p>{t("users.none")}</p>
      ) : (
        <ColumnsTable
          columns={[t("field.name"), t("field.email"), t("field.role"), t("field.password")]}
        >
          {props.users.map((u) => (
            <tr>
              <td>
                {u.name}
                {u.id === props.currentUserId ? <span class="tag">{t("users.you")}</span> : null}
                {u.disabled ? <span class="tag">{t("users.disabled")}</span> : null}
              </td>
              <td>{u.email}</td>
              <td>
                {u.disabled ? (
                  t(`role.${u.role}`)
                ) : (
                  <>
                    <form method="post" action={`/admin/users/${u.id}/role`}>
                      <CsrfField token={user.csrf} />
                      <select name="role" aria-label={`${t("users.changeRole")}: ${u.name}`}>
                        {ROLES.map((role) => (
                          <option value={role} selected={role === u.role}>
                            {t(`role.${role}`)}
                          </option>
                        ))}
                      </select>
                      <button class="small" type="submit">
                        {t("users.changeRole")}
                      </button>
                    </form>
                    {u.id === props.currentUserId ? null : (
                      <form method="post" action={`/admin/users/${u.id}/disable`}>
                        <CsrfField token={user.csrf} />
                        <button
                          class="small"
                          type="submit"
                          aria-label={`${t("users.disable")}: ${u.name}`}
                        >
                          {t("users.disable")}
                        </button>
                      </form>
                    )}
                  </>
                )}
              </td>
              <td>
                {u.id === props.currentUserId ? (
                  <a href="/admin/account#password">{t("account.password")}</a>
                ) : (
                  <ResetPasswordForm
                    t={t}
                    csrf={user.csrf}
                    target={u}
                    minPasswordLength={props.minPasswordLength}
                    error={props.resetError?.userId === u.id ? props.resetError.message : undefined}
                  />
                )}
              </td>
            </tr>
          ))}
        </ColumnsTable>
      )}
      <h2 id="create">{t("users.create")}</h2>
      <ErrorSummary t={t} errors={e} />
      <form method="post" action="/admin/users" novalidate>
        <CsrfField token={user.csrf} />
        <Field name="name" label={t("field.name")} value={v.name} error={e.name} required />
        <EmailField t={t} value={v.email} error={e.email} />
        <NewPasswordField
          t={t}
          name="password"
          label={t("field.password")}
          minLength={props.minPasswordLength}
          error={e.password}
        />
        <div class="field">
          <label for="f-role">{t("field.role")}</label>
          {e.role ? <span class="error">{e.role}</span> : null}
          <select id="f-role" name="role">
            {ROLES.map((role) => (
              <option value={role} selected={role === selectedRole}>
                {t(`role.${role}`)} — {t(`role.${role}.help`)}
              </option>
            ))}
          </select>
        </div>
        <button class="primary" type="submit">
          {t("users.createSubmit")}
        </button>
      </form>
    </AdminLayout>
  );
}

/** An admin sets a new password for someone (who is then signed out everywhere). */
function ResetPasswordForm(props: {
  t: Translate;
  csrf: string;
  target: { id: number; name: string };
  minPasswordLength: number;
  error?: string | undefined;
}) {
  const { t, target } = props;
  const id = `f-reset-${target.id}`;
  return (
    <form method="post" action={`/admin/users/${target.id}/password`} novalidate>
      <CsrfField token={props.csrf} />
      <label for={id} style="font-size:0.85rem">
        {t("users.resetPassword.label", { name: target.name })}
      </label>
      {props.error ? (
        <span class="error" id={`${id}-error`} role="alert">
          {props.error}
        </span>
      ) : null}
      <input
        id={id}
        name="password"
        type="password"
        autocomplete="new-password"
        minlength={props.minPasswordLength}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={props.error ? `${id}-error` : undefined}
      />
      <button class="small" type="submit">
        {t("users.resetPassword.submit")}
      </button>
    </form>
  );
}
