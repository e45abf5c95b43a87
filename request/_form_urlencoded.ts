// Internal: the urlencoded parser shared by `parseQuery`, `parseUrlEncoded` and `parseForm`.
import { type FormBudget, limitError, malformedError } from "./_form_budget.ts";

const AMP = 0x26;
const EQ = 0x3d;
const PLUS = 0x2b;
const PERCENT = 0x25;
const SPACE = 0x20;

// Stateless between calls (non-streaming decode), so sharing it hides no state. `ignoreBOM`
// keeps a leading U+FEFF in a value as data.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** Decodes `+` and `%XX` in `bytes[from, to)`; the result holds raw (not yet UTF-8) bytes. */
function unescape(bytes: Uint8Array, from: number, to: number, source: string): Uint8Array {
  const piece = bytes.subarray(from, to);
  if (piece.indexOf(PERCENT) === -1 && piece.indexOf(PLUS) === -1) return piece;
  const out = new Uint8Array(piece.length);
  let length = 0;
  for (let i = 0; i < piece.length; i++) {
    const byte = piece[i];
    if (byte === PLUS) {
      out[length++] = SPACE;
    } else if (byte === PERCENT) {
      const high = i + 1 < piece.length ? hexValue(piece[i + 1]) : -1;
      const low = i + 2 < piece.length ? hexValue(piece[i + 2]) : -1;
      if (high < 0 || low < 0) {
        const found = String.fromCharCode(...piece.subarray(i, i + 3));
        throw malformedError(
          `bad percent-encoding ${JSON.stringify(found)} at byte ${from + i} of the ${source}` +
            ` ("%" must be followed by two hex digits)`,
        );
      }
      out[length++] = high * 16 + low;
      i += 2;
    } else {
      out[length++] = byte;
    }
  }
  return out.subarray(0, length);
}

function decodeUtf8(bytes: Uint8Array, what: string, source: string): string {
  try {
    return utf8.decode(bytes);
  } catch (error) {
    throw malformedError(`a field ${what} in the ${source} is not valid UTF-8`, error);
  }
}

/**
 * Parses urlencoded bytes into `budget`. Linear: each byte is looked at a bounded number of
 * times (the `=` search is confined to its own `&`-separated segment).
 */
export function parseUrlEncodedInto(bytes: Uint8Array, budget: FormBudget, source: string): void {
  const { maxFieldValueBytes } = budget.limits;
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(AMP, start);
    if (end === -1) end = bytes.length;
    if (end > start) {
      let eq = bytes.subarray(start, end).indexOf(EQ);
      eq = eq === -1 ? end : start + eq;
      const nameBytes = unescape(bytes, start, eq, source);
      budget.admit(nameBytes.length, false);
      const name = decodeUtf8(nameBytes, "name", source);
      const valueBytes = eq < end ? unescape(bytes, eq + 1, end, source) : new Uint8Array(0);
      if (valueBytes.length > maxFieldValueBytes) {
        throw limitError(
          `a field value of ${valueBytes.length} bytes`,
          maxFieldValueBytes,
          "maxFieldValueBytes",
        );
      }
      budget.add(name, decodeUtf8(valueBytes, "value", source));
    }
    start = end + 1;
  }
}
