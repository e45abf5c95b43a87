import assert from "node:assert/strict";
import { Pool } from "@pubkit/pool";
import { type PostgresClient, PostgresFactory } from "@pubkit/pool/postgres";
import { Redis } from "ioredis";
import { LoginThrottle, THROTTLE_TABLE, type ThrottleStore } from "./login_throttle.ts";

const rules = { accountAtAddress: 2, account: 5, address: 8, maxBlockSeconds: 30 };

/** Runs `fn` with a fresh key prefix; removes that prefix's keys or rows afterwards. */
async function withStore(
  kind: ThrottleStore["kind"],
  fn: (create: () => Promise<LoginThrottle>) => Promise<void>,
): Promise<void> {
  const prefix = `pubkit:test:throttle:${crypto.randomUUID()}:`;
  if (kind === "memory") {
    const throttle = await LoginThrottle.create({ store: { kind }, prefix, rules });
    return fn(() => Promise.resolve(throttle));
  }
  if (kind === "redis") {
    const clients: Redis[] = [];
    try {
      await fn(() => {
        const client = new Redis(Deno.env.get("REDIS_URL")!);
        clients.push(client);
        return LoginThrottle.create({ store: { kind, client }, prefix, rules });
      });
    } finally {
      const keys = await clients[0].keys(`*${prefix}*`);
      if (keys.length > 0) await clients[0].del(...keys);
      for (const client of clients) await client.quit();
    }
    return;
  }
  const pools: Pool<PostgresClient>[] = [];
  try {
    await fn(() => {
      const pool = new Pool(
        new PostgresFactory({ connectionString: Deno.env.get("DATABASE_URL")! }),
        { max: 2 },
      );
      pools.push(pool);
      return LoginThrottle.create({ store: { kind, pool }, prefix, rules });
    });
  } finally {
    await pools[0].use((client) =>
      client.query(`DELETE FROM ${THROTTLE_TABLE} WHERE key LIKE $1`, [`%${prefix}%`])
    );
    for (const pool of pools) await pool.close();
  }
}

const stores: ThrottleStore["kind"][] = ["memory"];
if (Deno.env.get("REDIS_URL")) stores.push("redis");
if (Deno.env.get("DATABASE_URL")) stores.push("postgres");

for (const kind of stores) {
  Deno.test(`LoginThrottle (${kind}) backs off exponentially past the free failures of an account at an address`, async () => {
    await withStore(kind, async (create) => {
      const throttle = await create();
      assert.equal(await throttle.admit("ada", "10.0.0.1"), 0);
      assert.equal(await throttle.failed("ada", "10.0.0.1"), 0, "first failure is free");
      assert.equal(await throttle.admit("ada", "10.0.0.1"), 0);
      assert.equal(await throttle.failed("ada", "10.0.0.1"), 1, "second: blocked 1 s");
      assert.equal(await throttle.failed("ada", "10.0.0.1"), 2, "third: 2 s");
      assert.equal(await throttle.failed("ada", "10.0.0.1"), 4, "fourth: 4 s");
      // A refused attempt counts for this address on this account only: 8 s.
      assert.equal(await throttle.admit("ada", "10.0.0.1"), 8);
      // Another address is not blocked: the account has 4 failures of its 5 free ones.
      assert.equal(await throttle.admit("ada", "10.0.0.2"), 0);
      assert.ok(await throttle.admit("ada", "10.0.0.1") > 0, "still blocked at the first");
      // A success forgets the account's failures and this address's on it; the guesser at
      // the first address stays blocked.
      await throttle.succeeded("ada", "10.0.0.2");
      assert.ok(await throttle.admit("ada", "10.0.0.1") > 0);
      assert.equal(await throttle.failed("ada", "10.0.0.2"), 0, "the account counts from 0");
      // … and at the same address, its own failures too.
      await throttle.succeeded("ada", "10.0.0.2");
      assert.equal(await throttle.failed("ada", "10.0.0.2"), 0, "free again after a success");
    });
  });

  Deno.test(`LoginThrottle (${kind}) blocks an address that sprays many accounts; a success does not reset it`, async () => {
    await withStore(kind, async (create) => {
      const throttle = await create();
      for (let i = 0; i < 7; i++) assert.equal(await throttle.failed(`user${i}`, "10.0.0.9"), 0);
      await throttle.succeeded("own-account", "10.0.0.9");
      assert.equal(await throttle.failed("user7", "10.0.0.9"), 1, "eighth account: 1 s");
      const wait = await throttle.admit("someone-else", "10.0.0.9");
      assert.ok(wait >= 1, `an unrelated account from that address waits ${wait} s`);
      assert.equal(await throttle.admit("someone-else", "10.0.0.10"), 0);
    });
  });
}

for (const kind of stores) {
  Deno.test(`LoginThrottle (${kind}) blocks an account guessed at from many addresses, for every address`, async () => {
    await withStore(kind, async (create) => {
      const throttle = await create();
      for (let i = 1; i <= 4; i++) assert.equal(await throttle.failed("ada", `10.0.1.${i}`), 0);
      assert.equal(await throttle.failed("ada", "10.0.1.5"), 1, "fifth address: the account, 1 s");
      assert.ok(
        await throttle.admit("ada", "10.0.2.1") >= 1,
        "the owner waits too (the trade-off)",
      );
      assert.equal(await throttle.admit("bob", "10.0.2.1"), 0);
    });
  });
}

for (const kind of stores.filter((kind) => kind !== "memory")) {
  Deno.test(`LoginThrottle (${kind}) shares its counts between two app processes`, async () => {
    await withStore(kind, async (create) => {
      const [worker1, worker2] = [await create(), await create()];
      await worker1.failed("ada", "10.0.0.1");
      assert.equal(await worker2.failed("ada", "10.0.0.1"), 1, "the second failure, seen by both");
      assert.ok(await worker1.admit("ada", "10.0.0.1") > 0);
      await worker2.succeeded("ada", "10.0.0.1");
      assert.equal(await worker1.admit("ada", "10.0.0.1"), 0);
    });
  });
}
