// Test helper: an app served on 127.0.0.1:0, and raw HTTP/1.1 exchanges with it (what `fetch`
// cannot send: a missing or malformed Host, a target with raw quotes or bidi controls).
import type { App } from "./app.ts";

/** A served app; `await using` stops it. */
export interface Served extends AsyncDisposable {
  url: URL;
  /** Sends raw bytes on a new connection; resolves with the status and the body. */
  raw(head: string | Uint8Array): Promise<{ status: number; body: string }>;
}

/** Serves `app` on a free port until disposed. */
export async function serveForTest(app: App): Promise<Served> {
  const controller = new AbortController();
  const { promise: listening, resolve } = Promise.withResolvers<URL>();
  const served = app.serve({
    port: 0,
    signal: controller.signal,
    handleSignals: false,
    onListen: resolve,
  });
  const url = await listening;
  return {
    url,
    async raw(head) {
      const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
      try {
        await conn.write(typeof head === "string" ? new TextEncoder().encode(head) : head);
        const text = new TextDecoder().decode(await new Response(conn.readable).arrayBuffer());
        const [top, body = ""] = text.split("\r\n\r\n", 2);
        return { status: Number(top.split(" ")[1]), body };
      } catch (error) {
        conn.close();
        throw error;
      }
    },
    async [Symbol.asyncDispose]() {
      controller.abort();
      await served;
    },
  };
}
