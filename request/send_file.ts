/**
 * `sendFile()`: mod_python's `req.sendfile(path, offset, length)`, answering `Range` requests
 * and preconditions.
 *
 * @module
 */
import { notModified, rangeApplies } from "./conditional.ts";
import { endResponse, type Req } from "./req.ts";

/** Options for {@linkcode sendFile}. */
export interface SendFileOptions {
  /** Where the served part starts in the file; 0 by default. */
  offset?: number;
  /** How many bytes to serve from `offset`; to the end of the file by default. */
  length?: number;
}

/** A `Range` header's answer for a representation of `size` bytes. */
export type RangeAnswer =
  | { start: number; end: number } // `end` exclusive
  | "unsatisfiable"
  | undefined; // no (usable) range: serve the whole

/**
 * Reads a `Range` header: one `bytes=` range (`a-b`, `a-`, or the suffix `-n`). Several ranges,
 * another unit or a malformed value are ignored (the whole is served, as RFC 9110 §14.2
 * allows); a range starting past the end is `"unsatisfiable"` (416).
 *
 * @example
 * ```ts
 * import { parseRange } from "@pubkit/request/body";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseRange("bytes=0-3", 10), { start: 0, end: 4 });
 * assert.deepEqual(parseRange("bytes=-3", 10), { start: 7, end: 10 });
 * assert.deepEqual(parseRange("bytes=8-", 10), { start: 8, end: 10 });
 * assert.equal(parseRange("bytes=10-", 10), "unsatisfiable");
 * assert.equal(parseRange("bytes=0-1,4-5", 10), undefined);
 * ```
 *
 * @param header The `Range` header value, or `null`.
 * @param size The representation's size in bytes.
 * @returns The half-open byte range, `"unsatisfiable"`, or `undefined` for the whole.
 */
export function parseRange(header: string | null, size: number): RangeAnswer {
  const match = header === null ? null : /^bytes=[ \t]*(\d*)-(\d*)[ \t]*$/i.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size };
  }
  const start = Number(match[1]);
  if (match[2] !== "" && Number(match[2]) < start) return undefined; // invalid: ignored
  if (start >= size) return "unsatisfiable";
  const last = match[2] === "" ? size - 1 : Number(match[2]);
  return { start, end: Math.min(last + 1, size) };
}

/**
 * Sends a file (or the part `offset`, `length` of it) as the response: `Content-Length`,
 * `Accept-Ranges: bytes`, a weak `ETag` and `Last-Modified` (unless the handler set them),
 * `304` when the request's preconditions match, and `206 Partial Content` (or `416`) for a
 * single `Range` of a `GET`. The content type is `req.contentType`, else
 * `application/octet-stream`. Symbolic links are followed. The path is the application's: never
 * build it from request input.
 *
 * @example
 * ```ts
 * import { Req, sendFile } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "  test ok  ");
 * const whole = await sendFile(new Req(new Request("http://localhost/")), path, { offset: 2, length: 7 });
 * assert.equal(await whole.text(), "test ok");
 * const part = await sendFile(
 *   new Req(new Request("http://localhost/", { headers: { range: "bytes=5-" } })),
 *   path,
 *   { offset: 2, length: 7 },
 * );
 * assert.equal(part.status, 206);
 * assert.equal(part.headers.get("content-range"), "bytes 5-6/7");
 * assert.equal(await part.text(), "ok");
 * await Deno.remove(path);
 * ```
 *
 * @param req The request.
 * @param path The file.
 * @param options The part of the file to send.
 * @returns The response to return from the handler.
 * @throws {RangeError} When `offset` or `length` is not a non-negative integer.
 * @throws {Deno.errors.NotFound} When the file does not exist.
 * @throws {TypeError} When the path is not a file.
 */
export async function sendFile(
  req: Req,
  path: string | URL,
  options: SendFileOptions = {},
): Promise<Response> {
  const { offset = 0, length = Infinity } = options;
  for (const [name, value] of [["offset", offset], ["length", length]] as const) {
    if (value !== Infinity && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new RangeError(`Cannot send the file: ${name} ${value} is not a non-negative integer`);
    }
  }
  const info = await Deno.stat(path);
  if (!info.isFile) throw new TypeError(`Cannot send ${path}: it is not a file`);
  const first = Math.min(offset, info.size);
  const size = Math.min(length, info.size - first);
  const headers = req.responseHeaders;
  if (info.mtime) req.updateMtime(info.mtime);
  if (!headers.has("last-modified") && req.mtime) req.setLastModified();
  if (!headers.has("etag")) {
    const mtime = info.mtime?.getTime() ?? 0;
    const part = offset === 0 && size === info.size ? "" : `-${first.toString(36)}`;
    req.setEtag(`W/"${info.size.toString(36)}-${mtime.toString(36)}${part}"`);
  }
  headers.set("accept-ranges", "bytes");
  const validators = { etag: headers.get("etag"), lastModified: headers.get("last-modified") };
  const getting = req.method === "GET" || req.method === "HEAD";
  if (getting && req.status === 200 && notModified(req.headers, validators)) {
    req.status = 304;
    return endResponse(req, null, null);
  }
  let start = 0;
  let end = size;
  if (req.method === "GET" && req.status === 200 && rangeApplies(req.headers, validators)) {
    const range = parseRange(req.headers.get("range"), size);
    if (range === "unsatisfiable") {
      req.status = 416;
      headers.set("content-range", `bytes */${size}`);
      return endResponse(req, "", "text/plain;charset=UTF-8");
    }
    if (range) {
      ({ start, end } = range);
      req.status = 206;
      headers.set("content-range", `bytes ${start}-${end - 1}/${size}`);
    }
  }
  headers.set("content-length", String(end - start));
  const type = "application/octet-stream";
  if (req.method === "HEAD" || end === start) return endResponse(req, new Uint8Array(0), type);
  return endResponse(req, await fileSlice(path, first + start, end - start), type);
}

/** A stream of `count` bytes of the file from `position`; the file is closed at its end. */
async function fileSlice(
  path: string | URL,
  position: number,
  count: number,
): Promise<ReadableStream<Uint8Array>> {
  const file = await Deno.open(path);
  try {
    await file.seek(position, Deno.SeekMode.Start);
  } catch (error) {
    file.close();
    throw error;
  }
  let left = count;
  return new ReadableStream<Uint8Array>({
    type: "bytes",
    async pull(controller) {
      const buffer = new Uint8Array(Math.min(left, 64 * 1024));
      const read = await file.read(buffer);
      if (read === null) {
        file.close();
        controller.error(new Error(`Cannot send ${path}: it shrank while being sent`));
        return;
      }
      left -= read;
      controller.enqueue(buffer.subarray(0, read));
      if (left === 0) {
        file.close();
        controller.close();
      }
    },
    cancel() {
      file.close();
    },
  });
}
