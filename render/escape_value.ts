/**
 * Escaping for values of any type.
 *
 * @module
 */

import { escapeHtml } from "./escape_html.ts";

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
