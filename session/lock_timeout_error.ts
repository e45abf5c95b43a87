// Copyright 2025 the pubkit authors. MIT license.

/**
 * Thrown when a session lock could not be acquired within the lock timeout.
 *
 * A server maps it to `503 Service Unavailable` with a `Retry-After` header: the
 * session is busy with another request, which is a temporary condition.
 *
 * @example Catching a timed-out acquisition
 * ```ts
 * import { LockTimeoutError, ReentrantLock } from "@pubkit/session";
 * import assert from "node:assert/strict";
 *
 * const lock = new ReentrantLock();
 * const held = await lock.acquire("request-1");
 * await assert.rejects(() => lock.acquire("request-2", { timeout: 10 }), LockTimeoutError);
 * held.release();
 * ```
 */
export class LockTimeoutError extends Error {
  /** How long the caller waited, in milliseconds. */
  readonly timeout: number;

  /**
   * Creates a lock timeout error.
   *
   * @param timeout How long the caller waited, in milliseconds.
   * @param options What was locked (for the message) and an optional cause.
   */
  constructor(timeout: number, options?: { subject?: string; cause?: unknown }) {
    super(
      `Cannot acquire lock${options?.subject ? ` on ${options.subject}` : ""}: ` +
        `still held by another owner after ${timeout} ms`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "LockTimeoutError";
    this.timeout = timeout;
  }
}
