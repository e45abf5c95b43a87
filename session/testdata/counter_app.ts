// Copyright 2025 the pubkit authors. MIT license.
// The counter handler shared by the in-process HTTP tests and race_server.ts.

import { LockTimeoutError } from "../lock_timeout_error.ts";
import type { SessionManager } from "../session_manager.ts";
import { StoreUnavailableError } from "../store_unavailable_error.ts";

export const SECRET = "race test secret, long enough for HMAC-SHA256";

/**
 * GET /count?lock=0|1&delay=ms: read n, wait, write n+1.
 * GET /read: answer n without locking. GET /hold: set held=true, save, send one
 * chunk and keep the session locked until the process dies.
 */
export function counterHandler(manager: SessionManager): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    let session;
    try {
      session = await manager.open(request.headers, {
        owner: request,
        lock: url.searchParams.get("lock") !== "0" && url.pathname !== "/read",
      });
    } catch (error) {
      if (error instanceof LockTimeoutError || error instanceof StoreUnavailableError) {
        return new Response(error.message, { status: 503, headers: { "retry-after": "1" } });
      }
      throw error;
    }
    const headers = new Headers();
    try {
      if (url.pathname === "/hold") {
        session.set("held", true);
        await session.save();
        const body = new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode("saved\n"));
          },
        });
        return new Response(body);
      }
      const n = (session.get("n") as number | undefined) ?? 0;
      if (url.pathname === "/count") {
        const delay = Number(url.searchParams.get("delay") ?? "2");
        await new Promise((resolve) => setTimeout(resolve, delay));
        try {
          session.set("n", n + 1);
        } catch (error) {
          // A session opened without the lock is read-only.
          if (!(error instanceof TypeError)) throw error;
          return new Response(error.message, { status: 409 });
        }
      }
      const cookie = session.cookie();
      if (cookie) headers.set("set-cookie", `${cookie.name}=${cookie.value}; Path=/; HttpOnly`);
      return new Response(JSON.stringify({ n: session.get("n") ?? 0, id: session.id }), {
        headers,
      });
    } finally {
      // /hold never closes: its process is killed while it holds the lock.
      if (url.pathname !== "/hold") await session.close();
    }
  };
}
