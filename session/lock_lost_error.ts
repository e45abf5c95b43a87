// Copyright 2025 the pubkit authors. MIT license.

/**
 * Thrown when a write carries a fencing token older than the newest one issued for
 * the session: the writer's lease expired and another holder took the lock since.
 *
 * The write is refused, so a paused or partitioned holder cannot overwrite newer data.
 *
 * @example Recognising the error
 * ```ts
 * import { LockLostError } from "@pubkit/session";
 * import assert from "node:assert/strict";
 *
 * const error = new LockLostError(3);
 * assert.equal(error.name, "LockLostError");
 * assert.equal(error.fence, 3);
 * ```
 */
export class LockLostError extends Error {
  /** The stale fencing token that was refused. */
  readonly fence: number;

  /**
   * Creates a lock-lost error.
   *
   * @param fence The stale fencing token.
   * @param options An optional cause.
   */
  constructor(fence: number, options?: ErrorOptions) {
    super(
      `Cannot write session: the lock with fencing token ${fence} was lost to a newer holder`,
      options,
    );
    this.name = "LockLostError";
    this.fence = fence;
  }
}
