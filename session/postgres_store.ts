// Copyright 2025 the pubkit authors. MIT license.

/**
 * {@linkcode PostgresStore}: sessions in PostgreSQL, with the fenced lease lock of
 * `RedisStore`, for sites that run PostgreSQL and no Redis. Its own entry point, so that
 * importing `@pubkit/session` loads no database code.
 *
 * @module
 */

import { type Clock, systemClock } from "@pubkit/async";
import { memberLog } from "@pubkit/async/log";
import { checkId } from "./_ids.ts";
import { LockTable, type OuterLock, pollUntil } from "./_lock_table.ts";
import { checkNumber, checkOptions, checkRecord, startSweeper } from "./_store_common.ts";
import { LockLostError, StoreUnavailableError } from "./errors.ts";
import type {
  SessionLock,
  SessionRecord,
  SessionStore,
  StoreLockOptions,
  StoreWriteOptions,
} from "./session_store.ts";

// The types of this entry's API, so that it documents itself without `@pubkit/session`.
export type { Clock } from "@pubkit/async";
export type {
  SessionLock,
  SessionRecord,
  SessionStore,
  StoreLockOptions,
  StoreWriteOptions,
} from "./session_store.ts";

// The stores' connection reports, under LogTape's ["pubkit", "session"] when it is configured.
const SESSION_LOG = memberLog(["pubkit", "session"]);
/**
 * What the store needs of a database: one parameterized query at a time, each on whatever
 * connection is free. A `pg` `Pool` fits as it is; a `Pool<PostgresClient>` of `@pubkit/pool`
 * through one line: `{ query: (text, values) => pool.use((c) => c.query(text, values)) }`.
 */
