/**
 * Running a handler and turning what it returns into a response.
 *
 * @module
 */
import { abortResponse, endResponse, onCommit, type Req, streamedResponse } from "./req.ts";
import { APPLICATION_JSON, HTML_MARK, TEXT_HTML, TEXT_PLAIN } from "./_content_types.ts";

/** A request handler: writes through `req`, returns a value, or both. */
export type Handler = (req: Req) => unknown;

/**
 * Turns a handler's return value into a response body and its default content type.
 *
 * - string → `text/plain;charset=UTF-8` (the Fetch standard's type for text), always, whatever
 *   it starts with: text that echoes a client's input must never become markup;
 * - an `html` tagged-template result of `@pubkit/render` → `text/html; charset=utf-8`;
 * - `Uint8Array`/`ArrayBuffer` → bytes, `application/octet-stream`;
 * - `ReadableStream`, async iterable, or iterator (a sync generator, `map.keys()`) → streamed,
 *   each item as text (bytes as they are), `application/octet-stream`;
 * - `Response` → as is; `undefined`/`null` → no body (204 unless a status was set);
 * - anything else (plain object, array, number, boolean) → JSON, `application/json`; other
 *   iterables without `toJSON` (a `Set`, a `Map`, typed arrays but `Uint8Array`) are refused
 *   with a `TypeError` naming their type, rather than sent as `{}`.
 *
 * An explicit `req.contentType` always wins over these defaults.
 *
 * @example
 * ```ts
 * import { type Handler, Req, respond, toResponse } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * const req = new Req(new Request("http://localhost/"));
 * const response = await toResponse(req, "<p>hi</p>");
 * assert.equal(response.headers.get("content-type"), "text/plain;charset=UTF-8");
 * assert.equal(await response.text(), "<p>hi</p>");
 *
 * // respond() applies the same conversions to what a handler returns.
 * const handler: Handler = () => ({ ok: true });
 * const json = await respond(new Req(new Request("http://localhost/")), handler);
 * assert.equal(json.headers.get("content-type"), "application/json");
 * assert.deepEqual(await json.json(), { ok: true });
 * ```
 *
 * @param req The request whose status and headers the response carries.
 * @param value What the handler returned.
 * @returns The response: at once when the body is complete, a promise for a streamed one or a
 * failure (never a synchronous throw).
 */
export function toResponse(req: Req, value: unknown): Response | Promise<Response> {
  try {
    return convert(req, value);
  } catch (error) {
    // A BigInt or a cycle for JSON, a body the status forbids: reject like every other failure.
    return Promise.reject(error);
  }
}

function convert(req: Req, value: unknown): Response | Promise<Response> {
  // Text first: `instanceof` on a string costs a published hello request 165 instructions.
  if (typeof value === "string") {
    return endResponse(req, value, TEXT_PLAIN);
  }
  if (value instanceof Response) {
    // A nested respond() hands back this request's own stream: it is still being written.
    if (!req.headersSent || value === streamedResponse(req)) return value;
    return endResponse(req, null, null);
  }
  if (value === undefined || value === null) return endResponse(req, null, null);
  if ((value as { [HTML_MARK]?: unknown })[HTML_MARK] === true) {
    return endResponse(req, String(value), TEXT_HTML);
  }
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) {
    return endResponse(req, value as BodyInit, "application/octet-stream");
  }
  if (value instanceof ReadableStream) return endResponse(req, value, "application/octet-stream");
  if (isAsyncIterable(value)) {
    return endResponse(req, ReadableStream.from(encodeChunks(value)), "application/octet-stream");
  }
  if (isIterable(value)) {
    if (isIterator(value)) {
      return endResponse(req, ReadableStream.from(encodeChunks(value)), "application/octet-stream");
    }
    const type = Object.getPrototypeOf(value)?.constructor?.name ?? "iterable";
    throw new TypeError(
      `Cannot send a ${type} as a response: return an array (JSON) or a generator (streamed)`,
    );
  }
  return endResponse(req, JSON.stringify(value), APPLICATION_JSON);
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

/** An iterable object that is not an array and has no `toJSON` (those are JSON). */
function isIterable(value: unknown): value is Iterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.iterator in value &&
    !Array.isArray(value) && typeof (value as { toJSON?: unknown }).toJSON !== "function";
}

/** An iterator that is its own iterable: a generator, `map.keys()`, `array.values()`. */
function isIterator(value: Iterable<unknown>): boolean {
  return typeof (value as Partial<Iterator<unknown>>).next === "function";
}

async function* encodeChunks(
  source: AsyncIterable<unknown> | Iterable<unknown>,
): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  for await (const chunk of source) {
    if (chunk instanceof Uint8Array) yield chunk;
    else yield encoder.encode(String(chunk));
  }
}

/**
 * Runs `handler` with `req` and resolves with the response as soon as there is one: when the
 * handler returns, or at its first `req.write()` (the handler then goes on streaming). An error
 * before the head was sent rejects, for the server to map; an error after it aborts the
 * stream, since the status is already on the wire.
 *
 * @example
 * ```ts
 * import { type Handler, Req, respond, toResponse } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * const handler: Handler = async (req) => {
 *   await req.write("one ");
 *   await req.write("two");
 * };
 * const response = await respond(new Req(new Request("http://localhost/")), handler);
 * assert.equal(response.headers.get("content-type"), "text/plain;charset=UTF-8");
 * assert.equal(await response.text(), "one two");
 *
 * // Without writes, respond() is toResponse() of the returned value.
 * const empty = await toResponse(new Req(new Request("http://localhost/")), undefined);
 * assert.equal(empty.status, 204);
 * ```
 *
 * @param req The request.
 * @param handler The handler.
 * @returns The response: at once when the handler returned a complete body synchronously,
 * otherwise a promise (never a synchronous throw).
 */
export function respond(req: Req, handler: Handler): Response | Promise<Response> {
  let result: unknown;
  try {
    result = handler(req);
  } catch (error) {
    return failAfterStart(req, error) ?? Promise.reject(error);
  }
  // A synchronous value from a handler that wrote nothing is converted at once: no promise, no
  // microtask (this is a published hello function's whole path).
  if (!req.headersSent && !isThenable(result)) return toResponse(req, result);
  return settle(req, result);
}

// Apart from respond(), so that respond() stays small enough for the JIT to inline into its
// caller (measured: 163 fewer instructions per published hello request).
function settle(req: Req, result: unknown): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const fail = (error: unknown) => {
      if (!failAfterStart(req, error)) reject(error);
    };
    // The first write resolves with the streamed response (at once if it already happened,
    // for a handler that wrote without awaiting); the handler then goes on writing.
    onCommit(req, resolve);
    Promise.resolve(result).then((value) => toResponse(req, value)).then(resolve, fail);
  });
}

/** After the head was sent the status is on the wire: the stream is aborted instead. */
function failAfterStart(req: Req, error: unknown): Promise<Response> | undefined {
  if (!req.headersSent) return undefined;
  console.error(`[${req.id}] handler failed after the response started:`, error);
  abortResponse(req, error);
  return Promise.resolve(streamedResponse(req)!);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}
