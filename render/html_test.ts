import assert from "node:assert/strict";
import { Html, html, HTML_MARK } from "./html.ts";
import { trusted } from "./trusted.ts";

Deno.test("html escapes every interpolated value", () => {
  const hostile = `<img src=x onerror="alert('1')"> & \r\0`;
  assert.equal(
    String(html`<p title="${hostile}">${hostile}</p>`),
    `<p title="&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt; &amp; &#13;\uFFFD">` +
      `&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt; &amp; &#13;\uFFFD</p>`,
  );
  assert.equal(String(html`${1}, ${true}, ${{ toString: () => "<x>" }}`), "1, true, &lt;x&gt;");
});

Deno.test("html does not escape a nested html result again, nor a trusted value", () => {
  const inner = html`<b>${"a&b"}</b>`;
  assert.equal(String(html`<p>${inner}</p>`), "<p><b>a&amp;b</b></p>");
  assert.equal(String(html`<p>${html`<i>${inner}</i>`}</p>`), "<p><i><b>a&amp;b</b></i></p>");
  assert.equal(String(html`${trusted("<br>")}`), "<br>");
  // A string that merely looks like markup is still text.
  assert.equal(String(html`${"<b>a&amp;b</b>"}`), "&lt;b&gt;a&amp;amp;b&lt;/b&gt;");
});

Deno.test("html joins arrays item by item and writes nothing for null, undefined and false", () => {
  const rows = ["<1>", "2"].map((n) => html`<li>${n}</li>`);
  assert.equal(String(html`<ul>${rows}</ul>`), "<ul><li>&lt;1&gt;</li><li>2</li></ul>");
  assert.equal(String(html`${["<a>", ["<b>", html`<c>`]]}`), "&lt;a&gt;&lt;b&gt;<c>");
  assert.equal(String(html`[${null}${undefined}${false}${0}]`), "[0]");
});

Deno.test("html results carry the mark @pubkit/request serves as text/html", () => {
  const markup = html`<p></p>`;
  assert.ok(markup instanceof Html);
  assert.equal(markup[HTML_MARK], true);
  assert.equal(HTML_MARK, Symbol.for("pubkit.html"));
  assert.throws(() => new Html(1 as unknown as string), TypeError);
});
