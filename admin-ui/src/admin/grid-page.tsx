import type { Lang, Translate } from "../i18n";
import {
  AdminLayout,
  CsrfField,
  describedBy,
  ErrorSummary,
  HintAndError,
  PostButton,
  type SignedIn,
} from "./layout";

/** A grid version the node holds. */
export interface GridVersionRow {
  id: string;
  version: string;
  state: "active" | "known" | "offered";
  /** "bundled", "import", or the URL it was fetched from. */
  source: string;
  hash: string;
}

/** A version named by received syntheses that the node does not know. */
export interface UnknownGridVersion {
  id: string;
  version: string;
  offered: boolean;
  territories: Array<{ origin: string; name: string }>;
}

/** What importing a grid file would change (the node's preview, as the page shows it). */
export interface GridPreview {
  from: string;
  to: string;
  version: string;
  added: Array<{ code: string; label: string; provisional: boolean }>;
  relabelled: Array<{ code: string; before: string; after: string }>;
  restated: Array<{ code: string; before: string; after: string }>;
  moved: string[];
  review: string[];
  criteriaMoved: number;
  criteriaToReview: number;
}

export interface GridPageProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  active: {
    id: string;
    version: string;
    total: number;
    confirmed: number;
    provisional: number;
    unnamed: number;
  };
  versions: GridVersionRow[];
  unknown: UnknownGridVersion[];
  /** The grid file's text: carried from the check to the import. */
  text: string;
  preview?: GridPreview | undefined;
  /** The reasons a file was refused. */
  refused?: string[] | undefined;
  errors?: { input?: string | undefined };
  notice?: string | undefined;
}

const sourceLabel = (t: Translate, source: string) =>
  source === "bundled" || source === "import" ? t(`grid.source.${source}`) : source;

/**
 * Grid versions, for admins: the one in use and how much of it is confirmed, the versions held,
 * versions other territories use (fetch, then accept or import), and importing a grid file in
 * two steps (check, then import the same text), without JavaScript.
 */
