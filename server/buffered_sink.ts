/**
 * A LogTape sink that keeps records in memory and writes them in batches: the server's default.
 *
 * @module
 */
import type { LogRecord, Sink } from "./access_log.ts";
import { formatLogRecord, jsonFormat, type LineFormat } from "./_log_format.ts";

/** Where a {@linkcode bufferedSink} writes: `Deno.stdout` by default, or an open file. */
export interface LogWriter {
  /** Writes some of `bytes`, resolving with how many. */
  write(bytes: Uint8Array): Promise<number>;
  /** Writes some of `bytes` at once, returning how many (used only when the process exits). */
  writeSync(bytes: Uint8Array): number;
}

/** Options for {@linkcode bufferedSink}. */
export interface BufferedSinkOptions {
  /**
   * `"text"` (default): an access record as `<time> <addr> "<method> <path>" <status> <ms>ms
   * <request id> <route>`, any other as `<time> <LEVEL> <category>: <message>` with an error's
   * stack on indented lines below, every field a client can choose escaped. `"json"`: LogTape's
   * JSON-lines format. Or a function that formats one record as a line ending in `\n`.
   */
  format?: "text" | "json" | ((record: LogRecord) => string);
  /** Where the lines go; `Deno.stdout` by default. */
  writer?: LogWriter;
  /** The longest a record waits in memory before it is written, in ms; 100 by default. */
  flushInterval?: number;
  /** Past this many waiting records, they are written at once; 8192 by default. */
  batchSize?: number;
  /**
   * The most records held while the writer is behind; past it, records are dropped and
   * counted, and the next write says how many (memory stays bounded when the output blocks).
   * 100 000 by default.
   */
  maxPending?: number;
}

/** A {@linkcode bufferedSink}: a LogTape `Sink` that can be flushed and disposed. */
export interface BufferedSink extends Sink, AsyncDisposable {
  /**
   * Writes every waiting record.
   *
   * @returns When they are written (or the writer failed).
   */
  flush(): Promise<void>;
  /** Writes every waiting record synchronously (for the process's `unload`). */
  flushSync(): void;
  /** How many records were dropped because the writer could not keep up. */
  readonly dropped: number;
}

/**
 * Creates a sink that keeps records in memory and writes them in one batch at most
 * `flushInterval` ms later: a request pays for pushing its record, and formatting and one write
 * per batch happen off its path. Disposing it (`await using`, or `[Symbol.asyncDispose]()`)
 * writes what waits; so does the process's `unload` (a normal exit or `Deno.exit()`), while
 * records wait. The timer does not keep the process alive.
 *
 * `createApp()` uses one, writing text to stdout, when neither its `log` option nor LogTape is
 * configured; pass one as `log` for JSON lines or another writer.
 *
 * @example JSON lines into a file
 * ```ts
 * import { bufferedSink } from "@pubkit/server";
 * import { AccessRecord } from "@pubkit/server";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempFile();
 * using file = await Deno.open(path, { write: true });
 * {
 *   await using sink = bufferedSink({ format: "json", writer: file });
 *   sink(new AccessRecord({
 *     method: "GET",
 *     path: "/hello",
 *     status: 200,
 *     duration: 0.4,
 *     requestId: "r1",
 *     remoteAddr: "127.0.0.1",
 *     route: "/hello",
 *   }, Date.now()));
 * } // disposed: written
 * const line = JSON.parse(await Deno.readTextFile(path));
 * assert.equal(line.message, "{method} {path} {status} {duration}ms");
 * assert.equal(line.properties.path, "/hello");
 * assert.equal(line.properties.status, 200);
 * await Deno.remove(path);
 * ```
 *
 * @param options Format, writer, interval and bounds.
 * @returns The sink.
 * @throws {RangeError} For an interval or a bound that is not a positive number.
 */
export function bufferedSink(options: BufferedSinkOptions = {}): BufferedSink {
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
  const format: LineFormat = options.format === "json"
    ? jsonFormat
    : options.format === undefined || options.format === "text"
    ? formatLogRecord
    : options.format;
  const encoder = new TextEncoder();
  let waiting: LogRecord[] = [];
  let writing: Promise<void> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let dropped = 0;
  let reported = 0;
  let onUnload = false;

  const unload = () => flushSync();

  /** The waiting records as bytes; the list starts over. */
  const take = (): Uint8Array => {
    const records = waiting;
    waiting = [];
    let text = "";
    for (let i = 0; i < records.length; i++) text += format(records[i]!);
    if (dropped > reported) {
      text += `pubkit: ${dropped - reported} log records dropped: the log output did not keep up\n`;
      reported = dropped;
    }
    return encoder.encode(text);
  };

  const arm = () => {
    timer = setTimeout(onTimer, flushInterval);
    Deno.unrefTimer(timer);
    if (!onUnload) {
      onUnload = true;
      globalThis.addEventListener("unload", unload);
    }
  };

  const onTimer = () => {
    timer = undefined;
    startWrite();
  };

  const startWrite = () => {
    if (writing !== undefined || waiting.length === 0) return;
    const bytes = take();
    writing = writeAll(writer, bytes).catch((error) => {
      // Reported once per batch where it can still be seen; the records are gone.
      console.error("pubkit: cannot write the log:", error);
    }).finally(() => {
      writing = undefined;
      if (waiting.length >= batchSize) startWrite();
      else if (waiting.length > 0) arm();
    });
  };

  function flushSync(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (waiting.length === 0) return;
    const bytes = take();
    for (let done = 0; done < bytes.length;) done += writer.writeSync(bytes.subarray(done));
  }

  const sink = (record: LogRecord): void => {
    if (waiting.length >= maxPending) {
      dropped++;
      return;
    }
    waiting.push(record);
    if (writing !== undefined) return; // the write's end arms the timer
    if (waiting.length >= batchSize) {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      startWrite();
    } else if (timer === undefined) arm();
  };

  const flush = async (): Promise<void> => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    while (writing !== undefined || waiting.length > 0) {
      if (writing === undefined) startWrite();
      await writing;
    }
    if (timer !== undefined) clearTimeout(timer); // armed by the last write's end: nothing waits
    timer = undefined;
  };

  const dispose = async (): Promise<void> => {
    await flush();
    if (onUnload) globalThis.removeEventListener("unload", unload);
    onUnload = false;
  };
  Object.defineProperty(sink, "dropped", { get: () => dropped });
  return Object.assign(sink, {
    flush,
    flushSync,
    [Symbol.asyncDispose]: dispose,
  }) as unknown as BufferedSink;
}

/**
 * Writes `bytes` in pieces of whole lines of at most `PIPE_BUF` (4096) bytes where it can: a
 * write that size to a pipe is atomic, so lines of several processes or `deno serve --parallel`
 * workers sharing one stdout never interleave within a line (a longer line is written alone).
 */
async function writeAll(writer: LogWriter, bytes: Uint8Array): Promise<void> {
  for (let start = 0; start < bytes.length;) {
    let end = Math.min(start + PIPE_BUF, bytes.length);
    if (end < bytes.length) {
      const lastNewline = bytes.lastIndexOf(NEWLINE, end - 1);
      if (lastNewline >= start) end = lastNewline + 1;
      else end = bytes.indexOf(NEWLINE, end) + 1 || bytes.length; // one long line
    }
    for (let done = start; done < end;) done += await writer.write(bytes.subarray(done, end));
    start = end;
  }
}

const PIPE_BUF = 4096;
const NEWLINE = 10;
