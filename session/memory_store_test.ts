// Copyright 2025 the pubkit authors. MIT license.

import assert from "node:assert/strict";
import { MemoryStore } from "./memory_store.ts";
import { newId } from "./_ids.ts";
import { FakeClock, testSessionStore } from "./testing.ts";

Deno.test("MemoryStore passes the SessionStore conformance suite", async (t) => {
  await testSessionStore(t, { create: (clock) => new MemoryStore({ clock }) });
});

Deno.test("MemoryStore drops the least recently used session past maxSessions", async () => {
  const clock = new FakeClock();
  await using store = new MemoryStore({ maxSessions: 2, clock });
  const ids = [newId(), newId(), newId()];
  const record = { data: {}, created: 0, lastAccessed: 0, expires: clock.now() + 1000 };
  for (const id of ids) await store.save(id, record);
  assert.equal(await store.load(ids[0]!), undefined);
  assert.ok(await store.load(ids[2]!));
});

Deno.test("MemoryStore never drops a session its request holds locked, however many are made", async () => {
  const clock = new FakeClock();
  await using store = new MemoryStore({ maxSessions: 2, clock, sweepInterval: 0 });
  const record = { data: { user: "ada" }, created: 0, lastAccessed: 0, expires: 1000 };
  const held = newId();
  await store.save(held, record);
  const hold = await store.lock(held, {});
  // An anonymous client creates more sessions than the bound while the request holds it.
  for (let i = 0; i < 5; i++) await store.save(newId(), { ...record, data: {} });
  assert.deepEqual((await store.load(held))?.data, { user: "ada" });
  await store.save(held, { ...record, data: { user: "ada", n: 1 } });
  await hold.release();
  // Unlocked, it is the most recently used idle session; the bound applies again.
  assert.deepEqual((await store.load(held))?.data, { user: "ada", n: 1 });
  const [a, b] = [newId(), newId()];
  await store.save(a, record);
  await store.save(b, record);
  assert.equal(await store.load(held), undefined);
});

Deno.test("MemoryStore sweep() removes expired sessions", async () => {
  const clock = new FakeClock();
  await using store = new MemoryStore({ clock, sweepInterval: 0 });
  const record = { data: {}, created: 0, lastAccessed: 0, expires: clock.now() + 1000 };
  await store.save(newId(), record);
  await store.save(newId(), { ...record, expires: clock.now() + 5000 });
  clock.tick(2000);
  assert.equal(await store.sweep(), 1);
});

Deno.test("MemoryStore rejects unknown options", () => {
  assert.throws(() => new MemoryStore({ max: 3 } as never), RangeError);
  assert.throws(() => new MemoryStore({ maxSessions: 0 }), RangeError);
});
