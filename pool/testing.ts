/**
 * A conformance suite that every {@linkcode PoolFactory} implementation runs.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Pool } from "./pool.ts";
import type { PoolFactory } from "./pool_factory.ts";

/**
 * Where the suite registers its cases: a `Deno.TestContext` (`t`), or anything with a
 * compatible `step()`.
 */
export interface StepContext {
  /**
   * Runs one named case.
   *
   * @param name The case's name.
   * @param fn The case; it throws to fail.
   * @returns Whatever the runner returns.
   */
  step(name: string, fn: () => Promise<void> | void): Promise<boolean> | Promise<void> | void;
}

/**
 * Runs the factory conformance cases as steps of `t`:
 *
 * - `create()` returns a resource that `destroy()` disposes of;
 * - concurrent `create()` calls return distinct resources;
 * - `create()` rejects when its signal is already aborted;
 * - `validate()` (if any) accepts a fresh resource and refuses a destroyed one;
 * - `isBroken()` (if any) is `false` for a fresh resource and `true` for a destroyed one;
 * - a `Pool` over the factory lends, takes back and closes with nothing left out.
 *
 * Usual use: `Deno.test("MyFactory conforms", (t) => testFactory(t, new MyFactory()))`.
 *
 * @typeParam T The resource type.
 * @param t The test context whose `step()` runs each case.
 * @param factory The factory under test; it must be able to create at least 3 resources.
 * @returns Resolves when every case has run.
 * @throws {AssertionError} (from `node:assert`) through the failing step.
 *
 * @example Running the suite with a minimal step runner
 * ```ts
 * import { type StepContext, testFactory } from "@pubkit/pool/testing";
 * import assert from "node:assert/strict";
 *
 * const passed: string[] = [];
 * const runner: StepContext = {
 *   async step(name, fn) {
 *     await fn();
 *     passed.push(name);
 *     return true;
 *   },
 * };
 * await testFactory(runner, {
 *   create: (signal) => {
 *     signal.throwIfAborted();
 *     return Promise.resolve({ open: true });
 *   },
 *   destroy: (r) => void (r.open = false),
 *   validate: (r) => r.open,
 * });
 * assert.equal(passed.length, 6);
 * ```
 */
export async function testFactory<T>(t: StepContext, factory: PoolFactory<T>): Promise<void> {
  await t.step("create() returns a resource that destroy() disposes of", async () => {
    const resource = await factory.create(new AbortController().signal);
    assert.notEqual(resource, undefined, "create() resolved to undefined");
    await factory.destroy(resource);
  });

  await t.step("concurrent create() calls return distinct resources", async () => {
    const signal = new AbortController().signal;
    const resources = await Promise.all([
      factory.create(signal),
      factory.create(signal),
      factory.create(signal),
    ]);
    try {
      assert.equal(new Set(resources).size, 3, "create() returned the same resource twice");
    } finally {
      await Promise.all(resources.map((r) => factory.destroy(r)));
    }
  });

  await t.step("create() rejects when its signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("aborted by the conformance suite"));
    let created: T | undefined;
    await assert.rejects(async () => {
      created = await factory.create(controller.signal);
    });
    // Only reached when create() wrongly resolved inside rejects(): do not leak it.
    if (created !== undefined) await factory.destroy(created);
  });

  await t.step("validate() accepts a fresh resource and refuses a destroyed one", async () => {
    if (factory.validate === undefined) return;
    const resource = await factory.create(new AbortController().signal);
    let destroyed = false;
    try {
      assert.equal(await factory.validate(resource), true, "a fresh resource is invalid");
      await factory.destroy(resource);
      destroyed = true;
      let valid: boolean;
      try {
        valid = await factory.validate(resource);
      } catch {
        valid = false; // throwing is allowed: the pool treats it as invalid
      }
      assert.equal(valid, false, "a destroyed resource still validates");
    } finally {
      if (!destroyed) await factory.destroy(resource);
    }
  });

  await t.step("isBroken() is false for a fresh resource, true for a destroyed one", async () => {
    if (factory.isBroken === undefined) return;
    const resource = await factory.create(new AbortController().signal);
    let destroyed = false;
    try {
      assert.equal(factory.isBroken(resource), false, "a fresh resource is broken");
      await factory.destroy(resource);
      destroyed = true;
      assert.equal(factory.isBroken(resource), true, "a destroyed resource is not broken");
    } finally {
      if (!destroyed) await factory.destroy(resource);
    }
  });

  await t.step("a Pool over the factory lends, takes back and closes cleanly", async () => {
    const pool = new Pool(factory, { max: 2, acquireTimeout: 10_000 });
    try {
      const seen = await Promise.all([1, 2, 3, 4].map(() => pool.use((r) => r)));
      assert.ok(new Set(seen).size <= 2, "the pool exceeded max");
      const m = pool.metrics();
      assert.equal(m.borrowed, 0);
      assert.equal(m.idle, m.size);
    } finally {
      const report = await pool.close({ deadline: 1000 });
      assert.deepEqual(report.outstanding, []);
      const m = pool.metrics();
      assert.equal(m.size, 0);
      assert.equal(m.destroyed, m.created);
    }
  });
}
