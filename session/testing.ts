// Copyright 2025 the pubkit authors. MIT license.

/**
 * Test helpers: a fake clock and the conformance suite every
 * {@linkcode SessionStore} implementation runs.
 *
 * @module
 */

import assert from "node:assert/strict";
import { newId } from "./_ids.ts";
import { LockTimeoutError } from "./errors.ts";
import { type Clock, FakeClock } from "@pubkit/async";
import type { SessionRecord, SessionStore } from "./session_store.ts";

/**
 * The fake clock stores are tested with: `@pubkit/async`'s {@linkcode FakeClock}, re-exported
 * here so a store's tests need one import. `tick(ms)` moves the time at once when no timer is
 * due, so expiry tests need not await it.
 *
 * @example
 * ```ts
 * import {
 *   FakeClock,
 *   type SessionStoreSuiteOptions,
 *   testSessionStore,
 * } from "@pubkit/session/testing";
 * import assert from "node:assert/strict";
 *
 * const clock = new FakeClock(1000);
 * clock.tick(500);
 * assert.equal(clock.now(), 1500);
 * const suite: SessionStoreSuiteOptions | undefined = undefined;
 * assert.equal(typeof testSessionStore, "function");
 * assert.equal(suite, undefined);
 * ```
 */
export { FakeClock };

/** Options for {@linkcode testSessionStore}. */
export interface SessionStoreSuiteOptions {
  /** Creates a fresh, empty store using `clock`; the suite closes it. */
  create(clock: FakeClock): SessionStore | Promise<SessionStore>;
  /** The store can lose a lock (a lease) and so must refuse stale fencing tokens. */
  fencing?: boolean;
}

/**
 * Runs the `SessionStore` conformance suite as steps of a test: load/save/destroy/
 * touch, expiry (a locked session never expires under its holder), id validation, reentrant
 * FIFO locking with timeout and signal, independence of ids, concurrent read-modify-write on
 * one id, the optional one-round-trip steps (`lock({ load })`, `commit()`, `loadAndTouch()`)
 * where the store has them, and (for lease stores) fencing.
 *
 * @param t The test context to add steps to.
 * @param options How to create the store under test.
 * @returns A promise that resolves when every step ran.
 *
 * @example Running the suite for MemoryStore
 * ```ts
 * import { MemoryStore } from "@pubkit/session";
 * import {
 *   type FakeClock,
 *   type SessionStoreSuiteOptions,
 *   testSessionStore,
 * } from "@pubkit/session/testing";
 *
 * const suite: SessionStoreSuiteOptions = {
 *   create: (clock: FakeClock) => new MemoryStore({ clock }),
 * };
 * Deno.test("MemoryStore conforms", async (t) => {
 *   await testSessionStore(t, suite);
 * });
 * ```
 */
