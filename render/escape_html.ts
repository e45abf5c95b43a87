/**
 * The one escaping function both engines use for text and attribute values.
 *
 * @module
 */

// One regexp test finds the common case (nothing to escape) without allocating.
const SPECIAL = /[&<>"'\r\0]/;

/**
 * Escapes a string for HTML text and for a quoted HTML attribute value.
 *
 * `& < > " '` become `&amp; &lt; &gt; &quot; &#39;`. Two more characters are
 * handled so that any string survives a round trip through an HTML parser:
 * `\r` becomes `&#13;` (a parser would otherwise turn it into `\n`) and
 * U+0000 becomes U+FFFD (HTML cannot carry NUL at all; browsers drop it from
 * text and replace it in attributes). Everything else, lone surrogates
 * included, passes through unchanged.
 *
 * @param value The text to escape.
 * @returns The escaped text; the same string when nothing needed escaping.
 * @throws {never} Does not throw.
 *
 * @example Escaping markup
 * ```ts
 * import { escapeHtml } from "@pubkit/render";
 * import assert from "node:assert/strict";
 *
 * assert.equal(escapeHtml(`<a href="x">Tom & Jerry's</a>`),
 *   "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
 * ```
 */
export function escapeHtml(value: string): string {
  const first = value.search(SPECIAL);
  if (first === -1) return value;
  let out = "";
  let last = 0;
  for (let i = first; i < value.length; i++) {
    let rep: string;
    switch (value.charCodeAt(i)) {
      case 38:
        rep = "&amp;";
        break;
      case 60:
        rep = "&lt;";
        break;
      case 62:
        rep = "&gt;";
        break;
      case 34:
        rep = "&quot;";
        break;
      case 39:
        rep = "&#39;";
        break;
      case 13:
        rep = "&#13;";
        break;
      case 0:
        rep = "\uFFFD";
        break;
      default:
        continue;
    }
    if (last !== i) out += value.slice(last, i);
    out += rep;
    last = i + 1;
  }
  return out + value.slice(last);
}

/**
 * Converts any value to escaped HTML the way `<%= %>` and text slots do:
 * `null` and `undefined` become the empty string, other values go through
 * `String()` and then {@linkcode escapeHtml}.
 *
 * @param value Any value.
 * @returns The escaped text.
 * @throws {TypeError} When `String(value)` throws (a `Symbol`, or an object whose `toString` throws).
 *
 * @example Escaping values that are not strings
 * ```ts
 * import { escapeValue } from "@pubkit/render";
 * import assert from "node:assert/strict";
 *
 * assert.equal(escapeValue(null), "");
 * assert.equal(escapeValue(42), "42");
 * assert.equal(escapeValue("<b>"), "&lt;b&gt;");
 * ```
 */
export function escapeValue(value: unknown): string {
  if (typeof value === "string") return escapeHtml(value);
  if (value === null || value === undefined) return "";
  return escapeHtml(String(value));
}
