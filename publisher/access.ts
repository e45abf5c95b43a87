/**
 * Access hooks, mod_python's `__auth__`, `__access__` and `__auth_realm__` in TypeScript form,
 * plus a general guard: evaluated before a published function runs, on every path.
 *
 * @module
 */
import { HttpError, type Req } from "@pubkit/request";

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

const encoder = new TextEncoder();

/**
 * Runs the hooks in order: authentication (401 with `WWW-Authenticate: Basic realm="…"`), access
 * (403), then the guard.
 *
 * @example
 * ```ts
 * import { checkAccess } from "@pubkit/publisher";
 * import { HttpError, Req } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * const hooks = { auth: { alice: "s3cret" }, realm: "Admin", access: ["alice"], guard: undefined };
 * const anonymous = new Req(new Request("http://localhost/"));
 * await assert.rejects(checkAccess(anonymous, hooks), (error: HttpError) => {
 *   assert.equal(error.status, 401);
 *   assert.equal(error.headers.get("www-authenticate"), 'Basic realm="Admin", charset="UTF-8"');
 *   return true;
 * });
 * const alice = new Req(new Request("http://localhost/", {
 *   headers: { authorization: `Basic ${btoa("alice:s3cret")}` },
 * }));
 * assert.equal((await checkAccess(alice, hooks)).user, "alice");
 * ```
 *
 * @param req The request.
 * @param hooks The effective hooks.
 * @returns The user and, if the guard answered, its response.
 * @throws {HttpError} 401 when authentication fails, 403 when access is denied.
 */
export async function checkAccess(req: Req, hooks: EffectiveHooks): Promise<AccessResult> {
  let user: string | undefined;
  if (hooks.auth !== undefined) {
    const credentials = parseBasic(req.headers.get("authorization"));
    if (typeof hooks.auth === "function") {
      const result = await hooks.auth(req, credentials);
      if (typeof result === "string") user = result;
      else if (result === true) user = credentials?.user;
      else throw unauthorized(hooks.realm);
    } else {
      if (!credentials || !(await checkPassword(hooks.auth, credentials))) {
        throw unauthorized(hooks.realm);
      }
      user = credentials.user;
    }
  }
  if (hooks.access !== undefined) {
    const allowed = typeof hooks.access === "function"
      ? (await hooks.access(req, user)) === true
      : user !== undefined && hooks.access.includes(user);
    if (!allowed) throw new HttpError(403, "Forbidden");
  }
  if (hooks.guard !== undefined) {
    const result = await hooks.guard(req, user);
    if (result instanceof Response) return { user, response: result };
    if (result === false) throw new HttpError(403, "Forbidden");
  }
  return { user, response: undefined };
}

function unauthorized(realm: string): HttpError {
  return new HttpError(401, "Authentication required", {
    headers: { "www-authenticate": `Basic realm="${realm}", charset="UTF-8"` },
  });
}

/**
 * Parses a Basic `Authorization` header.
 *
 * @param header The header value.
 * @returns The credentials, or `undefined` for a missing or malformed header.
 */
export function parseBasic(header: string | null): BasicCredentials | undefined {
  const match = header === null ? null : /^basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (!match) return undefined;
  let text: string;
  try {
    const binary = atob(match[1]);
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  const colon = text.indexOf(":");
  if (colon < 0) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * Compares the password with the map's in constant time: both are hashed to 32 bytes first, so
 * neither the length nor the first differing byte shows in the timing, and an unknown user is
 * compared against a dummy so that it takes as long as a known one.
 */
async function checkPassword(map: PasswordMap, credentials: BasicCredentials): Promise<boolean> {
  const known = Object.hasOwn(map, credentials.user) && typeof map[credentials.user] === "string";
  const expected = known ? map[credentials.user] : "\0pubkit-no-such-user";
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
    crypto.subtle.digest("SHA-256", encoder.encode(credentials.password)),
  ]);
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return known && diff === 0;
}

/**
 * Checks a realm for use in a header.
 *
 * @param realm The realm.
 * @returns The realm.
 * @throws {TypeError} For quotes, backslashes or control characters.
 */
export function checkRealm(realm: unknown): string {
  // deno-lint-ignore no-control-regex -- control characters are exactly what is refused
  if (typeof realm !== "string" || /["\\\x00-\x1f\x7f]/.test(realm)) {
    throw new TypeError(
      `Cannot use realm ${
        JSON.stringify(realm)
      }: it must be a string without quotes, backslashes or control characters`,
    );
  }
  return realm;
}
