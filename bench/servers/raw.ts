// The hand-written baseline on raw Deno.serve: a pathname switch, then the handlers of _page.ts.
// Serve: deno run -A bench/servers/raw.ts --db=<posts.db> [--port=N]
import { rawHelloHandler, rawPageHandler } from "../_page.ts";
import { args, serve, type Stack } from "./_serve.ts";

/** The raw `Deno.serve` stack. */
export function rawStack(dbPath: string): Stack {
  const hello = rawHelloHandler();
  const page = rawPageHandler(dbPath);
  return {
    fetch(request) {
      const { pathname } = new URL(request.url);
      if (pathname === "/hello") return hello(request);
      if (pathname === "/page") return page(request);
      return new Response("Not Found", { status: 404 });
    },
    close: () => Promise.resolve(),
  };
}

if (import.meta.main) {
  const { port, db } = args();
  await serve(rawStack(db), port);
}
