// Test helpers: a real HTTP server on 127.0.0.1:0 that runs a handler the way @pubkit/server
// does (respond, map errors in one place, cleanups once the response is finished), and a
// bounded wait.
import { HttpError } from "./http_error.ts";
import { type Dispatch, errorResponseHeaders, Req, requestChain } from "./req.ts";
import { type Handler, respond } from "./respond.ts";

/** A running test server; `await using` shuts it down. */
export interface TestServer extends AsyncDisposable {
  /** The absolute URL of `path` on this server. */
  url(path?: string): string;
}

/**
 * Serves `handler` on 127.0.0.1:0. Errors become responses carrying `errorResponseHeaders(req)`
 * and the error's name and message (a test server shows every message, so tests can read them).
 * Internal redirects dispatch through the same handler. Cleanups run on `info.completed`, i.e.
 * once the response was sent or the client went away.
 */
export function serveForTest(handler: Handler): TestServer {
  const dispatch: Dispatch = (request, prev) =>
    Promise.resolve(respond(new Req(request, { prev, dispatch }), handler));
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request, info) => {
      const req = new Req(request, { remoteAddr: info.remoteAddr.hostname, dispatch });
      const cleanup = () => requestChain(req).runCleanups();
      info.completed.then(cleanup, cleanup);
      try {
        return await respond(req, handler);
      } catch (error) {
        const headers = errorResponseHeaders(req);
        let status = 500;
        if (error instanceof HttpError) {
          status = error.status;
          for (const [name, value] of error.headers) headers.set(name, value);
        }
        headers.set("content-type", "text/plain;charset=UTF-8");
        const { name, message } = error as Error;
        return new Response(`${name}: ${message}`, { status, headers });
      }
    },
  );
  return {
    url: (path = "/") => `http://127.0.0.1:${server.addr.port}${path}`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** Resolves like `promise`, or rejects after `ms` naming what was awaited. */
export async function within<T>(
  promise: T | Promise<T>,
  what: string,
  ms = 10_000,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Captures `console.error` calls while `fn` runs. */
export async function capturingErrors(fn: (logged: unknown[][]) => Promise<void>): Promise<void> {
  const logged: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  try {
    await fn(logged);
  } finally {
    console.error = original;
  }
}
