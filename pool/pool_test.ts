import assert from "node:assert/strict";
import { FakeClock } from "@pubkit/async";
import { watch } from "@pubkit/async/testing";
import {
  type Lease,
  Pool,
  PoolClosedError,
  PoolCreateError,
  type PoolFactory,
  type PoolOptions,
  PoolQueueFullError,
  PoolResourceError,
  PoolTimeoutError,
} from "./mod.ts";

interface Res {
  id: number;
  open: boolean;
}

/** A factory that records what it did; `down` makes create() fail. */
function recorder(
  options: { valid?: (r: Res) => boolean | Promise<boolean>; broken?: (r: Res) => boolean } = {},
) {
  const log = {
    created: [] as Res[],
    destroyed: [] as Res[],
    validated: [] as Res[],
    createCalls: 0,
    down: false,
  };
  const factory: PoolFactory<Res> = {
    create(signal) {
      log.createCalls++;
      signal.throwIfAborted();
      if (log.down) return Promise.reject(new Error("backend down"));
      const r = { id: log.created.length + 1, open: true };
      log.created.push(r);
      return Promise.resolve(r);
    },
    destroy(r) {
      r.open = false;
      log.destroyed.push(r);
    },
  };
  if (options.valid) {
    const valid = options.valid;
    factory.validate = (r) => {
      log.validated.push(r);
      return valid(r);
    };
  }
  if (options.broken) factory.isBroken = options.broken;
  return { factory, log };
}

function quietLogger() {
  const messages: string[] = [];
  return { messages, logger: { warn: (m: string) => void messages.push(m) } };
}

function makePool(factory: PoolFactory<Res>, options: PoolOptions = {}) {
  const clock = new FakeClock();
  const { messages, logger } = quietLogger();
  const pool = new Pool(factory, { clock, logger, maxLifetimeJitter: 0, ...options });
  return { pool, clock, messages };
}

Deno.test("new Pool() rejects unknown options and out-of-range values", () => {
  const { factory } = recorder();
  assert.throws(() => new Pool(factory, { maxSize: 3 } as PoolOptions), RangeError);
  assert.throws(() => new Pool(factory, { max: 0 }), RangeError);
  assert.throws(() => new Pool(factory, { min: 3, max: 2 }), RangeError);
  assert.throws(() => new Pool(factory, { acquireTimeout: Infinity }), RangeError);
  assert.throws(() => new Pool(factory, { acquireTimeout: 0 }), RangeError);
  assert.throws(() => new Pool(factory, { idleTimeout: -1 }), RangeError);
  assert.throws(() => new Pool(factory, { maxLifetimeJitter: 1 }), RangeError);
  assert.throws(() => new Pool(factory, { max: 1.5 }), RangeError);
  assert.throws(() => new Pool({ create: factory.create } as PoolFactory<Res>), TypeError);
  assert.throws(
    () => new Pool(factory, { clock: {} as FakeClock }),
    TypeError,
  );
  // Defaults need no options, and Infinity is allowed where it means "no limit".
  new Pool(factory);
  new Pool(factory, { maxWaiting: Infinity, leakDetectionThreshold: 0 });
});

Deno.test("Pool.acquire() lends an idle resource without arming a timer", async () => {
  const { factory, log } = recorder();
  const { pool, clock } = makePool(factory, { leakDetectionThreshold: 0 });
  const first = await pool.acquire();
  first.release();
  const timersBefore = clock.pending; // housekeeping only
  const again = await pool.acquire();
  assert.equal(again.resource, log.created[0]);
  assert.equal(clock.pending, timersBefore);
  again.release();
  assert.equal(clock.pending, timersBefore);
  assert.equal(log.createCalls, 1);
  await pool.close();
  assert.equal(clock.pending, 0, "close() disarms every timer");
});

