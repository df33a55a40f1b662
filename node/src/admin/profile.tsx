import { PROFILE_LINKS, ProfilePage } from "@spiral-network/admin-ui/admin/profile-page";
import type { Translate } from "@spiral-network/admin-ui/i18n";
import { languageTag, regionLabel, territoryLinkSchema } from "@spiral-network/protocol";
import { InvalidInputError } from "../services/errors";
import type { TerritoryRow } from "../services/territories";
import {
  type AdminApp,
  type AdminContext,
  type AdminKit,
  type Errors,
  hasErrors,
  str,
} from "./kit";

const linkRows = Array.from({ length: PROFILE_LINKS }, (_, i) => i + 1);

/** The form's text for a territory as it stands. */
function valuesOf(territory: TerritoryRow): Record<string, string> {
  const values: Record<string, string> = {
    name: territory.name,
    description: territory.description ?? "",
    languages: territory.languages.join(", "),
    region: territory.region ?? "",
  };
  (territory.links ?? []).forEach((link, i) => {
    values[`link_label_${i + 1}`] = link.label;
    values[`link_url_${i + 1}`] = link.url;
  });
  return values;
}

/** Reads the profile form into the application layer's patch, with field messages. */
function readProfileForm(t: Translate, form: Record<string, string>) {
  const values: Record<string, string> = {
    name: str(form, "name"),
    description: (form.description ?? "").trim(),
    languages: str(form, "languages"),
    region: str(form, "region"),
  };
  const errors: Errors = {};
  if (!values.name || (values.name ?? "").length > 200) errors.name = t("profile.error.name");
  if ((values.description ?? "").length > 5000) {
    errors.description = t("profile.error.description");
  }
  const languages = (values.languages ?? "").split(/[\s,;]+/).filter(Boolean);
  if (
    languages.length === 0 ||
    languages.length > 20 ||
    !languages.every((l) => languageTag.safeParse(l).success)
  ) {
    errors.languages = t("error.languages");
  }
  if (values.region && !regionLabel.safeParse(values.region).success) {
    errors.region = t("error.region");
  }
  const links: Array<{ label: string; url: string }> = [];
  for (const n of linkRows) {
    const label = str(form, `link_label_${n}`);
    const url = str(form, `link_url_${n}`);
    values[`link_label_${n}`] = label;
    values[`link_url_${n}`] = url;
    if (!label && !url) continue;
    const parsed = territoryLinkSchema.safeParse({ label, url });
    if (parsed.success) {
      links.push(parsed.data);
      continue;
    }
    for (const issue of parsed.error.issues) {
      if (issue.path[0] === "label") errors[`link_label_${n}`] = t("profile.error.linkLabel");
      else errors[`link_url_${n}`] = t("profile.error.linkUrl");
    }
  }
  if (hasErrors(errors)) return { values, errors };
  const patch = {
    name: values.name ?? "",
    description: values.description || undefined,
    languages,
    region: values.region || undefined,
    links,
  };
  return { values, errors, patch };
}

/**
 * The territory's profile, edited by admins through the application layer's command (the API's
 * PATCH /territories/{slug}). The actor is served from this profile, so followers' servers see
 * the change when they next read it (no Update activity is pushed: see docs/facilitators-guide.md).
 */
export function registerProfileRoutes(admin: AdminApp, kit: AdminKit) {
  const page = (
    c: AdminContext,
    values: Record<string, string>,
    errors: Errors = {},
    notice?: string,
  ) =>
    c.html(
      <ProfilePage
        t={c.get("t")}
        lang={c.get("lang")}
        user={kit.user(c)}
        values={values}
        errors={errors}
        notice={notice}
      />,
      hasErrors(errors) ? 400 : 200,
    );

  admin.get("/territory/profile", kit.protect("manageNode"), (c) => {
    const territory = kit.territoryOf(c);
    if (!territory) return kit.noTerritory(c);
    const saved = c.req.query("saved") !== undefined;
    return page(c, valuesOf(territory), {}, saved ? c.get("t")("profile.saved") : undefined);
  });

  admin.post("/territory/profile", kit.protect("manageNode"), (c) => {
    const territory = kit.territoryOf(c);
    if (!territory) return kit.noTerritory(c);
    const t = c.get("t");
    const { values, errors, patch } = readProfileForm(t, c.get("form"));
    if (!patch) return page(c, values, errors);
    try {
      // A field left empty is cleared (null), not kept as it was.
      kit.app.territoryProfiles.update(kit.actor(c), territory.slug, {
        ...patch,
        description: patch.description ?? null,
        region: patch.region ?? null,
      });
    } catch (error) {
      if (error instanceof InvalidInputError) {
        for (const issue of error.issues) {
          const field = issue.path.split(".")[0] ?? "name";
          errors[field in values ? field : "name"] ??= t("error.invalid");
        }
        return page(c, values, errors);
      }
      throw error;
    }
    return c.redirect("/admin/territory/profile?saved", 303);
  });
}
