import {
  breakdownRows,
  type CountSeries,
  codeRows,
} from "@spiral-network/admin-ui/charts/count-rows";
import {
  barLength,
  GroupedBarChart,
  type GroupedBarChartProps,
} from "@spiral-network/admin-ui/charts/grouped-bar-chart";
import { describe, expect, it } from "vitest";

const SERIES: CountSeries[] = [
  { key: "well-being", label: "Well-being", questions: ["Q1"] },
  { key: "ill-being", label: "Ill-being", questions: ["Q2"] },
  { key: "actions", label: "Actions", questions: ["Q3", "Q4"] },
];

const render = (props: GroupedBarChartProps) => String(GroupedBarChart(props));

const props = (rows: GroupedBarChartProps["rows"]): GroupedBarChartProps => ({
  id: "chart-test",
  title: "Criteria per dimension",
  description: "Well-being, ill-being and actions side by side.",
  series: SERIES,
  rows,
  rowHeader: "Dimension",
  tableLabel: "Figures as a table",
  emptyText: "Nothing yet.",
});

/** The bars of the rendered SVG: series, value and width, in document order. */
const barsOf = (html: string) =>
  [
    ...html.matchAll(
      /<g class="chart-bar" data-series="([^"]+)" data-value="(\d+)">.*?<rect [^>]*? width="([\d.]+)"/gs,
    ),
  ].map((m) => ({ series: m[1], value: Number(m[2]), width: Number(m[3]) }));

describe("grouped bar chart", () => {
  it("adds up the questions of each series per code", () => {
    const matrix = { Q1: { A: 4, B: 1 }, Q2: { A: 2 }, Q3: { A: 1 }, Q4: { A: 5, C: 2 } };
    const rows = codeRows(
      matrix,
      [
        { key: "A", label: "A · Resources" },
        { key: "B", label: "B · Environment" },
        { key: "C", label: "C · Organisations" },
        { key: "D", label: "D · Relations" },
      ],
      SERIES,
    );
    expect(rows.map((r) => [r.key, r.values])).toEqual([
      ["A", [4, 2, 6]],
      ["B", [1, 0, 0]],
      ["C", [0, 0, 2]],
      ["D", [0, 0, 0]],
    ]);
    expect(codeRows(matrix, [{ key: "D", label: "D" }], SERIES, { omitEmpty: true })).toEqual([]);
    expect(
      breakdownRows(
        [
          {
            key: "youth",
            label: "Young people",
            counts: { Q1: { A01: 2, B02: 3 }, Q4: { A01: 1 } },
          },
        ],
        SERIES,
      ),
    ).toEqual([{ key: "youth", label: "Young people", values: [5, 0, 1] }]);
  });

  it("is an SVG image with a title and description, and a table with the same numbers", () => {
    const html = render(
      props([
        { key: "A", label: "A · Resources", values: [12, 3, 7] },
        { key: "B", label: "B · Environment", values: [0, 9, 1] },
      ]),
    );
    expect(html).toMatch(/<svg role="img" aria-labelledby="chart-test-title chart-test-desc"/);
    expect(html).toContain('<title id="chart-test-title">Criteria per dimension</title>');
    expect(html).toContain('<desc id="chart-test-desc">Well-being, ill-being');
    // Each series is named in the picture itself, not only by its colour.
    expect(html.match(/>Ill-being</g)?.length).toBe(2 + 1); // two rows' bars + the table header
    const table = html.slice(html.indexOf("<table>"));
    expect(table).toContain('<th scope="col">Dimension</th>');
    expect(table).toContain(
      '<tr><th scope="row">A · Resources</th><td>12</td><td>3</td><td>7</td></tr>',
    );
    expect(table).toContain(
      '<tr><th scope="row">B · Environment</th><td>0</td><td>9</td><td>1</td></tr>',
    );
  });

  it("draws bars proportional to their values, the longest for the largest count", () => {
    const html = render(
      props([
        { key: "A", label: "A", values: [12, 3, 6] },
        { key: "B", label: "B", values: [0, 9, 1] },
      ]),
    );
    const bars = barsOf(html);
    expect(bars.map((b) => b.value)).toEqual([12, 3, 6, 0, 9, 1]);
    const longest = barLength(12, 12);
    expect(longest).toBeGreaterThan(100);
    for (const bar of bars) {
      expect(bar.width).toBeCloseTo((bar.value / 12) * longest, 1);
    }
    expect(bars[3]?.width).toBe(0);
  });

  it("shows a plain sentence instead of an empty picture", () => {
    const html = render(props([]));
    expect(html).not.toContain("<svg");
    expect(html).toContain("Nothing yet.");
  });
});