Deno.test("Pool.acquire() rejects with PoolTimeoutError after acquireTimeout", async (t) => {
  await t.step("default timeout", async () => {
    const { factory } = recorder();
    const { pool, clock } = makePool(factory, { max: 1, acquireTimeout: 5000 });
    const held = await pool.acquire();
    const waiting = watch(pool.acquire());
    await clock.tick(4999);
    assert.equal(waiting.settled, false);
    await clock.tick(1);
    assert.ok(waiting.error instanceof PoolTimeoutError);
    assert.match((waiting.error as Error).message, /^Cannot acquire: timed out after 5000 ms/);
    const m = pool.metrics();
    assert.equal(m.timeouts, 1);
    assert.equal(m.pending, 0);
    held.release();
    await pool.close();
  });

  await t.step("per-call timeout", async () => {
    const { factory } = recorder();
    const { pool, clock } = makePool(factory, { max: 1 });
    const held = await pool.acquire();
    const waiting = watch(pool.acquire({ timeout: 50 }));
    await clock.tick(50);
    assert.ok(waiting.error instanceof PoolTimeoutError);
    await assert.rejects(pool.acquire({ timeout: 0 }), RangeError);
    held.release();
    await assert.rejects(
      pool.acquire({ timeout: NaN }),
      RangeError,
      "checked on the fast path too",
    );
    await pool.close();
  });
});

Deno.test("Pool.acquire() serves waiters first-in-first-out", async () => {
  const { factory } = recorder();
  const { pool } = makePool(factory, { max: 1 });
  let lease = await pool.acquire();
  const order: number[] = [];
  const waiters = [0, 1, 2, 3, 4].map((i) =>
    pool.acquire().then((l) => {
      order.push(i);
      return l;
    })
  );
  for (const waiter of waiters) {
    lease.release();
    lease = await waiter;
  }
  assert.deepEqual(order, [0, 1, 2, 3, 4]);

  // A release hands the resource to the waiter; a caller arriving just after queues behind.
  const first = pool.acquire();
  lease.release();
  const newcomer = watch(pool.acquire());
  lease = await first;
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(newcomer.settled, false);
  lease.release();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(newcomer.settled, true);
  (newcomer.value as Lease<Res>).release();
  await pool.close();
});

Deno.test("Pool.acquire() arms one timer for all its waiters, and none once they are served", async () => {
  const { factory } = recorder();
  const { pool, clock } = makePool(factory, { max: 1 });
  let lease = await pool.acquire();
  const timersBefore = clock.pending; // housekeeping only
  const waiters = Array.from({ length: 50 }, () => pool.acquire());
  assert.equal(pool.metrics().pending, 50);
  assert.equal(clock.pending, timersBefore + 1);
  for (const waiter of waiters) {
    lease.release();
    lease = await waiter;
  }
  assert.equal(clock.pending, timersBefore);
  lease.release();
  await pool.close();
});

Deno.test("Pool.acquire() honours an abort signal", async () => {
  const { factory } = recorder();
  const { pool, clock } = makePool(factory, { max: 1 });
  const held = await pool.acquire();
  const timersBefore = clock.pending;

  const aborted = new AbortController();
  aborted.abort(new Error("gone"));
  await assert.rejects(pool.acquire({ signal: aborted.signal }), /gone/);

  const controller = new AbortController();
  const waiting = pool.acquire({ signal: controller.signal });
  assert.equal(pool.metrics().pending, 1);
  controller.abort(new Error("client left"));
  await assert.rejects(waiting, /client left/);
  assert.equal(pool.metrics().pending, 0);
  assert.equal(clock.pending, timersBefore, "the waiter's timer was disarmed");

  held.release();
  await pool.close();
});

Deno.test("Pool.acquire() refuses callers beyond maxWaiting with PoolQueueFullError", async () => {
  const { factory } = recorder();
  const { pool } = makePool(factory, { max: 1, maxWaiting: 1 });
  const held = await pool.acquire();
  const first = pool.acquire();
  await assert.rejects(pool.acquire(), PoolQueueFullError);
  held.release();
  (await first).release();
  await pool.close();
});

