/**
 * Cookie parsing and serialization with safe defaults. The rules are those of the `cookie` npm
 * package (1.x), written here because importing that CommonJS package costs a cold start about
 * 50 ms of CPU.
 *
 * @module
 */

/** Options for {@linkcode serializeCookie}. */
export interface CookieOptions {
  /** Defaults to `"/"`. */
  path?: string;
  /** The cookie's domain; unset means host-only. */
  domain?: string;
  /** Lifetime in seconds; `0` deletes the cookie. */
  maxAge?: number;
  /** Absolute expiry. */
  expires?: Date;
  /** Defaults to `true`: scripts cannot read the cookie. */
  httpOnly?: boolean;
  /** Defaults to `false`; the request wrapper turns it on for https. */
  secure?: boolean;
  /** Defaults to `"lax"`. */
  sameSite?: "lax" | "strict" | "none";
  /** Partitioned (CHIPS) cookie. */
  partitioned?: boolean;
}

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// What the `cookie` package allows in a Domain and a Path attribute.
const DOMAIN =
  /^([.]?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)([.][a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const PATH = /^[\u0020-\u003A\u003D-\u007E]*$/;
const SAME_SITE = { lax: "Lax", strict: "Strict", none: "None" } as const;
/** The most bytes of name plus value a browser keeps (RFC 6265bis §5.6). */
const MAX_NAME_VALUE_BYTES = 4096;

/**
 * Serializes a `Set-Cookie` value: HttpOnly, SameSite=Lax and Path=/ unless told otherwise; the
 * value is percent-encoded so that it is always one printable line. The rules browsers enforce
 * are refused here, at the call, rather than by a browser silently dropping the cookie:
 * `__Host-` needs Secure, Path=/ and no Domain; `__Secure-` needs Secure; SameSite=None needs
 * Secure; name and value together may not exceed 4096 bytes.
 *
 * @example
 * ```ts
 * import { type CookieOptions, parseCookies, serializeCookie } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * const options: CookieOptions = { secure: true };
 * const header = serializeCookie("theme", "dark; blue", options);
 * assert.equal(header, "theme=dark%3B%20blue; Path=/; HttpOnly; Secure; SameSite=Lax");
 * assert.equal(parseCookies(header.split("; ")[0]).theme, "dark; blue");
 * assert.throws(() => serializeCookie("__Host-id", "1", { secure: true, path: "/app" }), TypeError);
 * ```
 *
 * @param name The cookie name (an HTTP token).
 * @param value Any string; it is percent-encoded.
 * @param options Attributes; see {@linkcode CookieOptions}.
 * @returns The `Set-Cookie` header value.
 * @throws {TypeError} When the name is not a token, an attribute is invalid, a prefix rule is
 *   broken, or the name and value exceed 4096 bytes; the message names the rule.
 */
export function serializeCookie(name: string, value: string, options: CookieOptions = {}): string {
  if (!COOKIE_NAME.test(name)) {
    throw new TypeError(`Cannot set cookie ${JSON.stringify(name)}: the name is not an HTTP token`);
  }
  const { path = "/", httpOnly = true, sameSite = "lax", ...rest } = options;
  if (sameSite === "none" && !rest.secure) {
    throw new TypeError(`Cannot set cookie ${name}: SameSite=None requires Secure`);
  }
  // The prefixes browsers enforce (RFC 6265bis §4.1.3): a cookie that breaks them is dropped.
  if (name.startsWith("__Host-") && (!rest.secure || path !== "/" || rest.domain !== undefined)) {
    throw new TypeError(
      `Cannot set cookie ${name}: the __Host- prefix requires Secure, Path=/ and no Domain`,
    );
  }
  if (name.startsWith("__Secure-") && !rest.secure) {
    throw new TypeError(`Cannot set cookie ${name}: the __Secure- prefix requires Secure`);
  }
  // encodeURIComponent throws URIError on lone surrogates.
  const encoded = encodeURIComponent(value.toWellFormed());
  // Browsers drop a cookie whose name and value exceed 4096 bytes (both ASCII here).
  if (name.length + encoded.length > MAX_NAME_VALUE_BYTES) {
    throw new TypeError(
      `Cannot set cookie ${name}: its name and value are ${name.length + encoded.length} ` +
        `bytes, over the ${MAX_NAME_VALUE_BYTES}-byte limit browsers keep`,
    );
  }
  let header = `${name}=${encoded}`;
  if (rest.maxAge !== undefined) {
    if (!Number.isInteger(rest.maxAge)) {
      throw new TypeError(`Cannot set cookie ${name}: maxAge ${rest.maxAge} is not an integer`);
    }
    header += `; Max-Age=${rest.maxAge}`;
  }
  if (rest.domain) {
    if (!DOMAIN.test(rest.domain)) {
      throw new TypeError(
        `Cannot set cookie ${name}: domain ${JSON.stringify(rest.domain)} is invalid`,
      );
    }
    header += `; Domain=${rest.domain}`;
  }
  if (path) {
    if (!PATH.test(path)) {
      throw new TypeError(`Cannot set cookie ${name}: path ${JSON.stringify(path)} is invalid`);
    }
    header += `; Path=${path}`;
  }
  if (rest.expires) {
    if (!(rest.expires instanceof Date) || !Number.isFinite(rest.expires.valueOf())) {
      throw new TypeError(`Cannot set cookie ${name}: expires is not a valid Date`);
    }
    header += `; Expires=${rest.expires.toUTCString()}`;
  }
  if (httpOnly) header += "; HttpOnly";
  if (rest.secure) header += "; Secure";
  if (rest.partitioned) header += "; Partitioned";
  if (!sameSite) return header;
  const attribute = SAME_SITE[String(sameSite).toLowerCase() as keyof typeof SAME_SITE];
  if (attribute === undefined) {
    throw new TypeError(`Cannot set cookie ${name}: sameSite ${String(sameSite)} is invalid`);
  }
  return `${header}; SameSite=${attribute}`;
}

/**
 * Parses a `Cookie` header into a record with no prototype; a malformed pair is skipped and a
 * malformed escape keeps its raw text, so parsing never throws.
 *
 * @example
 * ```ts
 * import { type CookieOptions, parseCookies, serializeCookie } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * const options: CookieOptions = { httpOnly: false };
 * const cookies = parseCookies(`${serializeCookie("a", "1", options).split(";")[0]}; __proto__=x; b=%E2%9C%93`);
 * assert.equal(cookies.a, "1");
 * assert.equal(cookies["__proto__"], "x");
 * assert.equal(cookies.b, "✓");
 * assert.equal(Object.getPrototypeOf(cookies), null);
 * ```
 *
 * @param header The `Cookie` header value, or `null`.
 * @returns The cookies by name; the first of duplicate names wins.
 */
export function parseCookies(header: string | null): Record<string, string> {
  const cookies: Record<string, string> = Object.create(null);
  if (!header || header.length < 2) return cookies; // a pair needs a name and "="
  let index = 0;
  while (index < header.length) {
    const eq = header.indexOf("=", index);
    if (eq === -1) break; // no more pairs
    let end = header.indexOf(";", index);
    if (end === -1) end = header.length;
    if (eq > end) {
      // A part without "=": go on after the semicolon just before the "=".
      index = header.lastIndexOf(";", eq - 1) + 1;
      continue;
    }
    const name = trim(header, index, eq);
    if (cookies[name] === undefined) cookies[name] = decode(trim(header, eq + 1, end));
    index = end + 1;
  }
  return cookies;
}

/** `text.slice(start, end)` without the spaces and tabs at its ends. */
function trim(text: string, start: number, end: number): string {
  while (start < end && (text.charCodeAt(start) === 0x20 || text.charCodeAt(start) === 0x09)) {
    start++;
  }
  while (end > start && (text.charCodeAt(end - 1) === 0x20 || text.charCodeAt(end - 1) === 0x09)) {
    end--;
  }
  return text.slice(start, end);
}

/** Percent-decodes a value; a malformed escape keeps the raw text. */
function decode(value: string): string {
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
