/**
 * `@pubkit/request/body`: reading a request without a `Req` — forms (urlencoded and multipart,
 * with limits), query strings, and the conditional-request and range rules `Req` and
 * `sendFile` follow.
 *
 * @example
 * ```ts
 * import { parseForm, parseQuery } from "@pubkit/request/body";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseQuery("?name=Ada").get("name"), "Ada");
 * const fields = await parseForm(
 *   new Request("http://localhost/", { method: "POST", body: new URLSearchParams({ a: "1" }) }),
 * );
 * assert.equal(fields.get("a"), "1");
 * ```
 *
 * @module
 */
export { parseForm, type ParseFormOptions, type SpoolOptions } from "./form.ts";
export { parseMultipart, type ParseMultipartOptions } from "./multipart.ts";
export { parseQuery, parseUrlEncoded } from "./urlencoded.ts";
export { DEFAULT_FORM_LIMITS, type FormLimits, resolveFormLimits } from "./form_limits.ts";
export { Fields, type FieldValue } from "./fields.ts";
export type { ByteBudget } from "./body_budget.ts";
export { notModified, rangeApplies, type Validators } from "./conditional.ts";
export { parseRange, type RangeAnswer } from "./send_file.ts";
