import type { Lang, Translate } from "../i18n";
import { AdminLayout, CsrfField, type SignedIn } from "./layout";

/** What a publication or a withdrawal sends, as the confirmation names it. */
export interface PublishConfirmation {
  kind: "publish" | "withdraw";
  version: number;
  /** The period in words, e.g. "2026-01-01 → 2026-12-31". */
  period: string;
  /** Accepted followers the activity is delivered to. */
  followers: number;
  /** Publish only: the correction's previous version, the figures, the sub-networks named. */
  correctionOf?: number | undefined;
  figures?: { groups: number; participants: number; criteria: number } | undefined;
  subnetworks?: string[] | undefined;
  /** Where the form goes, its hidden fields (with confirm=1) and the way back. */
  action: string;
  hidden: Record<string, string>;
  back: string;
}

/**
 * The step between the button and the network: publishing or withdrawing reaches followers in
 * seconds and cannot be recalled, so the page names what they will receive and asks once more.
 */
export function PublishConfirmPage(props: {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  confirm: PublishConfirmation;
  notice?: string | undefined;
}) {
  const { t, user, confirm: c } = props;
  const publish = c.kind === "publish";
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={
        publish
          ? t("publish.confirm.title", { version: c.version })
          : t("withdraw.confirm.title", { version: c.version })
      }
      path="/admin/synthesis/preview"
      user={user}
      notice={props.notice}
    >
      {publish ? (
        <>
          <p>{t("publish.confirm.intro")}</p>
          <h2 id="what">{t("publish.confirm.what")}</h2>
          <ul class="confirm-what" aria-labelledby="what">
            <li>
              {t("publish.confirm.version", { version: c.version, period: c.period })}
              {c.correctionOf !== undefined
                ? `, ${t("publish.confirm.correction", { version: c.correctionOf })}`
                : ""}
            </li>
            {c.figures ? <li>{t("publish.confirm.figures", c.figures)}</li> : null}
            <li>
              {c.followers > 0
                ? t("publish.confirm.followers", { count: c.followers })
                : t("publish.confirm.noFollowers")}
            </li>
            {c.subnetworks && c.subnetworks.length > 0 ? (
              <li>{t("publish.confirm.subnetworks", { names: c.subnetworks.join(", ") })}</li>
            ) : null}
          </ul>
        </>
      ) : (
        <p>
          {t("withdraw.confirm.body", {
            version: c.version,
            period: c.period,
            count: c.followers,
          })}
        </p>
      )}
      <form method="post" action={c.action}>
        <CsrfField token={user.csrf} />
        {Object.entries(c.hidden).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <input type="hidden" name="confirm" value="1" />
        <p>
          <button type="submit" class="primary" autofocus>
            {publish
              ? t("publish.confirm.yes", { version: c.version })
              : t("withdraw.confirm.yes", { version: c.version })}
          </button>{" "}
          <a href={c.back}>{t("publish.confirm.back")}</a>
        </p>
      </form>
    </AdminLayout>
  );
}
