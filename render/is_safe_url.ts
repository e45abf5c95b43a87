/**
 * The URL policy for attribute values.
 *
 * @module
 */

import { _isUrlAttributeLower, _urlAllowed } from "./_url_policy.ts";

/** Options for {@linkcode isSafeUrl} and {@linkcode safeUrl}. */
export interface SafeUrlOptions {
  /**
   * The element's tag name; `data:image/…` is allowed only for `img` `src`/`srcset`, and a
   * `script` `src` or a `base` `href` refuses every value (it would load any script).
   */
  tag?: string;
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
 * import { isSafeUrl, type SafeUrlOptions } from "@pubkit/render";
 * import assert from "node:assert/strict";
 *
 * const img: SafeUrlOptions = { tag: "img" };
 * assert.equal(isSafeUrl("href", "/users?id=1"), true);
 * assert.equal(isSafeUrl("href", " JaVa\tScript:alert(1)"), false);
 * assert.equal(isSafeUrl("href", "&#x6A;avascript:alert(1)"), false);
 * assert.equal(isSafeUrl("src", "data:image/png;base64,AA==", img), true);
 * assert.equal(isSafeUrl("href", "data:text/html,<script>"), false);
 * ```
 */
export function isSafeUrl(attribute: string, value: string, options?: SafeUrlOptions): boolean {
  const name = attribute.toLowerCase();
  if (!_isUrlAttributeLower(name)) return true;
  return _urlAllowed(name, value, options?.tag?.toLowerCase());
}
