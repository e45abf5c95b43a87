// Copyright 2025 the pubkit authors. MIT license.
// The rules of an open Session that every store must keep: a session opened without the lock
// is a read-only snapshot, a session in use never expires under its request, and a session
// that never changed is never written.

import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { FileStore } from "./file_store.ts";
import { MemoryStore } from "./memory_store.ts";
import { RedisStore } from "./redis_store.ts";
import type { SessionCookie } from "./session.ts";
import { SessionManager } from "./session_manager.ts";
import type { SessionStore } from "./session_store.ts";
import { FakeClock } from "./testing.ts";

const SECRET = "test secret that is long enough for HMAC use";
const redisUrl = Deno.env.get("REDIS_URL");
if (!redisUrl) console.log("session_test.ts: REDIS_URL is unset, skipping the Redis cases");

/** A store under test, with a way to list what it keeps. */
interface Backend {
  store: SessionStore;
  /** Every file or key the store holds. */
  contents(): Promise<string[]>;
  [Symbol.asyncDispose](): Promise<void>;
}

type BackendMaker = (clock: FakeClock) => Promise<Backend>;

const backends: Record<string, BackendMaker | undefined> = {
  MemoryStore: (clock) => {
    const store = new MemoryStore({ clock, sweepInterval: 0 });
    return Promise.resolve({
      store,
      // Nothing to list: the spy on its calls is the check.
      contents: () => Promise.resolve([]),
      [Symbol.asyncDispose]: () => store.close(),
    });
  },
  FileStore: async (clock) => {
    const dir = await Deno.makeTempDir({ prefix: "pubkit-session-rules-" });
    const store = new FileStore({ dir, clock, fsync: false, sweepInterval: 0 });
    return {
      store,
      // Every file but the store's own writer lock (one per store instance, not per session).
      contents: async () =>
        (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name)
          .filter((name) => !name.startsWith(".writer-")),
      async [Symbol.asyncDispose]() {
        await store.close();
        await Deno.remove(dir, { recursive: true });
      },
    };
  },
  RedisStore: redisUrl
    ? (clock) => {
      const prefix = `pubkit-test:rules:${crypto.randomUUID()}:`;
      const store = new RedisStore({ url: redisUrl, prefix, clock, log: () => {} });
      const keys = async () => {
        const client = new Redis(redisUrl);
        try {
          return await client.keys(`${prefix}*`);
        } finally {
          client.disconnect();
        }
      };
      return Promise.resolve({
        store,
        contents: keys,
        async [Symbol.asyncDispose]() {
          const client = new Redis(redisUrl);
          const left = await client.keys(`${prefix}*`);
          if (left.length > 0) await client.del(...left);
          client.disconnect();
          await store.close();
        },
      });
    }
    : undefined,
};

