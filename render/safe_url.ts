/**
 * The URL policy as a checked value for embedded templates.
 *
 * @module
 */

import { isSafeUrl, type SafeUrlOptions } from "./is_safe_url.ts";
import { Trusted } from "./trusted.ts";
import { UnsafeUrlError } from "./errors.ts";

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
