/**
 * The Standard Schema v1 interface (https://standardschema.dev), declared here so that any
 * library implementing it (zod, valibot, arktype, …) validates published fields without pubkit
 * depending on it.
 *
 * @module
 */

/**
 * A schema that implements Standard Schema v1: it has a `~standard` property with
 * `validate(value)` returning `{ value }` or `{ issues }`, possibly as a promise.
 *
 * @typeParam Input The type the schema accepts.
 * @typeParam Output The type it produces.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  /** The Standard Schema properties. */
  readonly "~standard": StandardSchemaV1.Props<Input, Output>;
}

/** The types that belong to {@linkcode StandardSchemaV1}. */
export declare namespace StandardSchemaV1 {
  /** The `~standard` property. */
  export interface Props<Input = unknown, Output = Input> {
    /** The version of the interface: 1. */
    readonly version: 1;
    /** The library that made the schema. */
    readonly vendor: string;
    /** Validates an unknown value. */
    readonly validate: (value: unknown) => Result<Output> | Promise<Result<Output>>;
    /** Type-only information. */
    readonly types?: Types<Input, Output> | undefined;
  }

  /** The result of a validation. */
  export type Result<Output> = SuccessResult<Output> | FailureResult;

  /** A successful validation. */
  export interface SuccessResult<Output> {
    /** The validated (possibly transformed) value. */
    readonly value: Output;
    /** No issues. */
    readonly issues?: undefined;
  }

  /** A failed validation. */
  export interface FailureResult {
    /** What was wrong. */
    readonly issues: ReadonlyArray<Issue>;
  }

  /** One problem found by a schema. */
  export interface Issue {
    /** The message for the user. */
    readonly message: string;
    /** Where in the value the problem is. */
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }

  /** A path segment in object form. */
  export interface PathSegment {
    /** The key. */
    readonly key: PropertyKey;
  }

  /** Type-only information about a schema. */
  export interface Types<Input = unknown, Output = Input> {
    /** The input type. */
    readonly input: Input;
    /** The output type. */
    readonly output: Output;
  }

  /** The input type of a schema. */
  export type InferInput<Schema extends StandardSchemaV1> = NonNullable<
    Schema["~standard"]["types"]
  >["input"];

  /** The output type of a schema. */
  export type InferOutput<Schema extends StandardSchemaV1> = NonNullable<
    Schema["~standard"]["types"]
  >["output"];
}

/**
 * Tells whether `value` implements Standard Schema v1.
 *
 * @example
 * ```ts
 * import { isStandardSchema, type StandardSchemaV1 } from "./standard_schema.ts";
 * import assert from "node:assert/strict";
 *
 * const schema: StandardSchemaV1<unknown, unknown> = {
 *   "~standard": { version: 1, vendor: "demo", validate: (value: unknown) => ({ value }) },
 * };
 * assert.equal(isStandardSchema(schema), true);
 * assert.equal(isStandardSchema({ name: "string" }), false);
 * ```
 *
 * @param value Anything.
 * @returns `true` when `value` has a `~standard` property of version 1 with `validate`.
 */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  const props = (value as { "~standard"?: unknown })["~standard"];
  return typeof props === "object" && props !== null &&
    (props as { version?: unknown }).version === 1 &&
    typeof (props as { validate?: unknown }).validate === "function";
}
