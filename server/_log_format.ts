// Internal: the text and JSON-lines formats of the buffered sink. They run when the sink flushes,
// off the request path, but on the same CPU: every step here is paid once per request.
import { getJsonLinesFormatter } from "@logtape/logtape";
import type { LogRecord } from "./access_log.ts";
import { AccessRecord } from "./access_log.ts";
import { escapeJsonLine, escapeLogField } from "./_log_field.ts";
import { accessLine } from "./_access_line.ts";

/** Formats records into lines, each ending with `\n`. */
export type LineFormat = (record: LogRecord) => string;

// One ISO string per distinct millisecond: consecutive records nearly always share it.
let lastTime = NaN;
let lastIso = "";
function iso(timestamp: number): string {
  if (timestamp !== lastTime) {
    lastTime = timestamp;
    lastIso = new Date(timestamp).toISOString();
  }
  return lastIso;
}

/**
 * The default sink's text format, for a sink of one's own: an access record as `<time> <addr> "<method> <path>" <status> <ms>ms <id> <route>`, and any
 * other record as `<time> <LEVEL> <category>: <message>`, then an error's stack on indented
 * lines. Every field a client or a handler can choose is escaped (quotes, backslashes, controls,
 * and the characters a viewer draws as nothing or as a space), so a line parses back into the same fields and never forges another line.
 *
 * @example
 * ```ts
 * import { AccessRecord, formatLogRecord } from "@pubkit/server";
 * import assert from "node:assert/strict";
 *
 * const line = formatLogRecord(
 *   new AccessRecord({
 *     method: "GET",
 *     path: '/a"b\n',
 *     status: 404,
 *     duration: 0.25,
 *     requestId: "r1",
 *     remoteAddr: "127.0.0.1",
 *     route: undefined,
 *   }, 0),
 * );
 * // A quote and a newline a client sent cannot end the field or the line.
 * assert.equal(line, '1970-01-01T00:00:00.000Z 127.0.0.1 "GET /a\\x22b\\x0a" 404 0ms r1 -\n');
 * ```
 *
 * @param record A LogTape record.
 * @returns Its line (an error's stack on the lines after), ending in `\n`.
 */
export function formatLogRecord(record: LogRecord): string {
  if (record instanceof AccessRecord) return accessLine(record.properties, record.timestamp);
  let message = "";
  for (let i = 0; i < record.message.length; i++) {
    const part = record.message[i];
    message += typeof part === "string" ? part : i % 2 === 1 ? inspect(part) : String(part);
  }
  let line = `${iso(record.timestamp)} ${record.level.toUpperCase()} ${
    record.category.join(".")
  }: ${escapeLogField(message)}\n`;
  const error = record.properties.error;
  if (error !== undefined) {
    const text = inspect(error); // an Error with its stack and its cause
    for (const part of text.split("\n")) line += `    ${escapeLogField(part)}\n`;
  }
  return line;
}

function inspect(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return Deno.inspect(value, { depth: 3 });
  } catch {
    return "(a value that cannot be inspected)"; // a revoked Proxy, a throwing getter
  }
}

const jsonLine = getJsonLinesFormatter({ message: "template" });

/**
 * LogTape's JSON-lines format: one object per line, the message as its template (an access
 * record's fields are in `properties`, typed, not rendered into text); invisible characters, C1
 * controls and line separators in strings escaped.
 */
export const jsonFormat: LineFormat = (record) => escapeJsonLine(jsonLine(record));