export interface PostgresQueryable {
  /**
   * Runs one statement (several, separated by `;`, when `values` is omitted).
   *
   * @param text SQL with `$1`, `$2`, ... placeholders.
   * @param values The parameters.
   * @returns The rows, keyed by column name.
   */
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** Options for {@linkcode PostgresStore}. */
export interface PostgresStoreOptions {
  /** Runs the store's queries; the caller owns it (the store never closes it). */
  db: PostgresQueryable;
  /**
   * Name of the sessions table; the lease table is `<table>_lock` and the fencing sequence
   * `<table>_fence`. Lower-case letters, digits and `_`, at most 40 characters. Defaults to
   * `"pubkit_session"`.
   */
  table?: string;
  /** Default lock acquire timeout in milliseconds. Defaults to `10_000`. */
  lockTimeout?: number;
  /**
   * Lease time of a lock in milliseconds: how long a crashed holder blocks the session.
   * Renewed every third of it while held. Defaults to `10_000`.
   */
  leaseTtl?: number;
  /** How long a free lease row (and so its newest fencing token) is kept. Defaults to 24 h. */
  fenceTtl?: number;
  /** Longest wait for one query, in milliseconds. Defaults to `2_000`. */
  queryTimeout?: number;
  /** Milliseconds between sweeps of expired sessions; `0` disables. Defaults to `60_000`. */
  sweepInterval?: number;
  /**
   * Called with a line when the database stops answering or answers again; by default an error
   * under LogTape's `["pubkit", "session"]` when LogTape is configured, else `console.error`.
   */
  log?: (line: string) => void;
  /** The time source for session expiry (leases use the database's clock). Defaults to `Date.now`. */
  clock?: Clock;
}

const KNOWN = [
  "db",
  "table",
  "lockTimeout",
  "leaseTtl",
  "fenceTtl",
  "queryTimeout",
  "sweepInterval",
  "log",
  "clock",
] as const;

/** Checked before it is written into SQL: no quoting needed. */
const TABLE = /^[a-z_][a-z0-9_]{0,39}$/;

/** SQLSTATE classes that mean "the database cannot serve now", not "this statement is wrong". */
const UNAVAILABLE = /^(08|40|53|57|58)/;

/**
 * The statements over the sessions table, its lease table and its fencing sequence.
 *
 * Every write takes the fencing token as `$2` (`NULL` without a lock) and checks it in the same
 * statement: `ok` locks the lease row `FOR SHARE`, so a concurrent acquisition either waits for
 * the write to commit (and then sees it) or has committed first (and the write is refused).
 */
function statements(table: string) {
  const s = `"${table}"`;
  const l = `"${table}_lock"`;
  const fenced = (write: string) =>
    `WITH ok AS (SELECT 1 FROM ${l} WHERE id = $1 AND fence = $2::bigint FOR SHARE),
    w AS (${write.replaceAll("{ok}", "($2::bigint IS NULL OR EXISTS (SELECT 1 FROM ok))")})
    SELECT $2::bigint IS NULL OR EXISTS (SELECT 1 FROM ok) AS ok`;
  const leaseFor = "clock_timestamp() + $3::float8 * interval '1 millisecond'";
  // For statements whose loss in a crash is harmless (a lost release or renewal lets the lease
  // run out): commit without waiting for the disk. Acquisitions stay durable, so that a fencing
  // token is never handed out twice.
  const noSync = "(SELECT set_config('synchronous_commit', 'off', true)) AS no_sync";
  return {
    // The advisory lock keeps processes that start together from racing on the catalog.
    migrate: `SELECT pg_advisory_xact_lock(hashtext('pubkit_session:${table}'));
      CREATE TABLE IF NOT EXISTS ${s} (id text PRIMARY KEY, data json NOT NULL,
        created float8 NOT NULL, last_accessed float8 NOT NULL, expires float8 NOT NULL);
      CREATE INDEX IF NOT EXISTS "${table}_expires" ON ${s} (expires);
      CREATE TABLE IF NOT EXISTS ${l} (id text PRIMARY KEY, owner uuid,
        lease_until timestamptz NOT NULL, fence bigint NOT NULL);
      CREATE SEQUENCE IF NOT EXISTS "${table}_fence"`,
    load: `SELECT data::text AS data, created, last_accessed, expires FROM ${s}
      WHERE id = $1 AND expires > $2::float8`,
    loadHeld: `SELECT data::text AS data, created, last_accessed, expires FROM ${s} WHERE id = $1
      AND EXISTS (SELECT 1 FROM ${l} AS l
        WHERE l.id = $1 AND l.owner IS NOT NULL AND l.lease_until > clock_timestamp())`,
    // $3 data, $4 created, $5 last accessed, $6 expires
    save: fenced(`INSERT INTO ${s} (id, data, created, last_accessed, expires)
      SELECT $1, $3::json, $4::float8, $5::float8, $6::float8 WHERE {ok}
      ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, created = EXCLUDED.created,
        last_accessed = EXCLUDED.last_accessed, expires = EXCLUDED.expires RETURNING 1`),
    // $3 last accessed, $4 expires, $5 now. Without a fence an expired session is not revived.
    touch: fenced(`UPDATE ${s} SET last_accessed = $3::float8, expires = $4::float8
      WHERE id = $1 AND {ok} AND ($2::bigint IS NOT NULL OR expires > $5::float8) RETURNING 1`),
    destroy: fenced(`DELETE FROM ${s} WHERE id = $1 AND {ok} RETURNING 1`),
    // $2 owner token, $3 lease ms. A lease seen live is not even tried: a waiter's attempt then
    // reads only, instead of locking the row (a WAL record and a disk flush per attempt).
    acquire: `INSERT INTO ${l} AS l (id, owner, lease_until, fence)
      SELECT $1, $2::uuid, ${leaseFor}, nextval('"${table}_fence"') WHERE NOT EXISTS (
        SELECT 1 FROM ${l} WHERE id = $1 AND owner IS NOT NULL AND lease_until > clock_timestamp())
      ON CONFLICT (id) DO UPDATE SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until,
        fence = EXCLUDED.fence
      WHERE l.owner IS NULL OR l.lease_until <= clock_timestamp()
      RETURNING fence::text AS fence`,
    renew: `UPDATE ${l} SET lease_until = ${leaseFor} FROM ${noSync}
      WHERE id = $1 AND owner = $2::uuid`,
    release: `UPDATE ${l} SET owner = NULL, lease_until = clock_timestamp() FROM ${noSync}
      WHERE id = $1 AND owner = $2::uuid`,
    // $1 now, $2 fence ttl ms. Sessions under a live lease are kept for their holder.
    sweep: `WITH gone AS (DELETE FROM ${s} AS s WHERE s.expires <= $1::float8 AND NOT EXISTS (
        SELECT 1 FROM ${l} AS l
        WHERE l.id = s.id AND l.owner IS NOT NULL AND l.lease_until > clock_timestamp())
      RETURNING 1),
    stale AS (DELETE FROM ${l} WHERE lease_until < clock_timestamp() - $2::float8 * interval '1 millisecond')
    SELECT count(*)::int AS n FROM gone`,
  };
}

/**
 * A session store in PostgreSQL, for several processes and hosts that share a database.
 *
 * Sessions live in one table (created with the lease table and the fencing sequence on first
 * use, or by {@linkcode PostgresStore.prototype.migrate}); expired ones are deleted by a
 * periodic `DELETE` that skips sessions under a live lease. The lock is a lease row (owner,
 * expiry by the database's clock, fencing token from a sequence) taken with one
 * `INSERT … ON CONFLICT DO UPDATE … WHERE` the lease is free or expired, released by
 * compare-and-clear, renewed while held and waited for with bounded back-off, on top of a local
 * reentrant lock; no connection is held between statements. Every write carries the fencing
 * token and is refused in the same statement (`LockLostError`) when a newer holder exists.
 * When the database cannot be reached, calls fail quickly with `StoreUnavailableError`.
 *
 * @example Storing and loading a session (skipped when DATABASE_URL is unset)
 * ```ts
 * import { PostgresStore } from "@pubkit/session/postgres";
 * // @ts-types="npm:@types/pg@^8.23.1"
 * import pg from "npm:pg@^8.23.1";
 * import assert from "node:assert/strict";
 *
 * const url = Deno.env.get("DATABASE_URL");
 * if (url !== undefined) {
 *   const db = new pg.Pool({ connectionString: url }); // or a @pubkit/pool Pool, see README
 *   const store = new PostgresStore({ db, table: "pubkit_doc_session", sweepInterval: 0 });
 *   const id = "c".repeat(43);
 *   const now = Date.now();
 *   const record = { data: { n: 1 }, created: now, lastAccessed: now, expires: now + 60_000 };
 *   {
 *     await using hold = await store.lock(id, "request");
 *     await store.save(id, record, { fence: hold.fence });
 *   }
 *   assert.deepEqual((await store.load(id))?.data, { n: 1 });
 *   await store.destroy(id);
 *   await store.close();
 *   await db.query('DROP TABLE pubkit_doc_session, pubkit_doc_session_lock; DROP SEQUENCE pubkit_doc_session_fence');
 *   await db.end();
 * }
 * ```
 */
export class PostgresStore implements SessionStore, AsyncDisposable {
  #db: PostgresQueryable;
  #sql: ReturnType<typeof statements>;
  #locks: LockTable;
  #clock: Clock;
  #leaseTtl: number;
  #fenceTtl: number;
  #queryTimeout: number;
  #log: (line: string) => void;
  #migrated: Promise<void> | undefined;
  #ready = false;
  #down = false;
  #closed = false;
  #stopSweeper: () => void;
  #renewals = new Set<ReturnType<typeof setInterval>>();

