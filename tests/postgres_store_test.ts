// PostgresStore against a real PostgreSQL through @pubkit/pool's PostgresFactory, as a site runs
// it: the conformance suite, leases and fencing with real time, the sweep in SQL, and the fault
// cases (database down → 503 fast, recovery without restart, a backend terminated mid-request).
import assert from "node:assert/strict";
import { Pool, type PoolOptions } from "@pubkit/pool";
import { type PostgresClient, PostgresFactory } from "@pubkit/pool/postgres";
import { createApp } from "@pubkit/server";
import { SessionManager, StoreUnavailableError } from "@pubkit/session";
import { type PostgresQueryable, PostgresStore } from "@pubkit/session/postgres";
import { testSessionStore } from "@pubkit/session/testing";
import { startProxy } from "../session/testdata/tcp_proxy.ts";

const url = Deno.env.get("DATABASE_URL");
if (!url) {
  console.log("postgres_store_test.ts: DATABASE_URL is unset, skipping the PostgreSQL tests");
}
const quiet = { log: () => {}, sweepInterval: 0 };
const SECRET = "a test secret of at least thirty-two characters";

/** A pool on `connectionString`, named for `pg_stat_activity`, and the store's view of it. */
function pooled(connectionString: string, name: string, options: PoolOptions = {}) {
  const pool = new Pool<PostgresClient>(
    new PostgresFactory({ connectionString, applicationName: name }),
    { max: 4, createTimeout: 1000, acquireTimeout: 2000, logger: { warn() {} }, ...options },
  );
  const db: PostgresQueryable = { query: (text, values) => pool.use((c) => c.query(text, values)) };
  return { pool, db };
}

/** A table name no other test run uses; `drop()` removes it with its lease table and sequence. */
function uniqueTable(name: string) {
  const table = `pubkit_test_${name}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  return {
    table,
    async drop(db: PostgresQueryable) {
      await db.query(
        `DROP TABLE IF EXISTS "${table}", "${table}_lock"; DROP SEQUENCE IF EXISTS "${table}_fence"`,
      );
    },
  };
}

function record(data: Record<string, unknown>, ttl = 60_000) {
  const now = Date.now();
  return { data, created: now, lastAccessed: now, expires: now + ttl };
}

const newId = () =>
  crypto.getRandomValues(new Uint8Array(32)).toBase64({
    alphabet: "base64url",
    omitPadding: true,
  });

Deno.test({
  name: "PostgresStore passes the SessionStore conformance suite (needs DATABASE_URL)",
  ignore: !url,
  async fn(t) {
    const { pool, db } = pooled(url!, "pubkit-test-conformance");
    const { table, drop } = uniqueTable("conformance");
    try {
      await testSessionStore(t, {
        create: (clock) => new PostgresStore({ db, table, clock, ...quiet }),
        fencing: true,
      });
    } finally {
      await drop(db);
      await pool.close();
    }
  },
});

Deno.test({
  name:
    "PostgresStore holds no connection while a lock is held and renews the lease past its TTL (needs DATABASE_URL)",
  ignore: !url,
  async fn() {
    const { pool, db } = pooled(url!, "pubkit-test-lease");
    const { table, drop } = uniqueTable("lease");
    try {
      // Two stores, as two processes: only the lease keeps the second one out.
      await using store = new PostgresStore({ db, table, leaseTtl: 90, ...quiet });
      await using other = new PostgresStore({ db, table, leaseTtl: 90, ...quiet });
      const id = newId();
      const held = await store.lock(id, "a");
      assert.equal(pool.metrics().borrowed, 0, "no connection is kept for the holder");
      // Held for several lease times: renewal keeps others out.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await assert.rejects(() => other.lock(id, "b", { timeout: 200 }), {
        name: "LockTimeoutError",
      });
      const { rows } = await db.query(`SELECT owner FROM "${table}_lock" WHERE id = $1`, [id]);
      assert.notEqual(rows[0].owner, null);
      await held.release();
      const next = await other.lock(id, "b", { timeout: 1000 });
      // The waiter's attempts only read: they took no token (nor a row lock, nor a disk flush).
      assert.equal(next.fence, held.fence + 1);
      await next.release();
    } finally {
      await drop(db);
      await pool.close();
    }
  },
});

Deno.test({
  name:
    "PostgresStore commits releases without waiting for the disk, leaving the connection's setting alone (needs DATABASE_URL)",
  ignore: !url,
  async fn() {
    // One connection: the release runs on the same one as the check after it.
    const { pool, db } = pooled(url!, "pubkit-test-sync", { max: 1 });
    const { table, drop } = uniqueTable("sync");
    try {
      await using store = new PostgresStore({ db, table, ...quiet });
      const setting = async () =>
        (await db.query("SHOW synchronous_commit")).rows[0].synchronous_commit;
      const before = await setting();
      await (await store.lock(newId(), "a")).release();
      assert.equal(await setting(), before);
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM "${table}_lock" WHERE owner IS NULL`,
      );
      assert.equal(rows[0].n, 1, "the release took effect");
    } finally {
      await drop(db);
      await pool.close();
    }
  },
});

