import assert from "node:assert/strict";
import fc from "fast-check";
import type { AccessLogProperties } from "./access_log.ts";
import { accessLine, accessLineMaxBytes, writeAccessLine } from "./_access_line.ts";
import { escapeLogField, escapeLogTarget } from "./_log_field.ts";

/** The line as a string formatter would write it: each field through escapeLogField. */
function expectedLine(p: AccessLogProperties, timestamp: number): string {
  const field = (text: string | undefined) => text === undefined ? "-" : escapeLogField(text);
  return `${new Date(Math.floor(timestamp)).toISOString()} ${field(p.remoteAddr)} "${
    field(p.method)
  } ${escapeLogTarget(p.path)}" ${p.status} ${Math.round(p.duration)}ms ${field(p.requestId)} ${
    field(p.route)
  }\n`;
}

// Printable ASCII, the characters the escaper cares about, other Unicode and lone surrogates.
const text = fc.string({
  unit: fc.oneof(
    fc.constantFrom('"', "\\", "\n", "\r", "\x00", "\x7f", "\x85", "\u061c", "\u200e", "\u2028"),
    fc.constantFrom("\u202e", "\u2066", "\u2069", "\ud800", "\udc00", "é", "😀", "€"),
    fc.string({ minLength: 1, maxLength: 1 }),
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
  ),
});
const properties: fc.Arbitrary<AccessLogProperties> = fc.record({
  method: text,
  path: text,
  status: fc.integer({ min: 100, max: 599 }),
  duration: fc.double({ min: 0, max: 1e7, noNaN: true }),
  requestId: text,
  remoteAddr: fc.option(text, { nil: undefined }),
  route: fc.option(text, { nil: undefined }),
});
const time = fc.double({ min: 0, max: 4e12, noNaN: true });

Deno.test("writeAccessLine() writes the bytes of each field escaped, as a string formatter would, within its bound", () => {
  fc.assert(
    fc.property(properties, time, (p, timestamp) => {
      const bytes = new Uint8Array(accessLineMaxBytes(p) + 8).fill(0xee);
      const end = writeAccessLine(bytes, 4, p, timestamp);
      assert.ok(end - 4 <= accessLineMaxBytes(p), "within the bound");
      assert.equal(bytes[end], 0xee, "nothing written past the end");
      const expected = new TextEncoder().encode(expectedLine(p, timestamp));
      assert.deepEqual(bytes.subarray(4, end), expected);
      assert.equal(accessLine(p, timestamp), new TextDecoder().decode(expected));
    }),
    { numRuns: 2000 },
  );
});

Deno.test("writeAccessLine() writes a line that cannot be split or forged by what a client sends", () => {
  const p: AccessLogProperties = {
    method: "GET",
    path: '/a"b\n2026-01-01T00:00:00.000Z 1.2.3.4 "GET /admin" 200 0.1ms x -\u202e',
    status: 200,
    duration: 0.04,
    requestId: "r1",
    remoteAddr: "127.0.0.1",
    route: undefined,
  };
  assert.equal(
    accessLine(p, 0),
    '1970-01-01T00:00:00.000Z 127.0.0.1 "GET /a\\x22b\\x0a2026-01-01T00:00:00.000Z 1.2.3.4 ' +
      '\\x22GET /admin\\x22 200 0.1ms x -\\u{202e}" 200 0ms r1 -\n',
  );
});