  /**
   * Creates the store; it queries nothing until first used.
   *
   * @param options The database, table name, lock and lease times, timeouts, logger and clock.
   * @throws {RangeError} For an unknown or out-of-range option, or a bad table name.
   * @throws {TypeError} If `db` has no `query` function.
   */
  constructor(options: PostgresStoreOptions) {
    const action = "create PostgresStore";
    checkOptions(options ?? {}, KNOWN, action);
    if (typeof options?.db?.query !== "function") {
      throw new TypeError(`Cannot ${action}: db must have a query(text, values) function`);
    }
    const table = options.table ?? "pubkit_session";
    if (typeof table !== "string" || !TABLE.test(table)) {
      throw new RangeError(
        `Cannot ${action}: table must be 1-40 lower-case letters, digits or "_", not a digit first`,
      );
    }
    this.#db = options.db;
    this.#sql = statements(table);
    const lockTimeout = checkNumber(options.lockTimeout ?? 10_000, "lockTimeout", action);
    this.#leaseTtl = checkNumber(options.leaseTtl ?? 10_000, "leaseTtl", action, 30);
    this.#fenceTtl = checkNumber(options.fenceTtl ?? 86_400_000, "fenceTtl", action, 1);
    this.#queryTimeout = checkNumber(options.queryTimeout ?? 2000, "queryTimeout", action, 1);
    const sweepInterval = checkNumber(options.sweepInterval ?? 60_000, "sweepInterval", action);
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log ?? SESSION_LOG.error;
    this.#locks = new LockTable(lockTimeout, {
      acquireOuter: (id, deadline, timeout, signal) =>
        pollUntil(() => this.#tryLease(id), deadline, timeout, {
          signal,
          subject: `session ${id.slice(0, 8)}…`,
          minDelay: 5,
          maxDelay: 100,
        }),
    });
    this.#stopSweeper = startSweeper(sweepInterval, () => this.sweep());
  }

  /**
   * Creates the sessions table, the lease table and the fencing sequence if they are missing.
   * Every other method does it on first use; call it at start-up so that a database that cannot
   * be reached or a role that may not create tables fails the start instead of a request.
   * Safe to run from several processes at once.
   *
   * @returns Resolves once the tables exist.
   * @throws {StoreUnavailableError} If the database cannot be reached.
   */
  migrate(): Promise<void> {
    return this.#migrated ??= this.#run(
      "create the session tables",
      () => this.#db.query(this.#sql.migrate),
    ).then(() => {
      this.#ready = true;
    }, (error) => {
      // Retried by the next call: the database may be back by then.
      this.#migrated = undefined;
      throw error;
    });
  }

  /** Runs one statement (after the migration) with the timeout and the error mapping. */
  async #query(
    action: string,
    text: string,
    values: unknown[],
  ): Promise<Record<string, unknown>[]> {
    if (this.#closed) throw new TypeError(`Cannot ${action}: the store is closed`);
    if (!this.#ready) await this.migrate();
    return (await this.#run(action, () => this.#db.query(text, values))).rows;
  }

  async #run<T>(action: string, run: () => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.#queryTimeout} ms`)),
        this.#queryTimeout,
      );
    });
    let pending: Promise<T>;
    try {
      pending = run();
      // A query that lost the race still settles later: its error is not unhandled.
      pending.catch(() => {});
    } catch (error) {
      pending = Promise.reject(error);
    }
    try {
      const result = await Promise.race([pending, timeout]);
      if (this.#down) {
        this.#down = false;
        this.#log("PostgresStore: the database answers again");
      }
      return result;
    } catch (error) {
      const code = (error as { code?: unknown; severity?: unknown } | null)?.code;
      const isSqlError = typeof (error as { severity?: unknown })?.severity === "string";
      // A statement the server rejected for what it is (not for being unable to serve) is a bug.
      if (isSqlError && typeof code === "string" && !UNAVAILABLE.test(code)) throw error;
      if (!this.#down) {
        this.#down = true;
        this.#log(
          `PostgresStore: cannot ${action} (${(error as Error)?.message}); ` +
            `session requests fail fast until the database answers again`,
        );
      }
      throw new StoreUnavailableError(action, error);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Reads a session.
   *
   * @param id The session id.
   * @returns The record, or `undefined` if missing or expired.
   * @throws {TypeError} If `id` is not a session id.
   * @throws {StoreUnavailableError} If the database cannot be reached.
   */
  async load(id: string): Promise<SessionRecord | undefined> {
    checkId(id, "load session");
    const [row] = await this.#query("load session", this.#sql.load, [id, this.#clock.now()]);
    return row && recordOf(row);
  }

  /**
   * Reads a session under a live lease, even past its expiry (the sweep keeps it).
   *
   * @param id The session id.
   * @returns The record, or `undefined` if missing or not locked.
   * @throws {TypeError} If `id` is not a session id.
   * @throws {StoreUnavailableError} If the database cannot be reached.
   */
  async loadHeld(id: string): Promise<SessionRecord | undefined> {
    checkId(id, "load session");
    const [row] = await this.#query("load session", this.#sql.loadHeld, [id]);
    return row && recordOf(row);
  }

  /**
   * Writes a session whole (a record already past its expiry deletes it).
   *
   * @param id The session id.
   * @param record The record.
   * @param options The caller's fencing token, checked in the same statement.
   * @throws {TypeError} If `id` or `record` is malformed, or the data is not JSON.
   * @throws {LockLostError} If a newer lock holder exists.
   * @throws {StoreUnavailableError} If the database cannot be reached.
   */
  async save(id: string, record: SessionRecord, options: StoreWriteOptions = {}): Promise<void> {
    checkId(id, "save session");
    checkRecord(record, "save session");
    const data = JSON.stringify(record.data);
    if (record.expires <= this.#clock.now()) return await this.destroy(id, options);
    await this.#fenced("save session", this.#sql.save, id, options, [
      data,
      record.created,
      record.lastAccessed,
      record.expires,
    ]);
  }

  /**
   * Updates the access time and expiry of an existing session; with a fence (the caller holds
   * the lock) also of one that expired while held, which the sweep kept.
   *
   * @param id The session id.
   * @param lastAccessed The new access time.
   * @param expires The new expiry.
   * @param options The caller's fencing token.
   * @throws {TypeError} If `id` is not a session id.
   * @throws {LockLostError} If a newer lock holder exists.
   * @throws {StoreUnavailableError} If the database cannot be reached.
   */
  async touch(
    id: string,
    lastAccessed: number,
    expires: number,
    options: StoreWriteOptions = {},
  ): Promise<void> {
    checkId(id, "touch session");
    const now = this.#clock.now();
    if (expires <= now) return await this.destroy(id, options);
    await this.#fenced("touch session", this.#sql.touch, id, options, [lastAccessed, expires, now]);
  }

  /**
   * Deletes a session.
   *
   * @param id The session id.
   * @param options The caller's fencing token.
   * @throws {TypeError} If `id` is not a session id.
   * @throws {LockLostError} If a newer lock holder exists.
   * @throws {StoreUnavailableError} If the database cannot be reached.
   */
  async destroy(id: string, options: StoreWriteOptions = {}): Promise<void> {
    checkId(id, "destroy session");
    await this.#fenced("destroy session", this.#sql.destroy, id, options, []);
  }

  async #fenced(
    action: string,
    text: string,
    id: string,
    options: StoreWriteOptions,
    values: unknown[],
  ): Promise<void> {
    const fence = options.fence ?? null;
    const [row] = await this.#query(action, text, [id, fence, ...values]);
    if (row?.ok !== true) throw new LockLostError(options.fence!);
  }

  /**
   * Locks a session id for `owner`: reentrant and FIFO within this process, a fenced lease row
   * across processes.
   *
   * @param id The session id.
   * @param owner The owner token, compared by identity.
   * @param options Timeout and signal.
   * @returns A hold to release.
   * @throws {TypeError} If `id` is not a session id.
   * @throws {LockTimeoutError} If another owner holds it past the timeout.
   * @throws {StoreUnavailableError} If the database cannot be reached.
   */
  async lock(id: string, owner: unknown, options?: StoreLockOptions): Promise<SessionLock> {
    checkId(id, "lock session");
    return await this.#locks.acquire(id, owner, options);
  }

  async #tryLease(id: string): Promise<OuterLock | undefined> {
    const token = crypto.randomUUID();
    let rows;
    try {
      rows = await this.#query("lock session", this.#sql.acquire, [id, token, this.#leaseTtl]);
    } catch (error) {
      // The lease may have been taken with the answer lost (a backend killed after the commit):
      // give it back at once rather than block the session for leaseTtl.
      if (error instanceof StoreUnavailableError) await this.#release(id, token, 1);
      throw error;
    }
    if (!rows[0]) return undefined;
    const lease = [id, token, this.#leaseTtl];
    const timer = setInterval(() => {
      this.#db.query(this.#sql.renew, lease).catch(() => {});
    }, Math.max(10, Math.floor(this.#leaseTtl / 3)));
    this.#renewals.add(timer);
    let released: Promise<void> | undefined;
    return {
      fence: Number(rows[0].fence),
      release: () =>
        released ??= (async () => {
          clearInterval(timer);
          this.#renewals.delete(timer);
          await this.#release(id, token, 2);
        })(),
    };
  }

  /**
   * Frees the lease of `token`, even after close() (the database is its owner's). Another try
   * follows a lost connection; past that, the lease runs out by itself.
   */
  async #release(id: string, token: string, tries: number): Promise<void> {
    for (let i = 0; i < tries; i++) {
      try {
        await this.#run("unlock session", () => this.#db.query(this.#sql.release, [id, token]));
        return;
      } catch {
        // Tried again, or left to run out.
      }
    }
  }

  /**
   * Deletes expired sessions not under a live lease, and lease rows free for `fenceTtl`.
   *
   * @returns How many sessions were removed.
   * @throws {StoreUnavailableError} If the database cannot be reached.
   */
  async sweep(): Promise<number> {
    const [row] = await this.#query("sweep sessions", this.#sql.sweep, [
      this.#clock.now(),
      this.#fenceTtl,
    ]);
    return Number(row?.n ?? 0);
  }

  /**
   * Stops the sweeper and lease renewals; idempotent. The database stays open: its owner
   * closes it.
   *
   * @returns A promise that resolves at once.
   */
  close(): Promise<void> {
    this.#closed = true;
    this.#stopSweeper();
    for (const timer of this.#renewals) clearInterval(timer);
    this.#renewals.clear();
    return Promise.resolve();
  }

  /**
   * Same as {@linkcode PostgresStore.prototype.close}.
   *
   * @returns A promise that resolves once closed.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** A session record from a row of the sessions table. */
function recordOf(row: Record<string, unknown>): SessionRecord {
  return {
    data: JSON.parse(row.data as string),
    created: Number(row.created),
    lastAccessed: Number(row.last_accessed),
    expires: Number(row.expires),
  };
}
