/**
 * Raised to waiters when the factory cannot create a resource (e.g. the database is down).
 *
 * @module
 */

/**
 * The factory failed to create a resource, or the pool is backing off after such a failure.
 * The factory's own error is kept as `cause`.
 *
 * @example Reading the cause
 * ```ts
 * import { PoolCreateError } from "@pubkit/pool";
 * import assert from "node:assert/strict";
 *
 * const refused = new Error("connect ECONNREFUSED 127.0.0.1:5432");
 * const error = new PoolCreateError("Cannot create a resource: the factory failed", {
 *   cause: refused,
 * });
 * assert.equal(error.name, "PoolCreateError");
 * assert.equal(error.cause, refused);
 * ```
 */
export class PoolCreateError extends Error {
  /**
   * Creates the error.
   *
   * @param message What failed, as "Cannot <action>: <state>".
   * @param options `cause`: the factory's error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PoolCreateError";
  }
}
