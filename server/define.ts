/**
 * {@linkcode createDefine}: one request type for an app's published functions.
 *
 * @module
 */
import {
  type CallContext,
  type FieldsSchema,
  type FormRecord,
  type InferFields,
  publish,
  type Published,
  type PublishOptions,
} from "@pubkit/publisher";
import type { AppReq } from "./app_req.ts";

/** A published function of an app whose request carries `Data`. */
export type DefinedFunction<Data extends object, Fields = FormRecord> = (
  req: AppReq<Data>,
  fields: Fields,
  context: CallContext,
) => unknown;

/** What {@linkcode createDefine} returns: helpers that type a function's `req` as the app's. */
export interface Define<Data extends object> {
  /**
   * Types a published function's `req` as the app's request (its session, pools, templates and
   * `data`); returns `fn` itself.
   *
   * @param fn The function.
   * @returns `fn`.
   */
  fn<F extends DefinedFunction<Data, never>>(fn: F): F;
  /**
   * `publish()` of `@pubkit/publisher` with a field spec, `req` typed as the app's request.
   *
   * @param options Methods, fields, form parsing and hooks.
   * @param fn The function, called as `fn(req, fields, context)`.
   * @returns A function that calls `fn` and carries the options.
   * @throws {RangeError} For an unknown option.
   * @throws {TypeError} For an option of the wrong type or a `fn` that is not a function.
   */
  publish<const S extends FieldsSchema>(
    options: PublishOptions<S> & { fields: S },
    fn: DefinedFunction<Data, InferFields<S>>,
  ): Published<DefinedFunction<Data, InferFields<S>>>;
  /**
   * `publish()` of `@pubkit/publisher` without a field spec (`fields` is the whole form record),
   * `req` typed as the app's request.
   *
   * @param options Methods, form parsing and hooks.
   * @param fn The function, called as `fn(req, fields, context)`.
   * @returns A function that calls `fn` and carries the options.
   * @throws {RangeError} For an unknown option.
   * @throws {TypeError} For an option of the wrong type or a `fn` that is not a function.
   */
  publish(
    options: Omit<PublishOptions, "fields">,
    fn: DefinedFunction<Data, FormRecord>,
  ): Published<DefinedFunction<Data, FormRecord>>;
}

const DEFINE: Define<object> = {
  fn: (fn) => fn,
  // The server hands every published function an AppReq: the one place that says so.
  publish:
    ((options: PublishOptions, fn: DefinedFunction<object, never>) =>
      publish(options as never, fn as never)) as Define<object>["publish"],
};

/**
 * Declares an app's request-scoped data once and returns helpers that type the `req` of its
 * published functions as the app's request — an `AppReq` with that `data` — so that neither the
 * pages nor the server cast (a model: Fresh's `createDefine<State>()`). The helpers return the
 * functions they are given (or `publish()`'s wrapper): nothing changes at run time.
 *
 * @example
 * ```ts
 * import { createApp, createDefine } from "@pubkit/server";
 * import assert from "node:assert/strict";
 *
 * interface Data {
 *   user?: string;
 * }
 * const define = createDefine<Data>();
 *
 * // In a published module: `req.data.user` is a string or undefined, `req.server` the app's.
 * const hello = define.fn((req) => `Hello, ${req.data.user ?? "guest"}`);
 * const greet = define.publish({ fields: { name: "string" } }, (_req, { name }) => `Hi ${name}`);
 *
 * const app = createApp({ handler: hello, accessLog: false });
 * const response = await app.fetch(new Request("http://localhost/"));
 * assert.equal(await response.text(), "Hello, guest");
 * assert.equal(typeof greet, "function");
 * await app.close();
 * ```
 *
 * @typeParam Data The request-scoped data (`req.data`) the app's functions share.
 * @returns The helpers.
 */
export function createDefine<Data extends object = object>(): Define<Data> {
  return DEFINE as unknown as Define<Data>;
}
