import assert from "node:assert/strict";
import {
  Pool,
  PoolClosedError,
  PoolCreateError,
  PoolError,
  PoolQueueFullError,
  PoolResourceError,
  PoolTimeoutError,
} from "./mod.ts";

Deno.test("every pool error carries its HTTP meaning: 503, not exposed, Retry-After", () => {
  for (
    const Type of [
      PoolTimeoutError,
      PoolClosedError,
      PoolCreateError,
      PoolQueueFullError,
      PoolResourceError,
    ]
  ) {
    const error = new Type("Cannot acquire: the pool's internals", { cause: "x" });
    assert.ok(error instanceof PoolError, Type.name);
    assert.equal(error.name, Type.name);
    assert.equal(error.status, 503, Type.name);
    assert.equal(error.expose, false, Type.name);
    assert.ok(error.headers instanceof Headers, Type.name);
    assert.deepEqual([...error.headers], [["retry-after", "1"]], Type.name);
    assert.equal(error.cause, "x");
  }
});

Deno.test("each pool error has headers of its own", () => {
  const one = new PoolTimeoutError("Cannot acquire: timed out");
  one.headers.set("retry-after", "5");
  assert.equal(new PoolTimeoutError("Cannot acquire: timed out").headers.get("retry-after"), "1");
});

Deno.test("the errors a pool throws carry the fields (a timed-out and a closed acquire)", async () => {
  const pool = new Pool({ create: () => Promise.resolve({}), destroy() {} }, { max: 1 });
  const lease = await pool.acquire();
  const timedOut = await pool.acquire({ timeout: 1 }).then(() => undefined, (error) => error);
  assert.ok(timedOut instanceof PoolTimeoutError);
  assert.equal(timedOut.status, 503);
  lease.release();
  await pool.close();
  const closed = await pool.acquire().then(() => undefined, (error) => error);
  assert.ok(closed instanceof PoolClosedError);
  assert.equal(closed.headers.get("retry-after"), "1");
});
