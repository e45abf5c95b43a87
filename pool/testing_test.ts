import assert from "node:assert/strict";
import type { PoolFactory } from "./mod.ts";
import { type StepContext, testFactory } from "./testing.ts";

/** Runs the suite, collecting which steps failed instead of stopping at the first. */
async function outcomes<T>(factory: PoolFactory<T>): Promise<Map<string, boolean>> {
  const results = new Map<string, boolean>();
  const runner: StepContext = {
    async step(name, fn) {
      try {
        await fn();
        results.set(name, true);
      } catch {
        results.set(name, false);
      }
      return true;
    },
  };
  await testFactory(runner, factory);
  return results;
}

Deno.test("testFactory() passes a conforming factory", async () => {
  const results = await outcomes({
    create: (signal: AbortSignal) => {
      signal.throwIfAborted();
      return Promise.resolve({ open: true });
    },
    destroy: (r: { open: boolean }) => void (r.open = false),
    validate: (r: { open: boolean }) => r.open,
    isBroken: (r: { open: boolean }) => !r.open,
  });
  assert.equal(results.size, 6);
  assert.ok([...results.values()].every(Boolean), JSON.stringify([...results]));
});

Deno.test("testFactory() catches a factory that breaks the contract", async () => {
  const shared = { open: true };
  const results = await outcomes({
    create: () => Promise.resolve(shared), // ignores its signal, hands out one object
    destroy() {},
    validate: () => true, // still valid after destroy()
    isBroken: () => false,
  });
  assert.equal(results.get("create() returns a resource that destroy() disposes of"), true);
  assert.equal(results.get("concurrent create() calls return distinct resources"), false);
  assert.equal(results.get("create() rejects when its signal is already aborted"), false);
  assert.equal(
    results.get("validate() accepts a fresh resource and refuses a destroyed one"),
    false,
  );
  assert.equal(
    results.get("isBroken() is false for a fresh resource, true for a destroyed one"),
    false,
  );
});
