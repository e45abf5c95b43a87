// Internal: log lines kept as UTF-8 bytes in one growing buffer and written in batches. Each line
// is encoded when it is added (`add()`, or written in place through `reserve()` and `commit()`),
// so nothing of a request outlives it but its bytes: records kept until the flush survived the
// young-generation collections and their copying was a sixth of the access log's cost
// (bench/RESULTS.md, "Logging" and "Tenth round").

/** Where log lines go: `Deno.stdout` by default, or an open file. */
export interface LogWriter {
  /** Writes some of `bytes`, resolving with how many. */
  write(bytes: Uint8Array): Promise<number>;
  /** Writes some of `bytes` at once, returning how many (used only when the process exits). */
  writeSync(bytes: Uint8Array): number;
}

/** Bounds and timing of a {@linkcode LineBuffer} (the defaults of `bufferedSink()`). */
export interface LineBufferOptions {
  /** Where the lines go; `Deno.stdout` by default. */
  writer?: LogWriter;
  /** The longest a line waits before it is written, in ms; 100 by default. */
  flushInterval?: number;
  /** Past this many waiting lines, they are written at once; 8192 by default. */
  batchSize?: number;
  /** The most lines held while the writer is behind (then dropped and counted); 100 000. */
  maxPending?: number;
}

const INITIAL_BYTES = 64 * 1024;
// A buffer grown past this by a burst is not kept for the next batch.
const KEEP_BYTES = 1024 * 1024;

/** Lines waiting as bytes, written by one timer per batch and at the process's `unload`. */
export class LineBuffer {
  #options: Required<LineBufferOptions>;
  #encoder = new TextEncoder();
  #bytes: Uint8Array<ArrayBuffer> = new Uint8Array(INITIAL_BYTES);
  #spare: Uint8Array<ArrayBuffer> | undefined;
  #length = 0;
  #lines = 0;
  #writing: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #dropped = 0;
  #reported = 0;
  #onUnload = false;
  /** The longest write that keeps lines whole (decided at the first write). */
  #pieceLimit: number | undefined;

  constructor(options: LineBufferOptions = {}) {
    const {
      writer = Deno.stdout,
      flushInterval = 100,
      batchSize = 8192,
      maxPending = 100_000,
    } = options;
    for (const [name, value] of Object.entries({ flushInterval, batchSize, maxPending })) {
      if (!(value > 0) || !Number.isFinite(value)) {
        throw new RangeError(`Cannot create the log sink: ${name} ${value} is invalid`);
      }
    }
    this.#options = { writer, flushInterval, batchSize, maxPending };
  }

