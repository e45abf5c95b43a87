// Serves a published upload function on a free port for server/uploads_test.ts, in its own
// process so that the test measures the server's memory alone; prints the URL, stops on stdin EOF.
import { createApp } from "@pubkit/server";

const [root, spoolDir] = Deno.args;
const MiB = 1024 * 1024;
const app = createApp({
  publish: { root },
  formLimits: { maxFileBytes: 40 * MiB, maxMultipartBytes: 41 * MiB },
  spool: { dir: spoolDir },
  accessLog: false,
});
const controller = new AbortController();
const served = app.serve({
  port: 0,
  signal: controller.signal,
  handleSignals: false,
  onListen: (url) => console.log(url.href),
});
for await (const _ of Deno.stdin.readable) { /* until the test closes stdin */ }
controller.abort();
await served;
