/**
 * The one place where errors become responses.
 *
 * @module
 */
import {
  PoolClosedError,
  PoolCreateError,
  PoolQueueFullError,
  PoolResourceError,
  PoolTimeoutError,
} from "@pubkit/pool";
import { HttpError, type Req } from "@pubkit/request";
import { LockLostError, LockTimeoutError, StoreUnavailableError } from "@pubkit/session";

/** Options for {@linkcode errorResponse}. */
export interface ErrorResponseOptions {
  /** Show the stack of 5xx errors in the page (development only). */
  debug?: boolean;
  /** Where 5xx errors are logged; `console.error` by default. */
  log?: (message: string, error: unknown) => void;
}

/**
 * Domain errors of the other members that mean "try again shortly": the server answers 503 with
 * `Retry-After` instead of a 500.
 */
const UNAVAILABLE = [
  LockTimeoutError,
  LockLostError,
  StoreUnavailableError,
  PoolTimeoutError,
  PoolClosedError,
  PoolCreateError,
  PoolQueueFullError,
  PoolResourceError,
];

/**
 * Maps any error thrown while handling `req` to a response: an {@linkcode HttpError} to its
 * status (its message shown for 4xx), a lock or pool timeout or an unavailable store to 503 with
 * `Retry-After`, and anything else to a logged 500 that shows only the request id (and the stack
 * with `debug`). Error headers set on the request (`req.errorHeaders`) are always sent.
 *
 * @example
 * ```ts
 * import { errorResponse } from "@pubkit/server/error-response";
 * import { HttpError, Req } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * const req = new Req(new Request("http://localhost/x"));
 * const response = errorResponse(new HttpError(404, "Not found: /x"), req);
 * assert.equal(response.status, 404);
 * assert.equal(await response.text(), "Not found: /x\n");
 *
 * const hidden = errorResponse(new Error("db password is hunter2"), req, { log: () => {} });
 * assert.equal(hidden.status, 500);
 * assert.doesNotMatch(await hidden.text(), /hunter2/);
 * ```
 *
 * @param error What was thrown.
 * @param req The request being handled.
 * @param options Debug output and logger.
 * @returns The error response.
 */
export function errorResponse(
  error: unknown,
  req: Req,
  options: ErrorResponseOptions = {},
): Response {
  const headers = req.errorResponseHeaders();
  headers.set("content-type", "text/plain;charset=UTF-8");
  headers.set("x-request-id", req.id);
  if (error instanceof HttpError) {
    for (const [name, value] of error.headers) headers.set(name, value);
    if (error.expose) {
      if (error.status === 413 || error.status === 408) headers.set("connection", "close");
      return new Response(`${error.message}\n`, { status: error.status, headers });
    }
  }
  if (UNAVAILABLE.some((type) => error instanceof type)) {
    (options.log ?? console.error)(`[${req.id}] ${req.method} ${req.path}: 503`, error);
    headers.set("retry-after", "1");
    return new Response(
      `Service temporarily unavailable; try again shortly (request ${req.id}).\n`,
      { status: 503, headers },
    );
  }
  const status = error instanceof HttpError ? error.status : 500;
  (options.log ?? console.error)(`[${req.id}] ${req.method} ${req.path}: ${status}`, error);
  const detail = options.debug && error instanceof Error ? `\n\n${error.stack}` : "";
  return new Response(
    `Internal server error (request ${req.id}).${detail}\n`,
    { status, headers },
  );
}
