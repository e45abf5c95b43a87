// What every benchmark server shares: one fetch handler served on 127.0.0.1, a line on stdout
// once listening, and a clean stop on SIGTERM.

/** One stack under test: a fetch handler serving `/hello` and `/page`, and how to close it. */
export interface Stack {
  fetch(request: Request, info: Deno.ServeHandlerInfo): Response | Promise<Response>;
  close(): Promise<void>;
}

/**
 * Serves `stack` on 127.0.0.1:`port` until SIGTERM or SIGINT, then closes it.
 *
 * @param stack The handler under test.
 * @param port The port, 0 for any; the chosen one is printed as `listening <port>`.
 */
export async function serve(stack: Stack, port: number): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port,
    signal: controller.signal,
    onListen: ({ port }) => console.log(`listening ${port}`),
  }, stack.fetch);
  await server.finished;
  await stack.close();
  Deno.removeSignalListener("SIGTERM", stop);
  Deno.removeSignalListener("SIGINT", stop);
}

/** The port from `--port=N` (default 0) and the database from `--db=PATH`. */
export function args(): { port: number; db: string } {
  const get = (name: string) =>
    Deno.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const db = get("db");
  if (!db) throw new TypeError("Cannot start the server: pass --db=<path of posts.db>");
  return { port: Number(get("port") ?? 0), db };
}
