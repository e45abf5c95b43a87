import assert from "node:assert/strict";
import {
  EmbeddedEngine,
  TemplateNotFoundError,
  TemplateRuntimeError,
  TemplateSyntaxError,
  UnsafeUrlError,
} from "./mod.ts";
import { edit, templates } from "./_test_files.ts";

Deno.test("EmbeddedEngine.render() handles every syntax form", async (t) => {
  await using tmp = await templates({
    "code.ehtml": "<% const n = it.n * 2; %>[<%= n %>]",
    "escaped.ehtml": "<%= it.v %>|<%= null %>|<%= undefined %>|<%= 0 %>",
    "raw.ehtml": "<%~ it.v %>|<%~ null %>",
    "comment.ehtml": "a<%-- <%= it.boom() %> --%>b",
    "literal.ehtml": "<%% not a tag %>",
    "blocks.ehtml":
      "<% for (const x of it.xs) { %><% if (x % 2) { %>odd<% } else { %>even<% } %>,<% } %>",
    "await.ehtml": "<%= await it.later %>/<% const v = await it.later; %><%= v %>",
    "strings.ehtml": `<%= "%>" + '%>' + \`%>\` %>`,
    "multiline.ehtml": "<%= [\n  it.a,\n  it.b,\n].join('-') %>",
    "url.ehtml": `<a href="<%= url(it.href) %>">x</a>`,
  });
  const engine = new EmbeddedEngine({ searchPath: [tmp.dir] });
  await t.step("<% code %>", async () => {
    assert.equal(await engine.render("code", { n: 21 }), "[42]");
  });
  await t.step("<%= expr %> escapes; null and undefined are empty", async () => {
    assert.equal(
      await engine.render("escaped", { v: `<a href="x">'&'</a>` }),
      "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;|||0",
    );
  });
  await t.step("<%~ expr %> writes raw", async () => {
    assert.equal(await engine.render("raw", { v: "<b>bold</b>" }), "<b>bold</b>|");
  });
  await t.step("<%-- comment --%> is dropped with the tags inside it", async () => {
    assert.equal(await engine.render("comment", {}), "ab");
  });
  await t.step("<%% writes a literal <%", async () => {
    assert.equal(await engine.render("literal", {}), "<% not a tag %>");
  });
  await t.step("blocks use braces across tags", async () => {
    assert.equal(await engine.render("blocks", { xs: [1, 2, 3] }), "odd,even,odd,");
  });
  await t.step("await is allowed", async () => {
    assert.equal(
      await engine.render("await", { later: Promise.resolve("<x>") }),
      "&lt;x&gt;/&lt;x&gt;",
    );
  });
  await t.step("%> inside JS strings does not close the tag", async () => {
    assert.equal(await engine.render("strings", {}), "%&gt;%&gt;%&gt;");
  });
  await t.step("expressions may span lines", async () => {
    assert.equal(await engine.render("multiline", { a: 1, b: 2 }), "1-2");
  });
  await t.step("url() applies the URL policy", async () => {
    assert.equal(await engine.render("url", { href: "/a?b&c" }), `<a href="/a?b&amp;c">x</a>`);
    await assert.rejects(
      () => engine.render("url", { href: "javascript:alert(1)" }),
      (e: unknown) => e instanceof TemplateRuntimeError && e.cause instanceof UnsafeUrlError,
    );
  });
});

