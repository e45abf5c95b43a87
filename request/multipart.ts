/**
 * A strict, streaming `multipart/form-data` parser (RFC 7578) with limits.
 *
 * @module
 */
import { FormBudget } from "./_form_budget.ts";
import { parseMultipartInto } from "./_multipart_parser.ts";
import type { Fields } from "./fields.ts";
import { type FormLimits, resolveFormLimits } from "./form_limits.ts";
import { checkOptionKeys } from "./_check_options.ts";

/** Options for {@linkcode parseMultipart}. */
export interface ParseMultipartOptions {
  /** Limits to apply; the defaults of {@linkcode FormLimits} otherwise. */
  limits?: Partial<FormLimits>;
  /** Aborting stops reading, cancels the body and rejects with the signal's reason. */
  signal?: AbortSignal;
}

const OPTION_KEYS = new Set(["limits", "signal"]);

/**
 * Reads and parses a `multipart/form-data` body.
 *
 * The body is read chunk by chunk; however it is split, the parser examines each byte a bounded
 * number of times. Bytes are counted as they are read, and the stream is cancelled as soon as a
 * limit is passed or the body is found malformed, so the rest is never read. Parts with a
 * `filename` become web `File`s whose `name` is the client's filename, kept as data only. A
 * preamble before the first boundary and an epilogue after the last are ignored (RFC 2046), but
 * count toward `maxMultipartBytes`.
 *
 * @param body The body stream (e.g. `request.body`); it is locked and consumed.
 * @param boundary The `boundary` parameter of the `Content-Type`.
 * @param options Limits and an abort signal.
 * @returns The fields and files, in order.
 * @throws {HttpError} 400 for an invalid boundary, a missing final boundary, a truncated part,
 * bad part headers, a part without a `Content-Disposition` name, or a field value that is not
 * UTF-8, a stream that fails mid-read; 413 when a limit is passed (the message names it).
 * @throws {RangeError} For invalid options or limits.
 * @throws {TypeError} When the stream is locked or yields something other than `Uint8Array`.
 *
 * @example
 * ```ts
 * import { parseMultipart, type ParseMultipartOptions } from "@pubkit/request/body";
 * import { HttpError } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * const text = [
 *   "--XyZ",
 *   'Content-Disposition: form-data; name="title"',
 *   "",
 *   "Hello",
 *   "--XyZ",
 *   'Content-Disposition: form-data; name="upload"; filename="../../etc/passwd"',
 *   "Content-Type: text/plain",
 *   "",
 *   "file body",
 *   "--XyZ--",
 *   "",
 * ].join("\r\n");
 * const options: ParseMultipartOptions = { limits: { maxFiles: 1 } };
 * const fields = await parseMultipart(new Response(text).body!, "XyZ", options);
 * assert.equal(fields.get("title"), "Hello");
 * const upload = fields.get("upload") as File;
 * assert.equal(upload.name, "../../etc/passwd"); // data, never a path
 * assert.equal(await upload.text(), "file body");
 *
 * await assert.rejects(
 *   parseMultipart(new Response(text.slice(0, 60)).body!, "XyZ"),
 *   (e) => e instanceof HttpError && e.status === 400,
 * );
 * ```
 */
export async function parseMultipart(
  body: ReadableStream<Uint8Array>,
  boundary: string,
  options: ParseMultipartOptions = {},
): Promise<Fields> {
  checkOptionKeys(options, OPTION_KEYS, "parse multipart body");
  if (!(body instanceof ReadableStream)) {
    throw new TypeError("Cannot parse multipart body: body must be a ReadableStream");
  }
  const budget = new FormBudget(resolveFormLimits(options.limits));
  try {
    await parseMultipartInto(body, boundary, budget, options.signal);
  } catch (error) {
    // An invalid boundary is found before reading: the body must still not be left half-open.
    if (!body.locked) await body.cancel(error).catch(() => {});
    throw error;
  }
  return budget.toFields();
}