export async function testSessionStore(
  t: Deno.TestContext,
  options: SessionStoreSuiteOptions,
): Promise<void> {
  const step = (name: string, fn: (store: SessionStore, clock: FakeClock) => Promise<void>) =>
    t.step(name, async () => {
      const clock = new FakeClock(Date.UTC(2025, 0, 1));
      const store = await options.create(clock);
      try {
        await fn(store, clock);
      } finally {
        await store.close();
      }
    });
  const record = (clock: Clock, data: Record<string, unknown>, ttl = 60_000): SessionRecord => ({
    data,
    created: clock.now(),
    lastAccessed: clock.now(),
    expires: clock.now() + ttl,
  });

  await step("save() then load() returns a copy of the record", async (store, clock) => {
    const id = newId();
    const data = { n: 1, list: [1, "two"], nested: { ok: true } };
    const saved = record(clock, data);
    await store.save(id, saved);
    data.n = 2;
    const loaded = await store.load(id);
    assert.deepEqual(loaded, { ...saved, data: { n: 1, list: [1, "two"], nested: { ok: true } } });
    assert.equal(await store.load(newId()), undefined);
  });

  await step("save() replaces the whole record", async (store, clock) => {
    const id = newId();
    await store.save(id, record(clock, { a: 1, b: 2 }));
    await store.save(id, record(clock, { b: 3 }));
    assert.deepEqual((await store.load(id))?.data, { b: 3 });
  });

  await step("destroy() removes a session and ignores a missing one", async (store, clock) => {
    const id = newId();
    await store.save(id, record(clock, { a: 1 }));
    await store.destroy(id);
    assert.equal(await store.load(id), undefined);
    await store.destroy(id);
    await store.destroy(newId());
  });

  await step("touch() renews times only and never creates", async (store, clock) => {
    const id = newId();
    await store.save(id, record(clock, { a: 1 }, 1000));
    clock.tick(900);
    await store.touch(id, clock.now(), clock.now() + 1000);
    clock.tick(900);
    const loaded = await store.load(id);
    assert.deepEqual(loaded?.data, { a: 1 });
    assert.equal(loaded?.lastAccessed, clock.now() - 900);
    assert.equal(loaded?.expires, clock.now() + 100);
    const missing = newId();
    await store.touch(missing, clock.now(), clock.now() + 1000);
    assert.equal(await store.load(missing), undefined);
  });

  await step("load() never returns an expired session; sweep() runs", async (store, clock) => {
    const id = newId();
    const other = newId();
    await store.save(id, record(clock, { a: 1 }, 1000));
    await store.save(other, record(clock, { b: 1 }, 5000));
    clock.tick(999);
    assert.deepEqual((await store.load(id))?.data, { a: 1 });
    clock.tick(1);
    assert.equal(await store.load(id), undefined);
    const swept = await store.sweep();
    assert.ok(swept >= 0);
    assert.equal(await store.load(id), undefined);
    assert.deepEqual((await store.load(other))?.data, { b: 1 });
  });

  await step(
    "a locked session outlives its expiry: sweep() skips it, touch() under the lock renews it",
    async (store, clock) => {
      const id = newId();
      await store.save(id, record(clock, { a: 1 }, 1000));
      const hold = await store.lock(id, "request", { timeout: 1000 });
      try {
        clock.tick(2000);
        await store.sweep();
        await store.touch(id, clock.now(), clock.now() + 1000, { fence: hold.fence });
      } finally {
        await hold.release();
      }
      const loaded = await store.load(id);
      assert.deepEqual(loaded?.data, { a: 1 });
      assert.equal(loaded?.expires, clock.now() + 1000);
    },
  );

  await step(
    "loadHeld() (where a store has it) reads a held session past its expiry, nothing once free",
    async (store, clock) => {
      if (store.loadHeld === undefined) return;
      const id = newId();
      await store.save(id, record(clock, { a: 1 }, 1000));
      assert.equal(await store.loadHeld(id), undefined, "not held");
      const hold = await store.lock(id, "request", { timeout: 1000 });
      try {
        clock.tick(2000);
        assert.equal(await store.load(id), undefined);
        assert.deepEqual((await store.loadHeld(id))?.data, { a: 1 });
        assert.equal(await store.loadHeld(newId()), undefined, "held but never saved");
      } finally {
        await hold.release();
      }
      assert.equal(await store.loadHeld(id), undefined, "free again");
    },
  );

  await step("touch() without the lock never revives an expired session", async (store, clock) => {
    const id = newId();
    await store.save(id, record(clock, { a: 1 }, 1000));
    clock.tick(1000);
    await store.touch(id, clock.now(), clock.now() + 1000);
    assert.equal(await store.load(id), undefined);
  });

  await step("every method rejects a malformed id with TypeError", async (store, clock) => {
    for (const bad of ["", "../../etc/passwd", "a".repeat(42), "a".repeat(44), "a/b".repeat(15)]) {
      await assert.rejects(() => store.load(bad), TypeError);
      await assert.rejects(() => store.save(bad, record(clock, {})), TypeError);
      await assert.rejects(() => store.touch(bad, 0, 1), TypeError);
      await assert.rejects(() => store.destroy(bad), TypeError);
      await assert.rejects(() => store.lock(bad, {}), TypeError);
    }
  });

  await step("lock() re-enters for the same owner", async (store) => {
    const id = newId();
    const owner = {};
    const outer = await store.lock(id, owner, { timeout: 1000 });
    const inner = await store.lock(id, owner, { timeout: 1000 });
    assert.equal(inner.fence, outer.fence);
    await inner.release();
    // Still held by the outer hold: another owner must time out.
    await assert.rejects(() => store.lock(id, {}, { timeout: 30 }), LockTimeoutError);
    await outer.release();
    await outer.release();
    const next = await store.lock(id, {}, { timeout: 1000 });
    assert.ok(next.fence > outer.fence);
    await next.release();
  });

  await step("lock() serves other owners in FIFO order", async (store) => {
    const id = newId();
    const first = await store.lock(id, "first", { timeout: 5000 });
    const order: string[] = [];
    const waiters = ["a", "b", "c"].map((name) =>
      store.lock(id, name, { timeout: 5000 }).then(async (hold) => {
        order.push(name);
        await hold.release();
      })
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(order, []);
    await first.release();
    await Promise.all(waiters);
    assert.deepEqual(order, ["a", "b", "c"]);
  });

  await step("lock() times out with LockTimeoutError and honours a signal", async (store) => {
    const id = newId();
    const held = await store.lock(id, "holder");
    await assert.rejects(() => store.lock(id, "late", { timeout: 20 }), LockTimeoutError);
    const controller = new AbortController();
    const aborted = store.lock(id, "aborted", { timeout: 5000, signal: controller.signal });
    const after = store.lock(id, "after", { timeout: 5000 });
    controller.abort(new Error("client went away"));
    await assert.rejects(() => aborted, { message: "client went away" });
    await held.release();
    // The aborted waiter left the queue: the next one gets the lock.
    await (await after).release();
  });

  await step("lock() on different ids never waits", async (store) => {
    const holds = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.lock(newId(), `owner-${i}`, { timeout: 1000 })),
    );
    await Promise.all(holds.map((hold) => hold.release()));
  });

  await step(
    "concurrent locked read-modify-write on one id loses nothing",
    async (store, clock) => {
      const id = newId();
      await store.save(id, record(clock, { n: 0 }));
      await Promise.all(Array.from({ length: 25 }, async (_, i) => {
        const hold = await store.lock(id, { request: i }, { timeout: 10_000 });
        try {
          const current = await store.load(id);
          await new Promise((resolve) => setTimeout(resolve, 1));
          await store.save(id, record(clock, { n: (current!.data.n as number) + 1 }), {
            fence: hold.fence,
          });
        } finally {
          await hold.release();
        }
      }));
      assert.equal((await store.load(id))?.data.n, 25);
    },
  );

  await step(
    "lock({ load: true }) reads the session with the lock where the store can",
    async (store, clock) => {
      const id = newId();
      const saved = record(clock, { a: 1 });
      await store.save(id, saved);
      const owner = {};
      const hold = await store.lock(id, owner, { timeout: 1000, load: true });
      try {
        // undefined: this store does not read with the lock (the caller loads).
        if (hold.record !== undefined) assert.deepEqual(hold.record, saved);
        const again = await store.lock(id, owner, { timeout: 1000, load: true });
        assert.equal(again.record, undefined, "only the hold that took the lock read");
        await again.release();
      } finally {
        await hold.release();
      }
      const missing = await store.lock(newId(), owner, { timeout: 1000, load: true });
      assert.ok(missing.record === undefined || missing.record === null);
      await missing.release();
    },
  );

  await step("commit() writes under the fence and frees the lock", async (store, clock) => {
    const id = newId();
    await store.save(id, record(clock, { n: 0 }, 1000));
    const hold = await store.lock(id, "a", { timeout: 1000, load: true });
    if (hold.commit === undefined) return await hold.release();
    const saved = record(clock, { n: 1 });
    await hold.commit({ save: saved });
    await hold.release();
    assert.deepEqual(await store.load(id), saved);
    const next = await store.lock(id, "b", { timeout: 100 });
    assert.ok(next.fence > hold.fence);
    await next.commit!({ touch: { lastAccessed: clock.now() + 5, expires: clock.now() + 5000 } });
    const touched = await store.load(id);
    assert.deepEqual(touched?.data, { n: 1 });
    assert.equal(touched?.expires, clock.now() + 5000);
    assert.equal(touched?.lastAccessed, clock.now() + 5);
    // A re-entered lock commits its write and keeps the outer hold.
    const outer = await store.lock(id, "c", { timeout: 100 });
    const inner = await store.lock(id, "c", { timeout: 100 });
    await inner.commit!({ save: record(clock, { n: 2 }) });
    await assert.rejects(() => store.lock(id, "d", { timeout: 30 }), LockTimeoutError);
    await outer.release();
    assert.deepEqual((await store.load(id))?.data, { n: 2 });
  });

  await step(
    "loadAndTouch() renews a live, unlocked session as it reads, and only such",
    async (store, clock) => {
      if (store.loadAndTouch === undefined) return;
      const renewal = () => ({ now: clock.now(), idleTimeout: 1000, absoluteLifetime: 60_000 });
      const id = newId();
      const saved = record(clock, { a: 1 }, 1000);
      await store.save(id, saved);
      clock.tick(500);
      assert.deepEqual(await store.loadAndTouch(id, renewal()), saved, "the record as it was");
      const renewed = await store.load(id);
      assert.equal(renewed?.lastAccessed, clock.now());
      assert.equal(renewed?.expires, clock.now() + 1000);
      // Locked: the holder renews it, not a reader.
      const hold = await store.lock(id, "holder", { timeout: 1000 });
      clock.tick(500);
      await store.loadAndTouch(id, renewal());
      assert.equal((await store.load(id))?.expires, clock.now() + 500);
      await hold.release();
      // Capped by the absolute lifetime, and never creating a session.
      clock.tick(100);
      await store.loadAndTouch(id, { ...renewal(), absoluteLifetime: 1200 });
      assert.equal((await store.load(id))?.expires, saved.created + 1200);
      const missing = newId();
      assert.equal(await store.loadAndTouch(missing, renewal()), undefined);
      assert.equal(await store.load(missing), undefined);
    },
  );

  if (options.fencing) {
    await step("writes with a stale fencing token are refused", async (store, clock) => {
      const id = newId();
      const old = await store.lock(id, "old");
      await old.release();
      const current = await store.lock(id, "new");
      try {
        assert.ok(current.fence > old.fence);
        await store.save(id, record(clock, { by: "new" }), { fence: current.fence });
        await assert.rejects(
          () => store.save(id, record(clock, { by: "old" }), { fence: old.fence }),
          { name: "LockLostError" },
        );
        await assert.rejects(() => store.destroy(id, { fence: old.fence }), {
          name: "LockLostError",
        });
        assert.deepEqual((await store.load(id))?.data, { by: "new" });
      } finally {
        await current.release();
      }
    });
  }
}
