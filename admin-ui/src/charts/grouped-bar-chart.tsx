/**
 * A grouped horizontal bar chart as static SVG (no script): each row (a dimension, component or
 * group category) shows one bar per series (well-being, ill-being, actions…) side by side.
 * Accessible without colour: every bar is labelled with its series name and its number, each
 * series has its own fill pattern, and a table with the same figures follows the picture.
 * A pure function of plain counts, so any page (local synthesis, received syntheses, network
 * figures) can draw one.
 */

export interface BarSeries {
  key: string;
  /** Shown next to each bar and as a table column header, in the page language. */
  label: string;
}

export interface BarRow {
  key: string;
  /** The row's name in the page language (e.g. "A · Access to essential resources"). */
  label: string;
  /** One count per series, in the order of `series`. */
  values: readonly number[];
}

export interface GroupedBarChartProps {
  /** Unique on the page: prefixes the ids of the title, description and patterns. */
  id: string;
  /** What the chart shows (the SVG's accessible name and the table caption). */
  title: string;
  /** One or two sentences read after the title (the SVG's accessible description). */
  description: string;
  series: readonly BarSeries[];
  rows: readonly BarRow[];
  /** The header of the table's first column (e.g. "Dimension"). */
  rowHeader: string;
  /** The summary line that opens the table alternative. */
  tableLabel: string;
  /** Shown instead of the chart when there is no row. */
  emptyText: string;
  /** How a value is written next to its bar and in the table (e.g. a share in the page's
   * language, "46,3 %"); counts are written as they are by default. */
  formatValue?: (value: number) => string;
}

/** Fill colour and pattern per series position: colour is never the only cue. */
const STYLES = [
  { colour: "#2e7d32", pattern: "solid" },
  { colour: "#b3261e", pattern: "hatch" },
  { colour: "#24405f", pattern: "dots" },
  { colour: "#8a5a00", pattern: "cross" },
] as const;
const styleOf = (index: number) => STYLES[index % STYLES.length] ?? STYLES[0];

/** Geometry of the drawing, in SVG user units (the picture scales to its container). */
const CHART_LAYOUT = {
  width: 640,
  /** Where bars start: the series name sits to the left of each bar. */
  barStart: 112,
  /** Room kept on the right for the number printed after the longest bar. */
  valueRoom: 48,
  rowLabelHeight: 22,
  barHeight: 14,
  barGap: 4,
  rowGap: 14,
} as const;

/** The length of the bar of `value` when the longest bar of the chart is `max`. */
export function barLength(value: number, max: number): number {
  const plot = CHART_LAYOUT.width - CHART_LAYOUT.barStart - CHART_LAYOUT.valueRoom;
  if (max <= 0 || value <= 0) return 0;
  return Math.round((value / max) * plot * 100) / 100;
}

function Pattern(props: { id: string; index: number }) {
  const { colour, pattern } = styleOf(props.index);
  if (pattern === "solid") {
    return (
      <pattern id={props.id} patternUnits="userSpaceOnUse" width="8" height="8">
        <rect width="8" height="8" fill={colour} />
      </pattern>
    );
  }
  if (pattern === "hatch") {
    return (
      <pattern
        id={props.id}
        patternUnits="userSpaceOnUse"
        width="6"
        height="6"
        patternTransform="rotate(45)"
      >
        <rect width="6" height="6" fill="#fbe3e1" />
        <rect width="3" height="6" fill={colour} />
      </pattern>
    );
  }
  if (pattern === "dots") {
    return (
      <pattern id={props.id} patternUnits="userSpaceOnUse" width="6" height="6">
        <rect width="6" height="6" fill="#dde6f0" />
        <circle cx="3" cy="3" r="1.8" fill={colour} />
      </pattern>
    );
  }
  return (
    <pattern id={props.id} patternUnits="userSpaceOnUse" width="8" height="8">
      <rect width="8" height="8" fill="#f3e6cc" />
      <path d="M0 0L8 8M8 0L0 8" stroke={colour} stroke-width="1.5" />
    </pattern>
  );
}

export function GroupedBarChart(props: GroupedBarChartProps) {
  const format = props.formatValue ?? String;
  const { id, series, rows } = props;
  if (rows.length === 0 || series.length === 0) return <p class="muted">{props.emptyText}</p>;
  const L = CHART_LAYOUT;
  const max = Math.max(0, ...rows.flatMap((r) => r.values));
  const rowHeight =
    L.rowLabelHeight + series.length * (L.barHeight + L.barGap) - L.barGap + L.rowGap;
  const height = rows.length * rowHeight;
  const patternId = (index: number) => `${id}-pattern-${index}`;
  return (
    <figure class="chart" id={id} style="margin:0.5rem 0 1.5rem">
      <svg
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        viewBox={`0 0 ${L.width} ${height}`}
        width="100%"
        style={`max-width:${L.width}px;height:auto;display:block`}
        font-family="system-ui, sans-serif"
        // Drawn left to right in every language (text-anchor would flip under dir=rtl).
        direction="ltr"
      >
        <title id={`${id}-title`}>{props.title}</title>
        <desc id={`${id}-desc`}>{props.description}</desc>
        <defs>
          {series.map((_, index) => (
            <Pattern id={patternId(index)} index={index} />
          ))}
        </defs>
        {rows.map((row, r) => {
          const top = r * rowHeight;
          return (
            <g class="chart-row" data-row={row.key}>
              <text x="0" y={top + 15} font-size="14" font-weight="600" fill="#1b1b1b">
                {row.label}
              </text>
              {series.map((s, index) => {
                const value = row.values[index] ?? 0;
                const y = top + L.rowLabelHeight + index * (L.barHeight + L.barGap);
                const length = barLength(value, max);
                return (
                  <g class="chart-bar" data-series={s.key} data-value={value}>
                    <text
                      x={L.barStart - 6}
                      y={y + L.barHeight - 3}
                      font-size="12"
                      text-anchor="end"
                      fill="#333"
                    >
                      {s.label}
                    </text>
                    <rect
                      x={L.barStart}
                      y={y}
                      width={length}
                      height={L.barHeight}
                      fill={`url(#${patternId(index)})`}
                      stroke={styleOf(index).colour}
                      stroke-width={length > 0 ? "1" : "0"}
                    />
                    <text
                      x={L.barStart + length + 4}
                      y={y + L.barHeight - 3}
                      font-size="12"
                      fill="#1b1b1b"
                    >
                      {format(value)}
                    </text>
                  </g>
                );
              })}
            </g>
          );
        })}
      </svg>
      <details class="chart-table">
        <summary>{props.tableLabel}</summary>
        <div class="table-wrap">
          <table>
            <caption>{props.title}</caption>
            <thead>
              <tr>
                <th scope="col">{props.rowHeader}</th>
                {series.map((s) => (
                  <th scope="col">{s.label}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr>
                  <th scope="row">{row.label}</th>
                  {series.map((_, index) => (
                    <td>{format(row.values[index] ?? 0)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
