/**
 * Cookie parsing and serialization with safe defaults, on the `cookie` package.
 *
 * @module
 */
import { parse, serialize } from "cookie";

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

/**
 * Serializes a `Set-Cookie` value: HttpOnly, SameSite=Lax and Path=/ unless told otherwise; the
 * value is percent-encoded so that it is always one printable line.
 *
 * @example
 * ```ts
 * import { type CookieOptions, parseCookies, serializeCookie } from "@pubkit/request/cookie";
 * import assert from "node:assert/strict";
 *
 * const options: CookieOptions = { secure: true };
 * const header = serializeCookie("theme", "dark; blue", options);
 * assert.equal(header, "theme=dark%3B%20blue; Path=/; HttpOnly; Secure; SameSite=Lax");
 * assert.equal(parseCookies(header.split("; ")[0]).theme, "dark; blue");
 * ```
 *
 * @param name The cookie name (an HTTP token).
 * @param value Any string; it is percent-encoded.
 * @param options Attributes; see {@linkcode CookieOptions}.
 * @returns The `Set-Cookie` header value.
 * @throws {TypeError} When the name is not a token or an attribute is invalid.
 */
export function serializeCookie(name: string, value: string, options: CookieOptions = {}): string {
  if (!COOKIE_NAME.test(name)) {
    throw new TypeError(`Cannot set cookie ${JSON.stringify(name)}: the name is not an HTTP token`);
  }
  const { path = "/", httpOnly = true, sameSite = "lax", ...rest } = options;
  if (sameSite === "none" && !rest.secure) {
    throw new TypeError(`Cannot set cookie ${name}: SameSite=None requires Secure`);
  }
  // cookie's default encoder is encodeURIComponent, which throws URIError on lone surrogates.
  return serialize(name, encodeURIComponent(value.toWellFormed()), {
    ...rest,
    path,
    httpOnly,
    sameSite,
    encode: (v) => v,
  });
}

/**
 * Parses a `Cookie` header into a record with no prototype; a malformed pair is skipped and a
 * malformed escape keeps its raw text, so parsing never throws.
 *
 * @example
 * ```ts
 * import { type CookieOptions, parseCookies, serializeCookie } from "@pubkit/request/cookie";
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
  if (!header) return cookies;
  const parsed = parse(header);
  for (const name in parsed) {
    const value = parsed[name];
    if (value !== undefined) cookies[name] = value;
  }
  return cookies;
}
