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
/** What an error says about its response, read once (see {@linkcode readMeaning}). */
interface HttpMeaning {
  status: number;
  expose: boolean;
  /** Its message, when `expose`. */
  message: string;
  headers: Headers | undefined;
  /** An `HttpError` (its own 5xx text), not a member's "try again shortly". */
  httpError: boolean;
}

/**
 * The HTTP meaning an error carries (an integer `status` 400–599 and a boolean `expose`, maybe
 * `headers`: `Headers`, a record or pairs), each field read once; `undefined` for none. Never
 * throws: an error whose fields throw when read (a getter, a revoked Proxy) is a plain 500.
 */
function readMeaning(error: unknown): HttpMeaning | undefined {
  try {
    if (!(error instanceof Error)) return undefined;
    const { status, expose, headers } = error as {
      status?: unknown;
      expose?: unknown;
      headers?: unknown;
    };
    if (
      typeof status !== "number" || !Number.isInteger(status) || status < 400 || status > 599 ||
      typeof expose !== "boolean"
    ) return undefined;
    return {
      status,
      expose,
      message: expose ? String(error.message) : "",
      headers: typeof headers === "object" && headers !== null
        ? new Headers(headers as HeadersInit)
        : undefined,
      httpError: error instanceof HttpError,
    };
  } catch {
    return undefined;
  }
}

/** `error.stack` for `debug`, or "" when there is none or it cannot be read. */
function stackOf(error: unknown): string {
  try {
    return error instanceof Error ? `\n\n${error.stack}` : "";
  } catch {
    return "";
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
  const meaning = readMeaning(error);
  for (const [name, value] of meaning?.headers ?? []) headers.set(name, value);
  // After the error's own headers: the body is plain text whatever they say.
  headers.set("content-type", "text/plain;charset=UTF-8");
  headers.set("x-request-id", req.id);
  if (meaning?.expose) {
    if (meaning.status === 413 || meaning.status === 408) headers.set("connection", "close");
    return new Response(`${meaning.message}\n`, { status: meaning.status, headers });
  }
  const status = meaning?.status ?? 500;
  (options.log ?? console.error)(`[${req.id}] ${req.method} ${req.path}: ${status}`, error);
  if (status === 503 && !meaning?.httpError) {
    // A member's "try again shortly" (a lock or pool timeout, a store down): say so.
    if (!headers.has("retry-after")) headers.set("retry-after", "1");
    return new Response(
      `Service temporarily unavailable; try again shortly (request ${req.id}).\n`,
      { status, headers },
    );
  }
  const detail = options.debug ? stackOf(error) : "";
  return new Response(
    `Internal server error (request ${req.id}).${detail}\n`,
    { status, headers },
  );
}
