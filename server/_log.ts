// Internal: where an app's log records go. The app's `log` sink when it has one; else LogTape,
// when the application has configured it (the library never configures LogTape itself); else
// lines of the app's own, buffered and written to stdout, so that an app nobody configured still
// keeps an access log.
import { getConfig, getLogger } from "@logtape/logtape";
import type { AccessLogProperties, LogLevel, LogRecord, Sink } from "./access_log.ts";
import { AccessRecord } from "./access_log.ts";
import { formatLogRecord } from "./_log_format.ts";
import { accessLineMaxBytes, writeAccessLine } from "./_access_line.ts";
import { CLOSE_TIMEOUT, LineBuffer, within } from "./_line_buffer.ts";

/** The records of one app, routed to its sink. */
export class AppLog {
  #sink: Sink | undefined;
  #own: LineBuffer | undefined;
  #closeTimeout: number;

  /** @param closeTimeout How long the last write may take at close, in ms. */
  constructor(sink: Sink | undefined, closeTimeout = CLOSE_TIMEOUT) {
    if (sink !== undefined && typeof sink !== "function") {
      throw new TypeError("Cannot create app: log is not a function (a LogTape sink)");
    }
    this.#sink = sink;
    this.#closeTimeout = closeTimeout;
  }

  emit(record: LogRecord): void {
    if (this.#sink !== undefined) this.#sink(record);
    else if (getConfig() !== null) toLogTape(record);
    else {
      const own = this.#ownLines();
      if (own.admit()) own.add(formatLogRecord(record));
    }
  }

  /**
   * Logs one request. Into the app's own lines it goes as bytes, without a record or a string.
   *
   * @param timestamp When the response was ready, in ms since the epoch.
   */
  access(properties: AccessLogProperties, timestamp: number): void {
    if (this.#sink !== undefined || getConfig() !== null) {
      return this.emit(new AccessRecord(properties, timestamp));
    }
    const own = this.#ownLines();
    if (!own.admit()) return;
    const bytes = own.reserve(accessLineMaxBytes(properties));
    own.commit(writeAccessLine(bytes, own.length, properties, timestamp));
  }

  #ownLines(): LineBuffer {
    return this.#own ??= new LineBuffer({ closeTimeout: this.#closeTimeout });
  }

  /** Logs `message` in `category`, with `error` (and its stack) when there is one. */
  message(category: readonly string[], level: LogLevel, message: string, error?: unknown): void {
    this.emit({
      category,
      level,
      message: [message],
      rawMessage: message,
      timestamp: Date.now(),
      properties: error === undefined ? {} : { error },
    });
  }

  /** Lets the app's own log end its write under way before an exit that cannot wait. */
  async settle(): Promise<void> {
    await this.#own?.settle();
  }

  /**
   * Writes what waits: the app's own lines, or the `log` sink when it can flush. Each gets
   * `closeTimeout`: a log output nobody reads must not hold the shutdown forever.
   */
  async flush(): Promise<void> {
    await this.#own?.close();
    const sink = this.#sink as { flush?: () => Promise<void> } | undefined;
    if (typeof sink?.flush === "function") await within(sink.flush(), this.#closeTimeout);
  }
}

/** Hands `record` to LogTape's sinks for its category. */
function toLogTape(record: LogRecord): void {
  const logger = getLogger(record.category);
  if (!(record instanceof AccessRecord)) return logger.emit(record);
  // LogTape copies a record's own properties: the lazy message must be one.
  logger.emit({
    level: record.level,
    timestamp: record.timestamp,
    rawMessage: record.rawMessage,
    properties: record.properties as unknown as Record<string, unknown>,
    get message() {
      return record.message;
    },
  });
}
