/**
 * The errors of `@pubkit/pool`. Each means "no resource now, try again shortly" and carries its
 * HTTP meaning, as `HttpError` of `@pubkit/request` does: `status` 503, `expose` false (the
 * message names pool internals, so a server shows a generic text) and a `Retry-After` header.
 *
 * @module
 */

/**
 * The base of the pool's errors: a resource could not be lent or used now. A server answers it
 * with `status` (503) and `headers` (`Retry-After: 1`), without showing the message.
 *
 * @example Mapping any pool error to a response
 * ```ts
 * import { PoolError, PoolTimeoutError } from "@pubkit/pool";
 * import assert from "node:assert/strict";
 *
 * const error: unknown = new PoolTimeoutError("Cannot acquire: timed out after 5000 ms");
 * assert.ok(error instanceof PoolError);
 * const response = new Response("Try again shortly.", {
 *   status: error.status,
 *   headers: error.headers,
 * });
 * assert.equal(response.status, 503);
 * assert.equal(response.headers.get("retry-after"), "1");
 * assert.equal(error.expose, false);
 * ```
 */
export class PoolError extends Error {
  /** The HTTP status a server answers with: 503 Service Unavailable. */
  readonly status: number = 503;
  /** Whether the message may be shown to the client: never (it names pool internals). */
  readonly expose: boolean = false;
  /** Headers for the error response: `Retry-After: 1` (seconds). */
  readonly headers: Headers = new Headers({ "retry-after": "1" });

  /**
   * Creates the error.
   *
   * @param message What could not be done, as "Cannot <action>: <state>".
   * @param options `cause`, when another error led to this one.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PoolError";
  }
}

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
 * assert.equal(error.status, 503);
 * ```
 */
export class PoolTimeoutError extends PoolError {
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
 * assert.equal(error.status, 503);
 * ```
 */
export class PoolClosedError extends PoolError {
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

/**
 * The factory failed to create a resource (e.g. the database is down), or the pool is backing
 * off after such a failure. The factory's own error is kept as `cause`.
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
export class PoolCreateError extends PoolError {
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
export class PoolQueueFullError extends PoolError {
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
export class PoolResourceError extends PoolError {
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
