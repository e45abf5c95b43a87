/**
 * Raised when more callers are already waiting than `maxWaiting` allows.
 *
 * @module
 */

/**
 * Too many callers are waiting for a resource (`maxWaiting`); the acquisition is refused at
 * once instead of queueing.
 *
 * @example Catching a full queue
 * ```ts
 * import { PoolQueueFullError } from "@pubkit/pool";
 * import assert from "node:assert/strict";
 *
 * const error = new PoolQueueFullError("Cannot acquire: 100 callers are already waiting");
 * assert.equal(error.name, "PoolQueueFullError");
 * ```
 */
export class PoolQueueFullError extends Error {
  /**
   * Creates the error.
   *
   * @param message What could not be done, as "Cannot <action>: <state>".
   * @param options `cause`, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PoolQueueFullError";
  }
}
