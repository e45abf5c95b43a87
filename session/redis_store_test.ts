// Copyright 2025 the pubkit authors. MIT license.

import assert from "node:assert/strict";
import { RedisStore } from "./redis_store.ts";
import { newId } from "./_ids.ts";
import { StoreUnavailableError } from "./store_unavailable_error.ts";
import { testSessionStore } from "./testing.ts";

const url = Deno.env.get("REDIS_URL");
if (!url) console.log("redis_store_test.ts: REDIS_URL is unset, skipping the Redis tests");
const quiet = { log: () => {} };

/** A key prefix no other test run uses. */
function prefix(name: string): string {
  return `pubkit-test:${name}:${crypto.randomUUID()}:`;
}

Deno.test({
  name: "RedisStore passes the SessionStore conformance suite (needs REDIS_URL)",
  ignore: !url,
  async fn(t) {
    await testSessionStore(t, {
      create: (clock) => new RedisStore({ url, prefix: prefix("conformance"), clock, ...quiet }),
      fencing: true,
    });
  },
});

Deno.test({
  name: "RedisStore gives data a Redis TTL equal to its expiry, under its prefix (needs REDIS_URL)",
  ignore: !url,
  async fn() {
    const p = prefix("ttl");
    await using store = new RedisStore({ url, prefix: p, ...quiet });
    const id = newId();
    const now = Date.now();
    await store.save(id, {
      data: { a: 1 },
      created: now,
      lastAccessed: now,
      expires: now + 60_000,
    });
    const { Redis } = await import("ioredis");
    const client = new Redis(url!);
    try {
      const ttl = await client.pttl(`${p}{${id}}:data`);
      assert.ok(ttl > 59_000 && ttl <= 60_000, `pttl ${ttl}`);
      await store.touch(id, now, now + 5_000);
      const touched = await client.pttl(`${p}{${id}}:data`);
      assert.ok(touched > 4_000 && touched <= 5_000, `pttl ${touched}`);
    } finally {
      await client.quit();
    }
  },
});

Deno.test({
  name: "RedisStore renews a held lease past its TTL, keeping other owners out (needs REDIS_URL)",
  ignore: !url,
  async fn() {
    await using store = new RedisStore({ url, prefix: prefix("lease"), leaseTtl: 90, ...quiet });
    const id = newId();
    const held = await store.lock(id, "a");
    // Held for several lease times: renewal keeps others out.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await assert.rejects(() => store.lock(id, "b", { timeout: 50 }), { name: "LockTimeoutError" });
    await held.release();
    await (await store.lock(id, "b", { timeout: 1000 })).release();
  },
});

Deno.test("RedisStore fails fast with StoreUnavailableError when nothing listens", async () => {
  // A port that was just free: nothing listens there.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await using store = new RedisStore({ url: `redis://127.0.0.1:${port}`, ...quiet });
  const started = performance.now();
  await assert.rejects(() => store.load(newId()), StoreUnavailableError);
  await assert.rejects(() => store.lock(newId(), {}), StoreUnavailableError);
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 2500, `took ${elapsed} ms`);
});

/** A TCP proxy to Redis that the test can take down and bring back on the same port. */
function startProxy(target: URL, port = 0) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  const conns = new Set<Deno.Conn>();
  const pipes: Promise<unknown>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      const upstream = await Deno.connect({
        hostname: target.hostname,
        port: Number(target.port || 6379),
      });
      conns.add(conn).add(upstream);
      pipes.push(
        conn.readable.pipeTo(upstream.writable).catch(() => {}),
        upstream.readable.pipeTo(conn.writable).catch(() => {}),
      );
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // Already closed by its pipe.
        }
      }
      await accepting;
      await Promise.all(pipes);
    },
  };
}

Deno.test({
  name: "RedisStore fails fast while Redis is down and recovers without restart (needs REDIS_URL)",
  ignore: !url,
  async fn() {
    let proxy = startProxy(new URL(url!));
    const port = proxy.port;
    const lines: string[] = [];
    await using store = new RedisStore({
      url: `redis://127.0.0.1:${port}`,
      prefix: prefix("recover"),
      log: (line) => lines.push(line),
    });
    const id = newId();
    const now = Date.now();
    const record = { data: { n: 1 }, created: now, lastAccessed: now, expires: now + 60_000 };
    await store.save(id, record);

    await proxy.close();
    const started = performance.now();
    await assert.rejects(() => store.load(id), StoreUnavailableError);
    await assert.rejects(() => store.lock(id, {}), StoreUnavailableError);
    assert.ok(performance.now() - started < 3000);
    assert.ok(lines.some((line) => line.includes("cannot reach")), lines.join("\n"));

    proxy = startProxy(new URL(url!), port);
    try {
      let loaded;
      for (let i = 0; i < 100 && !loaded; i++) {
        loaded = await store.load(id).catch(() => undefined);
        if (!loaded) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.deepEqual(loaded?.data, { n: 1 });
      await (await store.lock(id, {})).release();
      assert.ok(lines.some((line) => line.includes("reachable again")), lines.join("\n"));
    } finally {
      await store.close();
      await proxy.close();
    }
  },
});

Deno.test({
  name: "RedisStore keeps a locked session's key past its expiry, for its holder to renew",
  ignore: !url,
  async fn() {
    await using store = new RedisStore({ url, prefix: prefix("held"), leaseTtl: 300, ...quiet });
    const id = newId();
    const now = Date.now();
    const record = { data: { a: 1 }, created: now, lastAccessed: now, expires: now + 150 };
    await store.save(id, record);
    const hold = await store.lock(id, "request", { timeout: 1000 });
    try {
      // Past the expiry and past one lease: the renewals kept the key.
      await new Promise((resolve) => setTimeout(resolve, 450));
      assert.equal(await store.load(id), undefined, "load() still sees it expired");
      await store.touch(id, Date.now(), Date.now() + 60_000, { fence: hold.fence });
    } finally {
      await hold.release();
    }
    assert.deepEqual((await store.load(id))?.data, { a: 1 });
    await store.destroy(id);
  },
});
