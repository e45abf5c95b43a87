import assert from "node:assert/strict";
import fc from "fast-check";
import { parseFragment } from "parse5";
import { EmbeddedEngine, escapeHtml, escapeValue, FillTemplate } from "./mod.ts";

Deno.test("escapeHtml() replaces the five HTML specials, CR and NUL", async (t) => {
  await t.step("specials", () => {
    assert.equal(escapeHtml(`&<>"'`), "&amp;&lt;&gt;&quot;&#39;");
  });
  await t.step("CR and NUL", () => {
    assert.equal(escapeHtml("a\rb\0c"), "a&#13;b\uFFFDc");
  });
  await t.step("returns the same string when nothing needs escaping", () => {
    const s = "plain text, ünïcödé and \uD800";
    assert.equal(escapeHtml(s), s);
  });
  await t.step("specials at both ends", () => {
    assert.equal(escapeHtml("<x>"), "&lt;x&gt;");
  });
  await t.step("a call after one that matched late still scans from the start", () => {
    assert.equal(
      escapeHtml("a long string with the special at its end <"),
      "a long string with the special at its end &lt;",
    );
    assert.equal(escapeHtml("<b"), "&lt;b");
    assert.equal(escapeHtml("x".repeat(50) + "&"), "x".repeat(50) + "&amp;");
    assert.equal(escapeHtml("&"), "&amp;");
  });
  await t.step("runs of specials and text between them", () => {
    assert.equal(
      escapeHtml(`I said "hi" & then <b>bye</b>, it's`),
      "I said &quot;hi&quot; &amp; then &lt;b&gt;bye&lt;/b&gt;, it&#39;s",
    );
  });
});

Deno.test("escapeValue() renders null and undefined as empty and stringifies the rest", () => {
  assert.equal(escapeValue(undefined), "");
  assert.equal(escapeValue(null), "");
  assert.equal(escapeValue(0), "0");
  assert.equal(escapeValue(false), "false");
  assert.equal(escapeValue({ toString: () => "<o>" }), "&lt;o&gt;");
});

interface Parsed {
  tag: string;
  attrs: { name: string; value: string }[];
  text: string;
  elements: number;
}

function inspect(html: string): Parsed {
  const fragment = parseFragment(html);
  // deno-lint-ignore no-explicit-any
  const nodes = fragment.childNodes as any[];
  assert.equal(nodes.length, 1, `expected one node in ${JSON.stringify(html)}`);
  const p = nodes[0];
  let elements = 0;
  let text = "";
  // deno-lint-ignore no-explicit-any
  const walk = (n: any) => {
    for (const c of n.childNodes ?? []) {
      if (c.nodeName === "#text") text += c.value;
      else {
        elements++;
        walk(c);
      }
    }
  };
  walk(p);
  return { tag: p.tagName, attrs: p.attrs, text, elements };
}

// HTML cannot carry U+0000; the escaper turns it into U+FFFD, as parsers do in attributes.
const expected = (s: string) => s.replaceAll("\0", "\uFFFD");

Deno.test("both engines round-trip any string through text and attribute slots", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/p.ehtml`, `<p title="<%= it.s %>"><%= it.s %></p>`);
    const embedded = new EmbeddedEngine({ searchPath: [dir] });
    const fill = new FillTemplate(`<p data-node="con:p" title="x">sample</p>`);
    const strings = fc.string({ unit: "binary", maxLength: 60 });

    await t.step("embedded engine", async () => {
      await fc.assert(
        fc.asyncProperty(strings, async (s) => {
          const got = inspect(await embedded.render("p", { s }));
          assert.equal(got.tag, "p");
          assert.deepEqual(got.attrs, [{ name: "title", value: expected(s) }]);
          assert.equal(got.text, expected(s));
          assert.equal(got.elements, 0);
        }),
        { numRuns: 300 },
      );
    });

    await t.step("fill engine", () => {
      fc.assert(
        fc.property(strings, (s) => {
          const page = fill.instance();
          page.node("p").attr("title", s).text(s);
          const got = inspect(page.toString());
          assert.equal(got.tag, "p");
          assert.deepEqual(got.attrs, [{ name: "title", value: expected(s) }]);
          assert.equal(got.text, expected(s));
          assert.equal(got.elements, 0);
        }),
        { numRuns: 300 },
      );
    });

    await t.step("lone surrogates and markup-like strings are among the cases", () => {
      for (
        const s of ["\uD800x\uDFFF", "</p><script>alert(1)</script>", `" onmouseover="x`, "\r\n\0"]
      ) {
        const page = fill.instance();
        page.node("p").attr("title", s).text(s);
        const got = inspect(page.toString());
        assert.equal(got.text, expected(s));
        assert.deepEqual(got.attrs, [{ name: "title", value: expected(s) }]);
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
