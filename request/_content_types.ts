// Internal: the default content types of responses.

/**
 * The Fetch standard's type for a string body. A 200 response with only this type is built as
 * `new Response(text)`, which Deno serves on its fastest path.
 */
export const TEXT_PLAIN = "text/plain;charset=UTF-8";

/** The type of an `html` result of `@pubkit/render` (never of a plain string). */
export const TEXT_HTML = "text/html; charset=utf-8";

/** JSON has no charset parameter (RFC 8259): it is always UTF-8. */
export const APPLICATION_JSON = "application/json";

/** The key an `html` result of `@pubkit/render` is marked with (`Html[HTML_MARK] === true`). */
export const HTML_MARK: unique symbol = Symbol.for("pubkit.html") as typeof HTML_MARK;
