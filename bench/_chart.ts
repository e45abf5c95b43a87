// SVG bar charts drawn from measured data by the benchmarks themselves (no hand-drawn figures):
// one horizontal bar per case, its value and its ratio to the group's baseline written beside it.

/** One measured case. */
export interface Bar {
  /** The case's name, shown left of its bar. */
  label: string;
  /** The measured value (a time or a cost: shorter is better). */
  value: number;
  /** Marks the case the others are compared with. */
  baseline?: boolean;
}

/** What to draw. */
export interface ChartOptions {
  /** The heading. */
  title: string;
  /** The line under the heading: what was measured and how (command, date). */
  subtitle?: string;
  /** Formats a value for its label (e.g. `12.3 µs`). */
  format: (value: number) => string;
  /** The cases, drawn in this order. */
  bars: readonly Bar[];
}

const PLOT_WIDTH = 360;
const VALUE_WIDTH = 180;
const CHAR_WIDTH = 7.5; // at 13 px, enough for system-ui's widest common glyphs
const BAR_HEIGHT = 22;
const GAP = 8;
const TOP = 58;

/**
 * Draws a horizontal bar chart as a self-contained SVG document.
 *
 * @param options The title, value format and bars.
 * @returns The SVG text.
 */
export function barChart(options: ChartOptions): string {
  const { bars } = options;
  if (bars.length === 0) throw new RangeError("Cannot draw a chart: no bars");
  const baseline = bars.find((b) => b.baseline) ?? bars[0]!;
  const max = Math.max(...bars.map((b) => b.value));
  const labelWidth = Math.ceil(Math.max(...bars.map((b) => b.label.length)) * CHAR_WIDTH) + 20;
  const width = labelWidth + PLOT_WIDTH + VALUE_WIDTH;
  const height = TOP + bars.length * (BAR_HEIGHT + GAP) + 16;
  const rows = bars.map((bar, i) => {
    const y = TOP + i * (BAR_HEIGHT + GAP);
    const length = max > 0 ? Math.max(1, (bar.value / max) * PLOT_WIDTH) : 1;
    const ratio = bar === baseline ? "baseline" : `${(bar.value / baseline.value).toFixed(2)}×`;
    const fill = bar === baseline ? "#8a8f98" : "#3b6fd8";
    const middle = y + BAR_HEIGHT / 2 + 5;
    return [
      `<text x="${labelWidth - 10}" y="${middle}" text-anchor="end">${text(bar.label)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${
        length.toFixed(1)
      }" height="${BAR_HEIGHT}" fill="${fill}"/>`,
      `<text x="${labelWidth + length + 8}" y="${middle}">${
        text(`${options.format(bar.value)} (${ratio})`)
      }</text>`,
    ].join("\n");
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="22" font-size="16" font-weight="bold">${text(options.title)}</text>`,
    options.subtitle ? `<text x="10" y="42" fill="#555">${text(options.subtitle)}</text>` : "",
    ...rows,
    "</svg>",
    "",
  ].join("\n");
}

/** A file name for a chart's title: lower case, words joined by `-`. */
export function chartFileName(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") + ".svg";
}

function text(value: string): string {
  return value.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
