import type { BarRow, BarSeries } from "../charts/grouped-bar-chart";
import { SynthesisCharts } from "../charts/synthesis-charts";
import type { Lang, Translate } from "../i18n";
import { AdminLayout, describedBy, ErrorSummary, HintAndError, type SignedIn } from "./layout";

type Errors = Record<string, string | undefined>;

/** The period as typed in the form (strings, so a wrong value comes back as it was). */
export interface PeriodValues {
  start: string;
  end: string;
  /** "" for every cycle, else "0" … "3". */
  cycle: string;
}

export const CYCLES = ["0", "1", "2", "3"] as const;

/** The query string of a period, for links between the synthesis pages. */
export function periodQuery(period: PeriodValues): string {
  const query = new URLSearchParams({ start: period.start, end: period.end });
  if (period.cycle !== "") query.set("cycle", period.cycle);
  return query.toString();
}

/** The period chooser (GET, so the chosen period stays in the address and can be shared). */
export function PeriodForm(props: {
  t: Translate;
  action: string;
  period: PeriodValues;
  errors: Errors;
  /** Extra hidden fields kept across a change of period. */
  hidden?: Record<string, string>;
}) {
  const { t, period, errors } = props;
  const dateField = (name: "start" | "end", label: string) => {
    const id = `period-${name}`;
    return (
      <div class="field">
        <label for={id}>{label}</label>
        <HintAndError id={id} error={errors[name]} />
        <input
          id={id}
          name={name}
          type="date"
          value={period[name]}
          required
          aria-invalid={errors[name] ? "true" : undefined}
          aria-describedby={describedBy(id, undefined, errors[name])}
        />
      </div>
    );
  };
  return (
    <form method="get" action={props.action}>
      <ErrorSummary t={t} errors={errors} idOf={(name) => `period-${name}`} />
      <fieldset>
        <legend>{t("synthesis.period")}</legend>
        <div class="field-row">
          {dateField("start", t("synthesis.start"))}
          {dateField("end", t("synthesis.end"))}
          <div class="field">
            <label for="period-cycle">{t("synthesis.cycle")}</label>
            <HintAndError id="period-cycle" error={errors.cycle} />
            <select
              id="period-cycle"
              name="cycle"
              aria-invalid={errors.cycle ? "true" : undefined}
              aria-describedby={describedBy("period-cycle", undefined, errors.cycle)}
            >
              <option value="" selected={period.cycle === ""}>
                {t("synthesis.cycle.all")}
              </option>
              {CYCLES.map((n) => (
                <option value={n} selected={period.cycle === n}>
                  {t("synthesis.cycle.n", { n })}
                </option>
              ))}
            </select>
          </div>
        </div>
        {Object.entries(props.hidden ?? {}).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <button type="submit" class="primary">
          {t("synthesis.show")}
        </button>
      </fieldset>
    </form>
  );
}

export interface MinorityItem {
  code: string;
  label: string;
  provisional: boolean;
  /** The group that cited it, as the facilitator knows it (label and category). */
  group: string;
  /** Its criteria on that component per series (well-being, ill-being, actions), zeros left out. */
  counts: Array<{ label: string; count: number }>;
}

export interface SynthesisPageProps {
  t: Translate;
  lang: Lang;
  user: SignedIn;
  hasTerritory: boolean;
  period: PeriodValues;
  periodErrors: Errors;
  /** Absent when the period could not be read. */
  figures?:
    | {
        groupsInPeriod: number;
        groupsCounted: number;
        participants: number;
        criteria: number;
        unclassified: number;
        proposed: number;
        series: BarSeries[];
        dimensions: BarRow[];
        components: BarRow[];
        categories: BarRow[];
        minority: MinorityItem[];
      }
    | undefined;
}

/** The territory's synthesis of validated criteria for a period, with its minority views. */
export function SynthesisPage(props: SynthesisPageProps) {
  const { t, figures } = props;
  const query = periodQuery(props.period);
  return (
    <AdminLayout
      t={t}
      lang={props.lang}
      title={t("synthesis.title")}
      path={`/admin/synthesis?${query}`}
      user={props.user}
    >
      <p>{t("synthesis.intro")}</p>
      {!props.hasTerritory ? (
        <p class="muted">{t("groups.noTerritory")}</p>
      ) : (
        <>
          <PeriodForm
            t={t}
            action="/admin/synthesis"
            period={props.period}
            errors={props.periodErrors}
          />
          {figures ? (
            <>
              <p>
                {t("synthesis.summary", {
                  counted: figures.groupsCounted,
                  inPeriod: figures.groupsInPeriod,
                  participants: figures.participants,
                  criteria: figures.criteria,
                })}
              </p>
              {figures.unclassified + figures.proposed > 0 ? (
                <p class="notice" id="pending">
                  {t("synthesis.pending", {
                    unclassified: figures.unclassified,
                    proposed: figures.proposed,
                  })}{" "}
                  {figures.unclassified > 0 ? (
                    <a href="/admin/classify">{t("synthesis.pending.classify")}</a>
                  ) : null}
                  {figures.unclassified > 0 && figures.proposed > 0 ? " · " : null}
                  {figures.proposed > 0 ? (
                    <a href="/admin/classify?tab=review">{t("synthesis.pending.review")}</a>
                  ) : null}
                </p>
              ) : null}
              <p>
                <a href={`/admin/synthesis/preview?${query}`}>{t("synthesis.toPreview")}</a>
              </p>
              <SynthesisCharts
                t={t}
                id="local"
                series={figures.series}
                dimensions={figures.dimensions}
                components={figures.components}
                categories={figures.categories}
              />
              <h2 id="minority">{t("synthesis.minority")}</h2>
              <p>{t("synthesis.minority.intro")}</p>
              {figures.minority.length === 0 ? (
                <p class="muted">{t("synthesis.minority.none")}</p>
              ) : (
                <ul class="tasks minority">
                  {figures.minority.map((m) => (
                    <li>
                      <strong>
                        {m.code} · {m.label}
                      </strong>
                      {m.provisional ? (
                        <span class="tag badge-provisional">{t("synthesis.provisional")}</span>
                      ) : null}{" "}
                      — {t("synthesis.minority.by", { group: m.group })}
                      {": "}
                      {m.counts.map((c) => `${c.label} ${c.count}`).join(", ")}
                    </li>
                  ))}
                </ul>
              )}
            </>
          ) : null}
        </>
      )}
    </AdminLayout>
  );
}