Deno.test({
  name:
    "PostgresStore frees a dead holder's lease after leaseTtl and refuses its late write (needs DATABASE_URL)",
  ignore: !url,
  async fn() {
    const { pool, db } = pooled(url!, "pubkit-test-dead");
    const { table, drop } = uniqueTable("dead");
    try {
      // Two stores, as two processes: the first one's holder stops renewing (it "crashed").
      const dead = new PostgresStore({ db, table, leaseTtl: 200, ...quiet });
      await using live = new PostgresStore({ db, table, leaseTtl: 200, ...quiet });
      const id = newId();
      await live.save(id, record({ by: "nobody" }));
      const stale = await dead.lock(id, "paused");
      await dead.close(); // stops the renewals; the lease row stays until it runs out
      const started = performance.now();
      const fresh = await live.lock(id, "next", { timeout: 5000 });
      const waited = performance.now() - started;
      assert.ok(waited >= 100 && waited < 2000, `waited ${waited} ms for the lease to run out`);
      assert.ok(fresh.fence > stale.fence);
      await live.save(id, record({ by: "next" }), { fence: fresh.fence });
      // The paused holder wakes up and writes with its old token: refused in the same statement.
      await assert.rejects(() => live.save(id, record({ by: "paused" }), { fence: stale.fence }), {
        name: "LockLostError",
      });
      await assert.rejects(() => live.touch(id, 0, Date.now() + 1000, { fence: stale.fence }), {
        name: "LockLostError",
      });
      await fresh.release();
      assert.deepEqual((await live.load(id))?.data, { by: "next" });
    } finally {
      await drop(db);
      await pool.close();
    }
  },
});

Deno.test({
  name:
    "PostgresStore refuses a write racing with a newer acquisition in the same statement (needs DATABASE_URL)",
  ignore: !url,
  async fn() {
    const { pool, db } = pooled(url!, "pubkit-test-race");
    const { table, drop } = uniqueTable("race");
    try {
      await using store = new PostgresStore({ db, table, ...quiet });
      const id = newId();
      const hold = await store.lock(id, "old");
      await store.save(id, record({ by: "old" }), { fence: hold.fence });
      // Another process is taking the lease over (its lease expired, say): its statement has
      // locked the lease row and not committed yet when the old holder's save arrives.
      await using other = await pool.acquire();
      const rival = other.resource;
      await rival.query("BEGIN");
      await rival.query(`SELECT 1 FROM "${table}_lock" WHERE id = $1 FOR UPDATE`, [id]);
      const save = store.save(id, record({ by: "stale" }), { fence: hold.fence });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await rival.query(`UPDATE "${table}_lock" SET fence = fence + 1000 WHERE id = $1`, [id]);
      await rival.query("COMMIT");
      // The save waited for the row and saw the newer token: refused, nothing written.
      await assert.rejects(save, { name: "LockLostError" });
      assert.deepEqual((await store.load(id))?.data, { by: "old" });
      await hold.release();
    } finally {
      await drop(db);
      await pool.close();
    }
  },
});

