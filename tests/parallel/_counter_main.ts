// `deno run -A _counter_main.ts`: the counter app as one process on PORT (0: any), printing
// `Listening on <url>` and stopping gracefully on SIGTERM.
import app from "./_counter_app.ts";

await app.serve({ port: Number(Deno.env.get("PORT") ?? 0) });
Deno.exit(0);
