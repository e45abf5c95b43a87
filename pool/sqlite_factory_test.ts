import assert from "node:assert/strict";
import { Pool } from "./mod.ts";
import { SqliteFactory } from "./sqlite_factory.ts";
import { testFactory } from "./testing.ts";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "pubkit-pool-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("SqliteFactory passes the factory conformance suite", async (t) => {
  await withTempDir((dir) => testFactory(t, new SqliteFactory({ path: `${dir}/c.db` })));
});

Deno.test("SqliteFactory opens WAL connections with a busy_timeout", async () => {
  await withTempDir(async (dir) => {
    const factory = new SqliteFactory({ path: `${dir}/w.db`, busyTimeout: 250 });
    const db = await factory.create(new AbortController().signal);
    try {
      assert.equal(db.prepare("PRAGMA journal_mode").get()?.journal_mode, "wal");
      assert.equal(db.prepare("PRAGMA busy_timeout").get()?.timeout, 250);
      assert.equal(db.prepare("PRAGMA foreign_keys").get()?.foreign_keys, 1);
    } finally {
      factory.destroy(db);
    }
  });
});

Deno.test("SqliteFactory rejects unknown options and a missing path", () => {
  assert.throws(() => new SqliteFactory({ path: "x.db", timeout: 1 } as never), RangeError);
  assert.throws(() => new SqliteFactory({} as never), TypeError);
  assert.throws(() => new SqliteFactory({ path: "x.db", busyTimeout: -1 }), RangeError);
});

Deno.test("SqliteFactory connections in one Pool share the file", async () => {
  await withTempDir(async (dir) => {
    const pool = new Pool(new SqliteFactory({ path: `${dir}/shared.db` }), { max: 3 });
    try {
      await pool.use((db) => db.exec("CREATE TABLE hits (n INTEGER)"));
      // Three connections at once: a write on one is visible to reads on the others.
      const leases = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
      assert.equal(pool.metrics().size, 3);
      leases[0].resource.prepare("INSERT INTO hits VALUES (?)").run(7);
      for (const lease of leases) {
        assert.equal(lease.resource.prepare("SELECT sum(n) AS s FROM hits").get()?.s, 7);
      }
      // A reader inside an open transaction does not block the writer (WAL).
      leases[1].resource.exec("BEGIN");
      leases[1].resource.prepare("SELECT * FROM hits").all();
      leases[2].resource.prepare("INSERT INTO hits VALUES (?)").run(1);
      leases[1].resource.exec("COMMIT");
      for (const lease of leases) lease.release();
    } finally {
      await pool.close();
    }
  });
});
