// Renders the same page (title, a conditional, 100 user-supplied comments) with pubkit's two
// engines, a hand-written template literal, Eta, EJS and Handlebars, timing what a server pays:
// render plus UTF-8 encoding. Three data sets: no value needs escaping, 10 % do, every value does.
// Run: deno run -A bench/render_bench.ts   (ROUNDS=<n> for more or fewer rounds, default 400)
import { Eta } from "eta";
import ejs from "ejs";
import Handlebars from "handlebars";
import process from "node:process";
import { EmbeddedEngine, escapeHtml, FillEngine, type FillNode } from "@pubkit/render";
import { barChart, chartFileName } from "./_chart.ts";

const dir = new URL("./fixtures/render/", import.meta.url).pathname;
const read = (name: string) => Deno.readTextFileSync(dir + name);

interface Comment {
  author: string;
  text: string;
  url: string;
}
interface Page {
  title: string;
  user: { name: string };
  comments: Comment[];
}

/** A page whose values need escaping at the given share of comments (0, 0.1 or 1). */
function dataSet(share: number): Page {
  const hostile = (i: number) => Math.floor((i + 1) * share) !== Math.floor(i * share);
  return {
    title: share === 1 ? `Comments on "Tom & Jerry" <2024>` : "Comments on Tom and Jerry 2024",
    user: { name: share === 1 ? "O'Brien <admin>" : "OBrien admin" },
    comments: Array.from({ length: 100 }, (_, i): Comment =>
      hostile(i)
        ? {
          author: `user${i} <${i}@example.com>`,
          text: `I said "hi" & then <b>bye</b>, it's comment #${i}`,
          url: `/users/${i}?tab=comments&sort=new`,
        }
        : {
          author: `user${i} at example.com`,
          text: `I said hi and then bye, it is comment number ${i}`,
          url: `/users/${i}?tab=comments`,
        }),
  };
}

const embedded = new EmbeddedEngine({ searchPath: [dir] });
const fill = new FillEngine({ searchPath: [dir] });
const fillPage = (data: Page) => (page: FillNode): void => {
  page.node("title").text(data.title);
  page.node("heading").text(data.title);
  if (data.user) {
    page.node("user").node("name").text(data.user.name);
    page.node("anon").omit();
  } else page.node("user").omit();
  page.node("comment").repeat(data.comments, (li, c) => {
    li.node("author").attr("href", c.url).text(c.author);
    li.node("text").text(c.text);
  });
};

/** The hand-written baseline: a template literal with a careful escaper. */
function literal(it: Page): string {
  let list = "";
  for (const c of it.comments) {
    list += `<li><a href="${escapeHtml(c.url)}">${escapeHtml(c.author)}</a>: ${
      escapeHtml(c.text)
    }</li>\n`;
  }
  return `<!DOCTYPE html>
<html>
<head><title>${escapeHtml(it.title)}</title></head>
<body>
<h1>${escapeHtml(it.title)}</h1>
${
    it.user
      ? `<p class="hello">Signed in as ${escapeHtml(it.user.name)}</p>`
      : `<p class="hello">Not signed in</p>`
  }
<ul>
${list}</ul>
</body>
</html>
`;
}

const eta = new Eta();
const etaFn = eta.compile(read("page.eta"));
const ejsFn = ejs.compile(read("page.ejs"));
const hbsFn = Handlebars.compile(read("page.hbs"));
const encoder = new TextEncoder();

const engines: Record<string, (data: Page) => Uint8Array | Promise<Uint8Array>> = {
  "pubkit EmbeddedEngine.renderBytes()": (data) => embedded.renderBytes("page", data),
  "template literal + encode": (data) => encoder.encode(literal(data)),
  "eta + encode": (data) => encoder.encode(eta.render(etaFn, data)),
  "pubkit FillEngine.renderBytes()": (data) => fill.renderBytes("page", fillPage(data)),
  "handlebars + encode": (data) => encoder.encode(hbsFn(data)),
  "ejs + encode": (data) => encoder.encode(ejsFn(data)),
};

// Same page from every engine: the outputs differ only in how they spell escapes and trim.
const normalize = (s: string) =>
  s.replaceAll("\n", "").replaceAll("&#x27;", "&#39;").replaceAll("&#34;", "&quot;")
    .replaceAll("&#x3D;", "=");