export function GridPage(props: GridPageProps) {
  const { t, user, active, preview } = props;
  const e = props.errors ?? {};
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={t("grid.title")}
      path="/admin/grid"
      user={user}
      notice={props.notice}
    >
      <p>
        <strong>{t("grid.inUse", { id: active.id, version: active.version })}</strong>
      </p>
      <p>{t("grid.inUse.help")}</p>
      <p class="muted">
        {t("grid.partial", {
          confirmed: active.confirmed,
          total: active.total,
          provisional: active.provisional,
          unnamed: active.unnamed,
        })}
      </p>

      {preview ? <PreviewSection t={t} preview={preview} text={props.text} user={user} /> : null}
      {props.refused ? (
        <div class="error-summary" role="alert" id="grid-refused">
          <p>{t("grid.refused")}</p>
          <ul>
            {props.refused.map((reason) => (
              <li>{reason}</li>
            ))}
          </ul>
        </div>
      ) : null}

      <h2 id="held">{t("grid.held")}</h2>
      <div class="table-wrap">
        <table aria-labelledby="held">
          <thead>
            <tr>
              <th scope="col">{t("grid.col.version")}</th>
              <th scope="col">{t("grid.col.state")}</th>
              <th scope="col">{t("grid.col.source")}</th>
              <th scope="col">{t("grid.col.hash")}</th>
              <th scope="col">{t("grid.col.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {props.versions.map((v) => (
              <tr>
                <th scope="row">
                  {v.id} {v.version}
                </th>
                <td>{t(`grid.state.${v.state}`)}</td>
                <td>{sourceLabel(t, v.source)}</td>
                <td>
                  <code>{v.hash.slice(0, 19)}…</code>
                </td>
                <td>
                  {v.state === "offered" ? (
                    <PostButton
                      action="/admin/grid/accept"
                      csrf={user.csrf}
                      label={t("grid.accept")}
                      ariaLabel={t("grid.accept.label", { version: v.version })}
                    >
                      <input type="hidden" name="id" value={v.id} />
                      <input type="hidden" name="version" value={v.version} />
                    </PostButton>
                  ) : null}
                  {v.state !== "active" ? (
                    <PostButton
                      action="/admin/grid/preview"
                      csrf={user.csrf}
                      label={t("grid.adopt")}
                      ariaLabel={t("grid.adopt.label", { version: v.version })}
                    >
                      <input type="hidden" name="held" value={`${v.id}\n${v.version}`} />
                    </PostButton>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2 id="unknown">{t("grid.unknown")}</h2>
      {props.unknown.length === 0 ? (
        <p class="muted">{t("grid.unknown.none")}</p>
      ) : (
        <>
          <p>{t("grid.unknown.help")}</p>
          <ul>
            {props.unknown.map((u) => (
              <li>
                {t("grid.unknown.usedBy", {
                  id: u.id,
                  version: u.version,
                  territories: u.territories.map((x) => x.name).join(", "),
                })}
                {u.offered ? ` — ${t("grid.state.offered")}` : null}
                {u.offered
                  ? null
                  : u.territories.map((x) => (
                      <PostButton
                        action="/admin/grid/fetch"
                        csrf={user.csrf}
                        label={t("grid.fetch", { territory: x.name })}
                      >
                        <input type="hidden" name="actor" value={x.origin} />
                      </PostButton>
                    ))}
              </li>
            ))}
          </ul>
        </>
      )}

      <h2 id="import">{t("grid.import")}</h2>
      <p>{t("grid.import.help")}</p>
      <ErrorSummary t={t} errors={e} />
      <form method="post" action="/admin/grid/preview" enctype="multipart/form-data" novalidate>
        <CsrfField token={user.csrf} />
        <div class="field">
          <label for="g-file">{t("grid.field.file")}</label>
          <input id="g-file" name="file" type="file" accept=".json,application/json" />
        </div>
        <div class="field">
          <label for="g-text">{t("grid.field.text")}</label>
          <HintAndError id="g-text" error={e.input} />
          <textarea
            id="g-text"
            name="text"
            rows={6}
            spellcheck={false}
            aria-invalid={e.input ? "true" : undefined}
            aria-describedby={describedBy("g-text", undefined, e.input)}
          >
            {preview ? "" : props.text}
          </textarea>
        </div>
        <button class="primary" type="submit">
          {t("grid.check")}
        </button>
      </form>
    </AdminLayout>
  );
}

function CodeList(props: { t: Translate; items: string[] }) {
  return props.items.length === 0 ? (
    <p class="muted">{props.t("grid.preview.none")}</p>
  ) : (
    <ul>
      {props.items.map((item) => (
        <li>{item}</li>
      ))}
    </ul>
  );
}

function PreviewSection(props: {
  t: Translate;
  preview: GridPreview;
  text: string;
  user: SignedIn;
}) {
  const { t, preview } = props;
  return (
    <section aria-labelledby="preview-title" id="preview">
      <h2 id="preview-title">{t("grid.preview", { version: preview.version })}</h2>
      <p>{t("grid.preview.from", { from: preview.from, to: preview.to })}</p>
      <h3>{t("grid.preview.added")}</h3>
      <CodeList
        t={t}
        items={preview.added.map(
          (c) => `${c.code} · ${c.label}${c.provisional ? ` (${t("grid.provisional")})` : ""}`,
        )}
      />
      <h3>{t("grid.preview.relabelled")}</h3>
      <CodeList
        t={t}
        items={preview.relabelled.map((r) => `${r.code}: “${r.before}” → “${r.after}”`)}
      />
      <h3>{t("grid.preview.restated")}</h3>
      <CodeList t={t} items={preview.restated.map((r) => `${r.code}: ${r.before} → ${r.after}`)} />
      <h3>{t("grid.preview.moved")}</h3>
      <CodeList t={t} items={preview.moved} />
      <h3>{t("grid.preview.review")}</h3>
      <CodeList t={t} items={preview.review} />
      <p>
        <strong>
          {t("grid.preview.counts", {
            moved: preview.criteriaMoved,
            review: preview.criteriaToReview,
          })}
        </strong>
      </p>
      <form method="post" action="/admin/grid/import">
        <CsrfField token={props.user.csrf} />
        <input type="hidden" name="text" value={props.text} />
        <button class="primary" type="submit" autofocus>
          {t("grid.apply", { version: preview.version })}
        </button>
      </form>
    </section>
  );
}
