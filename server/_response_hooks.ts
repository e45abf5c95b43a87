// Internal: what App does to a finished response — the session cookie, and a hook for when its
// body has been sent.
import { type Req, serializeCookie } from "@pubkit/request";
import type { Session } from "@pubkit/session";
import { AppReq } from "./app_req.ts";

/** The session's `Set-Cookie` value, built by the one cookie serializer. */
function setCookieOf(session: Session): string | undefined {
  const cookie = session.cookie();
  if (cookie === undefined) return undefined;
  const { name, value, ...options } = cookie;
  return serializeCookie(name, value, options);
}

/**
 * Puts the session cookie (new, regenerated or deleted session) on responses: on the head of
 * those a request builds, as its `lateHeaders`, and on any other by a copy. One per app.
 */
export class SessionCookies {
  // The cookie last put on the head of each request's responses.
  #onHead = new WeakMap<Req, string>();

  /** The `lateHeaders` hook of the app's requests. */
  readonly lateHeaders = (req: Req): [string, string][] | undefined => {
    if (!(req instanceof AppReq) || !req.hasSession) return undefined;
    const cookie = setCookieOf(req.session);
    if (cookie === undefined) return undefined;
    this.#onHead.set(req, cookie);
    return [["set-cookie", cookie]];
  };

  /**
   * The response with the cookie the session needs now: as it is when the request built it
   * with that cookie (reading its headers would cost Deno its prebuilt native response), else
   * a copy with the cookie added unless it has it already.
   */
  apply(response: Response, req: AppReq): Response {
    const cookie = setCookieOf(req.session);
    if (cookie === undefined) return response;
    if (response === req.builtResponse && this.#onHead.get(req) === cookie) return response;
    if (response.headers.getSetCookie().includes(cookie)) return response;
    const headers = new Headers(response.headers);
    headers.append("set-cookie", cookie);
    return new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
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
