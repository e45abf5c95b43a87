/**
 * `publish(options, fn)`: allowed methods, access hooks and field validation for one published
 * function.
 *
 * @module
 */
import type { Req } from "@pubkit/request";
import { compileFields } from "./field_spec.ts";
import type { FieldsSchema, InferFields } from "./field_types.ts";
import {
  type CallContext,
  type FormRecord,
  PUBLISHED,
  type Published,
  type PublishedOptions,
  type PublishOptions,
} from "./publish_options.ts";
import { layerHooks, layerMethods, rootScope } from "./_layers.ts";
import { checkOptionKeys } from "./_check_options.ts";

const KEYS: ReadonlySet<string> = new Set([
  "methods",
  "fields",
  "form",
  "pathInfo",
  "auth",
  "realm",
  "access",
  "guard",
]);

/**
 * Wraps a function with publishing options: allowed methods (405 with `Allow` otherwise; HEAD
 * is answered wherever GET is), access hooks for this function only, and field validation (400
 * with one message per field). Calling the wrapper directly calls `fn`.
 *
 * @example
 * ```ts
 * import { publish, publishedOptions } from "@pubkit/publisher";
 * import type { Req } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * export const greet = publish(
 *   { methods: ["POST"], fields: { name: "string", times: "int?" } },
 *   (_req: Req, { name, times = 1 }) => `Hello, ${name}`.repeat(times),
 * );
 * assert.equal(publishedOptions(greet)?.form, true);
 * assert.throws(() => publish({ method: ["GET"] } as never, () => {}), RangeError);
 * ```
 *
 * @typeParam S The field spec or schema.
 * @param options Methods, fields, form parsing and hooks.
 * @param fn The function, called as `fn(req, fields, context)`.
 * @returns A function that calls `fn` and carries the options.
 * @throws {RangeError} For an unknown option.
 * @throws {TypeError} For an option of the wrong type or a `fn` that is not a function.
 */
export function publish<const S extends FieldsSchema>(
  options: PublishOptions<S> & { fields: S },
  fn: (req: Req, fields: InferFields<S>, context: CallContext) => unknown,
): Published<(req: Req, fields: InferFields<S>, context: CallContext) => unknown>;
/**
 * Wraps a function with publishing options but no field spec: it receives the whole form
 * record (`(await req.form()).toObject()`).
 *
 * @example
 * ```ts
 * import { publish, publishedOptions } from "@pubkit/publisher";
 * import assert from "node:assert/strict";
 *
 * const echo = publish({ methods: ["GET"] }, (_req, fields) => ({ ...fields }));
 * assert.deepEqual(publishedOptions(echo)?.methods, ["GET"]);
 * ```
 *
 * @param options Methods, form parsing and hooks.
 * @param fn The function, called as `fn(req, fields, context)`.
 * @returns A function that calls `fn` and carries the options.
 * @throws {RangeError} For an unknown option.
 * @throws {TypeError} For an option of the wrong type or a `fn` that is not a function.
 */
export function publish(
  options: Omit<PublishOptions, "fields">,
  fn: (req: Req, fields: FormRecord, context: CallContext) => unknown,
): Published<(req: Req, fields: FormRecord, context: CallContext) => unknown>;
export function publish(
  options: PublishOptions,
  fn: (req: Req, fields: never, context: CallContext) => unknown,
): Published<(req: Req, fields: never, context: CallContext) => unknown> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("Cannot publish: options must be an object");
  }
  if (typeof fn !== "function") throw new TypeError("Cannot publish: fn must be a function");
  checkOptionKeys(options, KEYS, "publish");
  for (const key of ["form", "pathInfo"] as const) {
    if (options[key] !== undefined && typeof options[key] !== "boolean") {
      throw new TypeError(`Cannot publish: ${key} must be a boolean`);
    }
  }
  const hooks = {
    auth: options.auth,
    realm: options.realm,
    access: options.access,
    guard: options.guard,
  };
  // Checked now against an empty base so that a mistake fails at import, not at the first call.
  layerHooks(rootScope().hooks, hooks, "publish()");
  layerMethods([], options.methods, "publish()");
  const compiled: PublishedOptions = Object.freeze({
    methods: options.methods,
    validate: options.fields === undefined ? undefined : compileFields(options.fields),
    form: options.form ?? true,
    pathInfo: options.pathInfo ?? false,
    hooks: Object.freeze(hooks),
  });
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    return (fn as (...args: unknown[]) => unknown).apply(this, args);
  };
  Object.defineProperty(wrapper, "name", { value: fn.name });
  // The publisher reads a request body only for a function that declares a fields parameter.
  Object.defineProperty(wrapper, "length", { value: fn.length });
  Object.defineProperty(wrapper, PUBLISHED, { value: compiled });
  return wrapper as never;
}

/**
 * Returns what {@linkcode publish} attached to `fn`.
 *
 * @example
 * ```ts
 * import { publish, publishedOptions } from "@pubkit/publisher";
 * import assert from "node:assert/strict";
 *
 * assert.equal(publishedOptions(() => "plain"), undefined);
 * assert.equal(publishedOptions(publish({ form: false }, () => ""))?.form, false);
 * ```
 *
 * @param fn A function.
 * @returns The options, or `undefined` for a function that was not wrapped.
 */
export function publishedOptions(fn: unknown): PublishedOptions | undefined {
  if (typeof fn !== "function") return undefined;
  const descriptor = Object.getOwnPropertyDescriptor(fn, PUBLISHED);
  return descriptor && "value" in descriptor ? descriptor.value as PublishedOptions : undefined;
}
