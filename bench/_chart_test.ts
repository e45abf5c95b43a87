import assert from "node:assert/strict";
import { barChart, chartFileName } from "./_chart.ts";

Deno.test("barChart() draws one bar per case, sized by value, with its ratio to the baseline", () => {
  const svg = barChart({
    title: "hello <over HTTP>",
    format: (v) => `${v} µs`,
    bars: [
      { label: "raw Deno.serve", value: 10, baseline: true },
      { label: "hono", value: 20 },
      { label: "pubkit", value: 15 },
    ],
  });
  const widths = [...svg.matchAll(/<rect x="\d+" y="\d+" width="([\d.]+)"/g)].map((m) => +m[1]!);
  assert.equal(widths.length, 3);
  assert.equal(widths[1], 360); // the longest bar spans the plot
  assert.equal(widths[0], 180);
  assert.equal(widths[2], 270);
  assert.match(svg, />10 µs \(baseline\)</);
  assert.match(svg, />20 µs \(2\.00×\)</);
  assert.match(svg, />15 µs \(1\.50×\)</);
  assert.match(svg, /hello &lt;over HTTP&gt;/); // text is escaped, the document stays well-formed
});

Deno.test("barChart() refuses an empty chart; chartFileName() makes a plain file name", () => {
  assert.throws(() => barChart({ title: "x", format: String, bars: [] }), RangeError);
  assert.equal(chartFileName("Page, returning visitor (HTTP)"), "page-returning-visitor-http.svg");
});
