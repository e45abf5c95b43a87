// The app tests/telemetry_test.ts runs with OTEL_DENO=true: a locked session, a pool named
// "things", a template and an internal redirect; a session lock waits 200 ms at most. Prints its URL, stops on SIGTERM.
import { createApp } from "@pubkit/server";
import { MemoryStore, SessionManager } from "@pubkit/session";
import { Pool } from "@pubkit/pool";

const app = createApp({
  accessLog: false,
  publish: { root: new URL("./pages/", import.meta.url) },
  sessions: new SessionManager({
    store: new MemoryStore(),
    secrets: ["s".repeat(32)],
    lockTimeout: 200,
  }),
});
const factory = { create: () => Promise.resolve({}), destroy() {} };
app.addPool("things", new Pool(factory, { name: "things" }));
await app.serve({ port: 0, onListen: (url) => console.log(`Listening on ${url}`) });
