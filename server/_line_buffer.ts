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
  /** The most bytes held while the writer is behind (then dropped and counted); 16 MiB. */
  maxPendingBytes?: number;
  /**
   * The longest the last write may take, at `close()` and at the process's exit, in ms; 5000.
   * What the writer has not taken by then (a full pipe nobody reads) is dropped and counted.
   */
  closeTimeout?: number;
}

/** How long the last write may take by default, in ms. */
export const CLOSE_TIMEOUT = 5000;
const INITIAL_BYTES = 64 * 1024;
// A buffer grown past this by a burst is not kept for the next batch.
const KEEP_BYTES = 1024 * 1024;
// A write that has taken nothing for this long is stuck (a reader that stopped): the process's
// exit does not wait for it.
const STALLED_MS = 1000;

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
  /**
   * The batch being written, how much of it is written, the write under way (if any), the end of
   * its piece, and when a write last ended.
   */
  #batch: Uint8Array | undefined;
  #done = 0;
  #pendingWrite: Promise<number> | undefined;
  #pieceEnd = 0;
  #progressAt = 0;
  /** `settle()` was called: no write starts any more; `flushSync()` writes the rest. */
  #settling = false;
  /** When `close()` gives up; the process's exit keeps to it too. */
  #deadline: number | undefined;
  /** The writer did not take the last lines in time: nothing more is written. */
  #abandoned = false;
  /** Resolved when `close()` gives up, for the flushes still waiting on the stuck write. */
  #gaveUp = Promise.withResolvers<void>();

  constructor(options: LineBufferOptions = {}) {
    const {
      writer = Deno.stdout,
      flushInterval = 100,
      batchSize = 8192,
      maxPending = 100_000,
      maxPendingBytes = 16 * 1024 * 1024,
      closeTimeout = CLOSE_TIMEOUT,
    } = options;
    const bounds = { flushInterval, batchSize, maxPending, maxPendingBytes, closeTimeout };
    for (const [name, value] of Object.entries(bounds)) {
      if (!(value > 0) || !Number.isFinite(value)) {
        throw new RangeError(`Cannot create the log sink: ${name} ${value} is invalid`);
      }
    }
    this.#options = { writer, ...bounds };
  }

  /**
   * Whether one more line fits: `false`, and the line counted dropped, when the writer is
   * `maxPending` lines or `maxPendingBytes` behind (or gave up at close). Asked before a line is
   * formatted, so a dropped one costs nothing. Memory stays under twice `maxPendingBytes` plus
   * a line: what waits, and the batch being written.
   */
  admit(): boolean {
    const { maxPending, maxPendingBytes } = this.#options;
    if (this.#lines < maxPending && this.#length < maxPendingBytes && !this.#abandoned) return true;
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
    if (this.#writing !== undefined || this.#length === 0 || this.#settling) return;
    const bytes = this.#take();
    this.#writing = this.#writeBatch(bytes).catch((error) => {
      // Reported once per batch where it can still be seen; the lines are gone.
      console.error("pubkit: cannot write the log:", error);
    }).finally(() => {
      if (this.#settling) return; // flushSync() writes what is left of the batch
      this.#writing = undefined;
      this.#batch = undefined;
      if (bytes.buffer.byteLength <= KEEP_BYTES) {
        this.#spare = new Uint8Array(bytes.buffer as ArrayBuffer);
      }
      if (this.#lines >= this.#options.batchSize) this.#startWrite();
      else if (this.#lines > 0) this.#arm();
    });
  }

  /** The longest write that keeps lines whole (see {@linkcode nextPiece}), decided once. */
  #limit(): number {
    return this.#pieceLimit ??= isRegularFile(this.#options.writer) ? Infinity : PIPE_BUF;
  }

  /** Writes `bytes` in {@linkcode nextPiece}s, keeping track of how far it got. */
  async #writeBatch(bytes: Uint8Array): Promise<void> {
    const writer = this.#options.writer;
    const limit = this.#limit();
    this.#batch = bytes;
    this.#done = 0;
    this.#progressAt = Date.now();
    while (this.#done < bytes.length) {
      this.#pieceEnd = nextPiece(bytes, this.#done, limit);
      while (this.#done < this.#pieceEnd) {
        const written = await (this.#pendingWrite = writer.write(
          bytes.subarray(this.#done, this.#pieceEnd),
        ));
        this.#pendingWrite = undefined;
        this.#done += written;
        this.#progressAt = Date.now();
        // flushSync() wrote the rest meanwhile, close() gave up on it, or settle() stops here.
        if (this.#batch !== bytes || this.#settling) return;
      }
    }
  }

  /** Writes every waiting line; resolves when they are written (or the writer failed). */
  async flush(): Promise<void> {
    this.#disarm();
    while (!this.#abandoned && (this.#writing !== undefined || this.#length > 0)) {
      if (this.#writing === undefined) this.#startWrite();
      await Promise.race([this.#writing, this.#gaveUp.promise]);
    }
    this.#disarm(); // armed by the last write's end: nothing waits
  }

  /**
   * Writes every waiting line synchronously (for the process's `unload`): what is left of the
   * batch being written, then the rest, until `close()`'s deadline or `closeTimeout` from now. A
   * write still under way (call {@linkcode LineBuffer.settle} first to let it end) finishes its
   * piece itself; a writer that has taken nothing for a second is not waited for. What is not
   * written is counted dropped.
   */
  flushSync(): void {
    this.#disarm();
    if (this.#abandoned) return this.#reportSync(); // what came after close() gave up
    const deadline = this.#deadline ?? Date.now() + this.#options.closeTimeout;
    const stalled = this.#pendingWrite !== undefined &&
      Date.now() - this.#progressAt > STALLED_MS;
    // A stalled write's piece is lost with the rest; a moving one finishes its piece itself.
    const from = this.#pendingWrite !== undefined && !stalled ? this.#pieceEnd : this.#done;
    const rest = this.#batch?.subarray(from);
    this.#batch = undefined; // the asynchronous writes stop after the one under way
    let lost = 0;
    for (const bytes of [rest, this.#length > 0 ? this.#take() : undefined]) {
      if (bytes === undefined) continue;
      const written = stalled ? 0 : this.#writeSync(bytes, deadline);
      lost += countLines(bytes.subarray(written));
    }
    this.#dropped += lost;
    this.#reportSync();
  }

  /** Reports on stderr the lines dropped and not yet reported, where that cannot block. */
  #reportSync(): void {
    const lost = this.#dropped - this.#reported;
    if (lost === 0) return;
    this.#reported = this.#dropped;
    // A stderr that is the same stuck pipe would block: only a terminal or a file.
    if (Deno.stderr.isTerminal() || isRegularFile(Deno.stderr)) {
      Deno.stderr.writeSync(
        new TextEncoder().encode(notWritten(lost, "before the process exited")),
      );
    }
  }

  /** Writes `bytes` in pieces until `deadline`; returns how many bytes were written. */
  #writeSync(bytes: Uint8Array, deadline: number): number {
    const writer = this.#options.writer;
    const limit = this.#limit();
    let start = 0;
    while (start < bytes.length && Date.now() < deadline) {
      const end = nextPiece(bytes, start, limit);
      for (let done = start; done < end;) done += writer.writeSync(bytes.subarray(done, end));
      start = end;
    }
    return start;
  }

  /**
   * Starts no more writes and lets the one under way end (for at most a second), so that a
   * `flushSync()` right after, at an exit that cannot wait, writes each line exactly once.
   */
  async settle(): Promise<void> {
    this.#settling = true;
    this.#disarm();
    await within(this.#pendingWrite?.catch(() => 0), STALLED_MS);
  }

  /**
   * Writes what waits and stops listening for `unload`. A writer that has not taken it all
   * within `closeTimeout` is given up on: what it has not taken is counted dropped and reported
   * on stderr, and its write no longer keeps the process alive.
   */
  async close(): Promise<void> {
    if (this.#abandoned) return;
    const timeout = this.#options.closeTimeout;
    this.#deadline = Date.now() + timeout;
    const written = await within(this.flush(), timeout);
    this.#deadline = undefined;
    if (!written) {
      this.#abandon(timeout);
      // Kept, and added if need be: lines logged from now on are dropped, and counted at exit.
      if (!this.#onUnload) globalThis.addEventListener("unload", this.#unload);
      this.#onUnload = true;
      return;
    }
    if (this.#onUnload) globalThis.removeEventListener("unload", this.#unload);
    this.#onUnload = false;
  }

  #abandon(timeout: number): void {
    let lost = this.#lines;
    if (this.#batch !== undefined) lost += countLines(this.#batch.subarray(this.#done));
    this.#abandoned = true;
    this.#gaveUp.resolve();
    this.#batch = undefined;
    this.#dropped += lost;
    this.#reported = this.#dropped;
    this.#length = 0;
    this.#lines = 0;
    unrefWrite(this.#pendingWrite);
    if (lost === 0) return;
    const report = new TextEncoder().encode(notWritten(lost, `within ${timeout} ms of close`));
    unrefWrite(Deno.stderr.write(report).catch(() => 0));
  }
}

/** Whether `promise` settles within `ms` (waiting no longer); `undefined` counts as settled. */
export async function within(promise: Promise<unknown> | undefined, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), ms));
  try {
    return await Promise.race([promise?.then(() => true) ?? true, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function notWritten(lines: number, when: string): string {
  return `pubkit: ${lines} log lines not written: the log output did not take them ${when}\n`;
}

/**
 * Lets a write that may never end (to a full pipe nobody reads) stop keeping the process alive.
 * Deno has no public API for it; its core has one, and a `Deno.stdout` or `Deno.FsFile` write's
 * promise is the core's own. Where either is not so (another runtime version, a writer of one's
 * own), nothing happens: `close()` still returns, but the process lives until the write ends.
 */
function unrefWrite(promise: Promise<unknown> | undefined): void {
  if (promise === undefined) return;
  try {
    const { internal } = Deno as unknown as { internal?: symbol };
    const core = internal === undefined ? undefined : (Deno as unknown as Record<
      symbol,
      { core?: { unrefOpPromise?: (promise: Promise<unknown>) => void } } | undefined
    >)[internal]?.core;
    core?.unrefOpPromise?.(promise);
  } catch {
    // not an op's promise
  }
}

function countLines(bytes: Uint8Array): number {
  let lines = 0;
  for (let at = bytes.indexOf(NEWLINE); at >= 0; at = bytes.indexOf(NEWLINE, at + 1)) lines++;
  return lines;
}

/**
 * The end of the piece of `bytes` from `start` to write next: whole lines of at most `limit`
 * bytes (a longer line alone). To a pipe, a socket or a terminal the limit is `PIPE_BUF` (4096):
 * a write that size to a pipe is atomic, so lines of several processes or `deno serve --parallel`
 * workers sharing one stdout never interleave within a line. To a regular file every write lands
 * whole (the kernel places each `write()` under the file's lock), so a batch goes out in one
 * write: a 4 KiB `Deno.stdout.write()` costs 20-42 µs of CPU here, about what one of 64 KiB costs.
 */
function nextPiece(bytes: Uint8Array, start: number, limit: number): number {
  const end = Math.min(start + limit, bytes.length);
  if (end === bytes.length) return end;
  const lastNewline = bytes.lastIndexOf(NEWLINE, end - 1);
  if (lastNewline >= start) return lastNewline + 1;
  return bytes.indexOf(NEWLINE, end) + 1 || bytes.length; // one long line
}

/**
 * Whether `writer` is a regular file: an open `Deno.FsFile`, or stdout or stderr redirected to a
 * file (seen through `/proc/self/fd/` on Linux, only when reading it is already allowed: this never
 * asks for a permission). Anything unknown counts as a pipe.
 */
export function isRegularFile(writer: LogWriter): boolean {
  try {
    if (writer === Deno.stdout || writer === Deno.stderr) {
      const path = `/proc/self/fd/${writer === Deno.stdout ? 1 : 2}`;
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
