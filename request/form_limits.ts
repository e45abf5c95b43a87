/**
 * {@linkcode FormLimits}: the bounds every form parser enforces, on by default.
 *
 * @module
 */

/**
 * Bounds on form parsing. Sizes are in bytes and are counted on the bytes actually read, so a
 * body without `Content-Length` is held to them as well. Passing a limit is 413; `Infinity`
 * turns a limit off.
 */
export interface FormLimits {
  /** Largest `application/x-www-form-urlencoded` body. Default 1 MiB. */
  maxUrlEncodedBytes: number;
  /** Largest `multipart/form-data` body, all parts together. Default 32 MiB. */
  maxMultipartBytes: number;
  /** Largest uploaded file (one multipart part with a filename). Default 10 MiB. */
  maxFileBytes: number;
  /** Largest value of a non-file field, after decoding. Default 1 MiB. */
  maxFieldValueBytes: number;
  /** Most fields in one form, query string and body together, files included. Default 1,000. */
  maxFields: number;
  /** Most uploaded files in one form. Default 20. */
  maxFiles: number;
  /** Longest field name, in UTF-8 bytes after decoding. Default 1 KiB. */
  maxFieldNameBytes: number;
  /** Largest header section of one multipart part. Default 16 KiB. */
  maxPartHeaderBytes: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * The default limits.
 *
 * @example
 * ```ts
 * import {
 *   DEFAULT_FORM_LIMITS,
 *   type FormLimits,
 *   resolveFormLimits,
 * } from "@pubkit/request/body";
 * import assert from "node:assert/strict";
 *
 * const limits: FormLimits = { ...DEFAULT_FORM_LIMITS };
 * assert.deepEqual(resolveFormLimits(limits), DEFAULT_FORM_LIMITS);
 * assert.equal(DEFAULT_FORM_LIMITS.maxUrlEncodedBytes, 1024 * 1024);
 * assert.equal(DEFAULT_FORM_LIMITS.maxFiles, 20);
 * assert.ok(Object.isFrozen(DEFAULT_FORM_LIMITS));
 * ```
 */
export const DEFAULT_FORM_LIMITS: Readonly<FormLimits> = Object.freeze({
  maxUrlEncodedBytes: 1 * MiB,
  maxMultipartBytes: 32 * MiB,
  maxFileBytes: 10 * MiB,
  maxFieldValueBytes: 1 * MiB,
  maxFields: 1000,
  maxFiles: 20,
  maxFieldNameBytes: 1 * KiB,
  maxPartHeaderBytes: 16 * KiB,
});

/**
 * Validates partial limits and fills in the defaults.
 *
 * @param limits Limits to override; the others keep their defaults.
 * @returns A frozen, complete set of limits.
 * @throws {TypeError} When `limits` is not an object.
 * @throws {RangeError} For an unknown key, or a value that is not a non-negative integer or
 * `Infinity`.
 *
 * @example
 * ```ts
 * import {
 *   DEFAULT_FORM_LIMITS,
 *   type FormLimits,
 *   resolveFormLimits,
 * } from "@pubkit/request/body";
 * import assert from "node:assert/strict";
 *
 * const limits: Readonly<FormLimits> = resolveFormLimits({ maxFiles: 2 });
 * assert.notEqual(limits, DEFAULT_FORM_LIMITS);
 * assert.equal(limits.maxFiles, 2);
 * assert.equal(limits.maxFields, 1000);
 * assert.throws(() => resolveFormLimits({ maxFile: 2 } as never), RangeError);
 * assert.throws(() => resolveFormLimits({ maxFiles: -1 }), RangeError);
 * ```
 */
export function resolveFormLimits(limits: Partial<FormLimits> = {}): Readonly<FormLimits> {
  if (limits === DEFAULT_FORM_LIMITS) return DEFAULT_FORM_LIMITS;
  if (typeof limits !== "object" || limits === null) {
    throw new TypeError("Cannot resolve form limits: limits must be an object");
  }
  const resolved: FormLimits = { ...DEFAULT_FORM_LIMITS };
  for (const key of Object.keys(limits)) {
    if (!Object.hasOwn(DEFAULT_FORM_LIMITS, key)) {
      throw new RangeError(`Cannot resolve form limits: unknown limit ${JSON.stringify(key)}`);
    }
    const value = (limits as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (
      typeof value !== "number" ||
      !(value === Infinity || (Number.isSafeInteger(value) && value >= 0))
    ) {
      throw new RangeError(
        `Cannot resolve form limits: ${key} must be a non-negative integer or Infinity, got ${
          String(value)
        }`,
      );
    }
    resolved[key as keyof FormLimits] = value;
  }
  return Object.freeze(resolved);
}
