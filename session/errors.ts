// Copyright 2025 the pubkit authors. MIT license.

/**
 * The domain errors of `@pubkit/session`. Each carries its HTTP meaning, as oak's errors do, so
 * that a server maps any of them without naming these classes:
 *
 * | error | `status` | `expose` | `headers` | meaning |
 * | --- | --- | --- | --- | --- |
 * | {@linkcode LockTimeoutError} | 503 | `false` | `Retry-After: 1` | another request held the session past the lock timeout |
 * | {@linkcode StoreUnavailableError} | 503 | `false` | `Retry-After: 1` | the store could not be reached (Redis down, a cluster slot moving) |
 * | {@linkcode LockLostError} | 503 | `false` | `Retry-After: 1` | the lock's lease ran out and a newer holder exists: the write was refused |
 *
 * `expose: false` means the message is for the log, not for the client.
 *
 * @module
 */

/**
 * The base of the session errors: an HTTP status, whether the message may be shown, headers.
 * `catch (e) { if (e instanceof SessionError) ... }` catches every one of them.
 */
export abstract class SessionError extends Error {
  /** The HTTP status a server answers with: `503`, a temporary condition. */
  readonly status: number = 503;
  /** Whether the message may be shown to the client: `false`, it is for the log. */
  readonly expose: boolean = false;
  /** Headers for the error response: `Retry-After: 1` (seconds). */
  get headers(): Headers {
    return new Headers({ "retry-after": "1" });
  }
}

/**
 * Thrown when a session lock could not be acquired within the lock timeout: the session is
 * busy with another request, a temporary condition (`status` 503, `Retry-After: 1`).
 *
 * @example Catching a timed-out acquisition
 * ```ts
 * import { LockTimeoutError, ReentrantLock } from "@pubkit/session";
 * import assert from "node:assert/strict";
 *
 * const lock = new ReentrantLock();
 * const held = await lock.acquire("request-1");
 * const error = await lock.acquire("request-2", { timeout: 10 }).catch((e) => e);
 * assert.ok(error instanceof LockTimeoutError);
 * assert.equal(error.status, 503);
 * assert.equal(error.expose, false);
 * assert.equal(error.headers.get("retry-after"), "1");
 * held.release();
 * ```
 */
export class LockTimeoutError extends SessionError {
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

/**
 * Thrown when the session store cannot be reached (`status` 503, `Retry-After: 1`); the store
 * keeps reconnecting in the background.
 *
 * @example
 * ```ts
 * import { StoreUnavailableError } from "@pubkit/session";
 * import assert from "node:assert/strict";
 *
 * const error = new StoreUnavailableError("load session", new Error("ECONNREFUSED"));
 * assert.equal(error.message, "Cannot load session: the session store is unavailable (ECONNREFUSED)");
 * assert.equal(error.status, 503);
 * assert.equal(error.expose, false);
 * ```
 */
export class StoreUnavailableError extends SessionError {
  /**
   * Creates a store-unavailable error.
   *
   * @param action What could not be done, for the message ("load session").
   * @param cause The underlying error.
   */
  constructor(action: string, cause?: unknown) {
    super(
      `Cannot ${action}: the session store is unavailable` +
        (cause instanceof Error ? ` (${cause.message})` : ""),
      cause === undefined ? undefined : { cause },
    );
    this.name = "StoreUnavailableError";
  }
}

/**
 * Thrown when a write carries a fencing token older than the newest one issued: the writer's
 * lease ran out and another request took the lock, so the write is refused rather than
 * overwrite newer data (`status` 503, `Retry-After: 1`).
 *
 * @example
 * ```ts
 * import { LockLostError } from "@pubkit/session";
 * import assert from "node:assert/strict";
 *
 * const error = new LockLostError(7);
 * assert.equal(error.fence, 7);
 * assert.equal(error.status, 503);
 * assert.equal(error.headers.get("retry-after"), "1");
 * ```
 */
export class LockLostError extends SessionError {
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
