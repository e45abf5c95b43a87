import assert from "node:assert/strict";
// @ts-types="@types/pg"
import pg from "pg";
import { Pool, PoolCreateError, PoolResourceError } from "./mod.ts";
import { PostgresFactory } from "./postgres_factory.ts";
import { testFactory } from "./testing.ts";

const url = Deno.env.get("DATABASE_URL");
if (!url) console.log("postgres_factory_test: DATABASE_URL is unset; skipping PostgreSQL tests");

function uniqueName(label: string): string {
  return `pubkit-${label}-${crypto.randomUUID().slice(0, 8)}`;
}

/** A superuser-side connection used to watch and kill the pool's backends. */
async function admin(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: "pubkit-admin" });
  client.on("error", () => {});
  await client.connect();
  return client;
}

async function countBackends(client: pg.Client, name: string): Promise<number> {
  const { rows } = await client.query(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1",
    [name],
  );
  return rows[0].n;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls pg_stat_activity until stopped, remembering the most connections seen. */
function watchBackends(client: pg.Client, name: string) {
  let stopped = false;
  const state = { max: 0, done: Promise.resolve() };
  state.done = (async () => {
    while (!stopped) {
      state.max = Math.max(state.max, await countBackends(client, name));
      await sleep(20);
    }
  })();
  return {
    state,
    async stop() {
      stopped = true;
      await state.done;
      return state.max;
    },
  };
}

/** Runs `workers` loops of `op` until stopped; records each outcome and its duration. */
function load(workers: number, op: () => Promise<unknown>) {
  let stopped = false;
  const outcomes: { ok: boolean; ms: number; at: number; error?: unknown }[] = [];
  const loops = Array.from({ length: workers }, async () => {
    while (!stopped) {
      const start = performance.now();
      try {
        await op();
        outcomes.push({ ok: true, ms: performance.now() - start, at: start });
      } catch (error) {
        outcomes.push({ ok: false, ms: performance.now() - start, at: start, error });
        await sleep(5); // a failing backend answers at once: do not spin
      }
    }
  });
  return {
    outcomes,
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

/** A TCP proxy to PostgreSQL that can be stopped (server down) and started again. */
class PgProxy {
  #target: { hostname: string; port: number };
  #listener: Deno.Listener | undefined;
  #conns = new Set<Deno.Conn>();
  #tasks = new Set<Promise<unknown>>();
  port = 0;

  constructor(target: URL) {
    this.#target = { hostname: target.hostname, port: Number(target.port || 5432) };
  }

  start(): void {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: this.port });
    this.port = (this.#listener.addr as Deno.NetAddr).port;
    this.#track(this.#accept(this.#listener));
  }

  async stop(): Promise<void> {
    this.#listener?.close();
    this.#listener = undefined;
    for (const conn of this.#conns) {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
    this.#conns.clear();
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
  }

  #track(task: Promise<unknown>): void {
    const guarded = task.catch(() => {});
    this.#tasks.add(guarded);
    guarded.then(() => this.#tasks.delete(guarded));
  }

  async #accept(listener: Deno.Listener): Promise<void> {
    for await (const down of listener) {
      this.#conns.add(down);
      this.#track((async () => {
        let up: Deno.Conn;
        try {
          up = await Deno.connect(this.#target);
        } catch {
          down.close();
          return;
        }
        this.#conns.add(up);
        const close = () => {
          for (const conn of [up, down]) {
            if (!this.#conns.delete(conn)) continue;
            try {
              conn.close();
            } catch { /* already closed */ }
          }
        };
        await Promise.allSettled([
          down.readable.pipeTo(up.writable, { preventClose: true }).finally(close),
          up.readable.pipeTo(down.writable, { preventClose: true }).finally(close),
        ]);
      })());
    }
  }
}

Deno.test({
  name: "PostgresFactory passes the factory conformance suite (needs DATABASE_URL)",
  ignore: !url,
  async fn(t) {
    await testFactory(t, new PostgresFactory({ connectionString: url }));
  },
});

Deno.test("PostgresFactory rejects unknown options", () => {
  assert.throws(() => new PostgresFactory({ url: "x" } as never), RangeError);
  assert.throws(() => new PostgresFactory({ connectionString: 5 } as never), TypeError);
});

Deno.test("Pool over PostgresFactory fails fast when nothing listens on the port", async () => {
  // Find a closed port: listen, note the port, close.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const pool = new Pool(
    new PostgresFactory({ connectionString: `postgres://postgres@127.0.0.1:${port}/test` }),
    { acquireTimeout: 5000, logger: { warn() {} } },
  );
  try {
    const start = performance.now();
    const error = await pool.acquire().catch((e) => e);
    assert.ok(error instanceof PoolCreateError, String(error));
    assert.match(String((error as Error).cause), /ECONNREFUSED|refused/i);
    assert.ok(performance.now() - start < 2500, "rejected well before the acquire timeout");
    await assert.rejects(pool.acquire(), PoolCreateError); // backing off: refused at once
  } finally {
    await pool.close();
  }
});