  /**
   * Whether one more line fits: `false`, and the line counted dropped, when the writer is
   * `maxPending` lines behind. Asked before a line is formatted, so a dropped one costs nothing.
   */
  admit(): boolean {
    if (this.#lines < this.#options.maxPending) return true;
    this.#dropped++;
    return false;
  }

  /** How many lines were dropped because the writer could not keep up. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Adds `line` (ending in `\n`); {@linkcode LineBuffer.admit} said it fits. */
  add(line: string): void {
    const bytes = this.reserve(line.length * 3); // UTF-8 takes at most 3 bytes per UTF-16 unit
    const target = this.#length === 0 ? bytes : bytes.subarray(this.#length);
    this.commit(this.#length + this.#encoder.encodeInto(line, target).written);
  }

  /** Bytes taken so far: where the next line starts in {@linkcode LineBuffer.reserve}'s buffer. */
  get length(): number {
    return this.#length;
  }

  /** The buffer, with room for `n` more bytes from {@linkcode LineBuffer.length} on. */
  reserve(n: number): Uint8Array {
    if (this.#bytes.length - this.#length < n) {
      const grown = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + n));
      grown.set(this.#bytes.subarray(0, this.#length));
      this.#bytes = grown;
    }
    return this.#bytes;
  }

  /** Counts one line, written into the reserved room up to `end` (after its `\n`). */
  commit(end: number): void {
    this.#length = end;
    this.#lines++;
    if (this.#writing !== undefined) return; // the write's end arms the timer
    if (this.#lines >= this.#options.batchSize) {
      this.#disarm();
      this.#startWrite();
    } else if (this.#timer === undefined) this.#arm();
  }

  /** The waiting lines as bytes (the report of drops last); the buffer starts over. */
  #take(): Uint8Array {
    if (this.#dropped > this.#reported) {
      const report = `pubkit: ${this.#dropped - this.#reported} log records dropped: ` +
        "the log output did not keep up\n";
      const bytes = this.reserve(report.length);
      this.#length += this.#encoder.encodeInto(report, bytes.subarray(this.#length)).written;
      this.#reported = this.#dropped;
    }
    const taken = this.#bytes.subarray(0, this.#length);
    this.#bytes = this.#spare ?? new Uint8Array(INITIAL_BYTES);
    this.#spare = undefined;
    this.#length = 0;
    this.#lines = 0;
    return taken;
  }

  #arm(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#startWrite();
    }, this.#options.flushInterval);
    Deno.unrefTimer(this.#timer);
    if (!this.#onUnload) {
      this.#onUnload = true;
      globalThis.addEventListener("unload", this.#unload);
    }
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #unload = () => this.flushSync();

  #startWrite(): void {
    if (this.#writing !== undefined || this.#length === 0) return;
    const bytes = this.#take();
    const writer = this.#options.writer;
    this.#pieceLimit ??= isRegularFile(writer) ? Infinity : PIPE_BUF;
    this.#writing = writeAll(writer, bytes, this.#pieceLimit).catch((error) => {
      // Reported once per batch where it can still be seen; the lines are gone.
      console.error("pubkit: cannot write the log:", error);
    }).finally(() => {
      this.#writing = undefined;
      if (bytes.buffer.byteLength <= KEEP_BYTES) {
        this.#spare = new Uint8Array(bytes.buffer as ArrayBuffer);
      }
      if (this.#lines >= this.#options.batchSize) this.#startWrite();
      else if (this.#lines > 0) this.#arm();
    });
  }

  /** Writes every waiting line; resolves when they are written (or the writer failed). */
  async flush(): Promise<void> {
    this.#disarm();
    while (this.#writing !== undefined || this.#length > 0) {
      if (this.#writing === undefined) this.#startWrite();
      await this.#writing;
    }
    this.#disarm(); // armed by the last write's end: nothing waits
  }

  /** Writes every waiting line synchronously (for the process's `unload`). */
  flushSync(): void {
    this.#disarm();
    if (this.#length === 0) return;
    const bytes = this.#take();
    for (let done = 0; done < bytes.length;) {
      done += this.#options.writer.writeSync(bytes.subarray(done));
    }
  }

  /** Writes what waits and stops listening for `unload`. */
  async close(): Promise<void> {
    await this.flush();
    if (this.#onUnload) globalThis.removeEventListener("unload", this.#unload);
    this.#onUnload = false;
  }
}

/**
 * Writes `bytes` in pieces of whole lines of at most `limit` bytes where it can (a longer line
 * alone). To a pipe, a socket or a terminal the limit is `PIPE_BUF` (4096): a write that size to
 * a pipe is atomic, so lines of several processes or `deno serve --parallel` workers sharing one
 * stdout never interleave within a line. To a regular file every write lands whole (the kernel
 * places each `write()` under the file's lock), so a batch goes out in one write: a 4 KiB
 * `Deno.stdout.write()` costs 20-42 µs of CPU here, about what one of 64 KiB costs.
 */
async function writeAll(writer: LogWriter, bytes: Uint8Array, limit: number): Promise<void> {
  for (let start = 0; start < bytes.length;) {
    let end = Math.min(start + limit, bytes.length);
    if (end < bytes.length) {
      const lastNewline = bytes.lastIndexOf(NEWLINE, end - 1);
      if (lastNewline >= start) end = lastNewline + 1;
      else end = bytes.indexOf(NEWLINE, end) + 1 || bytes.length; // one long line
    }
    for (let done = start; done < end;) done += await writer.write(bytes.subarray(done, end));
    start = end;
  }
}

/**
 * Whether `writer` is a regular file: an open `Deno.FsFile`, or stdout redirected to a file
 * (seen through `/proc/self/fd/1` on Linux, only when reading it is already allowed: this never
 * asks for a permission). Anything unknown counts as a pipe.
 */
export function isRegularFile(writer: LogWriter): boolean {
  try {
    if (writer === Deno.stdout) {
      const path = "/proc/self/fd/1";
      return Deno.build.os === "linux" &&
        Deno.permissions.querySync({ name: "read", path }).state === "granted" &&
        Deno.statSync(path).isFile;
    }
    const { statSync } = writer as { statSync?: () => Deno.FileInfo };
    return typeof statSync === "function" && statSync.call(writer).isFile;
  } catch {
    return false;
  }
}

const PIPE_BUF = 4096;
const NEWLINE = 10;
