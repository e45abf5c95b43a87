/**
 * Raised when a closed or closing pool is asked to lend.
 *
 * @module
 */

/**
 * The pool is closed or closing: it lends nothing more, and callers that were waiting are
 * rejected with this error.
 *
 * @example Catching a closed pool
 * ```ts
 * import { PoolClosedError } from "@pubkit/pool";
 * import assert from "node:assert/strict";
 *
 * const error = new PoolClosedError("Cannot acquire: the pool is closed");
 * assert.equal(error.name, "PoolClosedError");
 * ```
 */
export class PoolClosedError extends Error {
  /**
   * Creates the error.
   *
   * @param message What could not be done, as "Cannot <action>: <state>".
   * @param options `cause`, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PoolClosedError";
  }
}
