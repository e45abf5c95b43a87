/**
 * {@linkcode parseForm}: the query string and body of a request, parsed into one form.
 *
 * @module
 */
import { readBodyLimited } from "./_body_reader.ts";
import { FormBudget, limitError, malformedError } from "./_form_budget.ts";
import { parseMediaType } from "./_form_media_type.ts";
import { parseUrlEncodedInto } from "./_form_urlencoded.ts";
import { parseMultipartInto } from "./_multipart_parser.ts";
import type { ByteBudget } from "./body_budget.ts";
import type { Fields } from "./fields.ts";
import { HttpError } from "./http_error.ts";
import { type FormLimits, resolveFormLimits } from "./form_limits.ts";
import { checkOptionKeys } from "./_check_options.ts";

/** Options for {@linkcode parseForm}. */
export interface ParseFormOptions {
  /** Limits to apply; the defaults of {@linkcode FormLimits} otherwise. */
  limits?: Partial<FormLimits>;
  /**
   * Aborting stops reading the body, cancels it and rejects with the signal's reason (a server
   * uses this for body-read deadlines).
   */
  signal?: AbortSignal;
  /**
   * Counts the body bytes kept in memory (urlencoded bodies, text fields, uploads not spooled)
   * against a budget shared by requests; past it the parse fails with its 503.
   */
  budget?: ByteBudget;
  /** Keeps uploaded files above a size in temporary files instead of memory. */
  spool?: SpoolOptions;
}

/** Options for spooling uploads to disk (see {@linkcode ParseFormOptions.spool}). */
export interface SpoolOptions {
  /** Files larger than this many bytes go to a temporary file; 1 MiB by default. */
  threshold?: number;
  /** The folder for the temporary files; the system's by default. */
  dir?: string;
  /**
   * Called with each temporary file's path as soon as it exists, also when the parse then fails:
   * remove the file when the request ends. Until then the upload reads from it.
   */
  onFile(path: string): void;
}

const OPTION_KEYS = new Set(["limits", "signal", "budget", "spool"]);

/**
 * Parses a request's query string and, by its `Content-Type`, its
 * `application/x-www-form-urlencoded` or `multipart/form-data` body into one form: query fields
 * first, then body fields. Any other body is left unread.
 *
 * Limits hold on the query and the body together (`maxFields` counts both) and are counted on
 * the bytes actually read, so a chunked body without `Content-Length` is held to them too. A
 * declared `Content-Length` above the body limit is refused without reading the body. Whenever
 * parsing fails, the body is cancelled. The body can be read only once: call this once per
 * request and keep the result.
 *
 * @param request The request; its body is consumed when it is a form.
 * @param options Limits and an abort signal.
 * @returns The fields (strings) and uploaded files (web `File`s), in order.
 * @throws {HttpError} 400 for a malformed query or body (bad percent-encoding, bytes that are not
 * UTF-8, an invalid or missing boundary, a missing final boundary, a truncated part, bad part
 * headers, a body stream that fails mid-read); 413 when a limit is passed, the message naming it;
 * 415 naming a `charset` parameter other than UTF-8 or US-ASCII (never parsed as UTF-8).
 * @throws {TypeError} When the body was already read.
 * @throws {RangeError} For invalid options or limits.
 *
 * @example Parse a posted form
 * ```ts
 * import { parseForm, type ParseFormOptions } from "@pubkit/request/body";
 * import { HttpError } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * const request = new Request("http://localhost/save?id=7", {
 *   method: "POST",
 *   body: new URLSearchParams([["name", "Ada"], ["__proto__", "harmless"]]),
 * });
 * const form = await parseForm(request);
 * assert.equal(form.get("id"), "7");
 * assert.equal(form.get("name"), "Ada");
 * assert.equal(form.toObject()["__proto__"], "harmless");
 *
 * const big = new Request("http://localhost/", {
 *   method: "POST",
 *   body: new URLSearchParams({ a: "x".repeat(100) }),
 * });
 * const options: ParseFormOptions = { limits: { maxUrlEncodedBytes: 10 } };
 * await assert.rejects(
 *   parseForm(big, options),
 *   (e) => e instanceof HttpError && e.status === 413 && e.message.includes("maxUrlEncodedBytes"),
 * );
 * ```
 */
export async function parseForm(request: Request, options: ParseFormOptions = {}): Promise<Fields> {
  checkOptionKeys(options, OPTION_KEYS, "parse form");
  const limits = resolveFormLimits(options.limits);
  if (options.spool !== undefined) {
    const { threshold = 0, onFile } = options.spool;
    if (!(threshold >= 0)) {
      throw new RangeError(`Cannot parse form: spool threshold ${threshold} is invalid`);
    }
    if (typeof onFile !== "function") {
      throw new TypeError("Cannot parse form: spool.onFile must be a function");
    }
  }
  const { signal } = options;
  signal?.throwIfAborted();
  const budget = new FormBudget(limits);
  const query = new URL(request.url).search.slice(1);
  parseUrlEncodedInto(new TextEncoder().encode(query), budget, "query string");

  const type = parseMediaType(request.headers.get("content-type"));
  const isUrlEncoded = type?.essence === "application/x-www-form-urlencoded";
  const isMultipart = type?.essence === "multipart/form-data";
  if (!isUrlEncoded && !isMultipart) return budget.toFields();
  if (request.bodyUsed) {
    throw new TypeError("Cannot parse form: the request body was already read");
  }
  const body = request.body;
  if (body === null) {
    if (isMultipart) throw malformedError("the multipart body is empty");
    return budget.toFields();
  }
  try {
    const charset = type!.params.get("charset");
    if (charset !== undefined && !/^(?:utf-8|us-ascii)$/i.test(charset)) {
      throw new HttpError(
        415,
        `Cannot parse form: charset ${JSON.stringify(charset)} is not supported; send UTF-8`,
      );
    }
    const max = isUrlEncoded ? limits.maxUrlEncodedBytes : limits.maxMultipartBytes;
    const key = isUrlEncoded ? "maxUrlEncodedBytes" : "maxMultipartBytes";
    const declared = request.headers.get("content-length");
    if (declared !== null && /^\d+$/.test(declared) && Number(declared) > max) {
      throw limitError(`a declared body of ${declared} bytes`, max, key);
    }
    if (isUrlEncoded) {
      const bytes = await readBodyLimited(
        body,
        max,
        () => limitError("the body", max, key),
        signal,
        options.budget && ((bytes) => options.budget!.take(bytes)),
      );
      parseUrlEncodedInto(bytes, budget, "body");
    } else {
      const boundary = type!.params.get("boundary");
      if (boundary === undefined) {
        throw malformedError("the multipart Content-Type has no boundary parameter");
      }
      await parseMultipartInto(body, boundary, budget, signal, {
        budget: options.budget,
        spool: options.spool && {
          threshold: options.spool.threshold ?? 1024 * 1024,
          dir: options.spool.dir,
          onFile: options.spool.onFile,
        },
      });
    }
  } catch (error) {
    // Errors found before reading (a declared length, a bad boundary) must not leave the body
    // unread and open either; the readers cancel it themselves on later errors.
    if (!body.locked) await body.cancel(error).catch(() => {});
    throw error;
  }
  return budget.toFields();
}
