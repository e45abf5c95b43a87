/**
 * The access log as structured LogTape records, and the categories the server logs under.
 *
 * @module
 */

/** The level of a log record, as LogTape names them. */
export type LogLevel = "trace" | "debug" | "info" | "warning" | "error" | "fatal";

/**
 * A log record: the fields of LogTape's `LogRecord` that pubkit writes and its sinks read, so
 * that any LogTape sink takes pubkit's records and a sink of one's own can be a plain function.
 */
export interface LogRecord {
  /** Who logs it, e.g. `["pubkit", "server", "access"]`. */
  readonly category: readonly string[];
  /** How severe it is. */
  readonly level: LogLevel;
  /** The message: text parts at even indexes, the values between them at odd ones. */
  readonly message: readonly unknown[];
  /** The message template, before the values are put in. */
  readonly rawMessage: string | TemplateStringsArray;
  /** When it happened, in ms since the epoch. */
  readonly timestamp: number;
  /** Its structured fields (an error under `error`). */
  readonly properties: Record<string, unknown>;
}

/** Where log records go: a LogTape sink, or any function that takes a record. */
export type Sink = (record: LogRecord) => void;

/** The category of the server's own messages (errors, start and stop): `["pubkit", "server"]`. */
export const SERVER_CATEGORY: readonly ["pubkit", "server"] = Object.freeze(
  ["pubkit", "server"] as const,
);

/** The category of access log records: `["pubkit", "server", "access"]`. */
export const ACCESS_LOG_CATEGORY: readonly ["pubkit", "server", "access"] = Object.freeze(
  ["pubkit", "server", "access"] as const,
);

/** The fields of one access log record (its `properties`). */
// A type, not an interface: it must fit LogTape's `Record<string, unknown>`.
export type AccessLogProperties = {
  /** The request method. */
  readonly method: string;
  /**
   * The request target's path and query (`req.target`), percent-encoded as the client sent them.
   * Deno hands the app an absolute URL, so an absolute-form target (`GET http://host/x`) is
   * logged in origin form (`/x`), and `OPTIONS *` as `/*`.
   */
  readonly path: string;
  /** The response status. */
  readonly status: number;
  /**
   * Milliseconds from the request's arrival to its response (headers, not the whole body); the
   * server measures it on the wall clock, in whole milliseconds (as nginx does).
   */
  readonly duration: number;
  /** The request id, as error pages and `X-Request-Id` show it. */
  readonly requestId: string;
  /** The client's address (see `trustProxy`), when the server knows it. */
  readonly remoteAddr: string | undefined;
  /** The published route that answered (`/blog/post`), when the publisher answered. */
  readonly route: string | undefined;
};

const ACCESS_MESSAGE = "{method} {path} {status} {duration}ms";
const LEVEL: LogLevel = "info";

/**
 * One access log record: a LogTape `LogRecord` in `["pubkit", "server", "access"]` whose
 * `properties` are an {@linkcode AccessLogProperties}. Its `message` is rendered only when a sink
 * reads it: the default sink formats the fields itself, and nothing else is built per request.
 *
 * @example
 * ```ts
 * import { AccessRecord } from "@pubkit/server";
 * import assert from "node:assert/strict";
 *
 * const record = new AccessRecord({
 *   method: "GET",
 *   path: "/hello",
 *   status: 200,
 *   duration: 0.25,
 *   requestId: "r1",
 *   remoteAddr: "127.0.0.1",
 *   route: "/hello",
 * }, 0);
 * assert.deepEqual(record.category, ["pubkit", "server", "access"]);
 * assert.equal(record.properties.status, 200);
 * assert.deepEqual(record.message, ["", "GET", " ", "/hello", " ", 200, " ", 0.25, "ms"]);
 * ```
 */
export class AccessRecord implements LogRecord {
  /** Always {@linkcode ACCESS_LOG_CATEGORY}. */
  readonly category: readonly string[] = ACCESS_LOG_CATEGORY;
  /** Always `"info"`. */
  readonly level: LogLevel = LEVEL;
  /** The message template, `"{method} {path} {status} {duration}ms"`. */
  readonly rawMessage: string = ACCESS_MESSAGE;
  /** When the response was ready, in ms since the epoch. */
  readonly timestamp: number;
  /** The fields. */
  readonly properties: AccessLogProperties;

  /**
   * Creates a record.
   *
   * @param properties The fields.
   * @param timestamp When the response was ready, in ms since the epoch.
   */
  constructor(properties: AccessLogProperties, timestamp: number) {
    this.properties = properties;
    this.timestamp = timestamp;
  }

  /** The message with the fields in place, as LogTape's formatters read it. */
  get message(): readonly unknown[] {
    const { method, path, status, duration } = this.properties;
    return ["", method, " ", path, " ", status, " ", duration, "ms"];
  }
}
