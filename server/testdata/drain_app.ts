// A server process for shutdown_test.ts: /slow takes 800 ms, and
// cleanups print their names so the test can check their order. FAIL_STARTUP=1 makes a start-up
// hook fail.
import { createApp } from "@pubkit/server";

const app = createApp({
  accessLog: false,
  startup: [
    { name: "first", run: (app) => app.registerCleanup(() => console.log("cleanup first")) },
    {
      name: "second",
      run: (app) => {
        if (Deno.env.get("FAIL_STARTUP") === "1") throw new Error("the database is unreachable");
        app.registerCleanup(async () => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          console.log("cleanup second");
        });
      },
    },
  ],
  handler: async (req) => {
    if (req.path === "/slow") {
      console.log("slow started");
      await new Promise((resolve) => setTimeout(resolve, 800));
      return "slow done";
    }
    return "fast";
  },
});

try {
  await app.serve({
    port: 0,
    shutdownTimeout: 5_000,
    onListen: (url) => console.log(`Listening on ${url}`),
  });
} catch (error) {
  console.error((error as Error).message);
  Deno.exit(1);
}
console.log("stopped");
Deno.exit(0);
