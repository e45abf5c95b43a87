// pubkit with its access log off, beside the default stack (bench/servers/pubkit.ts), so that
// what the access log costs is measured in the same run.
// Serve: deno run -A --unstable-no-legacy-abort bench/servers/pubkit_log_off.ts --db=<posts.db>
import { pubkitStack } from "./pubkit.ts";
import { args, serve } from "./_serve.ts";

if (import.meta.main) {
  const { port, db } = args();
  await serve(await pubkitStack(db, { accessLog: false }), port);
}