Deno.test("EmbeddedEngine includes files relative to the including file", async (t) => {
  await using tmp = await templates({
    "page.ehtml":
      `<%@ include file="parts/header.ehtml" %>body<%@ include file='parts/footer.ehtml' %>`,
    "parts/header.ehtml": `<h1><%= it.title %></h1><%@ include file="../nav.ehtml" %>`,
    "parts/footer.ehtml": "<footer>",
    "nav.ehtml": "<nav>",
    "cycle_a.ehtml": `a<%@ include file="cycle_b.ehtml" %>`,
    "cycle_b.ehtml": `b<%@ include file="cycle_a.ehtml" %>`,
    "self.ehtml": `<%@ include file="self.ehtml" %>`,
    "escape.ehtml": `<%@ include file="../../etc/passwd" %>`,
    "missing.ehtml": `<%@ include file="nope.ehtml" %>`,
    "bad.ehtml": `<%@ page import="x" %>`,
  });
  const engine = new EmbeddedEngine({ searchPath: [tmp.dir] });
  await t.step("nested includes share the data", async () => {
    assert.equal(await engine.render("page", { title: "T" }), "<h1>T</h1><nav>body<footer>");
  });
  await t.step("a cycle is a TemplateSyntaxError at the directive", async () => {
    await assert.rejects(() => engine.render("cycle_a"), (e: TemplateSyntaxError) => {
      assert.match(
        e.message,
        /include cycle: .*cycle_a\.ehtml -> .*cycle_b\.ehtml -> .*cycle_a\.ehtml/,
      );
      assert.equal(e.file, `${tmp.dir}/cycle_b.ehtml`);
      assert.equal(e.line, 1);
      assert.equal(e.column, 2);
      return true;
    });
    await assert.rejects(() => engine.render("self"), TemplateSyntaxError);
  });
  await t.step("an include outside the search path is refused", async () => {
    await assert.rejects(
      () => engine.render("escape"),
      TemplateSyntaxError,
      "outside the search path",
    );
  });
  await t.step("a missing include names the directive's location", async () => {
    await assert.rejects(() => engine.render("missing"), (e: TemplateSyntaxError) => {
      assert.equal(e.name, "TemplateSyntaxError");
      assert.match(e.message, /included file not found/);
      return true;
    });
  });
  await t.step("unknown directives are refused", async () => {
    await assert.rejects(() => engine.render("bad"), TemplateSyntaxError, "unknown directive");
  });
});

Deno.test("EmbeddedEngine in dev mode recompiles when an included file changes", async () => {
  await using tmp = await templates({
    "page.ehtml": `[<%@ include file="part.ehtml" %>]`,
    "part.ehtml": "one",
  });
  const dev = new EmbeddedEngine({ searchPath: [tmp.dir], dev: true });
  const prod = new EmbeddedEngine({ searchPath: [tmp.dir] });
  assert.equal(await dev.render("page"), "[one]");
  assert.equal(await prod.render("page"), "[one]");
  await edit(`${tmp.dir}/part.ehtml`, "two", 1);
  assert.equal(await dev.render("page"), "[two]");
  assert.equal(await prod.render("page"), "[one]", "without dev the compiled template is kept");
  await edit(`${tmp.dir}/page.ehtml`, `{<%@ include file="part.ehtml" %>}`, 2);
  assert.equal(await dev.render("page"), "{two}");
});

Deno.test("EmbeddedEngine keeps at most cacheSize compiled templates", async () => {
  await using tmp = await templates({ "a.ehtml": "a1", "b.ehtml": "b1", "c.ehtml": "c1" });
  const engine = new EmbeddedEngine({ searchPath: [tmp.dir], cacheSize: 2 });
  assert.equal(await engine.render("a"), "a1");
  assert.equal(await engine.render("b"), "b1");
  assert.equal(engine.cachedCount, 2);
  // Not dev: an edited file shows only once its compiled template was evicted.
  await Deno.writeTextFile(`${tmp.dir}/a.ehtml`, "a2");
  await Deno.writeTextFile(`${tmp.dir}/b.ehtml`, "b2");
  assert.equal(await engine.render("b"), "b1", "b is cached and now most recent");
  assert.equal(await engine.render("c"), "c1", "c evicts a, the least recently used");
  assert.equal(engine.cachedCount, 2);
  assert.equal(await engine.render("b"), "b1");
  assert.equal(await engine.render("a"), "a2", "a was recompiled");
});

