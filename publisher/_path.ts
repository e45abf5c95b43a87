/**
 * Splitting a request path into decoded, checked segments. Every hostile form (dot segments,
 * encoded or double-encoded dots and slashes, backslashes, NUL and other control characters,
 * malformed percent-encoding, NFKC look-alikes of dots and slashes) is a 400 here, before any
 * lookup; underscore and dot names are simply absent from the route table (404).
 *
 * @module
 */
import { HttpError } from "@pubkit/request";

/** The most segments a path may have. */
export const MAX_SEGMENTS = 64;

function bad(reason: string): HttpError {
  return new HttpError(400, `Bad path: ${reason}`);
}

function checkSegment(segment: string): void {
  // deno-lint-ignore no-control-regex -- control characters are exactly what is refused
  if (/[\x00-\x1f\x7f]/.test(segment)) throw bad("control character");
  if (segment.includes("/") || segment.includes("\\")) throw bad("encoded slash or backslash");
  if (segment.includes("%")) throw bad("percent sign after decoding (double encoding)");
  if (segment === "." || segment === "..") throw bad("dot segment");
}

const PLAIN = /^[A-Za-z0-9_.~\/-]*$/;

/**
 * Splits and decodes a path. A trailing slash is ignored (`/admin/` is `/admin`).
 *
 * @param pathname The raw, percent-encoded path.
 * @returns The decoded segments; `[]` for `/`.
 * @throws {HttpError} 400 for a hostile or malformed path.
 */
export function splitPath(pathname: string): string[] {
  if (typeof pathname !== "string" || !pathname.startsWith("/")) throw bad("not absolute");
  if (pathname.includes("\\")) throw bad("backslash");
  const raw = pathname.slice(1).split("/");
  if (raw.length > 0 && raw[raw.length - 1] === "") raw.pop();
  if (raw.length > MAX_SEGMENTS) throw bad("too many segments");
  // Plain ASCII needs no decoding and is its own NFKC form: only dot segments can be wrong.
  if (PLAIN.test(pathname)) {
    for (const segment of raw) if (segment === "." || segment === "..") throw bad("dot segment");
    return raw;
  }
  return raw.map((segment) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw bad("malformed percent-encoding");
    }
    checkSegment(decoded);
    const folded = decoded.normalize("NFKC");
    if (folded !== decoded) checkSegment(folded);
    return decoded;
  });
}
