/**
 * {@linkcode html}: a tagged template for HTML in code, escaped by default.
 *
 * @module
 */
import { escapeHtml } from "./escape_html.ts";
import { Trusted } from "./trusted.ts";

/**
 * The key `@pubkit/request` reads to serve a value as `text/html` (a registered symbol, so that
 * the request package recognises {@linkcode Html} without importing this one).
 */
export const HTML_MARK: unique symbol = Symbol.for("pubkit.html") as typeof HTML_MARK;

/**
 * Markup made by {@linkcode html}: served as `text/html; charset=utf-8` when a handler returns
 * it, and written as is (not escaped again) when interpolated into another `html` template.
 *
 * @example
 * ```ts
 * import { Html, html } from "@pubkit/render";
 * import assert from "node:assert/strict";
 *
 * const markup = html`<b>${"Ada & Bob"}</b>`;
 * assert.ok(markup instanceof Html);
 * assert.equal(String(markup), "<b>Ada &amp; Bob</b>");
 * ```
 */
export class Html {
  /** The markup. */
  readonly value: string;
  /** Marks the value as HTML for `@pubkit/request`. */
  readonly [HTML_MARK] = true;

  /**
   * Wraps markup; prefer {@linkcode html}, which escapes what it interpolates.
   *
   * @param value The markup.
   * @throws {TypeError} When `value` is not a string.
   */
  constructor(value: string) {
    if (typeof value !== "string") {
      throw new TypeError(`Cannot make HTML: expected a string, got ${typeof value}`);
    }
    this.value = value;
  }

  /**
   * Returns the markup.
   *
   * @returns The markup.
   */
  toString(): string {
    return this.value;
  }
}

/**
 * Builds HTML from a template literal, escaping every interpolated value with
 * {@linkcode escapeHtml}: a value is text, never markup. An {@linkcode Html} (a nested `html`
 * result) or a `trusted()` value is written as is; an array is written item by item and joined
 * without separator; `null`, `undefined` and `false` write nothing (for `${cond && html`…`}`).
 *
 * Escaping makes a value safe as element text and inside a quoted attribute; it does not make
 * an untrusted URL safe in `href` or `src` (check it with `safeUrl()`), nor any value safe
 * inside `<script>`, `<style>` or an `on…` attribute.
 *
 * @example
 * ```ts
 * import { html } from "@pubkit/render";
 * import assert from "node:assert/strict";
 *
 * const name = "<script>alert(1)</script>";
 * const items = ["a<b", "c"].map((item) => html`<li>${item}</li>`);
 * const page = html`<p>Hello, ${name}</p><ul>${items}</ul>`;
 * assert.equal(
 *   String(page),
 *   "<p>Hello, &lt;script&gt;alert(1)&lt;/script&gt;</p><ul><li>a&lt;b</li><li>c</li></ul>",
 * );
 * ```
 *
 * @param strings The literal parts of the template.
 * @param values The interpolated values.
 * @returns The markup.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += write(values[i]) + strings[i + 1];
  return new Html(out);
}

function write(value: unknown): string {
  if (value instanceof Html || value instanceof Trusted) return value.value;
  if (value === null || value === undefined || value === false) return "";
  if (Array.isArray(value)) return value.map(write).join("");
  return escapeHtml(String(value));
}
