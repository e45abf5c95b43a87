import assert from "node:assert/strict";
import fc from "fast-check";
import { FillEngine, type FillNode, TemplateNotFoundError, TemplateSyntaxError } from "./mod.ts";
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

Deno.test("FillEngine.renderBytes() sends the bytes of render() for any fill", async () => {
  await using tmp = await templates({
    "page.html": `<!DOCTYPE html><title data-node="con:title">T</title><ul>` +
      `<li data-node="rep:item" class="c"><a data-node="con:link" href="#" title="s">L</a>` +
      `<span data-node="-con:a">A</span><span data-node="-con:b">B</span>` +
      `<img data-node="con:img" alt="x"></li><li data-node="sep:item">|</li></ul>` +
      `<p data-node="con:p">é static ü 😀</p><div data-node="-con:raw">r</div>`,
  });
  const engine = new FillEngine({ searchPath: [tmp.dir] });
  const encoder = new TextEncoder();
  // The characters escapeHtml replaces, 2-, 3- and 4-byte UTF-8 and lone surrogates (adjacent
  // values may join two into one character), at lengths around the module's 16-byte step.
  const unit = fc.constantFrom("&", "<", ">", '"', "'", "\r", "\0", "a", " ", "é", "€", "😀");
  const lone = fc.constantFrom("\ud800", "\udc00", "\udbff");
  const text = fc.oneof(
    fc.string({ unit, maxLength: 40 }),
    fc.string({ unit: fc.oneof(unit, lone), maxLength: 20 }),
    fc.string({ unit: "grapheme-ascii", minLength: 15, maxLength: 70 }),
  );
  const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
  const item = fc.record({
    href: maybe(text.map((v) => "/" + v)),
    title: maybe(text),
    link: maybe(text),
    a: maybe(fc.record({ value: text, markup: fc.boolean() })),
    b: maybe(text),
    alt: maybe(fc.oneof(text, fc.constant(null), fc.boolean())),
    omit: fc.boolean(),
  });
  const plan = fc.record({
    title: maybe(fc.oneof(text, fc.constant(null))),
    items: maybe(fc.array(item, { maxLength: 6 })),
    p: maybe(text),
    raw: maybe(text),
  });
  await fc.assert(
    fc.asyncProperty(plan, async (plan) => {
      const fill = (page: FillNode) => {
        if (plan.title === null) page.node("title").omit();
        else if (plan.title !== undefined) page.node("title").text(plan.title);
        if (plan.p !== undefined) page.node("p").text(plan.p);
        if (plan.raw !== undefined) page.node("raw").html(plan.raw);
        if (plan.items === undefined) return;
        page.node("item").repeat(plan.items, (li, it) => {
          const link = li.node("link");
          if (it.href !== undefined) link.attr("href", it.href);
          if (it.title !== undefined) link.attr("title", it.title);
          if (it.link !== undefined) link.text(it.link);
          if (it.a !== undefined) {
            if (it.a.markup) li.node("a").html(it.a.value);
            else li.node("a").text(it.a.value);
          }
          if (it.b !== undefined) li.node("b").text(it.b);
          if (it.alt !== undefined) li.node("img").attr("alt", it.alt);
          if (it.omit) li.omit();
        });
      };
      const expected = encoder.encode(await engine.render("page", fill));
      assert.deepEqual(await engine.renderBytes("page", fill), expected);
    }),
    { numRuns: 1000 },
  );
});

Deno.test("FillEngine.renderBytes() writes pages past its first buffers", async (t) => {
  await using tmp = await templates({
    "list.html": `<ul><li data-node="rep:i"><a data-node="con:a" href="#">x</a></li></ul>`,
  });
  const engine = new FillEngine({ searchPath: [tmp.dir] });
  const encoder = new TextEncoder();
  const same = async (values: string[]) => {
    const fill = (page: FillNode) => {
      page.node("i").repeat(values, (li, v) => li.node("a").attr("title", v).text(v));
    };
    assert.deepEqual(
      await engine.renderBytes("list", fill),
      encoder.encode(await engine.render("list", fill)),
    );
  };
  await t.step("more values than the first log holds", () => same(Array(5000).fill("<")));
  await t.step("a page past the module's memory (assembled as a string)", async () => {
    await same(["<&>".repeat(1_500_000), "é"]);
    await same(["a", "<"]); // and a small one after it
  });
});
