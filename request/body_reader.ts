/**
 * `BodyReader`: mod_python's `req.read()`, `req.readline()`, `req.readlines()` and
 * `req.discard_request_body()` over a web request body.
 *
 * @module
 */
import type { ByteBudget } from "./body_budget.ts";

/** Options for {@linkcode BodyReader}. */
export interface BodyReaderOptions {
  /** Counts the bytes the reader holds in its buffer (an app's `BodyBudget`: 503 past it). */
  budget?: ByteBudget;
}

const EMPTY = new Uint8Array(0);
const LF = 10;

/**
 * Reads a request body by bytes or by lines (`\n`-terminated, the `\n` kept, as mod_python's
 * `readline`). Every read is bounded by what it asks for: `readLine(limit)` returns at most
 * `limit` bytes even when the line is longer, and the rest of the line comes next. The bytes
 * waiting in its buffer count against `budget` until they are handed out.
 *
 * @example
 * ```ts
 * import { BodyReader } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
 * const body = new Request("http://localhost/", { method: "POST", body: "one\ntwo\nthree" }).body;
 * const reader = new BodyReader(body);
 * assert.equal(text(await reader.readLine()), "one\n");
 * assert.equal(text(await reader.read(2)), "tw");
 * assert.deepEqual((await reader.readLines()).map(text), ["o\n", "three"]);
 * assert.equal((await reader.readLine()).length, 0); // the end
 * ```
 */
export class BodyReader {
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #buffered: Uint8Array = EMPTY;
  #done: boolean;
  #budget: ByteBudget | undefined;

  /**
   * Wraps a body stream (locking it); `null` reads as empty.
   *
   * @param body The body, e.g. `request.body`.
   * @param options The budget that counts buffered bytes.
   */
  constructor(body: ReadableStream<Uint8Array> | null, options: BodyReaderOptions = {}) {
    this.#reader = body?.getReader();
    this.#done = body === null;
    this.#budget = options.budget;
  }

  /** Pulls one more chunk into the buffer; false at the end of the body. */
  async #fill(): Promise<boolean> {
    if (this.#done) return false;
    const { done, value } = await this.#reader!.read();
    if (done) {
      this.#done = true;
      return false;
    }
    try {
      this.#budget?.take(value.byteLength);
    } catch (error) {
      this.#done = true;
      this.#reader!.cancel(error).catch(() => {});
      throw error;
    }
    this.#buffered = this.#buffered.length === 0 ? value : concat(this.#buffered, value);
    return true;
  }

  #take(n: number): Uint8Array {
    const out = this.#buffered.subarray(0, n);
    this.#buffered = this.#buffered.subarray(n);
    this.#budget?.give(out.byteLength);
    return out;
  }

  /**
   * Reads `max` bytes, fewer only at the end of the body; the whole rest without `max`.
   *
   * @param max The most bytes to return.
   * @returns The bytes; empty at the end.
   * @throws {RangeError} When `max` is not a non-negative integer.
   */
  async read(max: number = Infinity): Promise<Uint8Array> {
    checkSize("read", max);
    while (this.#buffered.length < max && await this.#fill());
    return this.#take(Math.min(max, this.#buffered.length));
  }

  /**
   * Reads one line, with its `\n`; the last line may lack one.
   *
   * @param limit The most bytes to return (a longer line comes in pieces).
   * @returns The line; empty at the end.
   * @throws {RangeError} When `limit` is not a non-negative integer.
   */
  async readLine(limit: number = Infinity): Promise<Uint8Array> {
    checkSize("read a line of", limit);
    let searched = 0;
    while (true) {
      const newline = this.#buffered.indexOf(LF, searched);
      if (newline >= 0) return this.#take(Math.min(newline + 1, limit));
      if (this.#buffered.length >= limit) return this.#take(limit);
      searched = this.#buffered.length;
      if (!await this.#fill()) return this.#take(Math.min(this.#buffered.length, limit));
    }
  }

  /**
   * Reads whole lines until the end, or, with `sizeHint`, until they total at least that many
   * bytes (Python's `readlines(sizehint)`).
   *
   * @param sizeHint Stop once this many bytes were read.
   * @returns The lines.
   * @throws {RangeError} When `sizeHint` is not a non-negative integer.
   */
  async readLines(sizeHint: number = Infinity): Promise<Uint8Array[]> {
    checkSize("read lines of", sizeHint);
    const lines: Uint8Array[] = [];
    let total = 0;
    while (total < sizeHint || sizeHint === 0) {
      const line = await this.readLine();
      if (line.length === 0) break;
      lines.push(line);
      total += line.length;
    }
    return lines;
  }

  /**
   * Reads and drops the rest of the body (mod_python's `discard_request_body`).
   *
   * @returns How many bytes were dropped.
   */
  async discard(): Promise<number> {
    let dropped = this.#take(this.#buffered.length).length;
    while (await this.#fill()) dropped += this.#take(this.#buffered.length).length;
    return dropped;
  }

  /**
   * The lines of the body, one at a time.
   *
   * @returns An async iterator of lines.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (let line = await this.readLine(); line.length > 0; line = await this.readLine()) {
      yield line;
    }
  }
}

function checkSize(action: string, n: number): void {
  if (n !== Infinity && !(Number.isInteger(n) && n >= 0)) {
    throw new RangeError(`Cannot ${action} ${n} bytes: give a non-negative integer`);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
