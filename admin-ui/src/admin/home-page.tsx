import type { Lang, MessageKey, Translate } from "../i18n";
import { AdminLayout, type SignedIn } from "./layout";

export interface AdminHomePageProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  territory?:
    | {
        name: string;
        country: string;
        region?: string | undefined;
        languages: string[];
        publicUrl: string;
      }
    | undefined;
}

/** The parts of the workspace, in the order of a facilitator's work. */
const TASKS: Array<{ key: MessageKey; href: string; adminOnly?: boolean }> = [
  { key: "home.groups", href: "/admin/groups" },
  { key: "home.criteria", href: "/admin/groups" },
  { key: "home.import", href: "/admin/import" },
  { key: "home.classification", href: "/admin/classify" },
  { key: "home.synthesis", href: "/admin/synthesis" },
  { key: "home.publish", href: "/admin/synthesis" },
  { key: "home.network", href: "/admin/network" },
  { key: "home.subnetworks", href: "/admin/subnetworks" },
  { key: "home.figures", href: "/admin/figures" },
  { key: "home.calendar", href: "/admin/calendar" },
  { key: "home.users", href: "/admin/users", adminOnly: true },
  { key: "home.grid", href: "/admin/grid", adminOnly: true },
  { key: "profile.task", href: "/admin/territory/profile", adminOnly: true },
];

/** The workspace home: the territory, who is signed in, and the parts of the work. */
export function AdminHomePage(props: AdminHomePageProps) {
  const { t, user, territory } = props;
  return (
    <AdminLayout t={t} lang={props.lang} title={t("home.title")} path="/admin" user={user}>
      <p>{t("home.signedInAs", { name: user.name, role: t(`role.${user.role}`) })}</p>
      <h2>{t("home.territory")}</h2>
      {territory ? (
        <p>
          <strong>{territory.name}</strong> —{" "}
          {[territory.region, territory.country].filter(Boolean).join(", ")}
          <br />
          <span class="muted">
            {t("home.languages")}
            {t("punct.colon")} {territory.languages.join(", ")}
          </span>
          <br />
          <a href={territory.publicUrl}>{t("nav.publicSite")}</a>
        </p>
      ) : (
        <p class="muted">{t("home.noTerritory")}</p>
      )}
      <h2>{t("home.next")}</h2>
      <ul class="tasks">
        {TASKS.filter((task) => !task.adminOnly || user.role === "admin").map((task) => (
          <li>
            <a href={task.href}>{t(task.key)}</a>
          </li>
        ))}
      </ul>
    </AdminLayout>
  );
}
