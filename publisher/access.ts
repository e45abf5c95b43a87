/**
 * Access hooks, mod_python's `__auth__`, `__access__` and `__auth_realm__` in TypeScript form,
 * plus a general guard: evaluated before a published function runs, on every path.
 *
 * @module
 */
import { HttpError, type Req } from "@pubkit/request";
import type {
  AccessResult,
  BasicCredentials,
  EffectiveHooks,
  PasswordMap,
} from "./access_hooks.ts";

const encoder = new TextEncoder();
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Runs the hooks in order: authentication (401 with `WWW-Authenticate: Basic realm="…"`), access
 * (403), then the guard.
 *
 * @example
 * ```ts
 * import { checkAccess, parseBasic } from "./access.ts";
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
 * assert.deepEqual(parseBasic(alice.headers.get("authorization")), { user: "alice", password: "s3cret" });
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
 * Parses a Basic `Authorization` header: the credentials are decoded as UTF-8 when valid, else
 * as ISO-8859-1 (RFC 7617 §2.1).
 *
 * @example
 * ```ts
 * import { checkAccess, parseBasic } from "./access.ts";
 * import { Req } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseBasic(`Basic ${btoa("ann:x:y")}`), { user: "ann", password: "x:y" });
 * assert.equal(parseBasic("Basic not base64!"), undefined);
 * assert.deepEqual(parseBasic(`Basic ${btoa("sp\xe1m:\xe9ggs")}`), { user: "spám", password: "éggs" });
 * const req = new Req(new Request("http://localhost/"));
 * const hooks = { auth: undefined, realm: "r", access: undefined, guard: undefined };
 * assert.equal((await checkAccess(req, hooks)).user, undefined);
 * ```
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
    text = decodeCredentials(bytes);
  } catch {
    return undefined;
  }
  const colon = text.indexOf(":");
  if (colon < 0) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * RFC 7617 §2.1: the challenge asks for UTF-8 (`charset="UTF-8"`), but clients that ignore it
 * send ISO-8859-1 (as mod_python's tests do): UTF-8 when the bytes are valid UTF-8, else each
 * byte is the Latin-1 character of that code.
 */
function decodeCredentials(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return String.fromCharCode(...bytes);
  }
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
