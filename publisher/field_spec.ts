/**
 * Field validation for published functions: the small built-in spec (`"string"`, `"int"`,
 * `"number"`, `"boolean"`, `"file"`, optional with `?`, repeated with `[]`) or any Standard
 * Schema, per field or for the whole form.
 *
 * @module
 */
import { type Fields, type FieldValue, HttpError } from "@pubkit/request";
import { isStandardSchema, type StandardSchemaV1 } from "./standard_schema.ts";
import type { FieldsSchema, FieldsValidator, FieldType } from "./field_types.ts";

/**
 * A 400 that lists every invalid field with its message, one per line.
 *
 * @example
 * ```ts
 * import { compileFields, InvalidFieldsError } from "./field_spec.ts";
 * import { Fields } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * const error = new InvalidFieldsError({ name: ["is required"] });
 * assert.equal(error.status, 400);
 * assert.equal(error.message, "Invalid fields:\nname: is required");
 * await assert.rejects(compileFields({ name: "string" })(new Fields()), InvalidFieldsError);
 * ```
 */
export class InvalidFieldsError extends HttpError {
  /** The messages by field name (`""` for the form as a whole). */
  readonly fields: Readonly<Record<string, readonly string[]>>;

  /**
   * Creates the error.
   *
   * @param fields The messages by field name.
   */
  constructor(fields: Record<string, string[]>) {
    const lines = Object.entries(fields).flatMap(([name, messages]) =>
      messages.map((message) => name === "" ? message : `${name}: ${message}`)
    );
    super(400, ["Invalid fields:", ...lines].join("\n"));
    this.name = "InvalidFieldsError";
    this.fields = fields;
  }
}

const TYPES: ReadonlySet<string> = new Set(["string", "int", "number", "boolean", "file"]);

interface CompiledRule {
  readonly type: FieldType;
  readonly optional: boolean;
  readonly repeated: boolean;
}

/**
 * Checks a {@linkcode FieldsSchema} and builds its validator. The validator resolves with a
 * null-prototype record of exactly the specified fields (or the schema's output) and rejects
 * with {@linkcode InvalidFieldsError}.
 *
 * @example
 * ```ts
 * import { compileFields, InvalidFieldsError } from "./field_spec.ts";
 * import { Fields } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * const validate = compileFields({ name: "string", age: "int?", tag: "string[]" });
 * const record = await validate(new Fields([["name", "Ada"], ["age", "36"], ["tag", "x"]]));
 * assert.deepEqual({ ...record }, { name: "Ada", age: 36, tag: ["x"] });
 * await assert.rejects(validate(new Fields([["age", "x"]])), InvalidFieldsError);
 * ```
 *
 * @param schema The spec or schema.
 * @returns The validator.
 * @throws {TypeError} For a spec entry that is not a known type, rule or Standard Schema.
 */
export function compileFields(schema: FieldsSchema): FieldsValidator {
  if (isStandardSchema(schema)) return (fields) => validateWhole(schema, fields);
  if (typeof schema !== "object" || schema === null) {
    throw new TypeError("Cannot compile fields: the spec must be an object or a Standard Schema");
  }
  const entries: [string, CompiledRule | StandardSchemaV1][] = [];
  for (const name of Object.keys(schema)) {
    const spec = (schema as Record<string, unknown>)[name];
    entries.push([name, isStandardSchema(spec) ? spec : compileRule(name, spec)]);
  }
  return async (fields) => {
    const record: Record<string, unknown> = Object.create(null);
    const problems: Record<string, string[]> = Object.create(null);
    for (const [name, rule] of entries) {
      const result = isStandardSchema(rule)
        ? await validateOne(rule, fields, name)
        : convert(rule, fields.getAll(name));
      if ("issues" in result) problems[name] = result.issues;
      else define(record, name, result.value);
    }
    if (Object.keys(problems).length > 0) throw new InvalidFieldsError(problems);
    return record;
  };
}

