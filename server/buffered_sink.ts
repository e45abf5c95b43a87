/**
 * A LogTape sink that keeps log lines in memory and writes them in batches: the server's default.
 *
 * @module
 */
import type { LogRecord, Sink } from "./access_log.ts";
import { formatLogRecord, jsonFormat, type LineFormat } from "./_log_format.ts";
import { LineBuffer } from "./_line_buffer.ts";

export type { LogWriter } from "./_line_buffer.ts";
import type { LogWriter } from "./_line_buffer.ts";

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
  /** The longest a line waits in memory before it is written, in ms; 100 by default. */
  flushInterval?: number;
  /** Past this many waiting lines, they are written at once; 8192 by default. */
  batchSize?: number;
  /**
   * The most lines held while the writer is behind; past it, records are dropped and
   * counted, and the next write says how many (memory stays bounded when the output blocks).
   * 100 000 by default.
   */
  maxPending?: number;
  /**
   * The most bytes held while the writer is behind, dropped and counted past it as with
   * `maxPending`: a client chooses how long its line is. 16 MiB by default.
   */
  maxPendingBytes?: number;
  /**
   * The longest the last write may take when the sink is disposed, and at the process's exit,
   * in ms; 5000 by default. What a writer has not taken by then (a full pipe nobody reads) is
   * dropped, counted and reported on stderr, and the write no longer keeps the process alive.
   */
  closeTimeout?: number;
}

/** A {@linkcode bufferedSink}: a LogTape `Sink` that can be flushed and disposed. */
export interface BufferedSink extends Sink, AsyncDisposable {
  /**
   * Writes every waiting line.
   *
   * @returns When they are written (or the writer failed).
   */
  flush(): Promise<void>;
  /** Writes every waiting line synchronously (for the process's `unload`). */
  flushSync(): void;
  /** How many records were dropped because the writer could not keep up. */
  readonly dropped: number;
}

/**
 * Creates a sink that formats each record at once into a line, keeps the lines in memory as
 * UTF-8 bytes, and writes them in one batch at most `flushInterval` ms later: a request pays for
 * its line's formatting and encoding, and one write per batch happens off its path. Disposing
 * it (`await using`, or `[Symbol.asyncDispose]()`) writes what waits; so does the process's
 * `unload` (a normal exit or `Deno.exit()`), while lines wait. The timer does not keep the
 * process alive.
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
  const lines = new LineBuffer(options);
  const format: LineFormat = options.format === "json"
    ? jsonFormat
    : options.format === undefined || options.format === "text"
    ? formatLogRecord
    : options.format;
  const sink = (record: LogRecord): void => {
    if (lines.admit()) lines.add(format(record));
  };
  Object.defineProperty(sink, "dropped", { get: () => lines.dropped });
  return Object.assign(sink, {
    flush: () => lines.flush(),
    flushSync: () => lines.flushSync(),
    [Symbol.asyncDispose]: () => lines.close(),
  }) as unknown as BufferedSink;
}
