/**
 * The URL-attribute policy shared by both engines.
 *
 * @module
 */

import { decodeHTML } from "entities";
import { Trusted } from "./trusted.ts";
import { UnsafeUrlError } from "./unsafe_url_error.ts";

const URL_ATTRIBUTES: ReadonlySet<string> = new Set([
  "action",
  "archive",
  "background",
  "cite",
  "classid",
  "codebase",
  "data",
  "dynsrc",
  "formaction",
  "href",
  "icon",
  "imagesrcset",
  "longdesc",
  "lowsrc",
  "manifest",
  "ping",
  "poster",
  "profile",
  "src",
  "srcset",
  "usemap",
  "xlink:href",
]);

const REFUSED_SCHEMES: ReadonlySet<string> = new Set(["javascript", "vbscript", "data"]);
const SCHEME = /^([a-z][a-z0-9+.\-]*):/;
// Browsers drop tabs and newlines anywhere in a URL and C0 controls/spaces at its ends;
// removing them everywhere is stricter and so never lets through what a browser would run.
// deno-lint-ignore no-control-regex
const IGNORED = /[\u0000-\u0020]+/g;

/** Options for {@linkcode isSafeUrl} and {@linkcode safeUrl}. */
export interface SafeUrlOptions {
  /** The element's tag name; `data:image/…` is allowed only for `img` `src`/`srcset`. */
  tag?: string;
}

/**
 * Tells whether an attribute takes a URL (`href`, `src`, `action`,
 * `formaction`, `poster`, `cite`, `data`, `srcset`, …).
 *
 * @param name The attribute name (any case).
 * @returns `true` for URL-taking attributes.
 * @throws {never} Does not throw.
 *
 * @example
 * ```ts
 * import { isUrlAttribute } from "@pubkit/render";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isUrlAttribute("HREF"), true);
 * assert.equal(isUrlAttribute("title"), false);
 * ```
 */
export function isUrlAttribute(name: string): boolean {
  return URL_ATTRIBUTES.has(name.toLowerCase());
}

/**
 * Tells whether an attribute holds script or markup (`on…` event handlers,
 * `srcdoc`): such attributes are only ever set from trusted values.
 *
 * @param name The attribute name (any case).
 * @returns `true` for event handlers and `srcdoc`.
 * @throws {never} Does not throw.
 *
 * @example
 * ```ts
 * import { isScriptAttribute } from "@pubkit/render";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isScriptAttribute("onClick"), true);
 * assert.equal(isScriptAttribute("class"), false);
 * ```
 */
export function isScriptAttribute(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith("on") || lower === "srcdoc";
}

/**
 * Whether a lowercase attribute name takes a URL (internal fast path).
 *
 * @param lower Lowercase attribute name.
 * @returns `true` for URL attributes.
 */
export function _isUrlAttributeLower(lower: string): boolean {
  return URL_ATTRIBUTES.has(lower);
}

function schemeRefused(candidate: string, allowImageData: boolean): boolean {
  const url = candidate.replace(IGNORED, "").toLowerCase();
  const match = SCHEME.exec(url);
  if (match === null || !REFUSED_SCHEMES.has(match[1])) return false;
  return !(allowImageData && match[1] === "data" && url.startsWith("data:image/"));
}

/**
 * Applies the URL policy to a value for a URL-taking attribute: refuses
 * `javascript:`, `vbscript:` and `data:` (except `data:image/…` for an
 * `img` `src` or `srcset`). Case, embedded whitespace/control characters
 * and HTML character references (`&#106;avascript:`) are seen through.
 * For `srcset` every candidate URL is checked. Values of attributes that do
 * not take URLs are always safe.
 *
 * @param attribute The attribute name.
 * @param value The attribute value (unescaped).
 * @param options The element's tag.
 * @returns `true` when the value may be used.
 * @throws {never} Does not throw.
 *
 * @example
 * ```ts
 * import { isSafeUrl } from "@pubkit/render";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isSafeUrl("href", "/users?id=1"), true);
 * assert.equal(isSafeUrl("href", " JaVa\tScript:alert(1)"), false);
 * assert.equal(isSafeUrl("href", "&#x6A;avascript:alert(1)"), false);
 * assert.equal(isSafeUrl("src", "data:image/png;base64,AA==", { tag: "img" }), true);
 * assert.equal(isSafeUrl("href", "data:text/html,<script>"), false);
 * ```
 */
export function isSafeUrl(attribute: string, value: string, options?: SafeUrlOptions): boolean {
  const name = attribute.toLowerCase();
  if (!URL_ATTRIBUTES.has(name)) return true;
  return _urlAllowed(name, value, options?.tag);
}

/**
 * The policy for a lowercase URL attribute name (internal: the fill engine
 * calls it after its own name checks).
 *
 * @param name Lowercase attribute name, known to take a URL.
 * @param value The value.
 * @param tag The element's tag name.
 * @returns Whether the value may be used.
 */
export function _urlAllowed(name: string, value: string, tag: string | undefined): boolean {
  // Fast path for the common relative URL: a scheme needs a colon, and only a character
  // reference (`&colon;`, `&#58;`) could hide one.
  const srcset = name === "srcset" || name === "imagesrcset";
  if (!srcset) {
    const first = value.charCodeAt(0);
    // "/", "?" and "#" start relative URLs, and a character reference cannot replace them.
    if (first === 47 || first === 63 || first === 35) return true;
  }
  if (!value.includes(":") && !(value.includes("&") && /&(?:#|colon)/i.test(value))) return true;
  let decoded = value;
  // Decode repeatedly: refusing a double-encoded scheme costs nothing legitimate.
  for (let i = 0; i < 3 && decoded.includes("&"); i++) {
    const next = decodeHTML(decoded);
    if (next === decoded) break;
    decoded = next;
  }
  const allowImageData = tag?.toLowerCase() === "img" &&
    (name === "src" || name === "srcset");
  if (srcset) {
    for (const part of decoded.split(",")) {
      const url = part.trim().split(/[\t\n\f\r ]/, 1)[0];
      if (schemeRefused(url, allowImageData)) return false;
    }
    return true;
  }
  return !schemeRefused(decoded, allowImageData);
}

/**
 * Returns a value for a URL-taking attribute after applying
 * {@linkcode isSafeUrl}; a {@linkcode Trusted} value is returned unchecked.
 * Use it in embedded templates: `<a href="<%= url(it.link) %>">`.
 *
 * @param value The URL, or a trusted value.
 * @param attribute The attribute it goes into (default `"href"`).
 * @param options The element's tag.
 * @returns The URL, unescaped (escape it when writing it out).
 * @throws {UnsafeUrlError} When the policy refuses the value.
 *
 * @example
 * ```ts
 * import { safeUrl, trusted, UnsafeUrlError } from "@pubkit/render";
 * import assert from "node:assert/strict";
 *
 * assert.equal(safeUrl("https://example.com/"), "https://example.com/");
 * assert.throws(() => safeUrl("vbscript:msgbox"), UnsafeUrlError);
 * assert.equal(safeUrl(trusted("javascript:void 0")), "javascript:void 0");
 * ```
 */
export function safeUrl(
  value: string | Trusted,
  attribute = "href",
  options?: SafeUrlOptions,
): string {
  if (value instanceof Trusted) return value.value;
  const text = String(value);
  if (!isSafeUrl(attribute, text, options)) throw new UnsafeUrlError(attribute, text);
  return text;
}
