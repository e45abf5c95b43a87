// An app for `deno serve` (shutdown_test.ts): /slow holds a locked session for 800 ms, then
// changes it; the request's cleanup and the app's server cleanup print their names, so the test
// can check that a SIGTERM lets the request finish before anything is closed under it.
import { createApp } from "@pubkit/server";
import { MemoryStore, SessionManager } from "@pubkit/session";

const sessions = new SessionManager({
  store: new MemoryStore({ sweepInterval: 0 }),
  secrets: ["a secret of at least thirty-two characters, for tests"],
});

const app = createApp({
  accessLog: false,
  sessions,
  startup: [{
    name: "store",
    run: (app) =>
      app.registerCleanup(async () => {
        await sessions.close();
        console.log("cleanup server");
      }),
  }],
  handler: async (req) => {
    if (req.path !== "/slow") return "fast";
    const session = await req.openSession({ lock: true });
    req.registerCleanup(() => console.log("cleanup request"));
    console.log("slow started");
    await new Promise((resolve) => setTimeout(resolve, 800));
    session.set("visits", 1);
    return "slow done";
  },
});

export default app;
