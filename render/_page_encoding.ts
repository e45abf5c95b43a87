// Both engines escape values for a page in UTF-8, as the server sends it
// (`Content-Type: text/html; charset=utf-8`, which a browser puts before a <meta>). In another
// encoding the escaping does not hold: ISO-2022-JP reads escape sequences (ESC, which text
// may hold) that swallow the quotes after them (outside tester, twenty-eighth round).
import { _decodeAttribute } from "./_url_policy.ts";

const UTF8_LABELS = /^(?:utf-?8|unicode-1-1-utf-8|unicode11utf8|unicode20utf8|x-unicode20utf8)$/;

/**
 * Why a `<meta>` with these static attributes declares a page encoding other than UTF-8, or
 * `undefined` when it does not.
 *
 * @param attrs The tag's attribute values as written (`null`: a value with a hole).
 */
export function _otherEncoding(attrs: ReadonlyMap<string, string | null>): string | undefined {
  const charset = attrs.get("charset");
  if (typeof charset === "string" && !UTF8_LABELS.test(label(charset))) {
    return `<meta charset="${charset}">`;
  }
  const content = attrs.get("content");
  if (_isContentType(attrs.get("http-equiv")) && typeof content === "string") {
    const declared = /charset\s*=\s*["']?([^"';\s]*)/i.exec(_decodeAttribute(content));
    if (declared !== null && !UTF8_LABELS.test(declared[1].toLowerCase())) {
      return `a content-type of charset ${declared[1]}`;
    }
  }
  return undefined;
}

/** Whether a raw `http-equiv` value names the content type (whose `content` sets the encoding). */
export function _isContentType(raw: string | null | undefined): boolean {
  return typeof raw === "string" && label(raw) === "content-type";
}

const label = (raw: string) =>
  _decodeAttribute(raw).replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, "").toLowerCase();
