import assert from "node:assert/strict";
import { FillEngine, TemplateNotFoundError, TemplateSyntaxError } from "./mod.ts";
import { edit, templates } from "./_test_files.ts";

Deno.test("FillEngine.render() fills by function or from data", async (t) => {
  await using tmp = await templates({ "page.html": `<h1 data-node="con:t">x</h1>` });
  const engine = new FillEngine({ searchPath: [tmp.dir] });
  await t.step("an async fill function", async () => {
    const html = await engine.render("page", async (page) => {
      page.node("t").text(await Promise.resolve("<a>"));
    });
    assert.equal(html, "<h1>&lt;a&gt;</h1>");
  });
  await t.step("plain data", async () => {
    assert.equal(await engine.render("page", { t: "b" }), "<h1>b</h1>");
  });
  await t.step("no fill renders the samples", async () => {
    assert.equal(await engine.render("page"), "<h1>x</h1>");
  });
  await t.step("the compiled template is shared, instances are not", async () => {
    assert.equal(await engine.load("page"), await engine.load("page"));
  });
});

Deno.test("FillEngine.renderStream() streams the page and errors the stream on failure", async () => {
  await using tmp = await templates({
    "page.html": `<p data-node="con:p">x</p>`,
    "bad.html": `<p data-node="x">`,
  });
  const engine = new FillEngine({ searchPath: [tmp.dir] });
  assert.equal(await new Response(engine.renderStream("page", { p: "é<" })).text(), "<p>é&lt;</p>");
  await assert.rejects(() => new Response(engine.renderStream("bad")).text(), TemplateSyntaxError);
  await assert.rejects(
    () => new Response(engine.renderStream("none")).text(),
    TemplateNotFoundError,
  );
});

Deno.test("FillEngine in dev mode recompiles an edited template", async () => {
  await using tmp = await templates({ "page.html": `<p data-node="con:p">one</p>` });
  const dev = new FillEngine({ searchPath: [tmp.dir], dev: true });
  const prod = new FillEngine({ searchPath: [tmp.dir] });
  assert.equal(await dev.render("page"), "<p>one</p>");
  assert.equal(await prod.render("page"), "<p>one</p>");
  await edit(`${tmp.dir}/page.html`, `<div data-node="con:p">two</div>`, 1);
  assert.equal(await dev.render("page"), "<div>two</div>");
  assert.equal(await prod.render("page"), "<p>one</p>");
});

Deno.test("FillEngine keeps at most cacheSize compiled templates", async () => {
  await using tmp = await templates({ "a.html": "a1", "b.html": "b1" });
  const engine = new FillEngine({ searchPath: [tmp.dir], cacheSize: 1 });
  assert.equal(await engine.render("a"), "a1");
  await Deno.writeTextFile(`${tmp.dir}/a.html`, "a2");
  assert.equal(await engine.render("a"), "a1");
  assert.equal(await engine.render("b"), "b1");
  assert.equal(engine.cachedCount, 1);
  assert.equal(await engine.render("a"), "a2");
});

Deno.test("FillEngine uses its configured marker attribute and validates options", async () => {
  await using tmp = await templates({
    "page.html": `<p node="con:p">x</p><i data-node="con:q">q</i>`,
  });
  const engine = new FillEngine({ searchPath: [tmp.dir], attribute: "node" });
  assert.equal(await engine.render("page", { p: "y" }), `<p>y</p><i data-node="con:q">q</i>`);
  // @ts-expect-error: unknown option
  assert.throws(() => new FillEngine({ searchPath: ["."], marker: "x" }), RangeError);
  assert.throws(() => new FillEngine({ searchPath: ["."], attribute: "a b" }), TypeError);
  assert.throws(() => new FillEngine({ searchPath: ["."], cacheSize: 1.5 }), RangeError);
});
