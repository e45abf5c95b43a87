import assert from "node:assert/strict";
import { FakeClock } from "./fake_clock.ts";
import { watch } from "./testing.ts";
import { WaitQueue, type WaitQueueOptions } from "./wait_queue.ts";

class Timeout extends Error {
  constructor(readonly owner: unknown, readonly ms: number) {
    super(`${String(owner)} timed out after ${ms} ms`);
  }
}

function makeQueue<T = string>(options: Partial<WaitQueueOptions<string>> = {}) {
  const clock = new FakeClock();
  const queue = new WaitQueue<T, string>({
    timeout: 1000,
    timeoutError: (owner, ms) => new Timeout(owner, ms),
    clock,
    ...options,
  });
  return { clock, queue };
}

Deno.test("new WaitQueue() rejects unknown options, bad bounds and a missing error builder", () => {
  const timeoutError = () => new Error("late");
  assert.throws(
    () => new WaitQueue({ timeout: 1, timeoutError, max: 3 } as WaitQueueOptions<undefined>),
    RangeError,
  );
  assert.throws(() => new WaitQueue({ timeout: -1, timeoutError }), RangeError);
  assert.throws(() => new WaitQueue({ timeout: NaN, timeoutError }), RangeError);
  assert.throws(() => new WaitQueue({ timeout: 1, timeoutError, maxLength: 2 }), RangeError);
  assert.throws(
    () => new WaitQueue({ timeout: 1 } as WaitQueueOptions<undefined>),
    TypeError,
  );
  assert.throws(
    () => new WaitQueue({ timeout: 1, timeoutError, clock: { now: () => 0 } as FakeClock }),
    TypeError,
  );
  new WaitQueue({ timeout: Infinity, timeoutError, maxLength: 2, fullError: timeoutError });
});

Deno.test("WaitQueue.grant() serves waiters first-in-first-out and shows the head's owner", async () => {
  const { queue, clock } = makeQueue();
  await clock.tick(5);
  const waits = ["a", "b", "c"].map((owner) => queue.wait(owner));
  assert.equal(queue.length, 3);
  assert.equal(queue.head?.owner, "a");
  assert.equal(queue.head?.since, 5);
  const served: string[] = [];
  while (queue.head !== undefined) queue.grant(`to ${queue.head.owner}`);
  for (const wait of waits) served.push(await wait);
  assert.deepEqual(served, ["to a", "to b", "to c"]);
  assert.equal(queue.grant("nobody"), false);
  assert.equal(queue.length, 0);
});

Deno.test("WaitQueue.wait() times out with the caller's error, one timer armed only while waiting", async (t) => {
  await t.step("the same timeout for all: deadlines in order", async () => {
    const { queue, clock } = makeQueue();
    assert.equal(clock.pending, 0);
    const first = watch(queue.wait("first"));
    await clock.tick(10);
    const second = watch(queue.wait("second"));
    const third = watch(queue.wait("third"));
    assert.equal(clock.pending, 1, "one timer for the whole queue");
    await clock.tick(989);
    assert.equal(first.settled, false);
    await clock.tick(1);
    assert.ok(first.error instanceof Timeout);
    assert.equal((first.error as Timeout).message, "first timed out after 1000 ms");
    assert.equal(second.settled, false);
    assert.equal(queue.length, 2);
    await clock.tick(10);
    assert.ok(second.error instanceof Timeout);
    assert.ok(third.error instanceof Timeout);
    assert.equal(queue.length, 0);
    assert.equal(clock.pending, 0, "no timer once nobody waits");
  });

  await t.step("a later waiter with a shorter timeout expires first", async () => {
    const { queue, clock } = makeQueue();
    const long = watch(queue.wait("long"));
    const short = watch(queue.wait("short", { timeout: 50 }));
    const middle = watch(queue.wait("middle", { timeout: 500 }));
    await clock.tick(50);
    assert.equal((short.error as Timeout).ms, 50);
    assert.equal(long.settled || middle.settled, false);
    await clock.tick(450);
    assert.equal((middle.error as Timeout).ms, 500);
    assert.equal(long.settled, false);
    assert.equal(queue.head?.owner, "long");
    queue.grant("served");
    await clock.tick(0);
    assert.equal(long.value, "served");
    assert.equal(clock.pending, 0);
  });

  await t.step("the timer is disarmed when the last waiter is served", async () => {
    const { queue, clock } = makeQueue();
    const wait = queue.wait("a");
    assert.equal(clock.pending, 1);
    queue.grant("x");
    assert.equal(await wait, "x");
    assert.equal(clock.pending, 0);
  });

  await t.step("a timeout of 0 expires at the next timer turn; Infinity never", async () => {
    const { queue, clock } = makeQueue();
    const forever = watch(queue.wait("forever", { timeout: Infinity }));
    assert.equal(clock.pending, 0);
    const now = watch(queue.wait("now", { timeout: 0 }));
    await clock.tick(0);
    assert.equal((now.error as Timeout).ms, 0);
    await clock.tick(1e9);
    assert.equal(forever.settled, false);
    queue.refuse(new Error("closed"));
    await clock.tick(0);
    assert.match(String(forever.error), /closed/);
    await assert.rejects(queue.wait("bad", { timeout: -1 }), RangeError);
    await assert.rejects(queue.wait("bad", { timeout: NaN }), RangeError);
    assert.equal(queue.length, 0);
  });
});

