// An app with the default log (access_log_test.ts): nothing configured, so the app's own buffered
// sink writes text lines to stdout. With SELF_SERVE=1 it serves itself (`app.serve()`, which stops
// on SIGTERM); under `deno serve` (where `import.meta.main` is true as well) the runtime serves the
// default export. CLEANUP_TIMEOUT sets `cleanupTimeout` (which bounds the log's last write).
import { createApp } from "@pubkit/server";

const cleanupTimeout = Deno.env.get("CLEANUP_TIMEOUT");
const app = createApp({
  handler: () => "ok",
  cleanupTimeout: cleanupTimeout === undefined ? undefined : Number(cleanupTimeout),
});
export default app;

if (Deno.env.get("SELF_SERVE") === "1") await app.serve({ port: 0 });
