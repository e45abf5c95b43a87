/**
 * `@pubkit/pool`: a bounded, fair resource pool with timeouts on every wait, validation,
 * lifetimes, leak detection and a draining `close()`. The drivers have their own entry points,
 * so that importing this one loads none: `@pubkit/pool/sqlite` (`node:sqlite`) and
 * `@pubkit/pool/postgres` (`pg`); `@pubkit/pool/testing` is the conformance suite for
 * factories.
 *
 * @example A pool of SQLite connections
 * ```ts
 * import { Pool } from "@pubkit/pool";
 * import { SqliteFactory } from "@pubkit/pool/sqlite";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const pool = new Pool(new SqliteFactory({ path: `${dir}/app.db` }), { max: 4 });
 * await pool.use((db) => db.exec("CREATE TABLE notes (body TEXT)"));
 * await pool.use((db) => db.prepare("INSERT INTO notes VALUES (?)").run("hello"));
 * const row = await pool.use((db) => db.prepare("SELECT body FROM notes").get());
 * assert.equal(row?.body, "hello");
 * await pool.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */

export { Pool } from "./pool.ts";
export type {
  PoolAcquireOptions,
  PoolCloseOptions,
  PoolLogger,
  PoolOptions,
} from "./pool_options.ts";
export type { PoolMetrics, WaitHistogram } from "./pool_metrics.ts";
export type { OutstandingLease, PoolCloseReport } from "./pool_close_report.ts";
export type { Lease } from "./lease.ts";
export type { PoolFactory } from "./pool_factory.ts";
export {
  PoolClosedError,
  PoolCreateError,
  PoolError,
  PoolQueueFullError,
  PoolResourceError,
  PoolTimeoutError,
} from "./errors.ts";
