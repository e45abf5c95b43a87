/**
 * {@linkcode Route}: what a URL resolved to.
 *
 * @module
 */
import type { EffectiveHooks } from "./access_hooks.ts";
import type { PublishedOptions } from "./publish_options.ts";
import type { Scope } from "./scope.ts";

/** A published function as the route table holds it. */
export type PublishedFunction = (req: never, fields: never, context: never) => unknown;

/** A resolved route: the function, where it came from, its options, and the path info. */
export interface Route {
  /** The URL path that names the function, e.g. `/admin/users/list` (`/` for the root index). */
  readonly path: string;
  /** The module file, relative to the root, e.g. `admin/users.ts`. */
  readonly module: string;
  /** The exported name, or `object.member` for a member of an exported plain object. */
  readonly name: string;
  /** The function. */
  readonly fn: PublishedFunction;
  /** What `publish()` attached, if the function was wrapped. */
  readonly options: PublishedOptions | undefined;
  /** The effective options of the module's folder. */
  readonly scope: Scope;
  /** The effective hooks: the scope's, then the module's `_auth`/`_access`/…, then the function's. */
  readonly hooks: EffectiveHooks;
  /** The allowed methods (HEAD is allowed wherever GET is). */
  readonly methods: readonly string[];
  /** The decoded path segments after the function's name. */
  readonly pathInfo: readonly string[];
}
