// Copyright 2025 the pubkit authors. MIT license.

import assert from "node:assert/strict";
import { FileStore } from "./file_store.ts";
import { newId } from "./_ids.ts";
import { FakeClock, testSessionStore } from "./testing.ts";

/** The session and lock files in `dir` (not the stores' own writer locks). */
function sessionFiles(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((entry) => entry.name)
    .filter((name) => !name.startsWith(".writer-")).sort();
}

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
    // The lock file lives as long as the session; no temp file is left.
    assert.deepEqual(sessionFiles(dir), [`${id}.json`, `${id}.lock`]);
    const unsaved = newId();
    await (await store.lock(unsaved, {})).release();
    await store.destroy(id);
    await (await store.lock(id, {})).release();
    assert.deepEqual(sessionFiles(dir), []);
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
    assert.deepEqual(sessionFiles(dir), [`${c}.json`]);
  });
});

Deno.test("FileStore rejects unknown options and a missing dir", () => {
  assert.throws(() => new FileStore({ dir: "/tmp/x", folder: "y" } as never), RangeError);
  assert.throws(() => new FileStore({} as never), TypeError);
});

Deno.test("FileStore keeps its folder 0700 and its files 0600", async () => {
  await withDir(async (parent) => {
    const dir = `${parent}/sessions`;
    await using store = new FileStore({ dir, fsync: false });
    const id = newId();
    const now = Date.now();
    const hold = await store.lock(id, {});
    await store.save(id, { data: {}, created: now, lastAccessed: now, expires: now + 1000 });
    assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
    for (const entry of Deno.readDirSync(dir)) {
      assert.equal((await Deno.stat(`${dir}/${entry.name}`)).mode! & 0o777, 0o600, entry.name);
    }
    await hold.release();
  });
});

Deno.test("FileStore after writers killed mid-save: no temp file left, every file parses, nothing lost", async () => {
  await withDir(async (dir) => {
    const now = Date.now();
    const other = newId();
    {
      await using store = new FileStore({ dir });
      await store.save(other, {
        data: { keep: true },
        created: now,
        lastAccessed: now,
        expires: now + 600_000,
      });
    }
    let leftovers = 0;
    for (let kill = 0; kill < 10 && leftovers === 0; kill++) {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", new URL("testdata/save_loop.ts", import.meta.url).pathname, dir],
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      assert.equal((await reader.read()).value?.trim(), "saving");
      await new Promise((resolve) => setTimeout(resolve, 50 + 30 * kill));
      child.kill("SIGKILL");
      await child.status;
      await reader.cancel();
      leftovers = [...Deno.readDirSync(dir)].filter((entry) => entry.name.endsWith(".tmp")).length;
    }
    assert.ok(leftovers > 0, "a kill landed mid-save (else this test proves nothing)");
    // The restart.
    await using store = new FileStore({ dir, sweepInterval: 0 });
    const names = [...Deno.readDirSync(dir)].map((entry) => entry.name);
    assert.deepEqual(names.filter((name) => name.endsWith(".tmp")), []);
    assert.deepEqual(names.filter((name) => name.startsWith(".writer-")).length, 1, "only ours");
    const sessions = names.filter((name) => name.endsWith(".json"));
    assert.ok(sessions.length > 8);
    for (const name of sessions) {
      const record = await store.load(name.slice(0, -".json".length));
      assert.ok(record, `${name} parses`);
    }
    assert.deepEqual((await store.load(other))?.data, { keep: true });
    console.log(`  ${leftovers} temp files of killed writers removed at start-up`);
  });
});
