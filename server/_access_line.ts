// Internal: the text access line, written as UTF-8 straight into a byte buffer. Built as a
// string (a template, five regexp tests, two numbers turned to text) and then encoded, the line
// cost about 11k instructions per request; written byte by byte, with one test per character for
// what must be escaped, the whole log past reading the fields costs under 5k, its batched writes
// included (bench/RESULTS.md, "Tenth round").
import type { AccessLogProperties } from "./access_log.ts";
import { escapeLogField, escapeLogTarget } from "./_log_field.ts";

const encoder = new TextEncoder();

/**
 * The most bytes {@linkcode writeAccessLine} writes for `p`: an escaped UTF-16 unit takes at most
 * 8 bytes (`\u{202e}`); the time stamp, the numbers and the separators fewer than 96.
 */
export function accessLineMaxBytes(p: AccessLogProperties): number {
  return 96 + 8 * (p.method.length + p.path.length + p.requestId.length +
        (p.remoteAddr?.length ?? 1) + (p.route?.length ?? 1));
}

/**
 * Writes `p` as `<time> <addr> "<method> <path>" <status> <ms>ms <request id> <route>\n` into
 * `bytes` from `at` (which has room for {@linkcode accessLineMaxBytes}); returns the end.
 */
export function writeAccessLine(
  bytes: Uint8Array,
  at: number,
  p: AccessLogProperties,
  time: number,
): number {
  let i = timestamp(bytes, at, time);
  bytes[i++] = SPACE;
  i = p.remoteAddr === undefined ? dash(bytes, i) : field(bytes, i, p.remoteAddr);
  bytes[i++] = SPACE;
  bytes[i++] = QUOTE;
  i = field(bytes, i, p.method);
  bytes[i++] = SPACE;
  i = field(bytes, i, p.path, escapeLogTarget);
  bytes[i++] = QUOTE;
  bytes[i++] = SPACE;
  i = integer(bytes, i, p.status);
  bytes[i++] = SPACE;
  i = integer(bytes, i, Math.round(p.duration));
  bytes[i++] = M;
  bytes[i++] = S;
  bytes[i++] = SPACE;
  i = field(bytes, i, p.requestId);
  bytes[i++] = SPACE;
  i = p.route === undefined ? dash(bytes, i) : field(bytes, i, p.route);
  bytes[i++] = NEWLINE;
  return i;
}

const [SPACE, QUOTE, DASH, ZERO, M, S, Z, NEWLINE] = [32, 34, 45, 48, 109, 115, 90, 10];

function copy(bytes: Uint8Array, at: number, from: Uint8Array): number {
  for (let k = 0; k < from.length; k++) bytes[at + k] = from[k];
  return at + from.length;
}

function dash(bytes: Uint8Array, at: number): number {
  bytes[at] = DASH;
  return at + 1;
}

/** `text`, printable ASCII byte by byte; from the first other character, escaped and encoded. */
function field(bytes: Uint8Array, at: number, text: string, escape = escapeLogField): number {
  let i = at;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c < 0x20 || c > 0x7e || c === QUOTE || c === 92) {
      return i + encoder.encodeInto(escape(text.slice(k)), bytes.subarray(i)).written;
    }
    bytes[i++] = c;
  }
  return i;
}

/** A non-negative integer's decimal digits (a status, whole milliseconds); else as `String`. */
function integer(bytes: Uint8Array, at: number, value: number): number {
  if (!(value >= 0 && value <= Number.MAX_SAFE_INTEGER)) {
    return at + encoder.encodeInto(escapeLogField(String(value)), bytes.subarray(at)).written;
  }
  let n = Math.floor(value);
  let digits = 1;
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  for (let k = digits - 1; k >= 0; k--) {
    bytes[at + k] = ZERO + n % 10;
    n = Math.floor(n / 10);
  }
  return at + digits;
}

/** The ISO 8601 time stamp, `2026-12-05T03:50:00.123Z`: its text up to the second is cached. */
function timestamp(bytes: Uint8Array, at: number, time: number): number {
  const ms = Math.floor(time);
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    // "2026-12-05T03:50:00." (years past 9999 and before 0 are longer: the length varies)
    lastPrefix = encoder.encode(new Date(second * 1000).toISOString().slice(0, -4));
  }
  let i = copy(bytes, at, lastPrefix);
  const fraction = ms - second * 1000;
  bytes[i++] = ZERO + Math.floor(fraction / 100);
  bytes[i++] = ZERO + Math.floor(fraction / 10) % 10;
  bytes[i++] = ZERO + fraction % 10;
  bytes[i++] = Z;
  return i;
}
let lastSecond = NaN;
let lastPrefix = new Uint8Array(0);

/** The line of {@linkcode writeAccessLine} as a string. */
export function accessLine(p: AccessLogProperties, timestamp: number): string {
  const bytes = new Uint8Array(accessLineMaxBytes(p));
  return new TextDecoder().decode(bytes.subarray(0, writeAccessLine(bytes, 0, p, timestamp)));
}
