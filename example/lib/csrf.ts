/** CSRF tokens kept in the session and checked on every state-changing form. */
import { HttpError } from "@pubkit/request";
import type { Session } from "@pubkit/session";

const KEY = "csrf";

/** The session's CSRF token, created on first use. */
export function csrfToken(session: Session): string {
  let token = session.get(KEY);
  if (typeof token !== "string") {
    token = crypto.randomUUID();
    session.set(KEY, token);
  }
  return token as string;
}

/** Refuses a state-changing request whose form does not carry the session's token. */
export function checkCsrf(session: Session, sent: unknown): void {
  const expected = session.get(KEY);
  if (typeof expected !== "string" || typeof sent !== "string" || sent.length !== expected.length) {
    throw new HttpError(403, "Cannot accept this form: its CSRF token is missing or wrong");
  }
  let difference = 0;
  for (let i = 0; i < sent.length; i++) difference |= sent.charCodeAt(i) ^ expected.charCodeAt(i);
  if (difference !== 0) {
    throw new HttpError(403, "Cannot accept this form: its CSRF token is missing or wrong");
  }
}
