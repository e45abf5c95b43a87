// Renders the same page (title, a conditional, 100 user-supplied comments) with pubkit's two
// engines, a hand-written template literal, Eta, EJS and Handlebars, timing what a server pays:
// render plus UTF-8 encoding. Three data sets: no value needs escaping, 10 % do, every value does.
// Run: deno run -A bench/render_bench.ts   (ROUNDS=<n> for more or fewer rounds, default 40)
import { Eta } from "eta";
import ejs from "ejs";
import Handlebars from "handlebars";
import { EmbeddedEngine, escapeHtml, FillEngine, type FillNode } from "@pubkit/render";

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
const sets = { "no escaping": dataSet(0), "10 % escaped": dataSet(0.1), "all escaped": dataSet(1) };
for (const [set, data] of Object.entries(sets)) {
  const expected = normalize(literal(data));
  for (const [name, render] of Object.entries(engines)) {
    const html = new TextDecoder().decode(await render(data));
    if (normalize(html) !== expected) {
      throw new Error(`Cannot compare engines: ${name} renders a different page (${set})`);
    }
  }
}

// Round-robin batches instead of one engine after another: on a shared machine every engine
// then meets the same load, and the fastest batch (least disturbed) is comparable across them.
const ROUNDS = Number(Deno.env.get("ROUNDS") ?? 40);
const BATCH = 200;
const times = new Map<string, number[]>();
for (const data of Object.values(sets)) {
  for (const render of Object.values(engines)) for (let i = 0; i < 2000; i++) await render(data);
}
for (let round = 0; round < ROUNDS; round++) {
  for (const [set, data] of Object.entries(sets)) {
    for (const [name, render] of Object.entries(engines)) {
      const start = performance.now();
      for (let i = 0; i < BATCH; i++) await render(data);
      const key = `${set}|${name}`;
      times.set(key, [...times.get(key) ?? [], (performance.now() - start) * 1000 / BATCH]);
    }
  }
}
const stat = (set: string, name: string) => {
  const sorted = times.get(`${set}|${name}`)!.toSorted((a, b) => a - b);
  return { min: sorted[0], median: sorted[sorted.length >> 1] };
};
const ratio = (set: string, other: string, ours: string) => {
  const [o, p] = [stat(set, other), stat(set, ours)];
  return `${(o.min / p.min).toFixed(2)}× (median ${(o.median / p.median).toFixed(2)}×)`;
};
for (const set of Object.keys(sets)) {
  console.log(`\nrender + UTF-8 encode, ${set} (µs per page: fastest batch / median batch)`);
  for (const name of Object.keys(engines)) {
    const { min, median } = stat(set, name);
    console.log(`  ${name.padEnd(38)} ${min.toFixed(1).padStart(6)} / ${median.toFixed(1)}`);
  }
  const embedded = "pubkit EmbeddedEngine.renderBytes()";
  const fill = "pubkit FillEngine.renderBytes()";
  console.log(
    `  embedded vs Eta ${ratio(set, "eta + encode", embedded)}, vs template literal ${
      ratio(set, "template literal + encode", embedded)
    }; fill vs Handlebars ${ratio(set, "handlebars + encode", fill)}`,
  );
}
