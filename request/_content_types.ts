// Internal: the default content types of responses.

/**
 * The Fetch standard's type for a string body. A 200 response with only this type is built as
 * `new Response(text)`, which Deno serves on its fastest path.
 */
export const TEXT_PLAIN = "text/plain;charset=UTF-8";

/** A string that starts with `<` (after white space) is taken for HTML. */
export const TEXT_HTML = "text/html; charset=utf-8";

/** JSON has no charset parameter (RFC 8259): it is always UTF-8. */
export const APPLICATION_JSON = "application/json";
