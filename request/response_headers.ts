/**
 * Outgoing headers that refuse unsafe values and changes after the head was sent.
 *
 * @module
 */
import { HeadersSentError } from "./headers_sent_error.ts";

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Any C0 control other than horizontal tab, DEL, or a code point the Fetch API cannot carry.
// deno-lint-ignore no-control-regex
const UNSAFE_VALUE = /[\u0000-\u0008\u000a-\u001f\u007f]|[^\u0000-\u00ff]/;

/**
 * Checks a header name and value before they reach the Fetch `Headers` API, which would throw a
 * bare `TypeError` deep inside a response (a 500 for what is usually echoed user input).
 *
 * `Location` values are percent-encoded instead of refused, as the URL standard allows.
 *
 * @example
 * ```ts
 * import { checkHeader, ResponseHeaders } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * assert.equal(checkHeader("Location", "/a b/é"), "/a%20b/%C3%A9");
 * assert.throws(() => checkHeader("X-Echo", "a\r\nSet-Cookie: x=1"), TypeError);
 * // ResponseHeaders runs the same check on every set() and append().
 * assert.throws(() => new ResponseHeaders(() => false).set("X-Echo", "a\nb"), TypeError);
 * ```
 *
 * @param name The header name.
 * @param value The header value.
 * @returns The value to store (encoded for `Location`).
 * @throws {TypeError} When the name is not a token or the value holds CR, LF, NUL, another
 * control character or a character above U+00FF.
 */
export function checkHeader(name: string, value: string): string {
  if (!TOKEN.test(name)) {
    throw new TypeError(`Cannot set header ${JSON.stringify(name)}: the name is not an HTTP token`);
  }
  if (name.toLowerCase() === "location") return encodeLocation(value);
  if (UNSAFE_VALUE.test(value)) {
    throw new TypeError(
      `Cannot set header ${name}: the value contains CR, LF, NUL, a control character or a ` +
        `character outside Latin-1`,
    );
  }
  return value;
}

/**
 * Percent-encodes what a `Location` value may not carry raw (controls, spaces, non-ASCII),
 * leaving existing `%XX` escapes and URL punctuation alone.
 */
function encodeLocation(value: string): string {
  // encodeURI keeps reserved characters; lone surrogates would make it throw, so replace them.
  return encodeURI(value.toWellFormed()).replace(/%25([0-9A-Fa-f]{2})/g, "%$1");
}

/**
 * Response headers guarded by a check that the head has not been sent yet.
 *
 * @example
 * ```ts
 * import { checkHeader, ResponseHeaders } from "@pubkit/request";
 * import { HeadersSentError } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * let sent = false;
 * const headers = new ResponseHeaders(() => sent);
 * headers.set("X-One", checkHeader("X-One", "1"));
 * sent = true;
 * assert.throws(() => headers.set("X-Two", "2"), HeadersSentError);
 * assert.equal(headers.get("X-One"), "1");
 * ```
 */
export class ResponseHeaders extends Headers {
  #isSent: () => boolean;

  /**
   * Creates an empty set of guarded headers.
   *
   * @param isSent Tells whether the response head was already sent.
   */
  constructor(isSent: () => boolean) {
    super();
    this.#isSent = isSent;
  }

  #touched = false;

  /** Whether any header was ever set, appended or deleted (lets the head skip a copy). */
  get touched(): boolean {
    return this.#touched;
  }

  #guard(action: string, name: string): void {
    if (this.#isSent()) throw new HeadersSentError(`${action} header ${name}`);
    this.#touched = true;
  }

  /**
   * Sets a header after checking its value.
   *
   * @param name The header name.
   * @param value The header value.
   * @throws {HeadersSentError} When the head was already sent.
   * @throws {TypeError} When the name or value is unsafe (see {@linkcode checkHeader}).
   */
  override set(name: string, value: string): void {
    this.#guard("set", name);
    super.set(name, checkHeader(name, value));
  }

  /**
   * Appends a header value after checking it.
   *
   * @param name The header name.
   * @param value The header value.
   * @throws {HeadersSentError} When the head was already sent.
   * @throws {TypeError} When the name or value is unsafe (see {@linkcode checkHeader}).
   */
  override append(name: string, value: string): void {
    this.#guard("append", name);
    super.append(name, checkHeader(name, value));
  }

  /**
   * Deletes a header.
   *
   * @param name The header name.
   * @throws {HeadersSentError} When the head was already sent.
   */
  override delete(name: string): void {
    this.#guard("delete", name);
    super.delete(name);
  }
}