Deno.test("WaitQueue.wait() with a timeout beyond the timers' range waits it out in steps", async () => {
  const delays: number[] = [];
  class RecordingClock extends FakeClock {
    override setTimeout(callback: () => void, delay: number) {
      delays.push(delay);
      return super.setTimeout(callback, delay);
    }
  }
  const clock = new RecordingClock();
  const { queue } = makeQueue({ clock });
  const days = 30 * 24 * 3600 * 1000; // more than 2^31 - 1 ms
  const wait = watch(queue.wait("patient", { timeout: days }));
  await clock.tick(2 ** 31 - 1);
  assert.equal(wait.settled, false);
  assert.equal(clock.pending, 1, "re-armed for the rest");
  await clock.tick(days - 2 ** 31);
  assert.equal(wait.settled, false);
  await clock.tick(1);
  assert.equal((wait.error as Timeout).ms, days);
  assert.deepEqual(delays, [2 ** 31 - 1, days - (2 ** 31 - 1)]);
});

Deno.test("WaitQueue.wait() honours a signal and removes its listener when settled", async (t) => {
  function countingSignal() {
    const controller = new AbortController();
    const signal = controller.signal;
    const counts = { added: 0, removed: 0 };
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = (...args: Parameters<typeof add>) => {
      counts.added++;
      add(...args);
    };
    signal.removeEventListener = (...args: Parameters<typeof remove>) => {
      counts.removed++;
      remove(...args);
    };
    return { controller, signal, counts };
  }

  await t.step("already aborted: rejects at once with signal.reason, never queued", async () => {
    const { queue, clock } = makeQueue();
    const reason = new Error("gone");
    await assert.rejects(
      queue.wait("a", { signal: AbortSignal.abort(reason) }),
      (e) => e === reason,
    );
    assert.equal(queue.length, 0);
    assert.equal(clock.pending, 0);
  });

  await t.step("aborted while waiting: rejects with the reason and leaves the queue", async () => {
    const { queue, clock } = makeQueue();
    const { controller, signal, counts } = countingSignal();
    const before = watch(queue.wait("before"));
    const aborted = queue.wait("aborted", { signal });
    const after = watch(queue.wait("after"));
    controller.abort(new Error("client left"));
    await assert.rejects(aborted, /client left/);
    assert.equal(counts.removed, counts.added);
    assert.equal(queue.length, 2);
    queue.grant("one");
    queue.grant("two");
    await clock.tick(0);
    assert.deepEqual([before.value, after.value], ["one", "two"]);
    assert.equal(clock.pending, 0);
  });

  for (
    const [how, settle] of [
      ["granted", (q: WaitQueue<string, string>) => q.grant("x")],
      ["refused", (q: WaitQueue<string, string>) => q.refuse(new Error("no"))],
    ] as const
  ) {
    await t.step(`${how}: the listener is removed`, async () => {
      const { queue } = makeQueue();
      const { controller, signal, counts } = countingSignal();
      const wait = watch(queue.wait("a", { signal }));
      assert.equal(counts.added, 1);
      settle(queue);
      assert.equal(counts.removed, 1);
      controller.abort(new Error("late abort"));
      await Promise.resolve();
      assert.equal(wait.settled, true);
      assert.doesNotMatch(String(wait.error), /late abort/);
    });
  }

  await t.step("timed out: the listener is removed", async () => {
    const { queue, clock } = makeQueue();
    const { signal, counts } = countingSignal();
    const wait = watch(queue.wait("a", { signal, timeout: 10 }));
    await clock.tick(10);
    assert.ok(wait.error instanceof Timeout);
    assert.equal(counts.removed, 1);
  });
});

Deno.test("WaitQueue.wait() refuses callers beyond maxLength with the caller's error", async () => {
  const { queue } = makeQueue({
    maxLength: 2,
    fullError: (length) => new RangeError(`${length} already wait`),
  });
  const a = queue.wait("a");
  const b = queue.wait("b");
  await assert.rejects(queue.wait("c"), /^RangeError: 2 already wait$/);
  queue.grant("1");
  const c = queue.wait("c");
  queue.grant("2");
  queue.grant("3");
  assert.deepEqual(await Promise.all([a, b, c]), ["1", "2", "3"]);
});

Deno.test("WaitQueue.refuseNewest() rejects the newest waiter, refuse() the oldest", async () => {
  const { queue, clock } = makeQueue();
  const [a, b, c] = ["a", "b", "c"].map((owner) => watch(queue.wait(owner)));
  assert.equal(queue.refuseNewest(new Error("newest")), true);
  assert.equal(queue.refuse(new Error("oldest")), true);
  await clock.tick(0);
  assert.match(String(c.error), /newest/);
  assert.match(String(a.error), /oldest/);
  assert.equal(b.settled, false);
  assert.equal(queue.head?.owner, "b");
  queue.refuseNewest(new Error("last"));
  assert.equal(queue.refuse(new Error("none")), false);
  assert.equal(queue.refuseNewest(new Error("none")), false);
  assert.equal(clock.pending, 0);
});

Deno.test("WaitQueue keeps FIFO order when thousands of waiters in the middle give up", async () => {
  const { queue } = makeQueue<number>();
  const kept: Promise<number>[] = [];
  for (let i = 0; i < 5000; i++) {
    const controller = new AbortController();
    const wait = queue.wait(String(i), { signal: controller.signal });
    if (i % 1000 === 0) kept.push(wait);
    else {
      wait.catch(() => {});
      controller.abort();
    }
  }
  assert.equal(queue.length, 5);
  for (let i = 0; queue.head !== undefined; i++) queue.grant(Number(queue.head.owner));
  assert.deepEqual(await Promise.all(kept), [0, 1000, 2000, 3000, 4000]);
});
