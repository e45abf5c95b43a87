/**
 * The error thrown when a response head is changed after the body has started.
 *
 * @module
 */

/**
 * Thrown when status, a header, a cookie or the content type is changed after the first body
 * write committed the response head. mod_python silently dropped such changes; pubkit says so.
 *
 * @example
 * ```ts
 * import { HeadersSentError } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * const error = new HeadersSentError("set header X-Late");
 * assert.equal(error.name, "HeadersSentError");
 * assert.match(error.message, /Cannot set header X-Late: the response body has already started/);
 * ```
 */
export class HeadersSentError extends Error {
  /** What was attempted, e.g. `"set status 404"`. */
  readonly attempted: string;

  /**
   * Creates the error for an attempted change.
   *
   * @param attempted What the caller tried to do, e.g. `"set header X-Late"`.
   */
  constructor(attempted: string) {
    super(
      `Cannot ${attempted}: the response body has already started, so the status and headers ` +
        `were sent with the first write`,
    );
    this.name = "HeadersSentError";
    this.attempted = attempted;
  }
}
