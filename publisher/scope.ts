/**
 * Directory scopes: a `_config.ts` in any folder sets options for its subtree, inheriting from
 * the parent folder; lists can be replaced (an array) or extended (`{ prepend, append, remove }`).
 * The effective options of every folder are computed once, at start-up.
 *
 * @module
 */
import type { FormLimits } from "@pubkit/request";
import type {
  AccessCheck,
  Authenticator,
  EffectiveHooks,
  Guard,
  PasswordMap,
} from "./access_hooks.ts";

/**
 * An edit of an inherited list: `prepend` goes first, `append` last, `remove` drops entries.
 * A plain array replaces the inherited list instead.
 */
export interface ListEdit<T> {
  /** Entries put before the inherited ones. */
  prepend?: readonly T[];
  /** Entries put after the inherited ones. */
  append?: readonly T[];
  /** Inherited entries to drop. */
  remove?: readonly T[];
}

/** A list option: an array replaces, a {@linkcode ListEdit} extends the inherited list. */
export type ListOption<T> = readonly T[] | ListEdit<T>;

/** A start-up function; the server calls it before listening with its own context. */
export type StartupFunction<C = unknown> = (context: C) => unknown;

/** A start-up hook and where it was declared, for error messages. */
export interface StartupHook<C = unknown> {
  /** Where it was declared, e.g. `admin/_config.ts#startup[0]` or `db.ts#_startup`. */
  readonly name: string;
  /** The hook. */
  readonly run: StartupFunction<C>;
}

/** The session mode of a scope: a locked session, a read-only one, or none. */
export type SessionMode = "lock" | "read" | false;

/**
 * What a `_config.ts` exports as `default` (write `export default defineScope({ … })`). Every
 * key is optional; a missing key inherits the parent folder's value, `false` turns an inherited
 * hook off.
 */
export interface ScopeOptions {
  /** The authenticator (function or user → password map), or `false` for none. */
  auth?: Authenticator | PasswordMap | false;
  /** The Basic auth realm. */
  realm?: string;
  /** The access list (replace or extend) or check, or `false` for none. */
  access?: ListOption<string> | AccessCheck | false;
  /** The guard, or `false` for none. */
  guard?: Guard | false;
  /** The allowed methods (HEAD is allowed wherever GET is). Default GET, HEAD, POST. */
  methods?: ListOption<string>;
  /** Form limits, merged key by key over the inherited ones. */
  formLimits?: Partial<FormLimits>;
  /** The template search path; relative entries are resolved against this folder. */
  templates?: ListOption<string>;
  /** The session mode. Default `false`. */
  session?: SessionMode;
  /** Free-form settings for the application, merged key by key over the inherited ones. */
  settings?: Record<string, unknown>;
  /**
   * Headers every response of this subtree carries unless it sets them itself (a server's
   * security headers), by name, merged key by key over the inherited ones; `false` removes one.
   */
  securityHeaders?: Record<string, string | false>;
  /** Start-up work for this folder, run once before the server listens. */
  startup?: StartupFunction | readonly StartupFunction[];
  /**
   * A template (on `templates`) that renders errors the folder's functions do not catch, as
   * PSP's error page did; `false` turns an inherited one off. Under `createApp` it is an
   * embedded-code (`.ehtml`) template rendered with `it.error`, `it.requestId`, and `it.stack`
   * in development (`debug`), for what would otherwise be the 500 page.
   */
  errorPage?: string | false;
}

/** The effective options of a folder. */
export interface Scope {
  /** The folder, relative to the root, `/`-separated (`""` for the root). */
  readonly dir: string;
  /** The `_config.ts` files that shaped it, root first. */
  readonly sources: readonly string[];
  /** The access hooks. */
  readonly hooks: EffectiveHooks;
  /** The allowed methods, upper case. */
  readonly methods: readonly string[];
  /**
   * The form limits set so far (the rest are the request's defaults); `undefined` while no
   * folder sets any, so that applying a scope costs nothing then.
   */
  readonly formLimits: Readonly<Partial<FormLimits>> | undefined;
  /** The template search path, absolute directories, most specific first as configured. */
  readonly templates: readonly string[];
  /** The session mode. */
  readonly session: SessionMode;
  /** The settings. */
  readonly settings: Readonly<Record<string, unknown>>;
  /**
   * The security header overrides set so far, by lower-case name (`false`: removed);
   * `undefined` while no folder sets any.
   */
  readonly securityHeaders: Readonly<Record<string, string | false>> | undefined;
  /** The start-up hooks declared by this folder's own `_config.ts` (not inherited). */
  readonly startup: readonly StartupHook[];
  /** The error page's template name, if one applies. */
  readonly errorPage: string | undefined;
}
