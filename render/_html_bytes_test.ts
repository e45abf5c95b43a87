import assert from "node:assert/strict";
import fc from "fast-check";
import { assembleText, HtmlBytes, Pieces, StaticChunks } from "./_html_bytes.ts";
import { buildHtmlBytesModule } from "./_html_bytes_build.ts";
import { EmbeddedEngine, FillEngine, TemplateRuntimeError, TemplateSyntaxError } from "./mod.ts";
import { templates } from "./_test_files.ts";

const encoder = new TextEncoder();

// Strings that reach every branch: the characters escapeHtml replaces, ASCII, 2-, 3- and 4-byte
// UTF-8, lone surrogates of both kinds, and lengths on both sides of the module's 16-byte step.
const unit = fc.constantFrom(
  "&",
  "<",
  ">",
  '"',
  "'",
  "\r",
  "\0",
  "\n",
  "a",
  "Z",
  " ",
  "/",
  "é",
  "€",
  "😀",
  "\ud800",
  "\udc00",
  "\u2028",
);
const text = fc.oneof(
  fc.string({ unit, maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme-ascii", minLength: 15, maxLength: 70 }),
);

Deno.test("HtmlBytes.encode() writes the bytes of the page assembled as a string", () => {
  const bytes = new HtmlBytes();
  const piece = fc.oneof(
    fc.record({ chunk: fc.nat({ max: 4 }) }),
    fc.record({ value: text, raw: fc.boolean() }),
  );
  // Static text comes from UTF-8 files: no lone surrogates.
  const chunks = fc.array(fc.string({ unit: "grapheme", maxLength: 30 }), {
    minLength: 5,
    maxLength: 5,
  });
  fc.assert(
    fc.property(chunks, fc.array(piece), (texts, list) => {
      const statics = new StaticChunks(texts);
      const pieces = new Pieces();
      let values = "";
      for (const p of list) {
        if (pieces.count === pieces.log.length) pieces.grow(pieces.count + 1);
        if ("chunk" in p) pieces.log[pieces.count++] = -1 - p.chunk;
        else pieces.log[pieces.count++] = (values += p.value).length << 1 | (p.raw ? 1 : 0);
      }
      const expected = encoder.encode(assembleText(values, pieces, statics));
      assert.deepEqual(bytes.encode(values, pieces, statics), expected);
    }),
    { numRuns: 2000 },
  );
});

Deno.test("HtmlBytes.encode() refuses a pieces log that names what is not there", async (t) => {
  const bytes = new HtmlBytes();
  const statics = new StaticChunks(["<p>", "</p>"]);
  const logOf = (...entries: number[]) => {
    const pieces = new Pieces();
    pieces.log.set(entries);
    pieces.count = entries.length;
    return pieces;
  };
  const cases: [string, string, Pieces][] = [
    ["a chunk past the template's", "abc", logOf(-1, 3 << 1, -3)],
    ["a value ending before the one before it", "abcdef", logOf(4 << 1, 2 << 1)],
    ["a value past the values", "abc", logOf(-1, 9 << 1, -2)],
    ["a value past non-ASCII values", "é<", logOf(-1, 5 << 1 | 1)],
    ["a value out of order among non-ASCII values", "éé<<", logOf(3 << 1, 1 << 1)],
  ];
  // The module's memory holds a larger page from before: a corrupt log must not reach it.
  bytes.encode("x".repeat(4000), logOf(4000 << 1), statics);
  for (const [name, values, pieces] of cases) {
    await t.step(name, () => {
      assert.throws(() => bytes.encode(values, pieces, statics), /pieces log is corrupt/);
      assert.throws(() => assembleText(values, pieces, statics), /pieces log is corrupt/);
    });
  }
  assert.deepEqual(
    bytes.encode("a<", logOf(-1, 2 << 1, -2), statics),
    encoder.encode("<p>a&lt;</p>"),
  );
});

Deno.test("EmbeddedEngine.renderBytes() sends the bytes of render() in every context", async () => {
  await using tmp = await templates({
    "contexts.ehtml": `<title><%= it.a %></title><p title="<%= it.b %>" class='<%= it.c %>'>` +
      `<%= it.a %><%= it.b %> <%~ it.raw %></p><a href="<%= it.url %>">x</a>` +
      `<img srcset="<%= it.url %> 2x"><textarea><%= it.c %></textarea>` +
      `<% for (const v of it.list) { %><li data-v="<%= v %>"><%= v %>,<%= v %></li>\n<% } %>` +
      `<script>const s = "<%= it.a %>", t = \`<%= it.b %>\`, j = <%= json(it.list) %>;</script>`,
  });
  const engine = new EmbeddedEngine({ searchPath: [tmp.dir], onRefusedUrl: () => {} });
  const url = fc.oneof(text, text.map((t) => `/${t}`), fc.constant("javascript:alert(1)"));
  const value = fc.oneof(text, fc.integer(), fc.constant(null), fc.constant(undefined));
  await fc.assert(
    fc.asyncProperty(
      fc.record({ a: text, b: text, c: value, raw: text, url, list: fc.array(value) }),
      async (data) => {
        const expected = encoder.encode(await engine.render("contexts", data));
        assert.deepEqual(await engine.renderBytes("contexts", data), expected);
      },
    ),
    { numRuns: 1000 },
  );
});

Deno.test("EmbeddedEngine.renderBytes() sends the bytes of render() for any template", async () => {
  await using tmp = await templates({});
  const engine = new EmbeddedEngine({ searchPath: [tmp.dir], onRefusedUrl: () => {} });
  // Templates made of static text (non-ASCII, references) and every kind of tag and context;
  // those the context rules refuse are skipped.
  const staticText = fc.string({
    unit: fc.constantFrom("a", " ", "é", "😀", "\n", "&amp;", ">", "ü"),
    maxLength: 12,
  });
  const tag = fc.constantFrom(
    "<%= it.v %>",
    "<%~ it.r %>",
    '<b title="<%= it.v %>">',
    "<i class='<%= it.v %>'>",
    '<a href="<%= it.u %>">',
    '<img srcset="<%= it.u %> 1x">',
    "<% for (const x of it.list) { %>[<%= x %>]<% } %>",
    "<% if (it.flag) { %><%= it.v %><% } else { %>no<% } %>",
    "<%= [\n  it.v,\n  it.w,\n].join('|') %>",
    '<script>var s = "<%= it.v %>";</script>',
    '<script type="application/json"><%= json(it.list) %></script>',
    "<textarea><%= it.v %></textarea>",
    "<%= it.v %><%= it.w %>",
    "<%= it.n %><%= null %>",
    "<%%",
    "<%-- c --%>",
    "<% /* %> */ %>",
    "<% try { %><b><%= it.bad.x %></b><% } catch { %>!<% } %>",
    // Output written out of turn: inside a hole, by a resumed generator, by the closure the
    // previous render kept (of either form), and an early return.
    "<% const w = () => { %><i><%= it.v %></i><% return it.w; }; %>[<%= w() %>]",
    "<% const g = (function* () { %><p><%= yield %></p><% })(); g.next(); %>-<% g.next(it.v); %>",
    "<% it.keep.last?.(); it.keep.last = () => { %><u><%= it.v %></u><% }; %>",
    "<% if (it.flag && it.n % 3 === 0) return it.v; %>",
  );
  const template = fc.array(fc.oneof(staticText, tag), { maxLength: 12 }).map((p) => p.join(""));
  const data = fc.record({
    v: text,
    w: text,
    r: text,
    u: fc.oneof(text, text.map((t) => `/${t}`)),
    n: fc.integer(),
    flag: fc.boolean(),
    list: fc.array(text, { maxLength: 5 }),
    bad: fc.constantFrom(undefined, { x: "<ok>" }),
    keep: fc.constant({}),
  });
  let count = 0;
  await fc.assert(
    fc.asyncProperty(template, data, async (source, data) => {
      const name = `t${count++}`;
      await Deno.writeTextFile(`${tmp.dir}/${name}.ehtml`, source);
      let html: string;
      try {
        html = await engine.render(name, data);
      } catch (e) {
        if (e instanceof TemplateSyntaxError) return;
        throw e;
      }
      assert.deepEqual(await engine.renderBytes(name, data), encoder.encode(html));
    }),
    { numRuns: 500 },
  );
});

Deno.test("EmbeddedEngine.renderBytes() writes nothing of a line whose hole throws", async () => {
  // Outside tester: caught errors left static text and stale log entries behind (values sent
  // unescaped, an earlier page's bytes, an out-of-bounds trap).
  await using tmp = await templates({
    "earlier.ehtml": "<%~ it.x %><%~ it.y %>",
    "a.ehtml": "<% try { %><b><%= it.bad %></b><% } catch { %>caught<% } %>",
    "b.ehtml": "<% for (const x of it.xs) { try { %><i>[<%= x %>]</i><% } catch { %>!<% } } %>",
    "c.ehtml":
      "<%= it.pre %><% try { %><%= it.user.name %><% } catch { %><p><%= it.q %></p><% } %>",
    "d.ehtml": "<% try { %><%= [\n  it.user.name,\n].join() %><% } catch { %>-<% } %>",
  });
  const engine = new EmbeddedEngine({ searchPath: [tmp.dir] });
  const bad = {
    toString(): string {
      throw new Error("boom");
    },
  };
  const cases: [string, Record<string, unknown>][] = [
    ["a", { bad }],
    ["b", { xs: ["one", bad, "three", bad] }],
    ["c", { pre: "z", user: null, q: "<script>alert(1)</script>".padEnd(120) }],
    ["c", { pre: "p".repeat(100), user: null, q: "" }],
    ["d", { user: null }],
  ];
  for (const [name, data] of cases) {
    // An earlier page leaves its entries in the engine's log and memory.
    await engine.renderBytes("earlier", { x: "", y: "alice-session=S3CR3T;".repeat(10) });
    assert.deepEqual(
      await engine.renderBytes(name, data),
      encoder.encode(await engine.render(name, data)),
      name,
    );
  }
});

Deno.test("EmbeddedEngine.renderBytes() drops what template code writes out of turn, as render()", async (t) => {
  // Outside tester, second round: output written by a function of the template while a line's
  // holes were evaluated, by a generator resumed later, or by a closure kept from an earlier
  // render landed in the page (values unescaped, in script code, or a corrupt log). Template
  // text and `<%= %>` in a function are compile errors now (thirtieth round); these functions
  // write with `<%~ %>`, which is the author's.
  await using tmp = await templates({
    "macro.ehtml": "<% it.macros.badge ??= (html) => { %><%~ html %><% }; %><ul>" +
      "<% for (const c of it.comments) { %><li><% it.macros.badge(c.badge); %><%= c.text %></li>" +
      "<% } %></ul>",
    "footer.ehtml":
      "<% it.macros.footer ??= (html) => { %><%~ `<footer>${html}</footer>` %><% }; %>" +
      "<ul><% for (const c of it.comments) { %><li><%= c %></li><% } %></ul>" +
      "<% it.macros.footer(it.footer); %>",
    "greet.ehtml": `<% const greet = () => { %><%~ it.name %><% return "Hello"; }; %>` +
      `<script>var cfg = <%= json(it.cfg) %>;<% if (it.cfg.greet) { %> var title = "<%= greet() %>";<% } %></script>`,
    "yield.ehtml":
      "<% function* row() { %><%~ `<p>${yield}</p>` %><% } const r = row(); r.next(); %>" +
      "<script>var s = `<% r.next(it.name); %>`;</script>",
    "early.ehtml": "head<% if (it.r !== undefined) return it.r; %>tail",
  });
  const engine = new EmbeddedEngine({ searchPath: [tmp.dir] });
  const same = async (name: string, data: Record<string, unknown>) => {
    const html = await engine.render(name, data);
    assert.equal(new TextDecoder().decode(await engine.renderBytes(name, data)), html, name);
    return html;
  };
  await t.step("a closure kept from an earlier render, called in a longer one", async () => {
    const macros = {};
    const badge = "<i>*</i>";
    await engine.renderBytes("macro", { macros, comments: [] });
    const comments = ["c0", "<img src=x onerror=alert(1)>", "c2"].map((text) => ({ text, badge }));
    assert.equal(
      await same("macro", { macros, comments }),
      "<ul><li>c0</li><li>&lt;img src=x onerror=alert(1)&gt;</li><li>c2</li></ul>",
    );
    const footer = { macros: {}, comments: [] as string[], footer: "<a href=/about>About</a>" };
    await engine.renderBytes("footer", footer);
    await same("footer", { ...footer, comments: ["a", "b", "c"] });
  });
  await t.step("a function that writes output, called in a hole", async () => {
    const data = { name: "alert(document.domain)//", cfg: { greet: true } };
    assert.equal(
      await same("greet", data),
      `<script>var cfg = {"greet":true}; var title = "Hello";</script>`,
    );
  });
  await t.step("a generator suspended in a hole, resumed later", async () => {
    await same("yield", { name: "${alert(document.domain)}" });
  });
  await t.step("code that returns early: the value it returns, as text", async () => {
    assert.equal(await same("early", { r: Promise.resolve("<p>later</p>") }), "<p>later</p>");
    assert.equal(await same("early", { r: Symbol("s") }), "Symbol(s)");
    assert.equal(await same("early", { r: null }), "");
    assert.equal(await same("early", { r: 7 }), "7");
    assert.equal(await same("early", {}), "headtail");
  });
});

Deno.test("EmbeddedEngine: a function of a render writes nothing on a nested render's turn", async () => {
  // Outside tester, fourth round: a render started from another's code (no await) called the
  // outer one's helper, which wrote into the outer page, in both forms and across engines.
  await using tmp = await templates({
    "a.ehtml":
      "<ul><% it.macros.row = (u) => { %><%~ `<li>${u}</li>` %><% }; %><% it.hook() %></ul>",
    "b.ehtml": "<ol><% it.macros.row(it.secret) %>|<%= it.macros.row(it.secret) %></ol>",
  });
  const engine = new EmbeddedEngine({ searchPath: [tmp.dir] });
  const other = new EmbeddedEngine({ searchPath: [tmp.dir] });
  await engine.render("b", { macros: { row() {} }, secret: "" }); // cached: it runs at once
  await other.render("b", { macros: { row() {} }, secret: "" });
  for (const inner of [engine, other]) {
    for (const method of ["render", "renderBytes"] as const) {
      const macros = {};
      let b!: Promise<string | Uint8Array>;
      const hook = () => b = inner[method]("b", { macros, secret: "SECRET-OF-B" });
      const a = await engine[method]("a", { macros, hook });
      const decode = (page: string | Uint8Array) =>
        typeof page === "string" ? page : new TextDecoder().decode(page);
      assert.equal(decode(a), "<ul></ul>", method);
      assert.equal(decode(await b), "<ol>|</ol>", method);
    }
  }
});

Deno.test("EmbeddedEngine: a function of a paused render writes nothing on another's turn", async () => {
  // Outside tester, third round: a template that awaits, paused, had its helper (kept in shared
  // data) called by another request's render: that request's values landed in its page.
  await using tmp = await templates({
    "list.ehtml": "<% it.macros.row ??= (u) => { %><%~ `<li>${u}</li>` %><% }; %>" +
      "<% const users = await it.load(); %><ul><% for (const u of users) it.macros.row(u); %></ul>",
    "a.ehtml": "<p>A</p><% it.m.g = (function* () { while (true) { const v = yield; %>" +
      "<%~ `<b>${v}</b>` %><% } })(); it.m.g.next(); await it.paused; %><p>endA</p>",
    "b.ehtml": `<p>B</p><% it.m.g.next("<B-secret>"); %><p>endB</p>`,
  });
  const engine = new EmbeddedEngine({ searchPath: [tmp.dir] });
  const decode = (page: string | Uint8Array) =>
    typeof page === "string" ? page : new TextDecoder().decode(page);
  const later = (ms: number, users: string[]) => () =>
    new Promise<string[]>((resolve) => setTimeout(() => resolve(users), ms));
  for (const method of ["render", "renderBytes"] as const) {
    const macros = {};
    const [alice, bob] = await Promise.all([
      engine[method]("list", { macros, load: later(30, ["alice-1"]) }),
      engine[method]("list", { macros, load: later(1, ["bob-secret"]) }),
    ]);
    assert.equal(decode(alice), "<ul><li>alice-1</li></ul>", method);
    assert.equal(decode(bob), "<ul></ul>", method); // its rows went to alice's helper: nowhere
    const m: Record<string, unknown> = {};
    let resume!: () => void;
    const a = engine[method]("a", { m, paused: new Promise<void>((r) => resume = r) });
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(decode(await engine[method]("b", { m })), "<p>B</p><p>endB</p>", method);
    resume();
    assert.equal(decode(await a), "<p>A</p><p>endA</p>", method);
  }
});

Deno.test("EmbeddedEngine.renderBytes() holds beyond the first buffers", async (t) => {
  await using tmp = await templates({
    "list.ehtml": `<% for (const v of it.list) { %><i><%= v %></i><% } %>`,
    "outer.ehtml": `<b><%= it.a %></b><% it.inner = it.render("list", { list: it.list }); %>` +
      `<i><%= it.b %></i>`,
  });
  const engine = new EmbeddedEngine({ searchPath: [tmp.dir] });
  const same = async (name: string, data: Record<string, unknown>) =>
    assert.deepEqual(
      await engine.renderBytes(name, data),
      encoder.encode(await engine.render(name, data)),
    );
  await t.step(
    "more pieces than the first log holds",
    () => same("list", { list: Array.from({ length: 5000 }, (_, i) => `<${i}>`) }),
  );
  await t.step(
    "pages past the module's memory limit (assembled as a string)",
    async () => {
      await same("list", { list: ["<&>".repeat(2_000_000), "é"] }); // its values alone
      await same("list", { list: ["<".repeat(3_000_000)] }); // its escaped output
      await same("list", { list: ["<", "é"] }); // and a small one after them
    },
  );
  await t.step(
    "a template of 50,000 lines with holes (outside tester: a stack overflow)",
    async () => {
      const name = "long";
      await Deno.writeTextFile(`${tmp.dir}/${name}.ehtml`, "<p><%= it.a %></p>\n".repeat(50_000));
      await same(name, { a: "<a>" });
    },
  );
  await t.step("a page larger than the last one", async () => {
    await same("list", { list: ["a"] });
    await same("list", { list: ["<".repeat(100_000)] });
  });
  await t.step("a template that renders another while it runs", async () => {
    const data: Record<string, unknown> = {
      a: "<aaaa>",
      b: "<b>",
      list: ["<1>", "<2>"],
      render: (name: string, data: unknown) => engine.renderBytes(name, data),
    };
    const bytes = await engine.renderBytes("outer", data);
    assert.equal(new TextDecoder().decode(bytes), "<b>&lt;aaaa&gt;</b><i>&lt;b&gt;</i>");
    const inner = await (data.inner as Promise<Uint8Array>);
    assert.equal(new TextDecoder().decode(inner), "<i>&lt;1&gt;</i><i>&lt;2&gt;</i>");
  });
});

Deno.test("EmbeddedEngine.renderBytes() names the template line of a runtime error", async () => {
  await using tmp = await templates({
    "page.ehtml": "<h1>\n<%= it.title %>\n</h1>\n<p><%= it.user.name %></p>\n" +
      "<%= [\n  it.a,\n  it.b.c,\n].join() %>",
  });
  const engine = new EmbeddedEngine({ searchPath: [tmp.dir] });
  for (const [data, line] of [[{ title: "t" }, 4], [{ user: { name: "n" }, a: 1 }, 7]] as const) {
    for (let round = 0; round < 2; round++) { // the first compiles, the second is cached
      await assert.rejects(() => engine.renderBytes("page", data), (e: TemplateRuntimeError) => {
        assert.ok(e instanceof TemplateRuntimeError, String(e));
        assert.equal(e.line, line, e.message);
        return true;
      });
    }
  }
});

const hasWat2wasm = (() => {
  try {
    return new Deno.Command("wat2wasm", { args: ["--version"], stdout: "null" }).outputSync()
      .success;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
})();

Deno.test({
  name: "the committed WebAssembly is built from _html_bytes.wat (needs wat2wasm)",
  // Without wabt the test is ignored and named by `deno task test`; under CI it fails.
  ignore: !hasWat2wasm && Deno.env.get("PUBKIT_TEST_ALL") !== "1",
}, async () => {
  const committed = await Deno.readTextFile(new URL("./_html_bytes_wasm.ts", import.meta.url));
  assert.equal(
    committed,
    await buildHtmlBytesModule(),
    "stale: run deno run -A render/_html_bytes_build.ts",
  );
});

Deno.test("EmbeddedEngine: a function of a render writes nothing from a nested fill render", async () => {
  // Outside tester, sixth round: FillEngine ran fill functions on the caller's turn, so an
  // embedded render's helper called from a fill nested in it wrote into the embedded page,
  // before and after the fill's await.
  await using tmp = await templates({
    "a.ehtml": "<% it.shared.f = (x) => { %><%~ `[${x}]` %><% } %>start|<% it.nested() %>|end",
    "aa.ehtml":
      "<% it.shared.f = (x) => { %><%~ `[${x}]` %><% } %>start|<% await it.nested() %>|end",
    "f.html": `<p data-node="con:p">x</p>`,
  });
  const embedded = new EmbeddedEngine({ searchPath: [tmp.dir] });
  const fill = new FillEngine({ searchPath: [tmp.dir] });
  await fill.render("f", {}); // cached: the fill runs at once
  for (const method of ["render", "renderBytes"] as const) {
    for (const name of ["a", "aa"]) {
      const shared: { f?: (x: string) => void } = {};
      let inner!: Promise<string>;
      const nested = () =>
        inner = fill.render("f", async (page) => {
          shared.f!("SECRET-1");
          await null;
          shared.f!("SECRET-2");
          page.node("p").text("ok");
        });
      const page = await embedded[method](name, { shared, nested });
      const text = typeof page === "string" ? page : new TextDecoder().decode(page);
      assert.equal(text, "start||end", `${method} ${name}`);
      assert.equal(await inner, "<p>ok</p>");
    }
  }
});