Deno.test({
  name: "Pool over PostgreSQL survives pg_terminate_backend under load (needs DATABASE_URL)",
  ignore: !url,
  async fn() {
    const name = uniqueName("fault");
    const max = 4;
    const acquireTimeout = 2000;
    const pool = new Pool(new PostgresFactory({ connectionString: url, applicationName: name }), {
      max,
      acquireTimeout,
      createRetryDelay: 20,
      logger: { warn() {} },
    });
    const adminClient = await admin();
    const watcher = watchBackends(adminClient, name);
    const work = load(12, () => pool.use((c) => c.query("SELECT pg_sleep(0.005)")));
    let terminated = 0;
    let lastKill = 0;
    try {
      await sleep(300);
      for (let round = 0; round < 3; round++) {
        const { rows } = await adminClient.query(
          "SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity " +
            "WHERE application_name = $1) AS killed",
          [name],
        );
        terminated += rows[0].n;
        lastKill = performance.now();
        await sleep(250);
      }
      await sleep(300);
    } finally {
      await work.stop();
    }
    try {
      const maxSeen = await watcher.stop();
      const failures = work.outcomes.filter((o) => !o.ok);
      const recovered = work.outcomes.filter((o) => o.ok && o.at > lastKill);
      console.log(
        `  ${work.outcomes.length} requests, ${failures.length} failed, ${terminated} backends ` +
          `killed, ${recovered.length} ok after the last kill, max ${maxSeen} backends`,
      );
      assert.ok(terminated > 0, "the fault was injected");
      // A kill that lands on a connection still starting up is a create failure, which
      // fails waiters fast with PoolCreateError; any other failure is a lent connection.
      const lentBroken = failures.filter((o) => !(o.error instanceof PoolCreateError));
      assert.ok(
        lentBroken.length <= terminated,
        `each killed connection fails at most one request (${lentBroken.length} failures, ` +
          `${terminated} killed): a broken connection is never lent again`,
      );
      for (const failure of failures) {
        // Every failure says "try again" (the server answers 503): the connection could not be
        // made, or it broke under the query. None is a bare driver error (a 500).
        assert.ok(
          failure.error instanceof PoolCreateError || failure.error instanceof PoolResourceError,
          `a failure is PoolCreateError or PoolResourceError, not ${failure.error}`,
        );
      }
      const slowest = Math.max(...work.outcomes.map((o) => o.ms));
      assert.ok(slowest < acquireTimeout, `no request hung (slowest ${slowest.toFixed(0)} ms)`);
      assert.ok(recovered.length > 0, "requests succeed again after the last kill");
      assert.ok(maxSeen <= max, `pg_stat_activity showed ${maxSeen} > max ${max} connections`);
      const m = pool.metrics();
      assert.ok(m.size <= max);
      assert.equal(m.borrowed, 0);
      assert.ok(m.destroyed >= 1);
    } finally {
      const report = await pool.close({ deadline: 2000 });
      assert.deepEqual(report.outstanding, []);
      assert.equal(await countBackends(adminClient, name), 0, "close() disconnected everything");
      await adminClient.end();
    }
  },
});

Deno.test({
  name:
    "Pool over PostgreSQL fails fast while the server is down and recovers when it is back (needs DATABASE_URL)",
  ignore: !url,
  async fn() {
    const name = uniqueName("down");
    const max = 3;
    const acquireTimeout = 2000;
    const proxy = new PgProxy(new URL(url!));
    proxy.start();
    const target = new URL(url!);
    target.host = `127.0.0.1:${proxy.port}`;
    const pool = new Pool(
      new PostgresFactory({ connectionString: target.href, applicationName: name }),
      {
        max,
        acquireTimeout,
        createRetryDelay: 20,
        createRetryMaxDelay: 200,
        logger: { warn() {} },
      },
    );
    const adminClient = await admin();
    const watcher = watchBackends(adminClient, name);
    const work = load(8, () => pool.use((c) => c.query("SELECT 1")));
    let downAt = 0;
    let upAt = 0;
    try {
      await sleep(200);
      await proxy.stop(); // "server down": every connection drops, new ones are refused
      downAt = performance.now();
      await sleep(500);
      proxy.start(); // "server back" on the same address
      upAt = performance.now();
      // Recovery is bounded by the longest back-off (200 ms) plus a connect.
      const deadline = performance.now() + 3000;
      while (
        !work.outcomes.some((o) => o.ok && o.at > upAt) && performance.now() < deadline
      ) await sleep(20);
      await sleep(100);
    } finally {
      await work.stop();
    }
    try {
      const maxSeen = await watcher.stop();
      const during = work.outcomes.filter((o) => o.at > downAt + 50 && o.at + o.ms < upAt);
      const after = work.outcomes.filter((o) => o.ok && o.at > upAt).length;
      console.log(
        `  ${work.outcomes.length} requests, ${during.length} while down (slowest ` +
          `${Math.max(...during.map((o) => o.ms)).toFixed(0)} ms), ${after} ok after restart, ` +
          `max ${maxSeen} backends`,
      );
      assert.ok(during.length > 0, "requests were made while the server was down");
      assert.ok(during.every((o) => !o.ok), "no request succeeded while the server was down");
      for (const o of during) {
        assert.ok(o.ms < acquireTimeout, `failed fast (${o.ms.toFixed(0)} ms)`);
      }
      assert.ok(
        during.some((o) => o.error instanceof PoolCreateError),
        "callers were told the pool cannot create connections",
      );
      const slowest = Math.max(...work.outcomes.map((o) => o.ms));
      assert.ok(slowest < acquireTimeout, `no request hung (slowest ${slowest.toFixed(0)} ms)`);
      assert.ok(
        work.outcomes.some((o) => o.ok && o.at > upAt),
        "the pool recovered without a restart",
      );
      assert.ok(maxSeen <= max, `pg_stat_activity showed ${maxSeen} > max ${max} connections`);
    } finally {
      await pool.close({ deadline: 2000 });
      await proxy.stop();
      await adminClient.end();
    }
  },
});
