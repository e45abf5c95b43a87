// Copyright 2025 the pubkit authors. MIT license.

import assert from "node:assert/strict";
import { FileStore } from "./file_store.ts";
import { newId } from "./_ids.ts";
import { FakeClock, testSessionStore } from "./testing.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "pubkit-session-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("FileStore passes the SessionStore conformance suite", async (t) => {
  await withDir(async (dir) => {
    let n = 0;
    await testSessionStore(t, {
      create: (clock) => new FileStore({ dir: `${dir}/${n++}`, clock, fsync: false }),
    });
  });
});

Deno.test("FileStore writes atomically and leaves no temp files and no lock files of gone sessions", async () => {
  await withDir(async (dir) => {
    const clock = new FakeClock();
    await using store = new FileStore({ dir, clock });
    const id = newId();
    const hold = await store.lock(id, {});
    const record = { data: { a: 1 }, created: 0, lastAccessed: 0, expires: clock.now() + 1000 };
    await store.save(id, record);
    await store.save(id, { ...record, data: { a: 2 } });
    await hold.release();
    const names = [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
    // The lock file lives as long as the session; no temp file is left.
    assert.deepEqual(names, [`${id}.json`, `${id}.lock`]);
    const unsaved = newId();
    await (await store.lock(unsaved, {})).release();
    await store.destroy(id);
    await (await store.lock(id, {})).release();
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  });
});

Deno.test("FileStore never builds a path from a malformed id", async () => {
  await withDir(async (dir) => {
    await using store = new FileStore({ dir: `${dir}/store` });
    await Deno.writeTextFile(`${dir}/victim.json`, "{}");
    await assert.rejects(() => store.destroy("../victim"), TypeError);
    assert.ok((await Deno.stat(`${dir}/victim.json`)).isFile);
  });
});

Deno.test("FileStore sweep() removes expired sessions and skips locked ones", async () => {
  await withDir(async (dir) => {
    const clock = new FakeClock();
    await using store = new FileStore({ dir, clock, sweepInterval: 0 });
    const record = { data: {}, created: 0, lastAccessed: 0, expires: clock.now() + 1000 };
    const [a, b, c] = [newId(), newId(), newId()];
    await store.save(a, record);
    await store.save(b, record);
    await store.save(c, { ...record, expires: clock.now() + 5000 });
    clock.tick(2000);
    const hold = await store.lock(b, {});
    assert.equal(await store.sweep(), 1);
    await hold.release();
    assert.equal(await store.sweep(), 1);
    assert.deepEqual([...Deno.readDirSync(dir)].map((entry) => entry.name), [`${c}.json`]);
  });
});

Deno.test("FileStore rejects unknown options and a missing dir", () => {
  assert.throws(() => new FileStore({ dir: "/tmp/x", folder: "y" } as never), RangeError);
  assert.throws(() => new FileStore({} as never), TypeError);
});
