// Internal: where an app's log records go. The app's `log` sink when it has one; else LogTape,
// when the application has configured it (the library never configures LogTape itself); else a
// buffered sink of the app's own, writing text to stdout, so that an app nobody configured still
// keeps an access log.
import { getConfig, getLogger } from "@logtape/logtape";
import type { LogLevel, LogRecord, Sink } from "./access_log.ts";
import { AccessRecord } from "./access_log.ts";
import { type BufferedSink, bufferedSink } from "./buffered_sink.ts";

/** The records of one app, routed to its sink. */
export class AppLog {
  #sink: Sink | undefined;
  #own: BufferedSink | undefined;

  constructor(sink: Sink | undefined) {
    if (sink !== undefined && typeof sink !== "function") {
      throw new TypeError("Cannot create app: log is not a function (a LogTape sink)");
    }
    this.#sink = sink;
  }

  emit(record: LogRecord): void {
    if (this.#sink !== undefined) this.#sink(record);
    else if (getConfig() !== null) toLogTape(record);
    else (this.#own ??= bufferedSink())(record);
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

  /** Writes what waits: the app's own sink, or the `log` sink when it can flush. */
  async flush(): Promise<void> {
    await this.#own?.[Symbol.asyncDispose]();
    const sink = this.#sink as Partial<BufferedSink> | undefined;
    if (typeof sink?.flush === "function") await sink.flush();
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
