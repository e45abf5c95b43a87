/**
 * A marker for values the caller vouches for.
 *
 * @module
 */

/**
 * A string the caller has explicitly vouched for. URL attributes accept a
 * `Trusted` value without applying the URL policy, and the fill engine's
 * `html()` and `attr()` take it as is. Create one with {@linkcode trusted}.
 *
 * @example Wrapping a value
 * ```ts
 * import { Trusted, trusted } from "@pubkit/render";
 * import assert from "node:assert/strict";
 *
 * const t = new Trusted("javascript:void 0");
 * assert.ok(trusted("x") instanceof Trusted);
 * assert.equal(t.value, "javascript:void 0");
 * assert.equal(String(t), "javascript:void 0");
 * ```
 */
export class Trusted {
  /** The vouched-for string. */
  readonly value: string;

  /**
   * Wraps a string.
   *
   * @param value The string to vouch for.
   * @throws {TypeError} When `value` is not a string.
   */
  constructor(value: string) {
    if (typeof value !== "string") {
      throw new TypeError(`Cannot trust value: expected a string, got ${typeof value}`);
    }
    this.value = value;
    // The value is checked once, here: it must not change after (a template writes it raw).
    Object.freeze(this);
  }

  /**
   * Returns the wrapped string.
   *
   * @returns The vouched-for string.
   */
  toString(): string {
    return this.value;
  }
}

/**
 * Marks a string as trusted: the URL policy does not apply to it.
 *
 * @param value The string to vouch for.
 * @returns The wrapped value.
 * @throws {TypeError} When `value` is not a string.
 *
 * @example Allowing a `javascript:` link on purpose
 * ```ts
 * import { isSafeUrl, Trusted, trusted } from "@pubkit/render";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isSafeUrl("href", "javascript:history.back()"), false);
 * const link = trusted("javascript:history.back()");
 * assert.ok(link instanceof Trusted);
 * assert.equal(link.value, "javascript:history.back()");
 * ```
 */
export function trusted(value: string): Trusted {
  return new Trusted(value);
}