Deno.test("Pool validates resources idle longer than validateAfterIdle", async (t) => {
  await t.step("a stale, invalid resource is destroyed and replaced", async () => {
    const { factory, log } = recorder({ valid: (r) => r.id !== 1 });
    const { pool, clock } = makePool(factory, { validateAfterIdle: 500 });
    (await pool.acquire()).release();
    await clock.tick(500);
    const fresh = await pool.acquire(); // idle exactly 500 ms: not validated
    assert.equal(fresh.resource.id, 1);
    assert.equal(log.validated.length, 0);
    fresh.release();
    await clock.tick(501);
    const lease = await pool.acquire();
    assert.deepEqual(log.validated.map((r) => r.id), [1]);
    assert.equal(lease.resource.id, 2);
    assert.deepEqual(log.destroyed.map((r) => r.id), [1]);
    lease.release();
    await pool.close();
  });

  await t.step("a valid stale resource is lent after validation", async () => {
    const { factory, log } = recorder({ valid: () => true });
    const { pool, clock } = makePool(factory);
    (await pool.acquire()).release();
    await clock.tick(1000);
    const lease = await pool.acquire();
    assert.equal(lease.resource.id, 1);
    assert.equal(log.validated.length, 1);
    lease.release();
    await pool.close();
  });

  await t.step("a validation that hangs counts as invalid after validateTimeout", async () => {
    const { factory, log } = recorder({
      valid: (r) => r.id === 1 ? new Promise<boolean>(() => {}) : true,
    });
    const { pool, clock } = makePool(factory, { validateTimeout: 200 });
    (await pool.acquire()).release();
    await clock.tick(1000);
    const pending = watch(pool.acquire());
    await clock.tick(199);
    assert.equal(pending.settled, false);
    await clock.tick(1);
    assert.equal((pending.value as Lease<Res>).resource.id, 2);
    assert.deepEqual(log.destroyed.map((r) => r.id), [1]);
    (pending.value as Lease<Res>).release();
    await pool.close();
  });

  await t.step("a resource reported broken is never lent again", async () => {
    const { factory, log } = recorder({ broken: (r) => !r.open || r.id === 1 });
    const { pool } = makePool(factory);
    const lease = await pool.acquire();
    lease.release(); // broken on return: destroyed
    assert.deepEqual(log.destroyed.map((r) => r.id), [1]);
    const next = await pool.acquire();
    assert.equal(next.resource.id, 2);
    next.release();
    await pool.close();
  });
});

Deno.test("Pool retires resources past maxLifetime", async (t) => {
  await t.step("an idle resource past its lifetime is replaced", async () => {
    const { factory, log } = recorder();
    const { pool, clock } = makePool(factory, { maxLifetime: 1000 });
    (await pool.acquire()).release();
    await clock.tick(999);
    const same = await pool.acquire();
    assert.equal(same.resource.id, 1);
    same.release();
    await clock.tick(1);
    const lease = await pool.acquire();
    assert.equal(lease.resource.id, 2);
    assert.deepEqual(log.destroyed.map((r) => r.id), [1]);
    lease.release();
    await pool.close();
  });

  await t.step("a lent resource past its lifetime is destroyed when returned", async () => {
    const { factory, log } = recorder();
    const { pool, clock } = makePool(factory, { maxLifetime: 1000 });
    const lease = await pool.acquire();
    await clock.tick(2000);
    assert.equal(log.destroyed.length, 0, "a lent resource is not taken away");
    lease.release();
    assert.deepEqual(log.destroyed.map((r) => r.id), [1]);
    assert.equal(pool.metrics().size, 0);
    await pool.close();
  });

  await t.step("housekeeping retires an idle resource past its lifetime", async () => {
    const { factory, log } = recorder();
    const { pool, clock } = makePool(factory, { maxLifetime: 1000, housekeepingInterval: 500 });
    (await pool.acquire()).release();
    await clock.tick(1000);
    assert.deepEqual(log.destroyed.map((r) => r.id), [1]);
    await pool.close();
  });

  await t.step("jitter shortens lifetimes by at most maxLifetimeJitter", async () => {
    const { factory } = recorder();
    const { pool, clock } = makePool(factory, { maxLifetime: 1000, maxLifetimeJitter: 0.5 });
    const leases = await Promise.all([1, 2, 3, 4, 5].map(() => pool.acquire()));
    for (const lease of leases) lease.release();
    await clock.tick(499);
    assert.equal(pool.metrics().idle, 5, "no resource retires before 50% of maxLifetime");
    await clock.tick(501);
    const lease = await pool.acquire();
    assert.equal(lease.resource.id, 6, "every resource retired by maxLifetime");
    lease.release();
    await pool.close();
  });
});

Deno.test("Pool retires idle resources above min after idleTimeout", async () => {
  const { factory } = recorder();
  const { pool, clock } = makePool(factory, {
    min: 1,
    idleTimeout: 10_000,
    housekeepingInterval: 1000,
  });
  const leases = await Promise.all([1, 2, 3].map(() => pool.acquire()));
  for (const lease of leases) lease.release();
  assert.equal(pool.metrics().idle, 3);
  await clock.tick(9000);
  assert.equal(pool.metrics().idle, 3);
  await clock.tick(1000);
  assert.equal(pool.metrics().size, 1, "min is kept");
  await pool.close();
});