Deno.test({
  name:
    "PostgresStore sweeps expired sessions and old free lease rows in SQL, sparing held ones (needs DATABASE_URL)",
  ignore: !url,
  async fn() {
    const { pool, db } = pooled(url!, "pubkit-test-sweep");
    const { table, drop } = uniqueTable("sweep");
    try {
      await using store = new PostgresStore({ db, table, fenceTtl: 1, ...quiet });
      const [expired, held, alive] = [newId(), newId(), newId()];
      await store.save(expired, record({}, 100));
      await store.save(held, record({}, 100));
      await store.save(alive, record({}, 60_000));
      await (await store.lock(alive, "x")).release();
      const hold = await store.lock(held, "request");
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal(await store.sweep(), 1);
      const count = async (suffix = "") =>
        (await db.query(`SELECT id FROM "${table}${suffix}" ORDER BY id`)).rows.map((r) => r.id);
      assert.deepEqual(await count(), [held, alive].sort());
      // The free lease row of `alive` was older than fenceTtl; the held one stays.
      assert.deepEqual(await count("_lock"), [held]);
      await hold.release();
      assert.equal(await store.sweep(), 1);
      assert.deepEqual(await count(), [alive]);
    } finally {
      await drop(db);
      await pool.close();
    }
  },
});

Deno.test("PostgresStore fails fast with StoreUnavailableError when nothing listens", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const { pool, db } = pooled(`postgres://postgres@127.0.0.1:${port}/test`, "pubkit-test-none");
  try {
    await using store = new PostgresStore({ db, ...quiet });
    const started = performance.now();
    await assert.rejects(() => store.load(newId()), StoreUnavailableError);
    await assert.rejects(() => store.lock(newId(), {}), StoreUnavailableError);
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 2500, `took ${elapsed} ms`);
  } finally {
    await pool.close();
  }
});