function compileRule(name: string, spec: unknown): CompiledRule {
  if (typeof spec === "string") {
    const match = /^([a-z]+)(\?|\[\])?$/.exec(spec);
    if (match && TYPES.has(match[1])) {
      return {
        type: match[1] as FieldType,
        optional: match[2] === "?",
        repeated: match[2] === "[]",
      };
    }
  } else if (typeof spec === "object" && spec !== null) {
    const rule = spec as Record<string, unknown>;
    const unknownKey = Object.keys(rule).find((key) =>
      !["type", "optional", "repeated"].includes(key)
    );
    if (unknownKey === undefined && typeof rule.type === "string" && TYPES.has(rule.type)) {
      return { type: rule.type as FieldType, optional: !!rule.optional, repeated: !!rule.repeated };
    }
  }
  throw new TypeError(
    `Cannot compile field ${JSON.stringify(name)}: expected "string", "int", "number", ` +
      `"boolean" or "file" (with "?" or "[]"), a { type, optional, repeated } rule, or a Standard Schema`,
  );
}

type Outcome = { value: unknown } | { issues: string[] };

function convert(rule: CompiledRule, values: FieldValue[]): Outcome {
  if (rule.repeated) {
    const out: unknown[] = [];
    const issues = new Set<string>();
    for (const value of values) {
      const one = convertOne(rule.type, value);
      if ("issue" in one) issues.add(`every value ${one.issue}`);
      else out.push(one.value);
    }
    return issues.size > 0 ? { issues: [...issues] } : { value: out };
  }
  if (values.length === 0) {
    return rule.optional ? { value: undefined } : { issues: ["is required"] };
  }
  if (values.length > 1) return { issues: ["must be given once"] };
  const one = convertOne(rule.type, values[0]);
  return "issue" in one ? { issues: [one.issue] } : { value: one.value };
}

const TRUE = new Set(["true", "on", "1", "yes"]);
const FALSE = new Set(["false", "off", "0", "no", ""]);

function convertOne(type: FieldType, value: FieldValue): { value: unknown } | { issue: string } {
  if (type === "file") {
    return value instanceof File ? { value } : { issue: "must be a file" };
  }
  if (typeof value !== "string") return { issue: "must be text, not a file" };
  switch (type) {
    case "string":
      return { value };
    case "int": {
      const n = /^[+-]?\d{1,16}$/.test(value.trim()) ? Number(value) : NaN;
      return Number.isSafeInteger(n) ? { value: n } : { issue: "must be an integer" };
    }
    case "number": {
      const n = value.trim() === "" ? NaN : Number(value);
      return Number.isFinite(n) ? { value: n } : { issue: "must be a number" };
    }
    case "boolean": {
      const word = value.trim().toLowerCase();
      if (TRUE.has(word)) return { value: true };
      if (FALSE.has(word)) return { value: false };
      return { issue: "must be a boolean (true/false, on/off, 1/0, yes/no)" };
    }
  }
}

async function validateOne(
  schema: StandardSchemaV1,
  fields: Fields,
  name: string,
): Promise<Outcome> {
  const values = fields.getAll(name);
  const input = values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
  const result = await schema["~standard"].validate(input);
  if (result.issues) return { issues: result.issues.map((issue) => issue.message) };
  return { value: result.value };
}

async function validateWhole(
  schema: StandardSchemaV1,
  fields: Fields,
): Promise<Record<string, unknown>> {
  const result = await schema["~standard"].validate(fields.toObject());
  if (!result.issues) return result.value as Record<string, unknown>;
  const problems: Record<string, string[]> = Object.create(null);
  for (const issue of result.issues) {
    const first = issue.path?.[0];
    const key = typeof first === "object" && first !== null ? first.key : first;
    const name = key === undefined ? "" : String(key);
    (problems[name] ??= []).push(issue.message);
  }
  throw new InvalidFieldsError(problems);
}

function define(record: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(record, name, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
