// Internal: what App does to a finished response — the session cookie, and a hook for when its
// body has been sent.
import { serializeCookie } from "@pubkit/request";
import type { Session } from "@pubkit/session";

/** The session's `Set-Cookie` value, built by the one cookie serializer. */
function setCookieOf(session: Session): string | undefined {
  const cookie = session.cookie();
  if (cookie === undefined) return undefined;
  const { name, value, ...options } = cookie;
  return serializeCookie(name, value, options);
}

/**
 * The one way the session cookie (new, regenerated or deleted session) reaches a response: once
 * the response is final, added to its headers in place, or to a copy when they are immutable
 * (`Response.redirect()`, a fetched response). Never twice: an internal redirect's target adds
 * it, and its origin then finds it there. Most requests need no cookie and touch nothing (a
 * new `Response`'s headers are read only when a cookie must be added: reading them makes Deno
 * drop the native response it prebuilt, and a copy would turn a string body into a stream).
 *
 * @param response The final response.
 * @param session The request's open session.
 * @returns The response with the cookie the session needs now.
 */
export function withSessionCookie(response: Response, session: Session): Response {
  const cookie = setCookieOf(session);
  if (cookie === undefined) return response;
  if (response.headers.getSetCookie().includes(cookie)) return response;
  try {
    response.headers.append("set-cookie", cookie);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    copy.headers.append("set-cookie", cookie);
    return copy;
  }
}

/** Calls `done` once when `body` has been read to the end, failed, or was cancelled. */
export function whenDone(
  body: ReadableStream<Uint8Array>,
  done: () => unknown,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let called = false;
  const once = () => {
    if (!called) {
      called = true;
      done();
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: ended, value } = await reader.read();
        if (ended) {
          controller.close();
          once();
        } else controller.enqueue(value);
      } catch (error) {
        once();
        controller.error(error);
      }
    },
    cancel(reason) {
      once();
      return reader.cancel(reason);
    },
  });
}
