/**
 * Raised when {@linkcode Pool.prototype.acquire} waits longer than its timeout.
 *
 * @module
 */

/**
 * An acquisition waited longer than its timeout (`acquireTimeout`, 5 s by default).
 *
 * @example Catching a timeout
 * ```ts
 * import { PoolTimeoutError } from "@pubkit/pool";
 * import assert from "node:assert/strict";
 *
 * const error = new PoolTimeoutError("Cannot acquire: timed out after 5000 ms");
 * assert.equal(error.name, "PoolTimeoutError");
 * assert.ok(error instanceof Error);
 * ```
 */
export class PoolTimeoutError extends Error {
  /**
   * Creates the error.
   *
   * @param message What timed out, as "Cannot <action>: <state>".
   * @param options `cause`, when the wait ended because of another error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PoolTimeoutError";
  }
}
