/**
 * The error for a URL refused by the URL-attribute policy.
 *
 * @module
 */

/**
 * Thrown when a value for a URL-taking attribute (`href`, `src`, …) uses a
 * refused scheme (`javascript:`, `vbscript:`, `data:` outside images), or when
 * an event-handler attribute (`on…`) is set from an untrusted value.
 *
 * @example Inspecting the refusal
 * ```ts
 * import { UnsafeUrlError } from "@pubkit/render/unsafe-url-error";
 * import assert from "node:assert/strict";
 *
 * const e = new UnsafeUrlError("href", "javascript:alert(1)");
 * assert.equal(e.name, "UnsafeUrlError");
 * assert.equal(e.attribute, "href");
 * assert.match(e.message, /^Cannot set attribute href/);
 * ```
 */
export class UnsafeUrlError extends Error {
  /** The attribute that refused the value. */
  readonly attribute: string;
  /** The refused value. */
  readonly value: string;

  /**
   * Creates the error.
   *
   * @param attribute The attribute name.
   * @param value The refused value.
   * @param options Standard error options (`cause`).
   */
  constructor(attribute: string, value: string, options?: ErrorOptions) {
    const shown = value.length > 60 ? value.slice(0, 57) + "..." : value;
    super(
      `Cannot set attribute ${attribute}: ${
        JSON.stringify(shown)
      } uses a refused scheme or is script; wrap it with trusted() if it is intended`,
      options,
    );
    this.name = "UnsafeUrlError";
    this.attribute = attribute;
    this.value = value;
  }
}
