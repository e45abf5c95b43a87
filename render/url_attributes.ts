/**
 * Classifies attribute names for the URL policy.
 *
 * @module
 */

import { _isUrlAttributeLower } from "./_url_policy.ts";

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
 * import { isScriptAttribute, isUrlAttribute } from "@pubkit/render";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isScriptAttribute("href"), false);
 * assert.equal(isUrlAttribute("HREF"), true);
 * assert.equal(isUrlAttribute("title"), false);
 * ```
 */
export function isUrlAttribute(name: string): boolean {
  return _isUrlAttributeLower(name.toLowerCase());
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
 * import { isScriptAttribute, isUrlAttribute } from "@pubkit/render";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isUrlAttribute("onclick"), false);
 * assert.equal(isScriptAttribute("onClick"), true);
 * assert.equal(isScriptAttribute("class"), false);
 * ```
 */
export function isScriptAttribute(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith("on") || lower === "srcdoc";
}