Deno.test("Pool warns about a leaked lease with the acquirer's stack, and when it returns", async () => {
  const { factory } = recorder();
  const { pool, clock, messages } = makePool(factory, { leakDetectionThreshold: 1000 });
  const lease = await pool.acquire();
  await clock.tick(999);
  assert.equal(messages.length, 0);
  await clock.tick(1);
  assert.equal(messages.length, 1);
  assert.match(messages[0], /Possible leak: a lease has been held for more than 1000 ms/);
  assert.match(messages[0], /pool_test\.ts/, "the warning shows the acquirer's stack");
  await clock.tick(500);
  lease.release();
  assert.equal(messages.length, 2);
  assert.match(messages[1], /returned after 1500 ms/);

  // A lease returned in time is not reported.
  (await pool.acquire()).release();
  await clock.tick(5000);
  assert.equal(messages.length, 2);
  await pool.close();
});

Deno.test("Pool rejects waiters when create fails, backs off and recovers", async (t) => {
  await t.step("failures reject promptly with the cause; creates back off", async () => {
    const { factory, log } = recorder();
    const { pool, clock, messages } = makePool(factory, {
      createRetryDelay: 100,
      createRetryMaxDelay: 400,
    });
    log.down = true;
    const error = await pool.acquire().catch((e) => e);
    assert.ok(error instanceof PoolCreateError);
    assert.match(
      (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : "",
      /backend down/,
    );
    assert.equal(clock.now(), 0, "rejected without waiting out the acquire timeout");

    // During the back-off, a caller needing a new resource is refused at once.
    await assert.rejects(pool.acquire(), PoolCreateError);
    assert.equal(log.createCalls, 1);

    await clock.tick(100);
    await assert.rejects(pool.acquire(), PoolCreateError); // second failure: back-off 200 ms
    assert.equal(log.createCalls, 2);
    await clock.tick(199);
    await assert.rejects(pool.acquire(), PoolCreateError);
    assert.equal(log.createCalls, 2, "no create during the back-off");

    log.down = false;
    await clock.tick(1);
    const lease = await pool.acquire();
    assert.equal(lease.resource.id, 1);
    assert.equal(pool.metrics().createFailures, 2);
    assert.ok(messages.some((m) => /Recovered/.test(m)));
    lease.release();
    await pool.close();
  });

  await t.step("a hanging create is aborted after createTimeout", async () => {
    let signalSeen: AbortSignal | undefined;
    const factory: PoolFactory<Res> = {
      create: (signal) => {
        signalSeen = signal;
        return new Promise((_, reject) => {
          signal.addEventListener("abort", () => reject(signal.reason), { once: true });
        });
      },
      destroy() {},
    };
    const { pool, clock } = makePool(factory as PoolFactory<Res>, {
      createTimeout: 1000,
      acquireTimeout: 5000,
    });
    const waiting = watch(pool.acquire());
    await clock.tick(999);
    assert.equal(waiting.settled, false);
    await clock.tick(1);
    assert.ok(waiting.error instanceof PoolCreateError);
    assert.ok((waiting.error as Error).cause instanceof PoolTimeoutError);
    assert.equal(signalSeen?.aborted, true);
    await pool.close();
  });

  await t.step("min is refilled in the background once the backend returns", async () => {
    const { factory, log } = recorder();
    const { pool, clock } = makePool(factory, { min: 2, createRetryDelay: 100 });
    log.down = true;
    await assert.rejects(pool.start(), PoolCreateError);
    log.down = false;
    await clock.tick(100);
    assert.equal(pool.metrics().idle, 2);
    await pool.close();
  });
});

Deno.test("Pool.close() waits for an outstanding lease up to the deadline", async (t) => {
  await t.step("a lease still out at the deadline is destroyed and reported", async () => {
    const { factory, log } = recorder();
    const { pool, clock } = makePool(factory, { max: 1, leakDetectionThreshold: 60_000 });
    const lease = await pool.acquire();
    const waiter = watch(pool.acquire());
    const closing = watch(pool.close({ deadline: 1000 }));
    await clock.tick(0);
    assert.ok(waiter.error instanceof PoolClosedError);
    await assert.rejects(pool.acquire(), PoolClosedError);
    await clock.tick(999);
    assert.equal(closing.settled, false);
    assert.equal(log.destroyed.length, 0);
    await clock.tick(1);
    assert.equal(closing.settled, true);
    const report = closing.value!;
    assert.equal(report.outstanding.length, 1);
    assert.equal(report.outstanding[0].heldFor, 1000);
    assert.match(report.outstanding[0].stack ?? "", /pool_test\.ts/);
    assert.equal(report.destroyed, 1);
    assert.deepEqual(log.destroyed.map((r) => r.id), [1]);
    assert.equal(lease.released, true);
    lease.release(); // too late: a no-op
    assert.equal(pool.metrics().borrowed, 0);
    assert.equal(pool.close(), pool.close(), "close() is idempotent");
    assert.equal(clock.pending, 0);
  });

  await t.step("a lease returned before the deadline ends the close early", async () => {
    const { factory, log } = recorder();
    const { pool, clock } = makePool(factory);
    const lease = await pool.acquire();
    const idle = await pool.acquire();
    idle.release();
    const closing = watch(pool.close({ deadline: 10_000 }));
    await clock.tick(0);
    assert.deepEqual(log.destroyed.map((r) => r.id), [2], "idle resources go at once");
    await clock.tick(300);
    assert.equal(closing.settled, false);
    lease.release();
    await clock.tick(0);
    assert.equal(closing.settled, true);
    assert.deepEqual(closing.value!.outstanding, []);
    assert.deepEqual(log.destroyed.map((r) => r.id).sort(), [1, 2]);
  });

  await t.step("an in-flight create is aborted", async () => {
    let aborted = false;
    const factory: PoolFactory<Res> = {
      create: (signal) =>
        new Promise((_, reject) =>
          signal.addEventListener("abort", () => {
            aborted = true;
            reject(signal.reason);
          }, { once: true })
        ),
      destroy() {},
    };
    const { pool } = makePool(factory);
    const waiting = pool.acquire();
    await pool.close({ deadline: 0 });
    await assert.rejects(waiting, PoolClosedError);
    assert.equal(aborted, true);
  });
});

Deno.test("Pool.metrics() reports gauges, counters and the acquire-wait histogram", async () => {
  const { factory } = recorder();
  const { pool, clock } = makePool(factory, { max: 2 });
  const a = await pool.acquire(); // created on demand: waits 0 ms on the fake clock
  const b = await pool.acquire();
  const waiting = watch(pool.acquire());
  await clock.tick(0);
  let m = pool.metrics();
  assert.deepEqual(
    { size: m.size, idle: m.idle, borrowed: m.borrowed, pending: m.pending, created: m.created },
    { size: 2, idle: 0, borrowed: 2, pending: 1, created: 2 },
  );
  await clock.tick(30);
  a.release(); // the waiter got it after 30 ms
  await clock.tick(0);
  (waiting.value as Lease<Res>).release();
  await b.destroy();
  const late = watch(pool.acquire({ timeout: 10 }));
  const blocker = await pool.acquire();
  await clock.tick(0);
  blocker.release();
  await clock.tick(0);
  assert.equal(late.settled, true);
  (late.value as Lease<Res>).release();
  m = pool.metrics();
  assert.equal(m.size, 2);
  assert.equal(m.idle, 2);
  assert.equal(m.borrowed, 0);
  assert.equal(m.destroyed, 1);
  assert.equal(m.created, 3);
  assert.equal(m.acquireWait.count, 5);
  const bucket50 = m.acquireWait.bounds.indexOf(50);
  assert.equal(m.acquireWait.counts[bucket50], 1, "the 30 ms wait lands in the ≤50 ms bucket");
  assert.equal(m.acquireWait.sum, 30);

  const held = [await pool.acquire(), await pool.acquire()];
  const timedOut = watch(pool.acquire({ timeout: 10 }));
  await clock.tick(10);
  assert.ok(timedOut.error instanceof PoolTimeoutError);
  assert.equal(pool.metrics().timeouts, 1);
  for (const lease of held) lease.release();
  await pool.close();
  m = pool.metrics();
  assert.equal(m.size, 0);
  assert.equal(m.destroyed, 3);
});

Deno.test("Pool.use() gives the resource back, validating it after a throw", async () => {
  const { factory, log } = recorder({ valid: () => false });
  const { pool } = makePool(factory);
  assert.equal(await pool.use((r) => r.id), 1);
  assert.equal(pool.metrics().idle, 1);
  await assert.rejects(pool.use(() => Promise.reject(new Error("query failed"))), /query failed/);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(log.validated.map((r) => r.id), [1]);
  assert.deepEqual(log.destroyed.map((r) => r.id), [1], "the suspect resource was invalid");
  assert.equal(pool.metrics().size, 0);
  await pool.close();
});

Deno.test("Lease.release() and Lease.destroy() are idempotent", async () => {
  const { factory, log } = recorder();
  const { pool } = makePool(factory);
  const lease = await pool.acquire();
  lease.release();
  lease.release();
  await lease.destroy();
  assert.equal(pool.metrics().idle, 1);
  assert.equal(log.destroyed.length, 0);
  assert.throws(() => lease.resource, TypeError);

  const broken = await pool.acquire();
  await broken.destroy();
  await broken.destroy();
  broken.release();
  assert.equal(log.destroyed.length, 1);
  assert.equal(pool.metrics().size, 0);

  {
    await using disposed = await pool.acquire();
    assert.equal(disposed.released, false);
  }
  assert.equal(pool.metrics().idle, 1);
  await pool.close();
});

Deno.test("Pool.start() warms to min, and fails with PoolCreateError", async () => {
  const { factory, log } = recorder();
  const { pool } = makePool(factory, { min: 3 });
  await pool.start();
  assert.equal(pool.metrics().idle, 3);
  await pool.close();
  await assert.rejects(pool.start(), PoolClosedError);

  log.down = true;
  const { pool: failing } = makePool(factory, { min: 1 });
  const error = await failing.start().catch((e) => e);
  assert.ok(error instanceof PoolCreateError);
  assert.match(error.message, /^Cannot start the pool/);
  assert.match(String(error.cause), /backend down/);
  await failing.close();
});

Deno.test("Pool.acquire() keeps FIFO order when many waiters give up", async () => {
  const { factory } = recorder();
  const { pool } = makePool(factory, { max: 1 });
  let lease = await pool.acquire();
  const kept: Promise<number>[] = [];
  const gaveUp: Promise<unknown>[] = [];
  for (let i = 0; i < 3000; i++) {
    const controller = new AbortController();
    const waiting = pool.acquire({ signal: controller.signal });
    if (i % 500 === 0) {
      kept.push(waiting.then((l) => {
        l.release();
        return i;
      }));
    } else {
      gaveUp.push(waiting.catch(() => "aborted"));
      controller.abort(new Error("gave up"));
    }
  }
  assert.equal(pool.metrics().pending, kept.length);
  lease.release();
  assert.deepEqual(await Promise.all(kept), [0, 500, 1000, 1500, 2000, 2500]);
  assert.ok((await Promise.all(gaveUp)).every((r) => r === "aborted"));
  lease = await pool.acquire();
  lease.release();
  await pool.close();
});

Deno.test("Pool.use() destroys a resource that broke in use and rejects with PoolResourceError", async () => {
  let created = 0;
  const destroyed: number[] = [];
  const pool = new Pool<{ id: number }>({
    create: () => Promise.resolve({ id: ++created }),
    destroy: (resource) => void destroyed.push(resource.id),
    isFatalError: (error) => error instanceof Error && error.message === "terminated",
  }, { max: 1 });
  try {
    const terminated = new Error("terminated");
    await assert.rejects(
      pool.use(() => {
        throw terminated;
      }),
      (error: unknown) => {
        assert.ok(error instanceof PoolResourceError);
        assert.equal(error.cause, terminated);
        return true;
      },
    );
    assert.deepEqual(destroyed, [1]);
    // An ordinary error keeps the resource; the next use gets a fresh one after the broken one.
    await assert.rejects(pool.use(() => Promise.reject(new Error("bad SQL"))), /bad SQL/);
    assert.equal(await pool.use((resource) => resource.id), 2);
    assert.deepEqual(destroyed, [1]);
  } finally {
    await pool.close();
  }
});

Deno.test("Pool returns a resource no one waits for without reading the clock", async () => {
  const { factory, log } = recorder({ valid: () => true });
  const { pool, clock } = makePool(factory, { validateAfterIdle: 500 });
  (await pool.acquire()).release();
  const lease = await pool.acquire();
  let reads = 0;
  const now = clock.now.bind(clock);
  clock.now = () => (reads++, now());
  await clock.tick(400);
  lease.release();
  assert.equal(reads, 0, "an uncontended release reads no clock");
  clock.now = now;
  // Idle time counts from the loan's start (400 ms before the return): it looks idle sooner,
  // so validation comes earlier, never later.
  await clock.tick(101);
  (await pool.acquire()).release();
  assert.equal(log.validated.length, 1);
  await pool.close();
});
