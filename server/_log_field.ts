// Internal: one field of an access log line, escaped so that the line parses back into the
// same fields whatever the client sent, and reads as what it holds.

// A quote or backslash (they delimit fields); controls (C0, DEL, C1); format characters (bidi
// controls that reorder what a terminal shows, zero-width spaces and joiners, the soft hyphen,
// the byte order mark, tag characters) and the rest of the default-ignorable code points, which
// a viewer draws as nothing, so `/ad\u200bmin` would read as `/admin`; spaces other than ASCII's
// (they would read as a field separator); line and paragraph separators; lone surrogates (which
// UTF-8 cannot hold).
const UNSAFE_CHARS =
  '["\\\\\\p{Cc}\\p{Cf}\\p{Cs}\\p{Zl}\\p{Zp}\\p{Default_Ignorable_Code_Point}\\u00a0\\u1680\\u2000-\\u200a\\u202f\\u205f\\u3000]';
const UNSAFE = new RegExp(UNSAFE_CHARS, "u");
const UNSAFE_ALL = new RegExp(UNSAFE_CHARS, "gu");
// What JSON.stringify leaves raw of those: it escapes quotes, backslashes, C0 controls and lone
// surrogates, but not DEL, C1, U+2028/2029 or the invisible characters.
const JSON_UNSAFE =
  /[\x7f-\x9f\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/u;
const JSON_UNSAFE_ALL = new RegExp(JSON_UNSAFE.source, "gu");

/**
 * `text` with `"`, `\` and every character that is invisible, a control or a space other than
 * ASCII's written as `\xHH` (up to U+00FF) or `\u{H…}`; unchanged (no copy) when it has none, as
 * nearly every request target.
 */
export function escapeLogField(text: string): string {
  if (!UNSAFE.test(text)) return text;
  return text.replace(UNSAFE_ALL, escapeChar);
}

function escapeChar(c: string): string {
  const code = c.codePointAt(0)!;
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
}

/**
 * A line of JSON with every character that {@linkcode escapeLogField} escapes and JSON leaves raw
 * written as `\uHHHH` (both halves of an astral one): it parses back to the same value. JSON puts
 * such characters only inside strings, where the escape means the same character.
 */
export function escapeJsonLine(line: string): string {
  if (!JSON_UNSAFE.test(line)) return line;
  return line.replace(JSON_UNSAFE_ALL, (c) => {
    let escaped = "";
    for (let i = 0; i < c.length; i++) {
      escaped += `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`;
    }
    return escaped;
  });
}

// A request target, as browsers send it, is printable ASCII (they percent-encode the rest): any
// other character in one came from a client of its own making, and is escaped, visible or not,
// so that `/\u{430}dmin` (a Cyrillic a) cannot pass for `/admin`.
const NOT_TARGET = /["\\]|[^\x20-\x7e]/u;
const NOT_TARGET_ALL = new RegExp(NOT_TARGET.source, "gu");

/** `target` with `"`, `\` and every character outside printable ASCII escaped as in {@linkcode escapeLogField}. */
export function escapeLogTarget(target: string): string {
  if (!NOT_TARGET.test(target)) return target;
  return target.replace(NOT_TARGET_ALL, escapeChar);
}