/** Counts the calls of each store method, passing them on. */
function spy(store: SessionStore): { store: SessionStore; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const proxy = new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== "function" || typeof key !== "string") return value;
      return (...args: unknown[]) => {
        calls[key] = (calls[key] ?? 0) + 1;
        return value.apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

function headersOf(cookie: SessionCookie | undefined): Headers {
  assert.ok(cookie, "expected a session cookie");
  return new Headers({ cookie: `${cookie.name}=${cookie.value}` });
}

/** Runs `fn` as one step per store (Redis only with REDIS_URL). */
async function perStore(
  t: Deno.TestContext,
  fn: (backend: Backend, clock: FakeClock) => Promise<void>,
): Promise<void> {
  for (const [name, make] of Object.entries(backends)) {
    await t.step({
      name,
      ignore: make === undefined,
      fn: async () => {
        const clock = new FakeClock();
        await using backend = await make!(clock);
        await fn(backend, clock);
      },
    });
  }
}

Deno.test("Session opened without the lock is a read-only snapshot that never writes", async (t) => {
  await perStore(t, async ({ store }, clock) => {
    const watched = spy(store);
    await using manager = new SessionManager({ store: watched.store, secrets: [SECRET], clock });
    const first = await manager.open(new Headers(), { owner: {} });
    first.set("n", 1);
    const headers = headersOf(first.cookie());
    await first.close();

    const reader = await manager.open(headers, { owner: {}, lock: false });
    assert.equal(reader.locked, false);
    assert.equal(reader.get("n"), 1);
    const refusals: [string, () => unknown][] = [
      ["set a session value", () => reader.set("n", 2)],
      ["delete a session value", () => reader.delete("n")],
      ["clear the session", () => reader.clear()],
      ["save the session", () => reader.save()],
      ["invalidate the session", () => reader.invalidate()],
      ["regenerate the session", () => reader.regenerate()],
    ];
    for (const [action, call] of refusals) {
      assert.throws(call, {
        name: "TypeError",
        message: new RegExp(`^Cannot ${action}: .*read-only.*open it with the lock`),
      });
    }
    // A locked request writes while the reader still holds its (now stale) snapshot.
    const writer = await manager.open(headers, { owner: {} });
    writer.set("n", 2);
    await writer.close();
    const before = { ...watched.calls };
    await reader.close();
    assert.equal(watched.calls.save ?? 0, before.save ?? 0, "the reader saved nothing");
    assert.equal((await store.load(first.id))?.data.n, 2);
  });
});

Deno.test("Session.lock() on a read-only session re-reads before it may write", async () => {
  await using manager = new SessionManager({
    store: new MemoryStore({ sweepInterval: 0 }),
    secrets: [SECRET],
  });
  const first = await manager.open(new Headers(), { owner: {} });
  first.set("n", 1);
  const headers = headersOf(first.cookie());
  await first.close();
  const reader = await manager.open(headers, { owner: {}, lock: false });
  const writer = await manager.open(headers, { owner: {} });
  writer.set("n", 5);
  await writer.close();
  assert.equal(reader.get("n"), 1);
  await reader.lock();
  assert.equal(reader.get("n"), 5);
  reader.set("n", 6);
  await reader.unlock();
  assert.throws(() => reader.set("n", 7), TypeError);
  await reader.close();
  await using after = await manager.open(headers, { owner: {}, lock: false });
  assert.equal(after.get("n"), 6);
});

Deno.test("Session held by a request across its idle deadline is kept and renewed", async (t) => {
  for (const lock of [true, false]) {
    await t.step(
      lock ? "locked request (and a sweep meanwhile)" : "read-only request",
      (t) =>
        perStore(t, async ({ store }, clock) => {
          await using manager = new SessionManager({
            store,
            secrets: [SECRET],
            clock,
            idleTimeout: 1000,
          });
          const first = await manager.open(new Headers(), { owner: {} });
          first.set("user", "ada");
          const headers = headersOf(first.cookie());
          await first.close();

          clock.tick(900);
          const request = await manager.open(headers, { owner: {}, lock });
          assert.equal(request.get("user"), "ada");
          clock.tick(300); // the deadline passes while the request runs
          if (lock) assert.equal(await store.sweep() >= 0, true);
          await request.close();

          clock.tick(50);
          await using next = await manager.open(headers, { owner: {}, lock: false });
          assert.equal(next.isNew, false, "the client is still signed in");
          assert.equal(next.get("user"), "ada");
          // Renewed from the end of the request, not from its start.
          clock.tick(900);
          await using later = await manager.open(headers, { owner: {}, lock: false });
          assert.equal(later.isNew, false);
        }),
    );
  }
});

Deno.test("Session opened but never changed is never written (no file, no key)", async (t) => {
  await perStore(t, async (backend, clock) => {
    const watched = spy(backend.store);
    await using manager = new SessionManager({ store: watched.store, secrets: [SECRET], clock });
    for (const lock of [true, false]) {
      for (let i = 0; i < 5; i++) {
        const session = await manager.open(new Headers(), { owner: {}, lock });
        assert.equal(session.get("anything"), undefined);
        assert.equal(session.cookie(), undefined);
        await session.close();
      }
    }
    assert.deepEqual(await backend.contents(), []);
    assert.deepEqual(watched.calls, {});
  });
});