// Through JSON, as a server gets data (a JSON body, a database driver): flat strings, where
// strings built by template literals would be ropes that V8 flattens on first use.
const viaJson = (page: Page): Page => JSON.parse(JSON.stringify(page));
const sets = {
  "no escaping": viaJson(dataSet(0)),
  "10 % escaped": viaJson(dataSet(0.1)),
  "all escaped": viaJson(dataSet(1)),
};
for (const [set, data] of Object.entries(sets)) {
  const expected = normalize(literal(data));
  for (const [name, render] of Object.entries(engines)) {
    const html = new TextDecoder().decode(await render(data));
    if (normalize(html) !== expected) {
      throw new Error(`Cannot compare engines: ${name} renders a different page (${set})`);
    }
  }
}

// Short batches (10 pages) in round robin, the order rotated every round: on a shared machine
// neighbouring batches meet nearly the same load, so the ratio of two engines within one round
// is steadier than either time. Each batch is timed twice: wall clock, and the CPU time of this
// process (all its threads, the garbage collector's included), which does not count the time
// other processes hold the cores. The report gives medians per page and, per pair, the median
// and interquartile range of the per-round ratios.
const ROUNDS = Number(Deno.env.get("ROUNDS") ?? 400);
const BATCH = 10;
const times = new Map<string, { wall: number[]; cpu: number[] }>();
for (const data of Object.values(sets)) {
  for (const render of Object.values(engines)) for (let i = 0; i < 1000; i++) await render(data);
}
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
const names = Object.keys(engines);
for (let round = 0; round < ROUNDS; round++) {
  for (const [set, data] of Object.entries(sets)) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + round) % names.length];
      const render = engines[name];
      const [wall, cpu] = [performance.now(), cpuNow()];
      for (let i = 0; i < BATCH; i++) await render(data);
      const key = `${set}|${name}`;
      if (!times.has(key)) times.set(key, { wall: [], cpu: [] });
      times.get(key)!.wall.push((performance.now() - wall) * 1000 / BATCH);
      times.get(key)!.cpu.push((cpuNow() - cpu) / BATCH);
    }
  }
}
type Clock = "cpu" | "wall";
const quantile = (values: number[], q: number) =>
  values.toSorted((a, b) => a - b)[Math.floor((values.length - 1) * q)];
const series = (set: string, name: string, clock: Clock) => times.get(`${set}|${name}`)![clock];
/** Per-round ratios of `other`'s time to `ours` (above 1: ours is faster). */
const ratios = (set: string, other: string, ours: string, clock: Clock) => {
  const [o, p] = [series(set, other, clock), series(set, ours, clock)];
  return o.map((t, i) => t / p[i]);
};
const EMBEDDED = "pubkit EmbeddedEngine.renderBytes()";
const FILL = "pubkit FillEngine.renderBytes()";
const targets: [label: string, other: string, ours: string, target: number][] = [
  ["embedded vs Eta", "eta + encode", EMBEDDED, 1.2],
  ["embedded vs template literal", "template literal + encode", EMBEDDED, 1.0],
  ["fill vs Handlebars", "handlebars + encode", FILL, 2.0],
];
const fmt = (n: number) => n.toFixed(n < 100 ? 1 : 0).padStart(6);
await Deno.mkdir(new URL("./charts/", import.meta.url), { recursive: true });
for (const set of Object.keys(sets)) {
  const title = `Rendering + UTF-8 encoding, ${set}`;
  await Deno.writeTextFile(
    new URL(`./charts/render-${chartFileName(title)}`, import.meta.url),
    barChart({
      title,
      subtitle: `the issue 7 page, CPU µs per page, median of ${ROUNDS} batches ` +
        `(${new Date().toISOString().slice(0, 10)}); shorter is better`,
      format: (us) => `${us.toFixed(1)} µs`,
      bars: names.map((name) => ({
        label: name,
        value: quantile(series(set, name, "cpu"), 0.5),
        baseline: name === "template literal + encode",
      })),
    }),
  );
  console.log(
    `\nrender + UTF-8 encode, ${set}: µs per page, median of ${ROUNDS} batches (CPU / wall)`,
  );
  for (const name of names) {
    const [cpu, wall] = [series(set, name, "cpu"), series(set, name, "wall")];
    console.log(`  ${name.padEnd(38)} ${fmt(quantile(cpu, 0.5))} / ${fmt(quantile(wall, 0.5))}`);
  }
  for (const [label, other, ours, target] of targets) {
    const [low, mid, high] = [0.25, 0.5, 0.75].map((q) =>
      quantile(ratios(set, other, ours, "cpu"), q).toFixed(2)
    );
    const wall = quantile(ratios(set, other, ours, "wall"), 0.5).toFixed(2);
    console.log(
      `  ${label.padEnd(30)} ${mid}× CPU (middle half of rounds ${low}–${high}×), ${wall}× wall; ` +
        `target ≥ ${target}×: ${Number(mid) >= target ? "holds" : "NOT met"}`,
    );
  }
}
