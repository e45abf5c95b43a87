/**
 * The one error type that carries an HTTP status.
 *
 * @module
 */

/** Options for {@linkcode HttpError}. */
export interface HttpErrorOptions {
  /** Extra response headers, e.g. `Allow` for a 405 or `Retry-After` for a 503. */
  headers?: HeadersInit;
  /** The underlying error, kept for logs. */
  cause?: unknown;
}

/**
 * An error that the server turns into a response with `status`.
 *
 * For 4xx statuses the message is shown to the client, so write it for the client: say what was
 * wrong with the request. For 5xx statuses the message is only logged.
 *
 * @example Throw a 404 from a handler
 * ```ts
 * import { HttpError, type HttpErrorOptions } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * const options: HttpErrorOptions = { headers: { "Cache-Control": "no-store" } };
 * const error = new HttpError(404, "Not found: /nope", options);
 * assert.equal(error.status, 404);
 * assert.equal(error.expose, true);
 * assert.equal(error.name, "HttpError");
 * assert.equal(error.headers.get("cache-control"), "no-store");
 * ```
 */
export class HttpError extends Error {
  /** The HTTP status, 400–599. */
  readonly status: number;
  /** Headers to send with the error response. */
  readonly headers: Headers;

  /**
   * Creates an error for `status` with a message.
   *
   * @param status An HTTP error status, 400–599.
   * @param message What went wrong; shown to the client for 4xx.
   * @param options Headers and cause.
   * @throws {RangeError} When `status` is not an integer in 400–599.
   */
  constructor(status: number, message: string, options: HttpErrorOptions = {}) {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`Cannot create HttpError: status ${status} is not in 400-599`);
    }
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HttpError";
    this.status = status;
    this.headers = new Headers(options.headers);
  }

  /** Whether the message may be shown to the client (true for 4xx). */
  get expose(): boolean {
    return this.status < 500;
  }
}
