// The hand-written baseline on raw Deno.serve: a pathname switch (found without parsing the URL,
// as Hono does), then the handlers of _page.ts.
// Serve: deno run -A --unstable-no-legacy-abort bench/servers/raw.ts --db=<posts.db> [--port=N]
import { rawHelloHandler, rawPageHandler } from "../_page.ts";
import { args, serve, type Stack } from "./_serve.ts";

/** The raw `Deno.serve` stack. */
export function rawStack(dbPath: string): Stack {
  const hello = rawHelloHandler();
  const page = rawPageHandler(dbPath);
  return {
    fetch(request) {
      const url = request.url;
      const start = url.indexOf("/", url.indexOf("//") + 2);
      const query = url.indexOf("?", start);
      const pathname = url.slice(start, query < 0 ? undefined : query);
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