Deno.test("EmbeddedEngine reports syntax errors with file, line, column and a caret", async (t) => {
  await using tmp = await templates({
    "open.ehtml": "line 1\n  <%= it.x \nline 3",
    "ejs_raw.ehtml": "x\n<%- it.x %>",
    "comment.ehtml": "<%-- never closed",
    "empty.ehtml": "a <%=  %>",
    "js.ehtml": "<p>\n<% if (it.x) { %>\n  <%= it.y + %>\n<% } %>",
    "unclosed_block.ehtml": "<% if (it.x) { %>\nyes\n",
    "parent.ehtml": `one\n<%@ include file="child.ehtml" %>`,
    "child.ehtml": "c1\nc2 <% let = ; %>",
    "nested.ehtml": "<% if (true) { %><i>".repeat(3000) + "</i><% } %>".repeat(3000),
  });
  const engine = new EmbeddedEngine({ searchPath: [tmp.dir] });
  // `column` is exact, or [first, last] where the JS engine's own position decides.
  const at = async (name: string, line: number, column: number | [number, number], file = name) => {
    await assert.rejects(() => engine.render(name), (e: TemplateSyntaxError) => {
      assert.ok(e instanceof TemplateSyntaxError, String(e));
      assert.equal(e.file, `${tmp.dir}/${file}.ehtml`);
      assert.equal(e.line, line, e.message);
      const [first, last] = typeof column === "number" ? [column, column] : column;
      assert.ok(e.column >= first && e.column <= last, e.message);
      const [shown, caret] = e.excerpt.split("\n");
      assert.equal(caret.indexOf("^"), shown.indexOf("|") + 2 + e.column - 1);
      return true;
    });
  };
  await t.step("unterminated tag", () => at("open", 2, 3));
  await t.step("EJS-style <%- is refused with a hint", async () => {
    await at("ejs_raw", 2, 1);
    await assert.rejects(() => engine.render("ejs_raw"), TemplateSyntaxError, "<%~");
  });
  await t.step("unterminated comment", () => at("comment", 1, 1));
  await t.step("empty expression", () => at("empty", 1, 3));
  // Output tags share a generated line, so the column is the expression's start.
  await t.step("JavaScript syntax error in an expression", () => at("js", 3, 6));
  await t.step("unclosed block points into the template", async () => {
    await assert.rejects(() => engine.render("unclosed_block"), TemplateSyntaxError);
  });
  await t.step(
    "syntax error inside an included file names that file",
    () => at("parent", 2, [7, 14], "child"),
  );
  await t.step("code nested deeper than the JavaScript compiler goes", async () => {
    await assert.rejects(() => engine.render("nested"), TemplateSyntaxError, "too deeply");
    await assert.rejects(() => engine.renderBytes("nested"), TemplateSyntaxError, "too deeply");
  });
});

Deno.test("EmbeddedEngine names the template file and line of a runtime error", async (t) => {
  await using tmp = await templates({
    "page.ehtml": "<h1>\n<%= it.title %>\n</h1>\n<%= it.user.name %>\n",
    "code.ehtml": "a\nb\n<%\n  const x = 1;\n  it.missing();\n%>",
    "parent.ehtml": `one\ntwo\n<%@ include file="child.ehtml" %>\nafter <%= it.after.x %>`,
    "child.ehtml": "c1\n<% it.nope.x %>",
    "loop.ehtml":
      "<ul>\n<% for (const u of it.users) { %>\n<li><%= u.profile.name %></li>\n<% } %></ul>",
    "async.ehtml": "x\n<%= await it.fail() %>",
  });
  const engine = new EmbeddedEngine({ searchPath: [tmp.dir] });
  const at = async (name: string, data: unknown, line: number, file = name) => {
    await assert.rejects(() => engine.render(name, data), (e: TemplateRuntimeError) => {
      assert.ok(e instanceof TemplateRuntimeError, String(e));
      assert.equal(e.file, `${tmp.dir}/${file}.ehtml`);
      assert.equal(e.line, line, e.message);
      assert.ok(e.cause instanceof Error);
      assert.match(e.message, new RegExp(`^Cannot render template .*${file}\\.ehtml:${line}: `));
      return true;
    });
  };
  await t.step("in an expression", () => at("page", { title: "t" }, 4));
  await t.step("in a multi-line code block", () => at("code", {}, 5));
  await t.step("in an included file", () => at("parent", {}, 2, "child"));
  await t.step("in a loop body", () => at("loop", { users: [{ profile: { name: "a" } }, {}] }, 3));
  await t.step(
    "after an await",
    () => at("async", { fail: () => Promise.reject(new Error("db down")) }, 2),
  );
});

