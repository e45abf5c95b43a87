/**
 * The security headers an app sends by default.
 *
 * @module
 */

/**
 * Header values by name; `false` removes a header that a wider level set.
 */
export type SecurityHeaders = Readonly<Record<string, string | false>>;

/**
 * What every response an app builds carries unless the response sets the header itself:
 * no MIME sniffing, no full URLs in cross-origin `Referer`s, and no framing by other sites
 * (clickjacking). Override or remove them per app (`createApp({ securityHeaders })`) or per
 * folder (`securityHeaders` in `_config.ts`).
 *
 * @example
 * ```ts
 * import { createApp, DEFAULT_SECURITY_HEADERS } from "@pubkit/server";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_SECURITY_HEADERS["x-content-type-options"], "nosniff");
 * const app = createApp({ handler: () => "hi", accessLog: false });
 * const response = await app.fetch(new Request("http://localhost/"));
 * assert.equal(response.headers.get("content-security-policy"), "frame-ancestors 'self'");
 * await response.body?.cancel();
 * await app.close();
 * ```
 */
export const DEFAULT_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
  "content-security-policy": "frame-ancestors 'self'",
});

/**
 * `base` with `overrides` applied key by key (names lower-cased; `false` removes), frozen;
 * `undefined` when nothing is left.
 *
 * @param base The inherited headers.
 * @param overrides The changes.
 * @returns The headers to send, or `undefined` for none.
 * @throws {TypeError} For an invalid header name or value.
 */
export function layerSecurityHeaders(
  base: Readonly<Record<string, string>> | undefined,
  overrides: SecurityHeaders,
): Readonly<Record<string, string>> | undefined {
  const headers: Record<string, string> = { ...base };
  for (const [name, value] of Object.entries(overrides)) {
    const key = name.toLowerCase();
    if (value === false) {
      delete headers[key];
      continue;
    }
    try {
      new Headers().set(key, value);
    } catch (cause) {
      throw new TypeError(
        `Cannot use security header ${JSON.stringify(name)}: ${JSON.stringify(value)} is invalid`,
        { cause },
      );
    }
    headers[key] = value;
  }
  return Object.keys(headers).length === 0 ? undefined : Object.freeze(headers);
}
