/**
 * The one place where errors become responses.
 *
 * @module
 */
import { HttpError, type Req } from "@pubkit/request";
import { errorResponseHeaders } from "@pubkit/request/internal";

/** Options for {@linkcode errorResponse}. */
export interface ErrorResponseOptions {
  /** Show the stack of 5xx errors in the page (development only). */
  debug?: boolean;
  /** Where 5xx errors are logged; `console.error` by default. */
  log?: (message: string, error: unknown) => void;
}

/**
 * What an error says about its HTTP meaning, as oak's `status`/`expose` and `HttpError` do: an
 * integer `status` in 400–599, whether the message may be shown (`expose`), and headers. Any
 * member's error (a session lock timeout, a full pool queue) carries these, so the server maps
 * it here without naming its class — and without importing the member for its classes.
 */
interface HttpMeaning {
  status: number;
  expose: boolean;
  headers?: unknown;
}

/** Whether `error` carries an HTTP meaning (see {@linkcode HttpMeaning}). */
function hasHttpMeaning(error: unknown): error is HttpMeaning {
  if (!(error instanceof Error)) return false;
  const { status, expose } = error as Partial<HttpMeaning>;
  return typeof status === "number" && Number.isInteger(status) && status >= 400 &&
    status <= 599 && typeof expose === "boolean";
}

/** The headers an error carries: a `Headers`, a record or a list of pairs; none otherwise. */
function headersOf(error: HttpMeaning): Headers | undefined {
  const { headers } = error;
  if (headers === undefined || headers === null || typeof headers !== "object") return undefined;
  try {
    return new Headers(headers as HeadersInit);
  } catch {
    return undefined; // not headers: ignored rather than failing the error response itself
  }
}

/**
 * Maps any error thrown while handling `req` to a response: an {@linkcode HttpError} to its
 * status (its message shown for 4xx), a lock or pool timeout or an unavailable store to 503 with
 * `Retry-After`, and anything else to a logged 500 that shows only the request id (and the stack
 * with `debug`). Error headers set on the request (`req.errorHeaders`) are always sent.
 *
 * @example
 * ```ts
 * import { errorResponse } from "@pubkit/server";
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
  const headers = errorResponseHeaders(req);
  headers.set("content-type", "text/plain;charset=UTF-8");
  headers.set("x-request-id", req.id);
  const meaning = hasHttpMeaning(error) ? error : undefined;
  if (meaning !== undefined) {
    for (const [name, value] of headersOf(meaning) ?? []) headers.set(name, value);
    if (meaning.expose) {
      if (meaning.status === 413 || meaning.status === 408) headers.set("connection", "close");
      return new Response(`${(error as Error).message}\n`, { status: meaning.status, headers });
    }
  }
  const status = meaning?.status ?? 500;
  (options.log ?? console.error)(`[${req.id}] ${req.method} ${req.path}: ${status}`, error);
  if (status === 503 && !(error instanceof HttpError)) {
    // A member's "try again shortly" (a lock or pool timeout, a store down): say so.
    if (!headers.has("retry-after")) headers.set("retry-after", "1");
    return new Response(
      `Service temporarily unavailable; try again shortly (request ${req.id}).\n`,
      { status, headers },
    );
  }
  const detail = options.debug && error instanceof Error ? `\n\n${error.stack}` : "";
  return new Response(
    `Internal server error (request ${req.id}).${detail}\n`,
    { status, headers },
  );
}
