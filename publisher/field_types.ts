/**
 * The types of field specs: the built-in spec and what it infers.
 *
 * @module
 */
import type { Fields } from "@pubkit/request";
import type { StandardSchemaV1 } from "./standard_schema.ts";

/** The value types of the built-in spec. */
export type FieldType = "string" | "int" | "number" | "boolean" | "file";

/** One field in the long form: `{ type: "int", optional: true }`. */
export interface FieldRule {
  /** The value type. */
  type: FieldType;
  /** Missing is allowed (the value is then `undefined`). */
  optional?: boolean;
  /** Every value of the name, as an array (empty when missing). */
  repeated?: boolean;
}

/**
 * One field of the built-in spec: a type (`"int"`), an optional type (`"int?"`), a repeated
 * type (`"int[]"`), a {@linkcode FieldRule}, or a Standard Schema for that field's value (the
 * string, the `File`, an array when the name repeats, `undefined` when missing).
 */
export type FieldSpec =
  | FieldType
  | `${FieldType}?`
  | `${FieldType}[]`
  | FieldRule
  | StandardSchemaV1;

/** A spec for the whole form: one {@linkcode FieldSpec} per field name. */
export type FieldsSpec = Record<string, FieldSpec>;

/**
 * What `publish({ fields })` accepts: a {@linkcode FieldsSpec}, or one Standard Schema that
 * validates the whole form record (`fields.toObject()`).
 */
export type FieldsSchema = FieldsSpec | StandardSchemaV1;

/** The value type of a built-in {@linkcode FieldType}. */
export type TypeOf<T> = T extends "string" ? string
  : T extends "int" | "number" ? number
  : T extends "boolean" ? boolean
  : T extends "file" ? File
  : never;

/** The value type a {@linkcode FieldSpec} produces. */
export type InferField<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S>
  : S extends `${infer T}?` ? TypeOf<T> | undefined
  : S extends `${infer T}[]` ? TypeOf<T>[]
  : S extends FieldType ? TypeOf<S>
  : S extends { type: infer T; repeated: true } ? TypeOf<T>[]
  : S extends { type: infer T; optional: true } ? TypeOf<T> | undefined
  : S extends { type: infer T } ? TypeOf<T>
  : never;

/** The fields record a {@linkcode FieldsSchema} produces. */
export type InferFields<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S>
  : { [K in keyof S]: InferField<S[K]> };

/** A validator built once per published function. */
export type FieldsValidator = (fields: Fields) => Promise<Record<string, unknown>>;
