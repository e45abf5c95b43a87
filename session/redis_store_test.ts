// Copyright 2025 the pubkit authors. MIT license.

import assert from "node:assert/strict";
import { RedisStore } from "./redis_store.ts";
import { newId } from "./_ids.ts";
import { LockLostError, StoreUnavailableError } from "./errors.ts";
import { SessionManager } from "./session_manager.ts";
import { testSessionStore } from "./testing.ts";
import { clientCommands, commandCalls, redisCli, startRedis } from "./testdata/redis_servers.ts";
import { replyLosingProxy, startProxy } from "./testdata/tcp_proxy.ts";

const url = Deno.env.get("REDIS_URL");
if (!url) console.log("redis_store_test.ts: REDIS_URL is unset, skipping the Redis tests");
const quiet = { log: () => {} };

/** A key prefix no other test run uses. */
function prefix(name: string): string {
  return `pubkit-test:${name}:${crypto.randomUUID()}:`;
}

/** Session records of a counter `n`, created at `now`, alive a minute. */
const counterRecord = (now: number) => (n: number) => ({
  data: { n },
  created: now,
  lastAccessed: now,
  expires: now + 60_000,
});

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

Deno.test({
  name:
    "RedisStore: a locked request costs 2 Redis round trips, a read-only one 1, by INFO commandstats (needs REDIS_URL)",
  ignore: !url,
  async fn() {
    // A server of its own: commandstats count every client's commands.
    await using server = await startRedis();
    const port = server.ports[0]!;
    await using manager = new SessionManager({
      store: new RedisStore({ url: server.urls[0], prefix: prefix("trips"), ...quiet }),
      secrets: ["a secret of at least thirty-two characters"],
    });
    const first = await manager.open(new Headers(), { owner: {} });
    first.set("n", 0);
    const { name, value } = first.cookie()!;
    await first.close();
    const headers = new Headers({ cookie: `${name}=${value}` });
    const visit = async (lock: boolean) => {
      const session = await manager.open(headers, { owner: {}, lock });
      if (lock) session.set("n", (session.get("n") as number) + 1);
      await session.close();
    };
    // Warm: the first call of each script loads it (EVAL), later ones use EVALSHA.
    await visit(true);
    await visit(false);
    const perRequest = async (lock: boolean, requests = 20) => {
      await clientCommands(port);
      const before = await commandCalls(port);
      for (let i = 0; i < requests; i++) await visit(lock);
      const after = await commandCalls(port);
      const sent = await clientCommands(port);
      const scripts = (after.get("evalsha") ?? 0) - (before.get("evalsha") ?? 0);
      const trips = [...sent.entries()].filter(([command]) => command !== "info");
      return {
        roundTrips: trips.reduce((sum, [, count]) => sum + count, 0) / requests,
        evalsha: scripts / requests,
        commands: Object.fromEntries(trips.map(([command, count]) => [command, count / requests])),
      };
    };
    const locked = await perRequest(true);
    const readOnly = await perRequest(false);
    console.log(`  Redis per request: locked ${JSON.stringify(locked)}`);
    console.log(`  Redis per request: read-only ${JSON.stringify(readOnly)}`);
    assert.deepEqual(locked, { roundTrips: 2, evalsha: 2, commands: { evalsha: 2 } });
    assert.deepEqual(readOnly, { roundTrips: 1, evalsha: 1, commands: { evalsha: 1 } });
    const check = await manager.open(headers, { owner: {}, lock: false });
    assert.equal(check.get("n"), 21);
    await check.close();
  },
});

Deno.test({
  name:
    "RedisStore on a Redis Cluster (3 primaries, 3 replicas) passes the conformance suite (needs REDIS_URL)",
  ignore: !url,
  async fn(t) {
    await using cluster = await startRedis(6, true);
    await testSessionStore(t, {
      create: (clock) =>
        new RedisStore({ cluster: cluster.urls, prefix: prefix("cluster"), clock, ...quiet }),
      fencing: true,
    });
    await t.step("one session's keys share a hash tag: every script touches one slot", async () => {
      await using store = new RedisStore({ cluster: cluster.urls, prefix: "p:", ...quiet });
      const ids = Array.from({ length: 30 }, () => newId());
      // Ids spread over the three primaries, and each script still runs (no CROSSSLOT).
      for (const id of ids) await (await store.lock(id, {}, { load: true })).release();
      const slots = new Set(
        await Promise.all(
          ids.map((id) => redisCli(cluster.ports[0]!, "cluster", "keyslot", `p:{${id}}:lock`)),
        ),
      );
      assert.ok(slots.size > 1, "the ids hash to several slots");
    });
    await t.step("give url or cluster, not both", () => {
      assert.throws(() => new RedisStore({ url, cluster: cluster.urls }), RangeError);
      assert.throws(() => new RedisStore({ cluster: [] }), RangeError);
    });
  },
});

Deno.test({
  name:
    "RedisStore: a holder whose lease was lost cannot commit over the new holder (needs REDIS_URL)",
  ignore: !url,
  async fn() {
    const p = prefix("stale-commit");
    // Two stores: two processes sharing the sessions.
    await using a = new RedisStore({ url, prefix: p, ...quiet });
    await using b = new RedisStore({ url, prefix: p, ...quiet });
    const id = newId();
    const record = counterRecord(Date.now());
    await a.save(id, record(0));
    const stale = await a.lock(id, "a", { load: true });
    assert.deepEqual(stale.record?.data, { n: 0 });
    // The lease is lost (as after a pause past leaseTtl): another process takes the lock.
    const { Redis } = await import("ioredis");
    const client = new Redis(url!);
    try {
      await client.del(`${p}{${id}}:lock`);
    } finally {
      await client.quit();
    }
    const fresh = await b.lock(id, "b", { load: true, timeout: 1000 });
    assert.ok(fresh.fence > stale.fence);
    await assert.rejects(() => stale.commit!({ save: record(99) }), LockLostError);
    // Nor did it release the new holder's lease.
    await assert.rejects(() => a.lock(id, "c", { timeout: 50 }), { name: "LockTimeoutError" });
    await fresh.commit!({ save: record(1) });
    assert.deepEqual((await b.load(id))?.data, { n: 1 });
    await b.destroy(id);
  },
});

Deno.test({
  name:
    "RedisStore: a commit whose reply was lost while another request took over is answered, not refused, and written once (needs REDIS_URL)",
  ignore: !url,
  async fn() {
    const p = prefix("lost-reply");
    const proxy = replyLosingProxy(new URL(url!));
    const a = new RedisStore({ url: proxy.url, prefix: p, ...quiet });
    await using b = new RedisStore({ url, prefix: p, ...quiet });
    try {
      const id = newId();
      const record = counterRecord(Date.now());
      await a.save(id, record(0));
      const hold = await a.lock(id, "a", { load: true });
      const lost = proxy.loseNextReply();
      const committing = hold.commit!({ save: record(1) });
      await lost;
      // The commit ran: the lock is free, and another request takes it and writes after it.
      const next = await b.lock(id, "b", { load: true, timeout: 1000 });
      assert.deepEqual(next.record?.data, { n: 1 });
      await next.commit!({ save: record(2) });
      proxy.reconnect();
      // Tried again, the first commit finds its own token: the request that made it learns
      // that it went through (a 200, not a 503 for a write that is in), and nothing is undone.
      await committing;
      assert.deepEqual((await b.load(id))?.data, { n: 2 });
      await b.destroy(id);
    } finally {
      await a.close();
      await proxy.close();
    }
  },
});
