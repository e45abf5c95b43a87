/**
 * The types of `publish()`'s options and of what a published function receives.
 *
 * @module
 */
import type { FieldValue } from "@pubkit/request";
import type { FieldsSchema, FieldsValidator } from "./field_types.ts";
import type { AccessCheck, Authenticator, Guard, PasswordMap } from "./access_hooks.ts";
import type { ListOption } from "./scope.ts";
import type { Route } from "./route.ts";

/** What a published function receives after `req` and `fields`. */
export interface CallContext {
  /** The route that was resolved. */
  readonly route: Route;
  /** The path segments after the function's name, decoded. */
  readonly pathInfo: readonly string[];
  /** The user the access hooks authenticated, if any. */
  readonly user: string | undefined;
}

/** The form record a function without a field spec receives. */
export type FormRecord = Record<string, FieldValue | FieldValue[] | undefined>;

/** Options of `publish()`. */
export interface PublishOptions<S extends FieldsSchema = FieldsSchema> {
  /** Allowed methods: a list replaces the scope's, `{ append }` extends it. HEAD follows GET. */
  methods?: ListOption<string>;
  /** Field validation: a built-in spec or a Standard Schema. */
  fields?: S;
  /** `false` to skip body parsing: `fields` then holds the query string only. Default `true`. */
  form?: boolean;
  /**
   * `true` to accept path segments after the function's name (`context.pathInfo`). Default
   * `false`: `/hello/extra` is then 404, like every other unpublished path.
   */
  pathInfo?: boolean;
  /** The authenticator; overrides the module's and the scope's; `false` turns it off. */
  auth?: Authenticator | PasswordMap | false;
  /** The Basic auth realm. */
  realm?: string;
  /** The access list (replace or extend) or check; `false` turns it off. */
  access?: ListOption<string> | AccessCheck | false;
  /** The guard; `false` turns it off. */
  guard?: Guard | false;
}

/** What `publish()` attached to a function, checked and compiled. */
export interface PublishedOptions {
  /** The methods option as given. */
  readonly methods: ListOption<string> | undefined;
  /** The field validator, if fields were specified. */
  readonly validate: FieldsValidator | undefined;
  /** Whether the body is parsed. */
  readonly form: boolean;
  /** Whether path segments after the name are accepted. */
  readonly pathInfo: boolean;
  /** The hooks as given. */
  readonly hooks: Pick<PublishOptions, "auth" | "realm" | "access" | "guard">;
}

/**
 * The key under which `publish()` stores a function's options (a registered symbol, so
 * two copies of this package agree). A symbol is never a route segment.
 */
export const PUBLISHED: unique symbol = Symbol.for("@pubkit/publisher#published") as never;
/** A function wrapped by `publish()`. */
export type Published<F> = F & { readonly [PUBLISHED]: PublishedOptions };
