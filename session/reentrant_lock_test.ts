// Copyright 2025 the pubkit authors. MIT license.

import assert from "node:assert/strict";
import { FakeClock } from "@pubkit/async";
import { watch } from "@pubkit/async/testing";
import { LockTimeoutError } from "./errors.ts";
import { ReentrantLock } from "./reentrant_lock.ts";

Deno.test("ReentrantLock.acquire() re-enters for the same owner", async () => {
  const lock = new ReentrantLock();
  const owner = {};
  const a = await lock.acquire(owner);
  const b = await lock.acquire(owner);
  assert.equal(lock.holdCount, 2);
  b.release();
  b.release();
  assert.equal(lock.holdCount, 1);
  assert.equal(lock.owner, owner);
  a.release();
  assert.equal(lock.locked, false);
});

Deno.test("ReentrantLock.acquire() serves other owners in FIFO order", async () => {
  const lock = new ReentrantLock();
  const first = await lock.acquire("first");
  const order: string[] = [];
  const waiters = ["a", "b", "c"].map((name) =>
    lock.acquire(name).then((hold) => {
      order.push(name);
      hold.release();
    })
  );
  assert.equal(lock.waiting, 3);
  // A newcomer cannot barge ahead of the queue.
  assert.equal(lock.tryAcquire("newcomer"), undefined);
  first.release();
  await Promise.all(waiters);
  assert.deepEqual(order, ["a", "b", "c"]);
});

Deno.test("ReentrantLock.acquire() rejects with LockTimeoutError after the timeout", async () => {
  const lock = new ReentrantLock({ timeout: 20, subject: "session x" });
  using _held = await lock.acquire("a");
  await assert.rejects(() => lock.acquire("b"), (error: unknown) => {
    assert.ok(error instanceof LockTimeoutError);
    assert.equal(error.name, "LockTimeoutError");
    assert.equal(error.timeout, 20);
    assert.match(error.message, /^Cannot acquire lock on session x: /);
    return true;
  });
  assert.equal(lock.waiting, 0);
});

Deno.test("ReentrantLock.acquire() leaves the queue when its signal aborts", async () => {
  const lock = new ReentrantLock();
  const held = await lock.acquire("a");
  const controller = new AbortController();
  const aborted = lock.acquire("b", { signal: controller.signal });
  const next = lock.acquire("c");
  controller.abort(new Error("gone"));
  await assert.rejects(() => aborted, { message: "gone" });
  await assert.rejects(() => lock.acquire("d", { signal: controller.signal }), { message: "gone" });
  held.release();
  const hold = await next;
  assert.equal(lock.owner, "c");
  hold.release();
});

Deno.test("ReentrantLock rejects bad owners and options", async () => {
  const lock = new ReentrantLock();
  await assert.rejects(() => lock.acquire(undefined), TypeError);
  assert.throws(() => lock.tryAcquire(null), TypeError);
  assert.throws(() => new ReentrantLock({ timeout: -1 }), RangeError);
  assert.throws(() => new ReentrantLock({ wait: 1 } as never), RangeError);
});

Deno.test("ReentrantLock waiters share the WaitQueue's one timer on the lock's clock", async () => {
  const clock = new FakeClock();
  const lock = new ReentrantLock({ timeout: 100, clock });
  const held = await lock.acquire("a");
  const waits = ["b", "c", "d"].map((owner) => watch(lock.acquire(owner)));
  assert.equal(clock.pending, 1, "one timer for all waiters, not one each");
  await clock.tick(99);
  assert.ok(waits.every((wait) => !wait.settled));
  await clock.tick(1);
  assert.ok(waits.every((wait) => wait.error instanceof LockTimeoutError));
  assert.equal(clock.pending, 0, "no timer left once nobody waits");
  held.release();
  await assert.rejects(() => lock.acquire("e", { timeout: -1 }), RangeError);
});
