// Copyright 2025 the pubkit authors. MIT license.
// The classic lost-update race over real HTTP, in one process and across processes.

import assert from "node:assert/strict";
import { FileStore } from "./file_store.ts";
import { MemoryStore } from "./memory_store.ts";
import { SessionManager } from "./session_manager.ts";
import type { SessionStore } from "./session_store.ts";
import { SECRET } from "./testdata/counter_app.ts";
import { get, newSession, race, serve, spawnServer } from "./testdata/http.ts";

const REQUESTS = 200;
const redisUrl = Deno.env.get("REDIS_URL");
if (!redisUrl) console.log("race_test.ts: REDIS_URL is unset, skipping the Redis races");

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "pubkit-race-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function raceInProcess(store: SessionStore, query: string, status = 200): Promise<number> {
  await using manager = new SessionManager({ store, secrets: [SECRET], lockTimeout: 30_000 });
  await using server = serve(manager);
  const cookie = await newSession(server.base);
  const started = performance.now();
  const statuses = await race([server.base], cookie, REQUESTS, query);
  const elapsed = performance.now() - started;
  assert.deepEqual(new Set(statuses), new Set([status]));
  const { body } = await get(`${server.base}/read`, cookie);
  const final = (body as { n: number }).n - 1;
  console.log(`  ${REQUESTS} requests${query}: counter ${final} in ${elapsed.toFixed(0)} ms`);
  return final;
}

Deno.test("200 concurrent requests on one session end at exactly 200", async (t) => {
  await t.step("MemoryStore", async () => {
    assert.equal(await raceInProcess(new MemoryStore(), ""), REQUESTS);
  });
  await t.step("FileStore", async () => {
    await withDir(async (dir) => {
      assert.equal(await raceInProcess(new FileStore({ dir }), ""), REQUESTS);
    });
  });
});

Deno.test("the same race with lock: false is refused (409) and loses nothing", async (t) => {
  // Before sessions opened without the lock became read-only, this race ended far below 200.
  await t.step("MemoryStore", async () => {
    assert.equal(await raceInProcess(new MemoryStore(), "?lock=0", 409), 0);
  });
  await t.step("FileStore", async () => {
    await withDir(async (dir) => {
      assert.equal(await raceInProcess(new FileStore({ dir }), "?lock=0", 409), 0);
    });
  });
});

async function raceAcross(args: string[]): Promise<number> {
  await using a = await spawnServer(args);
  await using b = await spawnServer(args);
  const cookie = await newSession(a.base);
  const started = performance.now();
  const statuses = await race([a.base, b.base], cookie, REQUESTS);
  const elapsed = performance.now() - started;
  assert.deepEqual(new Set(statuses), new Set([200]));
  const { body } = await get(`${b.base}/read`, cookie);
  const final = (body as { n: number }).n - 1;
  console.log(
    `  ${REQUESTS} requests over 2 processes: counter ${final} in ${elapsed.toFixed(0)} ms`,
  );
  return final;
}

Deno.test("200 concurrent requests over two server processes end at exactly 200", async (t) => {
  await t.step("FileStore sharing one folder", async () => {
    await withDir(async (dir) => {
      assert.equal(await raceAcross(["file", dir]), REQUESTS);
    });
  });
  await t.step({
    name: "RedisStore (needs REDIS_URL)",
    ignore: !redisUrl,
    fn: async () => {
      const prefix = `pubkit-test:race:${crypto.randomUUID()}:`;
      assert.equal(await raceAcross(["redis", redisUrl!, prefix]), REQUESTS);
    },
  });
});

Deno.test("50 requests on 50 different sessions run in parallel", async (t) => {
  const DELAY = 100;
  const parallel = async (store: SessionStore) => {
    await using manager = new SessionManager({ store, secrets: [SECRET] });
    await using server = serve(manager);
    const cookies = await Promise.all(Array.from({ length: 50 }, () => newSession(server.base)));
    const started = performance.now();
    const statuses = await Promise.all(
      cookies.map((cookie) => get(`${server.base}/count?delay=${DELAY}`, cookie)),
    );
    const elapsed = performance.now() - started;
    assert.ok(statuses.every((r) => r.status === 200));
    console.log(`  50 sessions x ${DELAY} ms: ${elapsed.toFixed(0)} ms (serial: >= ${50 * DELAY})`);
    // One after another would take 5000 ms; allow a loaded 2-core machine a lot.
    assert.ok(elapsed < (50 * DELAY) / 3, `took ${elapsed} ms`);
  };
  await t.step("MemoryStore", () => parallel(new MemoryStore()));
  await t.step("FileStore", () => withDir((dir) => parallel(new FileStore({ dir }))));
});

async function killHolder(args: string[], leaseTtl: number): Promise<number> {
  await using a = await spawnServer(args);
  await using b = await spawnServer(args);
  const cookie = await newSession(a.base);
  await get(`${a.base}/count`, cookie);
  const response = await fetch(`${a.base}/hold`, { headers: { cookie } });
  const reader = response.body!.getReader();
  assert.equal(new TextDecoder().decode((await reader.read()).value), "saved\n");
  a.child.kill("SIGKILL");
  await a.child.status;
  await reader.cancel().catch(() => {});
  const started = performance.now();
  const after = await get(`${b.base}/count`, cookie);
  const waited = performance.now() - started;
  assert.equal(after.status, 200);
  // Written before the kill: n=2 from two counts, and held=true from /hold.
  assert.equal((after.body as { n: number }).n, 3);
  const read = await get(`${b.base}/read`, cookie);
  assert.equal((read.body as { n: number }).n, 3);
  console.log(`  next request after SIGKILL of the holder waited ${waited.toFixed(0)} ms`);
  assert.ok(waited < leaseTtl + 5000, `waited ${waited} ms`);
  return waited;
}

Deno.test("a holder killed mid-request loses its lock and the next request proceeds", async (t) => {
  await t.step("FileStore: the OS releases the file lock at once", async () => {
    await withDir(async (dir) => {
      const waited = await killHolder(["file", dir], 0);
      assert.ok(waited < 2000);
    });
  });
  await t.step({
    name: "RedisStore: the lease runs out after its TTL (needs REDIS_URL)",
    ignore: !redisUrl,
    fn: async () => {
      const prefix = `pubkit-test:kill:${crypto.randomUUID()}:`;
      const leaseTtl = 1000;
      const waited = await killHolder(["redis", redisUrl!, prefix, String(leaseTtl)], leaseTtl);
      // It had to wait for the lease: the lock was really held by the dead process.
      assert.ok(waited > leaseTtl / 4, `waited only ${waited} ms`);
    },
  });
});
