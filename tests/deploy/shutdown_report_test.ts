// The example reports its shutdown: the deployment test reads this line from each worker of
// each host to know that the server cleanups (session store, pools) ran before the exit.
import assert from "node:assert/strict";
import { createNotesApp } from "../../example/app.ts";

Deno.test("the notes board logs 'Stopped: server cleanups ran' after its other cleanups", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "pubkit-shutdown-report-" });
  try {
    const logs: string[] = [];
    const app = await createNotesApp({
      dataDir,
      log: (record) => logs.push(record.message.join("")),
    });
    const order: string[] = [];
    await app.start();
    // Registered after start-up, so it runs first: before the report, never after it.
    app.registerCleanup(() => void order.push(`cleanup, ${logs.length} lines logged`));
    assert.deepEqual(logs, [], "nothing logged before the close");
    await app.close();
    assert.deepEqual(order, ["cleanup, 0 lines logged"]);
    assert.deepEqual(logs, ["Stopped: server cleanups ran"]);
    await app.close();
    assert.equal(logs.length, 1, "reported once");
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
