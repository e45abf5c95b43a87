/**
 * Parsers for query strings and `application/x-www-form-urlencoded` bodies.
 *
 * Both follow the WHATWG urlencoded format (`&`-separated, `+` is a space, `%XX` escapes,
 * UTF-8), but strictly: a `%` not followed by two hex digits, or bytes that are not UTF-8, are a
 * 400 rather than passed through. Limits are those of {@linkcode FormLimits}.
 *
 * @module
 */
import { FormBudget, limitError } from "./_form_budget.ts";
import { parseUrlEncodedInto } from "./_form_urlencoded.ts";
import { Fields } from "./fields.ts";
import { type FormLimits, resolveFormLimits } from "./form_limits.ts";

// Fields cannot be changed, so every request without a query can share one.
const NO_FIELDS = new Fields();

/**
 * Parses a query string (with or without its leading `?`), e.g. `new URL(url).search`.
 *
 * @param search The query string.
 * @param limits Limits to apply; `maxFields`, `maxFieldNameBytes` and `maxFieldValueBytes` are
 * the ones that matter here (a server bounds the request target's length).
 * @returns The fields, in order.
 * @throws {HttpError} 400 for bad percent-encoding or bytes that are not UTF-8; 413 when a
 * field limit is passed (the message names it).
 * @throws {RangeError} For invalid `limits`.
 *
 * @example
 * ```ts
 * import { parseQuery, parseUrlEncoded } from "@pubkit/request/body";
 * import { HttpError } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * const query = parseQuery("?name=Ada+Lovelace&tag=a&tag=%C3%A9");
 * assert.equal(query.get("name"), "Ada Lovelace");
 * assert.deepEqual(query.getAll("tag"), ["a", "é"]);
 * assert.deepEqual([...parseUrlEncoded("a=1&b")], [["a", "1"], ["b", ""]]);
 * assert.throws(() => parseQuery("?a=%zz"), (e) => e instanceof HttpError && e.status === 400);
 * ```
 */
export function parseQuery(search: string, limits?: Partial<FormLimits>): Fields {
  if (typeof search !== "string") {
    throw new TypeError("Cannot parse query: search must be a string");
  }
  if ((search === "" || search === "?") && limits === undefined) return NO_FIELDS;
  const budget = new FormBudget(resolveFormLimits(limits));
  const text = search.startsWith("?") ? search.slice(1) : search;
  parseUrlEncodedInto(new TextEncoder().encode(text), budget, "query string");
  return budget.toFields();
}

/**
 * Parses an `application/x-www-form-urlencoded` body that was already read.
 *
 * @param body The body, as bytes or text.
 * @param limits Limits to apply: `maxUrlEncodedBytes` (on the bytes), `maxFields`,
 * `maxFieldNameBytes`, `maxFieldValueBytes`.
 * @returns The fields, in order.
 * @throws {HttpError} 400 for bad percent-encoding or bytes that are not UTF-8; 413 when a
 * limit is passed (the message names it).
 * @throws {RangeError} For invalid `limits`.
 * @throws {TypeError} When `body` is neither a string nor a `Uint8Array`.
 *
 * @example
 * ```ts
 * import { parseQuery, parseUrlEncoded } from "@pubkit/request/body";
 * import { HttpError } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * const form = parseUrlEncoded("a=1&b=two+words&a=3");
 * assert.equal(parseQuery("?b=two+words").get("b"), form.get("b"));
 * assert.deepEqual(form.toObject(), Object.assign(Object.create(null), {
 *   a: ["1", "3"],
 *   b: "two words",
 * }));
 * assert.throws(
 *   () => parseUrlEncoded("a=1&b=2", { maxFields: 1 }),
 *   (e) => e instanceof HttpError && e.status === 413 && e.message.includes("maxFields"),
 * );
 * ```
 */
export function parseUrlEncoded(body: Uint8Array | string, limits?: Partial<FormLimits>): Fields {
  const resolved = resolveFormLimits(limits);
  let bytes: Uint8Array;
  if (typeof body === "string") bytes = new TextEncoder().encode(body);
  else if (body instanceof Uint8Array) bytes = body;
  else throw new TypeError("Cannot parse urlencoded body: body must be a string or a Uint8Array");
  if (bytes.length > resolved.maxUrlEncodedBytes) {
    throw limitError(
      `a body of ${bytes.length} bytes`,
      resolved.maxUrlEncodedBytes,
      "maxUrlEncodedBytes",
    );
  }
  const budget = new FormBudget(resolved);
  parseUrlEncodedInto(bytes, budget, "body");
  return budget.toFields();
}
