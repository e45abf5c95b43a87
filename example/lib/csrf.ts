/**
 * CSRF tokens that cost the session store nothing: derived with HMAC, never stored.
 *
 * - A signed-in visitor's token is HMAC-SHA256 keyed with the session id (256 secret bits the
 *   HttpOnly cookie carries), so it changes whenever the id does: at `regenerate()` on login.
 * - An anonymous visitor's session is never saved (so its id changes every request); their
 *   token is a double submit keyed with a random nonce in an HttpOnly cookie (`__Host-csrf` on
 *   https), set once.
 *
 * The token is read from the form body only: a token in the query string is refused, since
 * URLs leak into logs, history and Referer headers.
 *
 * A token alone cannot stop a log-in CSRF: whoever can plant the nonce cookie (a sibling
 * subdomain, a plain-http man in the middle; `__Host-` stops both only on https) can plant a nonce
 * and token pair of their own. So a form is also refused when the browser says it was sent from
 * another site (`Sec-Fetch-Site: cross-site`, or an `Origin` other than the request's own), which
 * a forged cross-site submission cannot hide.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { HttpError } from "@pubkit/request";
import type { AppReq } from "@pubkit/server";

const LABEL = "pubkit notes board csrf v1";
const MESSAGE = "Cannot accept this form: its CSRF token is missing or wrong";
const NONCE = /^[A-Za-z0-9_-]{43}$/;

function mac(key: string): string {
  return createHmac("sha256", key).update(LABEL).digest("base64url");
}

/** The name of the HttpOnly cookie that keys an anonymous visitor's token. */
export function nonceCookie(req: AppReq): string {
  return req.https ? "__Host-csrf" : "csrf";
}

/** The key of the request's token: the session id once stored, else the visitor's nonce. */
function keyOf(req: AppReq): string | undefined {
  const session = req.session;
  if (!session.isNew) return session.id;
  const nonce = req.data.csrfNonce ?? req.cookies[nonceCookie(req)];
  return typeof nonce === "string" && NONCE.test(nonce) ? nonce : undefined;
}

/**
 * The CSRF token for the forms of this response; for an anonymous visitor without a nonce
 * cookie, sets one. Needs the request's session open.
 */
export function csrfToken(req: AppReq): string {
  let key = keyOf(req);
  if (key === undefined) {
    key = crypto.getRandomValues(new Uint8Array(32)).toBase64({
      alphabet: "base64url",
      omitPadding: true,
    });
    req.data.csrfNonce = key;
    req.setCookie(nonceCookie(req), key, { sameSite: "strict" });
  }
  return mac(key);
}

/**
 * Refuses (403) a state-changing request sent from another site, or whose form body does not
 * carry the right token.
 */
export async function checkCsrf(req: AppReq): Promise<void> {
  const origin = req.headers.get("origin");
  if (
    req.headers.get("sec-fetch-site") === "cross-site" ||
    (origin !== null && origin !== req.url.origin)
  ) {
    throw new HttpError(403, "Cannot accept this form: it was sent from another site");
  }
  if (req.query.has("csrf")) {
    throw new HttpError(
      403,
      "Cannot accept this form: a CSRF token belongs in the body, not the URL",
    );
  }
  const sent = req.request.body === null ? undefined : (await req.form()).get("csrf");
  const key = keyOf(req);
  if (typeof sent !== "string" || key === undefined) throw new HttpError(403, MESSAGE);
  const expected = Buffer.from(mac(key));
  const given = Buffer.from(sent);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new HttpError(403, MESSAGE);
  }
}
