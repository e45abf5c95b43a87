/**
 * Raised by `Pool.use()` when the resource broke while it was being used.
 *
 * @module
 */

/**
 * The pooled resource broke while in use (its connection was terminated, the server went away):
 * the work may be retried on a fresh resource. The resource was destroyed, never lent again;
 * the original error is kept as `cause`.
 *
 * @example
 * ```ts
 * import { PoolResourceError } from "@pubkit/pool";
 * import assert from "node:assert/strict";
 *
 * const terminated = new Error("terminating connection due to administrator command");
 * const error = new PoolResourceError("Cannot use the resource: it broke", { cause: terminated });
 * assert.equal(error.name, "PoolResourceError");
 * assert.equal(error.cause, terminated);
 * ```
 */
export class PoolResourceError extends Error {
  /**
   * Creates the error.
   *
   * @param message What failed, as "Cannot <action>: <state>".
   * @param options `cause`: the error the resource raised.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PoolResourceError";
  }
}
