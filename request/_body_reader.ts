// Internal: reads a body stream chunk by chunk, counting the bytes actually read, and gives up
// (cancelling the stream) on abort or error.
import { BodyBuffer } from "./_body_buffer.ts";
import { HttpError } from "./http_error.ts";

const CHUNK = 64 * 1024;

export class BodyReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader;
  // For a byte stream (a request body): one buffer, read into and handed back at each read.
  #buffer: Uint8Array<ArrayBuffer> | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort: () => void;
  #bytesRead = 0;
  #closed = false;

  constructor(stream: ReadableStream<Uint8Array>, signal?: AbortSignal) {
    let byob: ReadableStreamBYOBReader | undefined;
    try {
      byob = stream.getReader({ mode: "byob" });
      this.#buffer = new Uint8Array(CHUNK);
    } catch {
      // not a byte stream: read chunk by chunk
    }
    this.#reader = byob ?? stream.getReader();
    this.#signal = signal;
    // Cancelling settles a pending read at once, so an abort never waits for the next chunk.
    this.#onAbort = () => void this.#reader.cancel(signal?.reason).catch(() => {});
    signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** Bytes read so far. */
  get bytesRead(): number {
    return this.#bytesRead;
  }

  /**
   * The next chunk, or `undefined` at the end; valid only until the next read (for a byte
   * stream it is a view of a reused buffer: copy what you keep). Rejects with the signal's
   * reason on abort.
   */
  async read(): Promise<Uint8Array | undefined> {
    this.#signal?.throwIfAborted();
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = this.#buffer === undefined
        ? await (this.#reader as ReadableStreamDefaultReader<Uint8Array>).read()
        : await (this.#reader as ReadableStreamBYOBReader).read(this.#buffer);
    } catch (error) {
      this.#signal?.throwIfAborted();
      this.#closed = true;
      // A body guarded by a deadline fails with its own status (408): keep it.
      if (error instanceof HttpError) throw error;
      // A body that fails mid-read (the client went away, a broken chunked encoding) is the
      // request's fault, not the server's: a 400, never a 500.
      throw new HttpError(400, "Cannot parse form: the request body could not be read", {
        cause: error,
      });
    }
    this.#signal?.throwIfAborted();
    const { done, value } = result;
    if (done) {
      this.#closed = true;
      return undefined;
    }
    if (!(value instanceof Uint8Array)) {
      throw new TypeError("Cannot read body: a chunk is not a Uint8Array");
    }
    if (this.#buffer !== undefined) this.#buffer = new Uint8Array(value.buffer as ArrayBuffer);
    this.#bytesRead += value.length;
    return value;
  }

  /** Cancels the stream (unless it ended) and releases it. */
  async cancel(reason: unknown): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      await this.#reader.cancel(reason).catch(() => {});
    }
    this.release();
  }

  /** Stops listening to the signal and releases the stream's lock. */
  release(): void {
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#reader.releaseLock();
  }
}

/**
 * Runs `consume` over a body, cancelling the stream when it throws (a limit, a malformed body,
 * an abort) so that the rest of the body is never read.
 */
export async function withBodyReader<T>(
  stream: ReadableStream<Uint8Array>,
  signal: AbortSignal | undefined,
  consume: (reader: BodyReader) => Promise<T>,
): Promise<T> {
  signal?.throwIfAborted();
  const reader = new BodyReader(stream, signal);
  let result: T;
  try {
    result = await consume(reader);
  } catch (error) {
    await reader.cancel(signal?.aborted ? signal.reason : error);
    throw error;
  }
  reader.release();
  return result;
}

/**
 * Reads a whole body, failing with `onLimit()` once more than `max` bytes were read; each chunk
 * kept is counted with `take` first (which may throw).
 */
export function readBodyLimited(
  stream: ReadableStream<Uint8Array>,
  max: number,
  onLimit: () => Error,
  signal?: AbortSignal,
  take?: (bytes: number) => void,
): Promise<Uint8Array> {
  return withBodyReader(stream, signal, async (reader) => {
    const buffer = new BodyBuffer();
    for (let chunk = await reader.read(); chunk !== undefined; chunk = await reader.read()) {
      if (reader.bytesRead > max) throw onLimit();
      take?.(chunk.length);
      buffer.push(chunk);
    }
    return buffer.bytes();
  });
}
