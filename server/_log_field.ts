// Internal: one field of an access log line, escaped so that the line parses back into the
// same fields whatever the client sent.

// A quote or backslash (they delimit fields), C0 and C1 controls, line and paragraph separators,
// and the bidi controls that reorder what a terminal or an editor shows.
const UNSAFE_CHARS =
  '["\\\\\\x00-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]';
const UNSAFE = new RegExp(UNSAFE_CHARS);
const UNSAFE_ALL = new RegExp(UNSAFE_CHARS, "g");

/**
 * `text` with `"`, `\`, controls and bidi controls written as `\xHH` (up to U+00FF) or
 * `\u{H…}`; unchanged (no copy) when it has none, as nearly every request target.
 */
export function escapeLogField(text: string): string {
  if (!UNSAFE.test(text)) return text;
  return text.replace(UNSAFE_ALL, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}
