// Copyright 2025 the pubkit authors. MIT license.

// PostgresStore without a database: options, error mapping and timeouts against a fake `db`.
// The conformance suite, the fault cases and the lease tests against a real PostgreSQL, through
// `@pubkit/pool`, are in tests/postgres_store_test.ts (session may not import pool).
import assert from "node:assert/strict";
import { newId } from "./_ids.ts";
import { type PostgresQueryable, PostgresStore } from "./postgres_store.ts";
import { StoreUnavailableError } from "./store_unavailable_error.ts";

const quiet = { log: () => {}, sweepInterval: 0 };

/** A database that answers every statement with `answer` and records what it was sent. */
function fakeDb(answer: (text: string) => Promise<{ rows: Record<string, unknown>[] }>) {
  const sent: string[] = [];
  const values: unknown[][] = [];
  const db: PostgresQueryable = {
    query(text, params = []) {
      sent.push(text);
      values.push(params);
      return answer(text);
    },
  };
  return { db, sent, values };
}

/** An error shaped like `pg`'s `DatabaseError`. */
function sqlError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, severity: "ERROR" });
}

Deno.test("PostgresStore rejects unknown options, bad table names and a db without query()", () => {
  const { db } = fakeDb(() => Promise.resolve({ rows: [] }));
  assert.throws(
    () => new PostgresStore({ db, url: "x" } as never),
    { name: "RangeError", message: 'Cannot create PostgresStore: unknown option "url"' },
  );
  for (const table of ["", "Sessions", "1st", 'x"; DROP TABLE users; --', "a".repeat(41)]) {
    assert.throws(() => new PostgresStore({ db, table }), RangeError, table);
  }
  assert.throws(() => new PostgresStore({ db, leaseTtl: 10 }), RangeError);
  assert.throws(() => new PostgresStore({ db, queryTimeout: 0 }), RangeError);
  assert.throws(() => new PostgresStore({ db: {} as never }), TypeError);
});

Deno.test("importing @pubkit/session does not load PostgresStore", async () => {
  const mod = await import("./mod.ts");
  assert.equal("PostgresStore" in mod, false);
  const json = JSON.parse(await Deno.readTextFile(new URL("./deno.json", import.meta.url)));
  assert.equal(json.exports["./postgres"], "./postgres_store.ts");
});

Deno.test("PostgresStore creates its tables once, on first use, under its table name", async () => {
  const { db, sent } = fakeDb(() => Promise.resolve({ rows: [] }));
  await using store = new PostgresStore({ db, table: "my_sessions", ...quiet });
  assert.equal(sent.length, 0, "the constructor queries nothing");
  await store.load(newId());
  await store.load(newId());
  assert.equal(sent.length, 3);
  assert.match(sent[0], /CREATE TABLE IF NOT EXISTS "my_sessions" /);
  assert.match(sent[0], /CREATE TABLE IF NOT EXISTS "my_sessions_lock" /);
  assert.match(sent[0], /CREATE SEQUENCE IF NOT EXISTS "my_sessions_fence"/);
  assert.match(sent[1], /FROM "my_sessions"/);
});

Deno.test("PostgresStore maps connection failures to StoreUnavailableError and retries the migration", async () => {
  let up = false;
  const lines: string[] = [];
  const { db, sent } = fakeDb(() =>
    up ? Promise.resolve({ rows: [] }) : Promise.reject(new Error("connect ECONNREFUSED"))
  );
  await using store = new PostgresStore({ db, ...quiet, log: (line) => lines.push(line) });
  await assert.rejects(() => store.load(newId()), StoreUnavailableError);
  await assert.rejects(() => store.migrate(), StoreUnavailableError);
  assert.equal(lines.length, 1, "one line when it goes down");
  assert.match(lines[0], /cannot create the session tables \(connect ECONNREFUSED\)/);
  up = true;
  assert.equal(await store.load(newId()), undefined);
  assert.equal(sent.filter((text) => text.includes("CREATE TABLE")).length, 3);
  assert.match(lines[1], /answers again/);
});

Deno.test("PostgresStore lets an SQL error through but maps server-side unavailability to StoreUnavailableError", async () => {
  let error: Error = sqlError("42P01", 'relation "x" does not exist');
  const { db } = fakeDb((text) =>
    text.includes("CREATE") ? Promise.resolve({ rows: [] }) : Promise.reject(error)
  );
  await using store = new PostgresStore({ db, ...quiet });
  await assert.rejects(() => store.load(newId()), { message: 'relation "x" does not exist' });
  for (const code of ["57P01", "08006", "53300", "40P01"]) {
    error = sqlError(code, `code ${code}`);
    await assert.rejects(() => store.load(newId()), StoreUnavailableError, code);
  }
});

Deno.test("PostgresStore gives up on a query after queryTimeout with StoreUnavailableError", async () => {
  const { db } = fakeDb((text) =>
    text.includes("CREATE") ? Promise.resolve({ rows: [] }) : new Promise(() => {})
  );
  await using store = new PostgresStore({ db, queryTimeout: 50, ...quiet });
  const started = performance.now();
  await assert.rejects(() => store.load(newId()), {
    name: "StoreUnavailableError",
    message: "Cannot load session: the session store is unavailable (no answer within 50 ms)",
  });
  assert.ok(performance.now() - started < 1000);
});

Deno.test("PostgresStore refuses a fenced write the database did not confirm with LockLostError", async () => {
  const { db } = fakeDb((text) =>
    Promise.resolve({ rows: text.includes("WITH ok") ? [{ ok: false }] : [] })
  );
  await using store = new PostgresStore({ db, ...quiet });
  const now = Date.now();
  const record = { data: {}, created: now, lastAccessed: now, expires: now + 1000 };
  await assert.rejects(() => store.save(newId(), record, { fence: 7 }), {
    name: "LockLostError",
    fence: 7,
  });
});

Deno.test("PostgresStore refuses calls after close() with TypeError", async () => {
  const { db } = fakeDb(() => Promise.resolve({ rows: [] }));
  const store = new PostgresStore({ db, ...quiet });
  await store.close();
  await store.close();
  await assert.rejects(() => store.load(newId()), {
    name: "TypeError",
    message: "Cannot load session: the store is closed",
  });
});

Deno.test("PostgresStore gives back a lease whose acquisition lost its answer, and retries a lost release", async () => {
  let failures = 0;
  const { db, sent, values } = fakeDb((text) => {
    if (text.includes('INSERT INTO "pubkit_session_lock"') || text.startsWith("UPDATE")) {
      // The statement may have committed; the connection died before the answer.
      if (failures++ < 2) return Promise.reject(new Error("Connection terminated unexpectedly"));
      return Promise.resolve({ rows: [{ fence: "5" }] });
    }
    return Promise.resolve({ rows: [] });
  });
  await using store = new PostgresStore({ db, ...quiet });
  const id = newId();
  await assert.rejects(() => store.lock(id, "a"), StoreUnavailableError);
  // acquire (lost), release of that token (lost: one try only, the session is not blocked on it)
  assert.match(sent[1], /^INSERT INTO "pubkit_session_lock"/);
  assert.match(sent[2], /^UPDATE "pubkit_session_lock" SET owner = NULL/);
  assert.deepEqual(values[2], [id, values[1][1]]);
  assert.equal(sent.length, 3);
  const hold = await store.lock(id, "b");
  assert.equal(hold.fence, 5);
  failures = 0;
  await hold.release();
  const releases = sent.filter((text) => text.includes("SET owner = NULL"));
  assert.equal(releases.length, 3, "the lost release was sent again");
  assert.deepEqual(values.at(-1), [id, values.at(-2)![1]]);
});
