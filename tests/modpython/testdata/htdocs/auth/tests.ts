// Ports of tests.py's req_unauthorized and req_get_basic_auth_pw: the folder's `auth` map
// checks the password before the function runs (401 otherwise); `context.user` is the user.
import type { CallContext } from "@pubkit/publisher";
import type { Req } from "@pubkit/request";

export function req_unauthorized(_req: Req, _fields: unknown, { user }: CallContext): string {
  return user === "spam" ? "test ok" : "test failed";
}

export function req_get_basic_auth_pw(_req: Req, _fields: unknown, { user }: CallContext): string {
  return user === "spam" || user === "sp\u00e1m" ? "test ok" : `test failed, user ${user}`;
}
