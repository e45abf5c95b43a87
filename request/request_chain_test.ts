import assert from "node:assert/strict";
import { RequestChain } from "./request_chain.ts";

Deno.test("RequestChain.runCleanups() runs cleanups last in first out, each awaited", async () => {
  const order: string[] = [];
  const chain = new RequestChain("r1");
  chain.registerCleanup(() => void order.push("first registered"));
  chain.registerCleanup(async () => {
    await Promise.resolve();
    order.push("second registered (async)");
  });
  chain.registerCleanup(() => void order.push("last registered"));
  await chain.runCleanups();
  assert.deepEqual(order, ["last registered", "second registered (async)", "first registered"]);
});

Deno.test("RequestChain.runCleanups() reports a failing cleanup and still runs the others", async (t) => {
  await t.step("to onCleanupError", async () => {
    const order: number[] = [];
    const errors: unknown[] = [];
    const chain = new RequestChain("r1", { onCleanupError: (error) => errors.push(error) });
    chain.registerCleanup(() => void order.push(1));
    chain.registerCleanup(() => {
      throw new Error("sync failure");
    });
    chain.registerCleanup(() => Promise.reject(new Error("async failure")));
    chain.registerCleanup(() => void order.push(4));
    await chain.runCleanups();
    assert.deepEqual(order, [4, 1]);
    assert.deepEqual(errors.map((error) => (error as Error).message), [
      "async failure",
      "sync failure",
    ]);
  });

  await t.step("to console.error with the request id by default", async () => {
    const logged: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      const order: number[] = [];
      const chain = new RequestChain("req-42");
      chain.registerCleanup(() => void order.push(1));
      chain.registerCleanup(() => {
        throw new Error("boom");
      });
      await chain.runCleanups();
      assert.deepEqual(order, [1]);
    } finally {
      console.error = original;
    }
    assert.equal(logged.length, 1);
    assert.equal(logged[0][0], "[req-42] cleanup failed:");
    assert.equal((logged[0][1] as Error).message, "boom");
  });
});

Deno.test("RequestChain.runCleanups() runs once; a later cleanup runs at once", async () => {
  const order: string[] = [];
  const chain = new RequestChain("r1");
  chain.registerCleanup(() => void order.push("a"));
  await chain.runCleanups();
  await chain.runCleanups();
  assert.deepEqual(order, ["a"]);
  chain.registerCleanup(() => void order.push("late"));
  assert.deepEqual(order, ["a", "late"]);
  await chain.runCleanups();
  assert.deepEqual(order, ["a", "late"]);
});

Deno.test("RequestChain.registerCleanup() refuses a non-function", () => {
  const chain = new RequestChain("r1");
  assert.throws(
    () => chain.registerCleanup("nope" as unknown as () => void),
    { name: "TypeError", message: "Cannot register cleanup: it is not a function" },
  );
});

Deno.test("RequestChain keeps the id it was given", () => {
  assert.equal(new RequestChain("abc").id, "abc");
});

Deno.test("RequestChain.runCleanups() gives up on a cleanup that never settles after cleanupTimeout", async () => {
  const failures: unknown[] = [];
  const chain = new RequestChain("req-1", {
    cleanupTimeout: 50,
    onCleanupError: (error) => failures.push(error),
  });
  const order: string[] = [];
  chain.registerCleanup(() => void order.push("release the session lock"));
  chain.registerCleanup(() => new Promise(() => {})); // never settles
  await chain.runCleanups();
  assert.deepEqual(order, ["release the session lock"]);
  assert.equal(failures.length, 1);
  assert.match(String(failures[0]), /did not finish within 50 ms/);
  assert.throws(() => new RequestChain("r", { cleanupTimeout: 0 }), RangeError);
});