/** Waits until no lease of `table` is held. */
async function freed(db: PostgresQueryable, table: string): Promise<void> {
  const deadline = Date.now() + 2000;
  const held = `SELECT count(*)::int AS n FROM "${table}_lock" WHERE owner IS NOT NULL`;
  while (((await db.query(held)).rows[0].n as number) > 0) {
    assert.ok(Date.now() < deadline, "the lease was released");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** An app whose `/inc` adds one to the session's `n`; `/slow` waits for `gate` in between. */
function counterApp(db: PostgresQueryable, table: string, gate?: Promise<void>) {
  const store = new PostgresStore({ db, table, ...quiet });
  const sessions = new SessionManager({ store, secrets: [SECRET], lockTimeout: 5000 });
  const app = createApp({
    sessions,
    accessLog: false,
    log: () => {},
    handler: async (req) => {
      const session = await req.openSession();
      const n = (session.get("n") as number | undefined) ?? 0;
      if (req.path === "/slow") await gate;
      session.set("n", n + 1);
      return String(n + 1);
    },
  });
  return {
    app,
    async get(path: string, cookie?: string) {
      const response = await app.fetch(
        new Request(`http://localhost${path}`, { headers: cookie ? { cookie } : {} }),
      );
      const text = await response.text();
      const set = response.headers.get("set-cookie")?.split(";")[0];
      return {
        status: response.status,
        text,
        retryAfter: response.headers.get("retry-after"),
        set,
      };
    },
    async [Symbol.asyncDispose]() {
      await app.close();
      await sessions.close();
    },
  };
}

Deno.test({
  name:
    "PostgresStore: the database down gives 503 fast, and sessions work again without restart (needs DATABASE_URL)",
  ignore: !url,
  async fn() {
    const target = new URL(url!);
    let proxy = startProxy(target);
    const port = proxy.port;
    const proxied = new URL(url!);
    proxied.port = String(port);
    const { pool, db } = pooled(proxied.href, "pubkit-test-down", { createRetryMaxDelay: 200 });
    const direct = pooled(url!, "pubkit-test-down-admin");
    const { table, drop } = uniqueTable("down");
    try {
      await using env = counterApp(db, table);
      const first = await env.get("/inc");
      assert.equal(first.status, 200);
      const cookie = first.set!;
      assert.equal((await env.get("/inc", cookie)).text, "2");
      // The request's lease is released after its response: wait for that before the cut, or
      // the release is lost and the lease blocks the session for leaseTtl.
      await freed(direct.db, table);

      await proxy.close();
      const started = performance.now();
      const down = await env.get("/inc", cookie);
      const downMs = performance.now() - started;
      assert.equal(down.status, 503);
      assert.equal(down.retryAfter, "1");
      assert.ok(downMs < 2500, `503 after ${downMs} ms`);

      proxy = startProxy(target, port);
      const restarted = performance.now();
      let back;
      const deadline = Date.now() + 5000;
      do {
        await new Promise((resolve) => setTimeout(resolve, 50));
        back = await env.get("/inc", cookie);
      } while (back.status === 503 && Date.now() < deadline);
      assert.equal(back.status, 200, back.text);
      assert.equal(back.text, "3", "the count saved before the outage is intact");
      console.log(
        `  503 ${downMs.toFixed(0)} ms after the cut; 200 again ` +
          `${(performance.now() - restarted).toFixed(0)} ms after the database was back`,
      );
    } finally {
      await pool.close();
      await proxy.close();
      await drop(direct.db);
      await direct.pool.close();
    }
  },
});

Deno.test({
  name:
    "PostgresStore: a backend terminated mid-request gives 503 or success, never a lost update (needs DATABASE_URL)",
  ignore: !url,
  async fn() {
    const name = `pubkit-test-kill-${crypto.randomUUID().slice(0, 8)}`;
    const { pool, db } = pooled(url!, name, { validateAfterIdle: 0 });
    const admin = pooled(url!, "pubkit-test-kill-admin");
    const { table, drop } = uniqueTable("kill");
    const kill = async () =>
      (await admin.db.query(
        "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity " +
          "WHERE application_name = $1",
        [name],
      )).rows[0].n as number;
    try {
      const { promise: gate, resolve: open } = Promise.withResolvers<void>();
      await using env = counterApp(db, table, gate);
      const cookie = (await env.get("/inc")).set!;
      // The request holds the session's lease and has loaded it; its connections are killed.
      const slow = env.get("/slow", cookie);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(await kill() >= 1, "the pool had connections to kill");
      open();
      const answer = await slow;
      // A killed idle connection is dropped by the pool before reuse, so the save succeeds.
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.text, "2");

      // Kills while requests run: each one answers 200 or 503, and every 200 is counted.
      const answers = [];
      for (let round = 0; round < 10; round++) {
        const batch = Array.from({ length: 5 }, () => env.get("/inc", cookie));
        await new Promise((resolve) => setTimeout(resolve, round * 3));
        await kill();
        answers.push(...await Promise.all(batch));
      }
      const statuses = new Set(answers.map((a) => a.status));
      assert.ok([...statuses].every((s) => s === 200 || s === 503), [...statuses].join());
      const ok = answers.filter((a) => a.status === 200).length;
      // A 503 may still have saved (the save committed, the connection died before the reply):
      // the count is at least the successes and at most every request.
      const final = Number((await env.get("/inc", cookie)).text) - 1;
      assert.ok(final >= 2 + ok && final <= 2 + answers.length, `count ${final}, ${ok} ok`);
      console.log(
        `  ${answers.length} requests under kills: ${ok} ok, ${
          answers.length - ok
        } × 503, count ${final}`,
      );
    } finally {
      await pool.close();
      await drop(admin.db);
      await admin.pool.close();
    }
  },
});
