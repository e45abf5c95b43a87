import assert from "node:assert/strict";
import { type MarkedElement, markedElementDisagreement, ValueProbes } from "./_browser_tree.ts";
import type { ValuePlace } from "./_html_context.ts";

/** The marked element whose start tag begins with `open` in `source` (and its end tag). */
function mark(source: string, open: string, tag: string, close?: string): MarkedElement {
  const offset = source.indexOf(open);
  assert.notEqual(offset, -1);
  const end = close === undefined ? undefined : source.indexOf(close, offset);
  return { offset, tag, close: end, minus: false };
}

Deno.test("a marked element a browser reads otherwise is a disagreement", async (t) => {
  await t.step("read as part of an attribute (a <noscript> the parser closed early)", () => {
    // Outside tester, twentieth round: the browser reads the <noscript> to its end tag, in
    // the title, and the <b> after it lands in an onerror attribute.
    const source = `<div><noscript></div><p title="</noscript><img src=x onerror='\`">` +
      `<b data-node="con:x">x</b><i title="\`'">z</i></p>`;
    const found = markedElementDisagreement(source, [mark(source, "<b", "b", "</b>")], []);
    assert.match(found!.reason, /does not read this <b> as an element/);
    assert.equal(found!.offset, source.indexOf("<b"));
  });
  await t.step("inside an SVG <script> (an <svg> the parser closed at </form>)", () => {
    const source = `<form><svg></form><script><x y="</script>"/><v data-node="-con:v">x</v>` +
      `</script></svg>`;
    const found = markedElementDisagreement(source, [mark(source, "<v", "v", "</v>")], []);
    assert.match(found!.reason, /inside a <script> or <style>/);
  });
  await t.step("closed before its end tag", () => {
    const source = `<p data-node="con:x">a<div></div></p>`;
    const found = markedElementDisagreement(source, [mark(source, "<p", "p", "</p>")], []);
    assert.match(found!.reason, /ends this <p> elsewhere/);
  });
  await t.step("a start tag the browser drops is none; one in inert text is one", () => {
    const row = `<tr data-node="rep:row"><td>x</td></tr>`;
    assert.equal(markedElementDisagreement(row, [mark(row, "<tr", "tr", "</tr>")], []), undefined);
    // Outside tester, thirty-first round: a separator in a <noscript> is written between the
    // repetitions, where its markup is live.
    const inert = `<noscript><p data-node="sep:x">a</p></noscript>`;
    assert.match(
      markedElementDisagreement(inert, [mark(inert, "<p", "p", "</p>")], [])!.reason,
      /does not read this <p> as an element/,
    );
  });
  await t.step("the page is read without the tags of `-` nodes", () => {
    // Outside tester, twenty-sixth round: with the <noscript> tags left out, its content is
    // markup, the <p> leaves SVG, and what the <g> holds lands in an HTML <script>.
    const source = `<noscript data-node="-con:w"><svg><mi><p></p></mi><script/><!--<script>` +
      `--!></script>\n<g data-node="-con:x">sample</g>\n</script></svg></noscript>`;
    const w = { ...mark(source, "<noscript", "noscript", "</noscript>"), minus: true };
    const x = { ...mark(source, "<g", "g", "</g>"), minus: true };
    const tags = (m: MarkedElement, open: string, close: string): [number, number][] => [
      [m.offset, m.offset + open.length],
      [m.close!, m.close! + close.length],
    ];
    const leftOut = [
      ...tags(w, `<noscript data-node="-con:w">`, "</noscript>"),
      ...tags(x, `<g data-node="-con:x">`, "</g>"),
    ];
    const found = markedElementDisagreement(source, [w, x], leftOut);
    // Refused first for the <mi> it leaves open (thirty-fifth round); the <g> alone for where
    // its content lands.
    assert.match(found!.reason, /leaves the <mi> in this node open/);
    assert.match(
      markedElementDisagreement(source, [x], leftOut)!.reason,
      /content holds as part of a <script> or <style>/,
    );
  });
  await t.step("the page is read without its del elements", () => {
    const source = `<i data-node="del"><style></i><p data-node="con:x">a</p>`;
    const marks = [mark(source, "<p", "p", "</p>")];
    assert.match(markedElementDisagreement(source, marks, [])!.reason, /does not read this <p>/);
    const del: [number, number] = [0, source.indexOf("<p")];
    assert.equal(markedElementDisagreement(source, marks, [del]), undefined);
  });
});

