// Renders the same page (title, a conditional, 100 user-supplied comments needing escaping)
// with pubkit's two engines, Eta, EJS and Handlebars. Run: deno run -A bench/render_bench.ts
import { bench, group, run, summary } from "mitata";
import { Eta } from "eta";
import ejs from "ejs";
import Handlebars from "handlebars";
import { EmbeddedEngine, FillEngine, type FillNode } from "@pubkit/render";

const dir = new URL("./fixtures/render/", import.meta.url).pathname;
const read = (name: string) => Deno.readTextFileSync(dir + name);

interface Comment {
  author: string;
  text: string;
  url: string;
}
const data = {
  title: `Comments on "Tom & Jerry" <2024>`,
  user: { name: "O'Brien <admin>" },
  comments: Array.from({ length: 100 }, (_, i): Comment => ({
    author: `user${i} <${i}@example.com>`,
    text: `I said "hi" & then <b>bye</b>, it's comment #${i}`,
    url: `/users/${i}?tab=comments&sort=new`,
  })),
};

const embedded = new EmbeddedEngine({ searchPath: [dir] });
const fill = new FillEngine({ searchPath: [dir] });
function fillPage(page: FillNode): void {
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
}

const eta = new Eta();
const etaFn = eta.compile(read("page.eta"));
const ejsFn = ejs.compile(read("page.ejs"));
const hbsFn = Handlebars.compile(read("page.hbs"));

// Same page from every engine: the outputs differ only in how they spell escapes.
const outputs = {
  embedded: await embedded.render("page", data),
  fill: await fill.render("page", fillPage),
  eta: eta.render(etaFn, data),
  ejs: ejsFn(data),
  handlebars: hbsFn(data),
};
// Engines differ in how they trim newlines around tags and spell some escapes.
const normalize = (s: string) =>
  s.replaceAll("\n", "").replaceAll("&#x27;", "&#39;").replaceAll("&#34;", "&quot;")
    .replaceAll("&#x3D;", "=");
for (const [name, html] of Object.entries(outputs)) {
  if (normalize(html) !== normalize(outputs.embedded)) {
    throw new Error(`Cannot compare engines: ${name} renders a different page`);
  }
}

summary(() => {
  group("render the comments page (100 escaped items)", () => {
    bench("pubkit EmbeddedEngine.render()", async () => await embedded.render("page", data));
    bench("pubkit FillEngine.render()", async () => await fill.render("page", fillPage));
    bench("eta", () => eta.render(etaFn, data));
    bench("ejs", () => ejsFn(data));
    bench("handlebars", () => hbsFn(data));
  });
});

await run();
