/**
 * Conditional requests (RFC 9110 §13): whether a `GET` or `HEAD` may be answered
 * `304 Not Modified`, given the response's validators.
 *
 * @module
 */

/** A response's validators: its `ETag` and `Last-Modified` header values. */
export interface Validators {
  /** The entity tag, quoted, with `W/` when weak (e.g. `W/"1a-2b"`). */
  etag?: string | null;
  /** The last modification, as an HTTP date or a `Date`. */
  lastModified?: string | Date | null;
}

/**
 * Whether the request's preconditions say the client's copy is current: `If-None-Match` (weak
 * comparison, RFC 9110 §13.1.2, so `"x"` matches `W/"x"` and `*` matches anything) or, only
 * when that header is absent, `If-Modified-Since` (to the second). Call it for `GET` and `HEAD`
 * only.
 *
 * @example
 * ```ts
 * import { notModified } from "@pubkit/request/body";
 * import assert from "node:assert/strict";
 *
 * const ask = (headers: HeadersInit) => new Headers(headers);
 * assert.ok(notModified(ask({ "if-none-match": '"v1"' }), { etag: 'W/"v1"' }));
 * assert.ok(!notModified(ask({ "if-none-match": '"v2", "v3"' }), { etag: '"v1"' }));
 * const lastModified = new Date("2024-05-01T10:00:00.500Z");
 * assert.ok(notModified(ask({ "if-modified-since": "Wed, 01 May 2024 10:00:00 GMT" }), { lastModified }));
 * assert.ok(!notModified(ask({}), { etag: '"v1"', lastModified }));
 * ```
 *
 * @param request The request headers.
 * @param validators The response's validators.
 * @returns `true` when `304 Not Modified` is the answer.
 */
export function notModified(request: Headers, validators: Validators): boolean {
  const ifNoneMatch = request.get("if-none-match");
  if (ifNoneMatch !== null) {
    if (ifNoneMatch.trim() === "*") return true;
    const etag = validators.etag;
    if (!etag) return false;
    const current = opaqueTag(etag);
    return ifNoneMatch.split(",").some((tag) => opaqueTag(tag.trim()) === current);
  }
  const since = Date.parse(request.get("if-modified-since") ?? "");
  if (Number.isNaN(since) || !validators.lastModified) return false;
  const modified = typeof validators.lastModified === "string"
    ? Date.parse(validators.lastModified)
    : validators.lastModified.getTime();
  return Math.floor(modified / 1000) * 1000 <= since;
}

/** The quoted part of an entity tag, without `W/`: what the weak comparison compares. */
function opaqueTag(tag: string): string {
  return tag.startsWith("W/") ? tag.slice(2) : tag;
}

/**
 * Whether an `If-Range` header lets a `Range` apply (RFC 9110 §13.1.5): absent, a strong entity
 * tag equal to the current one (strong comparison: a weak tag never matches), or the exact
 * `Last-Modified` date.
 *
 * @example
 * ```ts
 * import { rangeApplies } from "@pubkit/request/body";
 * import assert from "node:assert/strict";
 *
 * const ifRange = (value: string) => new Headers({ "if-range": value });
 * assert.ok(rangeApplies(ifRange('"v1"'), { etag: '"v1"' }));
 * assert.ok(!rangeApplies(ifRange('"v1"'), { etag: 'W/"v1"' })); // weak: never for ranges
 * assert.ok(rangeApplies(new Headers(), { etag: 'W/"v1"' }));
 * ```
 *
 * @param request The request headers.
 * @param validators The response's validators.
 * @returns `true` when the range may be served.
 */
export function rangeApplies(request: Headers, validators: Validators): boolean {
  const ifRange = request.get("if-range")?.trim();
  if (ifRange === undefined) return true;
  if (ifRange.startsWith('"') || ifRange.startsWith("W/")) {
    return !ifRange.startsWith("W/") && validators.etag === ifRange;
  }
  const { lastModified } = validators;
  if (!lastModified) return false;
  const modified = typeof lastModified === "string" ? lastModified : lastModified.toUTCString();
  return Date.parse(ifRange) === Date.parse(modified);
}