/** The disagreement over a page of static parts and values (the places the scanner read). */
function probe(...parts: (string | ValuePlace)[]): string | undefined {
  const probes = new ValueProbes(parts.filter((p) => typeof p === "string").join(""));
  for (const part of parts) {
    if (typeof part === "string") probes.text(part);
    else probes.value(part);
  }
  return probes.disagreement()?.reason;
}

Deno.test("a value a browser puts elsewhere than the scanner read it is a disagreement", () => {
  const text: ValuePlace = { in: "text" };
  const title: ValuePlace = { in: "attribute", tag: "a", name: "title" };
  const inString: ValuePlace = { in: "script", js: "string" };
  const inCode: ValuePlace = { in: "script", js: "code" };
  // Outside tester, nineteenth round: a CDATA section the scanner alone saw hid an <img>.
  assert.match(
    probe(`<svg><!x<![CDATA[ ><img src="]]>" `, text, `></svg>`)!,
    /in a tag or attribute name, the scanner as text/,
  );
  assert.equal(probe(`<a title="`, title, `">`), undefined);
  assert.match(probe(`<a href="`, title, `">`)!, /in the href attribute of <a>/);
  assert.equal(probe(`<script>var s = "`, inString, `"</script>`), undefined);
  assert.match(
    probe(`<script>`, text, `</script>`)!,
    /in a <script>, in code, the scanner as text/,
  );
  assert.match(probe(`<svg><script>`, inCode, `</script></svg>`)!, /of SVG or MathML/);
  assert.equal(probe(`<!x `, { in: "comment" }, `>`), undefined);
  assert.match(probe(`<!-- `, text, ` -->`)!, /in a comment/);
  assert.equal(
    probe(`<svg><a xlink:href="`, { in: "attribute", tag: "a", name: "xlink:href" }, `"/>`),
    undefined,
  );
  // A value the browser drops (its tag ignored outside a table) lands nowhere.
  assert.equal(
    probe(`<tr class="`, { in: "attribute", tag: "tr", name: "class" }, `">`),
    undefined,
  );
  assert.equal(
    probe(
      `<template><p title="`,
      { in: "attribute", tag: "p", name: "title" },
      `"></p></template>`,
    ),
    undefined,
  );
  // Inside a <select> a browser now builds what parse5's rules for it drop (<math>, <img>).
  assert.match(
    probe(`<select><math><mi><span><mglyph><![CDATA[><img src=x onerror="/*]]>*/`, text, `">`)!,
    /in the onerror attribute of <img>, the scanner as text/,
  );
  // A probe never matches the template's own text.
  assert.equal(probe(`<p title="zq0v0q">`, text, `</p>`), undefined);
});

Deno.test("a value a script parser reads elsewhere than the lexer is a disagreement", () => {
  const inString: ValuePlace = { in: "script", js: "string" };
  const inCode: ValuePlace = { in: "script", js: "code" };
  // Outside tester, eighteenth round: the line break ends `var a`, and `/"/` is a regular
  // expression; the lexer read a division and the string after it as code.
  assert.match(
    probe(`<script>var a\n/"/; var s = "`, inCode, `";//"</script>`)!,
    /in a <script>, in a string, the scanner in a <script>, in code/,
  );
  // Twenty-first round: `x\u{61}return` is one name; the `/` after it divides.
  assert.match(
    probe(`<script>var r = x\\u{61}return / '/; var s = `, inCode, `; //';</script>`)!,
    /in a string, the scanner in a <script>, in code/,
  );
  assert.equal(
    probe("<script>var s = `a${", inCode, "}b`, t = `", inString, "`</script>"),
    undefined,
  );
  assert.equal(
    probe(`<script type="module">export const s = "`, inString, `";</script>`),
    undefined,
  );
  assert.match(
    probe(`<script>var r = /a`, inString, `/;</script>`)!,
    /a regular expression, a comment/,
  );
  assert.match(probe(`<script>// `, inString, `\n</script>`)!, /a regular expression, a comment/);
  // A script that does not parse (static text between `<% %>` blocks need not): its tokens.
  assert.match(
    probe(`<script>let x; let x; r = x\\u{61}return / '/; s = `, inCode, `; //';</script>`)!,
    /in a string, the scanner in a <script>, in code/,
  );
  // A script acorn cannot read at all is refused; a data block keeps the lexer's reading.
  assert.match(probe(`<script>var s = "`, inCode, `\n</script>`)!, /cannot read/);
  assert.equal(
    probe(`<script type="application/json">{"a": "`, inCode, `"}</script>`),
    undefined,
  );
});
