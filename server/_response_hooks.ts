// Internal: what App does to a finished response — the session cookie, and a hook for when its
// body has been sent.
import type { Req } from "@pubkit/request";
import { AppReq } from "./app_req.ts";

/**
 * The session cookie (new, regenerated or deleted session) for the head of every response a
 * request builds, as `lateHeaders`: the header is then part of the response from the start.
 */
export function sessionCookieHeader(req: Req): [string, string][] | undefined {
  if (!(req instanceof AppReq) || !req.hasSession) return undefined;
  const cookie = req.session.setCookie();
  return cookie === undefined ? undefined : [["set-cookie", cookie]];
}

/**
 * Adds the session cookie unless the response has it: for a response the handler built itself,
 * or one built before the session changed.
 */
export function withSessionCookie(response: Response, req: AppReq): Response {
  const cookie = req.session.setCookie();
  if (cookie === undefined || response.headers.getSetCookie().includes(cookie)) return response;
  const headers = new Headers(response.headers);
  headers.append("set-cookie", cookie);
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
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