Deno.test("EmbeddedEngine.renderStream() streams the UTF-8 page", async (t) => {
  await using tmp = await templates({
    "p.ehtml": "<p><%= it.s %></p>",
    "bad.ehtml": "<%= it.x.y %>",
  });
  const engine = new EmbeddedEngine({ searchPath: [tmp.dir] });
  await t.step("the bytes decode to the rendered page", async () => {
    const text = await new Response(engine.renderStream("p", { s: "héllo <😀>" })).text();
    assert.equal(text, "<p>héllo &lt;😀&gt;</p>");
  });
  await t.step("an error errors the stream", async () => {
    await assert.rejects(
      () => new Response(engine.renderStream("bad", {})).text(),
      TemplateRuntimeError,
    );
  });
});

Deno.test("EmbeddedEngine takes no options from the data", async () => {
  await using tmp = await templates({ "p.ehtml": "<%= it.v %>" });
  const engine = new EmbeddedEngine({ searchPath: [tmp.dir] });
  const hostile = {
    v: "<x>",
    settings: { "view options": { escape: "x", outputFunctionName: "x;process.exit()" } },
    escape: (s: string) => s,
    escapeFunction: "1",
    dev: true,
    autoEscape: false,
  };
  assert.equal(await engine.render("p", hostile), "&lt;x&gt;");
});

Deno.test("new EmbeddedEngine() validates its options; names must resolve", async () => {
  // @ts-expect-error: unknown option
  assert.throws(() => new EmbeddedEngine({ searchPath: ["."], escape: false }), RangeError);
  assert.throws(() => new EmbeddedEngine({ searchPath: ["."], cacheSize: 0 }), RangeError);
  // @ts-expect-error: wrong type
  assert.throws(() => new EmbeddedEngine({ searchPath: ["."], dev: "yes" }), TypeError);
  await using tmp = await templates({});
  const engine = new EmbeddedEngine({ searchPath: [tmp.dir] });
  await assert.rejects(() => engine.render("nope"), TemplateNotFoundError);
  await assert.rejects(() => engine.render("../x"), TypeError);
});

Deno.test("EmbeddedEngine lets an error with an HTTP status through unwrapped (sync and after an await)", async () => {
  await using tmp = await templates({
    "sync.ehtml": "<p><%= it.fail() %></p>",
    "async.ehtml": "<p><%= await it.failLater() %></p>",
  });
  const engine = new EmbeddedEngine({ searchPath: [tmp.dir] });
  class Missing extends Error {
    status = 404;
    expose = true;
  }
  const data = {
    fail: () => {
      throw new Missing("Not found: /x");
    },
    failLater: () => Promise.reject(new Missing("Not found: /y")),
  };
  await assert.rejects(() => engine.render("sync", data), Missing);
  await assert.rejects(() => engine.render("async", data), Missing);
  // Without a status it is located as before.
  await assert.rejects(
    () =>
      engine.render("sync", {
        fail: () => {
          throw new Error("plain");
        },
      }),
    TemplateRuntimeError,
  );
});
