/**
 * `@pubkit/publisher`: a URL reaches an exported function, and nothing else.
 *
 * Write `export function hello(req, { name = "world" })` in `hello.ts` under the root and
 * `/hello/hello?name=Ada` calls it.
 *
 * ## Resolution
 *
 * A path is split on `/` and each segment percent-decoded; a malformed or hostile segment
 * (`.`/`..` in any encoding, encoded `/` or `\`, a backslash, NUL or another control character,
 * a `%` left after decoding, an NFKC look-alike of those) is a 400. A trailing slash is ignored.
 * Then the route table is looked up, longest prefix first. For `/a/b/c`, in order:
 *
 * 1. module `a/b.ts`, export `c` (then `a/b/index.ts`, export `c`);
 * 2. module `a/b/c.ts`, export `index` (then `a/b/c/index.ts`, export `index`);
 * 3. shorter prefixes the same way, but only a function published with
 *    `publish({ pathInfo: true }, fn)` accepts the remaining segments, as `context.pathInfo`
 *    (`/a/b/x/y` is `a/b.ts` export `x` with `pathInfo` `["y"]` if `x` opted in; else 404).
 *
 * `/obj/m` reaches member `m` of an exported plain object `obj`. `/` is `index.ts` export
 * `index`; `/x/index` names an `index` export explicitly.
 *
 * ## Publish rules
 *
 * Published: exported functions (sync or async), and functions that are own, enumerable data
 * properties of an exported plain object (prototype `Object.prototype` or `null`), one level
 * deep. Never: any file, folder, export or member whose name starts with `_` or `.`; classes;
 * module namespace objects (`export * as db`); non-function values; getters; symbols;
 * inherited members; `default`; and names every object or function has (`constructor`,
 * `prototype`, `__proto__`, `toString`, `call`, …). Everything else is 404 with the same body
 * whether the name exists or not. Re-exporting a function publishes it: keep helpers in
 * `_`-prefixed files.
 *
 * @example
 * ```ts
 * import { Publisher } from "@pubkit/publisher";
 * import { Req } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * const root = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${root}/index.ts`, "export const index = () => '<h1>Home</h1>';");
 * await using publisher = await Publisher.create({ root });
 * const response = await publisher.handle(new Req(new Request("http://localhost/")));
 * // A string is text, whatever it starts with (HTML comes from templates or `html`).
 * assert.equal(response.headers.get("content-type"), "text/plain;charset=UTF-8");
 * assert.equal(await response.text(), "<h1>Home</h1>");
 * await Deno.remove(root, { recursive: true });
 * ```
 *
 * @module
 */
export { Publisher } from "./publisher.ts";
export type { BeforeCall, HandleOptions, PublisherOptions } from "./publisher_options.ts";
export type { PublishedFunction, Route } from "./route.ts";
export { DEFAULT_METHODS, defineScope } from "./define_scope.ts";
export type {
  ListEdit,
  ListOption,
  Scope,
  ScopeOptions,
  SessionMode,
  StartupFunction,
  StartupHook,
} from "./scope.ts";
export { publish, publishedOptions } from "./publish.ts";
export {
  type CallContext,
  type FormRecord,
  PUBLISHED,
  type Published,
  type PublishedOptions,
  type PublishOptions,
} from "./publish_options.ts";
export { InvalidFieldsError } from "./field_spec.ts";
export type {
  FieldRule,
  FieldSpec,
  FieldsSchema,
  FieldsSpec,
  FieldsValidator,
  FieldType,
  InferField,
  InferFields,
  TypeOf,
} from "./field_types.ts";
export type { StandardSchemaV1 } from "./standard_schema.ts";
export type {
  AccessCheck,
  AccessHooks,
  AccessResult,
  Authenticator,
  BasicCredentials,
  EffectiveHooks,
  Guard,
  PasswordMap,
} from "./access_hooks.ts";
