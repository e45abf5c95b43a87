/**
 * The types of the access hooks: authenticators, password maps, access checks and guards.
 *
 * @module
 */
import type { Req } from "@pubkit/request";

/** The user name and password of a Basic `Authorization` header. */
export interface BasicCredentials {
  /** The user name. */
  readonly user: string;
  /** The password. */
  readonly password: string;
}

/**
 * An authenticator function. It receives the Basic credentials when the client sent valid ones
 * (else `undefined`) and returns the user name (a string), `true` (authenticated, as the Basic
 * user if any), or `false`/`undefined`/`null` (401).
 */
export type Authenticator = (
  req: Req,
  credentials: BasicCredentials | undefined,
) => unknown;

/** A user → password map checked against Basic credentials in constant time. */
export type PasswordMap = Readonly<Record<string, string>>;

/** An access check: `true` lets the user in, anything else is 403. */
export type AccessCheck = (req: Req, user: string | undefined) => unknown;

/**
 * A general guard, run after authentication and access. It may return a `Response` (answered
 * instead of calling the function, e.g. a redirect to `/login`), `false` (403), or nothing
 * (go on); it may also throw an `HttpError`.
 */
export type Guard = (req: Req, user: string | undefined) => unknown;

/** The hooks of one level (scope, module or function). */
export interface AccessHooks {
  /** Who the client is: a function, or a user → password map for Basic auth. */
  auth?: Authenticator | PasswordMap;
  /** The Basic auth realm sent with a 401. Default `"pubkit"`. */
  realm?: string;
  /** Who may call: a list of user names, or a check. */
  access?: readonly string[] | AccessCheck;
  /** A general check that may answer instead of the function. */
  guard?: Guard;
}

/** The effective hooks of a route; what passed {@linkcode checkAccess} lets through. */
export interface EffectiveHooks {
  /** The authenticator, if any. */
  readonly auth: Authenticator | PasswordMap | undefined;
  /** The realm. */
  readonly realm: string;
  /** The access list or check, if any. */
  readonly access: readonly string[] | AccessCheck | undefined;
  /** The guard, if any. */
  readonly guard: Guard | undefined;
}

/** What {@linkcode checkAccess} found. */
export interface AccessResult {
  /** The authenticated user, if the hooks named one. */
  readonly user: string | undefined;
  /** A response from the guard, answered instead of calling the function. */
  readonly response: Response | undefined;
}
